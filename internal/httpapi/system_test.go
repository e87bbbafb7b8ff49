package httpapi_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/sellmyimages/smid/internal/httpapi"
	"github.com/sellmyimages/smid/internal/job"
	"github.com/sellmyimages/smid/internal/store/storetest"
)

// TestSystemPublishesListsLimitsAndDefaults: the plugin keeps no copies of
// the daemon's lists and limits, and its Settings screen shows the notify.*
// defaults for switches it never saved; all of it comes from /v1/system.
func TestSystemPublishesListsLimitsAndDefaults(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, storetest.EmptyDB(t), storetest.Options{}, true)
	b := serveWith(t, db, httpapi.Services{}, func(c *httpapi.Config) {
		c.MailConfigured = true
		c.NotifyDefaults = map[string]bool{"sale": false, "failed": true, "dispute": true, "stuck": false}
	})
	resp, body := b.do("GET", "/v1/system", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	var sys struct {
		MailConfigured bool            `json:"mail_configured"`
		NotifyDefaults map[string]bool `json:"notify_defaults"`
		Lists          struct {
			Statuses []string `json:"statuses"`
		} `json:"lists"`
		Limits map[string]int `json:"limits"`
	}
	if err := json.Unmarshal(body, &sys); err != nil {
		t.Fatal(err)
	}
	if !sys.MailConfigured || len(sys.NotifyDefaults) != 4 || sys.NotifyDefaults["sale"] || !sys.NotifyDefaults["failed"] || sys.NotifyDefaults["stuck"] {
		t.Errorf("mail_configured %v, notify_defaults %v", sys.MailConfigured, sys.NotifyDefaults)
	}
	if !slices.Contains(sys.Lists.Statuses, string(job.StatusCompleted)) || sys.Limits["reason_max"] != job.MaxReasonLen {
		t.Errorf("lists %v, limits %v", sys.Lists.Statuses, sys.Limits)
	}
}
