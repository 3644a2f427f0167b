// The REST gateway over HTTP on devnet: createApp + the real Fabric layer (@hyperledger/fabric-gateway, one
// gRPC client per peer) listening on an ephemeral port; requests with fetch. Receivables end to end, the
// regulator's 403 on writes and 200 on reads, bad input leaving the ledger unchanged, Idempotency-Key replays,
// async writes polled through /v1/transactions/{txId}, and the OpenAPI document.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { createApp, OPERATIONS } from '@upoint/gateway/dist/app';
import { newKeyStore } from '@upoint/gateway/dist/auth';
import { generateDevKeys } from '@upoint/gateway/dist/dev-keys';
import { connectFabric, type FabricPort } from '@upoint/gateway/dist/fabric';
import { REPO, TestNetwork, testConfig, waitFor } from '../support/network';

const CHAINCODE = join(REPO, 'chaincode');
const MEMBERS = readFileSync(join(REPO, 'network/members.json'), 'utf8');
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

interface Receivable {
    id: string;
    holder: string;
    amount: string;
    status: string;
    children: string[];
}
interface Written<T> {
    txId: string;
    result: T;
    replayed?: boolean;
}
interface Problem {
    status: number;
    code: string;
    detail: string;
    errors?: Array<{ path: string; message: string }>;
}

