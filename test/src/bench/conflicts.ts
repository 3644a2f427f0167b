// Concurrency benchmark (issue #9, report item "MVCC_READ_CONFLICT share"): on a devnet with the U-Point chaincode,
// 50 concurrent token transfers spend from one holder of one stock lot, each naming its own input output, and 50
// concurrent split-transfers split one holder's 50 receivables; every transaction's validation code is counted.
// Goal: 0 % MVCC_READ_CONFLICT / PHANTOM_READ_CONFLICT. As the contrast, 50 concurrent transfers WITHOUT inputs (the
// chaincode then chooses inputs by scanning the holder's outputs of the lot, a range read) conflict by design.
//
// Each burst is the worst case for conflicts: all 50 proposals are endorsed first (all simulated on the same
// committed state), then all 50 are submitted at once, so they are ordered into the same block or adjacent ones.
//
//   node test/dist/bench/conflicts.js [--n 50]
//
// The helpers are shared with test/src/e2e/concurrency.e2e.ts, which asserts the same outcomes (no timings).
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Contract, Gateway } from '@hyperledger/fabric-gateway';
import { validationCodeName } from '@upoint/devnet/dist/protoutil';
import { REPO, TestNetwork, testConfig } from '../support/network';

export const CHAINCODE = join(REPO, 'chaincode');
export const MEMBERS = [
    { mspId: 'BrandMSP', name: 'Brand', roles: ['MANUFACTURER'] },
    { mspId: 'SupplierMSP', name: 'Supplier', roles: ['CUSTODIAN', 'SUPPLIER'] },
    { mspId: 'BankMSP', name: 'Bank', roles: ['FINANCIER'] },
    { mspId: 'RegulatorMSP', name: 'Regulator', roles: ['REGULATOR'] },
];
const utf8 = new TextDecoder();
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const json = (v: unknown): string => JSON.stringify(v);

/** A devnet with the U-Point chaincode deployed and bootstrapped, one fabric-gateway connection per org. */
export class UPoint {
    readonly #gateways = new Map<string, Gateway>();
    #seq = 0;

    constructor(
        readonly net: TestNetwork,
        readonly runId: string = `r${Date.now().toString(36)}`,
    ) {}

    /** Start a devnet at `offset` (see testConfig), deploy the chaincode and bootstrap the members. */
    static async start(offset: number): Promise<UPoint> {
        const net = new TestNetwork(testConfig(offset));
        try {
            await net.start();
            await net.deploy(CHAINCODE);
            await net.gateway('Brand', 'Admin').getNetwork('upoint').getContract('upoint', 'membership').submitTransaction('Bootstrap', json(MEMBERS));
        } catch (e) {
            await net.stop();
            throw e;
        }
        return new UPoint(net);
    }

    stop(): Promise<void> {
        return this.net.stop();
    }

    /** `org`'s User1 contract `family` (one gRPC connection per org, reused). */
    contract(org: string, family: string): Contract {
        let gw = this.#gateways.get(org);
        if (gw === undefined) {
            gw = this.net.gateway(org, 'User1', { commitStatusMs: 120_000 });
            this.#gateways.set(org, gw);
        }
        return gw.getNetwork('upoint').getContract('upoint', family);
    }

    /** A request id unique in this run. */
    rid(): string {
        this.#seq += 1;
        return `${this.runId}-${this.#seq}`;
    }

    /** A submit call (request id first), for `burst` or `submit`. */
    call(org: string, family: string, tx: string, ...args: string[]): Call {
        return { contract: this.contract(org, family), name: tx, args: [this.rid(), ...args] };
    }

    async submit<T>(org: string, family: string, tx: string, ...args: string[]): Promise<T> {
        const c = this.call(org, family, tx, ...args);
        return JSON.parse(utf8.decode(await c.contract.submitTransaction(c.name, ...c.args))) as T;
    }

    async evaluate<T>(org: string, family: string, tx: string, ...args: string[]): Promise<T> {
        return JSON.parse(utf8.decode(await this.contract(org, family).evaluateTransaction(tx, ...args))) as T;
    }
}

export interface Call {
    readonly contract: Contract;
    readonly name: string;
    readonly args: readonly string[];
}

