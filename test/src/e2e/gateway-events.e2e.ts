// The gateway's Server-Sent Events (GET /v1/events) over HTTP on devnet, read with a raw node:http request and
// parsed frame by frame: exactly the events of the writes made through the gateway, in ledger order, each with
// id <block>:<txId>; a disconnected client resumes with Last-Event-ID without losses or repeats (also inside a
// block holding several transactions); ?fromBlock=0 replays everything; ?types= filters. Then the devnet (a child
// process) is killed under the running app: reads answer 503/504 problem+json, the open stream ends with an
// `event: error` frame, and after the restart the same app instance (same gRPC channels) reads, writes and
// resumes the stream without losing anything.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHANNEL } from '../support/conformance';
import { GatewayHarness, messages, SseStream, type Reply, type StreamedEvent } from '../support/gateway';
import { REPO, TestNetwork, testConfig, waitFor } from '../support/network';

const CHAINCODE = join(REPO, 'chaincode');
const MEMBERS = readFileSync(join(REPO, 'network/members.json'), 'utf8');
const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

interface Problem {
    status: number;
    code: string;
    errors?: Array<{ path: string }>;
}

describe('REST gateway event stream over HTTP on devnet', () => {
    const net = new TestNetwork(testConfig(101000));
    const gw = new GatewayHarness(net);

    const open = (query = '', lastEventId?: string, as = 'BrandMSP'): Promise<SseStream> =>
        SseStream.open(`${gw.base}/v1/events${query}`, { Authorization: `Bearer ${gw.key(as)}`, ...(lastEventId !== undefined ? { 'Last-Event-ID': lastEventId } : {}) });
    const txIdsOf = (s: SseStream): string[] => messages(s.events).map((e) => e.txId);
    const has = (s: SseStream, txIds: readonly string[]): boolean => {
        const seen = new Set(txIdsOf(s));
        return txIds.every((t) => seen.has(t));
    };

    /** A write of one of three families (provenance, receivables, tokens) by Brand; its txId. */
    let n = 0;
    const body = (i: number): { path: string; body: unknown } => {
        switch (i % 3) {
            case 0:
                return { path: '/v1/products', body: { id: `ev-product-${i}`, sku: `SKU-${i}`, model: 'm', name: `Product ${i}` } };
            case 1:
                return { path: '/v1/receivables', body: { holder: 'SupplierMSP', amount: String(1000 + i), currency: 'CNY', maturityDate: '2099-12-31', invoiceHash: sha(`inv-${i}`), contractHash: sha(`ctr-${i}`) } };
            default:
                return { path: '/v1/stock-lots', body: { batchLotId: `batch-${i}`, sku: 'SKU', unit: 'box', quantity: '10', unitValuation: { amount: '5', currency: 'CNY' }, custodian: 'SupplierMSP' } };
        }
    };
    const mixedWrite = async (): Promise<string> => {
        const i = n++;
        const w = body(i);
        return (await gw.write('POST', w.path, 'BrandMSP', `ev-${i}`, w.body)).txId;
    };
    const writes = async (k: number): Promise<string[]> => {
        const out: string[] = [];
        for (let j = 0; j < k; j++) out.push(await mixedWrite());
        return out;
    };
    const blockOf = async (txId: string): Promise<bigint> => BigInt((await gw.get<{ blockNumber: string }>(`/v1/transactions/${txId}`, 'BrandMSP')).blockNumber);
    const expectWellFormed = (events: readonly StreamedEvent[]): void => {
        for (const e of events) expect(e.id).toBe(`${e.blockNumber}:${e.txId}`);
        const keys = events.map((e) => e.id);
        expect(new Set(keys).size).toBe(keys.length);
        for (let i = 1; i < events.length; i++) expect(BigInt(events[i]?.blockNumber ?? 0) >= BigInt(events[i - 1]?.blockNumber ?? 0)).toBe(true);
    };

    // the story so far: every write's txId, in commit order
    let firstBlock = 0n;
    let markerTx = '';
    const committed: string[] = [];
    let everything: StreamedEvent[] = [];

    beforeAll(async () => {
        await net.startProcess();
        await net.deploy(CHAINCODE);
        await net.gateway('Brand', 'Admin').getNetwork(CHANNEL).getContract('upoint', 'membership').submitTransaction('Bootstrap', MEMBERS);
        await gw.start({}, { evaluate: 10_000, endorse: 10_000, submit: 10_000, commitStatus: 20_000 });
    }, 180_000);
    afterAll(async () => {
        await gw.stop();
        await net.stop();
    });

    it('delivers exactly the events of the writes, in order, each with id <block>:<txId>', async () => {
        markerTx = await mixedWrite();
        firstBlock = (await blockOf(markerTx)) + 1n;
        // B starts at a block (deterministic); A starts "now", which the peer fixes when the stream reaches it: probe until A sees one
        const b = await open(`?fromBlock=${firstBlock}`);
        const a = await open();
        expect([a.status, a.contentType]).toEqual([200, expect.stringMatching(/^text\/event-stream/)]);
        const probes: string[] = [];
        for (let i = 0; i < 10 && !a.events.length; i++) {
            probes.push(await mixedWrite());
            await a.until('a probe', (ev) => ev.length > 0, 3_000).catch(() => undefined);
        }
        expect(a.events.length).toBeGreaterThan(0);
        const written = await writes(6);
        committed.push(...probes, ...written);

        await b.until('every write on B', () => has(b, committed));
        await a.until('every write on A', () => has(a, written));
        // B: exactly the probes and the writes, in order, nothing else (no other writer on the channel)
        expect(txIdsOf(b)).toEqual(committed);
        // A: a suffix of that, starting at the probe it saw first
        const fromA = txIdsOf(a);
        expect(fromA).toEqual(committed.slice(committed.indexOf(fromA[0] ?? '')));
        expect(fromA.slice(-written.length)).toEqual(written);
        expectWellFormed(messages(b.events));
        for (const e of messages(b.events)) {
            expect(BigInt(e.blockNumber)).toBe(await blockOf(e.txId));
            expect(e.name).toMatch(/^(provenance|receivables|tokens)\.[A-Za-z]+$/);
            expect(e.payload).toMatchObject({ txId: e.txId, caller: 'BrandMSP' });
        }
        expect(messages(b.events).map((e) => e.name).slice(-3).sort()).toEqual(['provenance.CreateProduct', 'receivables.Issue', 'tokens.Deposit'].sort());
        a.close();
        b.close();
    }, 120_000);

    it('resumes after a disconnect with Last-Event-ID: exactly the missed events, none twice, none lost (also inside a block)', async () => {
        const c = await open(`?fromBlock=${firstBlock}`);
        await c.until('the replay', () => has(c, committed));
        const before = await writes(2);
        committed.push(...before);
        await c.until('two more', () => has(c, before));
        c.close(); // the client goes away mid-way
        const lastId = messages(c.events).at(-1)?.id ?? '';
        expect(lastId).toBe(`${await blockOf(before[1] ?? '')}:${before[1] ?? ''}`);

        // while disconnected: sequential writes, and concurrent async ones that likely share a block
        const missed = await writes(3);
        const asyncWrites = await Promise.all(
            [0, 1, 2].map(async () => {
                const i = n++;
                const w = body(i);
                const r = await gw.call<{ txId: string }>('POST', w.path, 'BrandMSP', { idem: `ev-${i}`, body: w.body, prefer: 'respond-async' });
                expect(r.status).toBe(202);
                return r.body.txId;
            }),
        );
        for (const t of asyncWrites) {
            await waitFor(`commit of ${t}`, async () => (await gw.call('GET', `/v1/transactions/${t}`, 'BrandMSP')).status === 200);
        }
        const sentinel = await mixedWrite();

        const d = await open('', lastId);
        await d.until('the missed events', () => has(d, [...missed, ...asyncWrites, sentinel]));
        const resumed = messages(d.events);
        expectWellFormed(resumed);
        expect(resumed.map((e) => e.txId).slice(0, 3)).toEqual(missed);
        expect(
            resumed
                .map((e) => e.txId)
                .slice(3, 6)
                .sort(),
        ).toEqual([...asyncWrites].sort());
        expect(resumed.map((e) => e.txId).slice(6)).toEqual([sentinel]);
        committed.push(...resumed.map((e) => e.txId));
        d.close();

        // ?fromBlock=0 replays the whole channel: the bootstrap, then every write, in the same order
        const all = await open('?fromBlock=0');
        await all.until('the full replay', () => has(all, [sentinel]));
        everything = messages(all.events);
        all.close();
        expectWellFormed(everything);
        expect(everything[0]?.name).toMatch(/^membership\./);
        expect(everything.map((e) => e.txId)).toEqual([everything[0]?.txId, markerTx, ...committed]);

        // resuming after any event — including one followed by another of the same block — gives exactly the rest
        const sameBlock = everything.findIndex((e, i) => everything[i + 1]?.blockNumber === e.blockNumber);
        const picks = new Set([0, sameBlock, everything.findIndex((e) => e.id === lastId), everything.length - 2].filter((i) => i >= 0));
        for (const i of picks) {
            const from = everything[i];
            if (from === undefined) continue;
            const r = await open('', from.id);
            await r.until(`the rest after ${from.id}`, () => has(r, [sentinel]));
            r.close();
            expect({ after: from.id, got: messages(r.events).map((e) => e.id) }).toEqual({ after: from.id, got: everything.slice(i + 1).map((e) => e.id) });
        }
        if (sameBlock < 0) console.log('note: no two transactions shared a block in this run; the same-block resume case was not exercised');

        const bad = await open('', 'not-an-id');
        await bad.end();
        expect([bad.status, (JSON.parse(bad.raw) as Problem).code, (JSON.parse(bad.raw) as Problem).errors?.[0]?.path]).toEqual([400, 'VALIDATION_FAILED', 'header.Last-Event-ID']);
    }, 120_000);

    it('filters with ?types= (the chaincode event names, e.g. tokens.Deposit)', async () => {
        const deposits = everything.filter((e) => e.name === 'tokens.Deposit');
        expect(deposits.length).toBeGreaterThan(0);
        const f = await open('?fromBlock=0&types=tokens.Deposit,receivables.Issue');
        if (f.status !== 200) {
            await f.end();
            throw new Error(`GET /v1/events?types=tokens.Deposit,receivables.Issue → ${f.status} ${f.raw}`);
        }
        const wanted = everything.filter((e) => e.name === 'tokens.Deposit' || e.name === 'receivables.Issue');
        await f.until('the filtered replay', () => has(f, wanted.map((e) => e.txId)));
        f.close();
        expect(messages(f.events).map((e) => e.id)).toEqual(wanted.map((e) => e.id));
    }, 60_000);

    it('survives a peer restart: 503/504 while down, an error frame on the open stream, then the same app reads, writes and resumes without loss', async () => {
        const lastBefore = everything.at(-1)?.id ?? '';
        const g = await open('', lastBefore);
        const acked = await mixedWrite();
        await g.until('the write before the kill', () => has(g, [acked]));
        const lastSeen = messages(g.events).at(-1)?.id ?? '';

        await net.killProcess();
        await g.end(30_000);
        const last = g.events.at(-1);
        expect(last?.event).toBe('error');
        expect(JSON.parse(last?.data ?? '{}')).toMatchObject({ code: expect.stringMatching(/^(UNAVAILABLE|TIMEOUT)$/) });
        expect(messages(g.events).map((e) => e.txId)).toEqual([acked]);

        const read = await gw.call<Problem>('GET', '/v1/products/ev-product-0', 'BrandMSP');
        expect([read.status === 503 || read.status === 504, read.headers.get('content-type'), read.body.code]).toEqual([
            true,
            expect.stringMatching(/^application\/problem\+json/),
            read.status === 503 ? 'UNAVAILABLE' : 'TIMEOUT',
        ]);
        const down: Reply<Problem> = await gw.call<Problem>('GET', '/readyz', undefined);
        expect([down.status, down.body.code]).toEqual([503, 'UNAVAILABLE']);
        expect((await gw.call('GET', '/healthz', undefined)).status).toBe(200);
        const failedWrite = await gw.call<Problem>('POST', '/v1/products', 'BrandMSP', { idem: 'ev-down-1', body: { id: 'ev-down', sku: 'D', model: 'd', name: 'While down' } });
        expect([failedWrite.status === 503 || failedWrite.status === 504, failedWrite.body.code]).toEqual([true, failedWrite.status === 503 ? 'UNAVAILABLE' : 'TIMEOUT']);

        await net.startProcess();
        // the same app, the same gRPC channels: they reconnect by themselves (bounded wait)
        await waitFor('reads through the same app', async () => (await gw.call('GET', '/v1/products/ev-product-0', 'BrandMSP')).status === 200, 90_000);
        await waitFor('readiness', async () => (await gw.call('GET', '/readyz', undefined)).status === 200, 30_000);
        let retried: Reply<{ txId: string }> = { status: 0, body: { txId: '' }, headers: new Headers() };
        await waitFor(
            'a write through the same app',
            async () => {
                retried = await gw.call<{ txId: string }>('POST', '/v1/products', 'BrandMSP', { idem: 'ev-down-1', body: { id: 'ev-down', sku: 'D', model: 'd', name: 'While down' } });
                return retried.status === 201;
            },
            60_000,
        );
        const after = await writes(2);

        const h = await open('', lastSeen);
        await h.until('the events after the restart', () => has(h, [retried.body.txId, ...after]));
        const sentinel = await mixedWrite();
        await h.until('the sentinel', () => has(h, [sentinel]));
        h.close();
        expectWellFormed(messages(h.events));
        expect(txIdsOf(h)).toEqual([retried.body.txId, ...after, sentinel]);
    }, 240_000);
});
