import '../test-support/quiet-logs';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { MembershipContract } from './membership';
import { ProvenanceContract } from './provenance';
import { TestChannel, TestLedger, TestStub, type TxResult } from '../test-support/context';
import { eventOf, expectJson, expectOk, expectRejected } from '../test-support/expectations';

const CONSORTIUM = [
    { mspId: 'BrandMSP', name: 'Brand', roles: ['MANUFACTURER'] },
    { mspId: 'LabMSP', name: 'Lab', roles: ['INSPECTOR'] },
    { mspId: 'RetailMSP', name: 'Retail', roles: ['RETAILER'] },
    { mspId: 'RegulatorMSP', name: 'Regulator', roles: ['REGULATOR'] },
];
// Only the contracts this family needs (keeps these tests independent of the other families' state).
const contracts = [MembershipContract, ProvenanceContract];
const json = (v: unknown): string => JSON.stringify(v);
const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const CERT = sha('certificate.pdf');
const AT = '2024-01-01T00:00:00.000000000Z';
const ctxJson = (extra: Record<string, unknown> = {}): string => json({ eventTime: AT, ...extra });

interface LotView {
    id: string;
    status: string;
    holder: string;
    quantity: string;
    derivedFrom: Array<{ lotId: string; quantity: string }>;
}

let req = 0;
const rid = (): string => `r${++req}`;

async function consortium(): Promise<TestChannel> {
    const channel = new TestChannel(contracts, new TestLedger());
    expectOk(await channel.submit('BrandMSP', 'membership:Bootstrap', json(CONSORTIUM)));
    return channel;
}

const submit = (ch: TestChannel, msp: string, fcn: string, ...args: string[]): Promise<TxResult> => ch.submit(msp, `provenance:${fcn}`, rid(), ...args);
const evaluate = (ch: TestChannel, msp: string, fcn: string, ...args: string[]): Promise<TxResult> => ch.evaluate(msp, `provenance:${fcn}`, ...args);
/** A consumer's scan: the secret code goes in the transient data entry `code`, never as an argument. */
const verify = (ch: TestChannel, msp: string, serial: string, code: string, location: string): Promise<TxResult> =>
    ch.submitWith(msp, { transient: { code } }, 'provenance:Verify', serial, location);

async function lotOf(ch: TestChannel, id: string): Promise<LotView> {
    return expectJson(await evaluate(ch, 'RegulatorMSP', 'GetLot', id)) as LotView;
}

async function product(ch: TestChannel, id = 'wine', scanLimit?: number): Promise<void> {
    expectOk(await submit(ch, 'BrandMSP', 'CreateProduct', json({ id, sku: `SKU-${id}`, model: 'Reserve 2023', name: 'Red wine', ...(scanLimit === undefined ? {} : { scanLimit }) })));
}

async function lot(ch: TestChannel, id: string, quantity = '1000', unit = 'L', productId = 'wine'): Promise<void> {
    expectOk(await submit(ch, 'BrandMSP', 'CreateLot', json({ id, productId, quantity, unit })));
}

async function step(ch: TestChannel, id: string, bizStep: string, msp = 'BrandMSP', quantity = '1'): Promise<TxResult> {
    return submit(ch, msp, 'RecordEvent', json({ lots: [{ lotId: id, quantity }], bizStep, disposition: 'in_progress', eventTime: AT }));
}

/** Drive a lot from CREATED to RELEASED. */
async function released(ch: TestChannel, id: string): Promise<void> {
    expectOk(await step(ch, id, 'commissioning'));
    expectOk(await step(ch, id, 'sampling'));
    expectOk(await submit(ch, 'LabMSP', 'RecordInspection', json({ lotId: id, result: 'CONFORMANT', certificateHash: CERT })));
}

