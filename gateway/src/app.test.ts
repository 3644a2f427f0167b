import { CommitError, StatusCode } from '@hyperledger/fabric-gateway';
import request from 'supertest';
import { createApp, OPERATIONS } from './app';
import type { Problem } from './errors';
import { captureLogger, endorseError, FakeFabric, json, KEYS, serviceError, testKeys } from './test-support/fakes';

const HASH = 'a'.repeat(64);
const ISSUE = { holder: 'SupplierMSP', amount: '1000000', currency: 'CNY', maturityDate: '2099-12-31', invoiceHash: HASH, contractHash: HASH };

function setup(): { fabric: FakeFabric; app: ReturnType<typeof createApp>; lines: string[]; sleeps: number[] } {
    const fabric = new FakeFabric();
    const { logger, lines } = captureLogger();
    const sleeps: number[] = [];
    const app = createApp({
        fabric,
        keys: testKeys(),
        logger,
        sleep: (ms) => {
            sleeps.push(ms);
            return Promise.resolve();
        },
    });
    return { fabric, app, lines, sleeps };
}

const bearer = (key: string): string => `Bearer ${key}`;

describe('authentication and roles', () => {
    it('refuses a missing or unknown API key with 401 problem+json, before any Fabric call', async () => {
        const { app, fabric } = setup();
        const missing = await request(app).get('/v1/members');
        expect(missing.status).toBe(401);
        expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(missing.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', title: 'Unauthenticated' });
        const bad = await request(app).get('/v1/members').set('Authorization', bearer('nope'));
        expect(bad.status).toBe(401);
        const malformed = await request(app).get('/v1/members').set('Authorization', `Basic ${KEYS.brand}`);
        expect(malformed.status).toBe(401);
        expect(fabric.calls).toEqual([]);
    });

    it('refuses every write by the regulator with 403 before parsing or reaching Fabric', async () => {
        const { app, fabric } = setup();
        for (const path of ['/v1/receivables', '/v1/receivables/r1/acceptance', '/v1/receivables/r1/settlement', '/v1/members/proposals']) {
            const res = await request(app).post(path).set('Authorization', bearer(KEYS.regulator)).set('Idempotency-Key', 'k1').send({});
            expect([res.status, (res.body as Problem).code]).toEqual([403, 'FORBIDDEN']);
        }
        expect(fabric.calls).toEqual([]);
    });

    it('lets the regulator read with its own identity', async () => {
        const { app, fabric } = setup();
        fabric.onEvaluate = () => Promise.resolve(json({ id: 'r1', status: 'ACTIVE' }));
        const res = await request(app).get('/v1/receivables/r1').set('Authorization', bearer(KEYS.regulator));
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ id: 'r1', status: 'ACTIVE' });
        expect(fabric.calls).toEqual([{ kind: 'evaluate', mspId: 'RegulatorMSP', contract: 'receivables', transaction: 'Get', args: ['r1'] }]);
    });

    it('makes a member act for its own org: the request id comes first, the identity is the key\'s org', async () => {
        const { app, fabric } = setup();
        fabric.onSubmit = () => Promise.resolve({ txId: 'tx-issue', result: json({ id: 'tx-issue', status: 'PENDING' }) });
        const res = await request(app).post('/v1/receivables').set('Authorization', bearer(KEYS.brand)).set('Idempotency-Key', 'inv-1').send(ISSUE);
        expect(res.status).toBe(201);
        expect(res.headers.location).toBe('/v1/receivables/tx-issue');
        expect(res.body).toEqual({ txId: 'tx-issue', result: { id: 'tx-issue', status: 'PENDING' } });
        expect(fabric.calls).toEqual([
            {
                kind: 'submit',
                request: { mspId: 'BrandMSP', contract: 'receivables', transaction: 'Issue', args: ['inv-1', 'SupplierMSP', '1000000', 'CNY', '2099-12-31', HASH, HASH] },
            },
        ]);
    });

    it('reserves membership proposals to the admin role', async () => {
        const { app, fabric } = setup();
        const change = { action: 'REMOVE', mspId: 'BankMSP' };
        const member = await request(app).post('/v1/members/proposals').set('Authorization', bearer(KEYS.brand)).set('Idempotency-Key', 'p1').send(change);
        expect([member.status, (member.body as Problem).code]).toEqual([403, 'FORBIDDEN']);
        expect(fabric.calls).toEqual([]);
        fabric.onSubmit = () => Promise.resolve({ txId: 'tx-p', result: json({ id: 'tx-p', status: 'PENDING' }) });
        const admin = await request(app).post('/v1/members/proposals').set('Authorization', bearer(KEYS.admin)).set('Idempotency-Key', 'p1').send(change);
        expect(admin.status).toBe(201);
        expect(admin.headers.location).toBe('/v1/members/proposals/tx-p');
        expect(fabric.submits).toEqual([{ mspId: 'BrandMSP', contract: 'membership', transaction: 'ProposeChange', args: ['p1', JSON.stringify(change)] }]);
    });
});

