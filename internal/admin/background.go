package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/jobfilter"
	"github.com/sellmyimages/smid/internal/store"
)

// BatchStatus is GET /v1/batches/{id}.
type BatchStatus struct {
	*store.Batch
	Errors []store.BatchError `json:"errors"`
}

const batchPage = 200

func (s *Service) startBatch(ctx context.Context, rq BatchRequest, actor job.Actor) (string, error) {
	total, err := s.st.CountExact(ctx, rq.filter)
	if err != nil {
		return "", err
	}
	fj, _ := json.Marshal(rq.Filter)
	pj := []byte(rq.Params)
	if len(pj) == 0 {
		pj = []byte("{}")
	}
	b := &store.Batch{BatchID: uuid.NewString(), Action: rq.Action, Params: string(pj), Filter: string(fj), Actor: string(actor), Total: total}
	if err := s.st.CreateBatch(ctx, b); err != nil {
		return "", err
	}
	s.launch(b.BatchID)
	return b.BatchID, nil
}

// Start resumes batches left running (by a restart, or by a replica that
// stopped) and keeps looking for them.
func (s *Service) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.stop = cancel
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(s.cfg.ResumeEvery)
		defer t.Stop()
		for {
			if ids, err := s.st.RunningBatches(ctx); err == nil {
				for _, id := range ids {
					s.launch(id)
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// Stop cancels running batches (they resume on the next start) and waits.
func (s *Service) Stop() {
	s.mu.Lock()
	if s.stop != nil {
		s.stop()
	}
	for _, c := range s.cancels {
		c()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// launch runs a batch here unless it already runs here; the batch's named
// lock keeps other replicas off it.
func (s *Service) launch(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, busy := s.cancels[id]; busy {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancels[id] = cancel
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer func() {
			s.mu.Lock()
			delete(s.cancels, id)
			s.mu.Unlock()
			cancel()
		}()
		if _, err := s.st.WithLock(ctx, "smi_batch:"+id, func(ctx context.Context) error { return s.drain(ctx, id) }); err != nil && ctx.Err() == nil {
			s.log.Error("batch", "batch", id, "err", err)
		}
	}()
}

// drain works through a batch a page at a time. Its position moves only
// once a whole page is handled, and each job's item row records that it
// was handled, so a batch killed halfway resumes without skipping or
// repeating a job.
func (s *Service) drain(ctx context.Context, id string) error {
	b, err := s.st.GetBatch(ctx, id)
	if err != nil || b.State != "running" {
		return err
	}
	// Unreadable params or filter must stop the batch: an empty filter
	// would match every job.
	var p params
	if err := json.Unmarshal([]byte(b.Params), &p); err != nil {
		return fmt.Errorf("batch %s: stored params: %w", id, err)
	}
	var fm map[string]string
	if err := json.Unmarshal([]byte(b.Filter), &fm); err != nil {
		return fmt.Errorf("batch %s: stored filter: %w", id, err)
	}
	v := url.Values{}
	for k, val := range fm {
		v.Set(k, val)
	}
	f, err := jobfilter.Parse(v)
	if err != nil {
		return err
	}
	// Jobs claimed by a run that died before recording them may no longer
	// match the filter (the action moved them): finish those first.
	open, err := s.st.OpenBatchItems(ctx, id)
	if err != nil {
		return err
	}
	if err := s.handleAll(ctx, b, p, open); err != nil || ctx.Err() != nil {
		return err
	}
	last := b.LastID
	for ctx.Err() == nil {
		cur, err := s.st.GetBatch(ctx, id)
		if err != nil {
			return err
		}
		if cur.State != "running" {
			return nil // cancelled
		}
		jobs, err := s.st.NextBatchJobs(ctx, f, last, batchPage)
		if err != nil {
			return err
		}
		if len(jobs) == 0 {
			_, err := s.st.EndBatch(ctx, id, "done")
			return err
		}
		ids := make([]string, len(jobs))
		for i, j := range jobs {
			ids[i] = j.JobID
		}
		if err := s.handleAll(ctx, b, p, ids); err != nil || ctx.Err() != nil {
			return err
		}
		last = jobs[len(jobs)-1].ID
		if err := s.st.AdvanceBatch(ctx, id, last); err != nil {
			return err
		}
	}
	return nil
}

// handleAll runs the batch's action on the jobs not handled yet, a few at
// a time. Once stopping, it claims no more; the jobs in hand still finish
// and are recorded, since a job acted on but left unrecorded could fall
// out of the filter and never be counted.
func (s *Service) handleAll(ctx context.Context, b *store.Batch, p params, jobIDs []string) error {
	work := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	sem := make(chan struct{}, s.cfg.Concurrency)
	for _, jobID := range jobIDs {
		if ctx.Err() != nil {
			return nil
		}
		fresh, err := s.st.ClaimBatchItem(ctx, b.BatchID, jobID)
		if err != nil {
			if ctx.Err() != nil {
				return nil // an unrecorded claim is handed out again on resume
			}
			return err
		}
		if !fresh {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			msg := ""
			if err := s.run(work, b.Action, jobID, p, job.Actor(b.Actor), "batch:"+b.BatchID+":"+jobID); err != nil {
				e := itemError(err)
				if e.Code == job.EInternal {
					s.log.Error("batch item", "batch", b.BatchID, "action", b.Action, "job", jobID, "err", err)
				}
				msg = e.Message
			}
			if err := s.st.FinishBatchItem(work, b.BatchID, jobID, msg); err != nil {
				s.log.Error("batch item record", "batch", b.BatchID, "job", jobID, "err", err)
			}
		}()
	}
	return nil
}

// GetBatch reports a batch's progress and per-job errors.
func (s *Service) GetBatch(ctx context.Context, id string) (*BatchStatus, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, &job.Error{Code: job.ENotFound, Message: "no batch has this id"}
	}
	b, err := s.st.GetBatch(ctx, id)
	if err != nil {
		return nil, err
	}
	errs, err := s.st.BatchErrors(ctx, id, 100)
	if err != nil {
		return nil, err
	}
	if errs == nil {
		errs = []store.BatchError{}
	}
	return &BatchStatus{Batch: b, Errors: errs}, nil
}

// CancelBatch stops a running batch; jobs already handled stay handled.
func (s *Service) CancelBatch(ctx context.Context, id string) (*BatchStatus, error) {
	st, err := s.GetBatch(ctx, id)
	if err != nil {
		return nil, err
	}
	if st.State != "running" {
		return nil, job.Errorf(job.EConflict, "the batch is already %s", st.State)
	}
	if _, err := s.st.EndBatch(ctx, id, "cancelled"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if c, ok := s.cancels[id]; ok {
		c()
	}
	s.mu.Unlock()
	return s.GetBatch(ctx, id)
}