describe('provenance: a lot from raw material to a verified bottle', () => {
    it('runs the whole lifecycle with exact effects', async () => {
        const ch = await consortium();
        await product(ch);
        const created = await submit(ch, 'BrandMSP', 'CreateLot', json({ id: 'grapes-1', productId: 'wine', quantity: '1000', unit: 'L' }));
        const lotCreated = expectJson(created) as LotView;
        expect(lotCreated).toMatchObject({ id: 'grapes-1', status: 'CREATED', owner: 'BrandMSP', holder: 'BrandMSP', quantity: '1000', shippedTo: null });
        expect(eventOf(created)).toEqual({
            name: 'provenance.CreateLot',
            payload: {
                contract: 'provenance',
                transaction: 'CreateLot',
                txId: created.txId,
                timestamp: expect.any(String),
                caller: 'BrandMSP',
                requestId: expect.any(String),
                changes: [{ type: 'LotCreated', lot: lotCreated }],
            },
        });
        // writes: lot, owner/status/holder indexes, creation event, request record
        expect([...created.writes.keys()].map((k) => k.split('\u0000')[1]).sort()).toEqual([
            'upoint.provenance.event',
            'upoint.provenance.lot',
            'upoint.provenance.lot.holder',
            'upoint.provenance.lot.owner',
            'upoint.provenance.lot.status',
            'upoint.request',
            'upoint.submitter',
        ]);

        const ev = await submit(
            ch,
            'BrandMSP',
            'RecordEvent',
            json({
                lots: [{ lotId: 'grapes-1', quantity: '1000' }],
                bizStep: 'commissioning',
                disposition: 'active',
                eventTime: AT,
                readPoint: 'urn:epc:id:sgln:vineyard.1',
                bizLocation: 'urn:epc:id:sgln:winery.0',
                bizTransactions: [{ type: 'po', id: 'PO-1' }],
                fees: [{ kind: 'TAX', description: 'excise', amount: '1500', currency: 'EUR' }],
                documents: [{ type: 'CERTIFICATE', sha256: CERT }],
            }),
        );
        expect(eventOf(ev).payload['changes']).toEqual([
            { type: 'EventRecorded', eventId: ev.txId, bizStep: 'commissioning', lots: [{ lotId: 'grapes-1', status: 'IN_PROCESS', quantity: '1000' }] },
        ]);
        expectOk(await step(ch, 'grapes-1', 'sampling'));
        // nothing ships without a conformant inspection
        const before = await ch.ledger.keys();
        expectRejected(await submit(ch, 'BrandMSP', 'Ship', 'grapes-1', 'RetailMSP', ctxJson()), 'INVALID_STATE', /no conformant inspection/);
        expectRejected(await submit(ch, 'BrandMSP', 'RecordInspection', json({ lotId: 'grapes-1', result: 'CONFORMANT', certificateHash: CERT })), 'FORBIDDEN', /INSPECTOR/);
        expect(await ch.ledger.keys()).toEqual(before);
        const insp = await submit(ch, 'LabMSP', 'RecordInspection', json({ lotId: 'grapes-1', result: 'CONFORMANT', certificateHash: CERT }));
        expect(expectJson(insp)).toMatchObject({ status: 'RELEASED', inspection: { inspector: 'LabMSP', result: 'CONFORMANT', certificateHash: CERT } });

        // packing: 1000 L of wine → 990 L bottled (yield 95-100%)
        await product(ch, 'bottle');
        const packed = await submit(
            ch,
            'BrandMSP',
            'Transform',
            json({ inputs: [{ lotId: 'grapes-1', quantity: '1000' }], output: { id: 'bottled-1', productId: 'bottle', quantity: '990', unit: 'L' }, minYieldPercent: 95, maxYieldPercent: 100 }),
            ctxJson({ bizLocation: 'winery' }),
        );
        expect(expectJson(packed)).toMatchObject({ id: 'bottled-1', status: 'IN_PROCESS', derivedFrom: [{ lotId: 'grapes-1', quantity: '1000' }] });
        expect((await lotOf(ch, 'grapes-1')).quantity).toBe('0');
        expectOk(await step(ch, 'bottled-1', 'sampling'));
        expectOk(await submit(ch, 'LabMSP', 'RecordInspection', json({ lotId: 'bottled-1', result: 'CONFORMANT', certificateHash: CERT })));

        // two-step custody
        expectRejected(await submit(ch, 'RetailMSP', 'Ship', 'bottled-1', 'RetailMSP', ctxJson()), 'FORBIDDEN', /held by BrandMSP/);
        expectRejected(await submit(ch, 'BrandMSP', 'Ship', 'bottled-1', 'RegulatorMSP', ctxJson()), 'FORBIDDEN', /regulator/);
        expectRejected(await submit(ch, 'BrandMSP', 'Ship', 'bottled-1', 'NobodyMSP', ctxJson()), 'NOT_FOUND');
        const shipped = await submit(ch, 'BrandMSP', 'Ship', 'bottled-1', 'RetailMSP', ctxJson({ fees: [{ kind: 'FREIGHT', description: 'truck', amount: '20000', currency: 'EUR' }] }));
        expect(expectJson(shipped)).toMatchObject({ status: 'SHIPPED', holder: 'BrandMSP', shippedTo: 'RetailMSP' });
        expectRejected(await submit(ch, 'LabMSP', 'Receive', 'bottled-1', ctxJson()), 'FORBIDDEN', /shipped to RetailMSP/);
        expect(expectJson(await submit(ch, 'RetailMSP', 'Receive', 'bottled-1', ctxJson()))).toMatchObject({ status: 'RECEIVED', holder: 'RetailMSP', shippedTo: null });
        expectRejected(await submit(ch, 'RetailMSP', 'Receive', 'bottled-1', ctxJson()), 'INVALID_STATE');

        // bottles
        const units = [1, 2, 3].map((i) => ({ serial: `B-${i}`, codeHash: sha(`secret-${i}`) }));
        expectRejected(await submit(ch, 'RetailMSP', 'CommissionUnits', 'bottled-1', json(units)), 'FORBIDDEN', /owned by BrandMSP/);
        const comm = await submit(ch, 'BrandMSP', 'CommissionUnits', 'bottled-1', json(units));
        expect(expectJson(comm)).toEqual(units.map((u) => ({ serial: u.serial, lotId: 'bottled-1', productId: 'bottle', commissionedTxId: comm.txId, commissionedAt: expect.any(String) })));
        expectRejected(await submit(ch, 'BrandMSP', 'CommissionUnits', 'bottled-1', json([units[0]])), 'CONFLICT', /already commissioned/);
        // the code hash is never returned to readers
        expect(expectOk(await evaluate(ch, 'RetailMSP', 'GetUnit', 'B-1'))).not.toContain(units[0]?.codeHash);

        // consumer verification by a non-member
        const ok = await verify(ch, 'StrangerMSP', 'B-1', 'secret-1', 'Paris');
        const verdict = expectJson(ok) as { verdict: string; provenance: { events: Array<{ bizStep: string }>; ancestors: Array<{ events: Array<{ bizStep: string; fees: unknown[] }> }> } };
        expect(verdict).toMatchObject({ verdict: 'GENUINE', reasons: [], serial: 'B-1', scanCount: 1, previousScan: null });
        expect(verdict.provenance.events.map((e) => e.bizStep)).toEqual(['transforming', 'sampling', 'inspecting', 'shipping', 'receiving', 'commissioning']);
        expect(verdict.provenance.ancestors[0]?.events.map((e) => e.bizStep)).toEqual(['creating_class_instance', 'commissioning', 'sampling', 'inspecting', 'transforming']);
        expect(verdict.provenance.ancestors[0]?.events[1]?.fees).toEqual([{ kind: 'TAX', description: 'excise', amount: '1500', currency: 'EUR' }]);
        expect(eventOf(ok)).toMatchObject({ name: 'provenance.Verify', payload: { caller: 'StrangerMSP', requestId: null, changes: [{ type: 'UnitScanned', scan: { verdict: 'GENUINE' } }] } });
        expect([...ok.writes.keys()].map((k) => k.split('\u0000').slice(1, -1))).toEqual([
            ['upoint.provenance.scan', 'B-1', ok.txId],
            ['upoint.submitter', ok.txId],
        ]);

        expect(expectJson(await verify(ch, 'StrangerMSP', 'B-1', 'secret-1', 'Shanghai'))).toMatchObject({ verdict: 'SUSPECT', reasons: ['LOCATION_CHANGED'] });
        const wrong = expectJson(await verify(ch, 'RegulatorMSP', 'B-2', 'nope', 'Paris'));
        const missing = expectJson(await verify(ch, 'RegulatorMSP', 'B-999', 'secret-1', 'Paris'));
        expect(wrong).toEqual({ verdict: 'UNKNOWN', serial: 'B-2' });
        expect(missing).toEqual({ verdict: 'UNKNOWN', serial: 'B-999' });
        // read-only verification records nothing
        const keys = await ch.ledger.keys();
        expect(expectJson(await ch.evaluate('StrangerMSP', 'provenance:VerifyReadOnly', 'B-3', 'secret-3', 'Paris'))).toMatchObject({ verdict: 'GENUINE' });
        expect(await ch.ledger.keys()).toEqual(keys);
        expectRejected(await ch.evaluate('StrangerMSP', 'provenance:GetLot', 'bottled-1'), 'FORBIDDEN');

        // sold
        expect(expectJson(await step(ch, 'bottled-1', 'retail_selling', 'RetailMSP'))).toMatchObject([{ statusAfter: 'SOLD_OUT' }]);
        expectRejected(await step(ch, 'bottled-1', 'storing', 'RetailMSP'), 'INVALID_STATE', /SOLD_OUT/);
        expect((await lotOf(ch, 'bottled-1')).status).toBe('SOLD_OUT');
    });

    it('a scan beyond the product scan limit is SUSPECT, and so is every later one', async () => {
        const ch = await consortium();
        await product(ch, 'wine', 2);
        await lot(ch, 'l1');
        expectOk(await submit(ch, 'BrandMSP', 'CommissionUnits', 'l1', json([{ serial: 'S1', codeHash: sha('c') }])));
        const verdicts: string[] = [];
        for (let i = 0; i < 4; i++) verdicts.push((expectJson(await verify(ch, 'X', 'S1', i === 1 ? 'bad' : 'c', 'Rome')) as { verdict: string }).verdict);
        expect(verdicts).toEqual(['GENUINE', 'UNKNOWN', 'GENUINE', 'SUSPECT']);
        const unit = expectJson(await evaluate(ch, 'BrandMSP', 'GetUnit', 'S1')) as { scans: Array<{ verdict: string; reasons: string[] }> };
        expect(unit.scans.map((s) => s.verdict)).toEqual(verdicts);
        expect(unit.scans[3]?.reasons).toEqual(['SCAN_LIMIT_EXCEEDED']);
    });
});

