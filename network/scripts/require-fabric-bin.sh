#!/usr/bin/env bash
# NETWORK=native needs Fabric v2.5 binaries: FABRIC_BIN=<dir> holding peer, orderer, configtxgen, osnadmin.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ -n "${FABRIC_BIN:-}" ]] || die "set FABRIC_BIN to a folder with Fabric v2.5 binaries (peer, orderer, configtxgen, osnadmin); see README 'The networks'"
for b in peer orderer configtxgen osnadmin; do
  [[ -x "$FABRIC_BIN/$b" ]] || die "FABRIC_BIN=$FABRIC_BIN has no executable '$b'"
done
