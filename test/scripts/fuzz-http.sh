#!/usr/bin/env bash
# Fuzzes a running REST gateway from its own OpenAPI document with schemathesis (PyPI), once per caller: a member
# key, the regulator key and no key. Checks every response: no 5xx (not_a_server_error), the documented status
# codes, content types and response schemas; in negative mode also that every invalid request is rejected
# (negative_data_rejection). It does not start anything: test/src/fuzz/http.fuzz.ts (`make test-fuzz`) starts a
# devnet, the chaincode and the gateway process, runs this, and checks the ledger and the processes afterwards.
# By hand, against `make demo`'s gateway:  test/scripts/fuzz-http.sh --url http://127.0.0.1:3000 --keys gateway/dev-api-keys.json
#
# Usage: fuzz-http.sh --url URL --keys FILE [--mode negative|positive|all] [--examples N] [--seed N]
#                     [--report-dir DIR] [--callers member,regulator,none] [--install-only]
#   --keys      the dev keys as gateway/dev-keys.js writes them ({"BrandMSP": "upk_…", "regulator": "upk_…", …})
#   --mode      schemathesis' data generation mode (default negative). negative runs only the coverage and fuzzing
#               phases (the examples and stateful phases send valid data even in negative mode)
#   --examples  test cases per operation and phase (default 20)
#   --report-dir  where each pass writes <mode>-<caller>.har.json, .junit.xml and .log (default test/results/fuzz-http)
# Prints one line per pass and "fuzz-http: <N> cases, <F> failing passes"; exit status 1 when any pass failed.
# schemathesis lives in REPO/.venv (self-ignored by git), created on first use; a no-op when it is current.
source "$(dirname "${BASH_SOURCE[0]}")/../../network/scripts/lib.sh"

SCHEMATHESIS_VERSION="${SCHEMATHESIS_VERSION:-4.32.5}"
venv="${FUZZ_VENV:-$REPO_ROOT/.venv}"
url="" keys="" mode=negative examples=20 seed="${FUZZ_SEED:-}" report_dir="$REPO_ROOT/test/results/fuzz-http"
callers="member,regulator,none" install_only=0
while (($#)); do
  case "$1" in
    --url) url="${2%/}"; shift 2 ;;
    --keys) keys="$2"; shift 2 ;;
    --mode) mode="$2"; shift 2 ;;
    --examples) examples="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --report-dir) report_dir="$2"; shift 2 ;;
    --callers) callers="$2"; shift 2 ;;
    --install-only) install_only=1; shift ;;
    *) die "unknown argument $1 (see the usage at the top of $0)" ;;
  esac
done

# python3 -m venv needs ensurepip (Debian/Ubuntu: the python3-venv package); install it when we may.
ensure_venv_module() {
  have python3 || die "python3 is required for schemathesis (install Python 3.9 or newer)"
  if python3 -c 'import ensurepip, venv' 2>/dev/null; then return 0; fi
  if [[ "$(id -u)" == 0 ]] && have apt-get; then
    log "python3-venv is missing; installing it with apt-get"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null \
      || die "apt-get install python3-venv failed"
    python3 -c 'import ensurepip, venv' 2>/dev/null && return 0
    # Debian names the package after the minor version too (python3.11-venv)
    local v; v="$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python${v}-venv" >/dev/null || true
    python3 -c 'import ensurepip, venv' 2>/dev/null && return 0
  fi
  die "python3 cannot create virtual environments: install python3-venv (apt-get install python3-venv) and retry"
}

