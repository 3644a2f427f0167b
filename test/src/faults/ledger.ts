// What the ledger says after a fault, independent of client memory: every peer's blocks (hash chain, header hashes
// and validation flags equal on every peer), each U-Point transaction decoded (signer MSP, request id = the
// Idempotency-Key, function, arguments, validation code), then the verdicts: lost (an acknowledged write that is not
// the one VALID transaction of its key), duplicated (a key with more than one VALID transaction), world state equal
// through every org's peer, token and receivable conservation summed from the ledger.
import type { Network } from '@hyperledger/fabric-gateway';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import { blockDataHash, blockHeaderHash } from '@upoint/devnet/dist/ledger/blockhash';
import { chainInfo, CHANNEL, processedTx, txFilter } from '../support/conformance';
import type { TestNetwork } from '../support/network';
import { READ_KEYS, sleep, type LoadClient, type LoadStats, type WriteRecord } from './load';

const utf8 = new TextDecoder();
const VALID = 0;

export interface LedgerTx {
    readonly txId: string;
    readonly block: number;
    readonly code: number;
    readonly mspId: string;
    /** `contract:Transaction` */
    readonly fn: string;
    readonly args: readonly string[];
}

/** Every peer at the same height (bounded). */
export async function settlePeers(networks: readonly Network[], timeoutMs = 60_000): Promise<bigint> {
    const until = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
        try {
            const heights = await Promise.all(networks.map(async (n) => BigInt((await chainInfo(n)).getHeight())));
            last = heights.join(', ');
            const max = heights.reduce((a, b) => (b > a ? b : a), 0n);
            if (heights.every((h) => h === max)) {
                // and still equal a moment later (nothing in flight)
                await sleep(600);
                const again = await Promise.all(networks.map(async (n) => BigInt((await chainInfo(n)).getHeight())));
                if (again.every((h) => h === max)) return max;
            }
        } catch (err) {
            last = String(err);
        }
        if (Date.now() > until) throw new Error(`peers did not settle at one height: ${last}`);
        await sleep(250);
    }
}

/** Blocks 0..height-1 from one peer (Deliver through the client). */
async function readBlocks(network: Network, height: bigint, timeoutMs = 120_000): Promise<common.Block[]> {
    const out: common.Block[] = [];
    if (height === 0n) return out;
    const blocks = await network.getBlockEvents({ startBlock: 0n });
    const timer = setTimeout(() => blocks.close(), timeoutMs);
    try {
        for await (const b of blocks) {
            out.push(b);
            if (BigInt(b.getHeader()?.getNumber() ?? 0) >= height - 1n) break;
        }
    } finally {
        clearTimeout(timer);
        blocks.close();
    }
    if (BigInt(out.length) !== height) throw new Error(`read ${out.length} of ${height} blocks`);
    return out;
}

function decodeTx(env: Uint8Array, block: number, code: number): LedgerTx | undefined {
    const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(env).getPayload_asU8());
    const header = payload.getHeader();
    if (!header) return undefined;
    const ch = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
    if (ch.getType() !== common.HeaderType.ENDORSER_TRANSACTION) return undefined;
    const sh = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
    const creator = msp.SerializedIdentity.deserializeBinary(sh.getCreator_asU8());
    const tx = peer.Transaction.deserializeBinary(payload.getData_asU8());
    const action = tx.getActionsList()[0];
    if (!action) return undefined;
    const cap = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    const cpp = peer.ChaincodeProposalPayload.deserializeBinary(cap.getChaincodeProposalPayload_asU8());
    const spec = peer.ChaincodeInvocationSpec.deserializeBinary(cpp.getInput_asU8()).getChaincodeSpec();
    const name = spec?.getChaincodeId()?.getName() ?? '';
    if (name !== 'upoint') return undefined;
    const args = (spec?.getInput()?.getArgsList_asU8() ?? []).map((a) => utf8.decode(a));
    const [fn, ...rest] = args;
    return { txId: ch.getTxId(), block, code, mspId: creator.getMspid(), fn: fn ?? '', args: rest };
}

export interface ChainCheck {
    readonly height: bigint;
    readonly txs: readonly LedgerTx[];
}

/**
 * Every peer's chain from block 0: linked (data hash, previous hash), and the same header hash and validation flags
 * for every block on every peer. Returns the decoded U-Point transactions.
 */
