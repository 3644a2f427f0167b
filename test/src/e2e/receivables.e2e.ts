// End-to-end flow of the receivables family on devnet through the real @hyperledger/fabric-gateway client:
// issued → accepted → split twice → financed by Bank → settled and confirmed; Tree and CreditRecord checked; a bad
// split (parts not summing to the parent) is refused with INVALID_ARGUMENT and changes nothing.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Contract } from '@hyperledger/fabric-gateway';
import { REPO, TestNetwork, testConfig } from '../support/network';

const utf8 = new TextDecoder();
const CHAINCODE = join(REPO, 'chaincode');
const MEMBERS = JSON.stringify([
    { mspId: 'BrandMSP', name: 'Brand', roles: ['MANUFACTURER'] },
    { mspId: 'SupplierMSP', name: 'Supplier', roles: ['CUSTODIAN', 'SUPPLIER'] },
    { mspId: 'BankMSP', name: 'Bank', roles: ['FINANCIER'] },
    { mspId: 'RegulatorMSP', name: 'Regulator', roles: ['REGULATOR'] },
]);
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

interface Receivable {
    id: string;
    holder: string;
    amount: string;
    status: string;
    children: string[];
    financing: { status: string; discountedAmount: string | null; discountBps: number | null } | null;
}
interface TreeNode {
    id: string;
    holder: string;
    amount: string;
    status: string;
    children: TreeNode[];
}

