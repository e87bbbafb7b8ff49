package httpapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/httpapi"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/mail"
	"github.com/sellmyimages/smid/internal/mail/mailtest"
	"github.com/sellmyimages/smid/internal/pipeline/pipelinetest"
	"github.com/sellmyimages/smid/internal/site"
	"github.com/sellmyimages/smid/internal/store"
	"github.com/sellmyimages/smid/internal/store/storetest"
)

// newYorkShop is a fresh database holding a New York shop's WordPress
// options, and the site read from them.
func newYorkShop(t *testing.T) (*store.DB, *site.Site) {
	t.Helper()
	dsn := storetest.EmptyDB(t)
	db := storetest.Open(t, dsn, storetest.Options{}, true)
	storetest.WPOptions(t, dsn, "wp_", map[string]string{
		"blogname": "Night Owl Prints", "admin_email": "owner@shop.example", "timezone_string": "America/New_York",
		"gmt_offset": "", "date_format": "F j, Y", "time_format": "g:i a", "home": "https://shop.example",
	})
	return db, site.New(site.Config{Log: pipelinetest.Quiet()}, db)
}

func serveWith(t *testing.T, db *store.DB, svc httpapi.Services, edit ...func(*httpapi.Config)) *bundle {
	t.Helper()
	cfg := httpapi.Config{Secret: secret, Version: "test",
		Now: func() time.Time { return time.Date(2026, 12, 5, 4, 30, 0, 0, time.UTC) }}
	for _, e := range edit {
		e(&cfg)
	}
	ts := pipelinetest.ServeAPI(t, cfg, db, svc, nil)
	return &bundle{t: t, db: db, srv: ts}
}

func TestExportInTheSiteZone(t *testing.T) {
	t.Parallel()
	db, shop := newYorkShop(t)
	// A sale at 23:30 on 4 December in New York: 04:30 UTC on the 5th.
	sale := &job.Job{JobID: "cccccccc-2222-4333-8444-555555555555", ImageURL: "https://example.com/x.jpg", Resolution: "4x",
		Email: "owl@example.com", PostID: 1, Status: job.StatusPending, PaymentStatus: job.PaymentPaid, Currency: "usd",
		AmountCharged: ptr(job.Money(1999)), CreatedAt: time.Date(2026, 12, 5, 4, 30, 0, 0, time.UTC),
		PaidAt: ptr(time.Date(2026, 12, 5, 4, 31, 15, 0, time.UTC))}
	if err := db.Insert(context.Background(), sale, store.EventInput{Type: "created", Message: "x"}); err != nil {
		t.Fatal(err)
	}
	b := serveWith(t, db, httpapi.Services{Site: shop})

	resp, body := b.do("GET", "/v1/jobs/export.csv?header=labels&bom=1", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if !bytes.HasPrefix(body, []byte("\xef\xbb\xbfJob ID (job_id),Created (created_at),Status (status)")) {
		t.Fatalf("want a BOM and labelled headers with their keys, got %.120q", body)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("%v, %d records", err, len(recs))
	}
	row := recs[1]
	if row[1] != "2026-12-04T23:30:00-05:00" || row[15] != "2026-12-04T23:31:15-05:00" || row[17] != "" {
		t.Errorf("times created %q, paid %q, completed %q: want New York time with its offset, NULL empty", row[1], row[15], row[17])
	}
	if row[11] != "19.99" || row[10] != "usd" {
		t.Errorf("money %q %q: want the exact decimal and the currency", row[11], row[10])
	}
	if recs[0][15] != "Paid (paid_at)" || recs[0][26] != "Last error (last_error)" {
		t.Errorf("headers %q", recs[0])
	}

	// Scripts get bare keys and no BOM by default.
	_, body = b.do("GET", "/v1/jobs/export.csv", nil)
	if !bytes.HasPrefix(body, []byte("job_id,created_at,status,")) {
		t.Errorf("default export starts %.60q", body)
	}
	for _, q := range []string{"header=fancy", "bom=yes"} {
		if resp, body := b.do("GET", "/v1/jobs/export.csv?"+q, nil); resp.StatusCode != 400 {
			t.Errorf("%s: %d %s, want 400", q, resp.StatusCode, body)
		}
	}
}

func TestMailTestRoute(t *testing.T) {
	t.Parallel()
	db, shop := newYorkShop(t)
	srv := mailtest.Start(t)
	const password = "smtp-pass-never-shown"
	m, err := mail.New(mail.Config{Host: srv.SMTPHost(), Port: srv.SMTPPort(), TLS: "none", Username: "u", Password: password, Site: shop})
	if err != nil {
		t.Fatal(err)
	}
	b := serveWith(t, db, httpapi.Services{Mail: m, Site: shop})
	post := func(body string) (int, map[string]any) {
		resp, data := b.do("POST", "/v1/mail/test", strings.NewReader(body), "Content-Type", "application/json")
		var out map[string]any
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatalf("%v in %s", err, data)
		}
		if strings.Contains(string(data), password) {
			t.Errorf("answer shows the SMTP password: %s", data)
		}
		return resp.StatusCode, out
	}

	if code, out := post(`{}`); code != 200 || out["to"] != "owner@shop.example" || out["sent"] != true {
		t.Fatalf("POST {} = %d %v", code, out)
	}
	got := srv.WaitFor(t, func(s mailtest.Summary) bool { return len(s.To) == 1 && s.To[0].Address == "owner@shop.example" }, 5*time.Second)
	if got.Subject != "Test email from Night Owl Prints" || !strings.Contains(got.Text, "December 4, 2026 11:30 pm EST") {
		t.Errorf("test email %q:\n%s", got.Subject, got.Text)
	}
	if got.From == nil || got.From.Address != "wordpress@shop.example" || got.From.Name != "Night Owl Prints" {
		t.Errorf("From = %+v", got.From)
	}
	if code, out := post(`{"to":"Ops <ops@example.com>"}`); code != 200 || out["to"] != "ops@example.com" {
		t.Fatalf("POST to ops = %d %v", code, out)
	}
	srv.WaitFor(t, func(s mailtest.Summary) bool { return len(s.To) == 1 && s.To[0].Address == "ops@example.com" }, 5*time.Second)

	if code, out := post(`{"to":"nobody"}`); code != 400 || out["error"].(map[string]any)["param"] != "to" {
		t.Errorf("bad address = %d %v", code, out)
	}
	if code, _ := post(`{"cc":"x@example.com"}`); code != 400 {
		t.Errorf("unknown field = %d, want 400", code)
	}
	srv.Stop()
	if code, out := post(`{}`); code != 502 || !strings.Contains(out["error"].(map[string]any)["message"].(string), "not sent") {
		t.Errorf("SMTP down = %d %v, want 502 saying it was not sent", code, out)
	}

	// Without the secret: 401; without a mailer: 503.
	req := httptest.NewRequest("POST", b.srv.URL+"/v1/mail/test", strings.NewReader(`{}`))
	req.RequestURI = ""
	if resp, err := b.srv.Client().Do(req); err != nil || resp.StatusCode != 401 {
		t.Errorf("no secret: %v %v", resp.StatusCode, err)
	}
	if resp, _ := serveWith(t, db, httpapi.Services{}).do("POST", "/v1/mail/test", strings.NewReader(`{}`), "Content-Type", "application/json"); resp.StatusCode != 503 {
		t.Errorf("no mailer: %d, want 503", resp.StatusCode)
	}
}

