#!/usr/bin/env bash
# Fails clearly for an unknown NETWORK kind, native without binaries, test-network without its checkout or Docker.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
case "${NETWORK:-devnet}" in
  devnet) ;;
  native) bash "$(dirname "${BASH_SOURCE[0]}")/require-fabric-bin.sh" ;;
  test-network)
    # fabric-samples' Docker test-network: a checkout (with Fabric's bin/ and config/) and Docker.
    [[ -n "${FABRIC_SAMPLES:-}" ]] || die "NETWORK=test-network needs FABRIC_SAMPLES=<fabric-samples checkout>; see README 'test-network (Docker)'"
    [[ -f "$FABRIC_SAMPLES/test-network/network.sh" ]] || die "FABRIC_SAMPLES=$FABRIC_SAMPLES has no test-network/network.sh"
    if [[ -z "${DRY_RUN:-}" || "${DRY_RUN}" == 0 ]]; then
      have docker || die "NETWORK=test-network needs Docker (docker on PATH); DRY_RUN=1 prints the commands without it"
      docker info >/dev/null 2>&1 || die "NETWORK=test-network: the Docker engine is not reachable ('docker info' failed)"
    fi ;;
  *) die "unknown NETWORK=${NETWORK} (devnet | native | test-network)" ;;
esac
