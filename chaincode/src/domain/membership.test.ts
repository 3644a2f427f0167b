import fc from 'fast-check';
import { ChaincodeError, type ErrorCode } from './errors';
import {
    applyChange,
    approve,
    checkBootstrap,
    electorate,
    hasStrictMajority,
    type Member,
    MemberSchema,
    type MembershipChange,
    MembershipChangeSchema,
    type Proposal,
    propose,
} from './membership';

const tx = (n: number): { txId: string; timestamp: string } => ({
    txId: `tx${n}`,
    timestamp: `2024-01-01T00:00:${String(n % 60).padStart(2, '0')}.000000000Z`,
});

const brand: Member = { mspId: 'BrandMSP', name: 'Brand', roles: ['MANUFACTURER'] };
const supplier: Member = { mspId: 'SupplierMSP', name: 'Supplier', roles: ['CUSTODIAN', 'SUPPLIER'] };
const bank: Member = { mspId: 'BankMSP', name: 'Bank', roles: ['FINANCIER'] };
const regulator: Member = { mspId: 'RegulatorMSP', name: 'Regulator', roles: ['REGULATOR'] };
const consortium = [bank, brand, regulator, supplier];
const retailer: Member = { mspId: 'RetailMSP', name: 'Retail', roles: ['RETAILER'] };

function codeOf(fn: () => unknown): ErrorCode | 'no error' | 'not a ChaincodeError' {
    try {
        fn();
        return 'no error';
    } catch (e) {
        return e instanceof ChaincodeError ? e.code : 'not a ChaincodeError';
    }
}

describe('member parsing', () => {
    it('sorts roles and rejects repeats, unknown roles and REGULATOR combined with others', () => {
        expect(MemberSchema.parse({ mspId: 'A', name: 'A', roles: ['SUPPLIER', 'CUSTODIAN'] }).roles).toEqual(['CUSTODIAN', 'SUPPLIER']);
        expect(MemberSchema.safeParse({ mspId: 'A', name: 'A', roles: ['SUPPLIER', 'SUPPLIER'] }).success).toBe(false);
        expect(MemberSchema.safeParse({ mspId: 'A', name: 'A', roles: ['ADMIN'] }).success).toBe(false);
        expect(MemberSchema.safeParse({ mspId: 'A', name: 'A', roles: [] }).success).toBe(false);
        expect(MemberSchema.safeParse({ mspId: 'A', name: 'A', roles: ['REGULATOR', 'SUPPLIER'] }).success).toBe(false);
    });

    it('rejects unsafe MSP ids, padded names and unknown fields', () => {
        for (const mspId of ['', 'a\u0000b', 'has space', '-lead', 'x'.repeat(65)]) {
            expect(MemberSchema.safeParse({ mspId, name: 'A', roles: ['SUPPLIER'] }).success).toBe(false);
        }
        expect(MemberSchema.safeParse({ mspId: 'A', name: ' A', roles: ['SUPPLIER'] }).success).toBe(false);
        expect(MemberSchema.safeParse({ mspId: 'A', name: 'A', roles: ['SUPPLIER'], admin: true }).success).toBe(false);
    });

    it('parses the three change shapes only', () => {
        expect(MembershipChangeSchema.safeParse({ action: 'REMOVE', mspId: 'A' }).success).toBe(true);
        expect(MembershipChangeSchema.safeParse({ action: 'ADD', member: retailer }).success).toBe(true);
        expect(MembershipChangeSchema.safeParse({ action: 'REMOVE', member: retailer }).success).toBe(false);
        expect(MembershipChangeSchema.safeParse({ action: 'RENAME', mspId: 'A' }).success).toBe(false);
    });
});

describe('electorate and majority', () => {
    it('counts every member except regulators', () => {
        expect(electorate(consortium)).toEqual(['BankMSP', 'BrandMSP', 'SupplierMSP']);
    });

    it('needs strictly more than half', () => {
        const voters = ['A', 'B', 'C', 'D'];
        expect(hasStrictMajority(['A', 'B'], voters)).toBe(false);
        expect(hasStrictMajority(['A', 'B', 'C'], voters)).toBe(true);
        expect(hasStrictMajority(['A', 'A', 'A'], voters)).toBe(false);
        expect(hasStrictMajority(['A', 'X', 'Y'], voters)).toBe(false);
        expect(hasStrictMajority(['A'], ['A'])).toBe(true);
    });

    it('property: majority ⇔ distinct approving voters × 2 > voters', () => {
        fc.assert(
            fc.property(
                fc.uniqueArray(fc.constantFrom<string>('A', 'B', 'C', 'D', 'E', 'F', 'G'), { minLength: 1 }),
                fc.array(fc.constantFrom<string>('A', 'B', 'C', 'D', 'E', 'F', 'G', 'X', 'Y')),
                (voters, approvers) => {
                    const distinct = new Set(approvers.filter((a) => voters.includes(a)));
                    expect(hasStrictMajority(approvers, voters)).toBe(distinct.size * 2 > voters.length);
                },
            ),
        );
    });
});

