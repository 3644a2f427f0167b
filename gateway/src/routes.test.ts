/**
 * The provenance, stock-token and audit routes, the public verification, rate limits and the event stream —
 * supertest against createApp with the typed FakeFabric.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createApp, OPERATIONS, type AppDeps } from './app';
import type { Problem } from './errors';
import { buildOpenApi } from './openapi';
import type { ChaincodeEventInfo } from './fabric';
import { captureLogger, FakeFabric, json, KEYS, serviceError, testKeys } from './test-support/fakes';

const HASH = 'b'.repeat(64);
const CONTEXT = { eventTime: '2026-01-02T03:04:05.000000000Z' };
const bearer = (key: string): string => `Bearer ${key}`;

function setup(extra: Partial<AppDeps> = {}): { fabric: FakeFabric; app: ReturnType<typeof createApp> } {
    const fabric = new FakeFabric();
    const app = createApp({ fabric, keys: testKeys(), logger: captureLogger().logger, sleep: () => Promise.resolve(), ...extra });
    return { fabric, app };
}

/** Every write route with a path whose parameters are filled in and a body that passes validation. */
const WRITES: ReadonlyArray<{ method: 'post' | 'delete'; path: string; body: object; expect: { contract: string; transaction: string; args: readonly string[] } }> = [
    {
        method: 'post',
        path: '/v1/products',
        body: { id: 'P1', sku: 'SKU', model: 'M', name: 'Baijiu' },
        expect: { contract: 'provenance', transaction: 'CreateProduct', args: [JSON.stringify({ id: 'P1', sku: 'SKU', model: 'M', name: 'Baijiu' })] },
    },
    {
        method: 'post',
        path: '/v1/lots',
        body: { id: 'L1', productId: 'P1', quantity: '1000', unit: 'L' },
        expect: { contract: 'provenance', transaction: 'CreateLot', args: [JSON.stringify({ id: 'L1', productId: 'P1', quantity: '1000', unit: 'L' })] },
    },
    {
        method: 'post',
        path: '/v1/lots/L1/events',
        body: { quantity: '10', bizStep: 'commissioning', disposition: 'active', ...CONTEXT },
        expect: {
            contract: 'provenance',
            transaction: 'RecordEvent',
            args: [JSON.stringify({ lots: [{ lotId: 'L1', quantity: '10' }], bizStep: 'commissioning', disposition: 'active', ...CONTEXT })],
        },
    },
    {
        method: 'post',
        path: '/v1/lots/L1/inspections',
        body: { result: 'CONFORMANT', certificateHash: HASH },
        expect: { contract: 'provenance', transaction: 'RecordInspection', args: [JSON.stringify({ lotId: 'L1', result: 'CONFORMANT', certificateHash: HASH })] },
    },
    {
        method: 'post',
        path: '/v1/lots/L1/shipments',
        body: { receiver: 'SupplierMSP', context: CONTEXT },
        expect: { contract: 'provenance', transaction: 'Ship', args: ['L1', 'SupplierMSP', JSON.stringify(CONTEXT)] },
    },
    { method: 'post', path: '/v1/lots/L1/receipts', body: { context: CONTEXT }, expect: { contract: 'provenance', transaction: 'Receive', args: ['L1', JSON.stringify(CONTEXT)] } },
    {
        method: 'post',
        path: '/v1/transformations',
        body: {
            transformation: { inputs: [{ lotId: 'L1', quantity: '10' }], output: { id: 'L2', productId: 'P1', quantity: '9', unit: 'L' }, minYieldPercent: 80, maxYieldPercent: 95 },
            context: CONTEXT,
        },
        expect: {
            contract: 'provenance',
            transaction: 'Transform',
            args: [
                JSON.stringify({ inputs: [{ lotId: 'L1', quantity: '10' }], output: { id: 'L2', productId: 'P1', quantity: '9', unit: 'L' }, minYieldPercent: 80, maxYieldPercent: 95 }),
                JSON.stringify(CONTEXT),
            ],
        },
    },
    { method: 'post', path: '/v1/lots/L1/recall', body: { reason: 'contamination' }, expect: { contract: 'provenance', transaction: 'Recall', args: ['L1', 'contamination'] } },
    {
        method: 'post',
        path: '/v1/lots/L1/units',
        body: { units: [{ serial: 'S1', codeHash: HASH }] },
        expect: { contract: 'provenance', transaction: 'CommissionUnits', args: ['L1', JSON.stringify([{ serial: 'S1', codeHash: HASH }])] },
    },
    {
        method: 'post',
        path: '/v1/stock-lots',
        body: { batchLotId: 'L2', sku: 'SKU', unit: 'bottle', quantity: '900', unitValuation: { amount: '50000', currency: 'CNY' }, custodian: 'SupplierMSP' },
        expect: {
            contract: 'tokens',
            transaction: 'Deposit',
            args: [JSON.stringify({ batchLotId: 'L2', sku: 'SKU', unit: 'bottle', quantity: '900', unitValuation: { amount: '50000', currency: 'CNY' }, custodian: 'SupplierMSP' })],
        },
    },
    { method: 'post', path: '/v1/stock-lots/T1/attestation', body: { quantity: '900' }, expect: { contract: 'tokens', transaction: 'Attest', args: ['T1', '900'] } },
    { method: 'post', path: '/v1/stock-lots/T1/mint', body: { quantity: '600' }, expect: { contract: 'tokens', transaction: 'Mint', args: ['T1', '600'] } },
    { method: 'post', path: '/v1/stock-lots/T1/freeze', body: {}, expect: { contract: 'tokens', transaction: 'Freeze', args: ['T1'] } },
    { method: 'post', path: '/v1/stock-lots/T1/unfreeze', body: {}, expect: { contract: 'tokens', transaction: 'Unfreeze', args: ['T1'] } },
    { method: 'post', path: '/v1/stock-lots/T1/impairment', body: { reason: 'flood' }, expect: { contract: 'tokens', transaction: 'Impair', args: ['T1', 'flood'] } },
    {
        method: 'post',
        path: '/v1/token-transfers',
        body: { lotId: 'T1', quantity: '5', to: 'BankMSP' },
        expect: { contract: 'tokens', transaction: 'Transfer', args: [JSON.stringify({ lotId: 'T1', quantity: '5', to: 'BankMSP' })] },
    },
    { method: 'post', path: '/v1/redemptions', body: { lotId: 'T1', quantity: '5' }, expect: { contract: 'tokens', transaction: 'Redeem', args: [JSON.stringify({ lotId: 'T1', quantity: '5' })] } },
    { method: 'post', path: '/v1/redemptions/R1/fulfilment', body: {}, expect: { contract: 'tokens', transaction: 'FulfilRedemption', args: ['R1'] } },
    {
        method: 'post',
        path: '/v1/pledges',
        body: { lotId: 'T1', quantity: '5', financier: 'BankMSP' },
        expect: { contract: 'tokens', transaction: 'Pledge', args: [JSON.stringify({ lotId: 'T1', quantity: '5', financier: 'BankMSP' })] },
    },
    { method: 'post', path: '/v1/pledges/PL1/release', body: {}, expect: { contract: 'tokens', transaction: 'Release', args: ['PL1'] } },
    { method: 'post', path: '/v1/pledges/PL1/foreclosure', body: {}, expect: { contract: 'tokens', transaction: 'Foreclose', args: ['PL1'] } },
    {
        method: 'post',
        path: '/v1/offers',
        body: { lotId: 'T1', quantity: '5', unitPrice: { amount: '100', currency: 'CNY' }, payment: { maturityDays: 30 } },
        expect: { contract: 'tokens', transaction: 'Offer', args: [JSON.stringify({ lotId: 'T1', quantity: '5', unitPrice: { amount: '100', currency: 'CNY' }, payment: { maturityDays: 30 } })] },
    },
    { method: 'post', path: '/v1/offers/O1/purchase', body: { quantity: '2' }, expect: { contract: 'tokens', transaction: 'Purchase', args: ['O1', '2'] } },
    { method: 'delete', path: '/v1/offers/O1', body: {}, expect: { contract: 'tokens', transaction: 'CancelOffer', args: ['O1'] } },
];