describe("Verify's secret code travels as transient data, never in the transaction or on the ledger", () => {
    const CODE = 'tr4nsient-S3CRET-code';

    async function withUnit(): Promise<TestChannel> {
        const ch = await consortium();
        await product(ch);
        await lot(ch, 'l');
        expectOk(await submit(ch, 'BrandMSP', 'CommissionUnits', 'l', json([{ serial: 'U-1', codeHash: sha(CODE) }])));
        return ch;
    }

    /** Every committed value of the namespace, with its key (current state and every version in history). */
    async function everyCommittedValue(ch: TestChannel): Promise<Array<{ key: string; value: Uint8Array }>> {
        const out: Array<{ key: string; value: Uint8Array }> = [];
        const snapshot = ch.ledger.state.snapshot();
        for await (const kv of snapshot.range(ch.ledger.namespace, '', '')) {
            out.push({ key: kv.key, value: kv.value });
            for await (const m of ch.ledger.state.getHistoryForKey(ch.ledger.namespace, kv.key)) out.push({ key: kv.key, value: m.value });
        }
        await snapshot.close();
        return out;
    }

    const contains = (bytes: Uint8Array | undefined, text: string): boolean => bytes !== undefined && Buffer.from(bytes).indexOf(Buffer.from(text, 'utf8')) !== -1;

    it('the test stub hands over the transient map as fabric-shim does: one Map of Buffers, empty when none was sent', () => {
        const none = new TestStub({ ledger: new TestLedger(), mspId: 'X', fcn: 'provenance:Verify' });
        expect(none.getTransient()).toEqual(new Map());
        expect(none.getTransient()).toBe(none.getTransient());
        const some = new TestStub({ ledger: new TestLedger(), mspId: 'X', fcn: 'provenance:Verify', transient: new Map([['code', new Uint8Array([0x63])]]) });
        const value = some.getTransient().get('code');
        expect(Buffer.isBuffer(value)).toBe(true);
        expect(Buffer.from(value ?? new Uint8Array()).toString('utf8')).toBe('c');
        expect(new TestStub({ ledger: new TestLedger(), mspId: 'X', fcn: 'f', transient: { code: 'é' } }).getTransient().get('code')).toEqual(Buffer.from('é', 'utf8'));
    });

    it('Verify(serial, location) with the code in the transient entry "code" is GENUINE; a wrong code is UNKNOWN', async () => {
        const ch = await withUnit();
        expect(expectJson(await verify(ch, 'StrangerMSP', 'U-1', CODE, 'Paris'))).toMatchObject({ verdict: 'GENUINE', reasons: [], serial: 'U-1', scanCount: 1 });
        // the transient value is bytes on the wire: UTF-8 bytes work as the string does
        const bytes = await ch.submitWith('StrangerMSP', { transient: new Map([['code', new Uint8Array(Buffer.from(CODE, 'utf8'))]]) }, 'provenance:Verify', 'U-1', 'Paris');
        expect(expectJson(bytes)).toMatchObject({ verdict: 'GENUINE', scanCount: 2 });
        expect(expectJson(await verify(ch, 'StrangerMSP', 'U-1', 'guess', 'Paris'))).toEqual({ verdict: 'UNKNOWN', serial: 'U-1' });
    });

    it('a missing, empty, non-UTF-8 or too long transient code is INVALID_ARGUMENT and writes nothing', async () => {
        const ch = await withUnit();
        const keys = await ch.ledger.keys();
        const height = ch.ledger.height;
        const rejected = [
            await ch.submit('StrangerMSP', 'provenance:Verify', 'U-1', 'Paris'),
            await ch.submitWith('StrangerMSP', { transient: {} }, 'provenance:Verify', 'U-1', 'Paris'),
            await ch.submitWith('StrangerMSP', { transient: { other: CODE } }, 'provenance:Verify', 'U-1', 'Paris'),
            await verify(ch, 'StrangerMSP', 'U-1', '', 'Paris'),
            await ch.submitWith('StrangerMSP', { transient: { code: new Uint8Array([0xff, 0xfe]) } }, 'provenance:Verify', 'U-1', 'Paris'),
            await verify(ch, 'StrangerMSP', 'U-1', 'x'.repeat(257), 'Paris'),
        ];
        for (const r of rejected) {
            expectRejected(r, 'INVALID_ARGUMENT', /^INVALID_ARGUMENT: code: /);
            expect(r.message).not.toContain(CODE);
        }
        expect(rejected[0]?.message).toMatch(/transient data entry "code"/);
        // the old form, the code as an argument, is refused (wrong argument count) and changes nothing
        const old = await ch.submit('StrangerMSP', 'provenance:Verify', 'U-1', CODE, 'Paris');
        expect(old.status).toBe(500);
        expect(old.committed).toBe(false);
        expect(old.message).not.toContain(CODE);
        expect(await ch.ledger.keys()).toEqual(keys);
        expect(ch.ledger.height).toBe(height);
    });

    it('the committed writes, the scan record, the event and the response carry no trace of the code', async () => {
        const ch = await withUnit();
        const scans: TxResult[] = [];
        for (const where of ['Paris', 'Shanghai']) {
            const r = await verify(ch, 'StrangerMSP', 'U-1', CODE, where);
            expectOk(r);
            expect(r.committed).toBe(true);
            scans.push(r);
        }
        for (const r of scans) {
            // the scan is recorded (so there is something to search) ...
            expect([...r.writes.keys()].some((k) => k.includes('upoint.provenance.scan') && k.includes('U-1') && k.includes(r.txId))).toBe(true);
            // ... and nothing the transaction writes, emits or returns holds the code
            for (const [key, value] of r.writes) {
                expect(key).not.toContain(CODE);
                expect(contains(value, CODE)).toBe(false);
            }
            expect(contains(r.event?.payload, CODE)).toBe(false);
            expect(r.payload).not.toContain(CODE);
        }
        const scan = expectJson(await evaluate(ch, 'BrandMSP', 'GetUnit', 'U-1')) as { scans: unknown[] };
        expect(scan.scans).toHaveLength(2);
        expect(JSON.stringify(scan)).not.toContain(CODE);
        const committed = await everyCommittedValue(ch);
        expect(committed.length).toBeGreaterThan(0);
        expect(committed.filter((kv) => kv.key.includes(CODE) || contains(kv.value, CODE)).map((kv) => kv.key)).toEqual([]);
    });
});