func TestManualRefundNotifiesTheCustomerWhenAsked(t *testing.T) {
	t.Parallel()
	s := newAdminStack(t)
	told, _ := s.Paid("told@example.com")
	silent, _ := s.Paid("silent@example.com")

	reason := "The print you ordered is out of stock; sorry!"
	code, body := s.post("/v1/jobs/"+told+"/refunds", map[string]any{"amount": 20, "reason": reason, "notify_customer": true},
		"Idempotency-Key", "k-told")
	if code != 200 {
		t.Fatalf("refund with notify_customer: %d %v", code, body)
	}
	got := s.Mail.WaitFor(t, func(m mailtest.Summary) bool { return len(m.To) == 1 && m.To[0].Address == "told@example.com" }, 5*time.Second)
	if got.Subject != "Your refund has been issued" || !strings.Contains(got.Text, "refunded $0.20") || !strings.Contains(got.Text, "Reason: "+reason) {
		t.Errorf("manual refund email %q:\n%s", got.Subject, got.Text)
	}

	if code, body := s.post("/v1/jobs/"+silent+"/refunds", map[string]any{"reason": "duplicate order"}, "Idempotency-Key", "k-silent"); code != 200 {
		t.Fatalf("refund without notify_customer: %d %v", code, body)
	}
	if code, _ := s.post("/v1/jobs/"+silent+"/refunds", `{"reason":"x","notify_customer":"yes"}`, "Idempotency-Key", "k-bad"); code != 400 {
		t.Errorf("notify_customer as a string = %d, want 400", code)
	}
	// The told customer's mail came; give the silent one as long, and none may come.
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for _, m := range s.Mail.Messages(t) {
			if len(m.To) == 1 && m.To[0].Address == "silent@example.com" {
				t.Fatalf("a refund without notify_customer emailed the customer: %q", m.Subject)
			}
		}
	}
}
