// Package preflight checks, one by one, that each part the configuration
// names really works: the database and its grants, the schema, Stripe, the
// webhook secret, SMTP, the upscaler, storage and the public site. It is
// what `smid check` prints. A check never prints a secret.
package preflight

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Check is one thing to verify. Run returns what it found (shown on an ok
// line) or why it failed.
type Check struct {
	Name string
	Run  func(ctx context.Context) (detail string, err error)
}

// Result is one check's outcome.
type Result struct {
	Name   string
	OK     bool
	Detail string
}

// Run runs checks in order, each bounded by timeout, and writes one line
// per check to out as it finishes. It returns the results.
func Run(ctx context.Context, out io.Writer, timeout time.Duration, checks []Check) []Result {
	width := 0
	for _, c := range checks {
		width = max(width, len(c.Name))
	}
	res := make([]Result, 0, len(checks))
	for _, c := range checks {
		cctx, cancel := context.WithTimeout(ctx, timeout)
		detail, err := c.Run(cctx)
		cancel()
		r := Result{Name: c.Name, OK: err == nil, Detail: detail}
		mark := "ok  "
		if err != nil {
			r.Detail, mark = oneLine(err.Error()), "FAIL"
		}
		fmt.Fprintf(out, "%s  %-*s  %s\n", mark, width, c.Name, r.Detail)
		res = append(res, r)
	}
	return res
}

// Failed counts the failed results.
func Failed(res []Result) int {
	n := 0
	for _, r := range res {
		if !r.OK {
			n++
		}
	}
	return n
}

// Fail is a check that reports a fixed failure: a part that is not
// configured, or could not even be built.
func Fail(name string, err error) Check {
	return Check{Name: name, Run: func(context.Context) (string, error) { return "", err }}
}

func oneLine(s string) string {
	out := []rune{}
	for _, r := range s {
		if r == '\n' || r == '\r' {
			r = ' '
		}
		out = append(out, r)
	}
	return string(out)
}