export async function checkChains(networks: readonly Network[], names: readonly string[]): Promise<ChainCheck> {
    const height = await settlePeers(networks);
    const chains = await Promise.all(networks.map((n) => readBlocks(n, height)));
    const [first] = chains;
    if (!first) throw new Error('no peers');
    let prev: common.BlockHeader | undefined;
    const txs: LedgerTx[] = [];
    for (const [n, b] of first.entries()) {
        const header = b.getHeader();
        const data = b.getData();
        if (!header || !data) throw new Error(`block ${n} without header or data`);
        expect(header.getNumber()).toBe(n);
        expect(Buffer.from(header.getDataHash_asU8()).toString('hex')).toBe(Buffer.from(blockDataHash(data)).toString('hex'));
        expect(Buffer.from(header.getPreviousHash_asU8()).toString('hex')).toBe(prev ? Buffer.from(blockHeaderHash(prev)).toString('hex') : '');
        prev = header;
        const hash = Buffer.from(blockHeaderHash(header)).toString('hex');
        const flags = Buffer.from(txFilter(b)).toString('hex');
        for (const [i, other] of chains.entries()) {
            const oh = other[n]?.getHeader();
            if (!oh) throw new Error(`${names[i] ?? i}: no block ${n}`);
            expect({ peer: names[i], block: n, hash: Buffer.from(blockHeaderHash(oh)).toString('hex') }).toEqual({ peer: names[i], block: n, hash });
            expect({ peer: names[i], block: n, flags: Buffer.from(txFilter(other[n] as common.Block)).toString('hex') }).toEqual({ peer: names[i], block: n, flags });
        }
        const codes = txFilter(b);
        for (const [i, env] of data.getDataList_asU8().entries()) {
            const t = decodeTx(env, n, codes[i] ?? 255);
            if (t) txs.push(t);
        }
    }
    return { height, txs };
}

export interface Verdict {
    readonly requests: number;
    readonly sent: number;
    readonly acknowledged: number;
    readonly replayed: number;
    readonly failedCleanly: number;
    readonly unclean: number;
    readonly rejected: number;
    readonly gaveUp: number;
    readonly lost: number;
    readonly duplicated: number;
    readonly failures: Record<string, number>;
    readonly codes: Record<string, number>;
    /** This scenario's transactions the ledger holds as not VALID: `family fn code` → count (a retry's losing copy). */
    readonly invalid: Record<string, number>;
    readonly slowest: { readonly ms: number; readonly outcome: string };
    readonly problems: string[];
}

async function pool<T>(items: readonly T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
    let next = 0;
    await Promise.all(
        Array.from({ length: Math.min(n, items.length) }, async () => {
            for (let i = next++; i < items.length; i = next++) await fn(items[i] as T);
        }),
    );
}

/** The same read through every org's peer (one gateway key per org): the answers must be equal; returns one. */
async function readEverywhere<T>(c: LoadClient, path: string, problems: string[]): Promise<T> {
    const answers = await Promise.all(READ_KEYS.map((k) => c.read<T>(k, path)));
    const [a] = answers;
    for (const [i, b] of answers.entries()) {
        if (JSON.stringify(b) !== JSON.stringify(a)) problems.push(`${path}: ${READ_KEYS[i] ?? i}'s peer answers differently from ${READ_KEYS[0]}'s`);
    }
    return a as T;
}

interface TreeNode {
    readonly id: string;
    readonly amount: string;
    readonly status: string;
    readonly children: readonly TreeNode[];
}

const leafTotal = (n: TreeNode): bigint => (n.status !== 'SPLIT' ? BigInt(n.amount) : n.children.reduce((s, c) => s + leafTotal(c), 0n));

/**
 * The verdict over `stats` (this scenario's writes) and the whole ledger: lost, duplicated, VALID through the gateway,
 * world state equal through every peer, conservation of every stock lot and every receivable tree in the ledger.
 */
