import fc from 'fast-check';
import { ChaincodeError } from './errors';
import type { Member } from './membership';
import {
    accept,
    confirmSettlement,
    creditRecord,
    declineFinancing,
    finance,
    issue,
    type IssueInput,
    leafTotal,
    markOverdue,
    type Receivable,
    ReceivableSchema,
    reject,
    requestFinancing,
    settle,
    type SettlementEntry,
    Sha256Schema,
    splitTransfer,
    SplitPartsSchema,
    type TreeNode,
    type TxStamp,
} from './receivables';

const MEMBERS: Record<string, Member> = {
    BrandMSP: { mspId: 'BrandMSP', name: 'Brand', roles: ['MANUFACTURER'] },
    SupplierMSP: { mspId: 'SupplierMSP', name: 'Supplier', roles: ['SUPPLIER'] },
    BankMSP: { mspId: 'BankMSP', name: 'Bank', roles: ['FINANCIER'] },
    RetailMSP: { mspId: 'RetailMSP', name: 'Retail', roles: ['RETAILER'] },
    RegulatorMSP: { mspId: 'RegulatorMSP', name: 'Regulator', roles: ['REGULATOR'] },
};
const lookup = (mspId: string): Member | undefined => MEMBERS[mspId];
const H = 'a'.repeat(64);

function tx(by: string, date = '2024-01-01', txId = 'tx1'): TxStamp {
    return { txId, timestamp: `${date}T08:00:00.000000000Z`, by };
}

function codeOf(fn: () => unknown): string | undefined {
    try {
        fn();
    } catch (e) {
        if (e instanceof ChaincodeError) return e.code;
        throw e;
    }
    return undefined;
}

const base: IssueInput = {
    id: 'r1',
    issuer: 'BrandMSP',
    holder: 'SupplierMSP',
    holderMember: MEMBERS.SupplierMSP,
    amount: 100n,
    currency: 'CNY',
    maturityDate: '2024-03-31',
    invoiceHash: H,
    contractHash: H,
    reference: null,
    accepted: false,
    tx: tx('BrandMSP'),
};

const activeRoot = (): Receivable => accept(issue(base), tx('SupplierMSP'));

describe('issue / accept / reject', () => {
    it('creates a PENDING root (ACTIVE when accepted) that the schema accepts', () => {
        const r = issue(base);
        expect(r).toMatchObject({ id: 'r1', rootId: 'r1', parentId: null, status: 'PENDING', children: [] });
        expect(ReceivableSchema.parse(JSON.parse(JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))))).toEqual(r);
        expect(issue({ ...base, accepted: true }).status).toBe('ACTIVE');
    });

    it.each([
        ['self as holder', { holder: 'BrandMSP', holderMember: MEMBERS.BrandMSP }],
        ['a non-member', { holder: 'X', holderMember: undefined }],
        ['a regulator', { holder: 'RegulatorMSP', holderMember: MEMBERS.RegulatorMSP }],
        ['a zero amount', { amount: 0n }],
        ['maturity on the tx date', { maturityDate: '2024-01-01' }],
    ])('refuses %s', (_what, change) => {
        expect(codeOf(() => issue({ ...base, ...change }))).toBe('INVALID_ARGUMENT');
    });

    it('accept/reject: holder only, PENDING only, accept not after maturity', () => {
        const r = issue(base);
        expect(codeOf(() => accept(r, tx('BankMSP')))).toBe('FORBIDDEN');
        expect(codeOf(() => accept(r, tx('SupplierMSP', '2024-04-01')))).toBe('INVALID_STATE');
        expect(reject(r, tx('SupplierMSP', '2024-04-01')).status).toBe('REJECTED');
        expect(codeOf(() => reject(activeRoot(), tx('SupplierMSP')))).toBe('INVALID_STATE');
    });

    it('normalizes hashes to lower case', () => {
        expect(Sha256Schema.parse('AB'.repeat(32))).toBe('ab'.repeat(32));
    });
});