describe('bootstrap', () => {
    it('accepts a registry listing the caller as a voter and returns it sorted', () => {
        expect(checkBootstrap([supplier, brand], 'BrandMSP').map((m) => m.mspId)).toEqual(['BrandMSP', 'SupplierMSP']);
    });

    it('rejects empty lists, repeats, absent or regulator callers', () => {
        expect(codeOf(() => checkBootstrap([], 'BrandMSP'))).toBe('INVALID_ARGUMENT');
        expect(codeOf(() => checkBootstrap([brand, brand], 'BrandMSP'))).toBe('INVALID_ARGUMENT');
        expect(codeOf(() => checkBootstrap([brand], 'BankMSP'))).toBe('FORBIDDEN');
        expect(codeOf(() => checkBootstrap([brand, regulator], 'RegulatorMSP'))).toBe('FORBIDDEN');
    });
});

describe('applyChange', () => {
    it('adds, updates and removes without touching its input', () => {
        const before = [...consortium];
        const added = applyChange(consortium, { action: 'ADD', member: retailer });
        expect(added.members.map((m) => m.mspId)).toEqual(['BankMSP', 'BrandMSP', 'RegulatorMSP', 'RetailMSP', 'SupplierMSP']);
        expect(added.effect).toEqual({ kind: 'MemberAdded', member: retailer });
        const renamed = { ...bank, name: 'Big Bank' };
        expect(applyChange(consortium, { action: 'UPDATE', member: renamed }).effect).toEqual({ kind: 'MemberUpdated', before: bank, member: renamed });
        expect(applyChange(consortium, { action: 'REMOVE', mspId: 'BankMSP' }).effect).toEqual({ kind: 'MemberRemoved', member: bank });
        expect(consortium).toEqual(before);
    });

    it('rejects changes that do not fit the registry', () => {
        expect(codeOf(() => applyChange(consortium, { action: 'ADD', member: bank }))).toBe('CONFLICT');
        expect(codeOf(() => applyChange(consortium, { action: 'UPDATE', member: retailer }))).toBe('NOT_FOUND');
        expect(codeOf(() => applyChange(consortium, { action: 'UPDATE', member: bank }))).toBe('INVALID_ARGUMENT');
        expect(codeOf(() => applyChange(consortium, { action: 'REMOVE', mspId: 'RetailMSP' }))).toBe('NOT_FOUND');
        expect(codeOf(() => applyChange([brand, regulator], { action: 'REMOVE', mspId: 'BrandMSP' }))).toBe('INVALID_ARGUMENT');
        expect(codeOf(() => applyChange([brand], { action: 'UPDATE', member: { ...brand, roles: ['REGULATOR'] } }))).toBe('INVALID_ARGUMENT');
    });
});

