import fc from 'fast-check';
import {
    canTransition,
    chronological,
    commissionUnits,
    ContextInputSchema,
    createLot,
    createProduct,
    EventInputSchema,
    inspect,
    type Lot,
    LOT_STATUSES,
    LotSchema,
    ProductInputSchema,
    type LotStatus,
    plainContext,
    type Product,
    receive,
    recall,
    recordEvent,
    requireConformant,
    type Scan,
    ship,
    statusAfterStep,
    transform,
    TransformInputSchema,
    transition,
    TRANSITIONS,
    verdictOf,
    BIZ_STEPS,
} from './provenance';
import { ChaincodeError } from './errors';

const T = '2024-01-01T00:00:00.000000000Z';
const tx = (caller: string, txId = 'tx1'): { txId: string; timestamp: string; caller: string } => ({ txId, timestamp: T, caller });
const HASH = 'a'.repeat(64);
const ctx = plainContext(T);

function codeOf(fn: () => unknown): string {
    try {
        fn();
    } catch (e) {
        if (e instanceof ChaincodeError) return e.code;
        throw e;
    }
    return 'OK';
}

const product: Product = createProduct({ id: 'p', sku: 's', model: 'm', name: 'n' }, tx('BrandMSP'));
const lotIn = (status: LotStatus, extra: Partial<Lot> = {}): Lot => ({ ...createLot(product, { id: 'l', productId: 'p', quantity: 100n, unit: 'L' }, tx('BrandMSP')), status, ...extra });
const conformant = { inspector: 'LabMSP', result: 'CONFORMANT' as const, certificateHash: HASH, txId: 'i', timestamp: T };

describe('lot state machine', () => {
    it('RECALLED is terminal and reachable from every other state; SOLD_OUT leaves only by recall', () => {
        for (const s of LOT_STATUSES) expect(canTransition(s, 'RECALLED')).toBe(s !== 'RECALLED');
        expect(TRANSITIONS.RECALLED).toEqual([]);
        expect(TRANSITIONS.SOLD_OUT).toEqual(['RECALLED']);
        expect(codeOf(() => transition('l', 'CREATED', 'SHIPPED'))).toBe('INVALID_STATE');
        expect(transition('l', 'SHIPPED', 'RECEIVED')).toBe('RECEIVED');
    });

    it('property: only SHIPPED is entered from RELEASED or RECEIVED, and only those enter it', () => {
        fc.assert(
            fc.property(fc.constantFrom(...LOT_STATUSES), fc.constantFrom(...LOT_STATUSES), (from, to) => {
                if (to === 'SHIPPED' && canTransition(from, to)) expect(['RELEASED', 'RECEIVED']).toContain(from);
                if (from === 'RECALLED') expect(canTransition(from, to)).toBe(false);
            }),
        );
    });

    it('business steps move the status only where the table allows', () => {
        expect(statusAfterStep('commissioning', 'CREATED')).toBe('IN_PROCESS');
        expect(statusAfterStep('commissioning', 'RELEASED')).toBeNull();
        expect(statusAfterStep('sampling', 'QUARANTINED')).toBe('QC_PENDING');
        expect(statusAfterStep('sampling', 'RELEASED')).toBeNull();
        expect(statusAfterStep('repairing', 'QUARANTINED')).toBe('IN_PROCESS');
        expect(statusAfterStep('repairing', 'IN_PROCESS')).toBeNull();
        expect(statusAfterStep('retail_selling', 'RECEIVED')).toBe('SOLD_OUT');
        expect(statusAfterStep('packing', 'IN_PROCESS')).toBeNull();
    });

    it('property: recordEvent never produces a forbidden transition', () => {
        fc.assert(
            fc.property(fc.constantFrom(...LOT_STATUSES), fc.constantFrom(...BIZ_STEPS), (status, bizStep) => {
                const input = EventInputSchema.safeParse({ lots: [{ lotId: 'l', quantity: '1' }], bizStep, disposition: 'active', eventTime: T });
                if (!input.success) return;
                const before = lotIn(status);
                try {
                    const { lot, event } = recordEvent(before, input.data, 1n, tx('BrandMSP'));
                    expect(lot.status === status || canTransition(status, lot.status)).toBe(true);
                    expect(event).toMatchObject({ statusBefore: status, statusAfter: lot.status, eventId: 'tx1', lotId: 'l' });
                } catch (e) {
                    expect(e).toBeInstanceOf(ChaincodeError);
                }
            }),
        );
    });
});

