#!/usr/bin/env bash
# The REST gateway (gateway/dist/main.js) as a background process next to a running network.
# Usage: gateway.sh up|down|status
#   up      needs the network up (and the chaincode deployed); creates dev API keys if missing, starts the
#           gateway detached, waits for GET /readyz = 200, prints the URL, the docs and the dev keys.
#           Does nothing when the recorded gateway is alive already.
#   down    SIGTERM (the gateway drains its requests), SIGKILL after GATEWAY_STOP_TIMEOUT s; fine when none runs.
#   status  running or not, and the listen URL.
# Environment (the Makefile passes the first three):
#   NETWORK           devnet (default) | native | test-network
#   NETWORK_FILE      the network file (default network/upoint.network.yaml; NET_DIR/network.json wins when the
#                     network recorded one, as the network CLIs do)
#   NET_DIR           the network's state directory (default .devnet / .native / .test-network by NETWORK);
#                     crypto material in NET_DIR/crypto, the gateway's pid and log in NET_DIR/gateway/
#   GATEWAY_LISTEN    host:port (default 127.0.0.1:3000), passed to the gateway
#   GATEWAY_KEYS_DIR  where the dev API keys live (default gateway/): dev-api-keys.json (plain, git-ignored)
#                     and dev-api-keys.hashes.json (the gateway's API_KEYS_FILE); also dev-label-secret (mode 600,
#                     git-ignored), the QR labels' HMAC key, passed as GATEWAY_LABEL_SECRET_FILE unless
#                     GATEWAY_LABEL_SECRET or GATEWAY_LABEL_SECRET_FILE is set
#   GATEWAY_READY_TIMEOUT (s, default 30), GATEWAY_STOP_TIMEOUT (s, default 15); LOG_LEVEL, GATEWAY_ORGS and
#   GATEWAY_TIMEOUT_*_MS reach the gateway unchanged.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

network="${NETWORK:-devnet}"
case "$network" in
  native) default_dir=.native ;;
  test-network) default_dir=.test-network ;;
  *) default_dir=.devnet ;;
esac
net_dir="${NET_DIR:-$default_dir}"
network_file="${NETWORK_FILE:-network/upoint.network.yaml}"
listen="${GATEWAY_LISTEN:-127.0.0.1:3000}"
keys_dir="${GATEWAY_KEYS_DIR:-gateway}"
ready_timeout="${GATEWAY_READY_TIMEOUT:-30}"
stop_timeout="${GATEWAY_STOP_TIMEOUT:-15}"

state_dir="$net_dir/gateway"
pid_file="$state_dir/gateway.pid"
listen_file="$state_dir/gateway.listen"
log_file="$state_dir/gateway.log"
main_js="$REPO_ROOT/gateway/dist/main.js"

