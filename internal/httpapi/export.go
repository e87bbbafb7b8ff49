package httpapi

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/sellmyimages/smid/internal/job"
)

// csvHeader is the export's header row; csvRecord fills the same columns.
var csvHeader = []string{
	"job_id", "created_at", "status", "payment_status", "email", "post_id", "attachment_id",
	"resolution", "image_width", "image_height", "currency", "amount_charged", "amount_cost",
	"refund_amount", "credits_used", "paid_at", "processing_started_at", "completed_at",
	"failed_at", "refunded_at", "refund_reason", "upsampler_job_id", "stripe_payment_intent_id",
	"stripe_checkout_session_id", "download_count", "email_sent", "last_error",
}

// handleExport streams the filtered jobs as RFC 4180 CSV, one row at a time
// straight from the database cursor, so memory does not grow with the row
// count.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	if err := checkKnown(v, append(filterParams, "orderby", "order")); err != nil {
		s.writeError(w, r, err)
		return
	}
	lq, err := parseList(v, false)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	name := fmt.Sprintf("smi-jobs-%s.csv", s.cfg.Now().UTC().Format("20060102-150405"))
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	started := false
	rec := make([]string, len(csvHeader))
	err = s.store.Export(r.Context(), lq, func(j *job.Job) error {
		if !started {
			started = true
			if err := cw.Write(csvHeader); err != nil {
				return err
			}
		}
		return cw.Write(csvRecord(rec, j))
	})
	if err == nil && !started {
		err = cw.Write(csvHeader)
	}
	if err != nil {
		if !started {
			// Nothing sent yet: a proper JSON error is still possible.
			w.Header().Del("Content-Disposition")
			s.writeError(w, r, err)
			return
		}
		// Mid-stream the status line is gone; cutting the body short is
		// the only honest signal left. The log has the cause.
		s.log.Error("export aborted", "err", err)
		panic(http.ErrAbortHandler)
	}
	cw.Flush()
	if err := cw.Error(); err == nil {
		bw.Flush()
	}
}

func csvRecord(rec []string, j *job.Job) []string {
	rec[0] = j.JobID
	rec[1] = j.CreatedAt.UTC().Format(time.RFC3339)
	rec[2] = string(j.Status)
	rec[3] = string(j.PaymentStatus)
	rec[4] = safeCell(j.Email)
	rec[5] = strconv.FormatInt(j.PostID, 10)
	rec[6] = optInt64(j.AttachmentID)
	rec[7] = string(j.Resolution)
	rec[8] = optInt(j.ImageWidth)
	rec[9] = optInt(j.ImageHeight)
	rec[10] = j.Currency
	rec[11] = optMoney(j.AmountCharged)
	rec[12] = optMoney(j.AmountCost)
	rec[13] = optMoney(j.RefundAmount)
	rec[14] = optInt(j.CreditsUsed)
	rec[15] = optTime(j.PaidAt)
	rec[16] = optTime(j.ProcessingStartedAt)
	rec[17] = optTime(j.CompletedAt)
	rec[18] = optTime(j.FailedAt)
	rec[19] = optTime(j.RefundedAt)
	rec[20] = safeCell(optStr(j.RefundReason))
	rec[21] = safeCell(optStr(j.UpsamplerJobID))
	rec[22] = safeCell(optStr(j.StripePaymentIntentID))
	rec[23] = safeCell(optStr(j.StripeCheckoutSessionID))
	rec[24] = strconv.Itoa(j.DownloadCount)
	rec[25] = strconv.FormatBool(j.EmailSent)
	rec[26] = safeCell(optStr(j.LastError))
	return rec
}

// safeCell neutralises a cell a spreadsheet would run as a formula
// (OWASP's CSV injection advice): a leading =, +, -, @, tab or CR gets a
// single quote in front.
func safeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func optStr(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func optInt(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func optInt64(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

func optMoney(p *job.Money) string {
	if p == nil {
		return ""
	}
	return p.Decimal()
}

func optTime(p *time.Time) string {
	if p == nil {
		return ""
	}
	return p.UTC().Format(time.RFC3339)
}
