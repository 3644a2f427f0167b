// The REST gateway's provenance, stock-token and audit routes over HTTP on devnet: createApp + the real Fabric
// layer (connectFabric, real gRPC, real fabric-shim chaincode server), requests with fetch. Provenance from raw
// material to a publicly verified bottle (the code never reaches the block; the public route needs no key and
// is rate limited), stock tokens from deposit to delivery-versus-payment with conservation, the regulator's 403
// and bad input leaving the chain height unchanged, chaincode refusals with their codes, key histories newest
// first, Idempotency-Key replays, and the OpenAPI document against the routes the app serves.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Network } from '@hyperledger/fabric-gateway';
import { OPERATIONS } from '@upoint/gateway/dist/app';
import { chainInfo, CHANNEL, processedTx, settle } from '../support/conformance';
import { GatewayHarness, routesOf, type Reply } from '../support/gateway';
import { REPO, TestNetwork, testConfig } from '../support/network';

const CHAINCODE = join(REPO, 'chaincode');
const MEMBERS = readFileSync(join(REPO, 'network/members.json'), 'utf8');
const AT = '2024-05-01T08:00:00.000000000Z';
const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const CERT = sha('lab-certificate-2024-05.pdf');

interface Problem {
    status: number;
    code: string;
    detail: string;
    errors?: Array<{ path: string; message: string }>;
}
interface Lot {
    id: string;
    status: string;
    holder: string;
    shippedTo: string | null;
    derivedFrom: Array<{ lotId: string; quantity: string }>;
    recall: { rootLotId: string } | null;
}
interface Verdict {
    verdict: string;
    serial?: string;
    reasons?: string[];
    provenance?: { lot: { id: string; status: string }; events: Array<{ bizStep: string; fees: unknown[] }>; ancestors: Array<{ lot: { id: string } }> };
}
interface Holding {
    available: string;
    locked: string;
    total: string;
}
interface HistoryEntry {
    txId: string;
    timestamp: string;
    value: Record<string, unknown> | null;
}

