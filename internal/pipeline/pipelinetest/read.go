package pipelinetest

import (
	"context"
	"strings"
	"time"

	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/mail/mailtest"
	"github.com/sellmyimages/smid/internal/store"
)

// Get loads a job.
func (e *Env) Get(id string) *job.Job {
	e.T.Helper()
	j, err := e.DB.Get(context.Background(), id)
	if err != nil {
		e.T.Fatal(err)
	}
	return j
}

// Events is the job's timeline, oldest first.
func (e *Env) Events(jobID string) []job.Event {
	e.T.Helper()
	evs, err := e.DB.Events(context.Background(), jobID)
	if err != nil {
		e.T.Fatal(err)
	}
	return evs
}

// EventTypes is the job's timeline as event types, oldest first.
func (e *Env) EventTypes(jobID string) []string {
	e.T.Helper()
	var out []string
	for _, ev := range e.Events(jobID) {
		out = append(out, ev.Type)
	}
	return out
}

// Count is how many events of typ the job's timeline holds.
func (e *Env) Count(jobID, typ string) int {
	e.T.Helper()
	n := 0
	for _, ev := range e.Events(jobID) {
		if ev.Type == typ {
			n++
		}
	}
	return n
}

// Refunds is the job's refund history.
func (e *Env) Refunds(jobID string) []store.Refund {
	e.T.Helper()
	rs, err := e.DB.Refunds(context.Background(), jobID)
	if err != nil {
		e.T.Fatal(err)
	}
	return rs
}

// MailTo waits for a message to addr whose subject contains subject.
func (e *Env) MailTo(addr, subject string) mailtest.Full {
	e.T.Helper()
	return e.Mail.WaitFor(e.T, func(s mailtest.Summary) bool {
		return len(s.To) > 0 && s.To[0].Address == addr && strings.Contains(s.Subject, subject)
	}, 5*time.Second)
}

// MailsTo counts the messages received for addr.
func (e *Env) MailsTo(addr string) int {
	e.T.Helper()
	n := 0
	for _, m := range e.Mail.Messages(e.T) {
		if len(m.To) > 0 && m.To[0].Address == addr {
			n++
		}
	}
	return n
}

// Deref is what p points to, or the zero value for nil.
func Deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