export interface Outcome {
    readonly sent: number;
    /** Validation code name → count, e.g. { VALID: 49, MVCC_READ_CONFLICT: 1 }. */
    readonly codes: Readonly<Record<string, number>>;
    /** Proposals refused at endorsement (chaincode errors): never ordered. */
    readonly endorseFailures: readonly string[];
    /** MVCC_READ_CONFLICT + PHANTOM_READ_CONFLICT among the submitted transactions, 0..1. */
    readonly conflictShare: number;
    /** Distinct blocks the submitted transactions landed in. */
    readonly blocks: number;
    /** Each call's chaincode result (JSON) when VALID, else undefined; in call order. */
    readonly results: ReadonlyArray<unknown>;
}

/**
 * Endorse every call concurrently (all simulated on the same committed state), then submit them all at once and
 * wait for each commit status.
 */
export async function burst(calls: readonly Call[]): Promise<Outcome> {
    const endorsed = await Promise.allSettled(calls.map((c) => c.contract.newProposal(c.name, { arguments: [...c.args] }).endorse()));
    const endorseFailures: string[] = [];
    const submitted = await Promise.all(
        endorsed.map(async (e) => {
            if (e.status === 'rejected') {
                endorseFailures.push(errorText(e.reason));
                return undefined;
            }
            const commit = await e.value.submit();
            return { tx: e.value, status: await commit.getStatus() };
        }),
    );
    const codes: Record<string, number> = {};
    const blocks = new Set<bigint>();
    const results: unknown[] = [];
    let conflicts = 0;
    let ordered = 0;
    for (const s of submitted) {
        if (s === undefined) {
            results.push(undefined);
            continue;
        }
        ordered += 1;
        const name = validationCodeName(s.status.code);
        codes[name] = (codes[name] ?? 0) + 1;
        blocks.add(s.status.blockNumber);
        if (name === 'MVCC_READ_CONFLICT' || name === 'PHANTOM_READ_CONFLICT') conflicts += 1;
        results.push(s.status.successful ? (JSON.parse(utf8.decode(s.tx.getResult())) as unknown) : undefined);
    }
    return { sent: calls.length, codes, endorseFailures, conflictShare: ordered === 0 ? 0 : conflicts / ordered, blocks: blocks.size, results };
}

function errorText(e: unknown): string {
    if (e instanceof Error) {
        const details = (e as Error & { details?: Array<{ message: string }> }).details;
        return details && details.length > 0 ? `${e.message} (${details.map((d) => d.message).join('; ')})` : e.message;
    }
    return String(e);
}

/** Throw unless every call of the burst was VALID. */
export function requireAllValid(what: string, o: Outcome): void {
    if (o.endorseFailures.length > 0 || (o.codes['VALID'] ?? 0) !== o.sent) {
        throw new Error(`${what}: not all VALID: ${json({ codes: o.codes, endorseFailures: o.endorseFailures.slice(0, 3) })}`);
    }
}

// --- tokens ----------------------------------------------------------------------------------------------------

interface OutputJson {
    id: string;
    owner: string;
    quantity: string;
}
interface MoveJson {
    consumed: string[];
    created: OutputJson[];
}

export interface TokenSetup {
    readonly lotId: string;
    /** The holder whose outputs the bursts spend. */
    readonly holder: { readonly org: string; readonly mspId: string };
    /** `n` unspent outputs of the holder in the lot, each of `quantity`. */
    readonly outputs: readonly string[];
    readonly quantity: bigint;
}

/**
 * A tokenized lot and one holder (Bank) with `n` unspent outputs of it. Brand mints `mints` outputs (sequential: each
 * Mint writes the lot) and then, in rounds, spends each of them at once with a named input, paying Bank one output
 * per transfer (so the preparation itself uses the conflict-free path).
 */
