#!/usr/bin/env bash
# Starts (or reuses) a private MariaDB instance under a directory of its own:
# its own datadir and socket, no TCP, so it never touches a system database.
#   scripts/mariadb.sh start DIR   -> prints the socket path when the server answers
#   scripts/mariadb.sh stop DIR
set -euo pipefail
cmd=${1:?usage: mariadb.sh start|stop DIR}
dir=${2:?usage: mariadb.sh start|stop DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
sock="$dir/mysqld.sock"
case "$cmd" in
start)
  if mariadb-admin --socket="$sock" -uroot ping >/dev/null 2>&1; then echo "$sock"; exit 0; fi
  if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
    echo "mariadb.sh: MariaDB is not installed (apt-get install mariadb-server)" >&2; exit 1
  fi
  if [ ! -d "$dir/data/mysql" ]; then
    # --no-defaults: the host's /etc/mysql settings have no say in a private
    # server. The bootstrap has been seen to abort at random on a loaded
    # machine ("Unknown table 'mysql.tmp_proxies_priv'"); a second try on a
    # clean directory is made, and both logs are kept.
    for try in 1 2; do
      if mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$dir/data" \
        --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1; then
        break
      fi
      cp "$dir/install.log" "$dir/install-failed-$try.log"
      rm -rf "$dir/data"
      if [ "$try" = 2 ]; then cat "$dir/install.log" >&2; exit 1; fi
      echo "mariadb.sh: mariadb-install-db failed (log in $dir/install-failed-1.log); trying once more" >&2
    done
  fi
  PATH="$PATH:/usr/sbin" nohup mariadbd --no-defaults --user="$(id -un)" --datadir="$dir/data" \
    --socket="$sock" --skip-networking --pid-file="$dir/mysqld.pid" \
    --innodb-buffer-pool-size=1G --innodb-log-file-size=256M --innodb-flush-log-at-trx-commit=2 \
    --max-connections=500 --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --log-error="$dir/error.log" >/dev/null 2>&1 &
  for _ in $(seq 1 100); do
    if mariadb-admin --socket="$sock" -uroot ping >/dev/null 2>&1; then echo "$sock"; exit 0; fi
    sleep 0.2
  done
  echo "mariadb.sh: server did not start; see $dir/error.log" >&2; tail -20 "$dir/error.log" >&2; exit 1
  ;;
stop)
  pid=$(cat "$dir/mysqld.pid" 2>/dev/null || true)
  mariadb-admin --socket="$sock" -uroot shutdown >/dev/null 2>&1 || true
  # Wait until the process is gone, so "stopped" means stopped.
  if [ -n "$pid" ]; then
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  ;;
*) echo "usage: mariadb.sh start|stop DIR" >&2; exit 2 ;;
esac
