/**
 * `make demo`: the whole U-Point walkthrough through the REST gateway's HTTP API only (Node's global fetch), as
 * the members' back-ends and a consumer's phone would use it:
 *
 *   0. the consortium's members
 *   1. provenance: products, a raw-material lot, process events with fees and documents, an inspection by the
 *      Supplier, a bottling transformation, shipment and receipt, bottles commissioned with the SHA-256 of random
 *      secret codes, a consumer's scan (GENUINE) and a second scan in another city (SUSPECT), the timeline
 *   2. stock tokens: deposit with a custodian → attest → mint → offer → purchase paid by a receivable issued in
 *      the same transaction (delivery versus payment), balances, supply
 *   3. receivables: issue (and an idempotent replay) → accept → split → finance at a discount → settle → confirm;
 *      the split tree and the issuer's credit record
 *   4. the regulator reads everything and is refused a write (403 FORBIDDEN)
 *
 * One write is sent with `Prefer: respond-async` (202) and polled on /v1/transactions/{txId} until VALID.
 * Every id carries a run id, so the demo runs again on the same network. Each result is checked; any unexpected
 * HTTP status or value stops the demo with the problem details and exit code 1.
 *
 *   node gateway/dist/demo.js --url http://127.0.0.1:3000 --keys gateway/dev-api-keys.json [--run <id>]
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

// ---------------------------------------------------------------------------------------------
// What the gateway answers (the fields the demo reads; amounts and quantities are decimal strings)

interface Member {
    readonly mspId: string;
    readonly name: string;
    readonly roles: readonly string[];
}
interface Fee {
    readonly kind: string;
    readonly description: string;
    readonly amount: string;
    readonly currency: string;
}
interface Lot {
    readonly id: string;
    readonly status: string;
    readonly holder: string;
    readonly quantity: string;
    readonly unit: string;
    readonly inspection: { readonly result: string; readonly inspector: string; readonly certificateHash: string } | null;
}
interface LotEvent {
    readonly lotId: string;
    readonly bizStep: string;
    readonly by: string;
    readonly txId: string;
    readonly statusAfter: string;
    readonly readPoint: string | null;
    readonly bizLocation: string | null;
    readonly fees: readonly Fee[];
    readonly documents: ReadonlyArray<{ readonly type: string; readonly sha256: string }>;
}
interface Timeline {
    readonly product: { readonly id: string; readonly name: string };
    readonly lot: Lot;
    readonly events: readonly LotEvent[];
    readonly ancestors: ReadonlyArray<{ readonly lot: Lot; readonly events: readonly LotEvent[] }>;
}
interface Verification {
    readonly verdict: string;
    readonly reasons?: readonly string[];
    readonly scanCount?: number;
    readonly previousScan?: { readonly location: string } | null;
    readonly provenance?: Timeline;
}
interface StockLot {
    readonly id: string;
    readonly status: string;
    readonly attested: string;
    readonly minted: string;
}
interface Offer {
    readonly id: string;
    readonly status: string;
    readonly remaining: string;
}
interface Purchase {
    readonly receivableId: string;
    readonly price: { readonly amount: string; readonly currency: string };
    readonly maturityDate: string;
}
interface Holding {
    readonly available: string;
    readonly locked: string;
    readonly total: string;
}
interface Supply extends Holding {
    readonly minted: string;
    readonly redeemed: string;
    readonly attested: string;
}
interface Receivable {
    readonly id: string;
    readonly issuer: string;
    readonly holder: string;
    readonly amount: string;
    readonly currency: string;
    readonly maturityDate: string;
    readonly status: string;
    readonly reference: string | null;
    readonly children: readonly string[];
    readonly financing: { readonly status: string; readonly discountedAmount: string | null; readonly discountBps: number | null } | null;
    readonly created: { readonly txId: string };
}
interface TreeNode {
    readonly id: string;
    readonly holder: string;
    readonly amount: string;
    readonly status: string;
    readonly children: readonly TreeNode[];
}
interface Tree {
    readonly amount: string;
    readonly currency: string;
    readonly settled: string;
    readonly live: string;
    readonly tree: TreeNode;
}
interface Totals {
    readonly count: number;
    readonly amount: string;
}
interface CreditRecord {
    readonly settlements: number;
    readonly onTimeBps: number | null;
    readonly currencies: ReadonlyArray<{ readonly currency: string; readonly onTime: Totals; readonly late: Totals; readonly overdueUnpaid: Totals }>;
}
interface TransactionStatus {
    readonly txId: string;
    readonly status: string;
    readonly blockNumber: string;
}
interface Written<T> {
    readonly txId: string;
    readonly result: T;
}

// ---------------------------------------------------------------------------------------------
// HTTP

/** Who calls: a member org (its API key is named by its MSP id), the regulator, or nobody (public routes). */
export type Caller = 'BrandMSP' | 'SupplierMSP' | 'BankMSP' | 'regulator' | 'public';

