import '../test-support/quiet-logs';
import fc from 'fast-check';
import { parseErrorCode } from '../domain/errors';
import { contracts } from '../index';
import { invalidates, TestChannel, TestLedger, TestStub, type TxResult } from '../test-support/context';
import { eventOf, expectJson, expectOk, expectRejected } from '../test-support/expectations';

const brand = { mspId: 'BrandMSP', name: 'Brand', roles: ['MANUFACTURER'] };
const supplier = { mspId: 'SupplierMSP', name: 'Supplier', roles: ['CUSTODIAN', 'SUPPLIER'] };
const bank = { mspId: 'BankMSP', name: 'Bank', roles: ['FINANCIER'] };
const retail = { mspId: 'RetailMSP', name: 'Retail', roles: ['RETAILER'] };
const regulator = { mspId: 'RegulatorMSP', name: 'Regulator', roles: ['REGULATOR'] };
const CONSORTIUM = [brand, supplier, bank, retail, regulator];

const json = (v: unknown): string => JSON.stringify(v);
const DEPOSIT = { batchLotId: 'LOT-2024-001', sku: 'WINE-750', unit: 'bottle', quantity: '100', unitValuation: { amount: '2500', currency: 'CNY' }, custodian: 'SupplierMSP' };

interface Lot {
    id: string;
    status: string;
    attested: string;
    minted: string;
    redeemed: string;
    frozen: boolean;
}
interface Out {
    id: string;
    owner: string;
    quantity: string;
    status: string;
    lock: { kind: string; id: string } | null;
}
interface Moved {
    consumed: string[];
    created: Out[];
}
interface Holding {
    available: string;
    locked: string;
    total: string;
}

class Scenario {
    readonly ledger = new TestLedger();
    readonly channel = new TestChannel(contracts, this.ledger);
    #req = 0;

    async init(): Promise<this> {
        expectOk(await this.channel.submit('BrandMSP', 'membership:Bootstrap', json(CONSORTIUM)));
        return this;
    }
    rid(): string {
        return `req-${++this.#req}`;
    }
    submit(mspId: string, tx: string, ...args: string[]): Promise<TxResult> {
        return this.channel.submit(mspId, `tokens:${tx}`, this.rid(), ...args);
    }
    evaluate(mspId: string, tx: string, ...args: string[]): Promise<TxResult> {
        return this.channel.evaluate(mspId, `tokens:${tx}`, ...args);
    }
    async lot(id: string): Promise<Lot> {
        return expectJson(await this.evaluate('RegulatorMSP', 'GetStockLot', id)) as Lot;
    }
    async balance(owner: string, lotId: string): Promise<Holding> {
        const { available, locked, total } = expectJson(await this.evaluate('RegulatorMSP', 'Balance', owner, lotId)) as Holding;
        return { available, locked, total };
    }
    /** Deposit 100, attest `attested`, mint `minted` to Brand. */
    async tokenized(attested = '90', minted = '80'): Promise<string> {
        const lot = expectJson(await this.submit('BrandMSP', 'Deposit', json(DEPOSIT))) as Lot;
        expectOk(await this.submit('SupplierMSP', 'Attest', lot.id, attested));
        if (minted !== '0') expectOk(await this.submit('BrandMSP', 'Mint', lot.id, minted));
        return lot.id;
    }
}

async function scenario(): Promise<Scenario> {
    return new Scenario().init();
}

/** A rejected submit: the code, and not one key changed. */
async function expectNoChange(s: Scenario, result: Promise<TxResult>, code: Parameters<typeof expectRejected>[1], message?: RegExp): Promise<void> {
    const before = await s.ledger.keys();
    const height = s.ledger.height;
    expectRejected(await result, code, message);
    expect(await s.ledger.keys()).toEqual(before);
    expect(s.ledger.height).toBe(height);
}

describe('Deposit, Attest, Mint', () => {
    it('deposits a lot with exact state, indexes and one event', async () => {
        const s = await scenario();
        const txId = s.channel.nextTxId();
        const result = await s.submit('BrandMSP', 'Deposit', json(DEPOSIT));
        const lot = expectJson(result);
        const ts = '2024-01-01T00:00:02.123456789Z';
        expect(lot).toEqual({
            id: txId,
            owner: 'BrandMSP',
            custodian: 'SupplierMSP',
            batchLotId: 'LOT-2024-001',
            sku: 'WINE-750',
            unit: 'bottle',
            quantity: '100',
            unitValuation: { amount: '2500', currency: 'CNY' },
            status: 'DEPOSITED',
            attested: '0',
            minted: '0',
            redeemed: '0',
            fulfilled: '0',
            frozen: false,
            impaired: null,
            createdAt: ts,
            updatedAt: ts,
        });
        expect(eventOf(result)).toEqual({
            name: 'tokens.Deposit',
            payload: { contract: 'tokens', transaction: 'Deposit', txId, timestamp: ts, caller: 'BrandMSP', requestId: 'req-1', changes: [{ type: 'StockLotDeposited', lot }] },
        });
        const k = (...parts: string[]): string => `\u0000${parts.join('\u0000')}\u0000`;
        expect([...result.writes.keys()].sort()).toEqual(
            [
                k('upoint.request', 'BrandMSP', 'req-1'),
                k('upoint.submitter', txId),
                k('upoint.tokens.lot', txId),
                k('upoint.tokens.lot.custodian', 'SupplierMSP', txId),
                k('upoint.tokens.lot.owner', 'BrandMSP', txId),
                k('upoint.tokens.lot.status', 'DEPOSITED', txId),
            ].sort(),
        );
        expect(Buffer.from(result.writes.get(k('upoint.tokens.lot', txId)) ?? []).toString()).toBe(result.payload);
        expect(await s.lot(txId)).toEqual(lot);
    });

    it('refuses a custodian without the CUSTODIAN role, an unknown one and malformed input', async () => {
        const s = await scenario();
        await expectNoChange(s, s.submit('BrandMSP', 'Deposit', json({ ...DEPOSIT, custodian: 'BankMSP' })), 'FORBIDDEN', /CUSTODIAN/);
        await expectNoChange(s, s.submit('BrandMSP', 'Deposit', json({ ...DEPOSIT, custodian: 'NobodyMSP' })), 'NOT_FOUND');
        await expectNoChange(s, s.submit('BrandMSP', 'Deposit', json({ ...DEPOSIT, quantity: '10abc' })), 'INVALID_ARGUMENT', /depositJson: quantity/);
        await expectNoChange(s, s.submit('BrandMSP', 'Deposit', '{'), 'INVALID_ARGUMENT');
    });

    it('attests by the custodian only (≤ deposited), then mints ≤ attested by the owner', async () => {
        const s = await scenario();
        const lot = expectJson(await s.submit('BrandMSP', 'Deposit', json(DEPOSIT))) as Lot;
        await expectNoChange(s, s.submit('BrandMSP', 'Mint', lot.id, '1'), 'INVALID_STATE', /not attested/);
        await expectNoChange(s, s.submit('BrandMSP', 'Attest', lot.id, '90'), 'FORBIDDEN');
        await expectNoChange(s, s.submit('SupplierMSP', 'Attest', lot.id, '101'), 'INVALID_ARGUMENT');
        const attested = await s.submit('SupplierMSP', 'Attest', lot.id, '90');
        expect(eventOf(attested).payload['changes']).toEqual([{ type: 'StockLotAttested', lotId: lot.id, attested: '90', status: 'ATTESTED' }]);
        await expectNoChange(s, s.submit('SupplierMSP', 'Attest', lot.id, '90'), 'INVALID_STATE');
        await expectNoChange(s, s.submit('BrandMSP', 'Mint', lot.id, '91'), 'INSUFFICIENT_FUNDS', /above the attested 90/);
        await expectNoChange(s, s.submit('SupplierMSP', 'Mint', lot.id, '1'), 'FORBIDDEN');
        await expectNoChange(s, s.submit('BrandMSP', 'Mint', lot.id, '-1'), 'INVALID_ARGUMENT');
        const txId = s.channel.nextTxId();
        const minted = await s.submit('BrandMSP', 'Mint', lot.id, '60');
        expect(expectJson(minted)).toMatchObject({ id: `${txId}.0`, owner: 'BrandMSP', quantity: '60', status: 'UNSPENT', lock: null });
        expect(eventOf(minted).payload['changes']).toMatchObject([{ type: 'TokensMinted', quantity: '60', minted: '60', status: 'TOKENIZED' }]);
        expectOk(await s.submit('BrandMSP', 'Mint', lot.id, '30'));
        await expectNoChange(s, s.submit('BrandMSP', 'Mint', lot.id, '1'), 'INSUFFICIENT_FUNDS');
        expect(await s.lot(lot.id)).toMatchObject({ status: 'TOKENIZED', attested: '90', minted: '90' });
        expect(await s.balance('BrandMSP', lot.id)).toEqual({ available: '90', locked: '0', total: '90' });
    });

    it('NOT_FOUND for an unknown lot, INVALID_ARGUMENT for a malformed id', async () => {
        const s = await scenario();
        await expectNoChange(s, s.submit('BrandMSP', 'Mint', 'tx9999', '1'), 'NOT_FOUND', /stock lot tx9999/);
        await expectNoChange(s, s.submit('BrandMSP', 'Mint', 'no such id', '1'), 'INVALID_ARGUMENT', /lotId/);
        expectRejected(await s.evaluate('BrandMSP', 'GetStockLot', 'tx9999'), 'NOT_FOUND');
    });
});