describe('inspection and custody', () => {
    it('inspection releases or quarantines a QC_PENDING lot, recording the certificate', () => {
        const ok = inspect(lotIn('QC_PENDING'), 'CONFORMANT', HASH, tx('LabMSP'));
        expect(ok.lot).toMatchObject({ status: 'RELEASED', inspection: { inspector: 'LabMSP', result: 'CONFORMANT' } });
        expect(ok.event.documents).toEqual([{ type: 'CERTIFICATE', sha256: HASH }]);
        expect(inspect(lotIn('QC_PENDING'), 'NONCONFORMANT', HASH, tx('LabMSP')).lot.status).toBe('QUARANTINED');
        expect(codeOf(() => inspect(lotIn('CREATED'), 'CONFORMANT', HASH, tx('LabMSP')))).toBe('INVALID_STATE');
    });

    it('ships only with a conformant inspection, by the holder, to someone else', () => {
        expect(codeOf(() => ship(lotIn('RELEASED'), 'RetailMSP', ctx, tx('BrandMSP')))).toBe('INVALID_STATE');
        expect(codeOf(() => requireConformant(lotIn('RELEASED', { inspection: { ...conformant, result: 'NONCONFORMANT' } })))).toBe('INVALID_STATE');
        const released = lotIn('RELEASED', { inspection: conformant });
        expect(codeOf(() => ship(released, 'RetailMSP', ctx, tx('RetailMSP')))).toBe('FORBIDDEN');
        expect(codeOf(() => ship(released, 'BrandMSP', ctx, tx('BrandMSP')))).toBe('INVALID_ARGUMENT');
        const shipped = ship(released, 'RetailMSP', ctx, tx('BrandMSP'));
        expect(shipped.lot).toMatchObject({ status: 'SHIPPED', holder: 'BrandMSP', shippedTo: 'RetailMSP' });
        expect(shipped.event.custody).toEqual({ from: 'BrandMSP', to: 'RetailMSP' });
        expect(codeOf(() => receive(shipped.lot, ctx, tx('LabMSP')))).toBe('FORBIDDEN');
        expect(codeOf(() => receive(released, ctx, tx('RetailMSP')))).toBe('INVALID_STATE');
        const got = receive(shipped.lot, ctx, tx('RetailMSP', 'tx2'));
        expect(got.lot).toMatchObject({ status: 'RECEIVED', holder: 'RetailMSP', shippedTo: null, updatedTxId: 'tx2' });
    });
});

