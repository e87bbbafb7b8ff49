package httpapi

import "net/http"

// Services are the domain services behind the write routes. Members may be
// nil while a feature is not wired.
type Services struct {
	Pipeline Pipeline
	Admin    Admin
	Mail     MailTester
	Site     SiteInfo
}

// routes is every route of the API, in one place.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /readyz", s.hostChecked(http.HandlerFunc(s.handleReadyz)))
	mux.HandleFunc("GET /metrics", s.hostChecked(s.metricsHandler()))

	mux.HandleFunc("GET /v1/system", s.authed(s.handleSystem))
	mux.HandleFunc("GET /v1/jobs", s.authed(s.handleListJobs))
	mux.HandleFunc("GET /v1/jobs/export.csv", s.authed(s.handleExport))
	mux.HandleFunc("GET /v1/jobs/{job_id}", s.authed(s.handleGetJob))
	mux.HandleFunc("GET /v1/jobs/{job_id}/public", s.authed(s.handlePublicJob))
	mux.HandleFunc("GET /v1/stats", s.authed(s.handleStats))
	mux.HandleFunc("GET /v1/reports", s.authed(s.handleReport))

	mux.HandleFunc("GET /v1/prices", s.authed(s.handlePrices))
	mux.HandleFunc("POST /v1/checkouts", s.authed(s.handleCheckout))
	mux.HandleFunc("POST /v1/webhooks/stripe", s.authed(s.handleStripeWebhook))
	mux.HandleFunc("POST /v1/webhooks/upsampler", s.authed(s.handleUpsamplerWebhook))
	mux.HandleFunc("POST /v1/hooks/payment-completed", s.authed(s.handlePaymentCompleted))
	mux.HandleFunc("GET /v1/downloads/{token}", s.authed(s.handleDownload))

	mux.HandleFunc("POST /v1/jobs/{job_id}/retry", s.authed(adminCall(s, Admin.Retry)))
	mux.HandleFunc("POST /v1/jobs/{job_id}/token", s.authed(adminCall(s, Admin.RegenerateToken)))
	mux.HandleFunc("POST /v1/jobs/{job_id}/refunds", s.authed(s.handleRefund))
	mux.HandleFunc("POST /v1/jobs/{job_id}/status", s.authed(adminCall(s, Admin.SetStatus)))
	mux.HandleFunc("POST /v1/jobs/{job_id}/email", s.authed(adminCall(s, resendEmail)))
	mux.HandleFunc("POST /v1/jobs/{job_id}/reconcile", s.authed(adminCall(s, noBody(Admin.Reconcile))))
	mux.HandleFunc("POST /v1/jobs/{job_id}/notes", s.authed(adminCall(s, Admin.AddNote)))
	mux.HandleFunc("POST /v1/jobs/batch", s.authed(s.handleBatch))
	mux.HandleFunc("GET /v1/batches/{batch_id}", s.authed(s.handleGetBatch))
	mux.HandleFunc("POST /v1/batches/{batch_id}/cancel", s.authed(s.handleCancelBatch))
	mux.HandleFunc("POST /v1/mail/test", s.authed(s.handleMailTest))

	mux.HandleFunc("/v1/", s.authed(s.handleNotFound))
	mux.HandleFunc("/", s.handleNotFound)
	return mux
}

func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, plainError("not_found", "no such route: "+r.Method+" "+r.URL.Path))
}
