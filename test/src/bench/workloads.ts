// The benchmark's workloads and the ledger state they need.
// - ceiling: the tiny kv chaincode (test/fixtures/kvcc) — Noop submit, one Put submit, one Get evaluate.
// - ours: U-Point token transfer, receivable split-transfer, provenance event append, get-by-id — each directly
//   through fabric-gateway and over HTTP through the REST gateway (its own process).
// Every worker owns its inputs (its own stock lot, its own receivable chain, its own provenance lot), so the
// workloads measure throughput, not conflicts; the `shared` probe measures the conflicts when 50 workers spend
// from one holder's outputs of one stock lot (explicit, distinct inputs).
import type { Contract } from '@hyperledger/fabric-gateway';
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { HttpError } from './measure';

const utf8 = new TextDecoder();
export type Op = (worker: number, iteration: number) => Promise<void>;

export interface Workload {
    readonly name: string;
    readonly group: 'ceiling' | 'ours';
    readonly kind: 'submit' | 'evaluate';
    readonly path: 'direct' | 'rest';
    /** the U-Point operation it measures (shared by its direct and REST forms) */
    readonly op: string;
    readonly run: Op;
}

/** Contracts by org name, for one chaincode. */
export type Contracts = (org: string, contract: string) => Contract;

/** A small HTTP/1.1 keep-alive JSON client for the REST gateway (cheaper than fetch, so the client costs little). */
export class Rest {
    readonly #agent: Agent;
    constructor(
        readonly base: string,
        readonly keys: Readonly<Record<string, string>>,
        sockets: number,
    ) {
        this.#agent = new Agent({ keepAlive: true, maxSockets: sockets });
    }

    call(method: string, path: string, as: string, body?: unknown, idem?: string): Promise<unknown> {
        const url = new URL(path, this.base);
        const data = body === undefined ? undefined : JSON.stringify(body);
        const headers: Record<string, string> = { Authorization: `Bearer ${this.keys[as] ?? ''}` };
        if (data !== undefined) {
            headers['Content-Type'] = 'application/json';
            headers['Content-Length'] = String(Buffer.byteLength(data));
        }
        if (idem !== undefined) headers['Idempotency-Key'] = idem;
        return new Promise((resolve, reject) => {
            const req = request(url, { method, headers, agent: this.#agent }, (res) => {
                const chunks: Buffer[] = [];
                res.on('data', (c: Buffer) => chunks.push(c));
                res.on('end', () => {
                    const text = Buffer.concat(chunks).toString('utf8');
                    let parsed: unknown = text;
                    try {
                        parsed = text === '' ? null : (JSON.parse(text) as unknown);
                    } catch {
                        /* keep the text */
                    }
                    const status = res.statusCode ?? 0;
                    if (status >= 200 && status < 300) resolve(parsed);
                    else reject(new HttpError(status, (parsed as { code?: string } | null)?.code ?? 'UNKNOWN'));
                });
                res.on('error', reject);
            });
            req.on('error', reject);
            req.end(data);
        });
    }

