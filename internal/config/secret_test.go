package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// secretValues sets every secret to a value the tests then look for.
var secretValues = map[string]string{
	"SMI_API_SECRET":            "api-secret-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
	"SMI_STRIPE_SECRET_KEY":     "sk_test_STRIPEKEY123",
	"SMI_STRIPE_WEBHOOK_SECRET": "whsec_WEBHOOK123",
	"SMI_UPSAMPLER_API_KEY":     "ups-KEY-9876543",
	"SMI_MAIL_PASSWORD":         "mail-PASS-2468",
}

func allSecrets(extra ...string) []string {
	env := []string{"SMI_DATABASE_DSN=" + testDSN, "SMI_MAIL_USERNAME=mailer"}
	for k, v := range secretValues {
		env = append(env, k+"="+v)
	}
	return append(env, extra...)
}

func assertNoSecret(t *testing.T, what, text string) {
	t.Helper()
	for k, v := range secretValues {
		if strings.Contains(text, v) {
			t.Errorf("%s shows %s:\n%s", what, k, text)
		}
	}
	if strings.Contains(text, testPassword) {
		t.Errorf("%s shows the database password:\n%s", what, text)
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	t.Parallel()
	broken := [][]string{
		{"SMI_API_SECRET=short"},
		{"SMI_STRIPE_SECRET_KEY=pk_live_PUBLISHABLE123"},
		{"SMI_STRIPE_WEBHOOK_SECRET=sk_test_STRIPEKEY123"}, // a secret pasted into the wrong key
		{"SMI_MAIL_USERNAME="},
		{"SMI_MAIL_USERNAME=", "SMI_MAIL_FROM=mail-PASS-2468"}, // a secret where a plain value goes
		{"SMI_DATABASE_DSN=smi:" + testPassword + "@tcp(db:3306/x"},
		{"SMI_DATABASE_DSN=smi:" + testPassword + "@tcp(db)/x?parseTime=" + testPassword},
		{"SMI_DATABASE_DSN=smi:" + testPassword + "@tcp(db)/"},
		{"SMI_LOG_LEVEL=" + testPassword},
	}
	for _, extra := range broken {
		_, err := Load("", allSecrets(extra...))
		if err == nil {
			t.Errorf("%q: no error", extra)
			continue
		}
		assertNoSecret(t, "error", err.Error())
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	c := mustLoad(t, "", allSecrets())

	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "config", c)
	assertNoSecret(t, "LogValue", buf.String())
	for _, want := range []string{`"secret":"[redacted]"`, `"smtp_port":1025`, `"cost_per_credit":"0.04"`, `smi:[redacted]@tcp(db.internal:3306)/wordpress`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("LogValue lacks %s:\n%s", want, buf.String())
		}
	}

	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q"} {
		assertNoSecret(t, verb, fmt.Sprintf(verb, *c))
		assertNoSecret(t, verb+" of a pointer", fmt.Sprintf(verb, c))
	}
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, "JSON", string(js))

	if c.Stripe.SecretKey.Reveal() != secretValues["SMI_STRIPE_SECRET_KEY"] || string(c.Mail.Password) != secretValues["SMI_MAIL_PASSWORD"] {
		t.Error("Reveal lost the secret")
	}
	if Secret("").String() != "" {
		t.Error("an empty secret should print empty")
	}
}
