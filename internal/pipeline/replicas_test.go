package pipeline_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/store/storetest"
	"github.com/sellmyimages/smid/internal/upscale"
	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// submitCounter counts the submissions one replica sends.
type submitCounter struct {
	n  atomic.Int64
	rt http.RoundTripper
}

func (c *submitCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost {
		c.n.Add(1)
	}
	return c.rt.RoundTrip(r)
}

func TestTwoReplicasDrainAThousandJobs(t *testing.T) {
	t.Parallel()
	const total = 1000
	b := setup(t, pipelinetest.Options{FakeStripe: true, Upsampler: upscaletest.Options{
		ImageSize: upscaletest.FixedSize(200, 150), TinyResults: true}})
	ctx := context.Background()

	now := b.Clock.Now()
	jobs := make([]*job.Job, total)
	urls := make([]string, total)
	for i := range jobs {
		w, h, price := 200, 150, job.Money(50)
		urls[i] = fmt.Sprintf("%s/wp-content/uploads/2026/11/photo.png?n=%d", b.Site.URL, i)
		jobs[i] = &job.Job{JobID: uuid.NewString(), ImageURL: urls[i], Resolution: job.Resolution4x, PostID: 7,
			ImageWidth: &w, ImageHeight: &h, Status: job.StatusPending, PaymentStatus: job.PaymentPaid,
			AmountCharged: &price, PaidAt: &now, DueAt: &now, CreatedAt: now, UpdatedAt: now}
	}
	if err := b.DB.InsertBulk(ctx, jobs, store.EventInput{Actor: job.ActorSystem, Type: "seeded", Message: "paid, queued"}); err != nil {
		t.Fatal(err)
	}

	// Two daemons, each with its own connection pool and Upsampler client.
	var replicas []*pipeline.Service
	var sent []*submitCounter
	for i, db := range []*store.DB{b.DB, storetest.Open(t, b.DSN, storetest.Options{Now: b.Clock.Now}, false)} {
		c := &submitCounter{rt: http.DefaultTransport}
		up, err := upscale.NewUpsampler(upscale.UpsamplerConfig{BaseURL: b.Up.URL(), APIKey: b.Up.APIKey(),
			HTTPClient: &http.Client{Transport: c}, FetchClient: http.DefaultClient})
		if err != nil {
			t.Fatal(err)
		}
		cfg := b.Config
		cfg.Owner, cfg.Concurrency = fmt.Sprintf("replica-%d", i), 4
		// Idle workers poll as in production (a second): once the queue is
		// drained they would otherwise spend the CPU the callbacks need.
		cfg.IdlePoll = time.Second
		replicas = append(replicas, b.Replica(cfg, pipeline.Deps{Store: db, Upscaler: up}))
		sent = append(sent, c)
	}
	// WordPress forwards each callback to one daemon or the other; the
	// callback is answered at once and handled in the background.
	var hints sync.WaitGroup
	var turn atomic.Int64
	slots := make(chan struct{}, 8)
	b.OnCallback(func(cb pipeline.Callback) {
		svc := replicas[turn.Add(1)%2]
		hints.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; hints.Done() }()
			_ = svc.UpsamplerCallback(ctx, cb) // replicas race on purpose: the rows are the verdict
		}()
	})

	start := time.Now()
	for _, r := range replicas {
		r.Start(ctx)
	}
	deadline := time.Now().Add(90 * time.Second)
	var c *store.Counts
	for {
		var err error
		if c, err = b.DB.Counts(ctx); err != nil {
			t.Fatal(err)
		}
		if c.ByStatus[job.StatusCompleted] == total || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, r := range replicas {
		r.Stop()
	}
	hints.Wait()
	t.Logf("%d jobs drained in %s; replica submissions %d + %d; %d status checks", total, time.Since(start).Round(time.Millisecond),
		sent[0].n.Load(), sent[1].n.Load(), b.Up.StatusChecks())

	if c.ByStatus[job.StatusCompleted] != total || c.ByStatus[job.StatusFailed] != 0 || c.Total != total {
		for _, j := range jobs {
			if got := b.Get(j.JobID); got.Status != job.StatusCompleted {
				t.Logf("%s %s: last_error %q, timeline %v", j.JobID, got.Status, pipelinetest.Deref(got.LastError), b.EventTypes(j.JobID))
			}
		}
		t.Fatalf("counters %+v, want %d completed", c.ByStatus, total)
	}
	if n := b.Up.Submissions(); n != total {
		t.Fatalf("%d submissions for %d jobs", n, total)
	}
	for _, u := range urls {
		if n := b.Up.SubmissionsFor(u); n != 1 {
			t.Fatalf("%s was submitted %d times", u, n)
		}
	}
	for i, c := range sent {
		if c.n.Load() == 0 {
			t.Errorf("replica %d did no work", i)
		}
	}
	// The rows themselves, not just the counters.
	done := map[string]bool{}
	lq := store.ListQuery{Filter: store.Filter{Statuses: []job.Status{job.StatusCompleted}}, OrderBy: "created_at", PerPage: 500}
	for {
		p, err := b.DB.List(ctx, lq)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range p.Jobs {
			if j.UpscaledFilePath == nil || j.Attempts != 1 || j.LeaseOwner != nil {
				t.Fatalf("job %s: file %v, %d attempts, lease %v", j.JobID, j.UpscaledFilePath, j.Attempts, j.LeaseOwner)
			}
			done[j.JobID] = true
		}
		if p.NextCursor == "" {
			break
		}
		lq.Cursor = p.NextCursor
	}
	for _, j := range jobs {
		if !done[j.JobID] {
			t.Fatalf("job %s is not listed as completed", j.JobID)
		}
	}
}