describe('splitTransfer', () => {
    const parts = (...p: Array<[string, bigint]>): Array<{ holder: string; amount: bigint }> => p.map(([holder, amount]) => ({ holder, amount }));
    const ids = (i: number): string => `tx2.${i}`;

    it('children inherit and sum to the parent, which becomes SPLIT', () => {
        const { parent, children } = splitTransfer(activeRoot(), parts(['SupplierMSP', 60n], ['RetailMSP', 40n]), lookup, ids, tx('SupplierMSP', '2024-03-31', 'tx2'));
        expect(parent).toMatchObject({ status: 'SPLIT', children: ['tx2.1', 'tx2.2'] });
        expect(children.map((c) => [c.id, c.holder, c.amount, c.rootId, c.parentId, c.issuer, c.maturityDate, c.invoiceHash, c.status])).toEqual([
            ['tx2.1', 'SupplierMSP', 60n, 'r1', 'r1', 'BrandMSP', '2024-03-31', H, 'ACTIVE'],
            ['tx2.2', 'RetailMSP', 40n, 'r1', 'r1', 'BrandMSP', '2024-03-31', H, 'ACTIVE'],
        ]);
    });

    it.each([
        ['not the holder', 'BankMSP', parts(['RetailMSP', 100n]), '2024-01-02', 'FORBIDDEN'],
        ['after maturity', 'SupplierMSP', parts(['RetailMSP', 100n]), '2024-04-01', 'INVALID_STATE'],
        ['no parts', 'SupplierMSP', parts(), '2024-01-02', 'INVALID_ARGUMENT'],
        ['a zero part', 'SupplierMSP', parts(['RetailMSP', 100n], ['BankMSP', 0n]), '2024-01-02', 'INVALID_ARGUMENT'],
        ['a short sum', 'SupplierMSP', parts(['RetailMSP', 99n]), '2024-01-02', 'INVALID_ARGUMENT'],
        ['the issuer', 'SupplierMSP', parts(['BrandMSP', 100n]), '2024-01-02', 'INVALID_ARGUMENT'],
        ['a regulator', 'SupplierMSP', parts(['RegulatorMSP', 100n]), '2024-01-02', 'INVALID_ARGUMENT'],
    ] as const)('refuses %s', (_what, by, p, date, code) => {
        expect(codeOf(() => splitTransfer(activeRoot(), p, lookup, ids, tx(by, date)))).toBe(code);
    });

    it('refuses a node under financing', () => {
        const r = requestFinancing(activeRoot(), 'BankMSP', MEMBERS.BankMSP, tx('SupplierMSP'));
        expect(codeOf(() => splitTransfer(r, parts(['RetailMSP', 100n]), lookup, ids, tx('SupplierMSP')))).toBe('INVALID_STATE');
    });

    it('parses parts: strings only, > 0, 1..50', () => {
        expect(SplitPartsSchema.safeParse([{ holder: 'A', amount: '1' }]).success).toBe(true);
        for (const bad of [[], [{ holder: 'A', amount: '0' }], [{ holder: 'A', amount: 1 }], [{ holder: 'A', amount: '01' }], Array(51).fill({ holder: 'A', amount: '1' })]) {
            expect(SplitPartsSchema.safeParse(bad).success).toBe(false);
        }
    });

    it('conserves the root amount over any random split tree (live leaves + settled = root)', () => {
        fc.assert(
            fc.property(fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.array(fc.tuple(fc.nat(), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }), fc.boolean()), { maxLength: 15 }), (amount, steps) => {
                const nodes = new Map<string, Receivable>([['r1', accept(issue({ ...base, amount }), tx('SupplierMSP'))]]);
                let n = 0;
                for (const [pick, shares, pay] of steps) {
                    const live = [...nodes.values()].filter((r) => r.status === 'ACTIVE');
                    const node = live[pick % Math.max(1, live.length)];
                    if (node === undefined) break;
                    if (pay) {
                        nodes.set(node.id, settle(node, tx('BrandMSP')).receivable);
                        continue;
                    }
                    const total = BigInt(shares.reduce((a, b) => a + b, 0));
                    const amounts = shares.map((s) => (node.amount * BigInt(s)) / total);
                    amounts[0] = (amounts[0] ?? 0n) + node.amount - amounts.reduce((a, b) => a + b, 0n);
                    if (amounts.some((a) => a <= 0n)) continue;
                    n += 1;
                    const { parent, children } = splitTransfer(node, amounts.map((a) => ({ holder: 'RetailMSP', amount: a })), lookup, (i) => `s${n}.${i}`, tx(node.holder, '2024-01-02', `s${n}`));
                    nodes.set(parent.id, parent);
                    for (const c of children) nodes.set(c.id, c);
                }
                const toTree = (r: Receivable): TreeNode => ({
                    id: r.id,
                    holder: r.holder,
                    amount: r.amount,
                    status: r.status,
                    children: r.children.map((id) => toTree(nodes.get(id) as Receivable)),
                });
                expect(leafTotal(toTree(nodes.get('r1') as Receivable))).toBe(amount);
                const leaves = [...nodes.values()].filter((r) => r.status !== 'SPLIT');
                expect(leaves.reduce((s, r) => s + r.amount, 0n)).toBe(amount);
            }),
        );
    });
});

