package faults

import (
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/upscale/upscaletest"
)

// TestConcurrentFinishers delivers each Upsampler callback three times at
// once while the poller runs every second, and serves each result slowly
// (two seconds to the first byte, two more to the last), so several
// finishers work on one job at the same time. A customer must get one
// email per job whose link downloads the file.
func TestConcurrentFinishers(t *testing.T) {
	t.Parallel()
	s := NewStack(t, Options{Upsampler: upscaletest.Options{ProcessingTime: time.Second},
		ResultDelay: 2 * time.Second, CallbackCopies: 3,
		// Far above the 4 s a download takes: an upscale that is done must
		// not be timed out while its finishers fetch it.
		UpscaleTimeout: time.Minute})
	r := s.AddReplica()
	if !r.Start("", 0) {
		t.Fatal("smid did not start")
	}
	orders := s.PlaceOrders(0, 8, 1)
	s.Settle(orders, 2*time.Minute)
	out := s.Audit(orders)
	t.Logf("matrix | concurrent finishers (3 callbacks + poller, 4 s downloads) | 0 kills | %s", out)
	for _, p := range out.Problems {
		t.Log(p)
	}
	requireClean(t, out)
	if out.Completed != 8 || out.FailedRefunded != 1 {
		t.Errorf("%d completed and %d failed+refunded, want 8 and 1", out.Completed, out.FailedRefunded)
	}
	if extra := out.DeliveryEmails - out.Completed; extra != 0 || out.EmailsPerJob[1] != out.Completed {
		t.Errorf("%d delivery emails for %d completed jobs (per job %s), want exactly one each",
			out.DeliveryEmails, out.Completed, histogram(out.EmailsPerJob))
	}
	if n := out.SubmissionsPerJob[1]; n != len(orders) {
		t.Errorf("submissions per job %s, want one each", histogram(out.SubmissionsPerJob))
	}
}