export interface HttpReply {
    readonly status: number;
    readonly headers: Headers;
    readonly body: unknown;
}

/** An unexpected answer: the request, the status and the problem details the gateway sent. */
export class DemoError extends Error {
    constructor(message: string, readonly reply?: HttpReply) {
        super(message);
        this.name = 'DemoError';
    }
}

/** Stops the demo unless `actual` equals `expected` (a demo that prints wrong results silently is a defect). */
export function expectEq<T>(what: string, actual: T, expected: T): void {
    if (actual !== expected) throw new DemoError(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

export const shortTx = (txId: string): string => `${txId.slice(0, 12)}…`;
/** A transaction-named id shortened, its suffix kept: a split's children `<txId>.1`, `<txId>.2` stay apart. */
export function shortId(id: string): string {
    const m = /^([0-9a-f]{64})(\..*)?$/.exec(id);
    return m === null ? id : `${shortTx(m[1] ?? '')}${m[2] ?? ''}`;
}
export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
/** Minor units as a decimal amount: 12000 → "120.00". */
export function money(minor: string, currency: string): string {
    const padded = minor.padStart(3, '0');
    return `${padded.slice(0, -2)}.${padded.slice(-2)} ${currency}`;
}

/** The API keys file `make gateway-up` writes: {"BrandMSP": key, …, "regulator": key, "admin:BrandMSP": key}. */
export function loadKeys(file: string): Readonly<Record<string, string>> {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new DemoError(`${file}: expected a JSON object of API keys`);
    const keys: Record<string, string> = {};
    for (const [name, key] of Object.entries(parsed)) if (typeof key === 'string') keys[name] = key;
    return keys;
}

/** A wildcard listen address (0.0.0.0, [::]) is reached through the loopback address. */
export function baseUrl(url: string): string {
    const u = new URL(url);
    if (u.hostname === '0.0.0.0') u.hostname = '127.0.0.1';
    if (u.hostname === '[::]') u.hostname = '[::1]';
    return u.origin;
}

interface RequestOptions {
    readonly method?: 'GET' | 'POST' | 'DELETE';
    readonly body?: unknown;
    readonly idempotencyKey?: string;
    readonly headers?: Readonly<Record<string, string>>;
}

export class Api {
    readonly #base: string;
    readonly #keys: Readonly<Record<string, string>>;

    constructor(base: string, keys: Readonly<Record<string, string>>) {
        this.#base = baseUrl(base);
        this.#keys = keys;
    }

    /** Any request; the answer whatever its status. */
    async request(as: Caller, path: string, options: RequestOptions = {}): Promise<HttpReply> {
        const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
        if (as !== 'public') {
            const key = this.#keys[as];
            if (key === undefined) throw new DemoError(`no API key for ${as} in the keys file`);
            headers.Authorization = `Bearer ${key}`;
        }
        if (options.idempotencyKey !== undefined) headers['Idempotency-Key'] = options.idempotencyKey;
        if (options.body !== undefined) headers['Content-Type'] = 'application/json';
        const method = options.method ?? (options.body !== undefined ? 'POST' : 'GET');
        let res: Response;
        try {
            res = await fetch(`${this.#base}${path}`, {
                method,
                headers,
                ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
                signal: AbortSignal.timeout(60_000),
            });
        } catch (err) {
            throw new DemoError(`${method} ${path}: ${err instanceof Error ? err.message : String(err)} (is the gateway running? make gateway-up)`);
        }
        const text = await res.text();
        let body: unknown = text;
        try {
            body = text === '' ? null : (JSON.parse(text) as unknown);
        } catch {
            // not JSON: keep the text
        }
        return { status: res.status, headers: res.headers, body };
    }

    /** The answer, which must have one of `statuses`, else DemoError with the problem details. */
    async expect(statuses: readonly number[], as: Caller, path: string, options: RequestOptions = {}): Promise<HttpReply> {
        const reply = await this.request(as, path, options);
        if (!statuses.includes(reply.status)) {
            const method = options.method ?? (options.body !== undefined ? 'POST' : 'GET');
            throw new DemoError(`${method} ${path} as ${as}: HTTP ${reply.status}, expected ${statuses.join(' or ')}`, reply);
        }
        return reply;
    }

    /** GET → 200 and its JSON. */
    async get<T>(as: Caller, path: string): Promise<T> {
        return (await this.expect([200], as, path)).body as T;
    }

    /** A synchronous write (201 or 200) → {txId, result}. */
    async write<T>(as: Caller, path: string, idempotencyKey: string, body: unknown = {}, method: 'POST' | 'DELETE' = 'POST'): Promise<Written<T>> {
        const reply = await this.expect([200, 201], as, path, { method, body, idempotencyKey });
        const w = reply.body as Written<T>;
        if (typeof w.txId !== 'string') throw new DemoError(`${method} ${path}: no txId in the answer`, reply);
        return w;
    }
}

// ---------------------------------------------------------------------------------------------
// Narration

export type Print = (line: string) => void;

interface Demo {
    readonly api: Api;
    readonly run: string;
    readonly print: Print;
    /** A fresh Idempotency-Key for this run. */
    key(): string;
    heading(text: string): void;
    say(text: string): void;
}

function newDemo(api: Api, run: string, print: Print, color: boolean): Demo {
    let n = 0;
    return {
        api,
        run,
        print,
        key: () => `demo-${run}-${++n}`,
        heading: (text) => print(color ? `\n\x1b[1m== ${text} ==\x1b[0m` : `\n== ${text} ==`),
        say: (text) => print(`  ${text}`),
    };
}

const AT = '2024-05-01T08:00:00.000000000Z';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The lines of a provenance timeline: each event with its fees and documents, ancestors first. */
export function timelineLines(t: Timeline): string[] {
    const lines: string[] = [];
    const fees: Fee[] = [];
    const all = [...t.ancestors.flatMap((a) => a.events), ...t.events];
    const width = Math.max(0, ...all.map((e) => e.bizStep.length));
    const eventLine = (e: LotEvent): string => {
        fees.push(...e.fees);
        const where = e.readPoint ?? e.bizLocation;
        const extras = [
            ...(where !== null ? [`at ${where}`] : []),
            ...e.fees.map((f) => `${f.kind} ${f.description} ${money(f.amount, f.currency)}`),
            ...e.documents.map((d) => `${d.type} ${d.sha256.slice(0, 12)}…`),
        ];
        return `${e.bizStep.padEnd(width)} by ${e.by.padEnd(11)} → ${e.statusAfter}${extras.length > 0 ? `  (${extras.join('; ')})` : ''}`;
    };
    for (const a of t.ancestors) {
        lines.push(`from lot ${a.lot.id} (${a.lot.quantity} ${a.lot.unit} left, ${a.lot.status}):`);
        for (const e of a.events) lines.push(`  ${eventLine(e)}`);
    }
    lines.push(`lot ${t.lot.id} (${t.lot.quantity} ${t.lot.unit}, ${t.product.name}), ${t.lot.status}, held by ${t.lot.holder}:`);
    for (const e of t.events) lines.push(`  ${eventLine(e)}`);
    const byCurrency = new Map<string, bigint>();
    for (const f of fees) byCurrency.set(f.currency, (byCurrency.get(f.currency) ?? 0n) + BigInt(f.amount));
    const totals = [...byCurrency].map(([currency, amount]) => money(amount.toString(), currency));
    lines.push(`fees and taxes along the way: ${fees.length} (${totals.length > 0 ? totals.join(', ') : 'none'})`);
    return lines;
}

/** A split tree drawn as an indented tree: each node's (short) id, holder, amount and status. */
export function treeLines(node: TreeNode): string[] {
    const label = (n: TreeNode): string => `${shortId(n.id)}  ${n.holder}  ${n.amount}  ${n.status}`;
    const below = (n: TreeNode, indent: string): string[] =>
        n.children.flatMap((c, i) => {
            const last = i === n.children.length - 1;
            return [`${indent}${last ? '└─ ' : '├─ '}${label(c)}`, ...below(c, `${indent}${last ? '   ' : '│  '}`)];
        });
    return [label(node), ...below(node, '')];
}

/** Writes once with `Prefer: respond-async` (202 + Location), then polls the transaction until it is VALID. */
async function writeAsync(d: Demo, as: Caller, path: string, body: unknown): Promise<{ txId: string; polls: number; blockNumber: string }> {
    const accepted = await d.api.expect([202], as, path, { body, idempotencyKey: d.key(), headers: { Prefer: 'respond-async' } });
    const txId = (accepted.body as { txId?: unknown }).txId;
    if (typeof txId !== 'string') throw new DemoError(`POST ${path}: no txId in the 202 answer`, accepted);
    expectEq('202 Location', accepted.headers.get('location'), `/v1/transactions/${encodeURIComponent(txId)}`);
    for (let polls = 1; polls <= 300; polls++) {
        const r = await d.api.expect([200, 404], as, `/v1/transactions/${encodeURIComponent(txId)}`);
        if (r.status === 200) {
            const t = r.body as TransactionStatus;
            if (t.status !== 'VALID') throw new DemoError(`transaction ${txId} committed ${t.status}`, r);
            return { txId, polls, blockNumber: t.blockNumber };
        }
        await sleep(100);
    }
    throw new DemoError(`transaction ${txId} was not committed within 30 s`);
}

// ---------------------------------------------------------------------------------------------
// 0. members

async function members(d: Demo): Promise<void> {
    d.heading(`0. The consortium (run ${d.run})`);
    const list = await d.api.get<Member[] | { items: Member[] }>('BrandMSP', '/v1/members');
    const all = Array.isArray(list) ? list : list.items;
    for (const m of all) d.say(`${m.name.padEnd(10)} ${m.mspId.padEnd(13)} ${m.roles.join(', ')}`);
    for (const mspId of ['BrandMSP', 'SupplierMSP', 'BankMSP', 'RegulatorMSP']) {
        if (!all.some((m) => m.mspId === mspId)) throw new DemoError(`GET /v1/members: ${mspId} is not a member`);
    }
}

// ---------------------------------------------------------------------------------------------
// 1. provenance

/** Provenance; answers the verification link of a fresh, never scanned demo bottle. */
async function provenance(d: Demo): Promise<string> {
    const { api, run } = d;
    d.heading('1. Provenance: from grape must to a verified bottle');
    const must = `must-${run}`;
    const reserve = `reserve-${run}`;
    const raw = `must-lot-${run}`;
    const bottled = `bottled-${run}`;
    const cert = sha256(`lab-certificate-${run}.pdf`);
    const invoice = sha256(`invoice-${run}`);

    await api.write('BrandMSP', '/v1/products', d.key(), { id: must, sku: 'MUST-RED', model: 'bulk', name: 'Grape must' });
    await api.write('BrandMSP', '/v1/products', d.key(), { id: reserve, sku: 'RES-2023', model: '750ml', name: 'Reserve 2023' });
    const created = await api.write<Lot>('BrandMSP', '/v1/lots', d.key(), { id: raw, productId: must, quantity: '1000', unit: 'L' });
    d.say(`Brand created products ${must}, ${reserve} and raw lot ${raw} (1000 L): ${created.result.status}   tx ${shortTx(created.txId)}`);

    const lotPath = (id: string): string => `/v1/lots/${encodeURIComponent(id)}`;
    await api.write('BrandMSP', `${lotPath(raw)}/events`, d.key(), {
        quantity: '1000',
        bizStep: 'commissioning',
        disposition: 'in_progress',
        eventTime: AT,
        readPoint: 'vineyard-7',
        fees: [{ kind: 'TAX', description: 'excise', amount: '12000', currency: 'EUR' }],
        documents: [{ type: 'INVOICE', sha256: invoice }],
    });
    d.say('Brand recorded commissioning at vineyard-7 (excise tax 120.00 EUR, invoice hash)');
    const sampled = await writeAsync(d, 'BrandMSP', `${lotPath(raw)}/events`, { quantity: '1000', bizStep: 'sampling', disposition: 'in_progress', eventTime: AT });
    d.say(`Brand recorded sampling with Prefer: respond-async → 202 Accepted, tx ${shortTx(sampled.txId)}`);
    d.say(`  polled GET /v1/transactions/${shortTx(sampled.txId)} ${sampled.polls} time(s): VALID in block ${sampled.blockNumber}`);
    expectEq(`lot ${raw} after sampling`, (await api.get<Lot>('BrandMSP', lotPath(raw))).status, 'QC_PENDING');

    await api.write('SupplierMSP', `${lotPath(raw)}/inspections`, d.key(), { result: 'CONFORMANT', certificateHash: cert });
    const inspected = await api.get<Lot>('BrandMSP', lotPath(raw));
    expectEq(`lot ${raw} inspection`, inspected.inspection?.result, 'CONFORMANT');
    expectEq(`lot ${raw} inspector`, inspected.inspection?.inspector, 'SupplierMSP');
    d.say(`Supplier (INSPECTOR) inspected ${raw}: ${inspected.status}, ${inspected.inspection?.result ?? '?'}, certificate ${cert.slice(0, 16)}…`);

    await api.write('BrandMSP', '/v1/transformations', d.key(), {
        transformation: { inputs: [{ lotId: raw, quantity: '1000' }], output: { id: bottled, productId: reserve, quantity: '960', unit: 'L' }, minYieldPercent: 90, maxYieldPercent: 100 },
        context: { eventTime: AT, bizLocation: 'winery' },
    });
    await api.write('BrandMSP', `${lotPath(bottled)}/events`, d.key(), { quantity: '960', bizStep: 'sampling', disposition: 'in_progress', eventTime: AT });
    await api.write('SupplierMSP', `${lotPath(bottled)}/inspections`, d.key(), { result: 'CONFORMANT', certificateHash: cert });
    expectEq(`lot ${bottled} after inspection`, (await api.get<Lot>('BrandMSP', lotPath(bottled))).status, 'RELEASED');
    d.say(`Brand bottled 1000 L of must into lot ${bottled} (960 L, yield 96%); Supplier inspected it: CONFORMANT, RELEASED`);

    await api.write('BrandMSP', `${lotPath(bottled)}/shipments`, d.key(), {
        receiver: 'SupplierMSP',
        context: { eventTime: AT, fees: [{ kind: 'FREIGHT', description: 'truck', amount: '30000', currency: 'EUR' }] },
    });
    const shipped = await api.get<Lot>('BrandMSP', lotPath(bottled));
    expectEq(`lot ${bottled} after shipping`, shipped.status, 'SHIPPED');
    d.say(`Brand shipped ${bottled} to SupplierMSP (freight 300.00 EUR): ${shipped.status}, holder ${shipped.holder}`);
    await api.write('SupplierMSP', `${lotPath(bottled)}/receipts`, d.key(), { context: { eventTime: AT, bizLocation: 'store-paris' } });
    const received = await api.get<Lot>('SupplierMSP', lotPath(bottled));
    expectEq(`lot ${bottled} after receipt`, `${received.status} ${received.holder}`, 'RECEIVED SupplierMSP');
    d.say(`Supplier received it at store-paris: ${received.status}, holder ${received.holder}`);

    // secret codes: printed under a scratch-off label; only their SHA-256 reaches the ledger
    const serials = [`RES-${run}-1`, `RES-${run}-2`];
    const codes = serials.map(() => randomBytes(12).toString('base64url'));
    const s1 = serials[0] ?? '';
    const c1 = codes[0] ?? '';
    await api.write('BrandMSP', `${lotPath(bottled)}/units`, d.key(), { units: serials.map((serial, i) => ({ serial, codeHash: sha256(codes[i] ?? '') })) });
    d.say(`Brand commissioned bottles ${serials.join(', ')} (random secret codes; only their SHA-256 is on the ledger)`);

    const verify = (location: string): Promise<Verification> =>
        api.get<Verification>('public', `/v1/verify/${encodeURIComponent(s1)}?code=${encodeURIComponent(c1)}&location=${encodeURIComponent(location)}`);
    const first = await verify('Paris');
    d.say(`Consumer scan of ${s1} in Paris (GET /v1/verify, no API key): ${first.verdict}`);
    expectEq('first scan', first.verdict, 'GENUINE');
    expectEq('first scan: provenance lot', first.provenance?.lot.id, bottled);

    const timeline = await api.get<Timeline>('BrandMSP', `${lotPath(bottled)}/events`);
    expectEq('timeline ancestor', timeline.ancestors[0]?.lot.id, raw);
    const steps = [...timeline.ancestors.flatMap((a) => a.events), ...timeline.events].map((e) => e.bizStep);
    for (const step of ['commissioning', 'sampling', 'inspecting', 'transforming', 'shipping', 'receiving']) {
        if (!steps.includes(step)) throw new DemoError(`timeline of ${bottled}: no ${step} event (got ${steps.join(', ')})`);
    }
    d.say(`Timeline of ${bottled} (GET /v1/lots/${bottled}/events):`);
    for (const line of timelineLines(timeline)) d.say(`    ${line}`);

    const second = await verify('Shanghai');
    const reasons = second.reasons ?? [];
    d.say(`Second scan of ${s1}, in Shanghai: ${second.verdict} (${reasons.join(', ')}; previous scan in ${second.previousScan?.location ?? '?'})`);
    expectEq('second scan', second.verdict, 'SUSPECT');
    expectEq('second scan reasons include LOCATION_CHANGED', reasons.includes('LOCATION_CHANGED'), true);

    // a bottle nobody scanned yet, labelled by the gateway: its QR code's link is printed at the end
    const reply = await api.expect([201], 'BrandMSP', `${lotPath(bottled)}/labels`, { body: { count: 1, serialPrefix: `DEMO-${run}-` }, idempotencyKey: d.key() });
    const label = (reply.body as { labels?: Array<{ serial?: unknown; url?: unknown }> }).labels?.[0];
    if (typeof label?.url !== 'string' || typeof label.serial !== 'string') throw new DemoError('labels: no label in the answer', reply);
    d.say(`Brand printed a QR label for bottle ${label.serial} (POST ${lotPath(bottled)}/labels: the gateway derives the code, stores none)`);
    return label.url;
}

// ---------------------------------------------------------------------------------------------
// 2. stock tokens

async function tokens(d: Demo): Promise<void> {
    const { api, run } = d;
    d.heading('2. Stock tokens: idle stock → tokens → sold against a receivable (DvP)');
    const deposited = await api.write<StockLot>('BrandMSP', '/v1/stock-lots', d.key(), {
        batchLotId: `LOT-${run}`,
        sku: 'WINE-750',
        unit: 'bottle',
        quantity: '1000',
        unitValuation: { amount: '2500', currency: 'CNY' },
        custodian: 'SupplierMSP',
    });
    const lot = deposited.result.id;
    const lotPath = `/v1/stock-lots/${encodeURIComponent(lot)}`;
    d.say(`Brand deposited 1000 bottles (batch LOT-${run}) with custodian SupplierMSP: stock lot ${shortTx(lot)}`);
    await api.write('SupplierMSP', `${lotPath}/attestation`, d.key(), { quantity: '900' });
    const attested = await api.get<StockLot>('SupplierMSP', lotPath);
    expectEq('attested', attested.attested, '900');
    d.say(`Supplier (CUSTODIAN) attested 900 bottles in the warehouse: ${attested.status}, attested ${attested.attested}`);
    await api.write('BrandMSP', `${lotPath}/mint`, d.key(), { quantity: '600' });
    const minted = await api.get<StockLot>('BrandMSP', lotPath);
    expectEq('minted', minted.minted, '600');
    d.say(`Brand minted 600 tokens: ${minted.status}, minted ${minted.minted}`);

    const offered = await api.write<Offer>('BrandMSP', '/v1/offers', d.key(), {
        lotId: lot,
        quantity: '200',
        unitPrice: { amount: '3000', currency: 'CNY' },
        payment: { maturityDays: 90 },
    });
    const offerPath = `/v1/offers/${encodeURIComponent(offered.result.id)}`;
    d.say(`Brand offered 200 tokens at 30.00 CNY each, paid by a 90-day receivable: offer ${shortTx(offered.result.id)}`);
    const bought = await api.write<Purchase>('BankMSP', `${offerPath}/purchase`, d.key(), { quantity: '150' });
    const offer = await api.get<Offer>('BankMSP', offerPath);
    expectEq('offer remaining', offer.remaining, '50');
    d.say(`Bank purchased 150 tokens in tx ${shortTx(bought.txId)}: offer ${offer.status}, remaining ${offer.remaining}`);
    const r = await api.get<Receivable>('BankMSP', `/v1/receivables/${encodeURIComponent(bought.result.receivableId)}`);
    expectEq('payment receivable: issued in the purchase transaction', r.created.txId, bought.txId);
    expectEq('payment receivable', `${r.issuer} → ${r.holder} ${r.amount} ${r.currency} ${r.reference ?? ''}`, `BankMSP → BrandMSP 450000 CNY offer:${offered.result.id}`);
    d.say(`Delivery versus payment, same transaction: receivable ${shortId(r.id)} issued by ${r.issuer} to ${r.holder},`);
    d.say(`  ${money(r.amount, r.currency)} (150 × 30.00), due ${r.maturityDate}, ${r.status}`);

    const expected: Readonly<Record<string, string>> = { BrandMSP: '400 available, 50 locked, 450 total', BankMSP: '150 available, 0 locked, 150 total' };
    for (const [owner, want] of Object.entries(expected)) {
        const b = await api.get<Holding>('BankMSP', `/v1/balances?owner=${owner}&stockLotId=${encodeURIComponent(lot)}`);
        const got = `${b.available} available, ${b.locked} locked, ${b.total} total`;
        expectEq(`balance of ${owner}`, got, want);
        d.say(`Balance of ${owner}: ${got}${owner === 'BrandMSP' ? ' (50 still on offer)' : ''}`);
    }
    const supply = await api.get<Supply>('BankMSP', `${lotPath}/supply`);
    expectEq('supply', `${supply.minted}/${supply.redeemed}/${supply.total}`, '600/0/600');
    d.say(`Supply: attested ${supply.attested}, minted ${supply.minted}, redeemed ${supply.redeemed}, outstanding ${supply.total}`);
}

// ---------------------------------------------------------------------------------------------
// 3. receivables

async function receivables(d: Demo): Promise<string> {
    const { api, run } = d;
    d.heading('3. Receivables: issue → accept → split → finance → settle');
    const rcv = (id: string, suffix = ''): string => `/v1/receivables/${encodeURIComponent(id)}${suffix}`;
    const issueKey = d.key();
    const issueBody = { holder: 'SupplierMSP', amount: '1000000', currency: 'CNY', maturityDate: '2099-12-31', invoiceHash: sha256(`invoice-rcv-${run}`), contractHash: sha256(`contract-rcv-${run}`) };
    const issued = await api.write<Receivable>('BrandMSP', '/v1/receivables', issueKey, issueBody);
    const root = issued.result.id;
    d.say(`Brand issued receivable ${shortTx(root)} to SupplierMSP: 10000.00 CNY, due 2099-12-31, ${issued.result.status}   tx ${shortTx(issued.txId)}`);

    // the same request again (a client retrying after a lost answer): the original answer, nothing written twice
    const replay = await api.expect([201], 'BrandMSP', '/v1/receivables', { body: issueBody, idempotencyKey: issueKey });
    const replayed = replay.body as Written<Receivable>;
    expectEq('replay: transaction id', replayed.txId, issued.txId);
    expectEq('replay: Idempotent-Replayed header', replay.headers.get('idempotent-replayed'), 'true');
    expectEq('replay: receivable', replayed.result.id, root);
    d.say(`Replayed the same POST with Idempotency-Key ${issueKey}: HTTP ${replay.status}, same tx ${shortTx(replayed.txId)}, Idempotent-Replayed: true`);

    await api.write('SupplierMSP', rcv(root, '/acceptance'), d.key());
    expectEq('accepted', (await api.get<Receivable>('SupplierMSP', rcv(root))).status, 'ACTIVE');
    d.say('Supplier accepted it: ACTIVE');

    const split = await api.write<{ parent: Receivable; children: Receivable[] }>('SupplierMSP', rcv(root, '/transfers'), d.key(), {
        parts: [
            { holder: 'SupplierMSP', amount: '700000' },
            { holder: 'BankMSP', amount: '300000' },
        ],
    });
    const [kept, passed] = split.result.children;
    if (kept === undefined || passed === undefined) throw new DemoError('split: expected two children');
    expectEq('split parent', split.result.parent.status, 'SPLIT');
    d.say(`Supplier split it (tx ${shortTx(split.txId)}): keeps ${shortId(kept.id)} (7000.00), passed ${shortId(passed.id)} (3000.00) to BankMSP`);

    await api.write('SupplierMSP', rcv(kept.id, '/financing-requests'), d.key(), { financier: 'BankMSP' });
    expectEq('financing requested', (await api.get<Receivable>('SupplierMSP', rcv(kept.id))).status, 'UNDER_FINANCING');
    d.say(`Supplier asked BankMSP to finance ${shortId(kept.id)}: UNDER_FINANCING`);
    await api.write('BankMSP', rcv(kept.id, '/financing'), d.key(), { discountedAmount: '672000' });
    const financed = await api.get<Receivable>('BankMSP', rcv(kept.id));
    expectEq('financed: holder', financed.holder, 'BankMSP');
    expectEq('financed: discount', financed.financing?.discountBps, 400);
    d.say(`Bank financed it at a discount: paid ${money('672000', 'CNY')} for ${money(financed.amount, financed.currency)} (400 bps), holder now ${financed.holder}`);

    for (const leaf of [kept.id, passed.id]) {
        await api.write('BrandMSP', rcv(leaf, '/settlement'), d.key());
        const { holder } = await api.get<Receivable>('BrandMSP', rcv(leaf));
        if (holder !== 'BrandMSP' && holder !== 'SupplierMSP' && holder !== 'BankMSP') throw new DemoError(`receivable ${leaf}: unexpected holder ${holder}`);
        await api.write(holder, rcv(leaf, '/settlement-confirmation'), d.key());
        const settled = await api.get<Receivable>(holder, rcv(leaf));
        expectEq(`receivable ${leaf}`, settled.status, 'SETTLED');
        d.say(`Brand paid ${shortId(leaf)}; its holder ${holder} confirmed: ${settled.status}`);
    }

    const tree = await api.get<Tree>('BankMSP', rcv(root, '/tree'));
    expectEq('tree totals', `${tree.amount} ${tree.settled} ${tree.live}`, '1000000 1000000 0');
    d.say(`Split tree of ${shortTx(root)} (total ${tree.amount}, settled ${tree.settled}, live ${tree.live}):`);
    for (const line of treeLines(tree.tree)) d.say(`    ${line}`);

    const credit = await api.get<CreditRecord>('BankMSP', '/v1/credit/BrandMSP');
    const cny = credit.currencies.find((c) => c.currency === 'CNY');
    if (cny === undefined || cny.onTime.count < 2) throw new DemoError('credit record of BrandMSP: expected at least 2 on-time CNY settlements');
    const onTime = credit.onTimeBps === null ? 'n/a' : `${credit.onTimeBps / 100}%`;
    d.say(
        `Brand's credit record: ${credit.settlements} settlements, ${onTime} on time; CNY on time ${cny.onTime.count} (${money(cny.onTime.amount, 'CNY')}), late ${cny.late.count}, overdue unpaid ${cny.overdueUnpaid.count}`,
    );
    return root;
}

// ---------------------------------------------------------------------------------------------
// 4. regulator

async function regulator(d: Demo, root: string): Promise<void> {
    const { api, run } = d;
    d.heading('4. Regulator: reads everything, writes nothing');
    const list = await api.get<Member[] | { items: Member[] }>('regulator', '/v1/members');
    d.say(`GET /v1/members → 200, ${(Array.isArray(list) ? list : list.items).length} members`);
    const r = await api.get<Receivable>('regulator', `/v1/receivables/${encodeURIComponent(root)}`);
    d.say(`GET /v1/receivables/${shortTx(root)} → 200, ${r.status}`);
    const tree = await api.get<Tree>('regulator', `/v1/receivables/${encodeURIComponent(root)}/tree`);
    d.say(`GET /v1/receivables/${shortTx(root)}/tree → 200, settled ${tree.settled}`);
    const refused = await api.expect([403], 'regulator', '/v1/receivables', {
        idempotencyKey: d.key(),
        body: { holder: 'SupplierMSP', amount: '5', currency: 'CNY', maturityDate: '2099-12-31', invoiceHash: sha256(`reg-${run}`), contractHash: sha256(`reg-c-${run}`) },
    });
    const problem = refused.body as { code?: unknown; detail?: unknown };
    expectEq('the regulator write: problem code', problem.code, 'FORBIDDEN');
    d.say(`POST /v1/receivables → ${refused.status} ${String(problem.code)}: ${String(problem.detail)}`);
}

// ---------------------------------------------------------------------------------------------

/** Runs the walkthrough; throws DemoError on the first unexpected answer. */
export async function runDemo(options: { url: string; keys: Readonly<Record<string, string>>; run: string; print: Print; color?: boolean }): Promise<void> {
    const d = newDemo(new Api(options.url, options.keys), options.run, options.print, options.color ?? false);
    d.print(`U-Point demo through the REST gateway at ${baseUrl(options.url)} (run ${options.run})`);
    await members(d);
    const bottleLink = await provenance(d);
    await tokens(d);
    const root = await receivables(d);
    await regulator(d, root);
    d.print('');
    d.print(`demo complete (run ${options.run})`);
    d.print('');
    d.print(`console:        ${baseUrl(options.url)}/console/`);
    d.print(`  sign in with the regulator's dev key: ${options.keys.regulator ?? '(none in the keys file)'}`);
    d.print(`  or BrandMSP's (a member, with write actions): ${options.keys.BrandMSP ?? '(none in the keys file)'}`);
    d.print(`a demo bottle:  ${bottleLink}`);
    d.print('  (its QR code opens this consumer page; every opening records a scan)');
}

const USAGE = 'usage: node gateway/dist/demo.js --url http://127.0.0.1:3000 --keys gateway/dev-api-keys.json [--run <id>]';

async function main(): Promise<number> {
    let values: { url?: string; keys?: string; run?: string; help?: boolean };
    try {
        ({ values } = parseArgs({ options: { url: { type: 'string' }, keys: { type: 'string' }, run: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
    } catch (err) {
        process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
        return 2;
    }
    if (values.help === true) {
        process.stdout.write(`${USAGE}\n`);
        return 0;
    }
    const url = values.url ?? 'http://127.0.0.1:3000';
    const run = values.run ?? process.env.DEMO_RUN_ID ?? Date.now().toString(36);
    if (!/^[A-Za-z0-9]{1,24}$/.test(run)) {
        process.stderr.write(`--run: expected 1-24 letters or digits\n${USAGE}\n`);
        return 2;
    }
    try {
        const keys = loadKeys(values.keys ?? 'gateway/dev-api-keys.json');
        await runDemo({ url, keys, run, print: (line) => process.stdout.write(`${line}\n`), color: process.stdout.isTTY });
        return 0;
    } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        process.stderr.write(`\ndemo failed: ${message}\n`);
        if (err instanceof DemoError && err.reply !== undefined) {
            process.stderr.write(`${typeof err.reply.body === 'string' ? err.reply.body : JSON.stringify(err.reply.body, null, 2)}\n`);
        }
        return 1;
    }
}

if (require.main === module) {
    void main().then((code) => {
        process.exitCode = code;
    });
}