describe('REST gateway over HTTP on devnet: provenance, stock tokens, audit', () => {
    const net = new TestNetwork(testConfig(100000));
    const gw = new GatewayHarness(net);
    let regulatorNet: Network;

    /** Every peer at the same height, then that height: a refused request must leave it where it is. */
    const height = async (): Promise<bigint> => {
        await settle(net);
        return BigInt((await chainInfo(regulatorNet)).getHeight());
    };
    const problem = (r: Reply): Problem => r.body as Problem;

    // filled in by the flows, used by the later checks
    let stockLotId = '';
    let receivableId = '';
    const lotWrites: string[] = [];
    const stockLotWrites: string[] = [];
    const receivableWrites: string[] = [];

    beforeAll(async () => {
        await net.start();
        await net.deploy(CHAINCODE);
        await net.gateway('Brand', 'Admin').getNetwork(CHANNEL).getContract('upoint', 'membership').submitTransaction('Bootstrap', MEMBERS);
        regulatorNet = net.gateway('Regulator').getNetwork(CHANNEL);
        await gw.start();
    }, 180_000);
    afterAll(async () => {
        await gw.stop();
        await net.stop();
    });

    it('provenance: product → lot → events → inspection → transformation → shipment → receipt → units → public verify', async () => {
        const product = await gw.call('POST', '/v1/products', 'BrandMSP', { idem: 'p-prod-1', body: { id: 'must', sku: 'MUST-RED', model: 'bulk', name: 'Grape must' } });
        expect(product.status).toBe(201);
        expect(product.headers.get('location')).toBe('/v1/products/must');
        expect(product.body).toMatchObject({ result: { id: 'must', owner: 'BrandMSP' } });
        await gw.write('POST', '/v1/products', 'BrandMSP', 'p-prod-2', { id: 'reserve', sku: 'RES-2023', model: '750ml', name: 'Reserve 2023' });
        expect(await gw.get('/v1/products/reserve', 'BankMSP')).toMatchObject({ id: 'reserve', sku: 'RES-2023' });

        const created = await gw.write<Lot>('POST', '/v1/lots', 'BrandMSP', 'p-lot-1', { id: 'must-1', productId: 'must', quantity: '1000', unit: 'L' });
        expect([created.status, created.headers.get('location'), created.result.status]).toEqual([201, '/v1/lots/must-1', 'CREATED']);
        const event = (bizStep: string, quantity: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ quantity, bizStep, disposition: 'in_progress', eventTime: AT, ...extra });
        const commissioned = await gw.write('POST', '/v1/lots/must-1/events', 'BrandMSP', 'p-ev-1', event('commissioning', '1000', {
            readPoint: 'vineyard-7',
            fees: [{ kind: 'TAX', description: 'excise', amount: '12000', currency: 'EUR' }],
            documents: [{ type: 'INVOICE', sha256: sha('invoice') }],
        }));
        expect(commissioned.headers.get('location')).toBe('/v1/lots/must-1/events');
        await gw.write('POST', '/v1/lots/must-1/events', 'BrandMSP', 'p-ev-2', event('sampling', '1000'));
        const inspected = await gw.write<Lot>('POST', '/v1/lots/must-1/inspections', 'SupplierMSP', 'p-insp-1', { result: 'CONFORMANT', certificateHash: CERT });
        expect(inspected.result).toMatchObject({ id: 'must-1', status: 'RELEASED' });

        const transformed = await gw.write<unknown>('POST', '/v1/transformations', 'BrandMSP', 'p-tf-1', {
            transformation: { inputs: [{ lotId: 'must-1', quantity: '1000' }], output: { id: 'bottled-1', productId: 'reserve', quantity: '960', unit: 'L' }, minYieldPercent: 90, maxYieldPercent: 100 },
            context: { eventTime: AT, bizLocation: 'winery' },
        });
        expect([transformed.status, transformed.headers.get('location')]).toEqual([201, '/v1/lots/bottled-1']);
        lotWrites.push(transformed.txId);
        lotWrites.push((await gw.write('POST', '/v1/lots/bottled-1/events', 'BrandMSP', 'p-ev-3', event('sampling', '960'))).txId);
        lotWrites.push((await gw.write('POST', '/v1/lots/bottled-1/inspections', 'SupplierMSP', 'p-insp-2', { result: 'CONFORMANT', certificateHash: CERT })).txId);
        const shipped = await gw.write<Lot>('POST', '/v1/lots/bottled-1/shipments', 'BrandMSP', 'p-ship-1', {
            receiver: 'SupplierMSP',
            context: { eventTime: AT, fees: [{ kind: 'FREIGHT', description: 'truck', amount: '30000', currency: 'EUR' }], documents: [{ type: 'BILL_OF_LADING', sha256: sha('bol-1') }] },
        });
        lotWrites.push(shipped.txId);
        expect(shipped.result).toMatchObject({ status: 'SHIPPED', holder: 'BrandMSP', shippedTo: 'SupplierMSP' });
        const received = await gw.write<Lot>('POST', '/v1/lots/bottled-1/receipts', 'SupplierMSP', 'p-recv-1', { context: { eventTime: AT, bizLocation: 'store-paris' } });
        lotWrites.push(received.txId);
        expect(received.result).toMatchObject({ status: 'RECEIVED', holder: 'SupplierMSP', shippedTo: null });

        await settle(net);
        const timeline = await gw.get<{ events: Array<{ bizStep: string; fees: unknown[]; documents: Array<{ sha256: string }> }>; ancestors: Array<{ lot: { id: string }; events: Array<{ bizStep: string; fees: Array<{ kind: string }>; documents: Array<{ sha256: string }> }> }> }>(
            '/v1/lots/bottled-1/events',
            'regulator',
        );
        expect(timeline.events.map((e) => e.bizStep)).toEqual(['transforming', 'sampling', 'inspecting', 'shipping', 'receiving']);
        expect(timeline.events.find((e) => e.bizStep === 'shipping')).toMatchObject({ fees: [{ kind: 'FREIGHT', amount: '30000' }], documents: [{ sha256: sha('bol-1') }] });
        const must = timeline.ancestors.find((a) => a.lot.id === 'must-1');
        expect(must?.events.find((e) => e.bizStep === 'commissioning')).toMatchObject({ fees: [{ kind: 'TAX', amount: '12000' }], documents: [{ type: 'INVOICE', sha256: sha('invoice') }] });
        expect(must?.events.find((e) => e.bizStep === 'inspecting')?.documents[0]?.sha256).toBe(CERT);
        expect(JSON.stringify(await gw.get('/v1/lots?holder=SupplierMSP&pageSize=50', 'regulator'))).toContain('bottled-1');

        // units carry the SHA-256 of their codes; the codes never travel to the gateway's write routes
        const units = await gw.call('POST', '/v1/lots/bottled-1/units', 'BrandMSP', {
            idem: 'p-units-1',
            body: { units: [1, 2, 3, 4, 5].map((i) => ({ serial: `RES-${i}`, codeHash: sha(`code-${i}`) })) },
        });
        expect(units.status).toBe(201);
        await settle(net);
        const unit = await gw.get<Record<string, unknown>>('/v1/units/RES-1', 'SupplierMSP');
        expect(unit).toMatchObject({ serial: 'RES-1', lotId: 'bottled-1', scans: [] });
        expect(JSON.stringify(unit)).not.toContain(sha('code-1'));

        // public verification: no API key, the code as a query parameter that goes to the chaincode as transient data
        const genuine = await gw.call<Verdict>('GET', '/v1/verify/RES-1?code=code-1&location=Paris', undefined);
        expect(genuine.status).toBe(200);
        expect(genuine.body.verdict).toBe('GENUINE');
        expect(genuine.body.provenance?.lot).toMatchObject({ id: 'bottled-1', status: 'RECEIVED' });
        expect(genuine.body.provenance?.ancestors.map((a) => a.lot.id)).toContain('must-1');
        const suspect = await gw.call<Verdict>('GET', '/v1/verify/RES-1?code=code-1&location=Shanghai', undefined);
        expect([suspect.status, suspect.body.verdict, suspect.body.reasons]).toEqual([200, 'SUSPECT', ['LOCATION_CHANGED']]);
        const unknown = await gw.call<Verdict>('GET', '/v1/verify/RES-2?code=guess&location=Paris', undefined);
        expect([unknown.status, unknown.body]).toEqual([200, { verdict: 'UNKNOWN', serial: 'RES-2' }]);

        // the committed Verify transaction carries the serial and the location, never the code
        await settle(net);
        const scanned = await gw.get<{ scans: Array<{ txId: string; location: string; verdict: string }> }>('/v1/units/RES-1', 'BrandMSP');
        const scan = scanned.scans.find((s) => s.verdict === 'GENUINE');
        expect(scanned.scans.map((s) => [s.location, s.verdict]).sort()).toEqual([
            ['Paris', 'GENUINE'],
            ['Shanghai', 'SUSPECT'],
        ]);
        if (scan === undefined) throw new Error('no GENUINE scan');
        expect(await gw.get(`/v1/transactions/${scan.txId}`, 'regulator')).toMatchObject({ txId: scan.txId, status: 'VALID' });
        const committed = Buffer.from((await processedTx(regulatorNet, scan.txId)).serializeBinary());
        expect(committed.indexOf(Buffer.from('RES-1', 'utf8'))).not.toBe(-1);
        expect(committed.indexOf(Buffer.from('Paris', 'utf8'))).not.toBe(-1);
        expect(committed.indexOf(Buffer.from('code-1', 'utf8'))).toBe(-1);
    }, 180_000);

    it('recalls a lot through HTTP and its derived lot reads RECALLED; a unit of it verifies SUSPECT', async () => {
        await gw.write('POST', '/v1/lots', 'BrandMSP', 'r-lot-1', { id: 'must-2', productId: 'must', quantity: '100', unit: 'L' });
        await gw.write('POST', '/v1/lots/must-2/events', 'BrandMSP', 'r-ev-1', { quantity: '100', bizStep: 'commissioning', disposition: 'active', eventTime: AT });
        await gw.write('POST', '/v1/lots/must-2/events', 'BrandMSP', 'r-ev-2', { quantity: '100', bizStep: 'sampling', disposition: 'in_progress', eventTime: AT });
        await gw.write('POST', '/v1/lots/must-2/inspections', 'SupplierMSP', 'r-insp-1', { result: 'CONFORMANT', certificateHash: CERT });
        await gw.write('POST', '/v1/transformations', 'BrandMSP', 'r-tf-1', {
            transformation: { inputs: [{ lotId: 'must-2', quantity: '100' }], output: { id: 'blend-2', productId: 'reserve', quantity: '95', unit: 'L' }, minYieldPercent: 90, maxYieldPercent: 100 },
            context: { eventTime: AT },
        });
        await gw.write('POST', '/v1/lots/blend-2/units', 'BrandMSP', 'r-units-1', { units: [{ serial: 'BLEND-1', codeHash: sha('blend-code-1') }] });
        const recalled = await gw.call('POST', '/v1/lots/must-2/recall', 'BrandMSP', { idem: 'r-recall-1', body: { reason: 'contaminated must' } });
        expect(recalled.status).toBe(200);
        expect(recalled.headers.get('location')).toBe('/v1/lots/must-2');
        await settle(net);
        expect(await gw.get<Lot>('/v1/lots/must-2', 'regulator')).toMatchObject({ status: 'RECALLED', recall: { rootLotId: 'must-2' } });
        expect(await gw.get<Lot>('/v1/lots/blend-2', 'regulator')).toMatchObject({ status: 'RECALLED', recall: { rootLotId: 'must-2' }, derivedFrom: [{ lotId: 'must-2' }] });
        // the sibling lot of the first flow is untouched
        expect((await gw.get<Lot>('/v1/lots/bottled-1', 'regulator')).status).toBe('RECEIVED');
        const verdict = await gw.call<Verdict>('GET', '/v1/verify/BLEND-1?code=blend-code-1&location=Paris', undefined);
        expect(verdict.body).toMatchObject({ verdict: 'SUSPECT', reasons: expect.arrayContaining(['LOT_RECALLED']) });
    }, 120_000);

    it('rate limits the public route per client address (429 RATE_LIMITED with Retry-After) and needs no key', async () => {
        // one token a minute, a burst of 2: the third call within the minute is refused, however fast the calls are
        const limited = await gw.listen({ rateLimits: { public: { perMinute: 1, burst: 2 }, key: { perMinute: 6000, burst: 500 } } });
        const verify = (): Promise<Reply<Verdict | Problem>> => gw.call('GET', '/v1/verify/RES-3?code=code-3&location=Paris', undefined, {}, limited.base);
        const first = await verify();
        const second = await verify();
        expect([first.status, (first.body as Verdict).verdict, first.headers.get('ratelimit-remaining')]).toEqual([200, 'GENUINE', '1']);
        expect(second.status).toBe(200);
        const before = await height();
        const third = await verify();
        expect(third.status).toBe(429);
        expect(third.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(problem(third).code).toBe('RATE_LIMITED');
        expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(await height()).toBe(before);
        // a key is neither needed nor consulted: a bogus Authorization header changes nothing on a public route
        const withBogusKey = await gw.call('GET', '/v1/verify/RES-3?code=code-3&location=Paris', undefined, { headers: { Authorization: 'Bearer nope' } });
        expect(withBogusKey.status).toBe(200);
        // keyed routes still need a key
        expect((await gw.call('GET', '/v1/lots/bottled-1', undefined)).status).toBe(401);
        await limited.close();
    }, 60_000);

    it('stock tokens: deposit → attest → mint → transfer → redeem → pledge/release → pledge/foreclose → offer/purchase → cancel, conserved', async () => {
        const deposit = await gw.write<{ id: string; status: string; custodian: string }>('POST', '/v1/stock-lots', 'BrandMSP', 't-dep-1', {
            batchLotId: 'bottled-1',
            sku: 'RES-750',
            unit: 'bottle',
            quantity: '1000',
            unitValuation: { amount: '2500', currency: 'CNY' },
            custodian: 'SupplierMSP',
        });
        stockLotId = deposit.result.id;
        expect([deposit.status, deposit.result.status, deposit.result.custodian, stockLotId]).toEqual([201, 'DEPOSITED', 'SupplierMSP', deposit.txId]);
        expect(deposit.headers.get('location')).toBe(`/v1/stock-lots/${stockLotId}`);
        stockLotWrites.push(deposit.txId);
        const lotPath = `/v1/stock-lots/${stockLotId}`;
        const attested = await gw.write('POST', `${lotPath}/attestation`, 'SupplierMSP', 't-att-1', { quantity: '900' });
        expect(attested.result).toMatchObject({ status: 'ATTESTED', attested: '900' });
        stockLotWrites.push(attested.txId);
        const minted = await gw.write('POST', `${lotPath}/mint`, 'BrandMSP', 't-mint-1', { quantity: '900' });
        expect(minted.result).toMatchObject({ owner: 'BrandMSP', quantity: '900', status: 'UNSPENT' });
        stockLotWrites.push(minted.txId);

        const transfer = await gw.write<{ outputs?: unknown }>('POST', '/v1/token-transfers', 'BrandMSP', 't-xfer-1', { lotId: stockLotId, quantity: '100', to: 'SupplierMSP' });
        expect(transfer.status).toBe(200);
        await settle(net);
        const balance = (owner: string, as = 'regulator'): Promise<Holding> => gw.get<Holding>(`/v1/balances?owner=${owner}&stockLotId=${stockLotId}`, as);
        expect(await balance('BrandMSP')).toMatchObject({ available: '800', locked: '0', total: '800' });
        expect(await balance('SupplierMSP', 'SupplierMSP')).toMatchObject({ available: '100', locked: '0', total: '100' });
        const outputs = await gw.get<{ items: Array<{ owner: string; quantity: string; status: string }> }>(`/v1/outputs?owner=SupplierMSP&stockLotId=${stockLotId}`, 'SupplierMSP');
        expect(outputs.items.filter((o) => o.status === 'UNSPENT').map((o) => [o.owner, o.quantity])).toEqual([['SupplierMSP', '100']]);

        // redemption by the holder, fulfilled by the custodian
        const redemption = await gw.write<{ id: string; status: string }>('POST', '/v1/redemptions', 'SupplierMSP', 't-redeem-1', { lotId: stockLotId, quantity: '40' });
        expect([redemption.status, redemption.result.status, redemption.headers.get('location')]).toEqual([201, 'REQUESTED', `/v1/redemptions/${redemption.txId}`]);
        const fulfilled = await gw.write('POST', `/v1/redemptions/${redemption.result.id}/fulfilment`, 'SupplierMSP', 't-fulfil-1', {});
        expect(fulfilled.result).toMatchObject({ status: 'FULFILLED' });
        await settle(net);
        expect(await gw.get(`/v1/redemptions/${redemption.result.id}`, 'BrandMSP')).toMatchObject({ status: 'FULFILLED', quantity: '40' });

        // pledge → release
        const pledge = await gw.write<{ id: string; status: string }>('POST', '/v1/pledges', 'BrandMSP', 't-pledge-1', { lotId: stockLotId, quantity: '100', financier: 'BankMSP' });
        expect([pledge.status, pledge.result.status]).toEqual([201, 'ACTIVE']);
        await settle(net);
        expect(await balance('BrandMSP')).toMatchObject({ locked: '100', total: '800' });
        expect((await gw.write('POST', `/v1/pledges/${pledge.result.id}/release`, 'BankMSP', 't-release-1', {})).result).toMatchObject({ status: 'RELEASED' });
        await settle(net);
        expect(await balance('BrandMSP')).toMatchObject({ locked: '0', total: '800' });
        // pledge → foreclosure
        const pledge2 = await gw.write<{ id: string }>('POST', '/v1/pledges', 'BrandMSP', 't-pledge-2', { lotId: stockLotId, quantity: '50', financier: 'BankMSP' });
        expect((await gw.write('POST', `/v1/pledges/${pledge2.result.id}/foreclosure`, 'BankMSP', 't-foreclose-1', {})).result).toMatchObject({ status: 'FORECLOSED' });
        await settle(net);
        expect(await gw.get(`/v1/pledges/${pledge2.result.id}`, 'BankMSP')).toMatchObject({ status: 'FORECLOSED', financier: 'BankMSP' });
        expect(await balance('BankMSP', 'BankMSP')).toMatchObject({ total: '50' });
        expect(await balance('BrandMSP')).toMatchObject({ total: '750' });

        // offer → purchase paid by a receivable, in one transaction
        const offer = await gw.write<{ id: string; status: string }>('POST', '/v1/offers', 'BrandMSP', 't-offer-1', {
            lotId: stockLotId,
            quantity: '200',
            unitPrice: { amount: '3000', currency: 'CNY' },
            payment: { maturityDays: 90 },
        });
        expect([offer.status, offer.result.status]).toEqual([201, 'OPEN']);
        await settle(net);
        expect(JSON.stringify(await gw.get('/v1/offers?pageSize=50', 'BankMSP'))).toContain(offer.result.id);
        const bought = await gw.write<{ offer: { remaining: string; status: string }; price: { amount: string; currency: string }; receivableId: string }>(
            'POST',
            `/v1/offers/${offer.result.id}/purchase`,
            'BankMSP',
            't-buy-1',
            { quantity: '150' },
        );
        expect(bought.result.offer).toMatchObject({ remaining: '50', status: 'OPEN' });
        expect(bought.result.price).toEqual({ amount: '450000', currency: 'CNY' });
        receivableId = bought.result.receivableId;
        await settle(net);
        expect(await gw.get(`/v1/receivables/${receivableId}`, 'BrandMSP')).toMatchObject({ id: receivableId, issuer: 'BankMSP', holder: 'BrandMSP', amount: '450000', currency: 'CNY' });
        // the seller passes part of the payment receivable on (a second version of it, for the history check)
        receivableWrites.push(bought.txId);
        const split = await gw.write('POST', `/v1/receivables/${receivableId}/transfers`, 'BrandMSP', 't-rcv-split-1', {
            parts: [
                { holder: 'BrandMSP', amount: '400000' },
                { holder: 'SupplierMSP', amount: '50000' },
            ],
        });
        receivableWrites.push(split.txId);
        await settle(net);
        expect(await balance('BankMSP', 'BankMSP')).toMatchObject({ available: '200', locked: '0', total: '200' });
        expect(await balance('BrandMSP')).toMatchObject({ locked: '50', total: '600' });

        // cancel the rest of the offer: the tokens are unlocked
        const cancelled = await gw.call('DELETE', `/v1/offers/${offer.result.id}`, 'BrandMSP', { idem: 't-cancel-1', body: {} });
        expect(cancelled.status).toBe(200);
        expect(cancelled.headers.get('location')).toBe(`/v1/offers/${offer.result.id}`);
        expect(cancelled.body).toMatchObject({ result: { status: 'CANCELLED' } });
        await settle(net);
        expect(await balance('BrandMSP')).toMatchObject({ available: '600', locked: '0', total: '600' });

        // conservation: every holder's balance sums to minted − redeemed
        const supply = await gw.get<{ minted: string; redeemed: string; total: string }>(`${lotPath}/supply`, 'regulator');
        expect(supply).toMatchObject({ minted: '900', redeemed: '40', total: '860' });
        let sum = 0n;
        for (const owner of ['BrandMSP', 'SupplierMSP', 'BankMSP']) sum += BigInt((await balance(owner)).total);
        expect(sum).toBe(BigInt(supply.minted) - BigInt(supply.redeemed));
        expect(await gw.get(lotPath, 'regulator')).toMatchObject({ id: stockLotId, minted: '900' });
        expect(JSON.stringify(await gw.get(`/v1/stock-lots?custodian=SupplierMSP&pageSize=50`, 'regulator'))).toContain(stockLotId);
    }, 180_000);

    it('refuses every provenance and token write by the regulator with 403 before Fabric: the chain height does not move', async () => {
        const writes = OPERATIONS.filter((op) => op.kind === 'write' && (op.tag === 'provenance' || op.tag === 'stock tokens'));
        expect(writes.length).toBeGreaterThanOrEqual(20);
        const before = await height();
        for (const op of writes) {
            const path = op.path.replace('{id}', op.tag === 'provenance' ? 'bottled-1' : stockLotId);
            const r = await gw.call(op.method.toUpperCase(), path, 'regulator', { idem: `reg-${op.operationId}`, body: {} });
            expect({ op: op.operationId, status: r.status, code: problem(r).code, type: r.headers.get('content-type') }).toEqual({
                op: op.operationId,
                status: 403,
                code: 'FORBIDDEN',
                type: expect.stringMatching(/^application\/problem\+json/),
            });
        }
        expect(await height()).toBe(before);
    }, 60_000);

    it('answers bad input with 400 VALIDATION_FAILED listing the fields, and chaincode refusals with their codes; nothing commits', async () => {
        const before = await height();
        const lotBefore = await gw.get(`/v1/stock-lots/${stockLotId}`, 'regulator');
        const cases: Array<{ method: string; path: string; body: unknown; idem?: string; as: string; paths: string[] }> = [
            { method: 'POST', path: `/v1/stock-lots/${stockLotId}/mint`, body: { quantity: '-5' }, as: 'BrandMSP', paths: ['body.quantity'] },
            { method: 'POST', path: '/v1/token-transfers', body: { lotId: stockLotId, quantity: '0', to: 'SupplierMSP' }, as: 'BrandMSP', paths: ['body.quantity'] },
            { method: 'POST', path: '/v1/lots', body: { id: 'x-1', productId: 'must', quantity: '10', unit: 'L', colour: 'red' }, as: 'BrandMSP', paths: ['body'] },
            { method: 'POST', path: '/v1/lots/bad%20id/events', body: { quantity: '1', bizStep: 'sampling', disposition: 'active', eventTime: AT }, as: 'BrandMSP', paths: ['path.id'] },
            { method: 'POST', path: '/v1/stock-lots/bad$id/attestation', body: { quantity: '1' }, as: 'SupplierMSP', paths: ['path.id'] },
            { method: 'POST', path: '/v1/lots/bottled-1/units', body: { units: [{ serial: 'RES-9', codeHash: 'not-a-hash' }] }, as: 'BrandMSP', paths: ['body.units.0.codeHash'] },
            { method: 'POST', path: '/v1/offers', body: { lotId: stockLotId, quantity: '1', unitPrice: { amount: '1', currency: 'CNY' }, payment: { maturityDays: 0 } }, as: 'BrandMSP', paths: ['body.payment'] },
            { method: 'POST', path: `/v1/stock-lots/${stockLotId}/mint`, body: { quantity: '1' }, idem: '', as: 'BrandMSP', paths: ['header.Idempotency-Key'] },
        ];
        for (const [i, c] of cases.entries()) {
            const r = await gw.call(c.method, c.path, c.as, { body: c.body, ...(c.idem === '' ? {} : { idem: c.idem ?? `bad-${i}` }) });
            const p = problem(r);
            expect({ i, status: r.status, code: p.code }).toEqual({ i, status: 400, code: 'VALIDATION_FAILED' });
            const listed = (p.errors ?? []).map((e) => e.path);
            for (const path of c.paths) expect({ i, path, listed: listed.some((l) => l === path || l.startsWith(`${path}.`)) }).toEqual({ i, path, listed: true });
        }
        const unknownField = await gw.call('POST', '/v1/lots', 'BrandMSP', { idem: 'bad-unknown', body: { id: 'x-1', productId: 'must', quantity: '10', unit: 'L', colour: 'red' } });
        expect(JSON.stringify(problem(unknownField).errors)).toContain('colour');

        // chaincode refusals keep the chaincode's code
        const overMint = await gw.call('POST', `/v1/stock-lots/${stockLotId}/mint`, 'BrandMSP', { idem: 'ref-mint-1', body: { quantity: '1' } });
        expect([overMint.status, problem(overMint).code]).toEqual([422, 'INSUFFICIENT_FUNDS']);
        expect(problem(overMint).detail).toMatch(/above the attested 900/);
        await gw.write('POST', '/v1/lots', 'BrandMSP', 'ref-lot-1', { id: 'must-3', productId: 'must', quantity: '10', unit: 'L' });
        const afterLot = await height();
        const uninspected = await gw.call('POST', '/v1/lots/must-3/shipments', 'BrandMSP', { idem: 'ref-ship-1', body: { receiver: 'SupplierMSP', context: { eventTime: AT } } });
        expect([uninspected.status, problem(uninspected).code]).toEqual([409, 'INVALID_STATE']);
        const notCustodian = await gw.call('POST', `/v1/stock-lots/${stockLotId}/freeze`, 'BankMSP', { idem: 'ref-freeze-1', body: {} });
        expect([notCustodian.status, problem(notCustodian).code]).toEqual([403, 'FORBIDDEN']);
        const overTransfer = await gw.call('POST', '/v1/token-transfers', 'SupplierMSP', { idem: 'ref-xfer-1', body: { lotId: stockLotId, quantity: '1000000', to: 'BankMSP' } });
        expect([overTransfer.status, problem(overTransfer).code]).toEqual([422, 'INSUFFICIENT_FUNDS']);
        expect(await height()).toBe(afterLot);
        expect(afterLot).toBe(before + 1n);
        expect(await gw.get(`/v1/stock-lots/${stockLotId}`, 'regulator')).toEqual(lotBefore);
        expect((await gw.get<Lot>('/v1/lots/must-3', 'regulator')).status).toBe('CREATED');
    }, 90_000);

    it('serves key histories newest first with their transaction ids: lot, stock lot, receivable', async () => {
        await settle(net);
        const lotHistory = await gw.get<HistoryEntry[]>('/v1/history/lot/bottled-1', 'regulator');
        // newest first: receipt, shipment, inspection, sampling, creation by the transformation
        expect(lotHistory.map((h) => h.txId).slice(0, lotWrites.length)).toEqual([...lotWrites].reverse());
        expect(lotHistory.slice(0, lotWrites.length).map((h) => h.value?.status)).toEqual(['RECEIVED', 'SHIPPED', 'RELEASED', 'QC_PENDING', 'IN_PROCESS'].slice(0, lotWrites.length));
        for (const h of lotHistory) expect(h.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
        const times = lotHistory.map((h) => h.timestamp);
        expect([...times].sort().reverse()).toEqual(times);

        const stockHistory = await gw.get<HistoryEntry[]>(`/v1/history/stock-lot/${stockLotId}`, 'regulator');
        expect(stockHistory.map((h) => h.txId).slice(-stockLotWrites.length)).toEqual([...stockLotWrites].reverse());
        expect(stockHistory.at(-1)).toMatchObject({ txId: stockLotId, value: { status: 'DEPOSITED' } });
        expect(stockHistory[0]?.value).toMatchObject({ minted: '900' });

        const receivableHistory = await gw.get<HistoryEntry[]>(`/v1/history/receivable/${receivableId}`, 'BankMSP');
        expect(receivableHistory.map((h) => h.txId)).toEqual([...receivableWrites].reverse());
        expect(receivableHistory.at(-1)?.value).toMatchObject({ id: receivableId, status: 'ACTIVE', holder: 'BrandMSP', amount: '450000' });
        expect(receivableHistory[0]?.value).not.toEqual(receivableHistory[1]?.value);
        const bad = await gw.call('GET', '/v1/history/widget/x', 'regulator');
        expect([bad.status, problem(bad).code, problem(bad).errors?.[0]?.path]).toEqual([400, 'VALIDATION_FAILED', 'path.kind']);
    }, 60_000);

    it('answers a replayed Idempotency-Key on a provenance and on a token write with the original txId and result; the chain does not grow', async () => {
        const eventBody = { quantity: '960', bizStep: 'storing', disposition: 'in_progress', eventTime: AT };
        const first = await gw.call<{ txId: string; result: unknown }>('POST', '/v1/lots/bottled-1/events', 'SupplierMSP', { idem: 'replay-prov', body: eventBody });
        expect(first.status).toBe(200);
        const transferBody = { lotId: stockLotId, quantity: '10', to: 'BankMSP' };
        const firstToken = await gw.call<{ txId: string; result: unknown }>('POST', '/v1/token-transfers', 'BrandMSP', { idem: 'replay-token', body: transferBody });
        expect(firstToken.status).toBe(200);
        const before = await height();

        const again = await gw.call<{ txId: string; result: unknown; replayed?: boolean }>('POST', '/v1/lots/bottled-1/events', 'SupplierMSP', { idem: 'replay-prov', body: eventBody });
        expect(again.status).toBe(200);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
        expect(again.headers.get('location')).toBe('/v1/lots/bottled-1/events');
        expect(again.body).toEqual({ txId: first.body.txId, result: first.body.result, replayed: true });

        const againToken = await gw.call<{ txId: string; result: unknown; replayed?: boolean }>('POST', '/v1/token-transfers', 'BrandMSP', { idem: 'replay-token', body: transferBody });
        expect(againToken.status).toBe(200);
        expect(againToken.headers.get('idempotent-replayed')).toBe('true');
        expect(againToken.body).toEqual({ txId: firstToken.body.txId, result: firstToken.body.result, replayed: true });

        // a creation (201 with a Location) replays with its Location too
        const dep = { batchLotId: 'bottled-1', sku: 'RES-750', unit: 'bottle', quantity: '5', unitValuation: { amount: '1', currency: 'CNY' }, custodian: 'SupplierMSP' };
        const created = await gw.call<{ txId: string }>('POST', '/v1/stock-lots', 'BrandMSP', { idem: 'replay-create', body: dep });
        const mid = await height();
        const createdAgain = await gw.call<{ txId: string; replayed?: boolean }>('POST', '/v1/stock-lots', 'BrandMSP', { idem: 'replay-create', body: dep });
        expect([createdAgain.status, createdAgain.body.txId, createdAgain.body.replayed, createdAgain.headers.get('location')]).toEqual([201, created.body.txId, true, `/v1/stock-lots/${created.body.txId}`]);
        expect(await height()).toBe(mid);
        expect(mid).toBe(before + 1n);
    }, 60_000);

    it('publishes an OpenAPI 3.1 document listing exactly the routes the app serves, structurally valid', async () => {
        const res = await fetch(`${gw.base}/v1/openapi.json`);
        expect(res.status).toBe(200);
        const doc = (await res.json()) as { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Record<string, unknown>>>; components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> } };
        expect(doc.openapi).toBe('3.1.0');
        expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });

        // the routes Express serves (Express 4 router stack), in OpenAPI notation
        if (gw.main === undefined) throw new Error('no app');
        // web pages (/verify/{serial}, /assets/…, /console/) are HTML for people, not part of the API document
        const served = new Set(routesOf(gw.main.app).filter((r) => !/^get \/(verify|assets|console)(\/|$)/.test(r)));
        expect(served.size).toBeGreaterThan(OPERATIONS.length);
        const documented = new Set<string>();
        for (const [path, methods] of Object.entries(doc.paths)) for (const m of Object.keys(methods)) documented.add(`${m} ${path}`);
        expect([...documented].sort()).toEqual([...served].sort());
        for (const op of OPERATIONS) expect(doc.paths[op.path]?.[op.method]).toMatchObject({ operationId: op.operationId });
        expect(OPERATIONS.filter((o) => o.tag === 'provenance' || o.tag === 'stock tokens' || o.tag === 'audit' || o.tag === 'verification').length).toBeGreaterThanOrEqual(35);

        // structural validation (no OpenAPI 3.1 validator is installed: only ajv 6, draft-07, without the OAS schema)
        const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
        const MEDIA_TYPE_FIELDS = new Set(['schema', 'example', 'examples', 'encoding']);
        const operationIds = new Set<string>();
        const problems: string[] = [];
        for (const [path, item] of Object.entries(doc.paths)) {
            if (!path.startsWith('/')) problems.push(`${path}: does not start with /`);
            const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
            for (const [method, op] of Object.entries(item)) {
                const where = `${method} ${path}`;
                if (!HTTP_METHODS.has(method)) problems.push(`${where}: not an HTTP method`);
                const id = op.operationId;
                if (typeof id !== 'string' || id === '') problems.push(`${where}: no operationId`);
                else if (operationIds.has(id)) problems.push(`${where}: duplicate operationId ${id}`);
                else operationIds.add(id);
                const responses = op.responses as Record<string, { description?: unknown; content?: Record<string, Record<string, unknown>> }> | undefined;
                if (responses === undefined || Object.keys(responses).length === 0) problems.push(`${where}: no responses`);
                for (const [code, r] of Object.entries(responses ?? {})) {
                    if (!/^([1-5][0-9X]{2}|default)$/.test(code)) problems.push(`${where}: response key ${code}`);
                    if (typeof r.description !== 'string') problems.push(`${where} ${code}: no description`);
                    for (const [media, m] of Object.entries(r.content ?? {})) {
                        for (const k of Object.keys(m)) if (!MEDIA_TYPE_FIELDS.has(k) && !k.startsWith('x-')) problems.push(`${where} ${code} ${media}: field "${k}" is not allowed in an OpenAPI 3.1 Media Type Object`);
                    }
                }
                const params = (op.parameters ?? []) as Array<{ name?: unknown; in?: unknown; schema?: unknown; required?: unknown }>;
                const seen = new Set<string>();
                for (const p of params) {
                    if (typeof p.name !== 'string' || !['path', 'query', 'header', 'cookie'].includes(String(p.in)) || typeof p.schema !== 'object') problems.push(`${where}: bad parameter ${JSON.stringify(p)}`);
                    if (seen.has(`${String(p.in)}:${String(p.name)}`)) problems.push(`${where}: duplicate parameter ${String(p.name)}`);
                    seen.add(`${String(p.in)}:${String(p.name)}`);
                    if (p.in === 'path' && p.required !== true) problems.push(`${where}: path parameter ${String(p.name)} not required`);
                    if (p.in === 'path' && !templated.includes(String(p.name))) problems.push(`${where}: path parameter ${String(p.name)} not in the path`);
                }
                for (const t of templated) if (!params.some((p) => p.in === 'path' && p.name === t)) problems.push(`${where}: path parameter {${String(t)}} not declared`);
                const body = op.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined;
                if (body !== undefined && (body.content === undefined || Object.values(body.content).some((c) => typeof c.schema !== 'object'))) problems.push(`${where}: bad requestBody`);
                const refs = JSON.stringify(op).match(/"\$ref":"[^"]+"/g) ?? [];
                for (const ref of refs) {
                    const target = /#\/components\/schemas\/([^"]+)"/.exec(ref)?.[1];
                    if (target === undefined || doc.components.schemas[target] === undefined) problems.push(`${where}: dangling ${ref}`);
                }
            }
        }
        expect(problems).toEqual([]);
    });
});
