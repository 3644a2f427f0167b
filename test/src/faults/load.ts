// Sustained load through the REST gateway for the fault tests: concurrent clients of the three families that create
// checkable entities (token transfers with explicit inputs per client, receivable issue/accept/split trees, provenance
// events), each write with its own Idempotency-Key, every HTTP attempt recorded, and failures retried with the same
// key as a real client would (bounded). Nothing here trusts client memory for the verdicts: ledger.ts checks the
// ledger against these records.
import { createHash } from 'node:crypto';

export const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const MEMBER_KEYS = ['BrandMSP', 'SupplierMSP', 'BankMSP'] as const;
/** Keys whose reads go through each org's own peer (the gateway has one Fabric connection per org). */
export const READ_KEYS = ['BrandMSP', 'SupplierMSP', 'BankMSP', 'regulator'] as const;
export type Caller = (typeof MEMBER_KEYS)[number] | 'regulator';
export type Family = 'tokens' | 'receivables' | 'provenance';

/** One write as the client sent it, and what became of it. */
export interface WriteRecord {
    readonly family: Family;
    readonly key: string;
    readonly as: Caller;
    /** The MSP id the request was signed by (the API key's org). */
    readonly mspId: string;
    readonly method: 'POST';
    readonly path: string;
    readonly body: unknown;
    attempts: number;
    /** Attempts that failed cleanly: a 4xx/5xx problem with a `code`, or a connection error. */
    cleanFailures: number;
    /** Attempts answered with something else (a 2xx without txId, an error without code): must stay 0. */
    uncleanFailures: number;
    ack?: { readonly txId: string; readonly result: unknown; readonly replayed: boolean; readonly status: number };
    /** A final refusal (not retried): a 4xx whose code says retrying cannot help. */
    rejected?: { readonly status: number; readonly code: string; readonly detail: string };
    /** Retries used up without an answer. */
    gaveUp?: boolean;
}

/** Counters of one load run. */
export interface LoadStats {
    readonly records: WriteRecord[];
    /** status (or "conn") → attempts, over every failed attempt. */
    readonly failures: Record<string, number>;
    /** problem codes seen on failed attempts. */
    readonly codes: Record<string, number>;
    /** Unclean answers, for the report. */
    readonly unclean: string[];
    /** The slowest single attempt (ms) and how it ended: a hang shows here. */
    slowest: { ms: number; outcome: string };
}

export function newStats(): LoadStats {
    return { records: [], failures: {}, codes: {}, unclean: [], slowest: { ms: 0, outcome: '' } };
}

export interface RetryOptions {
    /** Attempts per request in all (default 60). */
    readonly attempts: number;
    /** Per-attempt client timeout (default 90 s: longer than the gateway's own deadlines). */
    readonly timeoutMs: number;
    readonly maxBackoffMs: number;
}

const DEFAULT_RETRY: RetryOptions = { attempts: 60, timeoutMs: 90_000, maxBackoffMs: 2_000 };

/** Statuses a client retries with the same Idempotency-Key; 409 only with code CONFLICT (invalidated at commit). */
const RETRY_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
/**
 * Every load write names entities an earlier acknowledged write created (a receivable, an output, a lot); a peer
 * that has not committed that block yet (e.g. just restarted) answers 404 NOT_FOUND. A client that knows the
 * entity exists retries that a few times.
 */
const NOT_FOUND_RETRIES = 20;

const MSP_OF: Readonly<Record<Caller, string>> = { BrandMSP: 'BrandMSP', SupplierMSP: 'SupplierMSP', BankMSP: 'BankMSP', regulator: 'RegulatorMSP' };

export class LoadClient {
    constructor(
        /** The gateway's base URL now (it may move to a restarted process on the same address). */
        readonly base: () => string,
        readonly keys: Readonly<Record<string, string>>,
        readonly stats: LoadStats,
        readonly retry: RetryOptions = DEFAULT_RETRY,
    ) {}