describe('Transfer', () => {
    it('consumes the sender outputs, pays the recipient and returns change, conserving the quantity', async () => {
        const s = await scenario();
        const lotId = await s.tokenized();
        const txId = s.channel.nextTxId();
        const result = await s.submit('BrandMSP', 'Transfer', json({ lotId, quantity: '30', to: 'RetailMSP' }));
        const moved = expectJson(result) as Moved;
        expect(moved.consumed).toEqual(['tx0004.0']);
        expect(moved.created.map((o) => [o.id, o.owner, o.quantity, o.lock])).toEqual([
            [`${txId}.0`, 'RetailMSP', '30', null],
            [`${txId}.1`, 'BrandMSP', '50', null],
        ]);
        expect(eventOf(result).payload['changes']).toEqual([{ type: 'TokensTransferred', lotId, from: 'BrandMSP', to: 'RetailMSP', quantity: '30', ...moved }]);
        expect(await s.balance('BrandMSP', lotId)).toEqual({ available: '50', locked: '0', total: '50' });
        expect(await s.balance('RetailMSP', lotId)).toEqual({ available: '30', locked: '0', total: '30' });
        const supply = expectJson(await s.evaluate('BankMSP', 'GetSupply', lotId));
        expect(supply).toMatchObject({ minted: '80', redeemed: '0', total: '80', attested: '90' });
    });

    it('never spends an output twice: the second spend of a named input is a CONFLICT', async () => {
        const s = await scenario();
        const lotId = await s.tokenized();
        expectOk(await s.submit('BrandMSP', 'Transfer', json({ lotId, quantity: '10', to: 'BankMSP', inputs: ['tx0004.0'] })));
        await expectNoChange(
            s,
            s.submit('BrandMSP', 'Transfer', json({ lotId, quantity: '10', to: 'BankMSP', inputs: ['tx0004.0'] })),
            'CONFLICT',
            /output tx0004.0 was already spent in transaction tx0005/,
        );
        await expectNoChange(s, s.submit('RetailMSP', 'Transfer', json({ lotId, quantity: '1', to: 'BankMSP', inputs: ['tx0005.1'] })), 'NOT_FOUND');
    });

    it('refuses overdrafts, self transfers, unknown and regulator recipients', async () => {
        const s = await scenario();
        const lotId = await s.tokenized();
        await expectNoChange(s, s.submit('BrandMSP', 'Transfer', json({ lotId, quantity: '81', to: 'BankMSP' })), 'INSUFFICIENT_FUNDS');
        await expectNoChange(s, s.submit('BankMSP', 'Transfer', json({ lotId, quantity: '1', to: 'BrandMSP' })), 'INSUFFICIENT_FUNDS');
        await expectNoChange(s, s.submit('BrandMSP', 'Transfer', json({ lotId, quantity: '1', to: 'BrandMSP' })), 'INVALID_ARGUMENT');
        await expectNoChange(s, s.submit('BrandMSP', 'Transfer', json({ lotId, quantity: '1', to: 'NobodyMSP' })), 'NOT_FOUND');
        await expectNoChange(s, s.submit('BrandMSP', 'Transfer', json({ lotId, quantity: '1', to: 'RegulatorMSP' })), 'FORBIDDEN');
    });

    it('FROZEN blocks every move until unfrozen; IMPAIRED blocks issuance but not transfers', async () => {
        const s = await scenario();
        const lotId = await s.tokenized('90', '40');
        await expectNoChange(s, s.submit('BrandMSP', 'Freeze', lotId), 'FORBIDDEN');
        expect(eventOf(await s.submit('SupplierMSP', 'Freeze', lotId)).payload['changes']).toEqual([{ type: 'StockLotFrozen', lotId, status: 'TOKENIZED' }]);
        await expectNoChange(s, s.submit('SupplierMSP', 'Freeze', lotId), 'INVALID_STATE');
        const t = json({ lotId, quantity: '1', to: 'BankMSP' });
        await expectNoChange(s, s.submit('BrandMSP', 'Transfer', t), 'INVALID_STATE', /FROZEN/);
        await expectNoChange(s, s.submit('BrandMSP', 'Mint', lotId, '1'), 'INVALID_STATE', /FROZEN/);
        await expectNoChange(s, s.submit('BrandMSP', 'Redeem', json({ lotId, quantity: '1' })), 'INVALID_STATE', /FROZEN/);
        expectOk(await s.submit('SupplierMSP', 'Unfreeze', lotId));
        expectOk(await s.submit('BrandMSP', 'Transfer', t));
        expectOk(await s.submit('SupplierMSP', 'Impair', lotId, 'flood damage'));
        await expectNoChange(s, s.submit('BrandMSP', 'Mint', lotId, '1'), 'INVALID_STATE', /IMPAIRED/);
        await expectNoChange(s, s.submit('BrandMSP', 'Pledge', json({ lotId, quantity: '1', financier: 'BankMSP' })), 'INVALID_STATE', /IMPAIRED/);
        expectOk(await s.submit('BrandMSP', 'Transfer', t));
        expect(await s.lot(lotId)).toMatchObject({ frozen: false, impaired: { reason: 'flood damage' } });
    });
});