describe('recall', () => {
    it('reaches every derived lot through the parent → child index, by the owner only', async () => {
        const ch = await consortium();
        await product(ch);
        for (const id of ['a', 'b']) {
            await lot(ch, id, '100');
            await released(ch, id);
        }
        const mk = (inputs: string[], out: string, q: string): string =>
            json({ inputs: inputs.map((lotId) => ({ lotId, quantity: '50' })), output: { id: out, productId: 'wine', quantity: q, unit: 'L' }, minYieldPercent: 50, maxYieldPercent: 100 });
        expectOk(await submit(ch, 'BrandMSP', 'Transform', mk(['a', 'b'], 'ab', '100'), ctxJson()));
        expectOk(await submit(ch, 'BrandMSP', 'Transform', mk(['b'], 'b2', '50'), ctxJson()));
        expectOk(await submit(ch, 'BrandMSP', 'Transform', mk(['ab'], 'ab2', '40'), ctxJson()));
        expectRejected(await submit(ch, 'BrandMSP', 'Transform', mk(['ab'], 'bad', '60'), ctxJson()), 'INVALID_ARGUMENT', /yield/);
        expectRejected(await submit(ch, 'BrandMSP', 'Transform', mk(['ab'], 'bad', '10'), ctxJson()), 'INVALID_ARGUMENT', /yield/);
        expectRejected(await submit(ch, 'BrandMSP', 'Transform', mk(['ab'], 'ab2', '40'), ctxJson()), 'CONFLICT');

        expectRejected(await submit(ch, 'RetailMSP', 'Recall', 'a', 'contamination'), 'FORBIDDEN', /owned by BrandMSP/);
        expectRejected(await submit(ch, 'RegulatorMSP', 'Recall', 'a', 'contamination'), 'FORBIDDEN', /regulator/);
        const r = await submit(ch, 'BrandMSP', 'Recall', 'a', 'contamination');
        expect(expectJson(r)).toEqual(['a', 'ab', 'ab2']);
        for (const id of ['a', 'ab', 'ab2']) expect(await lotOf(ch, id)).toMatchObject({ status: 'RECALLED', recall: { rootLotId: 'a', reason: 'contamination' } });
        for (const id of ['b', 'b2']) expect((await lotOf(ch, id)).status).not.toBe('RECALLED');
        expectRejected(await submit(ch, 'BrandMSP', 'Recall', 'ab', 'again'), 'INVALID_STATE', /already RECALLED/);
        // b's recall reaches ab (already recalled, skipped) and b2
        expect(expectJson(await submit(ch, 'BrandMSP', 'Recall', 'b', 'x'))).toEqual(['b', 'b2']);
        const page = expectJson(await evaluate(ch, 'BrandMSP', 'ListLots', 'STATUS', 'RECALLED', '3', '')) as { items: LotView[]; bookmark: string };
        expect(page.items.map((l) => l.id)).toEqual(['a', 'ab', 'ab2']);
        const next = expectJson(await evaluate(ch, 'BrandMSP', 'ListLots', 'STATUS', 'RECALLED', '3', page.bookmark)) as { items: LotView[] };
        expect(next.items.map((l) => l.id)).toEqual(['b', 'b2']);
        expect((expectJson(await evaluate(ch, 'BrandMSP', 'ListLots', 'OWNER', 'BrandMSP', '10', '')) as { items: LotView[] }).items).toHaveLength(5);
        expect((expectJson(await evaluate(ch, 'BrandMSP', 'ListLots', 'HOLDER', 'RetailMSP', '10', '')) as { items: LotView[] }).items).toHaveLength(0);
        expectRejected(await evaluate(ch, 'BrandMSP', 'ListLots', 'COLOUR', 'red', '10', ''), 'INVALID_ARGUMENT');
    });

    it('refuses (changing nothing) a recall whose lineage is deeper than the bound, rather than recalling part of it', async () => {
        const ch = await consortium();
        await product(ch);
        await lot(ch, 'g0', '100');
        await released(ch, 'g0');
        for (let i = 1; i <= 9; i++) {
            const t = json({ inputs: [{ lotId: `g${i - 1}`, quantity: '1' }], output: { id: `g${i}`, productId: 'wine', quantity: '1', unit: 'L' }, minYieldPercent: 100, maxYieldPercent: 100 });
            expectOk(await submit(ch, 'BrandMSP', 'Transform', t, ctxJson()));
        }
        const keys = await ch.ledger.keys();
        expectRejected(await submit(ch, 'BrandMSP', 'Recall', 'g0', 'deep'), 'INVALID_STATE', /deeper than 8/);
        expect(await ch.ledger.keys()).toEqual(keys);
        // from one level down the lineage fits: every derived lot is reached
        expect(expectJson(await submit(ch, 'BrandMSP', 'Recall', 'g1', 'ok'))).toEqual(['g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7', 'g8', 'g9']);
        // the timeline of the last lot shows its ancestors (bounded)
        const tl = expectJson(await evaluate(ch, 'BrandMSP', 'Timeline', 'g9')) as { ancestors: Array<{ lot: { id: string } }> };
        expect(tl.ancestors.map((a) => a.lot.id)).toEqual(['g8', 'g7', 'g6', 'g5', 'g4', 'g3', 'g2', 'g1']);
    });

    it('marks verification of a recalled lot SUSPECT', async () => {
        const ch = await consortium();
        await product(ch);
        await lot(ch, 'l');
        expectOk(await submit(ch, 'BrandMSP', 'CommissionUnits', 'l', json([{ serial: 'S', codeHash: sha('c') }])));
        expectOk(await submit(ch, 'BrandMSP', 'Recall', 'l', 'bad cork'));
        expect(expectJson(await verify(ch, 'X', 'S', 'c', 'Rome'))).toMatchObject({ verdict: 'SUSPECT', reasons: ['LOT_RECALLED'] });
        expectRejected(await submit(ch, 'BrandMSP', 'CommissionUnits', 'l', json([{ serial: 'T', codeHash: sha('c') }])), 'INVALID_STATE', /RECALLED/);
    });
});

