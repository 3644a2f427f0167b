#!/usr/bin/env bash
# Run the Caliper benchmark against a running U-Point network (devnet by default):
#   make network-up deploy                       # or NETWORK=native FABRIC_BIN=… make network-up deploy
#   bash test/caliper/run.sh [--dir .devnet] [--network network/upoint.network.yaml]
# It installs Caliper 0.6.0 bound to fabric-gateway OUTSIDE the repository (CALIPER_HOME, default
# ~/.cache/upoint-caliper: `caliper bind` runs `npm install`, which must not touch this workspace's lockfile),
# deploys the kvcc baseline chaincode next to upoint (devnet only), writes the network config and launches.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
DIR="$REPO/.devnet"
NETWORK_FILE="$REPO/network/upoint.network.yaml"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) DIR="$(cd "$2" && pwd)"; shift 2 ;;
    --network) NETWORK_FILE="$2"; shift 2 ;;
    *) echo "unknown flag $1" >&2; exit 2 ;;
  esac
done
CALIPER_HOME="${CALIPER_HOME:-$HOME/.cache/upoint-caliper}"
CALIPER_VERSION="${CALIPER_VERSION:-0.6.0}"

if [[ ! -x "$CALIPER_HOME/node_modules/.bin/caliper" ]]; then
  mkdir -p "$CALIPER_HOME"
  (cd "$CALIPER_HOME" && { [[ -f package.json ]] || npm init -y >/dev/null; } \
    && npm install --no-audit --no-fund "@hyperledger/caliper-cli@$CALIPER_VERSION" \
    && npx caliper bind --caliper-bind-sut fabric:fabric-gateway)
fi

# The kvcc baseline: deployed by devnet's own CLI with a copy of the network file whose chaincode server port differs,
# so that upoint's server is left alone (deploy stops the previous server of the same port pair).
if [[ "$DIR" == *devnet* ]] && ! node "$REPO/network/devnet/dist/cli.js" query --network "$NETWORK_FILE" --dir "$DIR" --org Brand --chaincode kvcc Noop >/dev/null 2>&1; then
  KV_FILE="$(mktemp --suffix=.yaml)"
  sed -E 's/^(\s*serverPort:\s*)[0-9]+/\19990/' "$NETWORK_FILE" > "$KV_FILE"
  node "$REPO/network/devnet/dist/cli.js" deploy --network "$KV_FILE" --dir "$DIR" --name kvcc --version 1.0 \
    --server-cmd "node $REPO/node_modules/fabric-shim/cli.js server --module-path $REPO/test/fixtures/kvcc"
  rm -f "$KV_FILE"
fi

NET_CONFIG="$(node "$HERE/networks/generate.js" --network "$NETWORK_FILE" --dir "$DIR" --out "$HERE/networks/generated")"
cd "$HERE"
# In a session of its own: Caliper 0.6's local worker can outlive the manager; everything left is stopped at the end.
NODE_PATH="$CALIPER_HOME/node_modules" setsid "$CALIPER_HOME/node_modules/.bin/caliper" launch manager \
  --caliper-workspace "$HERE" \
  --caliper-networkconfig "$NET_CONFIG" \
  --caliper-benchconfig benchmarks/upoint.yaml \
  --caliper-flow-only-test &
CALIPER_PID=$!
trap 'kill -- -$CALIPER_PID 2>/dev/null || true' INT TERM EXIT
wait "$CALIPER_PID"