/**
 * Two transactions simulated on the same committed snapshot (as concurrent clients' proposals are endorsed), then
 * checked as the committer would in block order: does the first one's write set invalidate the second's reads?
 */
async function concurrently(s: Scenario, ...txs: Array<[mspId: string, fcn: string, args: string[]]>): Promise<TestStub[]> {
    const stubs = txs.map(([mspId, fcn, args], i) => new TestStub({ ledger: s.ledger, mspId, fcn: `tokens:${fcn}`, args: [s.rid(), ...args], txId: `conc-${i}` }));
    for (const stub of stubs) expect((await s.channel.chaincode.Invoke(stub)).status).toBe(200);
    return stubs;
}
const conflict = (first: TestStub, second: TestStub): boolean => invalidates(first.writes.keys(), second.reads);

describe('concurrent spends from one holder of one lot', () => {
    /** Brand holds two outputs of one lot: tx0004.0 (40) and tx0005.0 (40). */
    async function twoOutputs(): Promise<[Scenario, string]> {
        const s = await scenario();
        const lotId = await s.tokenized('90', '40');
        expectOk(await s.submit('BrandMSP', 'Mint', lotId, '40'));
        return [s, lotId];
    }

    it('with disjoint named inputs read only those outputs by key and never invalidate each other', async () => {
        const [s, lotId] = await twoOutputs();
        const [a, b] = await concurrently(
            s,
            ['BrandMSP', 'Transfer', [json({ lotId, quantity: '10', to: 'RetailMSP', inputs: ['tx0004.0'] })]],
            ['BrandMSP', 'Transfer', [json({ lotId, quantity: '15', to: 'BankMSP', inputs: ['tx0005.0'] })]],
        ) as [TestStub, TestStub];
        expect(a.reads.ranges).toEqual([]);
        expect(b.reads.ranges).toEqual([]);
        expect(conflict(a, b)).toBe(false);
        expect(conflict(b, a)).toBe(false);
        // Both commit (as both would be VALID in one block) and the lot is conserved.
        await a.commit();
        await b.commit();
        expect(await s.balance('BrandMSP', lotId)).toEqual({ available: '55', locked: '0', total: '55' });
        expect(await s.balance('RetailMSP', lotId)).toEqual({ available: '10', locked: '0', total: '10' });
        expect(await s.balance('BankMSP', lotId)).toEqual({ available: '15', locked: '0', total: '15' });
        expect(expectJson(await s.evaluate('BankMSP', 'GetSupply', lotId))).toMatchObject({ minted: '80', total: '80' });
    });

    it('Redeem, Pledge and Offer with named inputs read no range either (Redeem still writes the lot)', async () => {
        const [s, lotId] = await twoOutputs();
        const stubs = await concurrently(
            s,
            ['BrandMSP', 'Redeem', [json({ lotId, quantity: '5', inputs: ['tx0004.0'] })]],
            ['BrandMSP', 'Pledge', [json({ lotId, quantity: '5', financier: 'BankMSP', inputs: ['tx0005.0'] })]],
            ['BrandMSP', 'Offer', [json({ lotId, quantity: '5', unitPrice: { amount: '100', currency: 'CNY' }, payment: { maturityDays: 30 }, inputs: ['tx0005.0'] })]],
        );
        for (const stub of stubs) expect(stub.reads.ranges).toEqual([]);
        const [redeem, pledge, offer] = stubs as [TestStub, TestStub, TestStub];
        // The same input named twice: the second to commit reads the key the first marked SPENT (MVCC).
        expect(conflict(pledge, offer)).toBe(true);
        // Redeem also writes the lot (its redeemed figure), which every spend of the lot reads: a redemption does
        // invalidate concurrent spends of its lot, on the lot key only, never through the outputs.
        const lotKey = redeem.createCompositeKey('upoint.tokens.lot', [lotId]);
        expect(conflict(redeem, pledge)).toBe(true);
        expect(invalidates([...redeem.writes.keys()].filter((k) => k !== lotKey), pledge.reads)).toBe(false);
        for (const stub of stubs) await stub.done();
    });

    it('the same named input in two concurrent spends conflicts on that output key (no double spend)', async () => {
        const [s, lotId] = await twoOutputs();
        const [a, b] = (await concurrently(
            s,
            ['BrandMSP', 'Transfer', [json({ lotId, quantity: '10', to: 'RetailMSP', inputs: ['tx0004.0'] })]],
            ['BrandMSP', 'Transfer', [json({ lotId, quantity: '10', to: 'BankMSP', inputs: ['tx0004.0'] })]],
        )) as [TestStub, TestStub];
        expect(conflict(a, b)).toBe(true);
        expect(conflict(b, a)).toBe(true);
        await a.done();
        await b.done();
    });

    it('without inputs the automatic selection scans the holder\'s outputs of the lot, so concurrent spends conflict', async () => {
        const [s, lotId] = await twoOutputs();
        const [a, b] = (await concurrently(
            s,
            ['BrandMSP', 'Transfer', [json({ lotId, quantity: '10', to: 'RetailMSP', inputs: ['tx0005.0'] })]],
            ['BrandMSP', 'Transfer', [json({ lotId, quantity: '10', to: 'BankMSP' })]],
        )) as [TestStub, TestStub];
        expect(b.reads.ranges).toHaveLength(1);
        // a's SPENT mark and change fall in b's range: b, committed after a, is a phantom/MVCC conflict.
        expect(conflict(a, b)).toBe(true);
        // b chose tx0004.0, which a (reading tx0005.0 by key only) never read: a stays valid if b commits first.
        expect(conflict(b, a)).toBe(false);
        await a.done();
        await b.done();
    });

    it('named inputs keep every rule: held by the caller in this lot, unspent, unlocked, enough', async () => {
        const [s, lotId] = await twoOutputs();
        const other = await s.tokenized('10', '10');
        await expectNoChange(s, s.submit('BrandMSP', 'Transfer', json({ lotId, quantity: '1', to: 'BankMSP', inputs: ['tx0004.0', 'nope.0'] })), 'NOT_FOUND', /nope\.0/);
        await expectNoChange(s, s.submit('BankMSP', 'Transfer', json({ lotId, quantity: '1', to: 'RetailMSP', inputs: ['tx0004.0'] })), 'NOT_FOUND');
        await expectNoChange(s, s.submit('BrandMSP', 'Transfer', json({ lotId: other, quantity: '1', to: 'BankMSP', inputs: ['tx0004.0'] })), 'NOT_FOUND');
        await expectNoChange(s, s.submit('BrandMSP', 'Transfer', json({ lotId, quantity: '81', to: 'BankMSP', inputs: ['tx0004.0', 'tx0005.0'] })), 'INSUFFICIENT_FUNDS');
        const t = expectJson(await s.submit('BrandMSP', 'Transfer', json({ lotId, quantity: '80', to: 'BankMSP', inputs: ['tx0005.0', 'tx0004.0'] }))) as Moved;
        expect(t.consumed).toEqual(['tx0005.0', 'tx0004.0']);
    });

    it('a stored output that disagrees with its key is INVALID_STATE, not spent', async () => {
        const [s, lotId] = await twoOutputs();
        const real = expectJson(await s.evaluate('BrandMSP', 'ListOutputs', 'BrandMSP', lotId, '10', '')) as { items: Out[] };
        const first = real.items[0] as Out & { lotId: string };
        // Copy tx0004.0's value under another id's key, as a bug or an older version might have.
        const forge = new TestStub({ ledger: s.ledger, mspId: 'BrandMSP', fcn: 'forge', txId: 'forge' });
        const value = JSON.parse(Buffer.from((await forge.getState(forge.createCompositeKey('upoint.tokens.output', ['BrandMSP', lotId, first.id])))).toString('utf8')) as Record<string, unknown>;
        await forge.putState(forge.createCompositeKey('upoint.tokens.output', ['BrandMSP', lotId, 'forged.0']), Buffer.from(JSON.stringify(value)));
        await forge.commit();
        await expectNoChange(s, s.submit('BrandMSP', 'Transfer', json({ lotId, quantity: '1', to: 'BankMSP', inputs: ['forged.0'] })), 'INVALID_STATE', /disagrees with its key/);
    });
});