describe('rejections change nothing', () => {
    it.each<[string, string, string[], string, RegExp?]>([
        ['a non-manufacturer product', 'LabMSP', ['CreateProduct', json({ id: 'p', sku: 's', model: 'm', name: 'n' })], 'FORBIDDEN'],
        ['a product twice', 'BrandMSP', ['CreateProduct', json({ id: 'wine', sku: 's', model: 'm', name: 'n' })], 'CONFLICT'],
        ['a lot twice', 'BrandMSP', ['CreateLot', json({ id: 'l', productId: 'wine', quantity: '1', unit: 'L' })], 'CONFLICT'],
        ['a lot of an unknown product', 'BrandMSP', ['CreateLot', json({ id: 'm', productId: 'beer', quantity: '1', unit: 'L' })], 'NOT_FOUND'],
        ['a lot of zero', 'BrandMSP', ['CreateLot', json({ id: 'm', productId: 'wine', quantity: '0', unit: 'L' })], 'INVALID_ARGUMENT'],
        ['a shipping step through RecordEvent', 'BrandMSP', ['RecordEvent', json({ lots: [{ lotId: 'l', quantity: '1' }], bizStep: 'shipping', disposition: 'in_transit', eventTime: AT })], 'INVALID_ARGUMENT'],
        ['an event by a non-holder', 'RetailMSP', ['RecordEvent', json({ lots: [{ lotId: 'l', quantity: '1' }], bizStep: 'storing', disposition: 'active', eventTime: AT })], 'FORBIDDEN'],
        ['an event beyond the lot quantity', 'BrandMSP', ['RecordEvent', json({ lots: [{ lotId: 'l', quantity: '11' }], bizStep: 'storing', disposition: 'active', eventTime: AT })], 'INVALID_ARGUMENT'],
        ['a forbidden transition', 'BrandMSP', ['RecordEvent', json({ lots: [{ lotId: 'l', quantity: '1' }], bizStep: 'retail_selling', disposition: 'retail_sold', eventTime: AT })], 'INVALID_STATE'],
        ['inspection of a CREATED lot', 'LabMSP', ['RecordInspection', json({ lotId: 'l', result: 'CONFORMANT', certificateHash: CERT })], 'INVALID_STATE'],
        ['a bad document hash', 'BrandMSP', ['Ship', 'l', 'RetailMSP', json({ eventTime: AT, documents: [{ type: 'INVOICE', sha256: 'ABC' }] })], 'INVALID_ARGUMENT'],
        ['a transform of a CREATED lot', 'BrandMSP', ['Transform', json({ inputs: [{ lotId: 'l', quantity: '1' }], output: { id: 'o', productId: 'wine', quantity: '1', unit: 'L' }, minYieldPercent: 1, maxYieldPercent: 100 }), ctxJson()], 'INVALID_STATE'],
        ['a transform with a min above max yield', 'BrandMSP', ['Transform', json({ inputs: [{ lotId: 'l', quantity: '1' }], output: { id: 'o', productId: 'wine', quantity: '1', unit: 'L' }, minYieldPercent: 90, maxYieldPercent: 80 }), ctxJson()], 'INVALID_ARGUMENT'],
        ['units listed twice', 'BrandMSP', ['CommissionUnits', 'l', json([{ serial: 'a', codeHash: CERT }, { serial: 'a', codeHash: CERT }])], 'INVALID_ARGUMENT'],
        ['a clear-text code', 'BrandMSP', ['CommissionUnits', 'l', json([{ serial: 'a', codeHash: 'secret' }])], 'INVALID_ARGUMENT'],
        ['a recall without reason', 'BrandMSP', ['Recall', 'l', ''], 'INVALID_ARGUMENT'],
        ['an unknown lot', 'BrandMSP', ['Receive', 'zzz', ctxJson()], 'NOT_FOUND'],
        ['a regulator event', 'RegulatorMSP', ['RecordEvent', json({ lots: [{ lotId: 'l', quantity: '1' }], bizStep: 'storing', disposition: 'active', eventTime: AT })], 'FORBIDDEN'],
        ['a non-member product', 'StrangerMSP', ['CreateProduct', json({ id: 'q', sku: 's', model: 'm', name: 'n' })], 'FORBIDDEN'],
    ])('refuses %s', async (_what, msp, [fcn, ...args], code) => {
        const ch = await consortium();
        await product(ch);
        await lot(ch, 'l', '10');
        const before = await ch.ledger.keys();
        expectRejected(await submit(ch, msp, fcn as string, ...args), code as 'FORBIDDEN');
        expect(await ch.ledger.keys()).toEqual(before);
    });

    it('a retried request fails with DUPLICATE_REQUEST and creates nothing', async () => {
        const ch = await consortium();
        await product(ch);
        const args = json({ id: 'l', productId: 'wine', quantity: '5', unit: 'L' });
        const first = await ch.submit('BrandMSP', 'provenance:CreateLot', 'same', args);
        expectOk(first);
        const keys = await ch.ledger.keys();
        expectRejected(await ch.submit('BrandMSP', 'provenance:CreateLot', 'same', json({ id: 'l2', productId: 'wine', quantity: '5', unit: 'L' })), 'DUPLICATE_REQUEST', new RegExp(first.txId));
        expect(await ch.ledger.keys()).toEqual(keys);
    });

    it('reads: timeline, history, bad arguments', async () => {
        const ch = await consortium();
        await product(ch);
        await lot(ch, 'l');
        await released(ch, 'l');
        const tl = expectJson(await evaluate(ch, 'RegulatorMSP', 'Timeline', 'l')) as { events: Array<{ statusAfter: string }>; product: { id: string } };
        expect(tl.product.id).toBe('wine');
        expect(tl.events.map((e) => e.statusAfter)).toEqual(['CREATED', 'IN_PROCESS', 'QC_PENDING', 'RELEASED']);
        const h = expectJson(await evaluate(ch, 'RegulatorMSP', 'History', 'LOT', 'l')) as Array<{ value: { status: string } }>;
        expect(h.map((e) => e.value.status)).toEqual(['RELEASED', 'QC_PENDING', 'IN_PROCESS', 'CREATED']);
        expect(expectJson(await evaluate(ch, 'RegulatorMSP', 'History', 'PRODUCT', 'wine'))).toHaveLength(1);
        expectOk(await submit(ch, 'BrandMSP', 'CommissionUnits', 'l', json([{ serial: 'u1', codeHash: CERT }])));
        expect(expectOk(await evaluate(ch, 'RegulatorMSP', 'History', 'UNIT', 'u1'))).not.toContain(CERT);
        expect(expectJson(await evaluate(ch, 'RegulatorMSP', 'GetProduct', 'wine'))).toMatchObject({ scanLimit: 5 });
        expectRejected(await evaluate(ch, 'RegulatorMSP', 'History', 'THING', 'l'), 'INVALID_ARGUMENT');
        expectRejected(await evaluate(ch, 'RegulatorMSP', 'GetLot', 'bad id'), 'INVALID_ARGUMENT');
        expectRejected(await evaluate(ch, 'RegulatorMSP', 'GetUnit', 'nope'), 'NOT_FOUND');
        expectRejected(await verify(ch, 'X', 'u1', '', 'Rome'), 'INVALID_ARGUMENT');
    });

    it('quarantine, rework and re-inspection', async () => {
        const ch = await consortium();
        await product(ch);
        await lot(ch, 'l');
        expectOk(await step(ch, 'l', 'commissioning'));
        expectOk(await step(ch, 'l', 'sampling'));
        expect(expectJson(await submit(ch, 'LabMSP', 'RecordInspection', json({ lotId: 'l', result: 'NONCONFORMANT', certificateHash: CERT })))).toMatchObject({ status: 'QUARANTINED' });
        expectRejected(await submit(ch, 'BrandMSP', 'Ship', 'l', 'RetailMSP', ctxJson()), 'INVALID_STATE');
        expectOk(await step(ch, 'l', 'repairing'));
        expectOk(await step(ch, 'l', 'sampling'));
        expectOk(await submit(ch, 'LabMSP', 'RecordInspection', json({ lotId: 'l', result: 'CONFORMANT', certificateHash: CERT })));
        expectOk(await submit(ch, 'BrandMSP', 'Ship', 'l', 'RetailMSP', ctxJson()));
        expectOk(await submit(ch, 'RetailMSP', 'Receive', 'l', ctxJson()));
        // the receiver may ship on (SHIPPED ⇄ RECEIVED)
        expectOk(await submit(ch, 'RetailMSP', 'Ship', 'l', 'BrandMSP', ctxJson()));
        expect(await lotOf(ch, 'l')).toMatchObject({ status: 'SHIPPED', holder: 'RetailMSP' });
    });
});