describe('validation', () => {
    it('lists every bad field (body, path, Idempotency-Key) and calls nothing', async () => {
        const { app, fabric } = setup();
        const res = await request(app)
            .post('/v1/receivables')
            .set('Authorization', bearer(KEYS.brand))
            .send({ ...ISSUE, amount: '10abc', currency: undefined, extra: 1 });
        expect(res.status).toBe(400);
        const problem = res.body as Problem;
        expect(problem.code).toBe('VALIDATION_FAILED');
        expect(problem.errors?.map((e) => e.path).sort()).toEqual(['body', 'body.amount', 'body.currency', 'header.Idempotency-Key']);
        const path = await request(app).get('/v1/receivables/bad%20id').set('Authorization', bearer(KEYS.brand));
        expect([path.status, (path.body as Problem).errors?.[0]?.path]).toEqual([400, 'path.id']);
        expect(fabric.calls).toEqual([]);
    });

    it('refuses malformed JSON and oversized bodies with VALIDATION_FAILED', async () => {
        const { app } = setup();
        const bad = await request(app).post('/v1/receivables').set('Authorization', bearer(KEYS.brand)).set('Idempotency-Key', 'k').set('Content-Type', 'application/json').send('{"holder":');
        expect([bad.status, (bad.body as Problem).code]).toEqual([400, 'VALIDATION_FAILED']);
        const big = await request(app).post('/v1/receivables').set('Authorization', bearer(KEYS.brand)).set('Idempotency-Key', 'k').send({ pad: 'x'.repeat(200_000) });
        expect([big.status, (big.body as Problem).detail]).toEqual([400, 'request body too large']);
    });

    it('maps list queries to one chaincode index and refuses ambiguous ones', async () => {
        const { app, fabric } = setup();
        fabric.onEvaluate = () => Promise.resolve(json({ items: [], bookmark: '' }));
        const ok = await request(app).get('/v1/receivables?holder=SupplierMSP&pageSize=10').set('Authorization', bearer(KEYS.bank));
        expect(ok.status).toBe(200);
        expect(fabric.calls).toEqual([{ kind: 'evaluate', mspId: 'BankMSP', contract: 'receivables', transaction: 'ListByHolder', args: ['SupplierMSP', '10', ''] }]);
        const both = await request(app).get('/v1/receivables?holder=SupplierMSP&issuer=BrandMSP').set('Authorization', bearer(KEYS.bank));
        expect([both.status, (both.body as Problem).code]).toEqual([400, 'VALIDATION_FAILED']);
        const status = await request(app).get('/v1/receivables?status=NOPE').set('Authorization', bearer(KEYS.bank));
        expect((status.body as Problem).errors?.[0]?.path).toBe('query.status');
    });
});

