#!/usr/bin/env bash
# SeaweedFS (Apache-2.0), the S3-compatible server the storage tests run
# against. Its module has replace directives, so `go install` refuses it:
# the source comes from the Go module proxy with `go mod download` and is
# built once into a cache outside the repository.
#   scripts/seaweedfs.sh build       -> prints the weed binary's path (builds it if missing, ~7 min)
#   scripts/seaweedfs.sh bin         -> prints the path, or fails when it is not built
#   scripts/seaweedfs.sh start DIR   -> starts a private server in DIR on free loopback ports and
#                                       prints SEAWEEDFS_ENDPOINT, AWS_ACCESS_KEY_ID and
#                                       AWS_SECRET_ACCESS_KEY as KEY=value lines (also in DIR/env)
#   scripts/seaweedfs.sh stop DIR
set -euo pipefail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
version=v0.0.0-20261109003541-7506e5f91cd6
cache=${SMI_WEED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/smid}
bin="$cache/weed-$version"
cmd=${1:?usage: seaweedfs.sh build|bin|start DIR|stop DIR}

case "$cmd" in
bin)
  [ -x "$bin" ] || { echo "seaweedfs.sh: weed is not built; run scripts/seaweedfs.sh build" >&2; exit 1; }
  echo "$bin"
  ;;
build)
  if [ ! -x "$bin" ]; then
    echo "seaweedfs.sh: building SeaweedFS $version into $cache (several minutes, once)" >&2
    src=$(go mod download -json "github.com/seaweedfs/seaweedfs@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [ -n "$src" ] || { echo "seaweedfs.sh: go mod download gave no directory" >&2; exit 1; }
    mkdir -p "$cache"
    # The module's own go.mod and go.sum govern; the caller's -mod flags do not apply.
    (cd "$src" && GOFLAGS=-buildvcs=false go build -o "$bin.tmp" ./weed)
    mv "$bin.tmp" "$bin"
  fi
  echo "$bin"
  ;;
start)
  dir=${2:?usage: seaweedfs.sh start DIR}
  [ -x "$bin" ] || { echo "seaweedfs.sh: weed is not built; run scripts/seaweedfs.sh build" >&2; exit 1; }
  mkdir -p "$dir/data"
  dir=$(cd "$dir" && pwd)
  if [ -f "$dir/weed.pid" ] && kill -0 "$(cat "$dir/weed.pid")" 2>/dev/null; then cat "$dir/env"; exit 0; fi
  # Free loopback ports below the kernel's ephemeral range (32768 and up),
  # so an outgoing connection or a ":0" listener of another test cannot
  # take one between our check and weed's bind; nothing answers on them now,
  # and none is taken twice.
  taken=" " port=0
  next_port() {
    local p
    for _ in $(seq 1 200); do
      p=$((10000 + RANDOM % 22000))
      case "$taken" in *" $p "*) continue ;; esac
      if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then taken="$taken$p " port=$p; return 0; fi
    done
    echo "seaweedfs.sh: no free port" >&2; return 1
  }
  key="smid$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
  secret="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
  cat >"$dir/s3.json" <<EOF
{"identities": [{"name": "smid", "credentials": [{"accessKey": "$key", "secretKey": "$secret"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
EOF
  chmod 600 "$dir/s3.json"
  # One volume per bucket (collection) instead of seven: tests make many small buckets.
  printf '[master.volume_growth]\ncopy_1 = 1\ncopy_2 = 2\ncopy_3 = 3\ncopy_other = 1\n' >"$dir/master.toml"
  cd "$dir"
  # A port can still be taken by another process before weed binds it:
  # then weed exits at once and is started again on other ports.
  for try in 1 2 3; do
    next_port; master=$port; next_port; master_grpc=$port
    next_port; volume=$port; next_port; volume_grpc=$port
    next_port; filer=$port; next_port; filer_grpc=$port
    next_port; s3=$port; next_port; s3_grpc=$port
    # No telemetry, no extra gateways: nothing leaves loopback. weed reads
    # master.toml from its working directory.
    nohup "$bin" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$dir/data" \
      -master.port="$master" -master.port.grpc="$master_grpc" -master.telemetry=false \
      -master.volumeSizeLimitMB=64 -volume.max=100 \
      -volume.port="$volume" -volume.port.grpc="$volume_grpc" \
      -filer -filer.port="$filer" -filer.port.grpc="$filer_grpc" \
      -s3 -s3.port="$s3" -s3.port.grpc="$s3_grpc" -s3.port.iceberg=0 -s3.port.lance=0 \
      -s3.config="$dir/s3.json" >"$dir/weed.log" 2>&1 &
    echo $! >"$dir/weed.pid"
    printf 'SEAWEEDFS_ENDPOINT=http://127.0.0.1:%s\nAWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n' "$s3" "$key" "$secret" >"$dir/env"
    chmod 600 "$dir/env"
    # Ready when the S3 port answers an unsigned request with an S3 error (403).
    for _ in $(seq 1 300); do
      if ! kill -0 "$(cat "$dir/weed.pid")" 2>/dev/null; then
        if [ "$try" -lt 3 ] && grep -q 'address already in use' "$dir/weed.log"; then
          echo "seaweedfs.sh: a port was taken before weed bound it; starting again on other ports" >&2
          continue 2
        fi
        echo "seaweedfs.sh: weed exited; see $dir/weed.log" >&2; tail -20 "$dir/weed.log" >&2; exit 1
      fi
      status=$( (exec 3<>"/dev/tcp/127.0.0.1/$s3" && printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 && head -c 12 <&3) 2>/dev/null || true)
      case "$status" in "HTTP/1."?" 403"|"HTTP/1."?" 200") cat "$dir/env"; exit 0 ;; esac
      sleep 0.2
    done
    break
  done
  echo "seaweedfs.sh: S3 did not answer on port $s3 within 60 s; see $dir/weed.log" >&2
  "$self" stop "$dir"; exit 1
  ;;
stop)
  dir=${2:?usage: seaweedfs.sh stop DIR}
  pidf="$dir/weed.pid"
  [ -f "$pidf" ] || exit 0
  pid=$(cat "$pidf")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$pidf"
  ;;
*) echo "usage: seaweedfs.sh build|bin|start DIR|stop DIR" >&2; exit 2 ;;
esac
