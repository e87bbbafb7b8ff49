package httpapi

import (
	"context"
	"net/http"

	"github.com/sellmyimages/smid/internal/admin"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline"
)

// Admin is the service behind the Jobs page's interventions.
type Admin interface {
	Retry(ctx context.Context, jobID string, actor job.Actor, p admin.RetryParams) (*pipeline.QueueResult, error)
	RegenerateToken(ctx context.Context, jobID string, actor job.Actor, p admin.TokenParams) (*pipeline.TokenResult, error)
	ResendEmail(ctx context.Context, jobID string, actor job.Actor) (*pipeline.TokenResult, error)
	Refund(ctx context.Context, jobID string, actor job.Actor, p admin.RefundParams, idemKey string) (*pipeline.RefundResult, error)
	SetStatus(ctx context.Context, jobID string, actor job.Actor, p admin.StatusParams) (*admin.StatusResult, error)
	Reconcile(ctx context.Context, jobID string, actor job.Actor) (*pipeline.ReconcileResult, error)
	Batch(ctx context.Context, rq admin.BatchRequest, actor job.Actor) (*admin.BatchResult, string, error)
	GetBatch(ctx context.Context, id string) (*admin.BatchStatus, error)
	CancelBatch(ctx context.Context, id string) (*admin.BatchStatus, error)
	AddNote(ctx context.Context, jobID string, actor job.Actor, p admin.NoteParams) (*job.Event, error)
}

// adminCall is the shape every per-job action shares: check the path's job
// id, decode the body into P, run, answer JSON.
func adminCall[P any, R any](s *Server, fn func(a Admin, ctx context.Context, jobID string, actor job.Actor, p P) (R, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.svc.Admin == nil {
			s.writeError(w, r, job.Errorf(job.EUnavailable, "admin actions need the pipeline: set site.url and the stripe keys"))
			return
		}
		id, err := pathJobID(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		var p P
		if err := readJSON(r, &p); err != nil {
			s.writeError(w, r, err)
			return
		}
		res, err := fn(s.svc.Admin, r.Context(), id, actorOf(r), p)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, res)
	}
}

type empty struct{}

// noBody is an admin action that takes no parameters, as adminCall calls it.
func noBody[R any](fn func(Admin, context.Context, string, job.Actor) (R, error)) func(Admin, context.Context, string, job.Actor, empty) (R, error) {
	return func(a Admin, ctx context.Context, id string, actor job.Actor, _ empty) (R, error) {
		return fn(a, ctx, id, actor)
	}
}

// resendEmail answers with the new link's expiry, not the token.
func resendEmail(a Admin, ctx context.Context, id string, actor job.Actor, _ empty) (map[string]any, error) { //nolint:revive // shaped like the method expressions (Admin.Retry …) adminCall takes
	res, err := a.ResendEmail(ctx, id, actor)
	if err != nil {
		return nil, err
	}
	return map[string]any{"job_id": id, "email_sent": res.EmailSent, "expires_at": res.ExpiresAt}, nil
}

type refundResponse struct {
	JobID         string            `json:"job_id"`
	Refund        any               `json:"refund"`
	PaymentStatus job.PaymentStatus `json:"payment_status"`
	RefundTotal   job.Money         `json:"refund_total"`
	Remaining     job.Money         `json:"remaining"`
	Replayed      bool              `json:"replayed"`
}

func (s *Server) handleRefund(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Idempotency-Key")
	adminCall(s, func(a Admin, ctx context.Context, id string, actor job.Actor, p admin.RefundParams) (*refundResponse, error) {
		res, err := a.Refund(ctx, id, actor, p, key)
		if err != nil {
			return nil, err
		}
		history, err := s.store.Refunds(ctx, id)
		if err != nil {
			return nil, err
		}
		j, err := s.store.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		total, remaining := refundTotals(j, history)
		return &refundResponse{JobID: id, Refund: res.Refund, PaymentStatus: j.PaymentStatus, RefundTotal: total,
			Remaining: remaining, Replayed: res.Existing}, nil
	})(w, r)
}

func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) {
	if s.svc.Admin == nil {
		s.writeError(w, r, job.Errorf(job.EUnavailable, "admin actions need the pipeline"))
		return
	}
	var rq admin.BatchRequest
	if err := readJSON(r, &rq); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, id, err := s.svc.Admin.Batch(r.Context(), rq, actorOf(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if id != "" {
		writeJSON(w, http.StatusAccepted, map[string]string{"batch_id": id})
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) handleGetBatch(w http.ResponseWriter, r *http.Request) {
	s.batchCall(w, r, func(ctx context.Context, id string) (*admin.BatchStatus, error) { return s.svc.Admin.GetBatch(ctx, id) })
}

func (s *Server) handleCancelBatch(w http.ResponseWriter, r *http.Request) {
	s.batchCall(w, r, func(ctx context.Context, id string) (*admin.BatchStatus, error) {
		return s.svc.Admin.CancelBatch(ctx, id)
	})
}

// batchCall answers a background batch's state after call (a read or a
// cancel) on the batch the path names; call runs only when the admin
// service exists.
func (s *Server) batchCall(w http.ResponseWriter, r *http.Request, call func(context.Context, string) (*admin.BatchStatus, error)) {
	if s.svc.Admin == nil {
		s.writeError(w, r, job.Errorf(job.EUnavailable, "admin actions need the pipeline"))
		return
	}
	st, err := call(r.Context(), r.PathValue("batch_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}
