#!/usr/bin/env bash
# `make test`: everything CI runs, then one summary. Exit status is non-zero if anything failed.
source "$(dirname "${BASH_SOURCE[0]}")/../../network/scripts/lib.sh"
cd "$REPO_ROOT"
results="$REPO_ROOT/test/results"
mkdir -p "$results"
rm -f "$results"/*.json
status=0

bash network/scripts/install.sh
log "build"
node_modules/.bin/tsc -b network/devnet network/native chaincode gateway test || status=1
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
log "end-to-end tests (each suite starts and stops its own devnet)"
node_modules/.bin/jest --selectProjects e2e --runInBand --json --outputFile="$results/e2e.json" || status=1

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

node test/scripts/summary.js "$results" "$native_line" || status=1
exit "$status"
