package main

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/mail/mailtest"
	"github.com/sellmyimages/smid/internal/store/storetest"
)

func TestMailTestCommand(t *testing.T) {
	t.Parallel()
	dsn := storetest.EmptyDB(t)
	storetest.WPOptions(t, dsn, "wp_", map[string]string{"blogname": "Harbour Photos", "admin_email": "owner@harbour.example",
		"timezone_string": "Europe/Lisbon", "date_format": "d/m/Y", "time_format": "H:i", "home": "https://www.harbour.example"})
	srv := mailtest.Start(t)
	environ := env(dsn, "SMI_MAIL_SMTP_HOST="+srv.SMTPHost(), "SMI_MAIL_SMTP_PORT="+strconv.Itoa(srv.SMTPPort()),
		"SMI_MAIL_PASSWORD=never-printed-pass", "SMI_MAIL_USERNAME=u")
	ctx := context.Background()

	var out bytes.Buffer
	if err := run(ctx, []string{"mail", "test"}, &out, environ); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "test email sent to owner@harbour.example") || strings.Contains(out.String(), "never-printed-pass") {
		t.Errorf("output %q", out.String())
	}
	got := srv.WaitFor(t, func(s mailtest.Summary) bool { return len(s.To) == 1 && s.To[0].Address == "owner@harbour.example" }, 5*time.Second)
	if got.Subject != "Test email from Harbour Photos" || got.From == nil || got.From.Address != "wordpress@harbour.example" {
		t.Errorf("subject %q, From %+v", got.Subject, got.From)
	}
	if !strings.Contains(got.Text, " WET") && !strings.Contains(got.Text, " WEST") {
		t.Errorf("sent time not in Lisbon's zone:\n%s", got.Text)
	}

	out.Reset()
	if err := run(ctx, []string{"mail", "test", "--to", "ops@example.com"}, &out, environ); err != nil {
		t.Fatal(err)
	}
	srv.WaitFor(t, func(s mailtest.Summary) bool { return len(s.To) == 1 && s.To[0].Address == "ops@example.com" }, 5*time.Second)

	for _, args := range [][]string{{"mail"}, {"mail", "send"}, {"mail", "test", "extra"}} {
		if err := run(ctx, args, &out, environ); err == nil {
			t.Errorf("smid %s succeeded, want a usage error", strings.Join(args, " "))
		}
	}
	srv.Stop()
	err := run(ctx, []string{"mail", "test"}, &out, environ)
	if err == nil || strings.Contains(err.Error(), "never-printed-pass") {
		t.Errorf("with SMTP down: %v, want an error without the password", err)
	}
}

func TestServeRefusesBrokenTemplates(t *testing.T) {
	t.Parallel()
	dsn := storetest.EmptyDB(t)
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/delivery.html", []byte("<p>{{.DownloadURL</p>"), 0o644); err != nil {
		t.Fatal(err)
	}
	environ := env(dsn, "SMI_MAIL_TEMPLATES_DIR="+dir)
	if err := run(context.Background(), []string{"migrate"}, &bytes.Buffer{}, environ); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"serve"}, &bytes.Buffer{}, append(environ, "SMI_API_LISTEN=127.0.0.1:0"))
	if err == nil || !strings.Contains(err.Error(), dir+"/delivery.html") {
		t.Fatalf("serve with a broken template = %v, want an error naming the file", err)
	}
}
