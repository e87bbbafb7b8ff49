#!/usr/bin/env bash
# Runs a command beside a private MariaDB under DIR and stops that server
# when the command ends, however it ends (exit, failure, Ctrl-C, SIGTERM),
# unless it was already running before: a server somebody else started is
# left as it was.
#   scripts/with-mariadb.sh DIR command [args...]
# The command sees SMI_DB_SOCKET and SMI_TEST_DSN.
set -euo pipefail
dir=${1:?usage: with-mariadb.sh DIR command [args...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
sock="$(cd "$dir" && pwd)/mysqld.sock"
started=""
if ! mariadb-admin --socket="$sock" -uroot ping >/dev/null 2>&1; then started=1; fi
stop() { [ -z "$started" ] || bash "$here/mariadb.sh" stop "$dir"; }
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
sock=$(bash "$here/mariadb.sh" start "$dir")
export SMI_DB_SOCKET="$sock" SMI_TEST_DSN="root@unix($sock)/"
# Not exec: the trap must outlive the command. In the foreground, so
# Ctrl-C reaches the command's whole process group as usual.
set +e
"$@"
exit $?