export async function verify(net: TestNetwork, c: LoadClient, stats: LoadStats): Promise<Verdict> {
    const orgs = net.cfg.orgs.map((o) => o.name);
    const networks = orgs.map((o) => net.gateway(o).getNetwork(CHANNEL));
    const { txs } = await checkChains(networks, orgs);
    const problems: string[] = [...stats.unclean];

    // (signer MSP, request id) → its transactions in the ledger
    const byKey = new Map<string, LedgerTx[]>();
    for (const t of txs) {
        const requestId = t.args[0];
        if (requestId === undefined || t.fn.startsWith('membership:')) continue;
        const k = `${t.mspId}/${requestId}`;
        byKey.set(k, [...(byKey.get(k) ?? []), t]);
    }
    const validOf = (r: WriteRecord): LedgerTx[] => (byKey.get(`${r.mspId}/${r.key}`) ?? []).filter((t) => t.code === VALID);

    let lost = 0;
    let duplicated = 0;
    const invalid: Record<string, number> = {};
    for (const r of stats.records) {
        for (const t of byKey.get(`${r.mspId}/${r.key}`) ?? []) {
            if (t.code === VALID) continue;
            const k = `${t.fn}:${t.code}`;
            invalid[k] = (invalid[k] ?? 0) + 1;
        }
        const valid = validOf(r);
        if (valid.length > 1) {
            duplicated++;
            problems.push(`duplicated: ${r.mspId} ${r.key} → ${valid.length} VALID transactions ${valid.map((t) => t.txId).join(', ')}`);
        }
        if (r.rejected !== undefined || r.gaveUp === true) {
            const inLedger = (byKey.get(`${r.mspId}/${r.key}`) ?? []).map((t) => `${t.txId}:${t.code === VALID ? 'VALID' : t.code}@${t.block}`);
            problems.push(
                `${r.rejected !== undefined ? `rejected ${r.rejected.status} ${r.rejected.code} "${r.rejected.detail}"` : 'gave up'}: ${r.as} POST ${r.path} key ${r.key} after ${r.attempts} attempt(s); ledger: ${JSON.stringify(inLedger)}`,
            );
        }
        if (r.ack !== undefined && !valid.some((t) => t.txId === r.ack?.txId)) {
            lost++;
            problems.push(`lost: ${r.mspId} ${r.key} acknowledged as ${r.ack.txId}, ledger has VALID ${JSON.stringify(valid.map((t) => t.txId))}`);
        }
    }
    // every acknowledged write is VALID through the gateway too (GET /v1/transactions/{txId}, through the signer's peer)
    await pool(
        stats.records.filter((r) => r.ack !== undefined),
        8,
        async (r) => {
            const txId = r.ack?.txId ?? '';
            const t = await c.get<{ status?: string }>(r.as, `/v1/transactions/${encodeURIComponent(txId)}`);
            if (t.status !== 200 || t.body.status !== 'VALID') {
                lost++;
                problems.push(`lost: ${r.key} ${txId}: GET /v1/transactions → ${t.status} ${JSON.stringify(t.body)}`);
            }
        },
    );

    // ... and VALID on every peer, asked through qscc GetTransactionByID
    await pool(
        stats.records.filter((r) => r.ack !== undefined),
        8,
        async (r) => {
            const txId = r.ack?.txId ?? '';
            for (const [i, n] of networks.entries()) {
                const code = (await processedTx(n, txId)).getValidationcode();
                if (code !== VALID) {
                    lost++;
                    problems.push(`lost: ${r.key} ${txId} is ${code} on ${orgs[i] ?? i}'s peer (qscc)`);
                }
            }
        },
    );

    const valid = txs.filter((t) => t.code === VALID);
    // tokens: every stock lot in the ledger conserves its tokens, summed from every holder's unspent outputs
    const lots = valid.filter((t) => t.fn === 'tokens:Deposit').map((t) => t.txId);
    for (const lot of lots) {
        const q = encodeURIComponent(lot);
        const supply = await readEverywhere<{ minted: string; redeemed: string; total: string }>(c, `/v1/stock-lots/${q}/supply`, problems);
        let held = 0n;
        for (const o of net.cfg.orgs) {
            const b = await readEverywhere<{ total: string }>(c, `/v1/balances?owner=${o.mspId}&stockLotId=${q}`, problems);
            held += BigInt(b.total);
            // what this org received by VALID transfers of this lot, from the ledger's transactions
            if (o.mspId !== 'BrandMSP') {
                const received = valid
                    .filter((t) => t.fn === 'tokens:Transfer')
                    .map((t) => JSON.parse(t.args[1] ?? '{}') as { lotId?: string; to?: string; quantity?: string })
                    .filter((x) => x.lotId === lot && x.to === o.mspId)
                    .reduce((s, x) => s + BigInt(x.quantity ?? '0'), 0n);
                if (received !== BigInt(b.total)) problems.push(`tokens of ${lot}: ${o.mspId} holds ${b.total}, VALID transfers to it sum to ${received}`);
            }
        }
        const outstanding = BigInt(supply.minted) - BigInt(supply.redeemed);
        if (held !== outstanding) problems.push(`token conservation of ${lot}: Σ balances ${held} ≠ minted − redeemed ${outstanding}`);
    }
    // receivables: for every root in the ledger, Σ leaves = root amount
    const roots = valid.filter((t) => t.fn === 'receivables:Issue').map((t) => ({ id: t.txId, amount: BigInt(t.args[2] ?? '0') }));
    await pool(roots, 4, async (root) => {
        const tree = await readEverywhere<{ amount: string; live: string; settled: string; tree: TreeNode }>(c, `/v1/receivables/${encodeURIComponent(root.id)}/tree`, problems);
        const leaves = leafTotal(tree.tree);
        if (leaves !== root.amount || BigInt(tree.amount) !== root.amount || BigInt(tree.live) + BigInt(tree.settled) !== root.amount) {
            problems.push(`receivable conservation of ${root.id}: root ${root.amount}, tree ${tree.amount}, Σ leaves ${leaves}, live+settled ${BigInt(tree.live) + BigInt(tree.settled)}`);
        }
    });
    // provenance: each lot's timeline holds exactly the VALID RecordEvent transactions on it, once each
    const createdLots = valid.filter((t) => t.fn === 'provenance:CreateLot').map((t) => (JSON.parse(t.args[1] ?? '{}') as { id: string }).id);
    await pool(createdLots, 4, async (lotId) => {
        const tl = await readEverywhere<{ events: Array<{ txId: string; bizStep: string }> }>(c, `/v1/lots/${encodeURIComponent(lotId)}/events`, problems);
        const inTimeline = tl.events.filter((e) => e.bizStep === 'storing').map((e) => e.txId).sort();
        const inLedger = valid
            .filter((t) => t.fn === 'provenance:RecordEvent' && (JSON.parse(t.args[1] ?? '{}') as { lots?: Array<{ lotId: string }> }).lots?.[0]?.lotId === lotId)
            .map((t) => t.txId)
            .sort();
        if (JSON.stringify(inTimeline) !== JSON.stringify(inLedger)) problems.push(`lot ${lotId}: timeline has ${inTimeline.length} storing events, the ledger ${inLedger.length} VALID RecordEvent`);
    });

    const recs = stats.records;
    return {
        requests: recs.length,
        sent: recs.reduce((s, r) => s + r.attempts, 0),
        acknowledged: recs.filter((r) => r.ack !== undefined).length,
        replayed: recs.filter((r) => r.ack?.replayed === true).length,
        failedCleanly: recs.reduce((s, r) => s + r.cleanFailures, 0),
        unclean: recs.reduce((s, r) => s + r.uncleanFailures, 0),
        rejected: recs.filter((r) => r.rejected !== undefined).length,
        gaveUp: recs.filter((r) => r.gaveUp === true).length,
        lost,
        duplicated,
        failures: stats.failures,
        codes: stats.codes,
        invalid,
        slowest: stats.slowest,
        problems,
    };
}