export async function prepareTokens(u: UPoint, n: number, mints = 10, quantity = 100n): Promise<TokenSetup> {
    const perMint = BigInt(Math.ceil(n / mints) + 1) * quantity;
    const supply = perMint * BigInt(mints);
    const lot = await u.submit<{ id: string }>(
        'Brand',
        'tokens',
        'Deposit',
        json({ batchLotId: `LOT-${u.runId}`, sku: 'WINE-750', unit: 'bottle', quantity: supply.toString(), unitValuation: { amount: '2500', currency: 'CNY' }, custodian: 'SupplierMSP' }),
    );
    await u.submit('Supplier', 'tokens', 'Attest', lot.id, supply.toString());
    let brandOutputs: string[] = [];
    for (let i = 0; i < mints; i++) brandOutputs.push((await u.submit<OutputJson>('Brand', 'tokens', 'Mint', lot.id, perMint.toString())).id);
    const bank: string[] = [];
    while (bank.length < n) {
        const round = brandOutputs.slice(0, n - bank.length);
        const o = await burst(round.map((id) => u.call('Brand', 'tokens', 'Transfer', json({ lotId: lot.id, quantity: quantity.toString(), to: 'BankMSP', inputs: [id] }))));
        requireAllValid('preparing outputs', o);
        const next: string[] = [...brandOutputs.slice(round.length)];
        for (const r of o.results as MoveJson[]) {
            for (const c of r.created) (c.owner === 'BankMSP' ? bank : next).push(c.id);
        }
        brandOutputs = next;
    }
    return { lotId: lot.id, holder: { org: 'Bank', mspId: 'BankMSP' }, outputs: bank, quantity };
}

/** Each transfer spends its own named output of the holder: part to Supplier, change back to the holder. */
export function transfersWithInputs(u: UPoint, s: TokenSetup): Call[] {
    return s.outputs.map((id) =>
        u.call(s.holder.org, 'tokens', 'Transfer', json({ lotId: s.lotId, quantity: (s.quantity / 2n).toString(), to: 'SupplierMSP', inputs: [id] })),
    );
}

/** The same transfers without inputs: the chaincode chooses them (a range read over the holder's outputs). */
export function transfersWithoutInputs(u: UPoint, s: TokenSetup, n: number): Call[] {
    return Array.from({ length: n }, () => u.call(s.holder.org, 'tokens', 'Transfer', json({ lotId: s.lotId, quantity: '1', to: 'SupplierMSP' })));
}

export interface Supply {
    readonly minted: string;
    readonly redeemed: string;
    readonly total: string;
    readonly holders: ReadonlyArray<{ readonly mspId: string; readonly total: string }>;
}

/** Token conservation from the ledger: Σ holders = total unspent = minted − redeemed. */
export async function tokenConservation(u: UPoint, lotId: string): Promise<{ ok: boolean; supply: Supply }> {
    const supply = await u.evaluate<Supply>('Regulator', 'tokens', 'GetSupply', lotId);
    const sumHolders = supply.holders.reduce((a, h) => a + BigInt(h.total), 0n);
    const ok = sumHolders === BigInt(supply.total) && BigInt(supply.total) === BigInt(supply.minted) - BigInt(supply.redeemed);
    return { ok, supply };
}

// --- receivables -----------------------------------------------------------------------------------------------

export interface ReceivableJson {
    id: string;
    holder: string;
    amount: string;
    status: string;
}

/** `n` ACTIVE receivables issued by Brand to Supplier (issued and accepted in two concurrent bursts). */
export async function prepareReceivables(u: UPoint, n: number, amount = 1_000_000n): Promise<string[]> {
    const issued = await burst(
        Array.from({ length: n }, (_, i) =>
            u.call('Brand', 'receivables', 'Issue', 'SupplierMSP', amount.toString(), 'CNY', '2099-12-31', sha(`${u.runId}-invoice-${i}`), sha(`${u.runId}-contract`)),
        ),
    );
    requireAllValid('issuing receivables', issued);
    const ids = (issued.results as ReceivableJson[]).map((r) => r.id);
    requireAllValid('accepting receivables', await burst(ids.map((id) => u.call('Supplier', 'receivables', 'Accept', id))));
    return ids;
}

/** Supplier splits each receivable: half kept, half to Bank. */
export function splits(u: UPoint, ids: readonly string[], amount = 1_000_000n): Call[] {
    const half = (amount / 2n).toString();
    const rest = (amount - amount / 2n).toString();
    return ids.map((id) => u.call('Supplier', 'receivables', 'SplitTransfer', id, json([{ holder: 'SupplierMSP', amount: rest }, { holder: 'BankMSP', amount: half }])));
}

