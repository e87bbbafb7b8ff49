package httpapi

import (
	"context"
	"net/http"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/sellmyimages/smid/internal/job"
)

// MailTester sends a test email through the configured SMTP server to to,
// or to the site's admin_email when to is empty, and says where it went.
type MailTester interface {
	SendTest(ctx context.Context, to string, now time.Time) (string, error)
}

type mailTestRequest struct {
	To string `json:"to"`
}

type mailTestResponse struct {
	Sent bool   `json:"sent"`
	To   string `json:"to"`
}

// handleMailTest is the Settings screen's "Send test email".
func (s *Server) handleMailTest(w http.ResponseWriter, r *http.Request) {
	if s.svc.Mail == nil {
		s.writeError(w, r, job.Errorf(job.EUnavailable, "mail is not configured"))
		return
	}
	var rq mailTestRequest
	if err := readJSON(r, &rq); err != nil {
		s.writeError(w, r, err)
		return
	}
	to := strings.TrimSpace(rq.To)
	if to != "" {
		a, err := netmail.ParseAddress(to)
		if err != nil {
			s.writeError(w, r, job.Invalid("to", "to must be an email address"))
			return
		}
		to = a.Address
	}
	sentTo, err := s.svc.Mail.SendTest(r.Context(), to, s.cfg.Now())
	if err != nil {
		s.log.WarnContext(r.Context(), "test email failed", "err", err)
		s.writeError(w, r, job.Errorf(job.EBadGateway, "the test email was not sent: %s", err.Error()))
		return
	}
	writeJSON(w, http.StatusOK, mailTestResponse{Sent: true, To: sentTo})
}
