#!/usr/bin/env bash
# Scans the logs a test run produced for secrets: PEM private keys, PEM certificates, API keys (the dev keys'
# `upk_` prefix, the keys of any dev-api-keys.json found, and the literal keys of the gateway's tests). Prints each
# hit as file:line (the secret itself masked) and exits 1 when there is any.
#
# Usage: secret-scan.sh [DIR_OR_FILE ...]
#   Default places: test/results (jest JSON, fuzz reports), .devnet/logs, .devnet/gateway, .native/logs,
#   .native/gateway, and $UPOINT_KEEP_LOGS_DIR when set. Under a directory only log-like files are read: *.log,
#   anything under a logs/ folder, and everything under test/results; crypto material (crypto/, keystore/,
#   signcerts/, *.pem, *_sk) and key files are not logs and are skipped.
# After `make test`, keep the test networks' logs by running it with temporary folders in one place:
#   mkdir -p /tmp/upoint-run && TMPDIR=/tmp/upoint-run KEEP_TEST_NETWORKS=1 make test 2>&1 | tee test/results/make-test.log
#   test/scripts/secret-scan.sh test/results /tmp/upoint-run
source "$(dirname "${BASH_SOURCE[0]}")/../../network/scripts/lib.sh"
cd "$REPO_ROOT"

places=("$@")
if ((${#places[@]} == 0)); then
  for p in test/results .devnet/logs .devnet/gateway .native/logs .native/gateway ${UPOINT_KEEP_LOGS_DIR:+"$UPOINT_KEEP_LOGS_DIR"}; do
    [[ -e "$p" ]] && places+=("$p")
  done
fi

# Literal keys: every value of every dev-api-keys.json we can see, and the gateway tests' fixed keys.
literals=(brand-key supplier-key bank-key regulator-key admin-brand-key k-brand k-reg)
while IFS= read -r f; do
  while IFS= read -r k; do [[ -n "$k" ]] && literals+=("$k"); done < <(node -e '
    try { for (const v of Object.values(JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")))) if (typeof v === "string") console.log(v); } catch {}' "$f")
done < <(find gateway "${places[@]}" -name 'dev-api-keys.json' -type f 2>/dev/null | sort -u)

# Log-like files under the places.
files=()
for p in "${places[@]}"; do
  if [[ -f "$p" ]]; then files+=("$p"); continue; fi
  [[ -d "$p" ]] || { log "secret-scan: $p does not exist; skipped"; continue; }
  while IFS= read -r -d '' f; do files+=("$f"); done < <(
    find "$p" \( -type d \( -name crypto -o -name keystore -o -name signcerts -o -name tlscacerts -o -name cacerts -o -name node_modules -o -name .venv \) -prune \) -o \
      -type f ! -name '*.pem' ! -name '*_sk' ! -name 'dev-api-keys*.json' ! -name '*.key' ! -name '*.crt' -print0 |
      { if [[ "$p" == test/results* || "$p" == "$REPO_ROOT/test/results"* ]]; then cat; else grep -zE '(\.log$|/logs/)'; fi; })
done

patterns=(-e '-----BEGIN (EC |RSA |ENCRYPTED )?PRIVATE KEY-----' -e '-----BEGIN CERTIFICATE-----' -e 'upk_[A-Za-z0-9_-]{8,}')
for l in "${literals[@]}"; do patterns+=(-e "(^|[^A-Za-z0-9_-])$(printf '%s' "$l" | sed 's/[]\/$*.^[]/\\&/g')([^A-Za-z0-9_-]|$)"); done

hits=0
if ((${#files[@]} > 0)); then
  while IFS= read -r line; do
    hits=$((hits + 1))
    # file:line: and the matched text masked
    printf '%s\n' "$(printf '%s' "$line" | cut -c1-300 | sed -E 's/(upk_[A-Za-z0-9_-]{4})[A-Za-z0-9_-]+/\1…/g')"
  done < <(printf '%s\0' "${files[@]}" | xargs -0 grep -H -n -I -E -o "${patterns[@]}" 2>/dev/null || true)
fi
echo "secret-scan: ${#files[@]} files in ${places[*]:-nothing}; ${#literals[@]} literal keys; $hits hits"
((hits == 0))
