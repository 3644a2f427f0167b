#!/usr/bin/env bash
# Installs the npm dependencies from package-lock.json; does nothing when node_modules is current.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
have node || die "Node.js 20 or newer is required (https://nodejs.org); it is the only prerequisite besides make"
major="$(node -p 'process.versions.node.split(".")[0]')"
(( major >= 20 )) || die "Node.js $(node --version) is too old: U-Point needs Node 20 or newer"

# Headless Chromium for the browser tests (Debian's `chromium` package, driven by playwright-core; no browser
# download) and a small CJK font so zh-CN pages render in the screenshots. Installed when missing if we are root;
# otherwise one line says so and the browser suite reports SKIPPED. UPOINT_NO_BROWSER=1 skips the check.
browser_install() {
  [[ "${UPOINT_NO_BROWSER:-0}" == 1 ]] && return 0
  local missing=()
  have chromium || [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  if have fc-list && [[ -z "$(fc-list :lang=zh 2>/dev/null)" ]]; then missing+=(fonts-wqy-microhei); fi
  (( ${#missing[@]} == 0 )) && return 0
  if [[ "$(id -u)" == 0 ]] && have apt-get; then
    log "installing ${missing[*]} for the browser tests (apt-get)"
    if (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}") >/dev/null; then
      return 0
    fi
  fi
  if have chromium || [[ -x /usr/bin/chromium ]]; then
    echo "browser: no CJK font (as root: apt-get install fonts-wqy-microhei); zh-CN text in the browser screenshots may show as boxes"
  else
    echo "browser: chromium is not installed and could not be installed here (as root: apt-get install chromium); the browser tests will be SKIPPED"
  fi
}
browser_install

stamp=node_modules/.package-lock.json
if [[ -f "$stamp" && "$stamp" -nt package-lock.json && "$stamp" -nt package.json ]]; then
  exit 0
fi
log "installing npm dependencies (npm ci)"
npm ci --no-audit --no-fund --loglevel=error
touch "$stamp"