describe('transformation', () => {
    const input = (quantity: string, min: number, max: number, unit = 'L'): ReturnType<typeof TransformInputSchema.parse> =>
        TransformInputSchema.parse({ inputs: [{ lotId: 'l', quantity: '100' }], output: { id: 'o', productId: 'p', quantity, unit }, minYieldPercent: min, maxYieldPercent: max });

    it('conserves mass within the declared yield and records derivedFrom', () => {
        const out = transform(product, [lotIn('RELEASED')], input('90', 80, 95), ctx, tx('BrandMSP'));
        expect(out.output.lot).toMatchObject({ id: 'o', status: 'IN_PROCESS', quantity: 90n, derivedFrom: [{ lotId: 'l', quantity: 100n }] });
        expect(out.inputs[0]?.lot.quantity).toBe(0n);
        expect(out.inputs[0]?.event).toMatchObject({ eventType: 'TRANSFORMATION', quantity: 100n, outputs: [{ lotId: 'o', quantity: 90n }] });
    });

    it('property: accepted outputs lie within [min, max]% of the inputs and never exceed them', () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 100 }), (q, min, spread) => {
                const max = Math.min(100, min + spread);
                const parsed = input(String(q), min, max);
                const code = codeOf(() => transform(product, [lotIn('RELEASED')], parsed, ctx, tx('BrandMSP')));
                const inBound = q * 100 >= 100 * min && q * 100 <= 100 * max;
                expect(code).toBe(inBound ? 'OK' : 'INVALID_ARGUMENT');
                if (code === 'OK') expect(q).toBeLessThanOrEqual(100);
            }),
        );
    });

    it('refuses foreign, missing, untransformable or differently measured inputs', () => {
        expect(codeOf(() => transform(product, [], input('90', 80, 95), ctx, tx('BrandMSP')))).toBe('NOT_FOUND');
        expect(codeOf(() => transform(product, [lotIn('RELEASED', { holder: 'RetailMSP' })], input('90', 80, 95), ctx, tx('BrandMSP')))).toBe('FORBIDDEN');
        expect(codeOf(() => transform(product, [lotIn('SHIPPED')], input('90', 80, 95), ctx, tx('BrandMSP')))).toBe('INVALID_STATE');
        expect(codeOf(() => transform(product, [lotIn('RELEASED')], input('90', 80, 95, 'kg'), ctx, tx('BrandMSP')))).toBe('INVALID_ARGUMENT');
        expect(codeOf(() => transform(product, [lotIn('RELEASED', { quantity: 50n })], input('45', 80, 95), ctx, tx('BrandMSP')))).toBe('INVALID_ARGUMENT');
        expect(codeOf(() => transform(product, [lotIn('RELEASED', { holder: 'LabMSP' })], input('90', 80, 95), ctx, tx('LabMSP')))).toBe('FORBIDDEN');
    });
});

describe('recall, units', () => {
    it('recalls once; a recalled lot is left unchanged', () => {
        const r = recall(lotIn('SOLD_OUT'), 'root', 'cork taint', tx('BrandMSP'));
        expect(r?.lot).toMatchObject({ status: 'RECALLED', recall: { rootLotId: 'root', reason: 'cork taint', by: 'BrandMSP' } });
        expect(recall(lotIn('RECALLED'), 'root', 'x', tx('BrandMSP'))).toBeNull();
    });

    it('commissions units with their hash, by the owner of a live lot', () => {
        const done = commissionUnits(lotIn('RELEASED'), [{ serial: 's1', codeHash: HASH }], tx('BrandMSP'));
        expect(done.units).toEqual([{ serial: 's1', lotId: 'l', productId: 'p', codeHash: HASH, commissionedTxId: 'tx1', commissionedAt: T }]);
        expect(done.event).toMatchObject({ eventType: 'COMMISSION_UNITS', quantity: 1n });
        expect(codeOf(() => commissionUnits(lotIn('RELEASED'), [], tx('RetailMSP')))).toBe('FORBIDDEN');
        expect(codeOf(() => commissionUnits(lotIn('RECALLED'), [], tx('BrandMSP')))).toBe('INVALID_STATE');
        expect(codeOf(() => commissionUnits(lotIn('SOLD_OUT'), [], tx('BrandMSP')))).toBe('INVALID_STATE');
        expect(codeOf(() => createLot(product, { id: 'x', productId: 'p', quantity: 1n, unit: 'L' }, tx('OtherMSP')))).toBe('FORBIDDEN');
    });
});

