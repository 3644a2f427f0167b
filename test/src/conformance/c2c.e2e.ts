// Chaincode-to-chaincode invocation on one channel (core/chaincode/handler.go HandleInvokeChaincode): the callee
// runs in the caller's transaction, its writes land in its own namespace of the same rwset, both namespaces'
// endorsement policies apply at validation.
import { CommitError } from '@hyperledger/fabric-gateway';
import { TestNetwork, testConfig, KVCC } from '../support/network';
import { settle } from '../support/conformance';

const utf8 = new TextDecoder();

describe('chaincode-to-chaincode invocation', () => {
    const net = new TestNetwork(testConfig(35000));

    beforeAll(async () => {
        await net.start();
        await net.deploy(KVCC, { name: 'upoint' });
        await net.deploy(KVCC, { name: 'other', port: net.cfg.chaincode.serverPort + 5 });
    }, 120_000);
    afterAll(() => net.stop());

    it("writes through the callee into the callee's namespace, in the caller's transaction", async () => {
        const network = net.gateway('Brand').getNetwork('upoint');
        const caller = network.getContract('upoint', 'kv');
        const callee = network.getContract('other', 'kv');
        const result = await caller.submitTransaction('CallPut', 'other', 'c2c-key', 'c2c-value');
        expect(utf8.decode(result)).toBe('c2c-value');
        expect(utf8.decode(await callee.evaluateTransaction('Get', 'c2c-key'))).toBe('c2c-value');
        // the caller's own write is in its namespace, not the callee's
        expect(utf8.decode(await caller.evaluateTransaction('Get', 'called~c2c-key'))).toBe('other');
        expect(utf8.decode(await callee.evaluateTransaction('Get', 'called~c2c-key'))).toBe('');
        expect(utf8.decode(await caller.evaluateTransaction('Get', 'c2c-key'))).toBe('');
    });

    it("a written key's VALIDATION_PARAMETER joins the gateway's plan (endorser.go buildChaincodeInterest; found against Fabric)", async () => {
        const c = net.gateway('Brand').getNetwork('upoint').getContract('upoint', 'kv');
        await c.submitTransaction('Put', 'sbe-key', 'v0');
        await settle(net);
        await c.submitTransaction('SetKeyPolicy', 'sbe-key', JSON.stringify(['BankMSP']));
        await settle(net);
        const err: unknown = await c.submit('Put', { arguments: ['sbe-key', 'v1'], endorsingOrganizations: ['BrandMSP', 'SupplierMSP'] }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(CommitError);
        expect((err as CommitError).code).toBe(10); // ENDORSEMENT_POLICY_FAILURE
        await settle(net);
        expect(utf8.decode(await c.submitTransaction('Put', 'sbe-key', 'v2'))).toBe('v2');
        expect(utf8.decode(await c.evaluateTransaction('Get', 'sbe-key'))).toBe('v2');
    });

    it('fails the caller when the callee is not defined', async () => {
        const caller = net.gateway('Bank').getNetwork('upoint').getContract('upoint', 'kv');
        await expect(caller.submitTransaction('CallPut', 'missing', 'k', 'v')).rejects.toMatchObject({
            details: [
                expect.objectContaining({
                    // core/chaincode/handler.go HandleInvokeChaincode + chaincode_support.go Invoke/CheckInvocation, as Fabric v2.5.16 words it
                    message: expect.stringContaining('execute failed: invalid invocation: [channel upoint] failed to get chaincode container info for missing: chaincode missing not found'),
                }),
            ],
        });
    });
});
