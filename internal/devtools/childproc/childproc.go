// Package childproc ties servers that tests start (stripe-mock, Mailpit) to
// the test process: when the test binary dies without running its cleanups
// (a panic, a -timeout, kill -9), the kernel kills its children too, so no
// server outlives `make test`.
package childproc
