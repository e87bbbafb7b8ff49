#!/usr/bin/env bash
# Serves a site built by scripts/wp/site.sh with PHP's built-in server.
# usage: scripts/wp/serve.sh <dir> <port>
# Several workers, so a request the plugin forwards to the daemon cannot block the next one.
set -euo pipefail
if [ "$#" -ne 2 ]; then
	echo "usage: $0 <dir> <port>" >&2
	exit 2
fi
dir=$(cd "$1" && pwd)
export PHP_CLI_SERVER_WORKERS=${PHP_CLI_SERVER_WORKERS:-4}
exec php -S "127.0.0.1:$2" -t "$dir" "$dir/router.php"
