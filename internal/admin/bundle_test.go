package admin_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
)

// admin1 is the WordPress user the tests act as.
const admin1 job.Actor = "wp:1:admin"

var linkRE = regexp.MustCompile(`/smi-download/([0-9a-f]{64})`)

// bundle is the shared test stack with this package's own assertions on
// it. Upsampler's callbacks are dropped: the tests drive every status
// check through Poll.
type bundle struct {
	*pipelinetest.Env
	ctx context.Context
}

func setup(t *testing.T, o pipelinetest.Options) *bundle {
	t.Helper()
	o.Config = pipeline.Config{PollInterval: 30 * time.Second, UpscaleTimeout: 15 * time.Minute, DownloadExpiry: 24 * time.Hour}
	e := pipelinetest.New(t, o)
	e.OnCallback(nil)
	return &bundle{Env: e, ctx: context.Background()}
}

// complete runs a pending job to completed and returns the token of the
// link the customer was emailed.
func (b *bundle) complete(jobID string) string {
	b.T.Helper()
	b.Process(jobID)
	return b.tokenMailed(b.Complete(jobID).Email, 1)
}

// completedJob is a paid job, upscaled and delivered.
func (b *bundle) completedJob(email string) (jobID, pi, token string) {
	b.T.Helper()
	jobID, pi = b.Paid(email)
	return jobID, pi, b.complete(jobID)
}

// tokenMailed waits for the nth message to addr and returns its link's token.
func (b *bundle) tokenMailed(addr string, nth int) string {
	b.T.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var got []string
		for _, m := range b.Mail.Messages(b.T) {
			if len(m.To) > 0 && m.To[0].Address == addr {
				got = append(got, m.ID)
			}
		}
		if len(got) >= nth {
			// Messages come newest first.
			full := b.Mail.Message(b.T, got[len(got)-nth])
			m := linkRE.FindStringSubmatch(full.Text)
			if m == nil {
				b.T.Fatalf("message %q has no download link:\n%s", full.Subject, full.Text)
			}
			return m[1]
		}
		if time.Now().After(deadline) {
			b.T.Fatalf("%d messages to %s, want %d", len(got), addr, nth)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// canDownload reports whether the customer's link works.
func (b *bundle) canDownload(token string) error {
	d, err := b.Svc.OpenDownload(b.ctx, token, "203.0.113.9", true)
	if err == nil {
		d.File.Close()
	}
	return err
}

// lastEvent is the job's newest event of typ; the test fails without one.
func (b *bundle) lastEvent(jobID, typ string) job.Event {
	b.T.Helper()
	evs := b.Events(jobID)
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type == typ {
			return evs[i]
		}
	}
	b.T.Fatalf("job %s has no %s event: %v", jobID, typ, b.EventTypes(jobID))
	return job.Event{}
}

// wantErr fails unless err is a *job.Error with code (and param, if given).
func wantErr(t *testing.T, err error, code, param string) *job.Error {
	t.Helper()
	var e *job.Error
	if !errors.As(err, &e) || e.Code != code || (param != "" && e.Param != param) {
		t.Fatalf("got error %v, want code %s param %q", err, code, param)
	}
	if e.Message == "" {
		t.Fatalf("error %s has no message", code)
	}
	return e
}

func ptr[T any](v T) *T { return &v }

func newID() string { return uuid.NewString() }

func errorAs(err error, e **job.Error) bool { return errors.As(err, e) }
