#!/usr/bin/env bash
# NETWORK=test-network: drives fabric-samples' Docker test-network with its own network.sh, and runs our
# chaincode there as a service (CCaaS) from this checkout, supervised by devnet's `supervise`.
#
# Usage: adapter.sh up|deploy|status|down [--fabric-samples DIR] [--dir STATE_DIR] [--version V]
#                   [--server-cmd CMD] [--members FILE] [--dry-run]
#   --fabric-samples  a fabric-samples checkout with Fabric's bin/ and config/ (default: $FABRIC_SAMPLES)
#   --dir             our state: run/ (pids), logs/, package-id (default: .test-network)
#   --version         chaincode definition version for deploy (default: 1.0-<content hash of chaincode/dist>)
#   --server-cmd      the chaincode server command (default: fabric-shim's `server` on chaincode/)
#   --members         the initial membership registry (default: network/test-network/members.json)
#   --dry-run         (or DRY_RUN=1) print every command, one a line prefixed "+ ", and run none.
#                     Without it the same lines are printed and the commands run.
#   --network FILE    accepted and ignored: the Makefile passes it to every network kind; the topology here
#                     is test-network's own, not network/upoint.network.yaml.
#
# What test-network gives us (read from fabric-samples' test-network/network.sh and scripts/, not copied):
# - orgs Org1MSP (peer0.org1.example.com, localhost:7051) and Org2MSP (peer0.org2.example.com,
#   localhost:9051), one orderer (localhost:7050, TLS host name orderer.example.com); crypto under
#   test-network/organizations/{peer,orderer}Organizations/ (Admin@orgN.example.com, tlsca/ per org);
# - `network.sh deployCCAAS` packages a connection.json with address "{{.peername}}_<name>_ccaas:9999",
#   no TLS; each peer fills {{.peername}} from its CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG, so the peers dial
#   peer0org1_upoint_ccaas:9999 and peer0org2_upoint_ccaas:9999 — names on the Docker network fabric_test.
#   Port 9999 is fixed in deployCCAAS.sh. With `-ccaasdocker false` it only prints the `docker run` lines
#   it would have used (CHAINCODE_ID = the package id) and starts nothing;
# - `-ccep` reaches `peer lifecycle` through unquoted expansions, so the policy must contain no spaces;
#   `-ccs auto` takes the next sequence, so every deploy is an upgrade (the package differs each time).
# Our server runs on this host, so `deploy` starts two tiny relay containers under those two names that
# forward :9999 to host.docker.internal:9999 (`--add-host host.docker.internal:host-gateway`, Docker 20.10+).
# `network.sh down` removes containers whose name contains "ccaas", the relays included.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../scripts/lib.sh"

readonly CHANNEL=upoint CC_NAME=upoint CCAAS_PORT=9999 DOCKER_NET=fabric_test
readonly POLICY="AND('Org1MSP.peer','Org2MSP.peer')"   # both orgs endorse: 2 of 2, as 2 of 3 on devnet
readonly PLACEHOLDER_ID='<package-id>'
readonly RELAYS=(peer0org1 peer0org2)
relay_image="${CCAAS_RELAY_IMAGE:-alpine/socat}"

