package admin_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sellmyimages/smid/internal/admin"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
)

// The plugin checks a reason or a note against the limit /v1/system
// publishes with mb_strlen, in characters. The daemon must count the same
// way: a reason of 1,000 "é" (2,000 bytes), which the plugin's
// test_limits_are_the_daemons sends, is accepted here too, and one
// character more is refused by every action that takes a reason, before
// anything changes.
func TestTextLimitsCountCharactersNotBytes(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{})
	atLimit := strings.Repeat("é", job.MaxReasonLen)
	over := atLimit + "é"

	id, _ := b.Paid("limits@example.com")
	if _, err := b.Admin.Refund(b.ctx, id, admin1, admin.RefundParams{Amount: amount(10), Reason: over}, "k-over"); err != nil {
		wantErr(t, err, job.EInvalid, "reason")
	} else {
		t.Fatal("a refund with a reason one character over the limit was taken")
	}
	if _, err := b.Admin.Refund(b.ctx, id, admin1, admin.RefundParams{Amount: amount(10), Reason: atLimit}, "k-at"); err != nil {
		t.Fatalf("a refund with a reason of exactly %d characters (%d bytes) was refused: %v", job.MaxReasonLen, len(atLimit), err)
	}
	if ev := b.lastEvent(id, "refunded"); !strings.Contains(ev.Message, atLimit) {
		t.Fatalf("the refund's event does not carry the whole reason: %q", ev.Message)
	}

	failed := b.Insert(&job.Job{Status: job.StatusFailed, PaymentStatus: job.PaymentPaid, AmountCharged: ptr(job.Money(50))})
	_, err := b.Admin.Retry(b.ctx, failed.JobID, admin1, admin.RetryParams{Reason: over})
	wantErr(t, err, job.EInvalid, "reason")
	_, err = b.Admin.SetStatus(b.ctx, failed.JobID, admin1, admin.StatusParams{Status: string(job.StatusCompleted), Reason: over})
	wantErr(t, err, job.EInvalid, "reason")
	if after := b.Get(failed.JobID); after.Status != job.StatusFailed || len(b.Events(failed.JobID)) != 1 {
		t.Fatalf("refused reasons moved the job to %s or left events", after.Status)
	}
	if _, err := b.Admin.Retry(b.ctx, failed.JobID, admin1, admin.RetryParams{Reason: atLimit}); err != nil {
		t.Fatalf("a retry with a reason of exactly %d characters was refused: %v", job.MaxReasonLen, err)
	}

	note := strings.Repeat("ü", job.MaxNoteLen)
	_, err = b.Admin.AddNote(b.ctx, id, admin1, admin.NoteParams{Note: note + "ü"})
	wantErr(t, err, job.EInvalid, "note")
	if _, err := b.Admin.AddNote(b.ctx, id, admin1, admin.NoteParams{Note: note}); err != nil {
		t.Fatalf("a note of exactly %d characters (%d bytes) was refused: %v", job.MaxNoteLen, len(note), err)
	}

	for _, action := range []string{"retry", "refund", "set_status"} {
		params, _ := json.Marshal(map[string]string{"reason": over, "status": string(job.StatusFailed)})
		if action != "set_status" {
			params, _ = json.Marshal(map[string]string{"reason": over})
		}
		_, batchID, err := b.Admin.Batch(b.ctx, admin.BatchRequest{Action: action, JobIDs: []string{failed.JobID}, Params: params}, admin1)
		if batchID != "" {
			t.Fatalf("%s: a batch with too long a reason was started (%s)", action, batchID)
		}
		wantErr(t, err, job.EInvalid, "params.reason")
	}
}
