package admin_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/admin"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/store"
)

// failedJobs writes n paid, failed jobs (none of them due: no worker would
// touch them) and returns their ids in insertion order.
func (b *bundle) failedJobs(n int, email string) []string {
	b.T.Helper()
	created := b.Clock.Now().Add(-time.Hour)
	jobs := make([]*job.Job, n)
	ids := make([]string, n)
	for i := range jobs {
		ids[i] = newID()
		jobs[i] = &job.Job{JobID: ids[i], ImageURL: b.Site.URL + "/wp-content/uploads/a.png", Resolution: job.Resolution4x,
			Email: email, PostID: 7, ImageWidth: ptr(200), ImageHeight: ptr(150), Status: job.StatusFailed,
			PaymentStatus: job.PaymentPaid, Currency: "usd", AmountCharged: ptr(job.Money(50)), LastError: ptr("upscale failed"),
			CreatedAt: created, UpdatedAt: created}
	}
	for start := 0; start < n; start += 1000 {
		if err := b.DB.InsertBulk(b.ctx, jobs[start:min(start+1000, n)], store.EventInput{Type: "seeded", Message: "seeded"}); err != nil {
			b.T.Fatal(err)
		}
	}
	return ids
}

// requeuedPerJob counts each job's requeued events, for the jobs of email.
func (b *bundle) requeuedPerJob(email string) map[string]int {
	b.T.Helper()
	var rows []struct {
		JobID string `db:"job_id"`
		N     int    `db:"n"`
	}
	if err := b.SQL.Select(&rows, `SELECT e.job_id, COUNT(*) AS n FROM wp_smi_job_events e JOIN wp_smi_jobs j ON j.job_id = e.job_id
		WHERE e.type = 'requeued' AND j.email = ? GROUP BY e.job_id`, email); err != nil {
		b.T.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.JobID] = r.N
	}
	return out
}