describe('propose → approve → applied', () => {
    const addRetail = { action: 'ADD', member: retailer } as const;

    it('counts the proposer, applies on the second of three voters, ignores the regulator', () => {
        const opened = propose({ id: 'tx1', change: addRetail, proposer: 'BrandMSP', members: consortium, tx: tx(1) });
        expect(opened.applied).toBeNull();
        expect(opened.proposal).toMatchObject({ id: 'tx1', status: 'PENDING', proposer: 'BrandMSP', appliedAt: null, appliedTxId: null });
        expect(opened.proposal.approvals).toEqual([{ mspId: 'BrandMSP', ...tx(1) }]);

        expect(codeOf(() => approve({ proposal: opened.proposal, approver: 'RegulatorMSP', members: consortium, tx: tx(2) }))).toBe('FORBIDDEN');
        expect(codeOf(() => approve({ proposal: opened.proposal, approver: 'StrangerMSP', members: consortium, tx: tx(2) }))).toBe('FORBIDDEN');
        expect(codeOf(() => approve({ proposal: opened.proposal, approver: 'BrandMSP', members: consortium, tx: tx(2) }))).toBe('CONFLICT');

        const done = approve({ proposal: opened.proposal, approver: 'BankMSP', members: consortium, tx: tx(3) });
        expect(done.proposal).toMatchObject({ status: 'APPLIED', appliedAt: tx(3).timestamp, appliedTxId: 'tx3' });
        expect(done.applied?.effect).toEqual({ kind: 'MemberAdded', member: retailer });
        expect(codeOf(() => approve({ proposal: done.proposal, approver: 'SupplierMSP', members: consortium, tx: tx(4) }))).toBe('INVALID_STATE');
    });

    it('applies at once when the proposer is the only voter', () => {
        const out = propose({ id: 'tx1', change: addRetail, proposer: 'BrandMSP', members: [brand, regulator], tx: tx(1) });
        expect(out.proposal.status).toBe('APPLIED');
        expect(out.applied?.members.map((m) => m.mspId)).toEqual(['BrandMSP', 'RegulatorMSP', 'RetailMSP']);
    });

    it('refuses proposals from non-voters and changes that cannot apply', () => {
        expect(codeOf(() => propose({ id: 'tx1', change: addRetail, proposer: 'RegulatorMSP', members: consortium, tx: tx(1) }))).toBe('FORBIDDEN');
        expect(codeOf(() => propose({ id: 'tx1', change: addRetail, proposer: 'RetailMSP', members: consortium, tx: tx(1) }))).toBe('FORBIDDEN');
        expect(codeOf(() => propose({ id: 'tx1', change: { action: 'ADD', member: bank }, proposer: 'BrandMSP', members: consortium, tx: tx(1) }))).toBe('CONFLICT');
    });

    it('reports INVALID_STATE when a majority is reached for a change that no longer fits', () => {
        const opened = propose({ id: 'tx1', change: addRetail, proposer: 'BrandMSP', members: consortium, tx: tx(1) });
        const meanwhile = applyChange(consortium, addRetail).members; // another proposal added Retail first: 4 voters
        const second = approve({ proposal: opened.proposal, approver: 'BankMSP', members: meanwhile, tx: tx(2) });
        expect(second.proposal.status).toBe('PENDING');
        expect(codeOf(() => approve({ proposal: second.proposal, approver: 'SupplierMSP', members: meanwhile, tx: tx(3) }))).toBe('INVALID_STATE');
    });

    it('does not count approvals from orgs that have since left', () => {
        const opened = propose({ id: 'tx1', change: addRetail, proposer: 'BrandMSP', members: consortium, tx: tx(1) });
        const withoutBrand = applyChange(consortium, { action: 'REMOVE', mspId: 'BrandMSP' }).members; // voters: Bank, Supplier
        const one = approve({ proposal: opened.proposal, approver: 'BankMSP', members: withoutBrand, tx: tx(2) });
        expect(one.proposal.status).toBe('PENDING'); // Brand's approval no longer counts: 1 of 2
        const two = approve({ proposal: one.proposal, approver: 'SupplierMSP', members: withoutBrand, tx: tx(3) });
        expect(two.proposal.status).toBe('APPLIED');
    });

    it('property: applies exactly when a strict majority of distinct voters approved, at that approval', () => {
        const orgs: string[] = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];
        fc.assert(
            fc.property(
                fc.uniqueArray(fc.constantFrom(...orgs), { minLength: 1 }),
                fc.array(fc.constantFrom(...orgs, 'REG', 'OUT'), { maxLength: 20 }),
                (voterIds, attempts) => {
                    const members: Member[] = [
                        ...voterIds.map((id): Member => ({ mspId: id, name: id, roles: ['SUPPLIER'] })),
                        { mspId: 'REG', name: 'Regulator', roles: ['REGULATOR'] },
                    ];
                    const proposer = voterIds[0] ?? 'A';
                    const change: MembershipChange = { action: 'ADD', member: { mspId: 'NEW', name: 'New', roles: ['RETAILER'] } };
                    let n = 1;
                    let outcome = propose({ id: 'p', change, proposer, members, tx: tx(n) });
                    const approved = new Set([proposer]);
                    let appliedAt: number | undefined = approved.size * 2 > voterIds.length ? 0 : undefined;
                    expect(outcome.proposal.status).toBe(appliedAt === 0 ? 'APPLIED' : 'PENDING');

                    attempts.forEach((who, i) => {
                        n += 1;
                        const before: Proposal = outcome.proposal;
                        const expected: ErrorCode | 'no error' =
                            before.status === 'APPLIED'
                                ? 'INVALID_STATE'
                                : !voterIds.includes(who)
                                  ? 'FORBIDDEN'
                                  : approved.has(who)
                                    ? 'CONFLICT'
                                    : 'no error';
                        const code = codeOf(() => {
                            outcome = approve({ proposal: before, approver: who, members, tx: tx(n) });
                        });
                        expect(code).toBe(expected);
                        if (code !== 'no error') {
                            expect(outcome.proposal).toBe(before); // a rejected approval changes nothing
                            return;
                        }
                        approved.add(who);
                        const majority = approved.size * 2 > voterIds.length;
                        expect(outcome.proposal.status).toBe(majority ? 'APPLIED' : 'PENDING');
                        expect(outcome.applied !== null).toBe(majority);
                        if (majority) appliedAt = i + 1;
                    });

                    const final = outcome.proposal;
                    const distinct = new Set(final.approvals.map((a) => a.mspId));
                    expect(distinct.size).toBe(final.approvals.length); // deduplicated per org
                    expect(final.status === 'APPLIED').toBe(distinct.size * 2 > voterIds.length);
                    expect(final.status === 'APPLIED').toBe(appliedAt !== undefined);
                },
            ),
            { numRuns: 300 },
        );
    });
});