describe('verdict', () => {
    const scan = (location: string, verdict: Scan['verdict'] = 'GENUINE', txId = 't'): Scan => ({ serial: 's', txId, timestamp: T, location, verdict, reasons: [] });
    const base = { codeMatches: true, lotRecalled: false, scanLimit: 3, previous: [] as Scan[], location: 'Rome' };

    it('GENUINE, SUSPECT with reasons, UNKNOWN without any', () => {
        expect(verdictOf(base)).toEqual({ verdict: 'GENUINE', reasons: [] });
        expect(verdictOf({ ...base, codeMatches: false, lotRecalled: true })).toEqual({ verdict: 'UNKNOWN', reasons: [] });
        expect(verdictOf({ ...base, lotRecalled: true }).reasons).toEqual(['LOT_RECALLED']);
        expect(verdictOf({ ...base, previous: [scan('Oslo')] }).reasons).toEqual(['LOCATION_CHANGED']);
        expect(verdictOf({ ...base, previous: [scan('Rome'), scan('Rome'), scan('Rome')] }).reasons).toEqual(['SCAN_LIMIT_EXCEEDED']);
        expect(verdictOf({ ...base, previous: [scan('Rome', 'SUSPECT')] }).reasons).toEqual(['PREVIOUSLY_SUSPECT']);
        // failed attempts do not count, nor set the last place
        expect(verdictOf({ ...base, previous: [scan('Rome'), scan('Oslo', 'UNKNOWN'), scan('Oslo', 'UNKNOWN'), scan('Oslo', 'UNKNOWN')] }).verdict).toBe('GENUINE');
    });

    it('property: with a valid code at one place, the first scanLimit scans are GENUINE and the rest SUSPECT', () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 12 }), (limit, n) => {
                const previous: Scan[] = [];
                for (let i = 0; i < n; i++) {
                    const v = verdictOf({ ...base, scanLimit: limit, previous });
                    expect(v.verdict).toBe(i < limit ? 'GENUINE' : 'SUSPECT');
                    previous.push(scan('Rome', v.verdict, `t${i}`));
                }
            }),
        );
    });

    it('orders by time, then tx id', () => {
        const items = [
            { txId: 'b', at: '2' },
            { txId: 'a', at: '2' },
            { txId: 'c', at: '1' },
        ];
        expect(chronological(items, (i) => i.at).map((i) => i.txId)).toEqual(['c', 'a', 'b']);
    });
});

describe('schemas', () => {
    it('round-trips a lot through its stored schema (bigint inside, string outside)', () => {
        const l = lotIn('CREATED');
        expect(LotSchema.parse(JSON.parse(JSON.stringify(l, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))))).toEqual(l);
    });
    it('rejects dedicated steps in RecordEvent and repeated lots', () => {
        expect(EventInputSchema.safeParse({ lots: [{ lotId: 'l', quantity: '1' }], bizStep: 'receiving', disposition: 'active', eventTime: T }).success).toBe(false);
        expect(EventInputSchema.safeParse({ lots: [{ lotId: 'l', quantity: '1' }, { lotId: 'l', quantity: '1' }], bizStep: 'storing', disposition: 'active', eventTime: T }).success).toBe(false);
        expect(ContextInputSchema.parse({ eventTime: T })).toEqual(ctx);
        expect(TransformInputSchema.safeParse({ inputs: [{ lotId: 'l', quantity: '1' }, { lotId: 'l', quantity: '1' }], output: { id: 'o', productId: 'p', quantity: '1', unit: 'L' }, minYieldPercent: 1, maxYieldPercent: 2 }).success).toBe(false);
    });
});

describe('free text', () => {
    it('refuses control characters and surrounding spaces in names, SKUs and places', () => {
        const product = { id: 'P1', sku: 'SKU-1', model: 'M', name: 'Baijiu 53%vol' };
        expect(ProductInputSchema.safeParse(product).success).toBe(true);
        for (const name of ['bell\u0007', 'line\nbreak', ' padded', 'padded ', 'nul\u0000']) {
            expect(ProductInputSchema.safeParse({ ...product, name }).success).toBe(false);
        }
    });
});
