package deploy

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sellmyimages/smid/internal/metrics"
	"github.com/sellmyimages/smid/internal/store/storetest"
	"go.yaml.in/yaml/v3"
)

// exposition is what a daemon's /metrics shows once it has served a
// request and scheduled its cron tasks, on a real database.
func exposition(t *testing.T) string {
	t.Helper()
	db := storetest.New(t)
	reg := metrics.New(db.Pool(), db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	reg.Requests.WithLabelValues("POST /v1/webhooks/stripe", "200").Inc()
	reg.Latency.WithLabelValues("POST /v1/webhooks/stripe").Observe(0.01)
	reg.CronScheduled("poll", 30*time.Second, time.Now())
	rec := httptest.NewRecorder()
	reg.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

var metricRE = regexp.MustCompile(`\b(?:smid|go|process)_[a-z0-9_]+\b`)

// usedMetrics are the metric names an expression reads.
func usedMetrics(expr string) []string { return metricRE.FindAllString(expr, -1) }

func checkExported(t *testing.T, where string, exprs []string, exported string) {
	t.Helper()
	if len(exprs) == 0 {
		t.Fatalf("%s: no expressions found", where)
	}
	for _, e := range exprs {
		for _, name := range usedMetrics(e) {
			if !regexp.MustCompile(`(?m)^` + name + `[{ ]`).MatchString(exported) {
				t.Errorf("%s uses %s, which the daemon does not export", where, name)
			}
		}
	}
}

// Every alert and every dashboard panel reads metrics the daemon really
// exports: a renamed metric breaks this test, not a 3 a.m. page.
func TestRulesAndDashboardUseExportedMetrics(t *testing.T) {
	t.Parallel()
	exported := exposition(t)

	raw, err := os.ReadFile("prometheus-rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert, Expr string
				Labels      map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(raw, &rules); err != nil {
		t.Fatalf("prometheus-rules.yaml: %v", err)
	}
	var exprs []string
	alerts := map[string]bool{}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			exprs, alerts[r.Alert] = append(exprs, r.Expr), true
			if r.Labels["severity"] == "" {
				t.Errorf("%s has no severity", r.Alert)
			}
		}
	}
	for _, a := range []string{"SmidStuckJobs", "SmidRefundsFailing", "SmidWebhooksFailing", "SmidCronSilent"} {
		if !alerts[a] {
			t.Errorf("no %s alert", a)
		}
	}
	checkExported(t, "prometheus-rules.yaml", exprs, exported)

	raw, err = os.ReadFile("grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		UID    string
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("grafana-dashboard.json: %v", err)
	}
	exprs = nil
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	checkExported(t, "grafana-dashboard.json", exprs, exported)
	// And the check can fail.
	if !strings.Contains(exported, "smid_jobs{") || regexp.MustCompile(`(?m)^smid_no_such_metric[{ ]`).MatchString(exported) {
		t.Fatal("exposition is not what the check assumes")
	}
}