// ---------------------------------------------------------------------------------------------
// Properties over random operation sequences

const ORGS = ['BrandMSP', 'LabMSP', 'RetailMSP', 'RegulatorMSP', 'StrangerMSP'] as const;
const LOTS = ['l0', 'l1', 'l2'] as const;
const STEPS = ['commissioning', 'sampling', 'repairing', 'retail_selling', 'storing'] as const;

type Op =
    | { kind: 'step'; org: number; lot: number; step: number }
    | { kind: 'inspect'; org: number; lot: number; ok: boolean }
    | { kind: 'ship'; org: number; lot: number; to: number }
    | { kind: 'receive'; org: number; lot: number }
    | { kind: 'transform'; org: number; from: number; n: number }
    | { kind: 'recall'; org: number; lot: number }
    | { kind: 'verify'; org: number; good: boolean; place: number }
    | { kind: 'retry'; org: number };

const org = fc.nat({ max: ORGS.length - 1 });
const lotIx = fc.nat({ max: LOTS.length - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('step' as const), org, lot: lotIx, step: fc.nat({ max: STEPS.length - 1 }) }),
    fc.record({ kind: fc.constant('inspect' as const), org, lot: lotIx, ok: fc.boolean() }),
    fc.record({ kind: fc.constant('ship' as const), org, lot: lotIx, to: org }),
    fc.record({ kind: fc.constant('receive' as const), org, lot: lotIx }),
    fc.record({ kind: fc.constant('transform' as const), org, from: lotIx, n: fc.nat({ max: 3 }) }),
    fc.record({ kind: fc.constant('recall' as const), org, lot: lotIx }),
    fc.record({ kind: fc.constant('verify' as const), org, good: fc.boolean(), place: fc.nat({ max: 1 }) }),
    fc.record({ kind: fc.constant('retry' as const), org }),
);