/** Receivable conservation from the ledger: each root's tree sums (live + settled) to the root's amount. */
export async function receivableConservation(u: UPoint, rootIds: readonly string[]): Promise<boolean> {
    for (const id of rootIds) {
        const t = await u.evaluate<{ amount: string; live: string; settled: string }>('Regulator', 'receivables', 'Tree', id);
        if (BigInt(t.live) + BigInt(t.settled) !== BigInt(t.amount)) return false;
    }
    return true;
}

// --- the benchmark ---------------------------------------------------------------------------------------------

export function conditions(u: UPoint, n: number): Record<string, unknown> {
    const b = u.net.cfg.orderer.batch;
    return {
        network: 'devnet',
        orderers: u.net.cfg.orderer.nodes.length,
        batchTimeoutMs: b.timeoutMs,
        maxMessageCount: b.maxMessageCount,
        preferredMaxBytes: b.preferredMaxBytes,
        endorsementPolicy: u.net.cfg.chaincode.endorsementPolicy,
        concurrency: n,
        mode: 'endorse all, then submit all',
        node: process.version,
        cores: availableParallelism(),
    };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

function line(what: string, o: Outcome): string {
    return `${what.padEnd(44)} sent ${o.sent}, ${Object.entries(o.codes).map(([k, v]) => `${k} ${v}`).join(', ')}${o.endorseFailures.length > 0 ? `, endorsement failures ${o.endorseFailures.length}` : ''}; blocks ${o.blocks}; MVCC/phantom share ${pct(o.conflictShare)}`;
}

async function main(): Promise<void> {
    const i = process.argv.indexOf('--n');
    const n = i > 0 ? Number(process.argv[i + 1]) : 50;
    const started = Date.now();
    const u = await UPoint.start(60000);
    try {
        console.log(`conditions ${json(conditions(u, n))}`);
        const t0 = Date.now();
        const tokens = await prepareTokens(u, 2 * n);
        const rcv = await prepareReceivables(u, n);
        console.log(`prepared ${tokens.outputs.length} outputs of one lot held by ${tokens.holder.mspId} and ${rcv.length} ACTIVE receivables held by SupplierMSP in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        const withInputs = await burst(transfersWithInputs(u, { ...tokens, outputs: tokens.outputs.slice(0, n) }));
        console.log(line(`${n} transfers, explicit inputs (goal 0 %)`, withInputs));
        const split = await burst(splits(u, rcv));
        console.log(line(`${n} split-transfers of one holder (goal 0 %)`, split));
        const without = await burst(transfersWithoutInputs(u, tokens, n));
        console.log(line(`${n} transfers, no inputs (contrast)`, without));
        // One transfer without inputs, alone (nothing concurrent): shows whether the range read itself validates.
        const alone = await burst(transfersWithoutInputs(u, tokens, 1));
        console.log(line('1 transfer, no inputs, alone', alone));
        const tc = await tokenConservation(u, tokens.lotId);
        const rc = await receivableConservation(u, rcv);
        console.log(`token conservation: ${tc.ok ? 'holds' : 'BROKEN'} (minted ${tc.supply.minted}, unspent ${tc.supply.total}); receivable conservation over ${rcv.length} trees: ${rc ? 'holds' : 'BROKEN'}`);
        const summary = {
            conditions: conditions(u, n),
            transfersWithInputs: { codes: withInputs.codes, conflictShare: withInputs.conflictShare, blocks: withInputs.blocks, goal: 0 },
            splitTransfers: { codes: split.codes, conflictShare: split.conflictShare, blocks: split.blocks, goal: 0 },
            transfersWithoutInputs: { codes: without.codes, conflictShare: without.conflictShare, blocks: without.blocks },
            transferWithoutInputsAlone: { codes: alone.codes },
            conservation: { tokens: tc.ok, receivables: rc },
            seconds: (Date.now() - started) / 1000,
        };
        console.log(`RESULT ${json(summary)}`);
        if (withInputs.conflictShare > 0 || split.conflictShare > 0 || !tc.ok || !rc) process.exitCode = 1;
    } finally {
        await u.stop();
    }
}

if (require.main === module) {
    main().catch((e: unknown) => {
        console.error(e);
        process.exit(1);
    });
}
