// End-to-end smoke of the U-Point chaincode on devnet through the real @hyperledger/fabric-gateway client:
// deployed through the lifecycle, bootstrapped, read by every org, written only by members, exactly once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EndorseError, type Contract } from '@hyperledger/fabric-gateway';
import { REPO, TestNetwork, testConfig } from '../support/network';

const utf8 = new TextDecoder();
const CHAINCODE = join(REPO, 'chaincode');
const MEMBERS = readFileSync(join(REPO, 'network/members.json'), 'utf8');

interface Member {
    mspId: string;
    name: string;
    roles: string[];
}

describe('U-Point chaincode on devnet (real client, real shim, real lifecycle)', () => {
    const net = new TestNetwork(testConfig(30000));
    const membership = (org: string, user: 'Admin' | 'User1' = 'User1'): Contract =>
        net.gateway(org, user).getNetwork('upoint').getContract('upoint', 'membership');

    beforeAll(async () => {
        await net.start();
        await net.deploy(CHAINCODE);
        await membership('Brand', 'Admin').submitTransaction('Bootstrap', MEMBERS);
    }, 120_000);
    afterAll(() => net.stop());

    it('every org, the regulator included, reads the registry bootstrapped at deploy time', async () => {
        for (const org of ['Brand', 'Supplier', 'Bank', 'Regulator']) {
            const members = JSON.parse(utf8.decode(await membership(org).evaluateTransaction('ListMembers'))) as Member[];
            expect(members.map((m) => m.mspId)).toEqual(['BankMSP', 'BrandMSP', 'RegulatorMSP', 'SupplierMSP']);
        }
    });

    it('refuses a second bootstrap with INVALID_STATE and changes nothing', async () => {
        const before = await membership('Bank').evaluateTransaction('ListMembers');
        await expect(membership('Brand', 'Admin').submitTransaction('Bootstrap', MEMBERS)).rejects.toMatchObject({
            details: expect.arrayContaining([expect.objectContaining({ message: expect.stringMatching(/^chaincode response 500, INVALID_STATE: /) })]),
        });
        expect(utf8.decode(await membership('Bank').evaluateTransaction('ListMembers'))).toBe(utf8.decode(before));
    });

    it('refuses every write by the regulator in the chaincode (FORBIDDEN), before it reaches the orderer', async () => {
        const change = JSON.stringify({ action: 'REMOVE', mspId: 'BankMSP' });
        const err: unknown = await membership('Regulator').submitTransaction('ProposeChange', 'reg-1', change).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(EndorseError);
        const e = err as EndorseError;
        expect(e.details[0]?.mspId).toBe('RegulatorMSP');
        expect(e.details[0]?.message).toMatch(/^chaincode response 500, FORBIDDEN: /);
    });

    it('applies a member change once; a repeated request id gets DUPLICATE_REQUEST naming the first transaction', async () => {
        const change = JSON.stringify({ action: 'UPDATE', member: { mspId: 'BankMSP', name: 'Bank', roles: ['FINANCIER', 'RETAILER'] } });
        const tx = membership('Brand').newProposal('ProposeChange', { arguments: ['req-42', change] });
        const endorsed = await tx.endorse();
        const submitted = await endorsed.submit();
        const status = await submitted.getStatus();
        expect(status.successful).toBe(true);
        const proposal = JSON.parse(utf8.decode(submitted.getResult())) as { id: string; status: string };
        expect(proposal.status).toBe('PENDING');

        await expect(membership('Brand').submitTransaction('ProposeChange', 'req-42', change)).rejects.toMatchObject({
            details: expect.arrayContaining([
                expect.objectContaining({ message: `chaincode response 500, DUPLICATE_REQUEST: request req-42 already processed in transaction ${submitted.getTransactionId()}` }),
            ]),
        });
        // Supplier's approval makes 2 of 3 voting members: the change applies.
        await membership('Supplier').submitTransaction('ApproveChange', 'req-43', proposal.id);
        const bank = JSON.parse(utf8.decode(await membership('Regulator').evaluateTransaction('GetMember', 'BankMSP'))) as Member;
        expect(bank.roles).toEqual(['FINANCIER', 'RETAILER']);
    });
});
