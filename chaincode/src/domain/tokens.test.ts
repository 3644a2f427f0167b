import fc from 'fast-check';
import { ChaincodeError } from './errors';
import type { Member } from './membership';
import {
    addDays,
    attest,
    cancelOffer,
    closePledge,
    deposit,
    DepositInputSchema,
    freeze,
    fulfil,
    holding,
    impair,
    mint,
    move,
    offer,
    type Offer,
    OfferInputSchema,
    type Output,
    OutputSchema,
    outputIds,
    pledge,
    purchase,
    redeem,
    requireSpendable,
    selectInputs,
    type StockLot,
    StockLotSchema,
    TransferInputSchema,
} from './tokens';

const T0 = { txId: 'tx-dep', timestamp: '2024-01-01T00:00:00.000000000Z' };
const T1 = { txId: 'tx-1', timestamp: '2024-01-02T00:00:00.000000000Z' };
const custodian: Member = { mspId: 'SupplierMSP', name: 'Supplier', roles: ['CUSTODIAN'] };
const bank: Member = { mspId: 'BankMSP', name: 'Bank', roles: ['FINANCIER'] };

function codeOf(fn: () => unknown): string {
    try {
        fn();
    } catch (e) {
        if (e instanceof ChaincodeError) return e.code;
        throw e;
    }
    return 'OK';
}

const input = DepositInputSchema.parse({
    batchLotId: 'B-1',
    sku: 'WINE',
    unit: 'bottle',
    quantity: '100',
    unitValuation: { amount: '2500', currency: 'CNY' },
    custodian: 'SupplierMSP',
});

function deposited(): StockLot {
    return deposit({ id: 'lot1', owner: 'BrandMSP', input, custodian, tx: T0 });
}
function tokenized(quantity = 80n): { lot: StockLot; output: Output } {
    return mint(attest(deposited(), 'SupplierMSP', 90n, T0), 'BrandMSP', quantity, T1, outputIds('tx-m'));
}