describe('provenance and stock-token writes', () => {
    it.each(WRITES)('$method $path → $expect.transaction with the request id first and the body as sent', async (w) => {
        const { app, fabric } = setup();
        const res = await request(app)[w.method](w.path).set('Authorization', bearer(KEYS.brand)).set('Idempotency-Key', 'req-1').send(w.body);
        expect([res.status, res.body]).toEqual([expect.any(Number), { txId: 'tx-1', result: {} }]);
        expect([200, 201]).toContain(res.status);
        expect(fabric.submits).toEqual([{ mspId: 'BrandMSP', contract: w.expect.contract, transaction: w.expect.transaction, args: ['req-1', ...w.expect.args] }]);
    });

    it('covers every write route of the two families', () => {
        // QR labels (createLabels) make their own serials and codes: labels.test.ts
        const routes = OPERATIONS.filter((o) => o.kind === 'write' && (o.tag === 'provenance' || o.tag === 'stock tokens') && o.operationId !== 'createLabels').map((o) => `${o.method} ${o.path}`);
        expect(routes).toHaveLength(WRITES.length);
    });

    it.each(WRITES)('refuses $method $path to the regulator with 403, before Fabric', async (w) => {
        const { app, fabric } = setup();
        const res = await request(app)[w.method](w.path).set('Authorization', bearer(KEYS.regulator)).set('Idempotency-Key', 'req-1').send(w.body);
        expect([res.status, (res.body as Problem).code]).toEqual([403, 'FORBIDDEN']);
        expect(fabric.calls).toEqual([]);
    });

    it('validates bodies with the chaincode schemas: unknown fields, negative quantities and bad ids are listed', async () => {
        const { app, fabric } = setup();
        const res = await request(app)
            .post('/v1/lots/bad%20id/events')
            .set('Authorization', bearer(KEYS.brand))
            .set('Idempotency-Key', 'req-1')
            .send({ quantity: '-3', bizStep: 'commissioning', disposition: 'active', eventTime: CONTEXT.eventTime, colour: 'red' });
        expect(res.status).toBe(400);
        const paths = ((res.body as Problem).errors ?? []).map((e) => e.path);
        expect(paths).toEqual(expect.arrayContaining(['path.id', 'body.quantity', 'body']));
        expect(fabric.calls).toEqual([]);
    });

    it('points Location at the created resource: by its own id, or by the transaction that created it', async () => {
        const { app } = setup();
        const lot = await request(app).post('/v1/lots').set('Authorization', bearer(KEYS.brand)).set('Idempotency-Key', 'a').send(WRITES[1]?.body);
        expect([lot.status, lot.headers.location]).toEqual([201, '/v1/lots/L1']);
        const pledge = await request(app).post('/v1/pledges').set('Authorization', bearer(KEYS.brand)).set('Idempotency-Key', 'b').send({ lotId: 'T1', quantity: '5', financier: 'BankMSP' });
        expect([pledge.status, pledge.headers.location]).toEqual([201, '/v1/pledges/tx-1']);
    });
});

