import '../test-support/quiet-logs';
import { contracts } from '../index';
import { TestChannel, TestLedger } from '../test-support/context';
import { eventOf, expectJson, expectOk, expectRejected } from '../test-support/expectations';

const brand = { mspId: 'BrandMSP', name: 'Brand', roles: ['MANUFACTURER'] };
const supplier = { mspId: 'SupplierMSP', name: 'Supplier', roles: ['CUSTODIAN', 'SUPPLIER'] };
const bank = { mspId: 'BankMSP', name: 'Bank', roles: ['FINANCIER'] };
const regulator = { mspId: 'RegulatorMSP', name: 'Regulator', roles: ['REGULATOR'] };
const retail = { mspId: 'RetailMSP', name: 'Retail', roles: ['RETAILER'] };
const CONSORTIUM = [brand, supplier, bank, regulator];

const json = (v: unknown): string => JSON.stringify(v);

async function consortium(): Promise<{ channel: TestChannel; ledger: TestLedger }> {
    const ledger = new TestLedger();
    const channel = new TestChannel(contracts, ledger);
    expectOk(await channel.submit('BrandMSP', 'membership:Bootstrap', json(CONSORTIUM)));
    return { channel, ledger };
}

describe('Bootstrap', () => {
    it('installs the registry once, sorted, with one event', async () => {
        const channel = new TestChannel(contracts);
        const result = await channel.submit('BrandMSP', 'membership:Bootstrap', json(CONSORTIUM));
        const sorted = [bank, brand, regulator, supplier];
        expect(expectJson(result)).toEqual(sorted);
        expect(eventOf(result)).toMatchObject({
            name: 'membership.Bootstrap',
            payload: { caller: 'BrandMSP', requestId: null, changes: [{ type: 'RegistryBootstrapped', members: sorted }] },
        });
        expect(expectJson(await channel.evaluate('RegulatorMSP', 'membership:ListMembers'))).toEqual(sorted);

        for (const caller of ['BrandMSP', 'BankMSP', 'StrangerMSP', 'RegulatorMSP']) {
            expectRejected(await channel.submit(caller, 'membership:Bootstrap', json([retail])), 'INVALID_STATE', /already bootstrapped/);
        }
    });

    it('accepts the default contract name too', async () => {
        const channel = new TestChannel(contracts);
        expectOk(await channel.submit('BrandMSP', 'Bootstrap', json([brand])));
        expect(expectJson(await channel.evaluate('BrandMSP', 'GetMember', 'BrandMSP'))).toEqual(brand);
    });

    it('requires the caller to be listed as a non-regulator', async () => {
        const channel = new TestChannel(contracts);
        expectRejected(await channel.submit('StrangerMSP', 'membership:Bootstrap', json(CONSORTIUM)), 'FORBIDDEN', /StrangerMSP must be listed/);
        expectRejected(await channel.submit('RegulatorMSP', 'membership:Bootstrap', json(CONSORTIUM)), 'FORBIDDEN', /must not be a regulator/);
        expect(await channel.ledger.keys()).toEqual([]);
    });

    it.each([
        ['not JSON', '[{'],
        ['an empty list', '[]'],
        ['a repeated member', json([brand, brand])],
        ['an unknown role', json([{ ...brand, roles: ['OWNER'] }])],
        ['an extra field', json([{ ...brand, admin: true }])],
        ['an object instead of a list', json({ members: [brand] })],
    ])('rejects %s as INVALID_ARGUMENT', async (_what, arg) => {
        const channel = new TestChannel(contracts);
        expectRejected(await channel.submit('BrandMSP', 'membership:Bootstrap', arg), 'INVALID_ARGUMENT', /membersJson|listed twice/);
    });
});

describe('reads', () => {
    it('GetMember returns a member, NOT_FOUND or INVALID_ARGUMENT', async () => {
        const { channel } = await consortium();
        expect(expectJson(await channel.evaluate('BankMSP', 'membership:GetMember', 'SupplierMSP'))).toEqual(supplier);
        expectRejected(await channel.evaluate('BankMSP', 'membership:GetMember', 'RetailMSP'), 'NOT_FOUND', /member RetailMSP does not exist/);
        expectRejected(await channel.evaluate('BankMSP', 'membership:GetMember', 'bad id'), 'INVALID_ARGUMENT', /^INVALID_ARGUMENT: mspId: /);
    });

    it('GetProposal returns NOT_FOUND for an unknown id', async () => {
        const { channel } = await consortium();
        expectRejected(await channel.evaluate('BankMSP', 'membership:GetProposal', 'tx9999'), 'NOT_FOUND');
    });
});

