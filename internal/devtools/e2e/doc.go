// Package e2e runs the whole product on one machine: a WordPress site built
// from Debian's package with the plugin active, smid reading the site's
// wp-config.php, stripe-mock and Mailpit. `make demo` (cmd/smi-demo) and the
// browser test in this package share it.
//
// Every part runs as its own process on loopback, in its own process group,
// and Stack.Stop stops them in reverse order. Nothing here is a fake: the
// only stand-ins are stripe-mock for Stripe and the local upscaler for
// Upsampler.
//
// The browser test needs what `make test` installs and starts (SMI_TEST_DSN
// names its MariaDB; SMI_SMID_BIN the smid to run, else it builds one) and
// fails, never skips, without it. With SMI_SCREENSHOTS=1 it rewrites
// docs/screenshots/jobs-list.png and job-detail.png from the run:
//
//	SMI_SCREENSHOTS=1 SMI_TEST_DSN="root@unix($PWD/.var/test-db/mysqld.sock)/" go test -count=1 ./internal/devtools/e2e/
package e2e