describe('error mapping', () => {
    it('maps a chaincode code from the peer details to its status, without peer addresses', async () => {
        const { app, fabric } = setup();
        const cases: Array<[string, number]> = [
            ['NOT_FOUND: receivable r1', 404],
            ['FORBIDDEN: SupplierMSP cannot settle', 403],
            ['INVALID_ARGUMENT: parts: amounts sum to 699999', 400],
            ['INVALID_STATE: receivable r1 is SETTLED', 409],
            ['CONFLICT: invoice already backs r0', 409],
            ['INSUFFICIENT_FUNDS: balance 3 < 5', 422],
        ];
        for (const [message, status] of cases) {
            fabric.onSubmit = () => Promise.reject(endorseError(message));
            const res = await request(app).post('/v1/receivables/r1/acceptance').set('Authorization', bearer(KEYS.supplier)).set('Idempotency-Key', 'a1').send({});
            const code = message.slice(0, message.indexOf(':'));
            expect(res.status).toBe(status);
            expect(res.body).toMatchObject({ code, status, detail: message.slice(code.length + 2) });
            expect(JSON.stringify(res.body)).not.toMatch(/peer0|7051|chaincode response/);
        }
    });

    it('answers an unknown failure with 500 INTERNAL, logs the cause without addresses, never echoes it', async () => {
        const { app, fabric, lines } = setup();
        fabric.onEvaluate = () => Promise.reject(new Error('connect ECONNREFUSED peer0.brand.upoint.example:7051 secret-stack'));
        const res = await request(app).get('/v1/members').set('Authorization', bearer(KEYS.brand));
        expect(res.status).toBe(500);
        expect(res.body).toMatchObject({ code: 'INTERNAL', detail: 'internal error' });
        expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|7051/);
        const logged = lines.join('');
        expect(logged).toMatch(/ECONNREFUSED/);
        expect(logged).not.toMatch(/7051/);
        expect(logged).not.toMatch(/brand-key/);
    });

    it('maps gRPC unavailability and deadlines to 503 and 504', async () => {
        const { app, fabric } = setup();
        fabric.onEvaluate = () => Promise.reject(endorseError('x', { grpcCode: 14, details: [] }));
        expect((await request(app).get('/v1/members').set('Authorization', bearer(KEYS.brand))).status).toBe(503);
        fabric.onEvaluate = () => Promise.reject(endorseError('x', { grpcCode: 4, details: [] }));
        expect((await request(app).get('/v1/members').set('Authorization', bearer(KEYS.brand))).status).toBe(504);
        void serviceError;
    });
});