describe('propose → approve → applied', () => {
    it('adds a member once a strict majority of the three voting orgs approved', async () => {
        const { channel } = await consortium();
        const proposed = await channel.submit('BrandMSP', 'membership:ProposeChange', 'add-retail', json({ action: 'ADD', member: retail }));
        const proposal = expectJson(proposed) as { id: string; status: string };
        expect(proposal).toMatchObject({ id: proposed.txId, status: 'PENDING', proposer: 'BrandMSP', approvals: [{ mspId: 'BrandMSP', txId: proposed.txId }] });
        expect(eventOf(proposed)).toMatchObject({
            name: 'membership.ProposeChange',
            payload: { requestId: 'add-retail', changes: [{ type: 'ProposalCreated', proposal }] },
        });
        expect(expectJson(await channel.evaluate('RegulatorMSP', 'membership:GetProposal', proposal.id))).toEqual(proposal);
        expectRejected(await channel.evaluate('RetailMSP', 'membership:ListMembers'), 'FORBIDDEN');

        expectRejected(await channel.submit('RegulatorMSP', 'membership:ApproveChange', 'r', proposal.id), 'FORBIDDEN');
        expectRejected(await channel.submit('BrandMSP', 'membership:ApproveChange', 'again', proposal.id), 'CONFLICT', /already approved/);

        const approved = await channel.submit('SupplierMSP', 'membership:ApproveChange', 'ok-retail', proposal.id);
        expect(expectJson(approved)).toMatchObject({ status: 'APPLIED', appliedTxId: approved.txId });
        const event = eventOf(approved);
        expect(event.name).toBe('membership.ApproveChange');
        expect(event.payload['changes']).toEqual([
            { type: 'ProposalApproved', proposalId: proposal.id, approver: 'SupplierMSP' },
            { type: 'ProposalApplied', proposalId: proposal.id },
            { type: 'MemberAdded', member: retail },
        ]);

        expect(expectJson(await channel.evaluate('RetailMSP', 'membership:GetMember', 'RetailMSP'))).toEqual(retail);
        expectRejected(await channel.submit('BankMSP', 'membership:ApproveChange', 'late', proposal.id), 'INVALID_STATE', /APPLIED/);
        // the new member votes from now on: 4 voters, so a change now needs 3 approvals
        const next = expectJson(await channel.submit('RetailMSP', 'membership:ProposeChange', 'p2', json({ action: 'UPDATE', member: { ...retail, name: 'Retail Co' } }))) as { id: string };
        expect(expectJson(await channel.submit('BankMSP', 'membership:ApproveChange', 'a2', next.id))).toMatchObject({ status: 'PENDING' });
        expect(expectJson(await channel.submit('BrandMSP', 'membership:ApproveChange', 'a3', next.id))).toMatchObject({ status: 'APPLIED' });
        expect(expectJson(await channel.evaluate('BankMSP', 'membership:GetMember', 'RetailMSP'))).toMatchObject({ name: 'Retail Co' });
    });

    it('removing a member shuts it out; turning one into a regulator makes it read-only', async () => {
        const { channel } = await consortium();
        const remove = expectJson(await channel.submit('BrandMSP', 'membership:ProposeChange', 'rm', json({ action: 'REMOVE', mspId: 'BankMSP' }))) as { id: string };
        const applied = await channel.submit('SupplierMSP', 'membership:ApproveChange', 'rm-ok', remove.id);
        expect((eventOf(applied).payload['changes'] as unknown[]).at(-1)).toEqual({ type: 'MemberRemoved', member: bank });
        expectRejected(await channel.evaluate('BankMSP', 'membership:ListMembers'), 'FORBIDDEN');

        // two voters left: both must approve
        const demote = expectJson(
            await channel.submit('BrandMSP', 'membership:ProposeChange', 'demote', json({ action: 'UPDATE', member: { ...supplier, roles: ['REGULATOR'] } })),
        ) as { id: string; status: string };
        expect(demote.status).toBe('PENDING');
        expectOk(await channel.submit('SupplierMSP', 'membership:ApproveChange', 'demote-ok', demote.id));
        expectRejected(await channel.submit('SupplierMSP', 'membership:ProposeChange', 'p', json({ action: 'ADD', member: retail })), 'FORBIDDEN', /regulator/);
        expectOk(await channel.evaluate('SupplierMSP', 'membership:ListMembers'));
    });

    it('rejects changes that cannot apply, with codes, and records nothing', async () => {
        const { channel, ledger } = await consortium();
        const before = await ledger.keys();
        const cases: Array<[string, string, RegExp]> = [
            [json({ action: 'ADD', member: bank }), 'CONFLICT', /BankMSP already exists/],
            [json({ action: 'REMOVE', mspId: 'RetailMSP' }), 'NOT_FOUND', /RetailMSP does not exist/],
            [json({ action: 'UPDATE', member: bank }), 'INVALID_ARGUMENT', /unchanged/],
            [json({ action: 'PROMOTE', mspId: 'BankMSP' }), 'INVALID_ARGUMENT', /changeJson/],
            ['{', 'INVALID_ARGUMENT', /changeJson: not valid JSON/],
        ];
        let i = 0;
        for (const [change, code, message] of cases) {
            expectRejected(await channel.submit('BrandMSP', 'membership:ProposeChange', `bad-${i++}`, change), code as 'CONFLICT', message);
        }
        expectRejected(await channel.submit('BrandMSP', 'membership:ApproveChange', 'x', 'tx9999'), 'NOT_FOUND', /proposal tx9999/);
        expectRejected(await channel.submit('BrandMSP', 'membership:ApproveChange', 'y', 'not a tx id'), 'INVALID_ARGUMENT', /proposalId/);
        expect(await ledger.keys()).toEqual(before);
    });

    it('a retried proposal fails with DUPLICATE_REQUEST naming the first transaction and opens nothing new', async () => {
        const { channel, ledger } = await consortium();
        const change = json({ action: 'ADD', member: retail });
        const first = await channel.submit('BankMSP', 'membership:ProposeChange', 'bank-req-1', change);
        expectOk(first);
        const keys = await ledger.keys();
        expectRejected(
            await channel.submit('BankMSP', 'membership:ProposeChange', 'bank-req-1', change),
            'DUPLICATE_REQUEST',
            new RegExp(`^DUPLICATE_REQUEST: request bank-req-1 already processed in transaction ${first.txId}$`),
        );
        expect(await ledger.keys()).toEqual(keys);
    });
});
