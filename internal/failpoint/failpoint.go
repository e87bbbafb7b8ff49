// Package failpoint kills the process at named points of the pipeline, for
// the fault suite: SMID_FAILPOINTS=after_claim=3 makes the third
// Hit("after_claim") send SIGKILL to this process, a real kill -9 with no
// deferred cleanup, no flushed buffers and no closed connections.
//
// The variable is read once, when the program starts. Its value is a comma
// separated list of name=N (die at the Nth hit, counting from 1) or
// name=pX (die at each hit with probability X, 0 < X <= 1, drawn from a
// generator seeded with SMID_FAILPOINT_SEED, or 1 when that is unset).
// Unset, every Hit is one load of a nil map: production pays nothing.
// A malformed value stops the program at start, naming the bad entry.
package failpoint

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// point is one armed failpoint.
type point struct {
	nth  int64   // die at this hit; 0 when prob is used
	prob float64 // die with this probability per hit
	hits int64
}

// armed is written once, before main runs, and read-only afterwards except
// under mu; nil when SMID_FAILPOINTS is unset.
var (
	armed map[string]*point
	mu    sync.Mutex
	rng   *rand.Rand
)

func init() {
	spec := os.Getenv("SMID_FAILPOINTS")
	if spec == "" {
		return
	}
	seed, _ := strconv.ParseUint(os.Getenv("SMID_FAILPOINT_SEED"), 10, 64)
	pts, err := parse(spec)
	if err != nil {
		fmt.Fprintln(os.Stderr, "SMID_FAILPOINTS:", err)
		os.Exit(2)
	}
	armed, rng = pts, rand.New(rand.NewPCG(seed, 1)) //nolint:gosec // G404: fault injection wants a repeatable seed, not secrecy
}

// parse reads "name=N,name=pX".
func parse(spec string) (map[string]*point, error) {
	pts := map[string]*point{}
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, val, ok := strings.Cut(item, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("%q: want name=N or name=pX", item)
		}
		p := &point{}
		if rest, isProb := strings.CutPrefix(val, "p"); isProb {
			f, err := strconv.ParseFloat(rest, 64)
			if err != nil || f <= 0 || f > 1 {
				return nil, fmt.Errorf("%q: probability must be in (0, 1]", item)
			}
			p.prob = f
		} else {
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("%q: hit number must be 1 or more", item)
			}
			p.nth = n
		}
		pts[name] = p
	}
	return pts, nil
}

// Hit kills the process when the failpoint called name is armed and due.
func Hit(name string) {
	if armed == nil {
		return
	}
	p := armed[name]
	if p == nil {
		return
	}
	mu.Lock()
	p.hits++
	die := (p.nth > 0 && p.hits == p.nth) || (p.prob > 0 && rng.Float64() < p.prob)
	mu.Unlock()
	if die {
		kill(name)
	}
}

// kill sends SIGKILL to this process and waits for it to land.
func kill(name string) {
	fmt.Fprintf(os.Stderr, "failpoint %s: kill -9\n", name)
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}

// Reader returns r, or, when the failpoint called name is armed, r wrapped
// so that Hit(name) runs after the first bytes were read: the kill lands
// in the middle of a copy, with part of the data written.
func Reader(name string, r io.ReadCloser) io.ReadCloser {
	if armed == nil || armed[name] == nil {
		return r
	}
	return &hitReader{ReadCloser: r, name: name}
}

type hitReader struct {
	io.ReadCloser
	name  string
	calls int
}

// Read hits the failpoint on its second call, once the caller has had the
// first chunk to write.
func (h *hitReader) Read(b []byte) (int, error) {
	h.calls++
	if h.calls == 2 {
		Hit(h.name)
	}
	return h.ReadCloser.Read(b)
}