describe('Redeem and FulfilRedemption', () => {
    it('burns tokens into a redemption the custodian fulfils; the lot goes PARTIALLY → FULLY_REDEEMED → CLOSED', async () => {
        const s = await scenario();
        const lotId = await s.tokenized('50', '50');
        expectOk(await s.submit('BrandMSP', 'Transfer', json({ lotId, quantity: '20', to: 'RetailMSP' })));
        const r1 = await s.submit('RetailMSP', 'Redeem', json({ lotId, quantity: '15' }));
        const redemption = expectJson(r1) as { id: string };
        expect(redemption).toMatchObject({ id: r1.txId, owner: 'RetailMSP', custodian: 'SupplierMSP', quantity: '15', status: 'REQUESTED' });
        expect(eventOf(r1).payload['changes']).toMatchObject([{ type: 'TokensRedeemed', status: 'PARTIALLY_REDEEMED', redeemed: '15' }]);
        expect(await s.balance('RetailMSP', lotId)).toEqual({ available: '5', locked: '0', total: '5' });
        expect(expectJson(await s.evaluate('BankMSP', 'GetSupply', lotId))).toMatchObject({ minted: '50', redeemed: '15', total: '35' });
        await expectNoChange(s, s.submit('BrandMSP', 'FulfilRedemption', redemption.id), 'FORBIDDEN');
        expectOk(await s.submit('SupplierMSP', 'FulfilRedemption', redemption.id));
        await expectNoChange(s, s.submit('SupplierMSP', 'FulfilRedemption', redemption.id), 'INVALID_STATE');
        const r2 = expectJson(await s.submit('RetailMSP', 'Redeem', json({ lotId, quantity: '5' }))) as { id: string };
        const r3 = expectJson(await s.submit('BrandMSP', 'Redeem', json({ lotId, quantity: '30' }))) as { id: string };
        expect((await s.lot(lotId)).status).toBe('FULLY_REDEEMED');
        expectOk(await s.submit('SupplierMSP', 'FulfilRedemption', r2.id));
        const last = await s.submit('SupplierMSP', 'FulfilRedemption', r3.id);
        expect(eventOf(last).payload['changes']).toMatchObject([{ type: 'RedemptionFulfilled', status: 'CLOSED' }]);
        expect(await s.lot(lotId)).toMatchObject({ status: 'CLOSED', redeemed: '50', minted: '50' });
        expect(expectJson(await s.evaluate('RegulatorMSP', 'GetRedemption', r3.id))).toMatchObject({ status: 'FULFILLED' });
        const closed = expectJson(await s.evaluate('BankMSP', 'ListStockLots', 'STATUS', 'CLOSED', '10', '')) as { items: Lot[] };
        expect(closed.items.map((l) => l.id)).toEqual([lotId]);
        expect(expectJson(await s.evaluate('BankMSP', 'ListStockLots', 'STATUS', 'TOKENIZED', '10', ''))).toEqual({ items: [], bookmark: '' });
    });

    it('refuses to redeem more than held', async () => {
        const s = await scenario();
        const lotId = await s.tokenized();
        await expectNoChange(s, s.submit('BankMSP', 'Redeem', json({ lotId, quantity: '1' })), 'INSUFFICIENT_FUNDS');
    });
});