    close(): void {
        this.#agent.destroy();
    }
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const json = (b: Uint8Array): unknown => JSON.parse(utf8.decode(b));
const EVENT_TIME = '2024-05-01T08:00:00.000000000Z';

/** Runs `fn` over 0..n-1 with at most `limit` at once. */
async function pool(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
    let next = 0;
    await Promise.all(
        Array.from({ length: Math.min(n, limit) }, async () => {
            while (next < n) await fn(next++);
        }),
    );
}

interface Receivable {
    readonly id: string;
    readonly status: string;
    readonly amount: string;
    readonly children: readonly string[];
}

interface OutputRec {
    readonly id: string;
    readonly owner: string;
}

/** Per-worker state, created on the ledger by `prepare`. */
export interface State {
    readonly run: string;
    readonly stockLots: string[];
    /** each worker's one unspent output of its stock lot: transfers name it as their input, then spend its change */
    readonly stockInputs: string[];
    /** the live receivable of each worker's split chain (held by Supplier), advanced by every split */
    readonly receivables: Array<{ id: string; amount: bigint }>;
    /** the root receivable of each worker, read by get-by-id */
    readonly roots: string[];
    readonly provLots: string[];
    /** the shared-holder probe: one stock lot, one distinct Brand output per worker */
    sharedLot: string;
    readonly sharedOutputs: string[];
}

export async function prepare(cc: Contracts, workers: number, log: (s: string) => void): Promise<State> {
    const run = randomBytes(4).toString('hex');
    const tokens = (org: string): Contract => cc(org, 'tokens');
    const submit = async (c: Contract, tx: string, ...args: string[]): Promise<unknown> => json(await c.submitTransaction(tx, ...args));
    const rid = (what: string, i: number | string): string => `bench-${run}-${what}-${i}`;
    const state: State = { run, stockLots: [], stockInputs: [], receivables: [], roots: [], provLots: [], sharedLot: '', sharedOutputs: [] };
    const t0 = Date.now();
    const deposit = async (key: string, quantity: string): Promise<string> => {
        const lot = (await submit(
            tokens('Brand'),
            'Deposit',
            rid('dep', key),
            JSON.stringify({ batchLotId: `BL-${run}-${key}`, sku: 'WINE-750', unit: 'bottle', quantity, unitValuation: { amount: '2500', currency: 'CNY' }, custodian: 'SupplierMSP' }),
        )) as { id: string };
        await submit(tokens('Supplier'), 'Attest', rid('att', key), lot.id, quantity);
        return lot.id;
    };
    await submit(cc('Brand', 'provenance'), 'CreateProduct', rid('prod', 0), JSON.stringify({ id: `bench-${run}`, sku: 'BENCH-750', model: '750ml', name: 'Benchmark wine' }));
    await pool(workers, 10, async (i) => {
        const lotId = await deposit(String(i), '100000000');
        state.stockInputs[i] = ((await submit(tokens('Brand'), 'Mint', rid('mint', i), lotId, '100000000')) as OutputRec).id;
        state.stockLots[i] = lotId;

        const root = (await submit(cc('Brand', 'receivables'), 'Issue', rid('iss', i), 'SupplierMSP', '1000000000000', 'CNY', '2099-12-31', sha(rid('inv', i)), sha('contract'))) as Receivable;
        await submit(cc('Supplier', 'receivables'), 'Accept', rid('acc', i), root.id);
        state.roots[i] = root.id;
        state.receivables[i] = { id: root.id, amount: BigInt(root.amount) };

        const provLot = `bench-${run}-lot-${i}`;
        await submit(cc('Brand', 'provenance'), 'CreateLot', rid('lot', i), JSON.stringify({ id: provLot, productId: `bench-${run}`, quantity: '1000000', unit: 'L' }));
        await submit(cc('Brand', 'provenance'), 'RecordEvent', rid('ev0', i), JSON.stringify({ lots: [{ lotId: provLot, quantity: '1' }], bizStep: 'commissioning', disposition: 'in_progress', eventTime: EVENT_TIME }));
        state.provLots[i] = provLot;
    });
    // the shared-holder probe: one lot, `workers` outputs minted one by one (mints of one lot conflict)
    state.sharedLot = await deposit('shared', String(workers * 1_000_000));
    for (let i = 0; i < workers; i++) state.sharedOutputs[i] = ((await submit(tokens('Brand'), 'Mint', rid('smint', i), state.sharedLot, '1000000')) as OutputRec).id;
    log(`state for ${workers} workers prepared in ${((Date.now() - t0) / 1000).toFixed(1)} s (run ${run})`);
    return state;
}

/** The next live receivable of a worker's chain after a failed split: the split may have committed after all. */
async function resync(cc: Contracts, state: State, worker: number): Promise<void> {
    const cur = state.receivables[worker];
    if (!cur) return;
    const r = json(await cc('Supplier', 'receivables').evaluateTransaction('Get', cur.id)) as Receivable;
    if (r.status === 'SPLIT' && r.children[0]) {
        const child = json(await cc('Supplier', 'receivables').evaluateTransaction('Get', r.children[0])) as Receivable;
        state.receivables[worker] = { id: child.id, amount: BigInt(child.amount) };
    }
}

/** After a failed transfer: the worker's unspent output (the transfer may have committed after all). */
async function resyncInput(cc: Contracts, state: State, worker: number): Promise<void> {
    const lot = state.stockLots[worker] ?? '';
    for (let bookmark = '', n = 0; n < 1000; n++) {
        const page = json(await cc('Brand', 'tokens').evaluateTransaction('ListOutputs', 'BrandMSP', lot, '100', bookmark)) as { items: Array<OutputRec & { status: string; lock: unknown }>; bookmark: string };
        const free = page.items.find((o) => o.status === 'UNSPENT' && o.lock === null);
        if (free) {
            state.stockInputs[worker] = free.id;
            return;
        }
        if (!page.bookmark || page.items.length === 0) return;
        bookmark = page.bookmark;
    }
}

/** Moves a worker to the change of its transfer. */
function spent(state: State, worker: number, res: { created: readonly OutputRec[] }): void {
    const change = res.created.find((o) => o.owner === 'BrandMSP');
    if (!change) throw new Error('transfer without change');
    state.stockInputs[worker] = change.id;
}

const splitParts = (amount: bigint): Array<{ holder: string; amount: string }> => [
    { holder: 'SupplierMSP', amount: String(amount - 1n) },
    { holder: 'BankMSP', amount: '1' },
];

export function workloads(cc: Contracts, kv: Contracts, rest: Rest | undefined, state: State): { rounds: Workload[]; shared: Workload } {
    const ORGS = ['Brand', 'Supplier', 'Bank'];
    const kvAt = (w: number): Contract => kv(ORGS[w % ORGS.length] ?? 'Brand', 'kv');
    // request ids (and Idempotency-Keys) unique over the whole run: iterations restart at 0 every round
    let seq = 0;
    const id = (op: string, w: number, i: number): string => `b${state.run}-${op}-${w}-${i}-${seq++}`;
    const lotOf = (w: number): string => state.stockLots[w] ?? '';
    const provOf = (w: number): string => state.provLots[w] ?? '';
    const rootOf = (w: number): string => state.roots[w] ?? '';
    const event = { bizStep: 'commissioning', disposition: 'in_progress', eventTime: EVENT_TIME };

    // explicit inputs: the chaincode reads them by key; without them it scans every output the holder ever had in
    // the lot (a growing range read, re-validated at commit)
    const transferBody = (w: number): Record<string, unknown> => ({ lotId: lotOf(w), quantity: '1', to: 'SupplierMSP', inputs: [state.stockInputs[w] ?? ''] });
    const transfer = (send: (w: number, i: number) => Promise<{ created: readonly OutputRec[] }>): Op => async (w, i) => {
        try {
            spent(state, w, await send(w, i));
        } catch (err) {
            await resyncInput(cc, state, w).catch(() => undefined);
            throw err;
        }
    };

    const split = (send: (w: number, i: number, rid: string, amount: bigint) => Promise<{ children: Receivable[] }>): Op => async (w, i) => {
        const cur = state.receivables[w];
        if (!cur) throw new Error(`no receivable for worker ${w}`);
        try {
            const res = await send(w, i, cur.id, cur.amount);
            const kept = res.children[0];
            if (!kept) throw new Error('split without children');
            state.receivables[w] = { id: kept.id, amount: BigInt(kept.amount) };
        } catch (err) {
            await resync(cc, state, w).catch(() => undefined);
            throw err;
        }
    };

    const rounds: Workload[] = [
        { name: 'kv noop submit', group: 'ceiling', kind: 'submit', path: 'direct', op: 'noop', run: async (w) => void (await kvAt(w).submitTransaction('Noop')) },
        { name: 'kv put submit', group: 'ceiling', kind: 'submit', path: 'direct', op: 'put', run: async (w, i) => void (await kvAt(w).submitTransaction('Put', `k-${w}-${i}`, 'v')) },
        { name: 'kv get evaluate', group: 'ceiling', kind: 'evaluate', path: 'direct', op: 'get', run: async (w) => void (await kvAt(w).evaluateTransaction('Get', `k-${w}-0`)) },
        {
            name: 'token transfer',
            group: 'ours',
            kind: 'submit',
            path: 'direct',
            op: 'transfer',
            run: transfer(async (w, i) => json(await cc('Brand', 'tokens').submitTransaction('Transfer', id('tr', w, i), JSON.stringify(transferBody(w)))) as { created: OutputRec[] }),
        },
        {
            name: 'receivable split',
            group: 'ours',
            kind: 'submit',
            path: 'direct',
            op: 'split',
            run: split(async (w, i, rid, amount) => json(await cc('Supplier', 'receivables').submitTransaction('SplitTransfer', id('sp', w, i), rid, JSON.stringify(splitParts(amount)))) as { children: Receivable[] }),
        },
        {
            name: 'provenance event',
            group: 'ours',
            kind: 'submit',
            path: 'direct',
            op: 'event',
            run: async (w, i) => void (await cc('Brand', 'provenance').submitTransaction('RecordEvent', id('ev', w, i), JSON.stringify({ lots: [{ lotId: provOf(w), quantity: '1' }], ...event }))),
        },
        { name: 'receivable get', group: 'ours', kind: 'evaluate', path: 'direct', op: 'get-by-id', run: async (w) => void (await cc('Supplier', 'receivables').evaluateTransaction('Get', rootOf(w))) },
    ];
    if (rest) {
        rounds.push(
            {
                name: 'token transfer',
                group: 'ours',
                kind: 'submit',
                path: 'rest',
                op: 'transfer',
                run: transfer(async (w, i) => ((await rest.call('POST', '/v1/token-transfers', 'BrandMSP', transferBody(w), id('rtr', w, i))) as { result: { created: OutputRec[] } }).result),
            },
            {
                name: 'receivable split',
                group: 'ours',
                kind: 'submit',
                path: 'rest',
                op: 'split',
                run: split(
                    async (w, i, rid, amount) =>
                        ((await rest.call('POST', `/v1/receivables/${encodeURIComponent(rid)}/transfers`, 'SupplierMSP', { parts: splitParts(amount) }, id('rsp', w, i))) as { result: { children: Receivable[] } })
                            .result,
                ),
            },
            {
                name: 'provenance event',
                group: 'ours',
                kind: 'submit',
                path: 'rest',
                op: 'event',
                run: async (w, i) => void (await rest.call('POST', `/v1/lots/${encodeURIComponent(provOf(w))}/events`, 'BrandMSP', { quantity: '1', ...event }, id('rev', w, i))),
            },
            {
                name: 'receivable get',
                group: 'ours',
                kind: 'evaluate',
                path: 'rest',
                op: 'get-by-id',
                run: async (w) => void (await rest.call('GET', `/v1/receivables/${encodeURIComponent(rootOf(w))}`, 'SupplierMSP')),
            },
        );
    }
    // one holder (Brand), one stock lot, each worker spending its own output (explicit inputs) and then its change
    const shared: Workload = {
        name: 'token transfer, one holder + lot',
        group: 'ours',
        kind: 'submit',
        path: 'direct',
        op: 'transfer-shared',
        run: async (w, i) => {
            const input = state.sharedOutputs[w] ?? '';
            const res = json(
                await cc('Brand', 'tokens').submitTransaction('Transfer', id('sh', w, i), JSON.stringify({ lotId: state.sharedLot, quantity: '1', to: 'SupplierMSP', inputs: [input] })),
            ) as { created: OutputRec[] };
            const change = res.created.find((o) => o.owner === 'BrandMSP');
            if (change) state.sharedOutputs[w] = change.id;
        },
    };
    return { rounds, shared };
}
