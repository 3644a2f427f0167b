#!/usr/bin/env bash
# Fails clearly for a NETWORK kind this checkout cannot drive, or native without binaries.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
case "${NETWORK:-devnet}" in
  devnet) ;;
  native) bash "$(dirname "${BASH_SOURCE[0]}")/require-fabric-bin.sh" ;;
  test-network) die "NETWORK=test-network is not implemented yet (issue #8); use NETWORK=devnet or NETWORK=native" ;;
  *) die "unknown NETWORK=${NETWORK} (devnet | native | test-network)" ;;
esac