describe('stock lot lifecycle', () => {
    it('deposits with a CUSTODIAN member only', () => {
        const lot = deposited();
        expect(lot).toMatchObject({ status: 'DEPOSITED', quantity: 100n, attested: 0n, minted: 0n, frozen: false, impaired: null });
        expect(StockLotSchema.parse(lot)).toEqual(lot);
        expect(codeOf(() => deposit({ id: 'x', owner: 'BrandMSP', input, custodian: undefined, tx: T0 }))).toBe('NOT_FOUND');
        expect(codeOf(() => deposit({ id: 'x', owner: 'BrandMSP', input, custodian: bank, tx: T0 }))).toBe('FORBIDDEN');
    });

    it('attests by the custodian, at most the deposited quantity, once', () => {
        const lot = deposited();
        expect(attest(lot, 'SupplierMSP', 100n, T1)).toMatchObject({ status: 'ATTESTED', attested: 100n, updatedAt: T1.timestamp });
        expect(codeOf(() => attest(lot, 'BrandMSP', 1n, T1))).toBe('FORBIDDEN');
        expect(codeOf(() => attest(lot, 'SupplierMSP', 101n, T1))).toBe('INVALID_ARGUMENT');
        expect(codeOf(() => attest(attest(lot, 'SupplierMSP', 1n, T1), 'SupplierMSP', 1n, T1))).toBe('INVALID_STATE');
        expect(codeOf(() => attest(freeze(lot, 'SupplierMSP', true, T1), 'SupplierMSP', 1n, T1))).toBe('INVALID_STATE');
    });

    it('freezes, unfreezes and impairs by the custodian only', () => {
        const lot = deposited();
        const frozen = freeze(lot, 'SupplierMSP', true, T1);
        expect(frozen.frozen).toBe(true);
        expect(codeOf(() => freeze(frozen, 'SupplierMSP', true, T1))).toBe('INVALID_STATE');
        expect(codeOf(() => freeze(lot, 'SupplierMSP', false, T1))).toBe('INVALID_STATE');
        expect(codeOf(() => freeze(lot, 'BrandMSP', true, T1))).toBe('FORBIDDEN');
        expect(freeze(frozen, 'SupplierMSP', false, T1).frozen).toBe(false);
        const impaired = impair(lot, 'SupplierMSP', 'water damage', T1);
        expect(impaired.impaired).toEqual({ reason: 'water damage', at: T1.timestamp });
        expect(codeOf(() => impair(impaired, 'SupplierMSP', 'again', T1))).toBe('INVALID_STATE');
        expect(codeOf(() => impair(lot, 'BankMSP', 'x', T1))).toBe('FORBIDDEN');
    });

    it('mints only when attested, by the owner, up to the attested quantity', () => {
        const lot = attest(deposited(), 'SupplierMSP', 90n, T0);
        expect(codeOf(() => mint(deposited(), 'BrandMSP', 1n, T1, outputIds('m')))).toBe('INVALID_STATE');
        expect(codeOf(() => mint(lot, 'BankMSP', 1n, T1, outputIds('m')))).toBe('FORBIDDEN');
        expect(codeOf(() => mint(lot, 'BrandMSP', 91n, T1, outputIds('m')))).toBe('INSUFFICIENT_FUNDS');
        expect(codeOf(() => mint(freeze(lot, 'SupplierMSP', true, T1), 'BrandMSP', 1n, T1, outputIds('m')))).toBe('INVALID_STATE');
        expect(codeOf(() => mint(impair(lot, 'SupplierMSP', 'x', T1), 'BrandMSP', 1n, T1, outputIds('m')))).toBe('INVALID_STATE');
        const first = mint(lot, 'BrandMSP', 60n, T1, outputIds('m'));
        expect(first.lot).toMatchObject({ status: 'TOKENIZED', minted: 60n });
        expect(first.output).toEqual({
            id: 'm.0',
            lotId: 'lot1',
            owner: 'BrandMSP',
            quantity: 60n,
            status: 'UNSPENT',
            lock: null,
            createdTxId: T1.txId,
            createdAt: T1.timestamp,
            spentTxId: null,
            spentAt: null,
        });
        expect(OutputSchema.parse(first.output)).toEqual(first.output);
        expect(mint(first.lot, 'BrandMSP', 30n, T1, outputIds('n')).lot.minted).toBe(90n);
        expect(codeOf(() => mint(first.lot, 'BrandMSP', 31n, T1, outputIds('n')))).toBe('INSUFFICIENT_FUNDS');
    });

    it('redeems to PARTIALLY then FULLY_REDEEMED and closes when the custodian fulfilled everything', () => {
        const { lot } = mint(attest(deposited(), 'SupplierMSP', 90n, T0), 'BrandMSP', 90n, T1, outputIds('m'));
        const a = redeem({ id: 'r1', lot, owner: 'BrandMSP', quantity: 40n, tx: T1 });
        expect(a.lot).toMatchObject({ status: 'PARTIALLY_REDEEMED', redeemed: 40n });
        expect(a.redemption).toMatchObject({ status: 'REQUESTED', custodian: 'SupplierMSP', quantity: 40n });
        const b = redeem({ id: 'r2', lot: a.lot, owner: 'BankMSP', quantity: 50n, tx: T1 });
        expect(b.lot.status).toBe('FULLY_REDEEMED');
        expect(codeOf(() => redeem({ id: 'r3', lot: b.lot, owner: 'BankMSP', quantity: 1n, tx: T1 }))).toBe('INVALID_STATE');
        expect(codeOf(() => mint(b.lot, 'BrandMSP', 1n, T1, outputIds('x')))).toBe('INVALID_STATE');
        expect(codeOf(() => fulfil(b.lot, a.redemption, 'BrandMSP', T1))).toBe('FORBIDDEN');
        const f1 = fulfil(b.lot, a.redemption, 'SupplierMSP', T1);
        expect(f1.lot.status).toBe('FULLY_REDEEMED');
        expect(codeOf(() => fulfil(f1.lot, f1.redemption, 'SupplierMSP', T1))).toBe('INVALID_STATE');
        expect(codeOf(() => fulfil(freeze(f1.lot, 'SupplierMSP', true, T1), b.redemption, 'SupplierMSP', T1))).toBe('INVALID_STATE');
        const f2 = fulfil(f1.lot, b.redemption, 'SupplierMSP', T1);
        expect(f2.lot).toMatchObject({ status: 'CLOSED', fulfilled: 90n });
        expect(codeOf(() => redeem({ id: 'r4', lot: f2.lot, owner: 'BankMSP', quantity: 1n, tx: T1 }))).toBe('INVALID_STATE');
    });
});

