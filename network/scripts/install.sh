#!/usr/bin/env bash
# Installs the npm dependencies from package-lock.json; does nothing when node_modules is current.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
have node || die "Node.js 20 or newer is required (https://nodejs.org); it is the only prerequisite besides make"
major="$(node -p 'process.versions.node.split(".")[0]')"
(( major >= 20 )) || die "Node.js $(node --version) is too old: U-Point needs Node 20 or newer"
stamp=node_modules/.package-lock.json
if [[ -f "$stamp" && "$stamp" -nt package-lock.json && "$stamp" -nt package.json ]]; then
  exit 0
fi
log "installing npm dependencies (npm ci)"
npm ci --no-audit --no-fund --loglevel=error
touch "$stamp"
