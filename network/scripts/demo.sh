#!/usr/bin/env bash
# Walks through the chaincode's three asset families on a running network with deployed chaincode,
# through the admin CLI (devnet invoke|query), then shows the regulator's read-only access.
#
#   1. provenance: raw material → process (fees, taxes, documents) → inspection → packing → shipping →
#      receiving → bottles commissioned → a consumer's scan (GENUINE) and a second scan elsewhere (SUSPECT)
#   2. stock tokens: deposit with a custodian → attest → mint → offer → purchase paid by a receivable (DvP)
#   3. receivables: issue → accept → split → finance at a discount → settle → confirm; tree and credit record
#   4. regulator: reads work, a write is refused (FORBIDDEN)
#
# Usage: demo.sh            (env NETWORK_FILE, DEVNET_DIR default to the Makefile's; DEMO_RUN_ID to fix the ids)
# Every id carries a run id, so the demo can run again on the same network. Any failing command stops it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
shopt -s inherit_errexit
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

NETWORK_FILE="${NETWORK_FILE:-network/upoint.network.yaml}"
DEVNET_DIR="${DEVNET_DIR:-.devnet}"
RUN="${DEMO_RUN_ID:-$(date +%s)}"
CLI=(node "$REPO_ROOT/network/devnet/dist/cli.js")
AT='2024-05-01T08:00:00.000000000Z'
cd "$REPO_ROOT"
[[ -f "$NETWORK_FILE" ]] || die "network file $NETWORK_FILE not found (set NETWORK_FILE)"
[[ -d "$DEVNET_DIR" ]] || die "network directory $DEVNET_DIR not found (set DEVNET_DIR; start the network first)"

# --- helpers --------------------------------------------------------------------------------------

# A fresh request id for this run. The counter lives in a file: rid runs inside command substitutions.
SEQ_FILE="$(mktemp "${TMPDIR:-/tmp}/upoint-demo-seq.XXXXXX")"
trap 'rm -f "$SEQ_FILE"' EXIT
echo 0 >"$SEQ_FILE"
rid() {
    local n
    n=$(($(<"$SEQ_FILE") + 1))
    echo "$n" >"$SEQ_FILE"
    printf 'demo-%s-%d' "$RUN" "$n"
}

heading() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }
say()     { printf '  %s\n' "$*"; }

