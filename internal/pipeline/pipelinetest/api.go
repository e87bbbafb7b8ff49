package pipelinetest

import (
	"cmp"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/sellmyimages/smid/internal/httpapi"
)

// ServeAPI serves the daemon's HTTP API over db and svc on a loopback port
// until the test ends; cfg.Listen is filled in, and a nil log is Quiet.
func ServeAPI(t testing.TB, cfg httpapi.Config, db httpapi.Reader, svc httpapi.Services, log *slog.Logger) *httptest.Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	cfg.Listen = ts.Listener.Addr().String()
	ts.Config.Handler = httpapi.New(cfg, db, svc, cmp.Or(log, Quiet())).Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return ts
}

// Serve serves the HTTP API on the Env's database and services; cfg.Now
// defaults to the Env's clock and cfg.Version to "test".
func (e *Env) Serve(cfg httpapi.Config, svc httpapi.Services) *httptest.Server {
	e.T.Helper()
	if cfg.Now == nil {
		cfg.Now = e.Clock.Now
	}
	if cfg.Version == "" {
		cfg.Version = "test"
	}
	return ServeAPI(e.T, cfg, e.DB, svc, nil)
}
