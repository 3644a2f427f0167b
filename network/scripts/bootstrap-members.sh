#!/usr/bin/env bash
# Bootstraps the chaincode's membership registry from network/members.json, once.
# Usage: bootstrap-members.sh NETWORK_FILE DEVNET_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
network_file="$1"; dir="$2"
devnet=(node "$REPO_ROOT/network/devnet/dist/cli.js")
if "${devnet[@]}" query --network "$network_file" --dir "$dir" --org Brand membership:ListMembers >/dev/null 2>&1; then
  log "membership registry already bootstrapped"
  exit 0
fi
"${devnet[@]}" invoke --network "$network_file" --dir "$dir" --org Brand --user Admin \
  membership:Bootstrap "@$REPO_ROOT/network/members.json"
log "membership registry bootstrapped from network/members.json"