describe('reads', () => {
    it.each([
        ['/v1/lots?holder=SupplierMSP&pageSize=10', 'provenance', 'ListLots', ['HOLDER', 'SupplierMSP', '10', '']],
        ['/v1/lots?status=RECALLED', 'provenance', 'ListLots', ['STATUS', 'RECALLED', '50', '']],
        ['/v1/lots/L1/events', 'provenance', 'Timeline', ['L1']],
        ['/v1/units/S1', 'provenance', 'GetUnit', ['S1']],
        ['/v1/stock-lots?custodian=SupplierMSP', 'tokens', 'ListStockLots', ['CUSTODIAN', 'SupplierMSP', '50', '']],
        ['/v1/stock-lots/T1/supply', 'tokens', 'GetSupply', ['T1']],
        ['/v1/balances?owner=BankMSP&stockLotId=T1', 'tokens', 'Balance', ['BankMSP', 'T1']],
        ['/v1/outputs?owner=BankMSP', 'tokens', 'ListOutputs', ['BankMSP', '', '50', '']],
        ['/v1/offers?pageSize=5&bookmark=x', 'tokens', 'ListOffers', ['5', 'x']],
        ['/v1/history/lot/L1', 'provenance', 'History', ['LOT', 'L1']],
        ['/v1/history/stock-lot/T1', 'tokens', 'History', ['LOT', 'T1']],
        ['/v1/history/receivable/R1', 'receivables', 'History', ['R1']],
    ])('GET %s → %s:%s', async (path, contract, transaction, args) => {
        const { app, fabric } = setup();
        const res = await request(app).get(path).set('Authorization', bearer(KEYS.regulator));
        expect(res.status).toBe(200);
        expect(fabric.calls).toEqual([{ kind: 'evaluate', mspId: 'RegulatorMSP', contract, transaction, args }]);
    });

    it('refuses an unknown history kind and a list with two filters', async () => {
        const { app, fabric } = setup();
        expect((await request(app).get('/v1/history/wallet/x').set('Authorization', bearer(KEYS.brand))).status).toBe(400);
        expect((await request(app).get('/v1/lots?owner=BrandMSP&status=CREATED').set('Authorization', bearer(KEYS.brand))).status).toBe(400);
        expect(fabric.calls).toEqual([]);
    });
});