describe('outputs', () => {
    const o = (id: string, quantity: bigint, extra: Partial<Output> = {}): Output => ({
        id,
        lotId: 'lot1',
        owner: 'BrandMSP',
        quantity,
        status: 'UNSPENT',
        lock: null,
        createdTxId: 'tx',
        createdAt: T0.timestamp,
        spentTxId: null,
        spentAt: null,
        ...extra,
    });

    it('selects unspent unlocked outputs in order, or exactly the named ones', () => {
        const held = [o('a', 5n, { status: 'SPENT', spentTxId: 'tx9' }), o('b', 3n, { lock: { kind: 'PLEDGE', id: 'p' } }), o('c', 4n), o('d', 4n), o('e', 10n)];
        expect(selectInputs(held, 6n).map((x) => x.id)).toEqual(['c', 'd']);
        expect(selectInputs(held, 4n).map((x) => x.id)).toEqual(['c']);
        expect(codeOf(() => selectInputs(held, 19n))).toBe('INSUFFICIENT_FUNDS');
        expect(selectInputs(held, 2n, ['e']).map((x) => x.id)).toEqual(['e']);
        expect(codeOf(() => selectInputs(held, 1n, ['zz']))).toBe('NOT_FOUND');
        expect(codeOf(() => selectInputs(held, 1n, ['a']))).toBe('CONFLICT');
        expect(codeOf(() => selectInputs(held, 1n, ['b']))).toBe('INVALID_STATE');
        expect(codeOf(() => selectInputs(held, 9n, ['c', 'd']))).toBe('INSUFFICIENT_FUNDS');
    });

    it('checks the lock an operation expects', () => {
        const locked = o('x', 1n, { lock: { kind: 'OFFER', id: 'of' } });
        expect(() => requireSpendable(locked, { kind: 'OFFER', id: 'of' })).not.toThrow();
        expect(codeOf(() => requireSpendable(locked, { kind: 'OFFER', id: 'other' }))).toBe('INVALID_STATE');
        expect(codeOf(() => requireSpendable(locked, { kind: 'PLEDGE', id: 'of' }))).toBe('INVALID_STATE');
        expect(codeOf(() => requireSpendable(o('y', 1n), { kind: 'PLEDGE', id: 'p' }))).toBe('INVALID_STATE');
    });

    it('conserves quantity in every move (property)', () => {
        fc.assert(
            fc.property(
                fc.array(fc.bigInt({ min: 1n, max: 10n ** 12n }), { minLength: 1, maxLength: 5 }),
                fc.array(fc.bigInt({ min: 1n, max: 10n ** 12n }), { maxLength: 4 }),
                fc.bigInt({ min: 0n, max: 10n ** 12n }),
                (ins, outs, burned) => {
                    const inputs = ins.map((q, i) => o(`i${i}`, q));
                    const total = ins.reduce((a, b) => a + b, 0n);
                    const wanted = outs.reduce((a, b) => a + b, 0n) + burned;
                    const parts = outs.map((q) => ({ owner: 'BankMSP', quantity: q, lock: null }));
                    if (wanted > total) {
                        expect(codeOf(() => move(inputs, parts, T1, outputIds('t'), burned))).toBe('INSUFFICIENT_FUNDS');
                        return;
                    }
                    const m = move(inputs, parts, T1, outputIds('t'), burned);
                    const created = m.created.reduce((a, c) => a + c.quantity, 0n);
                    expect(created + burned).toBe(total);
                    expect(m.consumed.every((c) => c.status === 'SPENT' && c.spentTxId === T1.txId)).toBe(true);
                    expect(new Set(m.created.map((c) => c.id)).size).toBe(m.created.length);
                    expect(m.created.every((c) => c.quantity > 0n)).toBe(true);
                },
            ),
        );
    });

    it('refuses empty or non-positive moves', () => {
        expect(codeOf(() => move([], [], T1, outputIds('t')))).toBe('INVALID_ARGUMENT');
        expect(codeOf(() => move([o('a', 2n)], [{ owner: 'X', quantity: 0n, lock: null }], T1, outputIds('t')))).toBe('INVALID_ARGUMENT');
    });

    it('sums holdings of unspent outputs only', () => {
        expect(holding([o('a', 5n, { status: 'SPENT' }), o('b', 3n, { lock: { kind: 'PLEDGE', id: 'p' } }), o('c', 4n)])).toEqual({ available: 4n, locked: 3n, total: 7n });
    });
});

