#!/usr/bin/env bash
# `make test`: everything CI runs, then one summary. Exit status is non-zero if anything failed.
source "$(dirname "${BASH_SOURCE[0]}")/../../network/scripts/lib.sh"
cd "$REPO_ROOT"
results="$REPO_ROOT/test/results"
mkdir -p "$results"
rm -f "$results"/*.json
rm -rf "$results/screenshots"
status=0
# Everything this run prints also goes to a log, which the secret scan reads at the end; the test networks keep
# their directories (logs included) under a temporary folder of this run, scanned too, then removed.
exec 3>&1 4>&2 > >(tee "$results/make-test.log") 2>&1
tee_pid=$!
run_tmp="$(mktemp -d)"
# restore the outputs and let tee write its last lines before the script ends
trap 'rm -rf "$run_tmp"; exec 1>&3 2>&4 3>&- 4>&-; wait "$tee_pid" 2>/dev/null || true' EXIT

bash network/scripts/install.sh
log "build"
node_modules/.bin/tsc -b network/devnet network/native chaincode gateway gateway/web test && node gateway/web/build-static.js || status=1
log "lint"
node_modules/.bin/eslint . && echo "lint: ok" > "$results/lint.txt" || { echo "lint: FAILED" > "$results/lint.txt"; status=1; }
if [[ -f chaincode/package.json ]] && grep -q '"metadata:check"' chaincode/package.json; then
  log "contract metadata check"
  (cd chaincode && npm run --silent metadata:check) || status=1
fi
log "unit tests"
# The chaincode's domain/ and ledger/ layers must stay >= 90% line-covered by tests that assert effects.
node_modules/.bin/jest --selectProjects unit --json --outputFile="$results/unit.json" \
  --coverage --coverageReporters=text-summary --coverageDirectory="$results/coverage" \
  --collectCoverageFrom='chaincode/src/domain/**/*.ts' --collectCoverageFrom='chaincode/src/ledger/**/*.ts' \
  --collectCoverageFrom='!**/*.test.ts' --coverageThreshold='{"global":{"lines":90,"statements":90}}' || status=1
# The suites below start their own networks and processes; keep their directories for the secret scan.
export TMPDIR="$run_tmp" KEEP_TEST_NETWORKS=1
log "end-to-end tests (each suite starts and stops its own devnet)"
node_modules/.bin/jest --selectProjects e2e --runInBand --json --outputFile="$results/e2e.json" || status=1
log "fuzzing (the REST gateway from its OpenAPI document with schemathesis; devnet's gRPC surface)"
node_modules/.bin/jest --selectProjects fuzz --runInBand --json --outputFile="$results/fuzz.json" || status=1
browser_line=""
if have chromium || [[ -x /usr/bin/chromium ]] || [[ -n "${CHROMIUM_PATH:-}" ]]; then
  log "browser tests (headless Chromium: the consumer page and the console against a devnet and the gateway)"
  node_modules/.bin/jest --selectProjects browser --runInBand --json --outputFile="$results/browser.json" || status=1
else
  browser_line="SKIPPED browser: chromium not installed (as root: make install, or apt-get install chromium)"
fi

native_line=""
if [[ -z "${FABRIC_BIN:-}" ]] && have peer; then FABRIC_BIN="$(dirname "$(command -v peer)")"; export FABRIC_BIN; fi
if [[ -n "${FABRIC_BIN:-}" ]]; then
  log "native network tests against Fabric binaries in $FABRIC_BIN"
  if bash network/scripts/require-fabric-bin.sh; then
    node_modules/.bin/jest --selectProjects native --runInBand --json --outputFile="$results/native.json" || status=1
  else
    status=1
  fi
else
  native_line="SKIPPED native: no Fabric binaries (set FABRIC_BIN)"
fi

log "fault tests (kill -9 under load through the REST gateway; native scenarios only with FABRIC_BIN)"
node_modules/.bin/jest --selectProjects faults --runInBand --json --outputFile="$results/faults.json" || status=1
faults_line=""
[[ -n "${FABRIC_BIN:-}" ]] || faults_line="SKIPPED faults native: no Fabric binaries (set FABRIC_BIN)"

unset TMPDIR KEEP_TEST_NETWORKS
log "secrets in logs (private keys, certificates, API keys)"
if bash test/scripts/secret-scan.sh "$results" "$run_tmp"; then echo "secret scan: ok" > "$results/secrets.txt"; else echo "secret scan: FAILED" > "$results/secrets.txt"; status=1; fi

node test/scripts/summary.js "$results" "$native_line" "$browser_line" "$faults_line" || status=1
exit "$status"