describe('the caller', () => {
    it('GET /v1/me answers the key name, role and org without calling Fabric', async () => {
        const { app, fabric } = setup();
        const res = await request(app).get('/v1/me').set('Authorization', bearer(KEYS.regulator));
        expect([res.status, res.body]).toEqual([200, { name: 'regulator', role: 'regulator', mspId: 'RegulatorMSP' }]);
        expect(fabric.calls).toEqual([]);
    });
});

describe('public verification', () => {
    it('needs no key, submits as the public org and sends the code as transient data only', async () => {
        const { app, fabric } = setup({ publicMspId: 'BrandMSP' });
        fabric.onSubmit = () => Promise.resolve({ txId: 'tx-scan', result: json({ verdict: 'GENUINE', serial: 'S1' }) });
        const res = await request(app).get('/v1/verify/S1?code=s3cret&location=Paris');
        expect([res.status, res.body]).toEqual([200, { verdict: 'GENUINE', serial: 'S1' }]);
        expect(fabric.submits).toEqual([{ mspId: 'BrandMSP', contract: 'provenance', transaction: 'Verify', args: ['S1', 'Paris'], transient: { code: 's3cret' } }]);
    });

    it('is rate limited per client address with 429 RATE_LIMITED and Retry-After', async () => {
        const { app, fabric } = setup({ rateLimits: { public: { perMinute: 60, burst: 2 }, key: { perMinute: 6000 } } });
        fabric.onSubmit = () => Promise.resolve({ txId: 'tx-scan', result: json({ verdict: 'UNKNOWN', serial: 'S1' }) });
        const statuses: number[] = [];
        let last: request.Response | undefined;
        for (let i = 0; i < 3; i += 1) {
            last = await request(app).get('/v1/verify/S1?code=x&location=Paris');
            statuses.push(last.status);
        }
        expect(statuses).toEqual([200, 200, 429]);
        expect((last?.body as Problem).code).toBe('RATE_LIMITED');
        expect(Number(last?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(fabric.submits).toHaveLength(2);
    });

    it('throttles key guessing: failed authentications spend the address budget', async () => {
        const { app } = setup({ rateLimits: { public: { perMinute: 60, burst: 2 }, key: { perMinute: 6000 } } });
        const statuses: number[] = [];
        for (let i = 0; i < 3; i += 1) statuses.push((await request(app).get('/v1/members').set('Authorization', bearer(`guess-${i}`))).status);
        expect(statuses).toEqual([401, 401, 429]);
    });

    it('limits each API key on its own', async () => {
        const { app } = setup({ rateLimits: { public: { perMinute: 60 }, key: { perMinute: 60, burst: 1 } } });
        expect((await request(app).get('/v1/members').set('Authorization', bearer(KEYS.brand))).status).toBe(200);
        expect((await request(app).get('/v1/members').set('Authorization', bearer(KEYS.brand))).status).toBe(429);
        expect((await request(app).get('/v1/members').set('Authorization', bearer(KEYS.bank))).status).toBe(200);
    });
});

// ---------------------------------------------------------------------------------------------------------------
// Server-Sent Events

interface Frame {
    id?: string;
    event?: string;
    data?: string;
}

/** GETs an event stream from a listening app and collects frames until `count` data frames or the end. */
async function readFrames(app: ReturnType<typeof createApp>, path: string, headers: Record<string, string>, count: number): Promise<{ status: number; frames: Frame[] }> {
    const server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
        const frames: Frame[] = [];
        if (res.body === null) return { status: res.status, frames };
        const decoder = new TextDecoder();
        let buffer = '';
        const reader = res.body.getReader();
        while (frames.filter((f) => f.data !== undefined).length < count) {
            const chunk = await reader.read();
            if (chunk.done) break;
            buffer += decoder.decode(chunk.value, { stream: true });
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
                const frame: Frame = {};
                for (const line of buffer.slice(0, end).split('\n')) {
                    const i = line.indexOf(': ');
                    if (line.startsWith('id: ')) frame.id = line.slice(i + 2);
                    if (line.startsWith('event: ')) frame.event = line.slice(i + 2);
                    if (line.startsWith('data: ')) frame.data = line.slice(i + 2);
                }
                buffer = buffer.slice(end + 2);
                if (frame.data !== undefined) frames.push(frame);
            }
        }
        await reader.cancel();
        return { status: res.status, frames };
    } finally {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
    }
}