usage() { sed -n '5,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

abs() { if [[ "$1" == /* ]]; then printf '%s' "$1"; else printf '%s/%s' "$PWD" "${1#./}"; fi; }

# One shell word per argument, quoted only when it needs it, so a printed line can be pasted back.
quote() {
  local a out=()
  for a in "$@"; do
    if [[ "$a" =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then out+=("$a")
    elif [[ "$a" != *"'"* ]]; then out+=("'$a'")
    elif [[ ! "$a" =~ [\"\$\`\\!] ]]; then out+=("\"$a\"")
    else out+=("$(printf '%q' "$a")"); fi
  done
  printf '%s' "${out[*]}"
}
show() { printf '+ %s\n' "$(quote "$@")"; }
run() { show "$@"; if (( dry )); then return 0; fi; "$@"; }
# A command whose failure is expected and harmless (removing what may not exist).
run_ok() { show "$@"; if (( dry )); then return 0; fi; "$@" >/dev/null 2>&1 || true; }
# A read-only check deciding what to do next; in a dry run it reports "no", so the full path is printed.
probe() { show "$@"; if (( dry )); then return 1; fi; "$@" >/dev/null 2>&1; }
run_bg() {
  local out="$1"; shift
  printf '+ %s >>%s 2>&1 &\n' "$(quote "$@")" "$(quote "$out")"
  if (( dry )); then return 0; fi
  nohup "$@" >>"$out" 2>&1 </dev/null &
}
alive() { kill -0 "$1" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

(( $# )) || { usage >&2; exit 2; }
verb="$1"; shift
samples="${FABRIC_SAMPLES:-}"
dir="$REPO_ROOT/.test-network"
version=""
server_cmd="node $REPO_ROOT/node_modules/fabric-shim/cli.js server --module-path $REPO_ROOT/chaincode"
members="$here/members.json"
dry=0
if [[ -n "${DRY_RUN:-}" && "${DRY_RUN}" != 0 ]]; then dry=1; fi
while (( $# )); do
  case "$1" in
    --fabric-samples|--dir|--version|--server-cmd|--members|--network)
      (( $# >= 2 )) || die "$1 needs a value"
      case "$1" in
        --fabric-samples) samples="$2" ;;
        --dir) dir="$(abs "$2")" ;;
        --version) version="$2" ;;
        --server-cmd) server_cmd="$2" ;;
        --members) members="$(abs "$2")" ;;
      esac
      shift 2 ;;
    --dry-run) dry=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown flag $1 (adapter.sh --help lists them)" ;;
  esac
done
[[ -z "$samples" ]] || samples="$(abs "${samples%/}")"

tn="$samples/test-network"
peer_bin="$samples/bin/peer"
run_dir="$dir/run"
log_dir="$dir/logs"
pidfile="$run_dir/chaincode.pid"   # the supervisor's; it writes chaincode-server.pid for its child
org_dir() { printf '%s/organizations/peerOrganizations/org%s.example.com' "$tn" "$1"; }
tlsca() { printf '%s/tlsca/tlsca.org%s.example.com-cert.pem' "$(org_dir "$1")" "$1"; }
# The peer CLI as Org1's admin, the way test-network's scripts/envVar.sh sets it for org 1.
org1_env=(
  "FABRIC_CFG_PATH=$samples/config" CORE_PEER_TLS_ENABLED=true CORE_PEER_LOCALMSPID=Org1MSP
  "CORE_PEER_TLS_ROOTCERT_FILE=$(tlsca 1)" "CORE_PEER_MSPCONFIGPATH=$(org_dir 1)/users/Admin@org1.example.com/msp"
  CORE_PEER_ADDRESS=localhost:7051
)
orderer_flags=(-o localhost:7050 --ordererTLSHostnameOverride orderer.example.com --tls
  --cafile "$tn/organizations/ordererOrganizations/example.com/tlsca/tlsca.example.com-cert.pem")
endorser_flags=(--peerAddresses localhost:7051 --tlsRootCertFiles "$(tlsca 1)"
  --peerAddresses localhost:9051 --tlsRootCertFiles "$(tlsca 2)")

require_samples() {
  FABRIC_SAMPLES="$samples" DRY_RUN="$dry" NETWORK=test-network bash "$REPO_ROOT/network/scripts/require-network.sh"
}

stop_server() {
  local f pid
  for f in "$pidfile" "${pidfile%.pid}-server.pid"; do
    pid="$(cat "$f" 2>/dev/null || true)"
    if [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid"; then
      run_ok kill -TERM "$pid"
      if (( ! dry )); then
        for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
        if alive "$pid"; then run_ok kill -KILL "$pid"; fi
      fi
    fi
    if (( ! dry )); then rm -f "$f"; fi
  done
}

cmd_up() {
  require_samples
  if probe env "${org1_env[@]}" "$peer_bin" channel getinfo -c "$CHANNEL"; then
    log "test-network is up and channel $CHANNEL exists; nothing to do"
    return 0
  fi
  run "$tn/network.sh" up createChannel -c "$CHANNEL" -ca
}

cmd_deploy() {
  require_samples
  if (( ! dry )); then
    [[ -x "$peer_bin" ]] || die "no $peer_bin: install Fabric's binaries into $samples (README 'test-network (Docker)')"
    have jq || die "test-network's deployCCAAS needs jq on PATH"
    [[ -f "$REPO_ROOT/chaincode/dist/index.js" ]] || die "the chaincode is not built: run make build (make deploy does)"
  fi
  [[ -n "$version" ]] || version="1.0-$(bash "$REPO_ROOT/network/scripts/cc-hash.sh")"

  # Package (connection.json → peer0orgN_upoint_ccaas:9999), install on both peers, approve for both orgs,
  # commit. -ccp must name an existing folder; with -ccaasdocker false nothing is built from it.
  run "$tn/network.sh" deployCCAAS -c "$CHANNEL" -ccn "$CC_NAME" -ccp "$REPO_ROOT/chaincode" -ccv "$version" \
    -ccs auto -ccep "$POLICY" -ccaasdocker false

  # The package id deployCCAAS installed: it leaves the package as test-network/upoint.tar.gz.
  local calc=(env "FABRIC_CFG_PATH=$samples/config" "$peer_bin" lifecycle chaincode calculatepackageid "$tn/$CC_NAME.tar.gz")
  local id="$PLACEHOLDER_ID"
  show "${calc[@]}"
  if (( ! dry )); then id="$("${calc[@]}")"; [[ -n "$id" ]] || die "no package id for $tn/$CC_NAME.tar.gz"; fi

  # Relays under the names the peers dial, to this host's :9999.
  local r
  for r in "${RELAYS[@]}"; do
    run_ok docker rm -f "${r}_${CC_NAME}_ccaas"
    run docker run -d --rm --name "${r}_${CC_NAME}_ccaas" --network "$DOCKER_NET" \
      --add-host host.docker.internal:host-gateway "$relay_image" \
      "TCP-LISTEN:$CCAAS_PORT,fork,reuseaddr" "TCP:host.docker.internal:$CCAAS_PORT"
  done

  # One chaincode server for both peers, on all interfaces (the relays reach it through the Docker bridge).
  stop_server
  if (( ! dry )); then
    ! port_open "$CCAAS_PORT" || die "port $CCAAS_PORT is taken (devnet's chaincode server uses it too: make network-down NETWORK=devnet)"
    mkdir -p "$run_dir" "$log_dir"
  fi
  run_bg "$log_dir/chaincode.log" env "CORE_CHAINCODE_ID=$id" "CORE_CHAINCODE_ADDRESS=0.0.0.0:$CCAAS_PORT" \
    node "$REPO_ROOT/network/devnet/dist/cli.js" supervise --pidfile "$pidfile" -- /bin/sh -c "exec $server_cmd"
  if (( ! dry )); then
    printf '%s\n' "$id" >"$dir/package-id"
    for _ in $(seq 600); do port_open "$CCAAS_PORT" && break; sleep 0.1; done
    port_open "$CCAAS_PORT" || die "the chaincode server is not listening on :$CCAAS_PORT; see $log_dir/chaincode.log"
    log "chaincode server $id listening on 0.0.0.0:$CCAAS_PORT (supervised, log $log_dir/chaincode.log)"
  fi

  # The membership registry, once: ListMembers answers only after Bootstrap.
  if probe env "${org1_env[@]}" "$peer_bin" chaincode query -C "$CHANNEL" -n "$CC_NAME" \
      -c '{"function":"membership:ListMembers","Args":[]}'; then
    log "membership registry already bootstrapped"
    return 0
  fi
  local call
  call="$(node -e 'const m = require(process.argv[1]);
    process.stdout.write(JSON.stringify({ function: "membership:Bootstrap", Args: [JSON.stringify(m)] }));' "$members")"
  run env "${org1_env[@]}" "$peer_bin" chaincode invoke "${orderer_flags[@]}" -C "$CHANNEL" -n "$CC_NAME" \
    "${endorser_flags[@]}" --waitForEvent -c "$call"
}

cmd_status() {
  require_samples
  local rc=0 pid
  run docker ps --filter label=service=hyperledger-fabric --format '{{.Names}}\t{{.Status}}' || rc=1
  run docker ps --filter "name=_${CC_NAME}_ccaas" --format '{{.Names}}\t{{.Status}}' || rc=1
  run env "${org1_env[@]}" "$peer_bin" channel getinfo -c "$CHANNEL" || rc=1
  run env "${org1_env[@]}" "$peer_bin" lifecycle chaincode querycommitted -C "$CHANNEL" -n "$CC_NAME" || rc=1
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid"; then
    echo "chaincode server: running (supervisor pid $pid, package $(cat "$dir/package-id" 2>/dev/null || echo '?'), log $log_dir/chaincode.log)"
  else
    echo "chaincode server: not running"
    rc=1
  fi
  if (( dry )); then rc=0; fi
  return "$rc"
}

cmd_down() {
  stop_server
  require_samples
  local r
  for r in "${RELAYS[@]}"; do run_ok docker rm -f "${r}_${CC_NAME}_ccaas"; done
  run "$tn/network.sh" down
}

case "$verb" in
  up) cmd_up ;;
  deploy) cmd_deploy ;;
  status) cmd_status ;;
  down) cmd_down ;;
  -h|--help) usage ;;
  *) die "unknown subcommand '$verb' (up | deploy | status | down)" ;;
esac