describe('Pledge, Release, Foreclose', () => {
    it('locks pledged tokens: they cannot be spent; the financier releases them', async () => {
        const s = await scenario();
        const lotId = await s.tokenized();
        await expectNoChange(s, s.submit('BrandMSP', 'Pledge', json({ lotId, quantity: '10', financier: 'RetailMSP' })), 'FORBIDDEN', /FINANCIER/);
        const res = await s.submit('BrandMSP', 'Pledge', json({ lotId, quantity: '70', financier: 'BankMSP' }));
        const pledge = expectJson(res) as { id: string; outputId: string };
        expect(pledge).toMatchObject({ id: res.txId, owner: 'BrandMSP', financier: 'BankMSP', quantity: '70', status: 'ACTIVE', outputId: `${res.txId}.0` });
        expect(await s.balance('BrandMSP', lotId)).toEqual({ available: '10', locked: '70', total: '80' });
        await expectNoChange(s, s.submit('BrandMSP', 'Transfer', json({ lotId, quantity: '11', to: 'RetailMSP' })), 'INSUFFICIENT_FUNDS');
        await expectNoChange(s, s.submit('BrandMSP', 'Transfer', json({ lotId, quantity: '1', to: 'RetailMSP', inputs: [pledge.outputId] })), 'INVALID_STATE', /locked by pledge/);
        await expectNoChange(s, s.submit('BrandMSP', 'Redeem', json({ lotId, quantity: '1', inputs: [pledge.outputId] })), 'INVALID_STATE');
        await expectNoChange(s, s.submit('BrandMSP', 'Release', pledge.id), 'FORBIDDEN');
        const released = await s.submit('BankMSP', 'Release', pledge.id);
        expect(eventOf(released).payload['changes']).toMatchObject([{ type: 'PledgeReleased', to: 'BrandMSP', consumed: [pledge.outputId] }]);
        expect(await s.balance('BrandMSP', lotId)).toEqual({ available: '80', locked: '0', total: '80' });
        await expectNoChange(s, s.submit('BankMSP', 'Foreclose', pledge.id), 'INVALID_STATE', /RELEASED/);
        expect(expectJson(await s.evaluate('RegulatorMSP', 'GetPledge', pledge.id))).toMatchObject({ status: 'RELEASED' });
    });

    it('forecloses to the financier on default', async () => {
        const s = await scenario();
        const lotId = await s.tokenized();
        const pledge = expectJson(await s.submit('BrandMSP', 'Pledge', json({ lotId, quantity: '30', financier: 'BankMSP' }))) as { id: string };
        expectOk(await s.submit('BankMSP', 'Foreclose', pledge.id));
        expect(await s.balance('BankMSP', lotId)).toEqual({ available: '30', locked: '0', total: '30' });
        expect(await s.balance('BrandMSP', lotId)).toEqual({ available: '50', locked: '0', total: '50' });
        const hist = expectJson(await s.evaluate('RegulatorMSP', 'History', 'PLEDGE', pledge.id)) as Array<{ by: string | null; value: { status: string } }>;
        expect(hist.map((h) => h.value.status)).toEqual(['FORECLOSED', 'ACTIVE']);
        // audit: each history entry names the org that submitted it (newest first: the bank foreclosed, the owner pledged)
        expect(hist.map((h) => h.by)).toEqual(['BankMSP', 'BrandMSP']);
    });
});

describe('Offer and CancelOffer', () => {
    it('locks the offered tokens for the offer; the seller cancels and gets them back', async () => {
        const s = await scenario();
        const lotId = await s.tokenized();
        const spec = { lotId, quantity: '25', unitPrice: { amount: '3000', currency: 'CNY' }, payment: { maturityDays: 60 } };
        const res = await s.submit('BrandMSP', 'Offer', json(spec));
        const offer = expectJson(res) as { id: string; outputId: string };
        expect(offer).toMatchObject({ id: res.txId, seller: 'BrandMSP', quantity: '25', remaining: '25', status: 'OPEN', outputId: `${res.txId}.0` });
        expect(await s.balance('BrandMSP', lotId)).toEqual({ available: '55', locked: '25', total: '80' });
        await expectNoChange(s, s.submit('BrandMSP', 'Transfer', json({ lotId, quantity: '1', to: 'BankMSP', inputs: [offer.outputId] })), 'INVALID_STATE', /locked by offer/);
        await expectNoChange(s, s.submit('BrandMSP', 'Offer', json({ ...spec, payment: { maturityDate: '2023-12-31' } })), 'INVALID_ARGUMENT');
        await expectNoChange(s, s.submit('BankMSP', 'Purchase', offer.id, '26'), 'INSUFFICIENT_FUNDS');
        await expectNoChange(s, s.submit('BrandMSP', 'Purchase', offer.id, '1'), 'INVALID_ARGUMENT', /seller cannot buy/);
        const listed = expectJson(await s.evaluate('RegulatorMSP', 'ListOffers', '10', '')) as { items: Array<{ id: string }> };
        expect(listed.items.map((o) => o.id)).toEqual([offer.id]);
        await expectNoChange(s, s.submit('BankMSP', 'CancelOffer', offer.id), 'FORBIDDEN');
        expectOk(await s.submit('BrandMSP', 'CancelOffer', offer.id));
        expect(await s.balance('BrandMSP', lotId)).toEqual({ available: '80', locked: '0', total: '80' });
        expect(expectJson(await s.evaluate('BankMSP', 'GetOffer', offer.id))).toMatchObject({ status: 'CANCELLED', outputId: null });
        await expectNoChange(s, s.submit('BrandMSP', 'CancelOffer', offer.id), 'INVALID_STATE');
        await expectNoChange(s, s.submit('BankMSP', 'Purchase', offer.id, '1'), 'INVALID_STATE');
        const hist = expectJson(await s.evaluate('BankMSP', 'History', 'OFFER', offer.id)) as unknown[];
        expect(hist).toHaveLength(2);
    });
});

describe('Purchase: delivery-versus-payment', () => {
    it('moves the tokens to the buyer and issues the buyer receivable to the seller in the same transaction', async () => {
        const s = await scenario();
        const lotId = await s.tokenized();
        const offer = expectJson(
            await s.submit('BrandMSP', 'Offer', json({ lotId, quantity: '25', unitPrice: { amount: '3000', currency: 'CNY' }, payment: { maturityDays: 60 } })),
        ) as { id: string; outputId: string };
        const txId = s.channel.nextTxId();
        const result = await s.submit('RetailMSP', 'Purchase', offer.id, '10');
        const bought = expectJson(result) as { receivableId: string; offer: unknown; consumed: string[]; created: Out[]; maturityDate: string };
        // 2024-01-01 + 60 days
        expect(bought).toMatchObject({
            offer: { id: offer.id, remaining: '15', status: 'OPEN', outputId: `${txId}.0` },
            price: { amount: '30000', currency: 'CNY' },
            maturityDate: '2024-03-01',
            consumed: [offer.outputId],
        });
        expect(bought.created.map((o) => [o.id, o.owner, o.quantity, o.lock])).toEqual([
            [`${txId}.0`, 'BrandMSP', '15', { kind: 'OFFER', id: offer.id }],
            [`${txId}.1`, 'RetailMSP', '10', null],
        ]);
        const receivable = expectJson(await s.channel.evaluate('RegulatorMSP', 'receivables:Get', bought.receivableId));
        expect(receivable).toMatchObject({ id: bought.receivableId, issuer: 'RetailMSP', holder: 'BrandMSP', amount: '30000', currency: 'CNY', maturityDate: '2024-03-01' });
        const event = eventOf(result);
        expect(event.name).toBe('tokens.Purchase');
        expect((event.payload['changes'] as Array<{ type: string }>).map((c) => c.type)).toEqual(['OfferPurchased', 'ReceivableIssued']);
        expect(await s.balance('RetailMSP', lotId)).toEqual({ available: '10', locked: '0', total: '10' });
        expect(await s.balance('BrandMSP', lotId)).toEqual({ available: '55', locked: '15', total: '70' });

        // buying the rest fills the offer; nothing stays locked
        const rest = expectJson(await s.submit('BankMSP', 'Purchase', offer.id, '15')) as { offer: unknown; created: Out[] };
        expect(rest.offer).toMatchObject({ remaining: '0', status: 'FILLED', outputId: null });
        expect(rest.created.map((o) => [o.owner, o.quantity])).toEqual([['BankMSP', '15']]);
        expect(await s.balance('BrandMSP', lotId)).toEqual({ available: '55', locked: '0', total: '55' });
        await expectNoChange(s, s.submit('BankMSP', 'Purchase', offer.id, '1'), 'INVALID_STATE', /FILLED/);
        await expectNoChange(s, s.submit('BrandMSP', 'CancelOffer', offer.id), 'INVALID_STATE');
        expect(expectJson(await s.evaluate('BankMSP', 'GetSupply', lotId))).toMatchObject({ minted: '80', total: '80' });
    });

    it('a purchase that cannot be paid changes nothing: no tokens move and no receivable is issued', async () => {
        const s = await scenario();
        const lotId = await s.tokenized();
        const offer = expectJson(
            await s.submit('BrandMSP', 'Offer', json({ lotId, quantity: '5', unitPrice: { amount: '1', currency: 'CNY' }, payment: { maturityDays: 1 } })),
        ) as { id: string };
        await expectNoChange(s, s.submit('RetailMSP', 'Purchase', offer.id, '6'), 'INSUFFICIENT_FUNDS');
        await expectNoChange(s, s.submit('RetailMSP', 'Purchase', offer.id, '0'), 'INVALID_ARGUMENT');
        await expectNoChange(s, s.submit('RegulatorMSP', 'Purchase', offer.id, '1'), 'FORBIDDEN');
        expect(await s.balance('RetailMSP', lotId)).toEqual({ available: '0', locked: '0', total: '0' });
    });
});