# invoke ORG[/USER] CONTRACT:FN ARGS... — submits, waits for the commit; prints the tx id (stdout). Dies on failure.
invoke() {
    local who="$1"; shift
    local org="${who%%/*}" user=User1 out
    [[ "$who" == */* ]] && user="${who#*/}"
    if ! out=$("${CLI[@]}" invoke --network "$NETWORK_FILE" --dir "$DEVNET_DIR" --org "$org" --user "$user" "$@" 2>&1); then
        printf '%s\n' "$out" >&2
        die "invoke $1 as $org/$user failed"
    fi
    local tx
    tx=$(sed -n 's/.*transaction \([0-9a-fA-F]*\) committed VALID.*/\1/p' <<<"$out")
    [[ -n "$tx" ]] || { printf '%s\n' "$out" >&2; die "invoke $1 as $org/$user: no committed transaction id in the output"; }
    printf '%s' "$tx"
}

# query ORG[/USER] CONTRACT:FN ARGS... — evaluates; prints the JSON result. Dies on failure.
query() {
    local who="$1"; shift
    local org="${who%%/*}" user=User1 out
    [[ "$who" == */* ]] && user="${who#*/}"
    if ! out=$("${CLI[@]}" query --network "$NETWORK_FILE" --dir "$DEVNET_DIR" --org "$org" --user "$user" "$@" 2>&1); then
        printf '%s\n' "$out" >&2
        die "query $1 as $org/$user failed"
    fi
    printf '%s' "$out"
}

# step ORG[/USER] CONTRACT:FN ARGS... — invoke with a fresh request id as the first argument; prints the tx id.
step() {
    local who="$1" fn="$2"; shift 2
    local id
    id=$(rid)
    invoke "$who" "$fn" "$id" "$@"
}

# jget EXPR — evaluates a JavaScript expression over the JSON on stdin (bound to `v`); strings are printed raw.
jget() {
    node -e '
        const v = JSON.parse(require("fs").readFileSync(0, "utf8"));
        const r = new Function("v", "return (" + process.argv[1] + ");")(v);
        if (r === undefined) { console.error("jget: " + process.argv[1] + " is undefined"); process.exit(1); }
        process.stdout.write(typeof r === "string" ? r : JSON.stringify(r));
    ' "$1"
}

# ask EXPR ORG[/USER] CONTRACT:FN ARGS... — queries, and sets R to jget EXPR over the result. It runs in this
# shell, not in a command substitution, so a failed query or a missing field stops the script.
R=''
ask() {
    local expr="$1" json
    shift
    json=$(query "$@")
    R=$(jget "$expr" <<<"$json")
}

# sha256 TEXT — SHA-256 hex of a UTF-8 string.
sha256() { node -e 'process.stdout.write(require("crypto").createHash("sha256").update(process.argv[1], "utf8").digest("hex"))' "$1"; }

# expect_eq WHAT ACTUAL EXPECTED — dies unless equal.
expect_eq() { [[ "$2" == "$3" ]] || die "$1: expected $3, got $2"; }

# --- 1. provenance --------------------------------------------------------------------------------

provenance_walkthrough() {
    heading "1. Provenance: from grape must to a verified bottle (run $RUN)"
    local must="must-$RUN" reserve="reserve-$RUN" raw="must-lot-$RUN" bottled="bottled-$RUN" cert invoice tx
    cert=$(sha256 "lab-certificate-$RUN.pdf")
    invoice=$(sha256 "invoice-$RUN")

    step Brand provenance:CreateProduct "{\"id\":\"$must\",\"sku\":\"MUST-RED\",\"model\":\"bulk\",\"name\":\"Grape must\"}" >/dev/null
    step Brand provenance:CreateProduct "{\"id\":\"$reserve\",\"sku\":\"RES-2023\",\"model\":\"750ml\",\"name\":\"Reserve 2023\"}" >/dev/null
    tx=$(step Brand provenance:CreateLot "{\"id\":\"$raw\",\"productId\":\"$must\",\"quantity\":\"1000\",\"unit\":\"L\"}")
    say "Brand created products $must, $reserve and raw lot $raw (1000 L)   tx ${tx:0:12}…"

    step Brand provenance:RecordEvent "{\"lots\":[{\"lotId\":\"$raw\",\"quantity\":\"1000\"}],\"bizStep\":\"commissioning\",\"disposition\":\"in_progress\",\"eventTime\":\"$AT\",\"readPoint\":\"vineyard-7\",\"fees\":[{\"kind\":\"TAX\",\"description\":\"excise\",\"amount\":\"12000\",\"currency\":\"EUR\"}],\"documents\":[{\"type\":\"INVOICE\",\"sha256\":\"$invoice\"}]}" >/dev/null
    step Brand provenance:RecordEvent "{\"lots\":[{\"lotId\":\"$raw\",\"quantity\":\"1000\"}],\"bizStep\":\"sampling\",\"disposition\":\"in_progress\",\"eventTime\":\"$AT\"}" >/dev/null
    say "Brand recorded the process: commissioning at vineyard-7 (excise tax 120.00 EUR, invoice hash), sampling"

    step Supplier provenance:RecordInspection "{\"lotId\":\"$raw\",\"result\":\"CONFORMANT\",\"certificateHash\":\"$cert\"}" >/dev/null
    ask 'v.status + ", certificate " + v.inspection.certificateHash.slice(0, 16) + "…"' Brand provenance:GetLot "$raw"
    say "Supplier (INSPECTOR) inspected $raw: $R"

    step Brand provenance:Transform "{\"inputs\":[{\"lotId\":\"$raw\",\"quantity\":\"1000\"}],\"output\":{\"id\":\"$bottled\",\"productId\":\"$reserve\",\"quantity\":\"960\",\"unit\":\"L\"},\"minYieldPercent\":90,\"maxYieldPercent\":100}" "{\"eventTime\":\"$AT\",\"bizLocation\":\"winery\"}" >/dev/null
    step Brand provenance:RecordEvent "{\"lots\":[{\"lotId\":\"$bottled\",\"quantity\":\"960\"}],\"bizStep\":\"sampling\",\"disposition\":\"in_progress\",\"eventTime\":\"$AT\"}" >/dev/null
    step Supplier provenance:RecordInspection "{\"lotId\":\"$bottled\",\"result\":\"CONFORMANT\",\"certificateHash\":\"$cert\"}" >/dev/null
    say "Brand packed 1000 L of must into lot $bottled (960 L, yield 96%); Supplier inspected it: CONFORMANT"

    step Brand provenance:Ship "$bottled" SupplierMSP "{\"eventTime\":\"$AT\",\"fees\":[{\"kind\":\"FREIGHT\",\"description\":\"truck\",\"amount\":\"30000\",\"currency\":\"EUR\"}]}" >/dev/null
    ask 'v.status + ", holder " + v.holder' Brand provenance:GetLot "$bottled"
    say "Brand shipped $bottled to SupplierMSP (freight 300.00 EUR): $R"
    step Supplier provenance:Receive "$bottled" "{\"eventTime\":\"$AT\",\"bizLocation\":\"store-paris\"}" >/dev/null
    ask 'v.status + ", holder " + v.holder' Supplier provenance:GetLot "$bottled"
    say "Supplier received it at store-paris: $R"

    local s1="RES-$RUN-1" s2="RES-$RUN-2" c1="secret-$RUN-1" c2="secret-$RUN-2" h1 h2
    h1=$(sha256 "$c1")
    h2=$(sha256 "$c2")
    step Brand provenance:CommissionUnits "$bottled" "[{\"serial\":\"$s1\",\"codeHash\":\"$h1\"},{\"serial\":\"$s2\",\"codeHash\":\"$h2\"}]" >/dev/null
    say "Brand commissioned bottles $s1, $s2 (only the SHA-256 of each secret code is on the ledger)"

    # The consumer's app (Bank's User1 here; Verify is public): the verdict is what the scan computes; the scan
    # itself is then recorded by a public submit (the CLI's invoke prints the tx id, not the result).
    local verdict
    verdict=$(query Bank/User1 provenance:VerifyReadOnly "$s1" "$c1" Paris)
    tx=$(invoke Bank/User1 provenance:Verify "$s1" "$c1" Paris)
    R=$(jget 'v.verdict' <<<"$verdict")
    say "Consumer scan of $s1 in Paris: $R   (scan recorded in tx ${tx:0:12}…)"
    expect_eq "first scan" "$R" GENUINE
    jget '[
        "lot " + v.provenance.lot.id + " (" + v.provenance.lot.status + ", held by " + v.provenance.lot.holder + ")",
        "timeline: " + v.provenance.events.map((e) => e.bizStep).join(" → "),
        "from: " + v.provenance.ancestors.map((a) => a.lot.id + " [" + a.events.map((e) => e.bizStep).join(" → ") + "]").join(", "),
        "fees: " + [...v.provenance.ancestors.flatMap((a) => a.events), ...v.provenance.events].flatMap((e) => e.fees || []).map((f) => f.kind + " " + f.amount + " " + f.currency).join(", "),
    ].map((l) => "    " + l).join("\n")' <<<"$verdict"
    echo

    verdict=$(query Bank/User1 provenance:VerifyReadOnly "$s1" "$c1" Shanghai)
    tx=$(invoke Bank/User1 provenance:Verify "$s1" "$c1" Shanghai)
    R=$(jget 'v.verdict + " (" + v.reasons.join(", ") + "; previous scan in " + v.previousScan.location + ")"' <<<"$verdict")
    say "Second scan of $s1, in Shanghai: $R   (tx ${tx:0:12}…)"
    R=$(jget 'v.verdict' <<<"$verdict")
    expect_eq "second scan" "$R" SUSPECT
}

# --- 2. stock tokens ------------------------------------------------------------------------------

# payment_receivable ISSUER OFFER_ID — the id of the receivable ISSUER issued to pay for offer OFFER_ID (the
# CLI's invoke prints the tx id, not Purchase's result): pages through the issuer's receivables.
payment_receivable() {
    local issuer="$1" offer="$2" bookmark='' page found
    while :; do
        page=$(query Bank receivables:ListByIssuer "$issuer" 100 "$bookmark")
        found=$(jget "(v.items.find((r) => r.reference === 'offer:$offer') || { id: '' }).id" <<<"$page")
        [[ -n "$found" ]] && { printf '%s' "$found"; return 0; }
        bookmark=$(jget 'v.bookmark || ""' <<<"$page")
        [[ -n "$bookmark" ]] || die "no receivable issued by $issuer for offer $offer"
    done
}

tokens_walkthrough() {
    heading "2. Stock tokens: idle stock → tokens → sold against a receivable (DvP)"
    local lot offer buy receivable
    lot=$(step Brand tokens:Deposit "{\"batchLotId\":\"LOT-$RUN\",\"sku\":\"WINE-750\",\"unit\":\"bottle\",\"quantity\":\"1000\",\"unitValuation\":{\"amount\":\"2500\",\"currency\":\"CNY\"},\"custodian\":\"SupplierMSP\"}")
    say "Brand deposited 1000 bottles (batch LOT-$RUN) with custodian SupplierMSP: stock lot $lot"
    step Supplier tokens:Attest "$lot" 900 >/dev/null
    ask 'v.status + ", attested " + v.attested' Supplier tokens:GetStockLot "$lot"
    say "Supplier (CUSTODIAN) attested 900 bottles in the warehouse: $R"
    step Brand tokens:Mint "$lot" 600 >/dev/null
    ask 'v.status + ", minted " + v.minted' Brand tokens:GetStockLot "$lot"
    say "Brand minted 600 tokens: $R"
    offer=$(step Brand tokens:Offer "{\"lotId\":\"$lot\",\"quantity\":\"200\",\"unitPrice\":{\"amount\":\"3000\",\"currency\":\"CNY\"},\"payment\":{\"maturityDays\":90}}")
    say "Brand offered 200 tokens at 30.00 CNY each, paid by a 90-day receivable: offer $offer"
    buy=$(step Bank tokens:Purchase "$offer" 150)
    ask '"offer " + v.status + ", remaining " + v.remaining' Bank tokens:GetOffer "$offer"
    say "Bank purchased 150 tokens in tx $buy: $R"
    receivable=$(payment_receivable BankMSP "$offer")
    say "Delivery-versus-payment, same transaction: receivable $receivable"
    ask '"issuer " + v.issuer + " → holder " + v.holder + ", " + v.amount + " " + v.currency + " (minor units), due " + v.maturityDate + ", " + v.status' Bank receivables:Get "$receivable"
    say "  $R"
    local who
    for who in BrandMSP BankMSP; do
        ask '"available " + v.available + ", locked " + v.locked + ", total " + v.total' Bank tokens:Balance "$who" "$lot"
        say "Balance $who: $R"
    done
    ask '"minted " + v.minted + ", redeemed " + v.redeemed + ", total " + v.total' Bank tokens:GetSupply "$lot"
    say "Supply: $R"
}

# --- 3. receivables -------------------------------------------------------------------------------

receivables_walkthrough() {
    heading "3. Receivables: issue → accept → split → finance → settle"
    local root kept passed tx leaf holder invoice contract
    invoice=$(sha256 "invoice-rcv-$RUN")
    contract=$(sha256 "contract-rcv-$RUN")
    root=$(step Brand receivables:Issue SupplierMSP 1000000 CNY 2099-12-31 "$invoice" "$contract")
    RCV_ROOT="$root"
    say "Brand issued receivable $root to SupplierMSP: 10000.00 CNY, due 2099-12-31"
    step Supplier receivables:Accept "$root" >/dev/null
    ask 'v.status' Supplier receivables:Get "$root"
    say "Supplier accepted it: $R"
    tx=$(step Supplier receivables:SplitTransfer "$root" '[{"holder":"SupplierMSP","amount":"700000"},{"holder":"BankMSP","amount":"300000"}]')
    kept=$(query Supplier receivables:Get "$root" | jget 'v.children[0]')
    passed=$(query Supplier receivables:Get "$root" | jget 'v.children[1]')
    say "Supplier split it (tx ${tx:0:12}…): keeps $kept (7000.00), passed $passed (3000.00) to BankMSP"
    step Supplier receivables:RequestFinancing "$kept" BankMSP >/dev/null
    ask 'v.status' Supplier receivables:Get "$kept"
    say "Supplier asked BankMSP to finance $kept: $R"
    step Bank receivables:Finance "$kept" 672000 >/dev/null
    ask '"paid " + v.financing.discountedAmount + " for " + v.amount + " (" + v.financing.discountBps + " bps), holder now " + v.holder' Bank receivables:Get "$kept"
    say "Bank financed it at a discount: $R"
    for leaf in "$kept" "$passed"; do
        step Brand receivables:Settle "$leaf" >/dev/null
        holder=$(query Brand receivables:Get "$leaf" | jget 'v.holder')
        step "${holder%MSP}" receivables:ConfirmSettlement "$leaf" >/dev/null
        ask 'v.status' "${holder%MSP}" receivables:Get "$leaf"
        say "Brand paid $leaf; its holder $holder confirmed: $R"
    done
    say "Split tree of $root:"
    query Bank receivables:Tree "$root" | jget '(() => {
        const lines = ["total " + v.amount + ", settled " + v.settled + ", live " + v.live];
        const walk = (n, d) => { lines.push("  ".repeat(d) + "└ " + n.id + "  " + n.holder + "  " + n.amount + "  " + n.status); n.children.forEach((c) => walk(c, d + 1)); };
        walk(v.tree, 0);
        return lines.map((l) => "    " + l).join("\n");
    })()'
    echo
    ask '"settlements " + v.settlements + ", on time " + (v.onTimeBps / 100) + "%, " + v.currencies.map((c) => c.currency + " on time " + c.onTime.count + " (" + c.onTime.amount + "), late " + c.late.count + ", overdue unpaid " + c.overdueUnpaid.count).join("; ")' Bank receivables:CreditRecord BrandMSP
    say "Brand's credit record: $R"
}

