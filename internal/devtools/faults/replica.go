package faults

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/sellmyimages/smid/internal/devtools/proc"
)

// Replica is one `smid serve` on the stack's database, restarted as often
// as a test likes on the same port.
type Replica struct {
	s       *Stack
	name    string
	port    int
	logPath string
	client  *http.Client

	mu       sync.Mutex // guards the run's fields below
	proc     *proc.Process
	from     int64 // where the current run's log begins
	halting  bool  // Stop is ending the run: its SIGTERM is no crash
	launched time.Time
	kills    int
}

// current is the process of the current (or last) run.
func (r *Replica) current() *proc.Process {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.proc
}

// Kills is how many runs ended by SIGKILL.
func (r *Replica) Kills() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.kills
}

// AddReplica reserves a port and a log for a new replica; Start runs it.
func (s *Stack) AddReplica() *Replica {
	port, err := proc.FreePort()
	if err != nil {
		s.t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.replicas)
	r := &Replica{s: s, name: fmt.Sprintf("smid-%d", n), port: port,
		logPath: filepath.Join(s.dir, fmt.Sprintf("smid-%d.log", n)), client: &http.Client{Timeout: 30 * time.Second}}
	s.replicas = append(s.replicas, r)
	return r
}

// Start runs `smid serve` with failpoints armed (SMID_FAILPOINTS syntax; ""
// for none) and waits until it answers /healthz. It reports false when
// the process died before answering (a failpoint can fire that early).
// It may be called from any goroutine: it fails the test with Errorf.
func (r *Replica) Start(failpoints string, seed int64) bool {
	if r.Running() {
		r.s.t.Errorf("%s is already running", r.name)
		return true
	}
	env := r.s.env("SMI_API_LISTEN=127.0.0.1:" + itoa(r.port))
	if failpoints != "" {
		env = append(env, "SMID_FAILPOINTS="+failpoints, fmt.Sprintf("SMID_FAILPOINT_SEED=%d", seed))
	}
	var from int64
	if fi, err := os.Stat(r.logPath); err == nil {
		from = fi.Size()
	}
	p, err := proc.Start(r.name, r.logPath, env, r.s.bin, "serve", "--config", r.s.ConfigPath)
	if err != nil {
		r.s.t.Error(err)
		return false
	}
	r.mu.Lock()
	r.proc, r.from, r.halting, r.launched = p, from, false, time.Now()
	r.mu.Unlock()
	err = proc.WaitHTTP(context.Background(), p, r.URL()+"/healthz", 30*time.Second)
	if err != nil && !p.Exited() {
		r.s.t.Errorf("%s did not start: %v", r.name, err)
		p.Kill()
	}
	if p.Exited() {
		r.noteExit()
		return false
	}
	return true
}

// noteExit counts a SIGKILL, and fails the test for any other end: a
// replica that exits on its own is a crash the suite did not ask for.
func (r *Replica) noteExit() {
	r.mu.Lock()
	p, halting := r.proc, r.halting
	if p.KilledBySignal() {
		r.kills++
	}
	r.mu.Unlock()
	if p.KilledBySignal() || halting {
		return
	}
	r.s.t.Errorf("%s exited on its own (%v); its log:\n%s", r.name, p.Err(), p.Tail(3000))
}

// WaitDeath waits up to within for the process to end; it reports whether
// it did (and was killed).
func (r *Replica) WaitDeath(within time.Duration) bool {
	select {
	case <-r.current().Done():
		r.noteExit()
		return true
	case <-time.After(within):
		return false
	}
}

// Kill sends SIGKILL from outside.
func (r *Replica) Kill() {
	if p := r.current(); p != nil && !p.Exited() {
		p.Kill()
		r.noteExit()
	}
}

// Stop ends the replica gracefully (SIGTERM), if it runs.
func (r *Replica) Stop() {
	if p := r.current(); p != nil && !p.Exited() {
		r.mu.Lock()
		r.halting = true
		r.mu.Unlock()
		p.Stop(10 * time.Second)
	}
}

// Running reports whether the process runs.
func (r *Replica) Running() bool {
	p := r.current()
	return p != nil && !p.Exited()
}

// URL is the replica's API base.
func (r *Replica) URL() string { return "http://127.0.0.1:" + itoa(r.port) }

// Log is the replica's whole log (every run appends to it).
func (r *Replica) Log() string { return proc.TailFile(r.logPath, 1<<30) }

func (r *Replica) do(method, path, ctype string, body []byte, hdr map[string]string) (*http.Response, error) {
	req, err := http.NewRequest(method, r.URL()+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+r.s.Secret)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return r.client.Do(req)
}

func (r *Replica) post(path, ctype string, body []byte, hdr map[string]string) (*http.Response, error) {
	return r.do(http.MethodPost, path, ctype, body, hdr)
}

// get fetches path and returns the status and body.
func (r *Replica) get(path string) (int, []byte, error) {
	resp, err := r.do(http.MethodGet, path, "", nil, nil)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// RunLog is the log of the current (or last) run.
func (r *Replica) RunLog() string {
	r.mu.Lock()
	from := r.from
	r.mu.Unlock()
	b, err := os.ReadFile(r.logPath)
	if err != nil || int64(len(b)) < from {
		return ""
	}
	return string(b[from:])
}

var servingRE = regexp.MustCompile(`time=(\S+) level=INFO msg="smid serving"`)

// ServingAt is when the current run logged that it serves (its cron has
// just started then), or launch time if the line cannot be found.
func (r *Replica) ServingAt() time.Time {
	if m := servingRE.FindStringSubmatch(r.RunLog()); m != nil {
		if t, err := time.Parse(time.RFC3339Nano, m[1]); err == nil {
			return t
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.launched
}
