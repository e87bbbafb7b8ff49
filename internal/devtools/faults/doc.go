// Package faults is the fault suite: it runs the real smid binary beside a
// real MariaDB, stripe-mock, Mailpit and the Upsampler fake
// (internal/upscale/upscaletest), breaks things from outside (kill -9 at
// the pipeline's failpoints, a database that goes away, duplicate
// callbacks, several replicas on one database) and checks the promises a
// customer and a shop owner notice: no paid job lost, no refund doubled or
// above the charge, every emailed link downloads its file.
//
// It reads nothing of the daemon's internals: jobs through the HTTP API,
// mail through Mailpit, Stripe calls and Upsampler calls through recording
// proxies in front of stripe-mock and the fake. SMI_TEST_DSN names the
// MariaDB server, SMI_SMID_BIN the smid binary (built with `make build`).
// SMI_FAULTS_FULL=1 (`make faults`) runs 20 kills per step instead of 5.
//
//	SMI_TEST_DSN="root@unix($PWD/.var/test-db/mysqld.sock)/" SMI_SMID_BIN=$PWD/bin/smid \
//	  go test -count=1 -v ./internal/devtools/faults/
package faults