interface Run {
    results: Array<{ op: Op; result: TxResult; before: Map<string, LotView>; after: Map<string, LotView> }>;
    ch: TestChannel;
}

async function allLots(ch: TestChannel, ids: readonly string[]): Promise<Map<string, LotView>> {
    const out = new Map<string, LotView>();
    for (const id of ids) {
        const r = await evaluate(ch, 'RegulatorMSP', 'GetLot', id);
        if (r.status === 200) out.set(id, JSON.parse(r.payload) as LotView);
    }
    return out;
}

async function runOps(ops: readonly Op[]): Promise<Run> {
    const ch = await consortium();
    await product(ch);
    for (const id of LOTS) await lot(ch, id, '100');
    // l1 and l2 start RELEASED, so shipping, custody and transformation paths are reachable
    await released(ch, 'l1');
    await released(ch, 'l2');
    expectOk(await submit(ch, 'BrandMSP', 'CommissionUnits', 'l0', json([{ serial: 'U', codeHash: sha('code') }])));
    const ids: string[] = [...LOTS];
    const results: Run['results'] = [];
    let n = 0;
    for (const op of ops) {
        const msp = ORGS[op.org] as string;
        const before = await allLots(ch, ids);
        let result: TxResult;
        switch (op.kind) {
            case 'step':
                result = await step(ch, LOTS[op.lot] as string, STEPS[op.step] as string, msp);
                break;
            case 'inspect':
                result = await submit(ch, msp, 'RecordInspection', json({ lotId: LOTS[op.lot], result: op.ok ? 'CONFORMANT' : 'NONCONFORMANT', certificateHash: CERT }));
                break;
            case 'ship':
                result = await submit(ch, msp, 'Ship', LOTS[op.lot] as string, ORGS[op.to] as string, ctxJson());
                break;
            case 'receive':
                result = await submit(ch, msp, 'Receive', LOTS[op.lot] as string, ctxJson());
                break;
            case 'transform': {
                const out = `t${n++}`;
                result = await submit(
                    ch,
                    msp,
                    'Transform',
                    json({ inputs: [{ lotId: LOTS[op.from], quantity: '10' }], output: { id: out, productId: 'wine', quantity: String(7 + op.n), unit: 'L' }, minYieldPercent: 80, maxYieldPercent: 90 }),
                    ctxJson(),
                );
                if (result.status === 200) ids.push(out);
                break;
            }
            case 'recall':
                result = await submit(ch, msp, 'Recall', LOTS[op.lot] as string, 'why');
                break;
            case 'verify':
                result = await verify(ch, msp, 'U', op.good ? 'code' : 'wrong', op.place === 0 ? 'Rome' : 'Oslo');
                break;
            case 'retry':
                result = await ch.submit(msp, 'provenance:CreateProduct', 'fixed-retry-id', json({ id: `p${n++}`, sku: 's', model: 'm', name: 'n' }));
                break;
        }
        results.push({ op, result, before, after: await allLots(ch, ids) });
    }
    return { results, ch };
}

