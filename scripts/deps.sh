#!/usr/bin/env bash
# Installs what building, testing and the demo need, and only what is
# missing: a Go toolchain as new as go.mod asks for, Debian/Ubuntu packages
# with apt-get, test servers with go install. Works on Debian 12 and Ubuntu
# 24.04 (as root, or with sudo).
#
# Go: when `go` is missing or older than go.mod's `go` line, the distribution's
# golang-go (Debian 12 ships 1.19, Ubuntu 24.04 1.22) is installed only to
# bootstrap: it downloads the module golang.org/toolchain at the wanted
# version from the Go module proxy (the very module GOTOOLCHAIN=auto would
# fetch; Go 1.19 cannot switch by itself) into $SMID_GO_ROOT, default
# /usr/local/lib/smid/go<version> (as root) or ~/.local/lib/smid/go<version>.
# The Makefile puts that directory first on PATH; as root, /usr/local/bin/go
# is linked to it too when no other go is there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { $sudo apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# version_ge A B: A >= B, both like 1.26.8.
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]; }

want=$(awk '$1 == "go" { print $2; exit }' "$root/go.mod")
goroot=${SMID_GO_ROOT:-}
if [ -z "$goroot" ]; then
  if [ "$(id -u)" -eq 0 ]; then goroot="/usr/local/lib/smid/go$want"; else goroot="$HOME/.local/lib/smid/go$want"; fi
fi
export PATH="$goroot/bin:$PATH:/usr/sbin"

have=$(go env GOVERSION 2>/dev/null | sed 's/^go//; s/[^0-9.].*//' || true)
if [ -z "$have" ] || ! version_ge "$have" "$want"; then
  echo "deps: Go ${have:-none} found, go.mod needs $want: installing it into $goroot"
  if ! command -v go >/dev/null 2>&1; then
    echo "deps: installing the distribution's golang-go to bootstrap"
    apt_install golang-go ca-certificates
  fi
  case "$(uname -m)" in
    x86_64) arch=amd64 ;; aarch64 | arm64) arch=arm64 ;;
    *) echo "deps: no Go toolchain for $(uname -m)" >&2; exit 1 ;;
  esac
  tmp=$(mktemp -d)
  trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
  printf 'module bootstrap\n' >"$tmp/go.mod"
  # GOTOOLCHAIN=local keeps a bootstrap Go >= 1.21 from switching by
  # itself; -modcacherw lets the scratch cache be removed afterwards.
  json=$(cd "$tmp" && GOTOOLCHAIN=local GOFLAGS=-modcacherw GOMODCACHE="$tmp/mod" GOPATH="$tmp/gopath" \
    go mod download -json "golang.org/toolchain@v0.0.1-go$want.linux-$arch" 2>&1) || true
  dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$json")
  if [ -z "$dir" ] || [ ! -f "$dir/bin/go" ]; then
    echo "deps: could not download Go $want through the Go module proxy:" >&2
    echo "$json" >&2
    exit 1
  fi
  $sudo mkdir -p "$(dirname "$goroot")"
  $sudo rm -rf "$goroot.tmp"
  $sudo cp -r "$dir" "$goroot.tmp"
  # Module zips carry no file modes: make the tools executable again, as
  # the go command does when it switches toolchains.
  $sudo chmod -R u+w,a+rX "$goroot.tmp"
  $sudo chmod a+x "$goroot.tmp"/bin/* "$goroot.tmp"/pkg/tool/*/*
  $sudo rm -rf "$goroot"
  $sudo mv "$goroot.tmp" "$goroot"
  hash -r
  got=$(go env GOVERSION)
  [ "$got" = "go$want" ] || { echo "deps: installed Go reports $got, wanted go$want" >&2; exit 1; }
  if [ "$(id -u)" -eq 0 ] && { [ ! -e /usr/local/bin/go ] || [ -L /usr/local/bin/go ]; }; then
    ln -sfn "$goroot/bin/go" /usr/local/bin/go
    ln -sfn "$goroot/bin/gofmt" /usr/local/bin/gofmt
  fi
  echo "deps: $got in $goroot"
fi

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
# PHP_CodeSniffer for make lint-php (wpplugin/phpcs.xml.dist uses only its
# bundled sniffs).
command -v phpcs >/dev/null 2>&1 || need+=(php-codesniffer)
command -v git >/dev/null 2>&1 || need+=(git)
# make test runs `go test -race`, which needs cgo: a C compiler and the C
# library's headers (a fresh Debian chroot has neither, and go then says
# "-race requires cgo").
command -v gcc >/dev/null 2>&1 || need+=(gcc)
[ -f /usr/include/stdlib.h ] || need+=(libc6-dev)
# deploy/'s tests verify the systemd unit; the package only adds the tools
# where systemd is not the init (a container), it starts nothing.
command -v systemd-analyze >/dev/null 2>&1 || [ -x /usr/bin/systemd-analyze ] || need+=(systemd)
# The browser for the end-to-end suite. Debian packages Chromium as
# `chromium`. Ubuntu ships it only as a snap (its `chromium-browser` deb is
# a wrapper that installs the snap), so there it is `snap install chromium`,
# which needs a running snapd: a normal Ubuntu host has one, a container
# does not; there, point SMI_CHROMIUM at any Chromium or Chrome binary.
os_id=$(. /etc/os-release 2>/dev/null && echo "${ID:-}")
browser_ok() { [ -n "${SMI_CHROMIUM:-}" ] || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || [ -x /snap/bin/chromium ]; }
snap_chromium=""
if ! browser_ok; then
  if [ "$os_id" = ubuntu ]; then snap_chromium=1; else need+=(chromium); fi
fi
# xgettext, msgfmt: the plugin test cross-checks its .pot with them.
command -v xgettext >/dev/null 2>&1 || need+=(gettext)
if [ ${#need[@]} -gt 0 ]; then
  echo "deps: installing ${need[*]}"
  apt_install "${need[@]}"
fi
if [ -n "$snap_chromium" ]; then
  if command -v snap >/dev/null 2>&1 && $sudo snap version >/dev/null 2>&1 && $sudo snap install chromium >/dev/null; then
    echo "deps: chromium installed as a snap (/snap/bin/chromium)"
  else
    echo "deps: Ubuntu ships Chromium only as a snap and snapd is not running here (a container?):" >&2
    echo "      install any Chromium or Chrome build and set SMI_CHROMIUM=/path/to/it for the end-to-end suite" >&2
    exit 1
  fi
fi
gobin="$(go env GOPATH)/bin"
[ -x "$gobin/stripe-mock" ] || { echo "deps: go install stripe-mock"; go install github.com/stripe/stripe-mock@v0.203.0; }
[ -x "$gobin/mailpit" ] || { echo "deps: go install mailpit"; go install github.com/axllent/mailpit@v1.33.1; }
# The linters `make lint` runs (.golangci.yml is version 2's format): this
# exact version, so a new release's checks never fail a build by surprise.
golangci_lint=2.15.0
[ "$("$gobin/golangci-lint" version --short 2>/dev/null)" = "$golangci_lint" ] || {
  echo "deps: go install golangci-lint v$golangci_lint"
  go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v$golangci_lint"
}
# SeaweedFS for the S3 storage tests (`make test` sets SMI_DEPS_SEAWEEDFS=1): built once, several minutes.
[ "${SMI_DEPS_SEAWEEDFS:-}" != 1 ] || bash "$(dirname "$0")/seaweedfs.sh" build >/dev/null
exit 0
