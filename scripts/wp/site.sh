#!/usr/bin/env bash
# Builds a self-contained WordPress site for tests from Debian's /usr/share/wordpress.
#
# usage: scripts/wp/site.sh <dir> <db-socket> <db-name> <port> <daemon-url> <daemon-secret> [admin-password]
#
# The database is created if missing (user from SMI_DB_USER, default root, password SMI_DB_PASSWORD).
# The admin user is "admin" with [admin-password] (default: $SMI_WP_ADMIN_PASSWORD or "admin-password").
# Serve it afterwards with scripts/wp/serve.sh <dir> <port>.
set -euo pipefail

if [ "$#" -lt 6 ]; then
	echo "usage: $0 <dir> <db-socket> <db-name> <port> <daemon-url> <daemon-secret> [admin-password]" >&2
	exit 2
fi
dir=$1 socket=$2 db=$3 port=$4 daemon_url=$5 daemon_secret=$6
password=${7:-${SMI_WP_ADMIN_PASSWORD:-admin-password}}
db_user=${SMI_DB_USER:-root}
db_password=${SMI_DB_PASSWORD:-}
here=$(cd "$(dirname "$0")" && pwd)
plugin=$(cd "$here/../../wpplugin" && pwd)
src=${SMI_WP_SOURCE:-/usr/share/wordpress}

case "$db" in *[!A-Za-z0-9_]*|'') echo "db name must be [A-Za-z0-9_]+" >&2; exit 2;; esac

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# Core files, without Debian's wp-config.php shim and its big languages folder.
for entry in "$src"/* "$src"/.htaccess; do
	name=$(basename "$entry")
	case "$name" in wp-config.php|wp-content|.htaccess) continue;; esac
	cp -a "$entry" "$dir/"
done
mkdir -p "$dir/wp-content/plugins" "$dir/wp-content/themes" "$dir/wp-content/uploads"
cp -a "$src/wp-content/themes/." "$dir/wp-content/themes/"
ln -sfn "$plugin" "$dir/wp-content/plugins/sell-my-images"

mysql_args=(--socket="$socket" --user="$db_user")
[ -n "$db_password" ] && mysql_args+=(--password="$db_password")
mariadb "${mysql_args[@]}" -e "CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"

php "$here/wp-admin-task.php" write-config "$dir" "$socket" "$db" "$db_user" "$db_password" "$port" "$daemon_url" "$daemon_secret"
php "$here/wp-admin-task.php" install "$dir" "$password"
php "$here/wp-admin-task.php" activate "$dir"
php "$here/wp-admin-task.php" flush "$dir"

cat > "$dir/router.php" <<'PHP'
<?php
// Router for `php -S`: existing files (and folders with an index) are served by the
// built-in server itself; every other path is a pretty permalink for WordPress.
$smi_path = urldecode( (string) parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH ) );
if ( '/' !== $smi_path && file_exists( __DIR__ . $smi_path ) && false === strpos( $smi_path, '..' ) ) {
	return false;
}
$_SERVER['SCRIPT_NAME']     = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = __DIR__ . '/index.php';
$_SERVER['PHP_SELF']        = '/index.php';
require __DIR__ . '/index.php';
PHP

echo "site ready: $dir (http://127.0.0.1:$port, admin / $password)"