describe('writes: idempotency, retries, async', () => {
    it('answers a replayed Idempotency-Key with the original txId and the original result, read back from the ledger', async () => {
        const { app, fabric } = setup();
        fabric.onSubmit = () => Promise.reject(endorseError('DUPLICATE_REQUEST: request inv-1 already processed in transaction tx-first'));
        const invocation = ['receivables:Issue', 'inv-1', ISSUE.holder, ISSUE.amount, ISSUE.currency, ISSUE.maturityDate, ISSUE.invoiceHash, ISSUE.contractHash];
        fabric.onTransaction = (txId) => Promise.resolve({ txId, validationCode: 'VALID', valid: true, blockNumber: '3', result: json({ id: 'tx-first', status: 'PENDING' }), invocation, writes: [] });
        const res = await request(app).post('/v1/receivables').set('Authorization', bearer(KEYS.brand)).set('Idempotency-Key', 'inv-1').send(ISSUE);
        expect(res.status).toBe(201);
        expect(res.headers['idempotent-replayed']).toBe('true');
        expect(res.headers.location).toBe('/v1/receivables/tx-first');
        expect(res.body).toEqual({ txId: 'tx-first', result: { id: 'tx-first', status: 'PENDING' }, replayed: true });
        expect(fabric.calls.filter((c) => c.kind === 'transaction')).toEqual([{ kind: 'transaction', mspId: 'BrandMSP', txId: 'tx-first' }]);
        expect(fabric.calls.filter((c) => c.kind === 'evaluate')).toEqual([]);
    });

    it('refuses a key reused for a different request with 422 IDEMPOTENCY_KEY_REUSED instead of the other outcome', async () => {
        const { app, fabric } = setup();
        fabric.onSubmit = () => Promise.reject(endorseError('DUPLICATE_REQUEST: request k-1 already processed in transaction tx-product'));
        fabric.onTransaction = (txId) =>
            Promise.resolve({ txId, validationCode: 'VALID', valid: true, blockNumber: '3', result: json({ id: 'P1' }), invocation: ['provenance:CreateProduct', 'k-1', '{"id":"P1"}'], writes: [] });
        const res = await request(app).post('/v1/receivables').set('Authorization', bearer(KEYS.brand)).set('Idempotency-Key', 'k-1').send(ISSUE);
        expect([res.status, (res.body as Problem).code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
        expect(JSON.stringify(res.body)).not.toContain('P1');
    });

    it('retries MVCC_READ_CONFLICT with a fresh proposal, bounded, with backoff', async () => {
        const { app, fabric, sleeps } = setup();
        fabric.onSubmit = (_r, attempt) =>
            attempt < 3 ? Promise.reject(new CommitError({ code: StatusCode.MVCC_READ_CONFLICT, transactionId: `tx-${attempt}` })) : Promise.resolve({ txId: 'tx-3', result: json({ status: 'ACTIVE' }) });
        const res = await request(app).post('/v1/receivables/r1/acceptance').set('Authorization', bearer(KEYS.supplier)).set('Idempotency-Key', 'a1').send({});
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ txId: 'tx-3', result: { status: 'ACTIVE' } });
        expect(fabric.submits.map((s) => s.args)).toEqual([['a1', 'r1'], ['a1', 'r1'], ['a1', 'r1']]);
        expect(sleeps).toHaveLength(2);
        const metrics = await request(app).get('/metrics');
        expect(metrics.text).toMatch(/upoint_gateway_fabric_retries_total\{reason="MVCC_READ_CONFLICT"\} 2/);

        fabric.calls.length = 0;
        fabric.onSubmit = () => Promise.reject(new CommitError({ code: StatusCode.MVCC_READ_CONFLICT, transactionId: 'tx-x' }));
        const exhausted = await request(app).post('/v1/receivables/r1/acceptance').set('Authorization', bearer(KEYS.supplier)).set('Idempotency-Key', 'a2').send({});
        expect([exhausted.status, (exhausted.body as Problem).code, (exhausted.body as Problem).txId]).toEqual([409, 'CONFLICT', 'tx-x']);
        expect(fabric.submits).toHaveLength(4);

        fabric.calls.length = 0;
        fabric.onSubmit = () => Promise.reject(endorseError('INVALID_STATE: not PENDING'));
        await request(app).post('/v1/receivables/r1/acceptance').set('Authorization', bearer(KEYS.supplier)).set('Idempotency-Key', 'a3').send({});
        expect(fabric.submits).toHaveLength(1);
    });

    it('answers Prefer: respond-async with 202 and the transaction to poll', async () => {
        const { app, fabric } = setup();
        fabric.onSubmit = () => Promise.resolve({ txId: 'tx-async', result: json({}) });
        const res = await request(app)
            .post('/v1/receivables/r1/settlement')
            .set('Authorization', bearer(KEYS.brand))
            .set('Idempotency-Key', 's1')
            .set('Prefer', 'respond-async')
            .send({});
        expect(res.status).toBe(202);
        expect(res.headers.location).toBe('/v1/transactions/tx-async');
        expect(res.headers['preference-applied']).toBe('respond-async');
        expect(res.body).toEqual({ txId: 'tx-async' });
        expect(fabric.calls.map((c) => c.kind)).toEqual(['submitAsync']);

        const status = await request(app).get('/v1/transactions/tx-async').set('Authorization', bearer(KEYS.brand));
        expect(status.status).toBe(200);
        expect(status.body).toEqual({ txId: 'tx-async', status: 'VALID', validationCode: 'VALID', blockNumber: '7', function: '', writes: [] });
    });

    it('maps each receivable route to its transaction and arguments', async () => {
        const { app, fabric } = setup();
        const routes: Array<[string, object, string, string[]]> = [
            ['rejection', {}, 'Reject', []],
            ['transfers', { parts: [{ holder: 'BankMSP', amount: '5' }] }, 'SplitTransfer', [JSON.stringify([{ holder: 'BankMSP', amount: '5' }])]],
            ['financing-requests', { financier: 'BankMSP' }, 'RequestFinancing', ['BankMSP']],
            ['financing', { discountedAmount: '4' }, 'Finance', ['4']],
            ['financing-decline', {}, 'DeclineFinancing', []],
            ['settlement-confirmation', {}, 'ConfirmSettlement', []],
        ];
        for (const [suffix, body, transaction, args] of routes) {
            fabric.calls.length = 0;
            const res = await request(app).post(`/v1/receivables/r1/${suffix}`).set('Authorization', bearer(KEYS.bank)).set('Idempotency-Key', `k-${suffix}`).send(body);
            expect(res.status).toBe(200);
            expect(fabric.submits).toEqual([{ mspId: 'BankMSP', contract: 'receivables', transaction, args: [`k-${suffix}`, 'r1', ...args] }]);
        }
    });
});

