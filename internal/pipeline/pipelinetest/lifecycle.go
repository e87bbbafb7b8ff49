package pipelinetest

import (
	"cmp"
	"context"
	"time"

	"github.com/sellmyimages/smid/internal/job"
)

// Work lets the service claim and submit jobs until none is due; it
// returns how many it took.
func (e *Env) Work() int {
	e.T.Helper()
	n := 0
	for {
		did, err := e.Svc.Work(context.Background())
		if err != nil {
			e.T.Fatal(err)
		}
		if !did {
			return n
		}
		n++
	}
}

// Poll runs one round of status checks and returns how many jobs it checked.
func (e *Env) Poll() int {
	e.T.Helper()
	n, err := e.Svc.Poll(context.Background())
	if err != nil {
		e.T.Fatal(err)
	}
	return n
}

// Process claims and submits the pending job: its upscale is then live.
func (e *Env) Process(jobID string) {
	e.T.Helper()
	e.Work()
	if j := e.Get(jobID); j.Status != job.StatusProcessing || j.UpsamplerJobID == nil {
		e.T.Fatalf("after work: %s, upsampler id %v", j.Status, j.UpsamplerJobID)
	}
}

// Complete runs a pending job to completed on the clock: submission, then
// the status check one poll interval later that finds the upscale done.
// The fake Upsampler's callback runs beside it, as in production: when
// the callback's finisher holds the job, the poll leaves it alone, so the
// job is waited for (a few seconds of real time) rather than read once.
func (e *Env) Complete(jobID string) *job.Job {
	e.T.Helper()
	e.Work()
	e.Clock.Advance(cmp.Or(e.Config.PollInterval, 30*time.Second) + time.Second) // the pipeline's default
	e.Poll()
	return e.waitStatus("after poll", jobID, job.StatusCompleted, 10*time.Second)
}

// Completed takes a new job all the way to completed and returns it.
func (e *Env) Completed(email string) *job.Job {
	e.T.Helper()
	id, _ := e.Paid(email)
	return e.Complete(id)
}

// WaitStatus waits until the job reaches status (for work done by the
// service's own goroutines).
func (e *Env) WaitStatus(jobID string, want job.Status, within time.Duration) *job.Job {
	e.T.Helper()
	return e.waitStatus("waited", jobID, want, within)
}

func (e *Env) waitStatus(what, jobID string, want job.Status, within time.Duration) *job.Job {
	e.T.Helper()
	deadline := time.Now().Add(within)
	for {
		j := e.Get(jobID)
		if j.Status == want {
			return j
		}
		if time.Now().After(deadline) {
			e.T.Fatalf("%s: job %s is %s (last error %q), want %s; timeline %v", what, jobID, j.Status, Deref(j.LastError), want, e.EventTypes(jobID))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
