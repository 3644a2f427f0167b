#!/usr/bin/env bash
# Fails clearly for a NETWORK kind that this checkout cannot drive yet.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
case "${NETWORK:-devnet}" in
  devnet) ;;
  native|test-network) die "NETWORK=${NETWORK} is not implemented yet (issue #8); use NETWORK=devnet" ;;
  *) die "unknown NETWORK=${NETWORK} (devnet | native | test-network)" ;;
esac