describe('receivables on devnet (real client, real shim, real lifecycle)', () => {
    const net = new TestNetwork(testConfig(70000));
    const receivables = (org: string, user: 'Admin' | 'User1' = 'User1'): Contract =>
        net.gateway(org, user).getNetwork('upoint').getContract('upoint', 'receivables');
    const submit = async (org: string, tx: string, ...args: string[]): Promise<unknown> =>
        JSON.parse(utf8.decode(await receivables(org).submitTransaction(tx, ...args))) as unknown;
    const evaluate = async (org: string, tx: string, ...args: string[]): Promise<unknown> =>
        JSON.parse(utf8.decode(await receivables(org).evaluateTransaction(tx, ...args))) as unknown;

    beforeAll(async () => {
        await net.start();
        await net.deploy(CHAINCODE);
        await net.gateway('Brand', 'Admin').getNetwork('upoint').getContract('upoint', 'membership').submitTransaction('Bootstrap', MEMBERS);
    }, 120_000);
    afterAll(() => net.stop());

    it('issue → accept → split twice → finance → settle & confirm, with Tree and CreditRecord', async () => {
        const root = (await submit('Brand', 'Issue', 'rcv-1', 'SupplierMSP', '1000000', 'CNY', '2099-12-31', sha('invoice-e2e'), sha('contract-e2e'))) as Receivable;
        expect(root).toMatchObject({ holder: 'SupplierMSP', amount: '1000000', status: 'PENDING' });
        expect(await submit('Supplier', 'Accept', 'rcv-2', root.id)).toMatchObject({ status: 'ACTIVE' });

        const first = (await submit('Supplier', 'SplitTransfer', 'rcv-3', root.id, JSON.stringify([
            { holder: 'SupplierMSP', amount: '700000' },
            { holder: 'BankMSP', amount: '300000' },
        ]))) as { parent: Receivable; children: Receivable[] };
        const [kept, sold] = first.children as [Receivable, Receivable];
        expect([kept.holder, kept.amount, sold.holder, sold.amount]).toEqual(['SupplierMSP', '700000', 'BankMSP', '300000']);

        // a bad split: parts do not sum to the parent → INVALID_ARGUMENT, nothing changes
        const before = await evaluate('Regulator', 'Get', kept.id);
        await expect(
            receivables('Supplier').submitTransaction('SplitTransfer', 'rcv-bad', kept.id, JSON.stringify([{ holder: 'BankMSP', amount: '699999' }])),
        ).rejects.toMatchObject({
            details: expect.arrayContaining([expect.objectContaining({ message: expect.stringMatching(/^chaincode response 500, INVALID_ARGUMENT: parts: amounts sum to 699999/) })]),
        });
        expect(await evaluate('Regulator', 'Get', kept.id)).toEqual(before);

        const second = (await submit('Supplier', 'SplitTransfer', 'rcv-4', kept.id, JSON.stringify([
            { holder: 'SupplierMSP', amount: '200000' },
            { holder: 'SupplierMSP', amount: '500000' },
        ]))) as { children: Receivable[] };
        const [small, big] = second.children as [Receivable, Receivable];

        expect(await submit('Supplier', 'RequestFinancing', 'rcv-5', big.id, 'BankMSP')).toMatchObject({ status: 'UNDER_FINANCING' });
        expect(await submit('Bank', 'Finance', 'rcv-6', big.id, '480000')).toMatchObject({
            holder: 'BankMSP',
            status: 'ACTIVE',
            financing: { status: 'FINANCED', discountedAmount: '480000', discountBps: 400 },
        });

        for (const [leaf, holder] of [[small, 'Supplier'], [big, 'Bank'], [sold, 'Bank']] as const) {
            expect(await submit('Brand', 'Settle', `rcv-pay-${leaf.id}`, leaf.id)).toMatchObject({ status: 'SETTLEMENT_PENDING' });
            expect(await submit(holder, 'ConfirmSettlement', `rcv-ok-${leaf.id}`, leaf.id)).toMatchObject({ status: 'SETTLED' });
        }

        const tree = (await evaluate('Regulator', 'Tree', root.id)) as { amount: string; live: string; settled: string; tree: TreeNode };
        expect(tree).toMatchObject({ amount: '1000000', live: '0', settled: '1000000' });
        const flat = (n: TreeNode): Array<[string, string, string]> => [[n.holder, n.amount, n.status], ...n.children.flatMap(flat)];
        expect(flat(tree.tree)).toEqual([
            ['SupplierMSP', '1000000', 'SPLIT'],
            ['SupplierMSP', '700000', 'SPLIT'],
            ['SupplierMSP', '200000', 'SETTLED'],
            ['BankMSP', '500000', 'SETTLED'],
            ['BankMSP', '300000', 'SETTLED'],
        ]);

        expect(await evaluate('Bank', 'CreditRecord', 'BrandMSP')).toMatchObject({
            issuer: 'BrandMSP',
            settlements: 3,
            onTimeBps: 10000,
            currencies: [{ currency: 'CNY', onTime: { count: 3, amount: '1000000' }, late: { count: 0 }, overdueUnpaid: { count: 0 } }],
        });
        const history = (await evaluate('Regulator', 'History', big.id)) as Array<{ by: string; value: Receivable }>;
        expect(history.map((h) => [h.by, h.value.status])).toEqual([
            ['BankMSP', 'SETTLED'],
            ['BrandMSP', 'SETTLEMENT_PENDING'],
            ['BankMSP', 'ACTIVE'],
            ['SupplierMSP', 'UNDER_FINANCING'],
            ['SupplierMSP', 'ACTIVE'],
        ]);
    });

    it('refuses the regulator (FORBIDDEN) and a repeated request id (DUPLICATE_REQUEST), changing nothing', async () => {
        const args = ['SupplierMSP', '5', 'CNY', '2099-12-31', sha('invoice-dup'), sha('contract-dup')];
        await expect(receivables('Regulator').submitTransaction('Issue', 'reg-1', ...args)).rejects.toMatchObject({
            details: expect.arrayContaining([expect.objectContaining({ message: expect.stringMatching(/^chaincode response 500, FORBIDDEN: /) })]),
        });
        const tx = receivables('Brand').newProposal('Issue', { arguments: ['dup-1', ...args] });
        const submitted = await (await tx.endorse()).submit();
        expect((await submitted.getStatus()).successful).toBe(true);
        const listed = await evaluate('Bank', 'ListByIssuer', 'BrandMSP', '200', '');
        await expect(receivables('Brand').submitTransaction('Issue', 'dup-1', ...args)).rejects.toMatchObject({
            details: expect.arrayContaining([
                expect.objectContaining({ message: `chaincode response 500, DUPLICATE_REQUEST: request dup-1 already processed in transaction ${submitted.getTransactionId()}` }),
            ]),
        });
        expect(await evaluate('Bank', 'ListByIssuer', 'BrandMSP', '200', '')).toEqual(listed);
    });
});
