package upscaletest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Reply is one scripted answer. ScriptSubmit and ScriptStatus queue them;
// each request takes the next one, and once the queue is empty the fake
// behaves normally again.
type Reply struct {
	// Delay holds the answer back, in real time, to trip client timeouts.
	Delay time.Duration
	// Status is the HTTP status to send; 0 means: after Delay, answer as
	// the fake normally would.
	Status int
	// Body is sent as application/json.
	Body string
	// RetryAfter, if set, is sent as the Retry-After header.
	RetryAfter string
	// Accept makes the fake take the job as usual (it runs, and its
	// webhook fires) and then answer Status instead of the job, or, with
	// Status 0, withhold the answer until the client gives up: the
	// submission whose outcome the client cannot know.
	Accept bool
}

// AcceptedNoReply takes the job and never answers: the client times out.
func AcceptedNoReply() Reply { return Reply{Accept: true} }

// AcceptedThenError takes the job and answers a 5xx as if it had not.
func AcceptedThenError() Reply {
	return Reply{Accept: true, Status: http.StatusBadGateway, Body: `{"error":"Bad gateway"}`}
}

// ScriptSubmit queues answers for the next POST /precise-upscale requests.
func (s *Server) ScriptSubmit(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.submitScript = append(s.submitScript, replies...)
}

// ScriptStatus queues answers for the next GET /status requests.
func (s *Server) ScriptStatus(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statusScript = append(s.statusScript, replies...)
}

func pop(q *[]Reply) (Reply, bool) {
	if len(*q) == 0 {
		return Reply{}, false
	}
	r := (*q)[0]
	*q = (*q)[1:]
	return r, true
}

// RateLimited is a 429 asking the client to wait retryAfter.
func RateLimited(retryAfter time.Duration) Reply {
	return Reply{
		Status:     http.StatusTooManyRequests,
		Body:       `{"error":"Rate limit exceeded"}`,
		RetryAfter: strconv.Itoa(int(retryAfter / time.Second)),
	}
}

// ServerError is a bare 500.
func ServerError() Reply {
	return Reply{Status: http.StatusInternalServerError, Body: `{"error":"Internal server error"}`}
}

// Unauthorized is the 401 a revoked key would get.
func Unauthorized() Reply {
	return Reply{Status: http.StatusUnauthorized, Body: `{"error":"Invalid API key"}`}
}

// InsufficientCredits is a 402 with the message shape seen in clients.
func InsufficientCredits() Reply {
	return Reply{Status: http.StatusPaymentRequired, Body: `{"error":"Insufficient credits. Please top up your account."}`}
}

// ErrorObject is a non-2xx answer whose error is an object, not a string.
func ErrorObject(status int, msg string) Reply {
	return Reply{Status: status, Body: fmt.Sprintf(`{"error":{"code":%d,"message":%q}}`, status, msg)}
}

// FailedOnSubmit is a 200 that nonetheless carries status FAILED.
func FailedOnSubmit(msg string) Reply {
	return Reply{Status: http.StatusOK, Body: fmt.Sprintf(`{"id":"","status":"FAILED","creditCost":0,"error":%q}`, msg)}
}

// Slow answers normally, after d.
func Slow(d time.Duration) Reply { return Reply{Delay: d} }

// play sends r, after its delay. It reports false when the fake should go
// on to answer as usual.
func (s *Server) play(w http.ResponseWriter, req *http.Request, r Reply) bool {
	if r.Delay > 0 {
		t := time.NewTimer(r.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-req.Context().Done():
			return true
		case <-s.stop:
			return true
		}
	}
	if r.Status == 0 {
		return false
	}
	if r.RetryAfter != "" {
		w.Header().Set("Retry-After", r.RetryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(r.Status)
	fmt.Fprint(w, r.Body)
	return true
}
