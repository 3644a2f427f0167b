#!/usr/bin/env bash
# A short content hash of the built chaincode: a new hash means a new definition version (an upgrade).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT/chaincode"
{ cat package.json; find dist -name '*.js' -print0 | sort -z | xargs -0 cat; } | sha256sum | cut -c1-12