const ev = (blockNumber: bigint, txId: string, name: string): ChaincodeEventInfo => ({ blockNumber, txId, name, payload: json({ type: name, txId }) });

describe('event stream', () => {
    const LEDGER = [ev(3n, 'a', 'provenance.CreateLot'), ev(3n, 'b', 'provenance.Ship'), ev(4n, 'c', 'receivables.Issue'), ev(5n, 'd', 'provenance.Ship')];

    it('sends each chaincode event with id <block>:<txId> and its JSON payload', async () => {
        const { app, fabric } = setup();
        fabric.ledgerEvents = LEDGER;
        const { status, frames } = await readFrames(app, '/v1/events?fromBlock=0', { Authorization: bearer(KEYS.regulator) }, 4);
        expect(status).toBe(200);
        expect(frames.map((f) => f.id)).toEqual(['3:a', '3:b', '4:c', '5:d']);
        expect(JSON.parse(frames[2]?.data ?? '')).toEqual({ blockNumber: '4', txId: 'c', name: 'receivables.Issue', payload: { type: 'receivables.Issue', txId: 'c' } });
        expect(fabric.calls).toEqual([{ kind: 'chaincodeEvents', mspId: 'RegulatorMSP', start: { blockNumber: 0n } }]);
    });

    it('resumes just after Last-Event-ID: nothing lost, nothing repeated', async () => {
        const { app, fabric } = setup();
        fabric.ledgerEvents = LEDGER;
        const { frames } = await readFrames(app, '/v1/events?fromBlock=0', { Authorization: bearer(KEYS.brand), 'Last-Event-ID': '3:a' }, 3);
        expect(frames.map((f) => f.id)).toEqual(['3:b', '4:c', '5:d']);
        expect(fabric.calls).toEqual([{ kind: 'chaincodeEvents', mspId: 'BrandMSP', start: { blockNumber: 3n, afterTxId: 'a' } }]);
    });

    it('filters by event name', async () => {
        const { app, fabric } = setup();
        fabric.ledgerEvents = LEDGER;
        const { frames } = await readFrames(app, '/v1/events?fromBlock=0&types=provenance.Ship', { Authorization: bearer(KEYS.brand) }, 2);
        expect(frames.map((f) => f.id)).toEqual(['3:b', '5:d']);
    });

    it('ends with an error frame when the Fabric stream breaks, after the events it had', async () => {
        const { app, fabric } = setup();
        fabric.ledgerEvents = LEDGER.slice(0, 1);
        fabric.streamError = serviceError(14, '14 UNAVAILABLE: peer went away');
        const { frames } = await readFrames(app, '/v1/events?fromBlock=0', { Authorization: bearer(KEYS.brand) }, 5);
        expect(frames.map((f) => f.event ?? 'message')).toEqual(['message', 'error']);
        expect(frames[1]?.data).not.toMatch(/peer went away/);
        expect(fabric.streamsClosed).toBe(1);
    });

    it('refuses a malformed Last-Event-ID and an anonymous caller before opening a stream', async () => {
        const { app, fabric } = setup();
        const bad = await request(app).get('/v1/events').set('Authorization', bearer(KEYS.brand)).set('Last-Event-ID', 'yesterday');
        expect([bad.status, (bad.body as Problem).code]).toEqual([400, 'VALIDATION_FAILED']);
        expect((await request(app).get('/v1/events')).status).toBe(401);
        expect(fabric.calls).toEqual([]);
    });

    it('ends open streams at shutdown', async () => {
        const shutdown = new AbortController();
        const { app, fabric } = setup({ shutdown: shutdown.signal });
        // a stream that never ends by itself
        fabric.chaincodeEvents = () =>
            Promise.resolve({
                close: () => undefined,
                [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<ChaincodeEventInfo>>(() => undefined) }),
            });
        setTimeout(() => shutdown.abort(), 100);
        const { status, frames } = await readFrames(app, '/v1/events', { Authorization: bearer(KEYS.brand) }, 1);
        expect([status, frames]).toEqual([200, []]);
    });
});