describe('pledges and offers', () => {
    const { lot } = tokenized();

    it('pledges only to a FINANCIER other than the owner, on a movable lot', () => {
        const base = { id: 'p1', lot, owner: 'BrandMSP', financierId: 'BankMSP', quantity: 10n, outputId: 'p1.0', tx: T1 };
        const pl = pledge({ ...base, financier: bank });
        expect(pl).toMatchObject({ status: 'ACTIVE', financier: 'BankMSP', quantity: 10n });
        expect(codeOf(() => pledge({ ...base, financier: undefined }))).toBe('NOT_FOUND');
        expect(codeOf(() => pledge({ ...base, financier: custodian }))).toBe('FORBIDDEN');
        expect(codeOf(() => pledge({ ...base, owner: 'BankMSP', financier: bank }))).toBe('INVALID_ARGUMENT');
        expect(codeOf(() => pledge({ ...base, lot: impair(lot, 'SupplierMSP', 'x', T1), financier: bank }))).toBe('INVALID_STATE');
        expect(closePledge(pl, 'BankMSP', 'RELEASED', T1)).toMatchObject({ status: 'RELEASED', closedAt: T1.timestamp });
        expect(codeOf(() => closePledge(pl, 'BrandMSP', 'RELEASED', T1))).toBe('FORBIDDEN');
        expect(codeOf(() => closePledge(closePledge(pl, 'BankMSP', 'FORECLOSED', T1), 'BankMSP', 'RELEASED', T1))).toBe('INVALID_STATE');
    });

    const base = { id: 'of1', lot, seller: 'BrandMSP', quantity: 10n, unitPrice: { amount: 250n, currency: 'CNY' }, outputId: 'of1.0', tx: T1 };

    it('offers with a payment date after today, cancels by the seller only', () => {
        const o = offer({ ...base, payment: { maturityDays: 30 } });
        expect(o).toMatchObject({ status: 'OPEN', remaining: 10n });
        expect(codeOf(() => offer({ ...base, payment: { maturityDate: '2024-01-02' } }))).toBe('INVALID_ARGUMENT');
        expect(codeOf(() => offer({ ...base, lot: freeze(lot, 'SupplierMSP', true, T1), payment: { maturityDays: 1 } }))).toBe('INVALID_STATE');
        expect(codeOf(() => cancelOffer(o, 'BankMSP', T1))).toBe('FORBIDDEN');
        const c = cancelOffer(o, 'BrandMSP', T1);
        expect(c).toMatchObject({ status: 'CANCELLED', outputId: null });
        expect(codeOf(() => cancelOffer(c, 'BrandMSP', T1))).toBe('INVALID_STATE');
    });

    it('prices a purchase, moves the remaining and computes the payment date', () => {
        const o: Offer = offer({ ...base, payment: { maturityDays: 30 } });
        const part = purchase(o, 'BankMSP', 4n, 'tx-p.0', T1);
        expect(part).toEqual({
            offer: { ...o, remaining: 6n, status: 'OPEN', outputId: 'tx-p.0', updatedAt: T1.timestamp },
            price: { amount: 1000n, currency: 'CNY' },
            maturityDate: '2024-02-01',
        });
        const all = purchase(part.offer, 'BankMSP', 6n, null, T1);
        expect(all.offer).toMatchObject({ status: 'FILLED', remaining: 0n, outputId: null });
        expect(codeOf(() => purchase(all.offer, 'BankMSP', 1n, null, T1))).toBe('INVALID_STATE');
        expect(codeOf(() => purchase(o, 'BrandMSP', 1n, null, T1))).toBe('INVALID_ARGUMENT');
        expect(codeOf(() => purchase(o, 'BankMSP', 11n, null, T1))).toBe('INSUFFICIENT_FUNDS');
        const dated = offer({ ...base, payment: { maturityDate: '2024-03-01' } });
        expect(purchase(dated, 'BankMSP', 1n, 'x', T1).maturityDate).toBe('2024-03-01');
        expect(codeOf(() => purchase(dated, 'BankMSP', 1n, 'x', { txId: 't', timestamp: '2024-03-01T00:00:00.000000000Z' }))).toBe('INVALID_STATE');
    });

    it('adds calendar days across months and leap years', () => {
        expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
        expect(addDays('2023-12-31', 1)).toBe('2024-01-01');
        expect(addDays('2024-01-01', 366)).toBe('2025-01-01');
    });
});

describe('input schemas', () => {
    it('parses amounts strictly and refuses repeated inputs or unknown fields', () => {
        expect(TransferInputSchema.safeParse({ lotId: 'l', quantity: '10abc', to: 'BankMSP' }).success).toBe(false);
        expect(TransferInputSchema.safeParse({ lotId: 'l', quantity: '0', to: 'BankMSP' }).success).toBe(false);
        expect(TransferInputSchema.safeParse({ lotId: 'l', quantity: '1', to: 'BankMSP', inputs: ['a', 'a'] }).success).toBe(false);
        expect(TransferInputSchema.safeParse({ lotId: 'l', quantity: '1', to: 'BankMSP', extra: 1 }).success).toBe(false);
        expect(OfferInputSchema.safeParse({ lotId: 'l', quantity: '1', unitPrice: { amount: '1', currency: 'CNY' }, payment: { maturityDays: 0 } }).success).toBe(false);
        expect(OfferInputSchema.parse({ lotId: 'l', quantity: '1', unitPrice: { amount: '1', currency: 'CNY' }, payment: { maturityDate: '2030-01-01' } }).payment).toEqual({
            maturityDate: '2030-01-01',
        });
    });
});
