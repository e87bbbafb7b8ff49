package httpapi

import (
	"context"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/pricing"
	"github.com/sellmyimages/smid/internal/reqid"
)

// Pipeline is the lifecycle service behind the checkout, webhook, hook and
// download routes.
type Pipeline interface {
	Prices(w, h int) ([]pricing.Quote, error)
	Checkout(ctx context.Context, rq pipeline.CheckoutRequest, actor job.Actor) (*pipeline.CheckoutResult, error)
	HandleStripeWebhook(ctx context.Context, payload []byte, sig string) (*pipeline.WebhookResult, error)
	HintAsync(cb pipeline.Callback) error
	PaymentCompleted(ctx context.Context, jobID string, adminOverride bool, actor job.Actor) (*pipeline.QueueResult, error)
	OpenDownload(ctx context.Context, token, clientIP string, count bool) (*pipeline.Download, error)
}

func (s *Server) pipe(w http.ResponseWriter, r *http.Request) Pipeline {
	if s.svc.Pipeline == nil {
		s.writeError(w, r, job.Errorf(job.EUnavailable, "the pipeline is not configured: set site.url and the stripe keys"))
		return nil
	}
	return s.svc.Pipeline
}

func (s *Server) handlePrices(w http.ResponseWriter, r *http.Request) {
	p := s.pipe(w, r)
	if p == nil {
		return
	}
	v := r.URL.Query()
	if err := checkKnown(v, []string{"image_width", "image_height"}); err != nil {
		s.writeError(w, r, err)
		return
	}
	wd, err1 := strconv.Atoi(v.Get("image_width"))
	ht, err2 := strconv.Atoi(v.Get("image_height"))
	if err1 != nil || wd <= 0 {
		s.writeError(w, r, job.Invalid("image_width", "image_width must be a positive integer"))
		return
	}
	if err2 != nil || ht <= 0 {
		s.writeError(w, r, job.Invalid("image_height", "image_height must be a positive integer"))
		return
	}
	qs, err := p.Prices(wd, ht)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"currency": s.cfg.Currency, "prices": qs})
}

func (s *Server) handleCheckout(w http.ResponseWriter, r *http.Request) {
	p := s.pipe(w, r)
	if p == nil {
		return
	}
	var rq pipeline.CheckoutRequest
	if err := readJSON(r, &rq); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := p.Checkout(r.Context(), rq, actorOf(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, res)
}

// readRaw reads a webhook body exactly as sent: the signature covers it.
func readRaw(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, &job.Error{Code: "too_large", Message: "payload is too large"}
	}
	return b, err
}

func (s *Server) handleStripeWebhook(w http.ResponseWriter, r *http.Request) {
	p := s.pipe(w, r)
	if p == nil {
		return
	}
	body, err := readRaw(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := p.HandleStripeWebhook(r.Context(), body, r.Header.Get("Stripe-Signature"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) handleUpsamplerWebhook(w http.ResponseWriter, r *http.Request) {
	p := s.pipe(w, r)
	if p == nil {
		return
	}
	id := r.URL.Query().Get("job")
	if !jobIDRE.MatchString(id) {
		s.writeError(w, r, job.Invalid("job", "the webhook URL must carry ?job=<job id>"))
		return
	}
	body, err := readRaw(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	if err := p.HintAsync(pipeline.Callback{JobID: strings.ToLower(id), Attempt: q.Get("a"), Proof: q.Get("k"), Body: body,
		RequestID: reqid.From(r.Context())}); err != nil {
		s.writeError(w, r, err)
		return
	}
	// Accepted: the status is confirmed with Upsampler in the background.
	writeJSON(w, http.StatusAccepted, map[string]any{"accepted": true})
}

func (s *Server) handlePaymentCompleted(w http.ResponseWriter, r *http.Request) {
	p := s.pipe(w, r)
	if p == nil {
		return
	}
	var in struct {
		JobID   string `json:"job_id"`
		Context struct {
			AdminOverride bool `json:"admin_override"`
		} `json:"context"`
	}
	if err := readJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !jobIDRE.MatchString(in.JobID) {
		s.writeError(w, r, job.Invalid("job_id", "job_id must be a job UUID"))
		return
	}
	res, err := p.PaymentCompleted(r.Context(), strings.ToLower(in.JobID), in.Context.AdminOverride, actorOf(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// fromStart reports whether a request with this Range header gets the file
// from its first byte: no Range, or a range set that http.ServeContent will
// serve (every part well-formed, as it parses them) whose first range starts
// at 0. Only such a request counts as a download; a resumed one, and a
// malformed one that is answered 416, do not.
func fromStart(rng string) bool {
	if rng == "" {
		return true
	}
	set, ok := strings.CutPrefix(rng, "bytes=")
	if !ok {
		return false
	}
	first := -1
	for part := range strings.SplitSeq(set, ",") {
		part = strings.Trim(part, " \t")
		if part == "" {
			continue
		}
		start, end, ok := strings.Cut(part, "-")
		start, end = strings.Trim(start, " \t"), strings.Trim(end, " \t")
		if !ok {
			return false
		}
		if start == "" { // the last n bytes: where they start depends on the size
			if n, err := strconv.ParseInt(end, 10, 64); end == "" || end[0] == '-' || err != nil || n < 0 {
				return false
			}
			if first < 0 {
				first = 1
			}
			continue
		}
		a, err := strconv.ParseInt(start, 10, 64)
		if err != nil || a < 0 {
			return false
		}
		if end != "" {
			if b, err := strconv.ParseInt(end, 10, 64); err != nil || a > b {
				return false
			}
		}
		if first < 0 {
			first = int(min(a, 1))
		}
	}
	return first == 0
}

// handleDownload hands over a delivered file once its token is checked
// and the download counted. From object storage it answers 302 to a
// short-lived signed URL, so the file's bytes pass neither the daemon nor
// PHP. From local storage it streams the file: http.ServeContent does
// Range, Content-Length and conditional requests; the plugin passes them
// through.
func (s *Server) handleDownload(w http.ResponseWriter, r *http.Request) {
	p := s.pipe(w, r)
	if p == nil {
		return
	}
	ip := r.Header.Get("X-SMI-Client-IP")
	if net.ParseIP(ip) == nil {
		ip = ""
	}
	// The file never changes under its link, and its answer is not to be
	// cached: conditional headers would only turn a download into a
	// bodiless 304 or 412 that still counted. A HEAD sends no file.
	for _, h := range []string{"If-Modified-Since", "If-None-Match", "If-Unmodified-Since", "If-Match", "If-Range"} {
		r.Header.Del(h)
	}
	count := r.Method == http.MethodGet && fromStart(r.Header.Get("Range"))
	d, err := p.OpenDownload(r.Context(), r.PathValue("token"), ip, count)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if d.URL != "" {
		w.Header().Set("Location", d.URL)
		w.Header().Set("Cache-Control", "private, no-store")
		w.WriteHeader(http.StatusFound)
		return
	}
	defer d.File.Close()
	w.Header().Set("Content-Type", d.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.Filename}))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, d.Filename, d.ModTime, d.File)
}