const FORBIDDEN_EDGES = (from: string, to: string): boolean => {
    const allowed: Record<string, string[]> = {
        CREATED: ['IN_PROCESS', 'RECALLED'],
        IN_PROCESS: ['QC_PENDING', 'RECALLED'],
        QC_PENDING: ['RELEASED', 'QUARANTINED', 'RECALLED'],
        RELEASED: ['SHIPPED', 'SOLD_OUT', 'RECALLED'],
        QUARANTINED: ['IN_PROCESS', 'QC_PENDING', 'RECALLED'],
        SHIPPED: ['RECEIVED', 'RECALLED'],
        RECEIVED: ['SHIPPED', 'SOLD_OUT', 'RECALLED'],
        SOLD_OUT: ['RECALLED'],
        RECALLED: [],
    };
    return from !== to && !(allowed[from] ?? []).includes(to);
};

describe('properties over random operation sequences', () => {
    it('transitions are allowed ones; shipping needs a conformant inspection; custody moves only by holder/receiver; recall reaches derived lots; outsiders change nothing but scans', async () => {
        await fc.assert(
            fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 14 }), async (ops) => {
                const { results } = await runOps(ops);
                let retried = 0;
                for (const { op, result, before, after } of results) {
                    const msp = ORGS[op.org] as string;
                    if (op.kind === 'retry' && result.status === 200) retried += 1;
                    if (result.status !== 200) {
                        expect(after).toEqual(before);
                        expect(result.committed).toBe(false);
                        expect(result.event).toBeUndefined();
                        continue;
                    }
                    // regulators and strangers change nothing but their scan record
                    if (msp === 'RegulatorMSP' || msp === 'StrangerMSP') {
                        expect(op.kind).toBe('verify');
                        // outsiders write only the scan record and the audit record of who submitted the scan
                        expect([...result.writes.keys()].every((k) => k.startsWith('\u0000upoint.provenance.scan\u0000') || k === `\u0000upoint.submitter\u0000${result.txId}\u0000`)).toBe(true);
                    }
                    for (const [id, b] of before) {
                        const a = after.get(id) as LotView;
                        expect(FORBIDDEN_EDGES(b.status, a.status)).toBe(false);
                        if (a.status === 'SHIPPED' && b.status !== 'SHIPPED') expect(a).toMatchObject({ inspection: { result: 'CONFORMANT' }, holder: msp });
                        if (a.holder !== b.holder) expect(op.kind === 'receive' && a.holder === msp && (b as LotView & { shippedTo: string }).shippedTo === msp).toBe(true);
                    }
                    if (op.kind === 'recall') {
                        // every lot derived from the recalled one is recalled
                        const recalled = new Set([...after].filter(([, l]) => l.status === 'RECALLED').map(([id]) => id));
                        for (const [, l] of after) if (l.derivedFrom.some((p) => recalled.has(p.lotId))) expect(l.status).toBe('RECALLED');
                    }
                }
                // exactly-once: a fixed request id succeeds at most once per org
                expect(retried).toBeLessThanOrEqual(1);
            }),
            { numRuns: 40 },
        );
    }, 120_000);

    it('determinism: the same operations at the same tx times write the same bytes and events', async () => {
        await fc.assert(
            fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 8 }), async (ops) => {
                const reqBefore = req;
                const a = await runOps(ops);
                req = reqBefore;
                const b = await runOps(ops);
                expect(b.results.length).toBe(a.results.length);
                a.results.forEach((x, i) => {
                    const y = b.results[i];
                    expect(y?.result.status).toBe(x.result.status);
                    expect(y?.result.payload).toBe(x.result.payload);
                    expect(y?.result.event).toEqual(x.result.event);
                    expect(y?.result.writes).toEqual(x.result.writes);
                });
            }),
            { numRuns: 10 },
        );
    }, 120_000);
});