    #auth(as: Caller): Record<string, string> {
        const k = this.keys[as];
        if (k === undefined) throw new Error(`no API key ${as}`);
        return { Authorization: `Bearer ${k}` };
    }

    /** A write with its Idempotency-Key, retried with the same key until acknowledged, refused for good, or given up. */
    async write(family: Family, as: Caller, path: string, key: string, body: unknown): Promise<WriteRecord> {
        const rec: WriteRecord = { family, key, as, mspId: MSP_OF[as], method: 'POST', path, body, attempts: 0, cleanFailures: 0, uncleanFailures: 0 };
        this.stats.records.push(rec);
        let notFound = 0;
        for (let n = 1; n <= this.retry.attempts; n++) {
            rec.attempts++;
            const t0 = Date.now();
            const slow = (outcome: string): void => {
                const ms = Date.now() - t0;
                if (ms > this.stats.slowest.ms) this.stats.slowest = { ms, outcome: `${outcome} (${path})` };
            };
            let status: number;
            let parsed: unknown;
            let retryAfterMs = 0;
            try {
                const res = await fetch(`${this.base()}${path}`, {
                    method: 'POST',
                    headers: { ...this.#auth(as), 'Content-Type': 'application/json', 'Idempotency-Key': key },
                    body: JSON.stringify(body),
                    signal: AbortSignal.timeout(this.retry.timeoutMs),
                });
                status = res.status;
                const text = await res.text();
                try {
                    parsed = text === '' ? null : (JSON.parse(text) as unknown);
                } catch {
                    parsed = text;
                }
                const ra = Number(res.headers.get('retry-after'));
                if (Number.isFinite(ra) && ra > 0) retryAfterMs = Math.min(ra * 1000, 5_000);
            } catch (err) {
                // connection refused/reset, socket hang up, client timeout: nothing answered
                rec.cleanFailures++;
                this.#count('conn', `conn:${errorName(err)}`);
                slow(`conn:${errorName(err)}`);
                await sleep(this.#backoff(n));
                continue;
            }
            const obj = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
            slow(`${status} ${typeof obj.code === 'string' ? obj.code : ''}`);
            if (status >= 200 && status < 300) {
                if (typeof obj.txId === 'string') {
                    rec.ack = { txId: obj.txId, result: obj.result, replayed: obj.replayed === true, status };
                    return rec;
                }
                rec.uncleanFailures++;
                this.stats.unclean.push(`${path} ${key}: ${status} without txId: ${JSON.stringify(parsed).slice(0, 200)}`);
            } else if (typeof obj.code === 'string') {
                rec.cleanFailures++;
                // a conflict names its validation code in the detail: keep it apart
                const vc = obj.code === 'CONFLICT' && typeof obj.detail === 'string' ? /validation code (\d+)/.exec(obj.detail)?.[1] : undefined;
                this.#count(String(status), vc !== undefined ? `${obj.code}(validation code ${vc})` : obj.code);
                if (obj.code === 'NOT_FOUND') notFound++;
                const retryable = RETRY_STATUS.has(status) || (status === 409 && obj.code === 'CONFLICT') || (obj.code === 'NOT_FOUND' && notFound < NOT_FOUND_RETRIES);
                if (!retryable) {
                    rec.rejected = { status, code: obj.code, detail: typeof obj.detail === 'string' ? obj.detail : '' };
                    return rec;
                }
            } else {
                rec.uncleanFailures++;
                this.stats.unclean.push(`${path} ${key}: ${status} without a problem code: ${JSON.stringify(parsed).slice(0, 200)}`);
            }
            await sleep(Math.max(retryAfterMs, this.#backoff(n)));
        }
        rec.gaveUp = true;
        return rec;
    }

    async get<T>(as: Caller, path: string): Promise<{ status: number; body: T }> {
        for (let n = 1; ; n++) {
            try {
                const res = await fetch(`${this.base()}${path}`, { headers: this.#auth(as), signal: AbortSignal.timeout(this.retry.timeoutMs) });
                const text = await res.text();
                const body = (text === '' ? null : JSON.parse(text)) as T;
                if ((res.status >= 500 || res.status === 429) && n < 20) {
                    await sleep(this.#backoff(n));
                    continue;
                }
                return { status: res.status, body };
            } catch (err) {
                if (n >= 20) throw err;
                await sleep(this.#backoff(n));
            }
        }
    }

    /** GET that must answer 200. */
    async read<T>(as: Caller, path: string): Promise<T> {
        const r = await this.get<T>(as, path);
        if (r.status !== 200) throw new Error(`GET ${path} as ${as} → ${r.status} ${JSON.stringify(r.body)}`);
        return r.body;
    }

    /** A setup write that must be acknowledged. */
    async must<T>(family: Family, as: Caller, path: string, key: string, body: unknown): Promise<{ txId: string; result: T }> {
        const r = await this.write(family, as, path, key, body);
        if (r.ack === undefined) throw new Error(`setup ${path} as ${as} failed: ${JSON.stringify(r.rejected ?? 'gave up')}`);
        return { txId: r.ack.txId, result: r.ack.result as T };
    }

    #count(status: string, code: string): void {
        this.stats.failures[status] = (this.stats.failures[status] ?? 0) + 1;
        this.stats.codes[code] = (this.stats.codes[code] ?? 0) + 1;
    }

    #backoff(n: number): number {
        const ceiling = Math.min(this.retry.maxBackoffMs, 100 * 2 ** Math.min(n - 1, 10));
        return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    }
}

/** ECONNREFUSED, UND_ERR_SOCKET, TimeoutError… (duck-typed: fetch's errors come from another realm under jest). */
function errorName(err: unknown): string {
    if (typeof err === 'object' && err !== null) {
        const e = err as { name?: unknown; cause?: { code?: unknown } };
        if (typeof e.cause?.code === 'string') return e.cause.code;
        if (typeof e.name === 'string') return e.name;
    }
    return typeof err;
}

// ---------------------------------------------------------------------------------------------
// Workloads

const AT = '2024-05-01T08:00:00.000000000Z';
const rcv = (id: string, suffix = ''): string => `/v1/receivables/${encodeURIComponent(id)}${suffix}`;

interface Output {
    readonly id: string;
    readonly owner: string;
    readonly quantity: string;
}

/** What the load's setup created: a stock lot with one Brand output per token client, a product for the lots. */
export interface Fixture {
    readonly run: string;
    readonly stockLotId: string;
    readonly tokenInputs: string[];
    readonly productId: string;
}

export const CLIENTS = { tokens: 4, receivables: 4, provenance: 4 } as const;
const PER_CLIENT_TOKENS = 100_000n;

/** Deposit → attest → one mint per token client (its own output: explicit inputs, no two clients spend the same one); a product. */
export async function setup(c: LoadClient, run: string): Promise<Fixture> {
    const k = (s: string): string => `${run}-setup-${s}`;
    const total = PER_CLIENT_TOKENS * BigInt(CLIENTS.tokens);
    const dep = await c.must<{ id: string }>('tokens', 'BrandMSP', '/v1/stock-lots', k('deposit'), {
        batchLotId: `LOT-${run}`,
        sku: 'WINE-750',
        unit: 'bottle',
        quantity: total.toString(),
        unitValuation: { amount: '2500', currency: 'CNY' },
        custodian: 'SupplierMSP',
    });
    const lot = dep.result.id;
    await c.must('tokens', 'SupplierMSP', `/v1/stock-lots/${encodeURIComponent(lot)}/attestation`, k('attest'), { quantity: total.toString() });
    const tokenInputs: string[] = [];
    for (let w = 0; w < CLIENTS.tokens; w++) {
        const minted = await c.must<Output>('tokens', 'BrandMSP', `/v1/stock-lots/${encodeURIComponent(lot)}/mint`, k(`mint-${w}`), { quantity: PER_CLIENT_TOKENS.toString() });
        tokenInputs.push(minted.result.id);
    }
    const productId = `prod-${run}`;
    await c.must('provenance', 'BrandMSP', '/v1/products', k('product'), { id: productId, sku: 'RES-2023', model: '750ml', name: 'Reserve 2023' });
    return { run, stockLotId: lot, tokenInputs, productId };
}

export interface LoadControl {
    stop: boolean;
    /** Acknowledged writes so far (all families). */
    acked: number;
}

/** Token client w: transfers 1 token at a time from its own output chain (explicit input; the change is the next input). */
async function tokenClient(c: LoadClient, f: Fixture, w: number, ctl: LoadControl): Promise<void> {
    let input = f.tokenInputs[w];
    for (let i = 0; !ctl.stop && input !== undefined; i++) {
        const to = i % 2 === 0 ? 'SupplierMSP' : 'BankMSP';
        const r = await c.write('tokens', 'BrandMSP', '/v1/token-transfers', `${f.run}-tok-${w}-${i}`, { lotId: f.stockLotId, quantity: '1', to, inputs: [input] });
        if (r.ack === undefined) return; // the chain's next input is unknown: this client stops
        ctl.acked++;
        const created = (r.ack.result as { created?: Output[] } | null)?.created ?? [];
        input = created.find((o) => o.owner === 'BrandMSP')?.id;
    }
}

/** Receivable client w: Brand issues to Supplier, Supplier accepts and splits (Supplier, Bank), Bank splits its part. */
async function receivableClient(c: LoadClient, f: Fixture, w: number, ctl: LoadControl): Promise<void> {
    for (let i = 0; !ctl.stop; i++) {
        const k = (s: string): string => `${f.run}-rcv-${w}-${i}-${s}`;
        const issued = await c.write('receivables', 'BrandMSP', '/v1/receivables', k('issue'), {
            holder: 'SupplierMSP',
            amount: '1000000',
            currency: 'CNY',
            maturityDate: '2099-12-31',
            invoiceHash: sha256(k('invoice')),
            contractHash: sha256(k('contract')),
        });
        if (issued.ack === undefined) continue;
        ctl.acked++;
        const root = (issued.ack.result as { id: string }).id;
        const accepted = await c.write('receivables', 'SupplierMSP', rcv(root, '/acceptance'), k('accept'), {});
        if (accepted.ack === undefined) continue;
        ctl.acked++;
        const split = await c.write('receivables', 'SupplierMSP', rcv(root, '/transfers'), k('split1'), {
            parts: [
                { holder: 'SupplierMSP', amount: '600000' },
                { holder: 'BankMSP', amount: '400000' },
            ],
        });
        if (split.ack === undefined) continue;
        ctl.acked++;
        const bankPart = (split.ack.result as { children: Array<{ id: string; holder: string }> }).children.find((x) => x.holder === 'BankMSP');
        if (bankPart === undefined) throw new Error(`split of ${root}: no BankMSP part`);
        const split2 = await c.write('receivables', 'BankMSP', rcv(bankPart.id, '/transfers'), k('split2'), {
            parts: [
                { holder: 'BankMSP', amount: '250000' },
                { holder: 'SupplierMSP', amount: '150000' },
            ],
        });
        if (split2.ack !== undefined) ctl.acked++;
    }
}

/** Provenance client w: Brand creates its own lot, then records storing events on it one after another. */
async function provenanceClient(c: LoadClient, f: Fixture, w: number, ctl: LoadControl): Promise<void> {
    const lotId = `${f.run}-lot-${w}`;
    const created = await c.write('provenance', 'BrandMSP', '/v1/lots', `${f.run}-prov-${w}-create`, { id: lotId, productId: f.productId, quantity: '1000', unit: 'L' });
    if (created.ack === undefined) return;
    ctl.acked++;
    for (let i = 0; !ctl.stop; i++) {
        const key = `${f.run}-prov-${w}-${i}`;
        const r = await c.write('provenance', 'BrandMSP', `/v1/lots/${encodeURIComponent(lotId)}/events`, key, {
            quantity: '1',
            bizStep: 'storing',
            disposition: 'sellable_not_accessible',
            eventTime: AT,
            readPoint: `warehouse-${w}`,
            note: key,
        });
        if (r.ack !== undefined) ctl.acked++;
    }
}

/** Starts every client; resolves when all have stopped (after `ctl.stop`, each finishes its request in flight). */
export function startLoad(c: LoadClient, f: Fixture, ctl: LoadControl): Promise<void> {
    const all: Array<Promise<void>> = [];
    for (let w = 0; w < CLIENTS.tokens; w++) all.push(tokenClient(c, f, w, ctl));
    for (let w = 0; w < CLIENTS.receivables; w++) all.push(receivableClient(c, f, w, ctl));
    for (let w = 0; w < CLIENTS.provenance; w++) all.push(provenanceClient(c, f, w, ctl));
    return Promise.all(all).then(() => undefined);
}

/** Waits (bounded) until `n` more writes were acknowledged; never an assertion on time, only progress. */
export async function waitForAcks(ctl: LoadControl, n: number, timeoutMs = 120_000): Promise<void> {
    const target = ctl.acked + n;
    const until = Date.now() + timeoutMs;
    while (ctl.acked < target) {
        if (Date.now() > until) throw new Error(`no progress: ${ctl.acked} acknowledged, waited for ${target}`);
        await sleep(100);
    }
}
