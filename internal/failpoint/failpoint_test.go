package failpoint

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		spec    string
		want    map[string]point
		wantErr string
	}{
		{spec: "a=3", want: map[string]point{"a": {nth: 3}}},
		{spec: "a=1, b=p0.25,", want: map[string]point{"a": {nth: 1}, "b": {prob: 0.25}}},
		{spec: "a=p1", want: map[string]point{"a": {prob: 1}}},
		{spec: "a", wantErr: `"a"`},
		{spec: "=3", wantErr: `"=3"`},
		{spec: "a=0", wantErr: "1 or more"},
		{spec: "a=x", wantErr: "1 or more"},
		{spec: "a=p0", wantErr: "(0, 1]"},
		{spec: "a=p1.5", wantErr: "(0, 1]"},
	} {
		got, err := parse(tc.spec)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("parse(%q) error = %v, want one containing %q", tc.spec, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("parse(%q): %v", tc.spec, err)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("parse(%q) = %d points, want %d", tc.spec, len(got), len(tc.want))
		}
		for name, w := range tc.want {
			if g := got[name]; g == nil || g.nth != w.nth || g.prob != w.prob {
				t.Errorf("parse(%q)[%s] = %+v, want %+v", tc.spec, name, g, w)
			}
		}
	}
}

// TestHelperProcess is the child the tests below re-exec: it hits the
// failpoints its arguments name and prints each hit it survived.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("FAILPOINT_HELPER") != "1" {
		t.Skip("run by the other tests as a child process")
	}
	defer os.Stdout.WriteString("deferred cleanup ran\n")
	for _, name := range strings.Split(os.Getenv("FAILPOINT_HITS"), ",") {
		if name == "read" {
			r := Reader("mid_read", io.NopCloser(strings.NewReader(strings.Repeat("x", 10))))
			buf := make([]byte, 4)
			for {
				n, err := r.Read(buf)
				os.Stdout.WriteString("read " + string(buf[:n]) + "\n")
				if err != nil {
					break
				}
			}
			continue
		}
		Hit(name)
		os.Stdout.WriteString("survived " + name + "\n")
	}
}

// child runs the helper with the environment given and returns its output
// and how it ended.
func child(t *testing.T, env ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), append([]string{"FAILPOINT_HELPER=1"}, env...)...)
	out, err := cmd.Output()
	return string(out), err
}

func killedBy9(t *testing.T, err error) {
	t.Helper()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("child ended with %v, want death by signal", err)
	}
	ws := ee.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want SIGKILL", ee)
	}
}

func TestHitKillsAtTheNthHit(t *testing.T) {
	out, err := child(t, "SMID_FAILPOINTS=b=2,c=1", "FAILPOINT_HITS=a,b,a,b,c")
	killedBy9(t, err)
	if want := "survived a\nsurvived b\nsurvived a\n"; out != want {
		t.Fatalf("child printed %q, want %q (dead at the second b, no cleanup)", out, want)
	}
}

func TestUnsetNeverKills(t *testing.T) {
	out, err := child(t, "SMID_FAILPOINTS=", "FAILPOINT_HITS=a,a,a")
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	if !strings.Contains(out, "survived a\nsurvived a\nsurvived a\n") || !strings.Contains(out, "deferred cleanup ran") {
		t.Fatalf("child printed %q", out)
	}
}

func TestProbabilityOneKillsAtTheFirstHit(t *testing.T) {
	out, err := child(t, "SMID_FAILPOINTS=a=p1", "FAILPOINT_HITS=b,a,a")
	killedBy9(t, err)
	if out != "survived b\n" {
		t.Fatalf("child printed %q", out)
	}
}

func TestProbabilityIsSeeded(t *testing.T) {
	hits := strings.TrimSuffix(strings.Repeat("a,", 200), ",")
	count := func(seed string) int {
		out, _ := child(t, "SMID_FAILPOINTS=a=p0.05", "SMID_FAILPOINT_SEED="+seed, "FAILPOINT_HITS="+hits)
		return strings.Count(out, "survived a")
	}
	first, again := count("7"), count("7")
	if first != again {
		t.Fatalf("seed 7 survived %d hits, then %d: not reproducible", first, again)
	}
	if first == 200 {
		t.Fatalf("p=0.05 survived all 200 hits")
	}
}

func TestReaderDiesMidCopy(t *testing.T) {
	out, err := child(t, "SMID_FAILPOINTS=mid_read=1", "FAILPOINT_HITS=read")
	killedBy9(t, err)
	if out != "read xxxx\n" {
		t.Fatalf("child printed %q, want the first chunk and nothing after", out)
	}
}

func TestBadSpecStopsAtStart(t *testing.T) {
	_, err := child(t, "SMID_FAILPOINTS=a=0", "FAILPOINT_HITS=b")
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("child ended with %v, want exit status 2", err)
	}
}
