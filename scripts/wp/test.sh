#!/usr/bin/env bash
# Builds a fresh WordPress test site and runs the plugin's PHPUnit tests against it.
#
# usage: scripts/wp/test.sh [phpunit args...]
#
# env: SMI_DB_SOCKET  socket of a running MariaDB (root without password, or SMI_DB_USER/SMI_DB_PASSWORD);
#                     without it a private mariadbd is started in a temp dir and stopped at the end.
#      SMI_KEEP_SITE=1 keeps the temp site for inspection.
# The exit code is phpunit's.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d /tmp/smi-wp-test.XXXXXX)
db="smi_test_$$"
pids=()

free_port() { php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo substr(strrchr(stream_socket_get_name($s, false), ":"), 1);'; }

cleanup() {
	local pid child
	for pid in "${pids[@]}"; do
		# php -S with PHP_CLI_SERVER_WORKERS forks workers that outlive their parent: stop them first.
		for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do kill "$child" 2>/dev/null || true; done
		kill "$pid" 2>/dev/null || true
	done
	if [ -n "${socket:-}" ] && [ -S "$socket" ]; then
		mariadb --socket="$socket" --user="${SMI_DB_USER:-root}" ${SMI_DB_PASSWORD:+--password="$SMI_DB_PASSWORD"} -e "DROP DATABASE IF EXISTS \`$db\`" 2>/dev/null || true
	fi
	if [ -n "${own_db_pid:-}" ]; then
		kill "$own_db_pid" 2>/dev/null || true
		wait "$own_db_pid" 2>/dev/null || true
	fi
	if [ "${SMI_KEEP_SITE:-}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

socket=${SMI_DB_SOCKET:-}
if [ -z "$socket" ]; then
	socket="$work/db.sock"
	mariadb-install-db --user="$(id -un)" --datadir="$work/db" --auth-root-authentication-method=normal >"$work/db-install.log" 2>&1
	mariadbd --user="$(id -un)" --datadir="$work/db" --socket="$socket" --port=0 --skip-networking=1 >"$work/db.log" 2>&1 &
	own_db_pid=$!
	for _ in $(seq 1 100); do [ -S "$socket" ] && break; sleep 0.1; done
	[ -S "$socket" ] || { echo "mariadbd did not start, see $work/db.log" >&2; exit 1; }
fi

fake_port=$(free_port)
SMI_FAKE_SECRET=test-secret php -S "127.0.0.1:$fake_port" "$root/wpplugin/tests/fake-daemon.php" >"$work/fake-daemon.log" 2>&1 &
pids+=($!)

site_port=$(free_port)
"$here/site.sh" "$work/site" "$socket" "$db" "$site_port" "http://127.0.0.1:$fake_port" test-secret >/dev/null
"$here/serve.sh" "$work/site" "$site_port" >"$work/site.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do php -r "exit(@fsockopen('127.0.0.1', $site_port) ? 0 : 1);" && break; sleep 0.1; done

set +e
SMI_WP_DIR="$work/site" SMI_WP_URL="http://127.0.0.1:$site_port" SMI_FAKE_DAEMON_URL="http://127.0.0.1:$fake_port" \
	phpunit -c "$root/wpplugin/phpunit.xml.dist" "$@"
status=$?
set -e
exit $status