func (b *bundle) waitBatch(adm *admin.Service, id string, within time.Duration, until func(*admin.BatchStatus) bool) *admin.BatchStatus {
	b.T.Helper()
	deadline := time.Now().Add(within)
	for {
		st, err := adm.GetBatch(b.ctx, id)
		if err != nil {
			b.T.Fatal(err)
		}
		if until(st) {
			return st
		}
		if time.Now().After(deadline) {
			b.T.Fatalf("batch %s: state %s, %d done, %d failed of %d", id, st.State, st.Done, st.Failed, st.Total)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func retryAll(email string) admin.BatchRequest {
	return admin.BatchRequest{Action: "retry", Filter: map[string]string{"status": "failed", "email": email},
		Params: json.RawMessage(`{"reason":"bulk retry after the outage"}`)}
}

func TestBatchOverAFilterKilledHalfwayAndResumed(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Admin: admin.Config{Concurrency: 8}})
	const n = 5000
	const email = "bulk@example.com"
	b.failedJobs(n, email)
	other := b.failedJobs(3, "other@example.com") // outside the filter

	start := time.Now()
	_, id, err := b.Admin.Batch(b.ctx, retryAll(email), admin1)
	if err != nil || id == "" {
		t.Fatalf("batch: %q %v", id, err)
	}
	half := b.waitBatch(b.Admin, id, time.Minute, func(s *admin.BatchStatus) bool { return s.Done >= n/3 })
	if half.Total != n {
		t.Fatalf("total %d, want %d", half.Total, n)
	}
	b.Admin.Stop() // the daemon goes down mid-batch
	t.Logf("first run: %d in %v", half.Done, time.Since(start))

	st, err := b.Admin.GetBatch(b.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != "running" || st.Done >= n || st.Done < half.Done {
		t.Fatalf("after stop: %s, %d of %d done", st.State, st.Done, st.Total)
	}
	if got := len(b.requeuedPerJob(email)); int64(got) != st.Done {
		t.Fatalf("%d jobs requeued, but the batch counts %d done", got, st.Done)
	}
	time.Sleep(50 * time.Millisecond)
	if again, _ := b.Admin.GetBatch(b.ctx, id); again.Done != st.Done {
		t.Fatalf("a stopped batch went on: %d → %d", st.Done, again.Done)
	}
	// A hard kill can lose the record of jobs whose action was done: the
	// process dies between the two. Those jobs no longer match the filter.
	var lost []string
	if err := b.SQL.Select(&lost, `SELECT job_id FROM wp_smi_batch_items WHERE batch_id = ? AND result = 'ok' ORDER BY job_id LIMIT 3`, id); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE wp_smi_batch_items SET result = NULL WHERE batch_id = ? AND job_id IN (?, ?, ?)`,
		`UPDATE wp_smi_batches SET done = done - 3 WHERE batch_id = ? AND ? <> ? AND ? <> ''`} {
		if _, err := b.SQL.Exec(q, id, lost[0], lost[1], lost[2]); err != nil {
			t.Fatal(err)
		}
	}

	// A new daemon on the same database picks it up.
	adm2 := b.NewAdmin(admin.Config{Concurrency: 8, ResumeEvery: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(b.ctx)
	defer cancel()
	resumed := time.Now()
	adm2.Start(ctx)
	defer adm2.Stop()
	end := b.waitBatch(adm2, id, 2*time.Minute, func(s *admin.BatchStatus) bool { return s.State != "running" })
	t.Logf("all: %v, resumed run %v", time.Since(start), time.Since(resumed))
	if end.State != "done" || end.Done != n || end.Failed != 0 || end.FinishedAt == nil || len(end.Errors) != 0 {
		t.Fatalf("at the end: %s, %d done, %d failed of %d, errors %v", end.State, end.Done, end.Failed, end.Total, end.Errors)
	}
	per := b.requeuedPerJob(email)
	if len(per) != n {
		t.Fatalf("%d jobs requeued, want %d", len(per), n)
	}
	for jobID, c := range per {
		if c != 1 {
			t.Fatalf("job %s was requeued %d times", jobID, c)
		}
	}
	var pending int
	if err := b.SQL.Get(&pending, `SELECT COUNT(*) FROM wp_smi_jobs WHERE email = ? AND status = 'pending' AND due_at IS NOT NULL`, email); err != nil || pending != n {
		t.Fatalf("%d jobs pending, want %d (%v)", pending, n, err)
	}
	for _, o := range other {
		if j := b.Get(o); j.Status != job.StatusFailed {
			t.Fatalf("a job outside the filter was moved to %s", j.Status)
		}
	}
	ev := b.lastEvent(anyKey(per), "requeued")
	if ev.Actor != admin1 {
		t.Fatalf("batch events carry actor %q, want %q", ev.Actor, admin1)
	}
}

// anyKey is one key of m.
func anyKey(m map[string]int) string {
	for k := range m {
		return k
	}
	return ""
}

func TestBatchCancel(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true, Admin: admin.Config{Concurrency: 2}})
	const n, email = 1500, "cancel@example.com"
	b.failedJobs(n, email)
	_, id, err := b.Admin.Batch(b.ctx, retryAll(email), admin1)
	if err != nil {
		t.Fatal(err)
	}
	b.waitBatch(b.Admin, id, time.Minute, func(s *admin.BatchStatus) bool { return s.Done >= 50 })
	st, err := b.Admin.CancelBatch(b.ctx, id)
	if err != nil || st.State != "cancelled" || st.FinishedAt == nil {
		t.Fatalf("cancel: %+v %v", st, err)
	}
	b.Admin.Stop() // waits for the jobs in hand
	st, _ = b.Admin.GetBatch(b.ctx, id)
	if st.Done >= n {
		t.Fatalf("the cancelled batch ran to the end: %d", st.Done)
	}
	if got := len(b.requeuedPerJob(email)); int64(got) != st.Done {
		t.Fatalf("%d jobs requeued, the batch counts %d", got, st.Done)
	}
	_, err = b.Admin.CancelBatch(b.ctx, id)
	if e := wantErr(t, err, job.EConflict, ""); e.Message == "" {
		t.Fatal("no message")
	}

	// A restart does not bring a cancelled batch back.
	adm2 := b.NewAdmin(admin.Config{ResumeEvery: 20 * time.Millisecond})
	adm2.Start(b.ctx)
	time.Sleep(150 * time.Millisecond)
	adm2.Stop()
	if again, _ := adm2.GetBatch(b.ctx, id); again.Done != st.Done || again.State != "cancelled" {
		t.Fatalf("after a restart: %s, %d done (was %d)", again.State, again.Done, st.Done)
	}
	if _, err := adm2.GetBatch(b.ctx, "not-a-batch"); job.ErrorCode(err) != job.ENotFound {
		t.Fatalf("unknown batch: %v", err)
	}
	if _, err := adm2.GetBatch(b.ctx, newID()); job.ErrorCode(err) != job.ENotFound {
		t.Fatalf("unknown batch: %v", err)
	}
}

func TestBatchOfIDsAnswersPerJob(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	failed := b.failedJobs(3, "sync@example.com")
	unpaid := b.Checkout("unpaid@example.com").JobID
	missing := newID()
	ids := append(append([]string{}, failed...), unpaid, missing, strings.ToUpper(failed[0]))
	res, batchID, err := b.Admin.Batch(b.ctx, admin.BatchRequest{Action: "retry", JobIDs: ids,
		Params: json.RawMessage(`{"reason":"selected by hand"}`)}, admin1)
	if err != nil || batchID != "" {
		t.Fatalf("%q %v", batchID, err)
	}
	if len(res.Results) != 5 || res.OK != 3 || res.Failed != 2 {
		t.Fatalf("results %+v (the repeated id counts once)", res)
	}
	byID := map[string]admin.ItemResult{}
	for _, r := range res.Results {
		byID[r.JobID] = r
	}
	for _, id := range failed {
		if r := byID[id]; r.Result != "ok" || r.Error != nil || b.Get(id).Status != job.StatusPending || b.Count(id, "requeued") != 1 {
			t.Fatalf("%s: %+v, job %s", id, r, b.Get(id).Status)
		}
		if ev := b.lastEvent(id, "requeued"); ev.Actor != admin1 || !strings.Contains(ev.Message, "selected by hand") {
			t.Fatalf("event %+v", ev)
		}
	}
	if r := byID[unpaid]; r.Result != "error" || r.Error.Code != job.EConflict || !strings.Contains(r.Error.Message, "not paid") {
		t.Fatalf("unpaid: %+v", r)
	}
	if r := byID[missing]; r.Result != "error" || r.Error.Code != job.ENotFound {
		t.Fatalf("missing: %+v", r)
	}

	// A refund batch: each job its own refund, all of what is left.
	paid, pi := b.Paid("refundme@example.com")
	res, _, err = b.Admin.Batch(b.ctx, admin.BatchRequest{Action: "refund", JobIDs: []string{paid},
		Params: json.RawMessage(`{"reason":"batch refund"}`)}, admin1)
	if err != nil || res.OK != 1 || b.stripeTotal(pi) != 50 || b.Get(paid).PaymentStatus != job.PaymentRefunded {
		t.Fatalf("refund batch: %+v %v, Stripe %d", res, err, b.stripeTotal(pi))
	}
}

func TestBatchBadInputNamesTheFieldAndChangesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	ids := b.failedJobs(2, "bad@example.com")
	many := make([]string, admin.MaxBatchIDs+1)
	for i := range many {
		many[i] = newID()
	}
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	cases := []struct {
		name  string
		rq    admin.BatchRequest
		param string
	}{
		{"unknown action", admin.BatchRequest{Action: "delete", JobIDs: ids}, "action"},
		{"no action", admin.BatchRequest{JobIDs: ids}, "action"},
		{"neither ids nor filter", admin.BatchRequest{Action: "retry"}, "job_ids"},
		{"both", admin.BatchRequest{Action: "retry", JobIDs: ids, Filter: map[string]string{"status": "failed"}}, "job_ids"},
		{"too many ids", admin.BatchRequest{Action: "retry", JobIDs: many}, "job_ids"},
		{"not an id", admin.BatchRequest{Action: "retry", JobIDs: []string{ids[0], "42"}}, "job_ids"},
		{"empty filter, destructive", admin.BatchRequest{Action: "retry", Filter: map[string]string{}}, "confirm_all"},
		{"empty filter, refund", admin.BatchRequest{Action: "refund", Filter: map[string]string{}, Params: raw(`{"reason":"r"}`)}, "confirm_all"},
		{"unknown filter key", admin.BatchRequest{Action: "reconcile", Filter: map[string]string{"colour": "red"}}, "filter.colour"},
		{"bad filter value", admin.BatchRequest{Action: "retry", Filter: map[string]string{"status": "done"}}, "filter.status"},
		{"refund without reason", admin.BatchRequest{Action: "refund", JobIDs: ids}, "params.reason"},
		{"unknown status", admin.BatchRequest{Action: "set_status", JobIDs: ids, Params: raw(`{"status":"done","reason":"r"}`)}, "params.status"},
		{"status without reason", admin.BatchRequest{Action: "set_status", JobIDs: ids, Params: raw(`{"status":"failed"}`)}, "params.reason"},
		{"unknown param", admin.BatchRequest{Action: "retry", JobIDs: ids, Params: raw(`{"forse":true}`)}, "params"},
		{"amount is not a batch param", admin.BatchRequest{Action: "refund", JobIDs: ids, Params: raw(`{"reason":"r","amount":5}`)}, "params"},
	}
	for _, c := range cases {
		_, _, err := b.Admin.Batch(b.ctx, c.rq, admin1)
		var e *job.Error
		if !errorAs(err, &e) || e.Code != job.EInvalid || e.Param != c.param || e.Message == "" {
			t.Errorf("%s: got %v, want invalid naming %s", c.name, err, c.param)
		}
	}
	for _, id := range ids {
		if j := b.Get(id); j.Status != job.StatusFailed || len(b.Events(id)) != 1 {
			t.Fatalf("bad batches moved job %s to %s", id, j.Status)
		}
	}
	var batches int
	if err := b.SQL.Get(&batches, `SELECT COUNT(*) FROM wp_smi_batches`); err != nil || batches != 0 {
		t.Fatalf("%d batches recorded (%v)", batches, err)
	}

	// An empty filter is fine for reconcile, and for anything with confirm_all.
	if _, id, err := b.Admin.Batch(b.ctx, admin.BatchRequest{Action: "reconcile", Filter: map[string]string{}}, admin1); err != nil || id == "" {
		t.Fatalf("reconcile over everything: %q %v", id, err)
	}
	_, id, err := b.Admin.Batch(b.ctx, admin.BatchRequest{Action: "retry", Filter: map[string]string{}, ConfirmAll: true,
		Params: raw(`{"reason":"all of them"}`)}, admin1)
	if err != nil || id == "" {
		t.Fatalf("retry over everything with confirm_all: %q %v", id, err)
	}
	st := b.waitBatch(b.Admin, id, 30*time.Second, func(s *admin.BatchStatus) bool { return s.State != "running" })
	if st.Done != 2 {
		t.Fatalf("confirmed batch: %+v", st.Batch)
	}
	b.Admin.Stop()
}