describe('REST gateway over HTTP on devnet', () => {
    const net = new TestNetwork(testConfig(90000));
    const { keys, entries } = generateDevKeys(net.cfg);
    let fabric: FabricPort;
    let server: Server;
    let base = '';

    const key = (name: string): string => {
        const k = keys[name];
        if (k === undefined) throw new Error(`no dev key ${name}`);
        return k;
    };
    const call = async (method: string, path: string, as: string, options: { body?: unknown; idem?: string; prefer?: string } = {}): Promise<{ status: number; body: unknown; headers: Headers }> => {
        const headers: Record<string, string> = { Authorization: `Bearer ${key(as)}` };
        if (options.body !== undefined) headers['Content-Type'] = 'application/json';
        if (options.idem !== undefined) headers['Idempotency-Key'] = options.idem;
        if (options.prefer !== undefined) headers.Prefer = options.prefer;
        const res = await fetch(`${base}${path}`, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
        const text = await res.text();
        return { status: res.status, body: text === '' ? null : (JSON.parse(text) as unknown), headers: res.headers };
    };
    const post = <T>(path: string, as: string, idem: string, body: unknown = {}): Promise<{ status: number; body: Written<T> }> =>
        call('POST', path, as, { body, idem }) as Promise<{ status: number; body: Written<T> }>;
    const get = async <T>(path: string, as: string): Promise<T> => {
        const r = await call('GET', path, as);
        if (r.status !== 200) throw new Error(`GET ${path} → ${r.status} ${JSON.stringify(r.body)}`);
        return r.body as T;
    };
    const issue = (invoice: string, idem: string): Promise<{ status: number; body: Written<Receivable> }> =>
        post<Receivable>('/v1/receivables', 'BrandMSP', idem, {
            holder: 'SupplierMSP',
            amount: '1000000',
            currency: 'CNY',
            maturityDate: '2099-12-31',
            invoiceHash: sha(invoice),
            contractHash: sha(`contract-${invoice}`),
        });

    beforeAll(async () => {
        await net.start();
        await net.deploy(CHAINCODE);
        await net.gateway('Brand', 'Admin').getNetwork('upoint').getContract('upoint', 'membership').submitTransaction('Bootstrap', MEMBERS);
        fabric = connectFabric({ network: net.cfg, cryptoDir: net.cryptoDir, orgs: net.cfg.orgs, timeouts: { evaluate: 30_000, endorse: 30_000, submit: 30_000, commitStatus: 60_000 } });
        const app = createApp({ fabric, keys: newKeyStore(entries), logger: pino({ level: 'silent' }) });
        server = await new Promise<Server>((res) => {
            const s = app.listen(0, '127.0.0.1', () => res(s));
        });
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }, 120_000);
    afterAll(async () => {
        await new Promise<void>((res) => (server === undefined ? res() : server.close(() => res())));
        fabric?.close();
        await net.stop();
    });

    it('is ready once the peer and the chaincode answer', async () => {
        expect((await fetch(`${base}/healthz`)).status).toBe(200);
        expect((await fetch(`${base}/readyz`)).status).toBe(200);
    });

    it('issued → accepted → split → financed → settled, over HTTP', async () => {
        const issued = await issue('invoice-http-1', 'http-1');
        expect(issued.status).toBe(201);
        const root = issued.body.result;
        expect(root).toMatchObject({ id: issued.body.txId, holder: 'SupplierMSP', amount: '1000000', status: 'PENDING' });

        expect((await post<Receivable>(`/v1/receivables/${root.id}/acceptance`, 'SupplierMSP', 'http-2')).body.result).toMatchObject({ status: 'ACTIVE' });
        const split = await post<{ parent: Receivable; children: Receivable[] }>(`/v1/receivables/${root.id}/transfers`, 'SupplierMSP', 'http-3', {
            parts: [
                { holder: 'SupplierMSP', amount: '700000' },
                { holder: 'BankMSP', amount: '300000' },
            ],
        });
        expect(split.status).toBe(200);
        const [kept, sold] = split.body.result.children as [Receivable, Receivable];
        expect([kept.holder, kept.amount, sold.holder, sold.amount]).toEqual(['SupplierMSP', '700000', 'BankMSP', '300000']);

        expect((await post<Receivable>(`/v1/receivables/${kept.id}/financing-requests`, 'SupplierMSP', 'http-4', { financier: 'BankMSP' })).body.result).toMatchObject({
            status: 'UNDER_FINANCING',
        });
        expect((await post<Receivable>(`/v1/receivables/${kept.id}/financing`, 'BankMSP', 'http-5', { discountedAmount: '680000' })).body.result).toMatchObject({
            holder: 'BankMSP',
            status: 'ACTIVE',
        });
        for (const leaf of [kept, sold]) {
            expect((await post<Receivable>(`/v1/receivables/${leaf.id}/settlement`, 'BrandMSP', `http-pay-${leaf.id}`)).body.result).toMatchObject({ status: 'SETTLEMENT_PENDING' });
            expect((await post<Receivable>(`/v1/receivables/${leaf.id}/settlement-confirmation`, 'BankMSP', `http-ok-${leaf.id}`)).body.result).toMatchObject({ status: 'SETTLED' });
        }

        expect(await get(`/v1/receivables/${root.id}/tree`, 'regulator')).toMatchObject({ amount: '1000000', live: '0', settled: '1000000' });
        expect(await get('/v1/credit/BrandMSP', 'BankMSP')).toMatchObject({ issuer: 'BrandMSP', settlements: 2 });
        const page = await get<{ items?: Receivable[]; results?: Receivable[] }>('/v1/receivables?issuer=BrandMSP&pageSize=50', 'regulator');
        expect(JSON.stringify(page)).toContain(root.id);
    });

    it('refuses every write by the regulator with 403 and serves it reads with 200', async () => {
        const before = await get<unknown>('/v1/receivables?issuer=BrandMSP&pageSize=200', 'regulator');
        const write = await call('POST', '/v1/receivables', 'regulator', {
            idem: 'reg-1',
            body: { holder: 'SupplierMSP', amount: '5', currency: 'CNY', maturityDate: '2099-12-31', invoiceHash: sha('reg'), contractHash: sha('reg') },
        });
        expect(write.status).toBe(403);
        expect(write.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect((write.body as Problem).code).toBe('FORBIDDEN');
        expect(await get<unknown>('/v1/receivables?issuer=BrandMSP&pageSize=200', 'regulator')).toEqual(before);
        expect((await call('GET', '/v1/members', 'regulator')).status).toBe(200);
        expect((await call('GET', '/v1/credit/BrandMSP', 'regulator')).status).toBe(200);
    });

    it('answers bad input with 4xx problem+json and a code, leaving the ledger unchanged', async () => {
        const root = (await issue('invoice-http-bad', 'http-bad-1')).body.result;
        await post(`/v1/receivables/${root.id}/acceptance`, 'SupplierMSP', 'http-bad-2');
        const before = await get<Receivable>(`/v1/receivables/${root.id}`, 'regulator');

        const invalid = await call('POST', `/v1/receivables/${root.id}/transfers`, 'SupplierMSP', { idem: 'http-bad-3', body: { parts: [{ holder: 'BankMSP', amount: '10abc' }] } });
        expect(invalid.status).toBe(400);
        expect(invalid.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'body.parts.0.amount' }] });

        const refused = await call('POST', `/v1/receivables/${root.id}/transfers`, 'SupplierMSP', { idem: 'http-bad-4', body: { parts: [{ holder: 'BankMSP', amount: '999999' }] } });
        expect(refused.status).toBe(400);
        expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(refused.body).toMatchObject({ code: 'INVALID_ARGUMENT', status: 400 });
        expect(JSON.stringify(refused.body)).not.toMatch(/chaincode response|127\.0\.0\.1|peer0/);

        const missing = await call('GET', '/v1/receivables/no-such-receivable', 'BankMSP');
        expect([missing.status, (missing.body as Problem).code]).toEqual([404, 'NOT_FOUND']);
        expect(await get<Receivable>(`/v1/receivables/${root.id}`, 'regulator')).toEqual(before);
    });

    it('answers a replayed Idempotency-Key with the same txId and creates nothing', async () => {
        const first = await issue('invoice-http-replay', 'http-replay');
        expect(first.status).toBe(201);
        const listed = await get<unknown>('/v1/receivables?issuer=BrandMSP&pageSize=200', 'BrandMSP');
        const again = await issue('invoice-http-replay', 'http-replay');
        expect(again.status).toBe(201);
        expect(again.body).toMatchObject({ txId: first.body.txId, replayed: true, result: { id: first.body.result.id, status: 'PENDING' } });
        expect(await get<unknown>('/v1/receivables?issuer=BrandMSP&pageSize=200', 'BrandMSP')).toEqual(listed);
    });

    it('answers Prefer: respond-async with 202; the transaction then shows VALID with its block', async () => {
        const res = await call('POST', '/v1/receivables', 'BrandMSP', {
            idem: 'http-async',
            prefer: 'respond-async',
            body: { holder: 'SupplierMSP', amount: '42', currency: 'CNY', maturityDate: '2099-12-31', invoiceHash: sha('async'), contractHash: sha('async') },
        });
        expect(res.status).toBe(202);
        const { txId } = res.body as { txId: string };
        expect(res.headers.get('location')).toBe(`/v1/transactions/${txId}`);
        let status: { status: number; body: unknown } = { status: 0, body: null };
        await waitFor('the async transaction to commit', async () => {
            status = await call('GET', `/v1/transactions/${txId}`, 'BrandMSP');
            return status.status === 200;
        });
        expect(status.body).toMatchObject({ txId, status: 'VALID', validationCode: 'VALID', function: 'receivables:Issue' });
        // the entities it wrote (its key history): the new receivable, read back from the block's write set
        expect((status.body as { writes: unknown[] }).writes).toContainEqual({ kind: 'receivable', id: txId, isDelete: false });
        expect(Number((status.body as { blockNumber: string }).blockNumber)).toBeGreaterThan(0);
        expect(await get(`/v1/receivables/${txId}`, 'SupplierMSP')).toMatchObject({ id: txId, amount: '42', status: 'PENDING' });
    });

    it('serves an OpenAPI 3.1 document listing every implemented route', async () => {
        const doc = (await (await fetch(`${base}/v1/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
        expect(doc.openapi).toBe('3.1.0');
        for (const op of OPERATIONS) expect(doc.paths[op.path]?.[op.method]).toBeDefined();
        for (const path of ['/v1/receivables', '/v1/receivables/{id}/settlement-confirmation', '/v1/credit/{mspId}', '/v1/members/proposals/{id}/approvals', '/v1/transactions/{txId}']) {
            expect(doc.paths[path]).toBeDefined();
        }
    });
});