/** One line per scenario, then the problems (if any). */
export function report(scenario: string, v: Verdict, extra = ''): void {
    const fails = Object.entries(v.failures)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ');
    const codes = Object.entries(v.codes)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ');
    const invalid = Object.entries(v.invalid)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ');
    process.stdout.write(
        `faults ${scenario}: sent=${v.sent} (requests=${v.requests}) acknowledged=${v.acknowledged} (replayed=${v.replayed}) failed cleanly=${v.failedCleanly} [${fails}] {${codes}} ` +
            `unclean=${v.unclean} rejected=${v.rejected} gave up=${v.gaveUp} lost=${v.lost} duplicated=${v.duplicated}; not VALID in the ledger: {${invalid}}; slowest attempt ${(v.slowest.ms / 1000).toFixed(1)} s: ${v.slowest.outcome}${extra}\n`,
    );
    for (const p of v.problems.slice(0, 30)) process.stdout.write(`  problem: ${p}\n`);
}

/** The assertions every scenario makes. */
export function expectClean(v: Verdict): void {
    expect({ lost: v.lost, duplicated: v.duplicated }).toEqual({ lost: 0, duplicated: 0 });
    expect(v.problems).toEqual([]);
    expect({ unclean: v.unclean, rejected: v.rejected, gaveUp: v.gaveUp }).toEqual({ unclean: 0, rejected: 0, gaveUp: 0 });
    expect(v.acknowledged).toBeGreaterThan(0);
}