describe('the README', () => {
    it('lists every route the app serves, and no route it does not', () => {
        const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
        const served = OPERATIONS.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort();
        const listed = [...readme.matchAll(/^\| `((?:GET|POST|DELETE) \/v1\/[^`]*)` \|/gm)].map((m) => m[1]).sort();
        expect(listed).toEqual(served);
    });
});

describe('the OpenAPI document', () => {
    it('validates against the OpenAPI 3.1 schema (@seriousme/openapi-schema-validator, ESM: run in a child process)', () => {
        const { app } = setup();
        void app;
        const doc = JSON.stringify(buildOpenApi(OPERATIONS, 'test'));
        const script = [
            "import { Validator } from '@seriousme/openapi-schema-validator';",
            "let text = ''; process.stdin.on('data', (c) => { text += c; });",
            "process.stdin.on('end', async () => { const r = await new Validator().validate(JSON.parse(text));",
            'process.stdout.write(JSON.stringify(r)); });',
        ].join('\n');
        const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { input: doc, cwd: __dirname, encoding: 'utf8' });
        expect(run.stderr).toBe('');
        const result = JSON.parse(run.stdout) as { valid: boolean; errors?: unknown };
        expect(result).toEqual({ valid: true });
    });

    it('documents every route with its parameters, a problem response and the rate-limit answer', () => {
        const doc = buildOpenApi(OPERATIONS, 'test');
        for (const op of OPERATIONS) {
            const entry = doc.paths[op.path]?.[op.method] as { operationId: string; parameters: Array<{ name: string; in: string }>; responses: Record<string, unknown> } | undefined;
            expect(entry?.operationId).toBe(op.operationId);
            for (const name of [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])) expect(entry?.parameters).toContainEqual(expect.objectContaining({ name, in: 'path' }));
            expect(Object.keys(entry?.responses ?? {})).toEqual(expect.arrayContaining(['default', '429']));
        }
    });
});