describe('side states against locks', () => {
    it('FROZEN blocks foreclosure and purchases but lets the financier release and the seller cancel; IMPAIRED blocks new offers', async () => {
        const s = await scenario();
        const lotId = await s.tokenized();
        const pledge = expectJson(await s.submit('BrandMSP', 'Pledge', json({ lotId, quantity: '10', financier: 'BankMSP' }))) as { id: string };
        const offer = expectJson(
            await s.submit('BrandMSP', 'Offer', json({ lotId, quantity: '10', unitPrice: { amount: '1', currency: 'CNY' }, payment: { maturityDate: '2030-01-01' } })),
        ) as { id: string };
        expectOk(await s.submit('SupplierMSP', 'Freeze', lotId));
        await expectNoChange(s, s.submit('BankMSP', 'Foreclose', pledge.id), 'INVALID_STATE', /FROZEN/);
        await expectNoChange(s, s.submit('BankMSP', 'Purchase', offer.id, '1'), 'INVALID_STATE', /FROZEN/);
        await expectNoChange(s, s.submit('BrandMSP', 'Offer', json({ lotId, quantity: '1', unitPrice: { amount: '1', currency: 'CNY' }, payment: { maturityDays: 1 } })), 'INVALID_STATE');
        expectOk(await s.submit('BankMSP', 'Release', pledge.id));
        expectOk(await s.submit('BrandMSP', 'CancelOffer', offer.id));
        expectOk(await s.submit('SupplierMSP', 'Unfreeze', lotId));
        expectOk(await s.submit('SupplierMSP', 'Impair', lotId, 'spoiled'));
        await expectNoChange(s, s.submit('SupplierMSP', 'Impair', lotId, 'again'), 'INVALID_STATE');
        await expectNoChange(s, s.submit('BrandMSP', 'Offer', json({ lotId, quantity: '1', unitPrice: { amount: '1', currency: 'CNY' }, payment: { maturityDays: 1 } })), 'INVALID_STATE', /IMPAIRED/);
        expect(await s.balance('BrandMSP', lotId)).toEqual({ available: '80', locked: '0', total: '80' });
    });
});

describe('reads', () => {
    it('pages outputs and lots with bookmarks; validates paging arguments', async () => {
        const s = await scenario();
        const lotId = await s.tokenized();
        for (let i = 0; i < 3; i++) expectOk(await s.submit('BrandMSP', 'Transfer', json({ lotId, quantity: '1', to: 'BankMSP' })));
        const first = expectJson(await s.evaluate('BankMSP', 'ListOutputs', 'BankMSP', lotId, '2', '')) as { items: Out[]; bookmark: string };
        expect(first.items).toHaveLength(2);
        expect(first.bookmark).not.toBe('');
        const second = expectJson(await s.evaluate('BankMSP', 'ListOutputs', 'BankMSP', lotId, '2', first.bookmark)) as { items: Out[]; bookmark: string };
        expect(second.items).toHaveLength(1);
        const all = expectJson(await s.evaluate('BankMSP', 'ListOutputs', 'BrandMSP', '', '100', '')) as { items: Out[] };
        expect(all.items.filter((o) => o.status === 'UNSPENT').map((o) => o.quantity)).toEqual(['77']);
        const lots = expectJson(await s.evaluate('BankMSP', 'ListStockLots', 'OWNER', 'BrandMSP', '10', '')) as { items: Lot[] };
        expect(lots.items.map((l) => l.id)).toEqual([lotId]);
        const custodied = expectJson(await s.evaluate('BankMSP', 'ListStockLots', 'CUSTODIAN', 'SupplierMSP', '10', '')) as { items: Lot[] };
        expect(custodied.items.map((l) => l.id)).toEqual([lotId]);
        expectRejected(await s.evaluate('BankMSP', 'ListOutputs', 'BankMSP', lotId, '0', ''), 'INVALID_ARGUMENT', /pageSize/);
        expectRejected(await s.evaluate('BankMSP', 'ListOutputs', 'BankMSP', lotId, '201', ''), 'INVALID_ARGUMENT', /pageSize/);
        expectRejected(await s.evaluate('BankMSP', 'ListStockLots', 'COLOR', 'x', '1', ''), 'INVALID_ARGUMENT', /by/);
        expectRejected(await s.evaluate('BankMSP', 'History', 'OUTPUT', lotId), 'INVALID_ARGUMENT', /kind/);
        const lotHistory = expectJson(await s.evaluate('BankMSP', 'History', 'LOT', lotId)) as Array<{ txId: string; isDelete: boolean }>;
        expect(lotHistory.map((h) => h.txId)).toEqual(['tx0004', 'tx0003', 'tx0002']);
        expect(expectJson(await s.evaluate('BankMSP', 'History', 'REDEMPTION', 'tx0001'))).toEqual([]);
        expectRejected(await s.evaluate('StrangerMSP', 'GetStockLot', lotId), 'FORBIDDEN');
    });
});