describe('system routes', () => {
    it('serves health, readiness, metrics, the OpenAPI document and the docs page, with security headers', async () => {
        const { app, fabric, lines } = setup();
        const health = await request(app).get('/healthz').set('X-Request-Id', 'req-123');
        expect(health.status).toBe(200);
        expect(health.headers['x-request-id']).toBe('req-123');
        expect(health.headers['x-content-type-options']).toBe('nosniff');
        expect(health.headers['x-powered-by']).toBeUndefined();
        expect((await request(app).get('/readyz')).status).toBe(200);
        expect(fabric.calls).toEqual([{ kind: 'evaluate', mspId: 'BrandMSP', contract: 'membership', transaction: 'ListMembers', args: [] }]);
        fabric.onEvaluate = () => Promise.reject(endorseError('x', { grpcCode: 14, details: [] }));
        const notReady = await request(app).get('/readyz');
        expect([notReady.status, (notReady.body as Problem).code]).toEqual([503, 'UNAVAILABLE']);

        const doc = (await request(app).get('/v1/openapi.json')).body as { openapi: string; paths: Record<string, Record<string, unknown>> };
        expect(doc.openapi).toBe('3.1.0');
        for (const op of OPERATIONS) expect(doc.paths[op.path]?.[op.method]).toBeDefined();
        const html = await request(app).get('/docs');
        expect(html.headers['content-type']).toMatch(/^text\/html/);
        expect(html.text).toContain('/v1/receivables/{id}/financing-requests');

        fabric.onEvaluate = () => Promise.resolve(json([]));
        await request(app).get('/v1/members').set('Authorization', bearer(KEYS.brand));
        const metrics = await request(app).get('/metrics');
        expect(metrics.text).toMatch(/upoint_gateway_http_requests_total\{method="GET",route="\/v1\/members",status="200"\} 1/);
        expect(metrics.text).toMatch(/upoint_gateway_http_request_duration_seconds_bucket/);
        expect(metrics.text).toMatch(/upoint_gateway_fabric_calls_total\{kind="evaluate",outcome="ok"\}/);

        const unknown = await request(app).get('/v1/nope');
        expect([unknown.status, (unknown.body as Problem).code]).toEqual([404, 'NOT_FOUND']);
        expect(lines.join('')).not.toMatch(/brand-key|authorization/i);
    });
});