describe('financing', () => {
    it('request → finance moves the holder to the financier at a discount; decline restores ACTIVE', () => {
        const requested = requestFinancing(activeRoot(), 'BankMSP', MEMBERS.BankMSP, tx('SupplierMSP'));
        expect(requested.status).toBe('UNDER_FINANCING');
        expect(finance(requested, 97n, tx('BankMSP'))).toMatchObject({ holder: 'BankMSP', status: 'ACTIVE', financing: { discountedAmount: 97n, discountBps: 300, seller: 'SupplierMSP' } });
        expect(declineFinancing(requested, tx('BankMSP'))).toMatchObject({ holder: 'SupplierMSP', status: 'ACTIVE', financing: { status: 'DECLINED' } });
        expect(declineFinancing(requested, tx('SupplierMSP')).status).toBe('ACTIVE');
        expect(codeOf(() => declineFinancing(requested, tx('RetailMSP')))).toBe('FORBIDDEN');
        expect(codeOf(() => finance(requested, 97n, tx('RetailMSP')))).toBe('FORBIDDEN');
        expect(codeOf(() => finance(requested, 101n, tx('BankMSP')))).toBe('INVALID_ARGUMENT');
        expect(codeOf(() => finance(requested, 0n, tx('BankMSP')))).toBe('INVALID_ARGUMENT');
        expect(codeOf(() => finance(requested, 90n, tx('BankMSP', '2024-04-01')))).toBe('INVALID_STATE');
        expect(codeOf(() => finance(activeRoot(), 90n, tx('BankMSP')))).toBe('INVALID_STATE');
    });

    it.each([
        ['a non-financier', 'RetailMSP', 'SupplierMSP', '2024-01-02', 'INVALID_ARGUMENT'],
        ['the holder itself', 'SupplierMSP', 'SupplierMSP', '2024-01-02', 'INVALID_ARGUMENT'],
        ['a non-holder caller', 'BankMSP', 'RetailMSP', '2024-01-02', 'FORBIDDEN'],
        ['after maturity', 'BankMSP', 'SupplierMSP', '2024-04-01', 'INVALID_STATE'],
    ] as const)('refuses a request to %s', (_what, financier, by, date, code) => {
        expect(codeOf(() => requestFinancing(activeRoot(), financier, lookup(financier), tx(by, date)))).toBe(code);
    });
});

describe('settlement, overdue and the credit record', () => {
    it('settles on time, confirms by the holder; overdue then late', () => {
        const paid = settle(activeRoot(), tx('BrandMSP', '2024-03-31'));
        expect(paid.entry).toMatchObject({ outcome: 'ON_TIME', amount: 100n });
        expect(codeOf(() => confirmSettlement(paid.receivable, tx('BrandMSP')))).toBe('FORBIDDEN');
        expect(confirmSettlement(paid.receivable, tx('SupplierMSP')).status).toBe('SETTLED');
        expect(codeOf(() => confirmSettlement({ ...paid.receivable, settlement: null }, tx('SupplierMSP')))).toBe('INVALID_STATE');
        expect(codeOf(() => settle(activeRoot(), tx('SupplierMSP')))).toBe('FORBIDDEN');
        expect(codeOf(() => markOverdue(activeRoot(), tx('RetailMSP', '2024-03-31')))).toBe('INVALID_STATE');
        const overdue = markOverdue(activeRoot(), tx('RetailMSP', '2024-04-01'));
        expect(overdue).toMatchObject({ receivable: { status: 'OVERDUE' }, entry: { outcome: 'OVERDUE', paidAt: null } });
        expect(settle(overdue.receivable, tx('BrandMSP', '2024-05-01')).entry.outcome).toBe('LATE');
        expect(codeOf(() => markOverdue(overdue.receivable, tx('RetailMSP', '2024-04-02')))).toBe('INVALID_STATE');
    });

    it('sums entries per currency at read time', () => {
        const entry = (outcome: SettlementEntry['outcome'], amount: bigint, currency = 'CNY'): SettlementEntry => ({
            issuer: 'BrandMSP',
            receivableId: `r${amount}`,
            rootId: 'r',
            amount,
            currency,
            maturityDate: '2024-03-31',
            outcome,
            paidAt: null,
            recorded: tx('BrandMSP'),
        });
        expect(creditRecord('BrandMSP', [entry('ON_TIME', 5n), entry('LATE', 7n), entry('OVERDUE', 11n), entry('ON_TIME', 3n, 'AAA'), entry('ON_TIME', 2n)])).toEqual({
            issuer: 'BrandMSP',
            settlements: 4,
            onTimeBps: 7500,
            currencies: [
                { currency: 'AAA', onTime: { count: 1, amount: 3n }, late: { count: 0, amount: 0n }, overdueUnpaid: { count: 0, amount: 0n } },
                { currency: 'CNY', onTime: { count: 2, amount: 7n }, late: { count: 1, amount: 7n }, overdueUnpaid: { count: 1, amount: 11n } },
            ],
        });
        expect(creditRecord('X', [])).toEqual({ issuer: 'X', settlements: 0, onTimeBps: null, currencies: [] });
    });
});