describe('exactly once, regulator, non-members', () => {
    it('a repeated request id is DUPLICATE_REQUEST naming the first transaction; nothing moves twice', async () => {
        const s = await scenario();
        const lotId = await s.tokenized();
        const t = json({ lotId, quantity: '5', to: 'BankMSP' });
        const first = await s.channel.submit('BrandMSP', 'tokens:Transfer', 'pay-1', t);
        expectOk(first);
        await expectNoChange(s, s.channel.submit('BrandMSP', 'tokens:Transfer', 'pay-1', t), 'DUPLICATE_REQUEST', new RegExp(`in transaction ${first.txId}$`));
        expect(await s.balance('BankMSP', lotId)).toEqual({ available: '5', locked: '0', total: '5' });
    });

    it('the regulator and non-members change nothing', async () => {
        const s = await scenario();
        const lotId = await s.tokenized();
        for (const who of ['RegulatorMSP', 'StrangerMSP']) {
            await expectNoChange(s, s.submit(who, 'Deposit', json(DEPOSIT)), 'FORBIDDEN');
            await expectNoChange(s, s.submit(who, 'Transfer', json({ lotId, quantity: '1', to: 'BankMSP' })), 'FORBIDDEN');
        }
        await expectNoChange(s, s.channel.submit('BrandMSP', 'tokens:NoSuchThing', 'x'), 'INVALID_ARGUMENT');
    });
});

// ------------------------------------------------------------------------------------------------
// Property: random operation sequences by random orgs.

const ORGS = ['BrandMSP', 'SupplierMSP', 'BankMSP', 'RetailMSP', 'RegulatorMSP', 'StrangerMSP'] as const;
const MEMBERS_THAT_WRITE = new Set(['BrandMSP', 'SupplierMSP', 'BankMSP', 'RetailMSP']);

type Op =
    | { kind: 'deposit' | 'attest' | 'mint' | 'freeze' | 'unfreeze'; org: number; natural: boolean; lot: number; q: number }
    | { kind: 'transfer' | 'redeem' | 'pledge' | 'offer'; org: number; natural: boolean; lot: number; q: number; to: number }
    | { kind: 'release' | 'foreclose' | 'cancel' | 'purchase' | 'fulfil'; org: number; natural: boolean; ref: number; q: number }
    | { kind: 'repeat'; org: number; natural: boolean; ref: number };

/** Mostly the org the operation is meant for (so sequences get far), sometimes anyone. */
const natural = fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant('deposit'), org: fc.nat(5), natural, lot: fc.nat(3), q: fc.integer({ min: 100, max: 120 }) }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constantFrom('attest', 'mint'), org: fc.nat(5), natural, lot: fc.nat(3), q: fc.integer({ min: 21, max: 120 }) }), weight: 4 },
    { arbitrary: fc.record({ kind: fc.constantFrom('freeze', 'unfreeze'), org: fc.nat(5), natural, lot: fc.nat(3), q: fc.constant(1) }), weight: 1 },
    {
        arbitrary: fc.record({ kind: fc.constantFrom('transfer', 'redeem', 'pledge', 'offer'), org: fc.nat(5), natural, lot: fc.nat(3), q: fc.integer({ min: 1, max: 30 }), to: fc.nat(5) }),
        weight: 6,
    },
    { arbitrary: fc.record({ kind: fc.constantFrom('release', 'foreclose', 'cancel', 'fulfil'), org: fc.nat(5), natural, ref: fc.nat(5), q: fc.integer({ min: 1, max: 20 }) }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant('purchase'), org: fc.nat(5), natural, ref: fc.nat(5), q: fc.integer({ min: 1, max: 10 }) }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant('repeat'), org: fc.nat(5), natural, ref: fc.nat(20) }), weight: 1 },
);

const pick = <T>(xs: readonly T[], i: number): T | undefined => (xs.length === 0 ? undefined : xs[i % xs.length]);

interface World {
    lots: string[];
    pledges: string[];
    offers: string[];
    redemptions: string[];
    used: Array<{ org: string; requestId: string; txId: string; fcn: string; args: string[] }>;
    consumed: Set<string>;
    /** outputs created with a lock → the lock */
    locks: Map<string, string>;
    /** lot → orgs that ever received its tokens (the depositor first) */
    holders: Map<string, string[]>;
    /** pledge/offer → the org meant to act on it (financier, seller) */
    actor: Map<string, string>;
}

function callOf(op: Op, w: World): { org: string; fcn: string; args: string[] } {
    const anyone = ORGS[op.org % ORGS.length] ?? 'BrandMSP';
    const lot = 'lot' in op ? (pick(w.lots, op.lot) ?? 'tx9999') : 'tx9999';
    const ref = 'ref' in op ? op.ref : 0;
    const holder = pick(w.holders.get(lot) ?? [], op.org) ?? 'BrandMSP';
    const who = (meant: string): string => (op.natural ? meant : anyone);
    const others = ['BrandMSP', 'SupplierMSP', 'BankMSP', 'RetailMSP'].filter((o) => o !== holder);
    const to = 'to' in op ? ((op.natural ? others[op.to % others.length] : ORGS[op.to % ORGS.length]) ?? 'BankMSP') : 'BankMSP';
    const q = 'q' in op ? String(op.q) : '1';
    switch (op.kind) {
        case 'deposit':
            return { org: who(op.org % 2 === 0 ? 'BrandMSP' : 'RetailMSP'), fcn: 'Deposit', args: [json({ ...DEPOSIT, quantity: String(op.q) })] };
        case 'attest':
            return { org: who('SupplierMSP'), fcn: 'Attest', args: [lot, String(op.q - 20)] }; // ≤ 100 ≤ deposited
        case 'mint':
            return { org: who(w.holders.get(lot)?.[0] ?? 'BrandMSP'), fcn: 'Mint', args: [lot, String(Math.ceil(op.q / 3))] };
        case 'freeze':
            return { org: who('SupplierMSP'), fcn: 'Freeze', args: [lot] };
        case 'unfreeze':
            return { org: who('SupplierMSP'), fcn: 'Unfreeze', args: [lot] };
        case 'transfer':
            return { org: who(holder), fcn: 'Transfer', args: [json({ lotId: lot, quantity: q, to })] };
        case 'redeem':
            return { org: who(holder), fcn: 'Redeem', args: [json({ lotId: lot, quantity: q })] };
        case 'pledge':
            return { org: who(holder), fcn: 'Pledge', args: [json({ lotId: lot, quantity: q, financier: op.natural ? 'BankMSP' : to })] };
        case 'offer':
            return { org: who(holder), fcn: 'Offer', args: [json({ lotId: lot, quantity: q, unitPrice: { amount: '100', currency: 'CNY' }, payment: { maturityDays: 30 } })] };
        case 'release':
        case 'foreclose': {
            const id = pick(w.pledges, ref) ?? 'tx9999';
            return { org: who(w.actor.get(id) ?? 'BankMSP'), fcn: op.kind === 'release' ? 'Release' : 'Foreclose', args: [id] };
        }
        case 'cancel': {
            const id = pick(w.offers, ref) ?? 'tx9999';
            return { org: who(w.actor.get(id) ?? 'BrandMSP'), fcn: 'CancelOffer', args: [id] };
        }
        case 'purchase': {
            const id = (op.natural ? w.offers.at(-1) : pick(w.offers, ref)) ?? 'tx9999';
            return { org: who(w.actor.get(id) === 'BankMSP' ? 'RetailMSP' : 'BankMSP'), fcn: 'Purchase', args: [id, q] };
        }
        case 'fulfil':
            return { org: who('SupplierMSP'), fcn: 'FulfilRedemption', args: [pick(w.redemptions, ref) ?? 'tx9999'] };
        case 'repeat':
            return { org: anyone, fcn: 'Deposit', args: [json(DEPOSIT)] };
    }
}

