#!/usr/bin/env bash
# Installs what building, testing and the demo need, and only what is
# missing: Debian packages with apt-get, test servers with go install.
set -euo pipefail
export PATH="$PATH:/usr/sbin:$(go env GOPATH)/bin"
need=()
command -v mariadbd >/dev/null 2>&1 || need+=(mariadb-server mariadb-client)
command -v php >/dev/null 2>&1 || need+=(php-cli)
# The module list is read once: `php -m | grep -q` under pipefail fails
# whenever grep exits before php has written everything (SIGPIPE).
mods=$(php -m 2>/dev/null || true)
grep -qix 'mysqli' <<<"$mods" || need+=(php-mysql)
grep -qix 'curl' <<<"$mods" || need+=(php-curl)
grep -qix 'xml' <<<"$mods" || need+=(php-xml)
grep -qix 'mbstring' <<<"$mods" || need+=(php-mbstring)
# The Jobs screen formats money with NumberFormatter (ext-intl).
grep -qix 'intl' <<<"$mods" || need+=(php-intl)
[ -f /usr/share/wordpress/wp-settings.php ] || need+=(wordpress)
# A theme (a Recommends of wordpress, skipped by --no-install-recommends):
# without one every public page is empty and the buy button cannot show.
[ -d /usr/share/wordpress/wp-content/themes/twentytwentythree ] || need+=(wordpress-theme-twentytwentythree)
command -v phpunit >/dev/null 2>&1 || need+=(phpunit)
# xgettext, msgfmt: the plugin test cross-checks its .pot with them.
command -v xgettext >/dev/null 2>&1 || need+=(gettext)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "deps: installing ${need[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
gobin="$(go env GOPATH)/bin"
[ -x "$gobin/stripe-mock" ] || { echo "deps: go install stripe-mock"; go install github.com/stripe/stripe-mock@v0.203.0; }
[ -x "$gobin/mailpit" ] || { echo "deps: go install mailpit"; go install github.com/axllent/mailpit@v1.33.1; }
# SeaweedFS for the S3 storage tests (`make test` sets SMI_DEPS_SEAWEEDFS=1): built once, several minutes.
[ "${SMI_DEPS_SEAWEEDFS:-}" != 1 ] || bash "$(dirname "$0")/seaweedfs.sh" build >/dev/null
exit 0
