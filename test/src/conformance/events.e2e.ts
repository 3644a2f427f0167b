// Chaincode events through the gateway (internal/pkg/gateway/chaincodeevents.go, event/): replay from a block,
// resume after a transaction, VALID transactions only, the last setEvent of a transaction only.
import { checkpointers, StatusCode, type ChaincodeEvent, type ChaincodeEventsOptions, type Contract, type Network } from '@hyperledger/fabric-gateway';
import { TestNetwork, testConfig, KVCC } from '../support/network';
import { CHANNEL, readChaincodeEvents, settle, utf8 } from '../support/conformance';

interface Seen {
    readonly name: string;
    readonly payload: string;
    readonly txId: string;
    readonly block: bigint;
}

const seen = (e: ChaincodeEvent): Seen => ({ name: e.eventName, payload: utf8.decode(e.payload), txId: e.transactionId, block: e.blockNumber });

describe('chaincode events', () => {
    const net = new TestNetwork(testConfig(24000));
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

    const readEvents = (
        options: ChaincodeEventsOptions,
        until: (events: readonly ChaincodeEvent[]) => boolean,
        timeoutMs?: number,
        onEvent?: (e: ChaincodeEvent) => Promise<void>,
    ): Promise<ChaincodeEvent[]> => readChaincodeEvents(network, 'upoint', options, until, timeoutMs, onEvent);

    /** Submits Emit(name, payload) and returns what the client should see for it. */
    async function emit(name: string, payload: string, c: Contract = contract): Promise<Seen> {
        const submitted = await c.submitAsync('Emit', { arguments: [name, payload] });
        const status = await submitted.getStatus();
        expect(status.code).toBe(StatusCode.VALID);
        return { name, payload, txId: submitted.getTransactionId(), block: status.blockNumber };
    }

    /** Several Emit transactions endorsed first and ordered together: they share one block, in this order. */
    async function emitInOneBlock(names: readonly string[]): Promise<Seen[]> {
        const txs = await Promise.all(names.map((n) => contract.newProposal('Emit', { arguments: [n, `payload of ${n}`] }).endorse()));
        const submitted = [];
        for (const t of txs) submitted.push(await t.submit());
        const statuses = await Promise.all(submitted.map((s) => s.getStatus()));
        return statuses.map((s, i) => ({ name: names[i] ?? '', payload: `payload of ${names[i] ?? ''}`, txId: s.transactionId, block: s.blockNumber }));
    }

    let history: Seen[] = [];

    beforeAll(async () => {
        const a = await emit('created', 'one');
        const b = await emit('updated', 'two', supplier);
        const burst = await emitInOneBlock(['burst-1', 'burst-2', 'burst-3', 'burst-4']);
        const c = await emit('closed', 'three');
        history = [a, b, ...burst, c];
    }, 60_000);

    it('setup: the burst shares one block', () => {
        const blocks = new Set(history.slice(2, 6).map((s) => s.block));
        expect(blocks.size).toBe(1);
    });

    it('replays every event from a start block, in order, with the last setEvent name and payload only', async () => {
        const first = history[0];
        if (!first) throw new Error('unreachable');
        const events = await readEvents({ startBlock: first.block }, (es) => es.length >= history.length);
        expect(events.map(seen)).toEqual(history);
        for (const e of events) expect(e.chaincodeName).toBe('upoint');
        expect(events.map((e) => e.eventName)).not.toContain('overwritten');
    });

    it('a checkpointer resumes mid-block after the last processed transaction: no loss, no duplicates', async () => {
        const first = history[0];
        if (!first) throw new Error('unreachable');
        const checkpointer = checkpointers.inMemory();
        // Stop after the second event of the burst block.
        const part1 = await readEvents(
            { startBlock: first.block, checkpoint: checkpointer },
            (es) => es.length >= 4,
            10_000,
            (e) => checkpointer.checkpointChaincodeEvent(e),
        );
        expect(checkpointer.getTransactionId()).toBe(history[3]?.txId);
        const part2 = await readEvents({ checkpoint: checkpointer }, (es) => es.length >= history.length - 4);
        expect([...part1, ...part2].map(seen)).toEqual(history);
    });

    it('resuming from a checkpointed block (no txid) starts at that block', async () => {
        const checkpointer = checkpointers.inMemory();
        const last = history[history.length - 1];
        if (!last) throw new Error('unreachable');
        await checkpointer.checkpointBlock(last.block - 1n); // next block to read = last.block
        const events = await readEvents({ checkpoint: checkpointer }, (es) => es.length >= 1);
        expect(events.map(seen)).toEqual([last]);
    });

    it('without a start position only events committed after the request arrive', async () => {
        const pending = readEvents({}, (es) => es.length >= 1);
        await new Promise((r) => setTimeout(r, 300)); // let the stream open at the current height
        const live = await emit('live', 'now');
        const events = await pending;
        expect(events.map(seen)).toEqual([live]);
    });

    it('events of invalid transactions (MVCC conflict, duplicate txid copy) are never delivered', async () => {
        await contract.submitTransaction('Put', 'ev-counter', '0');
        await settle(net);
        // Two IncrEmit in one block: the second is MVCC_READ_CONFLICT; its event must not be delivered.
        const [winner, loser] = await Promise.all([
            contract.newProposal('IncrEmit', { arguments: ['ev-counter', 'incremented'] }).endorse(),
            supplier.newProposal('IncrEmit', { arguments: ['ev-counter', 'incremented'] }).endorse(),
        ]);
        if (!winner || !loser) throw new Error('unreachable');
        const sw = await winner.submit();
        const sl = await loser.submit();
        const [ws, ls] = await Promise.all([sw.getStatus(), sl.getStatus()]);
        expect([ws.code, ls.code]).toEqual([StatusCode.VALID, StatusCode.MVCC_READ_CONFLICT]);

        // A valid Emit, then the same envelope again (committed as DUPLICATE_TXID): delivered once.
        const emitTx = await contract.newProposal('Emit', { arguments: ['once', 'only once'] }).endorse();
        const emitStatus = await (await emitTx.submit()).getStatus();
        await emitTx.submit();
        const sentinel = await emit('sentinel', 'end');

        const events = await readEvents({ startBlock: ws.blockNumber }, (es) => es.some((e) => e.eventName === 'sentinel'));
        expect(events.map(seen)).toEqual([
            { name: 'incremented', payload: winner.getTransactionId(), txId: winner.getTransactionId(), block: ws.blockNumber },
            { name: 'once', payload: 'only once', txId: emitTx.getTransactionId(), block: emitStatus.blockNumber },
            sentinel,
        ]);
    });

    it('resuming after a transaction that emitted no event delivers nothing (the matcher never passes it)', async () => {
        const put = await contract.submitAsync('Put', { arguments: ['no-event', 'x'] });
        const putStatus = await put.getStatus();
        const checkpointer = checkpointers.inMemory();
        await checkpointer.checkpointTransaction(putStatus.blockNumber, put.getTransactionId());
        const pending = readEvents({ checkpoint: checkpointer }, () => true, 2_000);
        await emit('after-put', 'not delivered');
        expect(await pending).toEqual([]);
    });
});
