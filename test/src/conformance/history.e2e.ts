// Key history (core/ledger/kvledger/history/, shim GET_HISTORY_FOR_KEY): newest first, valid transactions only,
// deletes flagged, timestamps from the transaction's channel header.
import { StatusCode, type Contract, type Network } from '@hyperledger/fabric-gateway';
import { TestNetwork, testConfig, KVCC } from '../support/network';
import { CHANNEL, channelHeaderOf, processedTx, settle, utf8 } from '../support/conformance';

interface Modification {
    readonly txId: string;
    readonly isDelete: boolean;
    readonly value: string;
    readonly seconds: string;
    readonly nanos: number;
}

function isModifications(v: unknown): v is Modification[] {
    return Array.isArray(v) && v.every((m) => typeof m === 'object' && m !== null && 'txId' in m && 'isDelete' in m && 'value' in m);
}

describe('history', () => {
    const net = new TestNetwork(testConfig(26000));
    let network: Network;
    let contract: Contract;
    let supplier: Contract;

    beforeAll(async () => {
        await net.start();
        await net.deploy(KVCC);
        network = net.gateway('Brand').getNetwork(CHANNEL);
        contract = network.getContract('upoint', 'kv');
        supplier = net.gateway('Supplier').getNetwork(CHANNEL).getContract('upoint', 'kv');
    }, 120_000);
    afterAll(() => net.stop());

    async function history(key: string): Promise<Modification[]> {
        const parsed: unknown = JSON.parse(utf8.decode(await contract.evaluateTransaction('History', key)));
        if (!isModifications(parsed)) throw new Error(`unexpected History result ${JSON.stringify(parsed)}`);
        return parsed;
    }

    async function submit(c: Contract, fn: string, ...args: string[]): Promise<string> {
        const s = await c.submitAsync(fn, { arguments: args });
        expect((await s.getStatus()).code).toBe(StatusCode.VALID);
        return s.getTransactionId();
    }

    it('Put, Put, Del: newest first, the delete flagged with an empty value', async () => {
        const t1 = await submit(contract, 'Put', 'h-1', 'one');
        const t2 = await submit(supplier, 'Put', 'h-1', 'two');
        const t3 = await submit(contract, 'Del', 'h-1');
        const h = await history('h-1');
        expect(h.map(({ txId, isDelete, value }) => ({ txId, isDelete, value }))).toEqual([
            { txId: t3, isDelete: true, value: '' },
            { txId: t2, isDelete: false, value: 'two' },
            { txId: t1, isDelete: false, value: 'one' },
        ]);
    });

    it('each entry carries its transaction channel-header timestamp', async () => {
        const t1 = await submit(contract, 'Put', 'h-2', 'stamped');
        const [entry] = await history('h-2');
        const ts = channelHeaderOf(await processedTx(network, t1)).getTimestamp();
        expect(entry?.txId).toBe(t1);
        expect(entry?.seconds).toBe(String(ts?.getSeconds()));
        expect(entry?.nanos).toBe(ts?.getNanos());
    });

    it('invalid transactions leave no history', async () => {
        const t1 = await submit(contract, 'Put', 'h-3', '0');
        await settle(net);
        const [a, b] = await Promise.all([
            contract.newProposal('Incr', { arguments: ['h-3'] }).endorse(),
            supplier.newProposal('Incr', { arguments: ['h-3'] }).endorse(),
        ]);
        if (!a || !b) throw new Error('unreachable');
        const sa = await a.submit();
        const sb = await b.submit();
        expect([(await sa.getStatus()).code, (await sb.getStatus()).code]).toEqual([StatusCode.VALID, StatusCode.MVCC_READ_CONFLICT]);
        const t3 = await submit(contract, 'Del', 'h-3');
        const h = await history('h-3');
        expect(h.map((m) => [m.txId, m.isDelete, m.value])).toEqual([
            [t3, true, ''],
            [a.getTransactionId(), false, '1'],
            [t1, false, '0'],
        ]);
        expect(h.map((m) => m.txId)).not.toContain(b.getTransactionId());
    });

    it('a key never written has an empty history; a write after a delete starts a new entry', async () => {
        expect(await history('h-never')).toEqual([]);
        const t1 = await submit(contract, 'Put', 'h-4', 'a');
        const t2 = await submit(contract, 'Del', 'h-4');
        const t3 = await submit(contract, 'Put', 'h-4', 'b');
        expect((await history('h-4')).map((m) => [m.txId, m.isDelete, m.value])).toEqual([
            [t3, false, 'b'],
            [t2, true, ''],
            [t1, false, 'a'],
        ]);
    });

    it('two writes of one key in one block both appear, the later transaction first', async () => {
        const [a, b] = await Promise.all([
            contract.newProposal('Put', { arguments: ['h-5', 'first'] }).endorse(),
            supplier.newProposal('Put', { arguments: ['h-5', 'second'] }).endorse(),
        ]);
        if (!a || !b) throw new Error('unreachable');
        const sa = await a.submit();
        const sb = await b.submit();
        const [x, y] = await Promise.all([sa.getStatus(), sb.getStatus()]);
        expect(x.blockNumber).toBe(y.blockNumber);
        expect((await history('h-5')).map((m) => [m.txId, m.value])).toEqual([
            [b.getTransactionId(), 'second'],
            [a.getTransactionId(), 'first'],
        ]);
    });
});