abs() { if [[ "$1" == /* ]]; then printf '%s' "$1"; else printf '%s/%s' "$PWD" "${1#./}"; fi; }

# The recorded pid when that process is alive and is a gateway (a stale pid reused by another process is not).
running_pid() {
  local pid
  [[ -f "$pid_file" ]] || return 1
  pid="$(tr -d '[:space:]' <"$pid_file")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]] && ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'gateway/dist/main\.js'; then
    return 1
  fi
  printf '%s' "$pid"
}

# The host to connect to for a listen address: a wildcard is reached through the loopback address.
connect_host() {
  local host="${1%:*}"
  host="${host#[}"; host="${host%]}"
  case "$host" in 0.0.0.0|'') host=127.0.0.1 ;; '::') host=::1 ;; esac
  printf '%s' "$host"
}
# http://host:port for a listen address.
url_of() {
  local host
  host="$(connect_host "$1")"
  [[ "$host" != *:* ]] || host="[$host]"
  printf 'http://%s:%s' "$host" "${1##*:}"
}

http_ok() { # URL → exit 0 when it answers 200
  node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(3000) }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "$1"
}

port_open() { # host port → exit 0 when something accepts connections there
  node -e 'const s = require("node:net").connect({ host: process.argv[1], port: Number(process.argv[2]) });
    s.once("connect", () => { s.destroy(); process.exit(0); }); s.once("error", () => process.exit(1));
    setTimeout(() => process.exit(1), 2000).unref();' "$1" "$2"
}

print_usage() { # URL
  local url="$1" plain="$keys_dir/dev-api-keys.json" example
  echo "gateway: $url   (pid $(running_pid || echo '?'), log $log_file)"
  echo "API docs: $url/docs   (OpenAPI: $url/v1/openapi.json)   console: $url/console/"
  echo "dev API keys ($plain):"
  cat "$plain"
  # The first member key (BrandMSP with the project's network file).
  example="$(node -e 'const k = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    const [name, key] = Object.entries(k)[0] ?? ["?", "?"]; process.stdout.write(`${name} ${key}`);' "$plain")"
  echo "try ($(printf '%s' "$example" | cut -d' ' -f1)):"
  echo "  curl -H \"Authorization: Bearer $(printf '%s' "$example" | cut -d' ' -f2)\" $url/v1/members"
  echo "stop it with: make gateway-down"
}

require_network() {
  [[ "$network" != test-network ]] || die "gateway-up supports NETWORK=devnet and NETWORK=native: test-network's orgs (Org1MSP, Org2MSP) are not described by a U-Point network file and its crypto is not in cryptogen's layout"
  bash "$REPO_ROOT/network/scripts/require-network.sh"
  [[ -d "$net_dir/crypto" ]] || die "no crypto material in $net_dir/crypto: start the network first (make network-up deploy)"
  local f pid up=0
  for f in "$net_dir"/run/*.pid; do
    [[ -f "$f" && "$(basename "$f")" != chaincode-* ]] || continue
    pid="$(tr -d '[:space:]' <"$f")"
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then up=1; break; fi
  done
  (( up )) || die "the $network network in $net_dir is not running: make network-up deploy first"
}

cmd_up() {
  local pid url netfile keys_abs waited=0
  require_network
  if pid="$(running_pid)"; then
    url="$(url_of "$(cat "$listen_file" 2>/dev/null || echo "$listen")")"
    log "gateway is already running (pid $pid) on $url; nothing to do"
    print_usage "$url"
    return 0
  fi
  [[ -f "$main_js" ]] || die "$main_js is missing: make build"
  url="$(url_of "$listen")"
  if port_open "$(connect_host "$listen")" "${listen##*:}"; then
    die "$listen is in use already (another gateway?); choose another address with GATEWAY_LISTEN=host:port"
  fi

  netfile="$net_dir/network.json"
  [[ -f "$netfile" ]] || netfile="$network_file"
  netfile="$(abs "$netfile")"
  mkdir -p "$keys_dir" "$state_dir"
  keys_abs="$(cd "$keys_dir" && pwd)"
  if [[ ! -f "$keys_abs/dev-api-keys.json" || ! -f "$keys_abs/dev-api-keys.hashes.json" ]]; then
    node "$REPO_ROOT/gateway/dist/dev-keys.js" --network "$netfile" --dir "$keys_abs" >/dev/null
    log "dev API keys written to $keys_dir/dev-api-keys.json (hashes: dev-api-keys.hashes.json)"
  fi
  # QR labels' HMAC key: a dev one next to the dev keys unless one is given
  if [[ -z "${GATEWAY_LABEL_SECRET:-}" && -z "${GATEWAY_LABEL_SECRET_FILE:-}" ]]; then
    if [[ ! -f "$keys_abs/dev-label-secret" ]]; then
      (umask 077 && node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("base64url") + "\n")' >"$keys_abs/dev-label-secret")
      log "dev QR-label secret written to $keys_dir/dev-label-secret"
    fi
    export GATEWAY_LABEL_SECRET_FILE="$keys_abs/dev-label-secret"
  fi

  # Detached (own session, like devnet's --detach) so make returns; stdout and stderr appended to the log.
  pid="$(NETWORK_FILE="$netfile" CRYPTO_DIR="$(abs "$net_dir/crypto")" API_KEYS_FILE="$keys_abs/dev-api-keys.hashes.json" \
    GATEWAY_LISTEN="$listen" node -e '
      const { spawn } = require("node:child_process");
      const fd = require("node:fs").openSync(process.argv[1], "a");
      const child = spawn(process.execPath, [process.argv[2]], { detached: true, stdio: ["ignore", fd, fd], cwd: process.argv[3] });
      child.unref();
      process.stdout.write(String(child.pid));' "$(abs "$log_file")" "$main_js" "$REPO_ROOT")"
  [[ "$pid" =~ ^[0-9]+$ ]] || die "failed to start the gateway"
  echo "$pid" >"$pid_file"
  echo "$listen" >"$listen_file"
  log "gateway starting (pid $pid) on $url; waiting for $url/readyz"

  while ! http_ok "$url/readyz"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "--- last lines of $log_file:" >&2; tail -n 30 "$log_file" >&2
      rm -f "$pid_file" "$listen_file"
      die "the gateway exited during start-up; see $log_file"
    fi
    if (( waited >= ready_timeout * 2 )); then
      echo "--- last lines of $log_file:" >&2; tail -n 30 "$log_file" >&2
      stop_pid "$pid"
      rm -f "$pid_file" "$listen_file"
      die "$url/readyz did not answer 200 within ${ready_timeout}s (is the chaincode deployed? make deploy); gateway stopped"
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  log "gateway ready (pid $pid)"
  print_usage "$url"
}

stop_pid() { # pid: SIGTERM, wait up to stop_timeout s, then SIGKILL
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < stop_timeout * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "gateway (pid $pid) did not stop within ${stop_timeout}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
}

cmd_down() {
  local pid
  if pid="$(running_pid)"; then
    stop_pid "$pid"
    log "gateway stopped (pid $pid)"
  elif [[ -f "$pid_file" ]]; then
    log "gateway not running (removed the stale pid file)"
  fi
  rm -f "$pid_file" "$listen_file"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    echo "gateway: running (pid $pid) on $(url_of "$(cat "$listen_file" 2>/dev/null || echo "$listen")"), log $log_file"
  else
    echo "gateway: not running (would listen on $(url_of "$listen"))"
  fi
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) die "usage: gateway.sh up|down|status" ;;
esac
