package admin

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/google/uuid"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/jobfilter"
	"github.com/sellmyimages/smid/internal/store"
)

// Actions a batch may run.
var Actions = []string{"retry", "regenerate_token", "resend_email", "refund", "set_status", "reconcile"}

// MaxBatchIDs is how many job ids one synchronous batch takes.
const MaxBatchIDs = job.MaxBatchIDs

// BatchRequest is POST /v1/jobs/batch.
type BatchRequest struct {
	Action     string            `json:"action"`
	JobIDs     []string          `json:"job_ids"`
	Filter     map[string]string `json:"filter"`
	Params     json.RawMessage   `json:"params"`
	ConfirmAll bool              `json:"confirm_all"`
	filter     store.Filter
}

// ItemResult is one job's outcome in a synchronous batch.
type ItemResult struct {
	JobID  string     `json:"job_id"`
	Result string     `json:"result"` // ok or error
	Error  *ItemError `json:"error"`
}

// ItemError is why a job of a batch was not handled.
type ItemError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// BatchResult answers a synchronous batch.
type BatchResult struct {
	Results []ItemResult `json:"results"`
	OK      int          `json:"ok"`
	Failed  int          `json:"failed"`
}

// params is every action's parameters in one struct; each action reads its own.
type params struct {
	Reason      string `json:"reason"`
	Force       bool   `json:"force"`
	AllowUnpaid bool   `json:"allow_unpaid"`
	SendEmail   bool   `json:"send_email"`
	ExpiresIn   string `json:"expires_in"`
	Status      string `json:"status"`
}

// destructive actions move money, spend credits, break links or change
// state: over an empty filter they need confirm_all.
var destructive = []string{"retry", "regenerate_token", "refund", "set_status", "resend_email"}

// validate checks the whole request before anything runs, so nothing
// changes on bad input.
func (rq *BatchRequest) validate() (params, error) {
	var p params
	if !slices.Contains(Actions, rq.Action) {
		return p, job.Invalid("action", "unknown action %q (accepted: %s)", rq.Action, strings.Join(Actions, ", "))
	}
	if len(rq.Params) > 0 && string(rq.Params) != "null" {
		dec := json.NewDecoder(strings.NewReader(string(rq.Params)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return p, job.Invalid("params", "params: %v", err)
		}
	}
	if err := checkReason("params.reason", strings.TrimSpace(p.Reason)); err != nil {
		return p, err
	}
	switch rq.Action {
	case "refund":
		if strings.TrimSpace(p.Reason) == "" {
			return p, job.Invalid("params.reason", "a refund needs a reason")
		}
	case "set_status":
		if !job.Status(p.Status).Valid() {
			return p, job.Invalid("params.status", "unknown status %q", p.Status)
		}
		if strings.TrimSpace(p.Reason) == "" {
			return p, job.Invalid("params.reason", "a status change needs a reason")
		}
	}
	if (len(rq.JobIDs) > 0) == (rq.Filter != nil) {
		return p, job.Invalid("job_ids", "pass either job_ids or filter")
	}
	if len(rq.JobIDs) > MaxBatchIDs {
		return p, job.Invalid("job_ids", "at most %d job ids at once; use a filter for more", MaxBatchIDs)
	}
	for _, id := range rq.JobIDs {
		if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
			return p, job.Invalid("job_ids", "%q is not a job id", id)
		}
	}
	if rq.Filter != nil {
		v := url.Values{}
		for k, val := range rq.Filter {
			if !slices.Contains(jobfilter.Keys, k) {
				return p, job.Invalid("filter."+k, "unknown filter key %q (accepted: %s)", k, strings.Join(jobfilter.Keys, ", "))
			}
			v.Set(k, val)
		}
		f, err := jobfilter.Parse(v)
		if err != nil {
			var e *job.Error
			if errors.As(err, &e) {
				e.Param = "filter." + e.Param
			}
			return p, err
		}
		if f.IsEmpty() && slices.Contains(destructive, rq.Action) && !rq.ConfirmAll {
			return p, job.Invalid("confirm_all", "an empty filter selects every job; send confirm_all: true to %s them all", rq.Action)
		}
		rq.filter = f
	}
	return p, nil
}

// run applies one action to one job, exactly as the single action does.
// key makes money-moving actions idempotent per batch and job.
func (s *Service) run(ctx context.Context, action, jobID string, p params, actor job.Actor, key string) error {
	var err error
	switch action {
	case "retry":
		_, err = s.Retry(ctx, jobID, actor, RetryParams{Reason: p.Reason, Force: p.Force, AllowUnpaid: p.AllowUnpaid})
	case "regenerate_token":
		_, err = s.RegenerateToken(ctx, jobID, actor, TokenParams{SendEmail: p.SendEmail, ExpiresIn: p.ExpiresIn})
	case "resend_email":
		_, err = s.ResendEmail(ctx, jobID, actor)
	case "refund":
		_, err = s.Refund(ctx, jobID, actor, RefundParams{Reason: p.Reason}, key)
	case "set_status":
		_, err = s.SetStatus(ctx, jobID, actor, StatusParams{Status: p.Status, Reason: p.Reason})
	case "reconcile":
		_, err = s.Reconcile(ctx, jobID, actor)
	}
	return err
}

func itemError(err error) *ItemError {
	var e *job.Error
	if errors.As(err, &e) && e.Code != job.EInternal {
		return &ItemError{Code: e.Code, Message: e.Message}
	}
	return &ItemError{Code: job.EInternal, Message: "internal error; the daemon's log has the detail"}
}

// Batch runs an action over up to 500 ids at once and answers per job, or
// starts a background batch over a whole filter and answers its id.
func (s *Service) Batch(ctx context.Context, rq BatchRequest, actor job.Actor) (*BatchResult, string, error) {
	p, err := rq.validate()
	if err != nil {
		return nil, "", err
	}
	if rq.Filter != nil {
		id, err := s.startBatch(ctx, rq, actor)
		return nil, id, err
	}
	ids := dedupe(rq.JobIDs)
	res := &BatchResult{Results: make([]ItemResult, len(ids))}
	key := uuid.NewString()
	var wg sync.WaitGroup
	sem := make(chan struct{}, s.cfg.Concurrency)
	for i, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			id = strings.ToLower(id)
			r := ItemResult{JobID: id, Result: "ok"}
			if err := s.run(ctx, rq.Action, id, p, actor, "batch:"+key+":"+id); err != nil {
				if e := itemError(err); e.Code == job.EInternal {
					s.log.ErrorContext(ctx, "batch item", "action", rq.Action, "job", id, "err", err)
				}
				r.Result, r.Error = "error", itemError(err)
			}
			res.Results[i] = r
		}()
	}
	wg.Wait()
	for _, r := range res.Results {
		if r.Result == "ok" {
			res.OK++
		} else {
			res.Failed++
		}
	}
	return res, "", nil
}

func dedupe(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		l := strings.ToLower(id)
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}
