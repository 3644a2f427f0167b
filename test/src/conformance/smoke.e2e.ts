import { TestNetwork, testConfig, KVCC } from '../support/network';

const utf8 = new TextDecoder();

describe('devnet smoke: real fabric-gateway client, real shim', () => {
    const net = new TestNetwork(testConfig(20000));

    beforeAll(async () => {
        await net.start();
        await net.deploy(KVCC);
    }, 120_000);
    afterAll(() => net.stop());

    it('submits and evaluates', async () => {
        const contract = net.gateway('Brand').getNetwork('upoint').getContract('upoint', 'kv');
        const r = await contract.submitTransaction('Put', 'k1', 'v1');
        expect(utf8.decode(r)).toBe('v1');
        expect(utf8.decode(await contract.evaluateTransaction('Get', 'k1'))).toBe('v1');
    });
});
