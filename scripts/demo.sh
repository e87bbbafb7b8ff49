#!/usr/bin/env bash
# `make demo`: the whole product on this machine, in the foreground until
# Ctrl-C. A private MariaDB (.var/demo-db), a WordPress site with the plugin
# (.var/demo-wp, http://127.0.0.1:${SMI_DEMO_PORT:-8080}), smid reading the
# site's wp-config.php, stripe-mock and Mailpit; then one purchase walked
# through every status. The work is in internal/devtools/e2e (shared with the
# browser test); see cmd/smi-demo.
#
# env: SMI_DEMO_PORT  WordPress port (default 8080)
#      SMI_DEMO_JOBS  jobs seeded into an empty table (default 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:$(go env GOPATH)/bin"
[ -x bin/smid ] || go build -o bin/smid ./daemon
go build -o bin/smi-demo ./internal/devtools/e2e/cmd/smi-demo
exec bin/smi-demo --root . --var .var --smid bin/smid \
	--port "${SMI_DEMO_PORT:-8080}" --jobs "${SMI_DEMO_JOBS:-5000}"
