package admin_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/admin"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/pipeline"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
)

func tokenOf(t *testing.T, url string) string {
	t.Helper()
	m := linkRE.FindStringSubmatch(url)
	if m == nil {
		t.Fatalf("%q is not a download link", url)
	}
	return m[1]
}

func TestRegenerateTokenStopsTheOldLink(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	id, _, old := b.completedJob("token@example.com")
	if err := b.canDownload(old); err != nil {
		t.Fatal(err)
	}

	res, err := b.Admin.RegenerateToken(b.ctx, id, admin1, admin.TokenParams{ExpiresIn: "48h"})
	if err != nil {
		t.Fatal(err)
	}
	fresh := tokenOf(t, res.DownloadURL)
	if fresh == old || !strings.HasPrefix(res.DownloadURL, b.Site.URL+"/smi-download/") {
		t.Fatalf("new link %q", res.DownloadURL)
	}
	if want := b.Clock.Now().Add(48 * time.Hour); !res.ExpiresAt.Equal(want) || !b.Get(id).DownloadExpiresAt.Equal(want) {
		t.Fatalf("expires at %v (job %v), want %v", res.ExpiresAt, b.Get(id).DownloadExpiresAt, want)
	}
	if err := b.canDownload(old); err == nil {
		t.Fatal("the old link still works after regeneration")
	}
	if err := b.canDownload(fresh); err != nil {
		t.Fatalf("the new link does not work: %v", err)
	}
	if ev := b.lastEvent(id, "token_regenerated"); ev.Actor != admin1 || ev.Message == "" {
		t.Fatalf("event %+v", ev)
	}
	if b.MailsTo("token@example.com") != 1 {
		t.Fatal("regenerating without send_email sent an email")
	}

	// With send_email the customer gets the new link.
	res, err = b.Admin.RegenerateToken(b.ctx, id, admin1, admin.TokenParams{SendEmail: true})
	if err != nil || !res.EmailSent {
		t.Fatalf("%+v %v", res, err)
	}
	if mailed := b.tokenMailed("token@example.com", 2); mailed != tokenOf(t, res.DownloadURL) {
		t.Fatal("the email carries another link than the answer")
	}
	if b.canDownload(fresh) == nil {
		t.Fatal("the previous link still works")
	}

	// Bad expiry: refused, and the current link keeps working.
	current := tokenOf(t, res.DownloadURL)
	for _, in := range []string{"forever", "30s", "9000h", "-1h"} {
		_, err := b.Admin.RegenerateToken(b.ctx, id, admin1, admin.TokenParams{ExpiresIn: in})
		wantErr(t, err, job.EInvalid, "expires_in")
	}
	if err := b.canDownload(current); err != nil {
		t.Fatalf("a refused regeneration broke the link: %v", err)
	}
}

func TestRegenerateTokenRefusals(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})

	pending, _ := b.Paid("pending@example.com")
	_, err := b.Admin.RegenerateToken(b.ctx, pending, admin1, admin.TokenParams{})
	if e := wantErr(t, err, job.EConflict, ""); !strings.Contains(e.Message, "pending") {
		t.Fatalf("refusal for a pending job should say why: %q", e.Message)
	}

	// The file is gone from disk.
	id, _, tok := b.completedJob("gone@example.com")
	if err := b.Files.Delete(*b.Get(id).UpscaledFilePath); err != nil {
		t.Fatal(err)
	}
	_, err = b.Admin.RegenerateToken(b.ctx, id, admin1, admin.TokenParams{})
	if e := wantErr(t, err, job.EConflict, ""); !strings.Contains(e.Message, "retry") {
		t.Fatalf("refusal %q should point at a retry", e.Message)
	}
	if got := b.Get(id).DownloadTokenDigest; got == nil || *got != pipeline.Digest(tok) {
		t.Fatal("a refused regeneration replaced the token")
	}

	_, err = b.Admin.RegenerateToken(b.ctx, newID(), admin1, admin.TokenParams{})
	wantErr(t, err, job.ENotFound, "")
}

func TestResendEmailNeedsALiveToken(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	id, _, old := b.completedJob("resend@example.com")
	expires := *b.Get(id).DownloadExpiresAt
	pending, _ := b.Paid("nolink@example.com") // before the clock moves: the Fake's sessions live in real time

	res, err := b.Admin.ResendEmail(b.ctx, id, admin1)
	if err != nil || !res.EmailSent || !res.ExpiresAt.Equal(expires) {
		t.Fatalf("resend: %+v %v (expiry must stay %v)", res, err, expires)
	}
	mailed := b.tokenMailed("resend@example.com", 2)
	if mailed != old {
		t.Fatal("the resent email carries a new link: the one in the customer's first email must stay the link")
	}
	if err := b.canDownload(old); err != nil {
		t.Fatalf("the first link stopped working after a resend: %v", err)
	}
	if ev := b.lastEvent(id, "email_resent"); ev.Actor != admin1 {
		t.Fatalf("event %+v", ev)
	}

	// Past its expiry the link cannot be resent; the answer says what to do.
	b.Clock.Advance(25 * time.Hour)
	_, err = b.Admin.ResendEmail(b.ctx, id, admin1)
	if e := wantErr(t, err, job.EConflict, ""); !strings.Contains(e.Message, "regenerate") {
		t.Fatalf("refusal %q should tell to regenerate", e.Message)
	}
	if n := b.MailsTo("resend@example.com"); n != 2 {
		t.Fatalf("%d messages after a refused resend, want 2", n)
	}
	if _, err := b.Admin.RegenerateToken(b.ctx, id, admin1, admin.TokenParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Admin.ResendEmail(b.ctx, id, admin1); err != nil {
		t.Fatalf("resend after regenerating: %v", err)
	}
	if err := b.canDownload(b.tokenMailed("resend@example.com", 3)); err != nil {
		t.Fatal(err)
	}

	// A job with no download at all.
	_, err = b.Admin.ResendEmail(b.ctx, pending, admin1)
	wantErr(t, err, job.EConflict, "")
}

func TestEmailActionsOnAJobWithoutEmailKeepTheLink(t *testing.T) {
	t.Parallel()
	b := setup(t, pipelinetest.Options{FakeStripe: true})
	id, _ := b.Paid("") // the buyer gave Stripe no address either
	b.Process(id)
	b.Clock.Advance(b.Config.PollInterval + time.Second)
	if _, err := b.Svc.Poll(b.ctx); err != nil {
		t.Fatal(err)
	}
	if j := b.Get(id); j.Status != job.StatusCompleted || j.Email != "" {
		t.Fatalf("job %s, email %q", j.Status, j.Email)
	}
	res, err := b.Admin.RegenerateToken(b.ctx, id, admin1, admin.TokenParams{})
	if err != nil {
		t.Fatal(err)
	}
	link := tokenOf(t, res.DownloadURL) // shown to the admin, who passes it on

	_, err = b.Admin.ResendEmail(b.ctx, id, admin1)
	if e := wantErr(t, err, job.EConflict, ""); !strings.Contains(e.Message, "no email address") {
		t.Fatalf("refusal %q", e.Message)
	}
	_, err = b.Admin.RegenerateToken(b.ctx, id, admin1, admin.TokenParams{SendEmail: true})
	wantErr(t, err, job.EConflict, "")
	if err := b.canDownload(link); err != nil {
		t.Fatalf("a refused email action broke the link the customer has: %v", err)
	}
}