# --- 4. regulator ---------------------------------------------------------------------------------

regulator_walkthrough() {
    heading "4. Regulator: reads everything, writes nothing"
    ask '(Array.isArray(v) ? v : v.items).map((m) => m.name + " [" + m.roles.join(",") + "]").join(", ")' Regulator membership:ListMembers
    say "ListMembers: $R"
    ask 'v.status' Regulator receivables:Get "$RCV_ROOT"
    say "receivables:Get $RCV_ROOT → $R"
    local out id invoice contract
    id=$(rid)
    invoice=$(sha256 "reg-$RUN")
    contract=$(sha256 "reg-c-$RUN")
    if out=$("${CLI[@]}" invoke --network "$NETWORK_FILE" --dir "$DEVNET_DIR" --org Regulator --user User1 \
        receivables:Issue "$id" SupplierMSP 5 CNY 2099-12-31 "$invoice" "$contract" 2>&1); then
        printf '%s\n' "$out" >&2
        die "the regulator's write was accepted"
    fi
    local line
    line=$(grep -m1 -o 'FORBIDDEN[^"]*' <<<"$out") || { printf '%s\n' "$out" >&2; die "the regulator's write failed, but not with FORBIDDEN"; }
    say "A write attempt (receivables:Issue) is refused: $line"
}

main() {
    log "demo on $NETWORK_FILE ($DEVNET_DIR), run id $RUN, scripts in $SCRIPT_DIR"
    query Brand membership:ListMembers >/dev/null || die "the chaincode is not deployed (run make deploy)"
    provenance_walkthrough
    tokens_walkthrough
    receivables_walkthrough
    regulator_walkthrough
    printf '\n'
    log "demo complete (run $RUN)"
}

main "$@"
