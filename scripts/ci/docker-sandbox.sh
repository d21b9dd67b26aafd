#!/usr/bin/env bash
# Starts a private Docker engine and an OCI registry bound to 127.0.0.1, for the docker tests.
#   source scripts/ci/docker-sandbox.sh start   -> exports DOCKER_HOST, GANTRY_TEST_REGISTRY, GANTRY_DOCKER_CLI
#   scripts/ci/docker-sandbox.sh stop DIR        -> stops both by PID
# The engine uses vfs storage and no bridge or iptables (this sandbox allows neither); builds therefore
# use --network host. Nothing listens on anything but loopback and a unix socket under DIR.
set -euo pipefail

sandbox_start() {
  local dir=${GANTRY_SANDBOX_DIR:-$(mktemp -d /tmp/gantry-docker.XXXXXX)}
  mkdir -p "$dir/data" "$dir/exec" "$dir/registry"
  dockerd --storage-driver=vfs --iptables=false --ip6tables=false --bridge=none \
    --host "unix://$dir/docker.sock" --data-root "$dir/data" --exec-root "$dir/exec" \
    --pidfile "$dir/dockerd.pid" >"$dir/dockerd.log" 2>&1 &
  cat >"$dir/registry.yml" <<YML
version: 0.1
storage:
  filesystem:
    rootdirectory: $dir/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${GANTRY_REGISTRY_PORT:-5000}
YML
  docker-registry serve "$dir/registry.yml" >"$dir/registry.log" 2>&1 &
  echo $! >"$dir/registry.pid"
  export DOCKER_HOST="unix://$dir/docker.sock"
  export GANTRY_TEST_REGISTRY="127.0.0.1:${GANTRY_REGISTRY_PORT:-5000}"
  export GANTRY_SANDBOX_DIR="$dir"
  # Debian's client supports DOCKER_BUILDKIT=1 builds; the one first on PATH may not.
  export GANTRY_DOCKER_CLI=${GANTRY_DOCKER_CLI:-/usr/bin/docker}
  for _ in $(seq 1 60); do
    if "$GANTRY_DOCKER_CLI" version >/dev/null 2>&1 && curl -fsS "http://$GANTRY_TEST_REGISTRY/v2/" >/dev/null 2>&1; then
      echo "docker sandbox ready: $DOCKER_HOST, registry $GANTRY_TEST_REGISTRY"
      return 0
    fi
    sleep 0.5
  done
  echo "docker sandbox failed to start; dockerd log:" >&2
  tail -20 "$dir/dockerd.log" >&2
  tail -20 "$dir/registry.log" >&2
  return 1
}

sandbox_stop() {
  local dir=$1
  for pidfile in "$dir/registry.pid" "$dir/dockerd.pid"; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  for _ in $(seq 1 20); do
    [ -f "$dir/dockerd.pid" ] && kill -0 "$(cat "$dir/dockerd.pid")" 2>/dev/null || break
    sleep 0.5
  done
}

case "${1:-}" in
  start) sandbox_start ;;
  stop) sandbox_stop "${2:?sandbox dir}" ;;
  *) echo "usage: source $0 start | $0 stop DIR" >&2; return 2 2>/dev/null || exit 2 ;;
esac
