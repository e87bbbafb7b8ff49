package stripetest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sellmyimages/smid/internal/stripe/stripetest"
)

func TestEventJSONEnvelope(t *testing.T) {
	t.Parallel()
	var ev struct {
		ID, Object, Type string
		APIVersion       string `json:"api_version"`
		Created          int64
		Data             struct{ Object map[string]any }
	}
	if err := json.Unmarshal(stripetest.EventJSON("evt_1", "charge.refunded", map[string]any{"id": "ch_1"}), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.ID != "evt_1" || ev.Object != "event" || ev.Type != "charge.refunded" ||
		ev.APIVersion != stripetest.EventAPIVersion || ev.Created == 0 || ev.Data.Object["id"] != "ch_1" {
		t.Fatalf("event = %+v", ev)
	}
}

func TestStartMockProcessStopsTwice(t *testing.T) {
	t.Parallel()
	base, stop, err := stripetest.StartMockProcess()
	if err != nil {
		t.Fatal(err)
	}
	stop()
	stop()
	if _, err := http.Get(base + "/v1/balance"); err == nil {
		t.Fatal("stripe-mock still answers after stop")
	}
}

func TestFakeRefusesReusedKeyWithOtherParams(t *testing.T) {
	t.Parallel()
	f := stripetest.NewFake(t)
	f.SetPaymentIntent("pi_1", 1000, "usd", nil)
	post := func(amount string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, f.URL()+"/v1/refunds",
			strings.NewReader(url.Values{"payment_intent": {"pi_1"}, "amount": {amount}}.Encode()))
		req.Header.Set("Authorization", "Bearer sk_test_123")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Idempotency-Key", "k1")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := post("100"); code != http.StatusOK {
		t.Fatalf("first refund: %d %s", code, body)
	}
	if code, body := post("200"); code != http.StatusBadRequest || !strings.Contains(body, "idempotency_error") {
		t.Fatalf("reused key: %d %s", code, body)
	}
	if got := f.Refunds("pi_1"); len(got) != 1 || got[0].Amount != 100 {
		t.Fatalf("refunds = %+v", got)
	}
}