const UNLOCKING = new Set(['Release', 'Foreclose', 'CancelOffer', 'Purchase']);

describe('properties over random operation sequences', () => {
    it('conservation, no double spend, locks hold, exactly once, regulator/non-members inert, deterministic', async () => {
        const succeeded = new Set<string>();
        await fc.assert(
            fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 40 }), async (random) => {
                // every sequence starts from one tokenized lot, so moves have something to move
                const ops: Op[] = [
                    { kind: 'deposit', org: 0, natural: true, lot: 0, q: 120 },
                    { kind: 'attest', org: 0, natural: true, lot: 0, q: 120 },
                    { kind: 'mint', org: 0, natural: true, lot: 0, q: 120 },
                    ...random,
                ];
                const a = await scenario();
                const b = await scenario();
                const w: World = { lots: [], pledges: [], offers: [], redemptions: [], used: [], consumed: new Set(), locks: new Map(), holders: new Map(), actor: new Map() };
                let seq = 0;
                for (const op of ops) {
                    let call = callOf(op, w);
                    let requestId = `p-${++seq}`;
                    let duplicateOf: string | undefined;
                    if (op.kind === 'repeat') {
                        const prev = pick(w.used, op.ref);
                        if (prev === undefined) continue;
                        call = { org: prev.org, fcn: prev.fcn, args: prev.args };
                        requestId = prev.requestId;
                        duplicateOf = prev.txId;
                    }
                    const keysBefore = await a.ledger.keys();
                    const ra = await a.channel.submit(call.org, `tokens:${call.fcn}`, requestId, ...call.args);
                    const rb = await b.channel.submit(call.org, `tokens:${call.fcn}`, requestId, ...call.args);
                    // determinism: same inputs and tx timestamp → byte-identical writes, event and answer
                    expect(rb.status).toBe(ra.status);
                    expect(rb.message).toBe(ra.message);
                    expect(rb.payload).toBe(ra.payload);
                    expect([...rb.writes].map(([k, v]) => [k, v === undefined ? null : Buffer.from(v).toString('hex')])).toEqual(
                        [...ra.writes].map(([k, v]) => [k, v === undefined ? null : Buffer.from(v).toString('hex')]),
                    );
                    expect(rb.event?.name).toBe(ra.event?.name);
                    expect(Buffer.from(rb.event?.payload ?? []).equals(Buffer.from(ra.event?.payload ?? []))).toBe(true);

                    if (duplicateOf !== undefined) {
                        expectRejected(ra, 'DUPLICATE_REQUEST', new RegExp(`in transaction ${duplicateOf}$`));
                    }
                    if (!MEMBERS_THAT_WRITE.has(call.org)) expectRejected(ra, 'FORBIDDEN');
                    if (ra.status !== 200) {
                        expect(parseErrorCode(ra.message)).toBeDefined();
                        expect(ra.committed).toBe(false);
                        expect(await a.ledger.keys()).toEqual(keysBefore);
                        continue;
                    }
                    succeeded.add(call.fcn);
                    w.used.push({ org: call.org, requestId, txId: ra.txId, fcn: call.fcn, args: call.args });
                    if (call.fcn === 'Deposit') {
                        w.lots.push(ra.txId);
                        w.holders.set(ra.txId, [call.org]);
                    }
                    if (call.fcn === 'Pledge') {
                        w.pledges.push(ra.txId);
                        w.actor.set(ra.txId, (JSON.parse(call.args[0] ?? '{}') as { financier: string }).financier);
                    }
                    if (call.fcn === 'Offer') {
                        w.offers.push(ra.txId);
                        w.actor.set(ra.txId, call.org);
                    }
                    if (call.fcn === 'Redeem') w.redemptions.push(ra.txId);
                    const changes = eventOf(ra).payload['changes'] as Array<{ type: string; consumed?: string[]; created?: Out[] }>;
                    if (call.fcn === 'Purchase') {
                        // delivery-versus-payment: the tokens moved and the buyer's receivable to the seller, in one event
                        const [sold, paid] = changes as unknown as [
                            { type: string; buyer: string; price: { amount: string }; offer: { seller: string } },
                            { type: string; receivable: { issuer: string; holder: string; amount: string } },
                        ];
                        expect([sold.type, paid.type]).toEqual(['OfferPurchased', 'ReceivableIssued']);
                        expect(paid.receivable).toMatchObject({ issuer: sold.buyer, holder: sold.offer.seller, amount: sold.price.amount });
                    }
                    for (const change of changes) {
                        for (const id of change.consumed ?? []) {
                            // no double spend
                            expect(w.consumed.has(id)).toBe(false);
                            w.consumed.add(id);
                            // a locked output moves only through its lock's own operation
                            if (w.locks.has(id)) expect(UNLOCKING.has(call.fcn)).toBe(true);
                        }
                        for (const o of change.created ?? []) {
                            if (o.lock !== null) w.locks.set(o.id, `${o.lock.kind}:${o.lock.id}`);
                            const lotHolders = w.holders.get((o as Out & { lotId: string }).lotId);
                            if (lotHolders !== undefined && !lotHolders.includes(o.owner)) lotHolders.push(o.owner);
                        }
                    }
                }
                // conservation per lot: Σ balances (by owner) = unspent; unspent + redeemed = minted ≤ attested
                for (const lotId of w.lots) {
                    const lot = await a.lot(lotId);
                    const supply = expectJson(await a.evaluate('BankMSP', 'GetSupply', lotId)) as { total: string; redeemed: string; minted: string; attested: string };
                    let byOwner = 0n;
                    for (const org of ORGS) byOwner += BigInt((await a.balance(org, lotId)).total);
                    expect(byOwner).toBe(BigInt(supply.total));
                    expect(BigInt(supply.total) + BigInt(lot.redeemed)).toBe(BigInt(lot.minted));
                    expect(BigInt(lot.minted)).toBeLessThanOrEqual(BigInt(lot.attested));
                }
            }),
            { numRuns: 60 },
        );
        // the random sequences really moved tokens, not only collected rejections
        for (const tx of ['Deposit', 'Attest', 'Mint', 'Transfer', 'Redeem', 'Pledge', 'Offer', 'Purchase']) expect([tx, succeeded.has(tx)]).toEqual([tx, true]);
    }, 120_000);
});