ensure_schemathesis() {
  if [[ -x "$venv/bin/schemathesis" ]] \
    && [[ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null)" == "$SCHEMATHESIS_VERSION" ]]; then
    return 0
  fi
  ensure_venv_module
  if [[ ! -x "$venv/bin/python" ]]; then
    log "creating $venv for schemathesis"
    python3 -m venv "$venv" || { rm -rf "$venv"; die "python3 -m venv $venv failed"; }
  fi
  # the folder ignores itself, so no .gitignore entry is needed (what Python 3.13's venv does by itself)
  [[ -f "$venv/.gitignore" ]] || printf '*\n' >"$venv/.gitignore"
  log "installing schemathesis $SCHEMATHESIS_VERSION from PyPI into $venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" \
    || die "pip install schemathesis==$SCHEMATHESIS_VERSION failed (is PyPI reachable?)"
}

ensure_schemathesis
((install_only)) && { echo "schemathesis $SCHEMATHESIS_VERSION ready in $venv"; exit 0; }
[[ -n "$url" && -n "$keys" ]] || die "usage: fuzz-http.sh --url URL --keys FILE [--mode negative|positive|all] (see $0)"
[[ -f "$keys" ]] || die "no keys file $keys"
case "$mode" in negative|positive|all) ;; *) die "--mode must be negative, positive or all" ;; esac
[[ "$examples" =~ ^[1-9][0-9]*$ ]] || die "--examples must be a positive number"
mkdir -p "$report_dir"
py="$venv/bin/python"

# The served document, with one rewrite: Python's re has no Unicode property escapes, so \p{Cc} (the C0 and C1
# controls, exactly U+0000-U+001F and U+007F-U+009F) becomes that range. Everything else is as served.
schema="$report_dir/openapi.json"
"$py" - "$url/v1/openapi.json" "$schema" <<'PY' || die "could not fetch $url/v1/openapi.json"
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
    text = r.read().decode()
doc = json.loads(text)
def walk(x):
    if isinstance(x, dict):
        return {k: (v.replace(r"\p{Cc}", r"\x00-\x1f\x7f-\x9f") if k == "pattern" and isinstance(v, str) else walk(v)) for k, v in x.items()}
    if isinstance(x, list):
        return [walk(v) for v in x]
    return x
json.dump(walk(doc), open(sys.argv[2], "w"), indent=1)
PY

key_of() { # caller → the key from the keys file ("" for none)
  node -e 'const k = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    const want = process.argv[2];
    const name = want === "member" ? Object.keys(k).find((n) => /MSP$/.test(n) && !n.includes(":")) : want;
    if (k[name] === undefined) { console.error(`no ${want} key in ${process.argv[1]}`); process.exit(1); }
    process.stdout.write(k[name]);' "$keys" "$1"
}

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
phases=examples,coverage,fuzzing,stateful
extra=(--exclude-operation-id streamEvents) # valid requests open an endless event stream
if [[ "$mode" == negative ]]; then
  checks="$checks,negative_data_rejection"
  phases=coverage,fuzzing
  extra=() # invalid requests to the stream are answered at once
fi

total=0 failed=0
IFS=, read -ra who <<<"$callers"
for caller in "${who[@]}"; do
  auth=()
  if [[ "$caller" != none ]]; then
    auth=(-H "Authorization: Bearer $(key_of "$caller")")
  fi
  name="$mode-$caller"
  set +e
  (cd "$report_dir" && "$venv/bin/schemathesis" run "$schema" --url "$url" "${auth[@]}" \
    --mode "$mode" --phases "$phases" --checks "$checks" "${extra[@]}" \
    --max-examples "$examples" --workers 1 --request-timeout 20 --generation-database none --no-color \
    ${seed:+--seed "$seed"} --continue-on-failure --suppress-health-check all --warnings off \
    --report har,junit --report-har-path "$report_dir/$name.har.json" --report-junit-path "$report_dir/$name.junit.xml") \
    >"$report_dir/$name.log" 2>&1
  rc=$?
  set -e
  cases="$(grep -A1 '^Test cases:' "$report_dir/$name.log" | sed -n 's/^ *\([0-9][0-9]*\) generated.*/\1/p' | head -n1)"
  cases="${cases:-0}"
  total=$((total + cases))
  line="$(grep -A1 '^Test cases:' "$report_dir/$name.log" | tail -n1 | sed 's/^ *//')"
  if ((rc != 0)); then
    failed=$((failed + 1))
    echo "fuzz-http: $name: FAILED (exit $rc): $line — see $report_dir/$name.log"
    sed -n '/^=* FAILURES =*$/,/^=* SUMMARY =*$/p;/^=* ERRORS =*$/,/^=* SUMMARY =*$/p' "$report_dir/$name.log" | head -n 80
  else
    echo "fuzz-http: $name: ok: $line"
  fi
done
echo "fuzz-http: $total cases, $failed failing passes (reports in $report_dir)"
((failed == 0))
