// Tests for handler.ts (cf. core/chaincode/handler_test.go) against the real fabric-shim 2.5.8 + fabric-contract-api.
import { ledger, peer } from '@hyperledger/fabric-protos';
import { ChaincodeExecuteError } from './errors';
import { ChaincodeConnection, type ChaincodeConnectionOptions, type ExecuteResult, type InvokeChaincode } from './handler';
import { MemState } from './memstate';
import { startChaincodeServer, type RunningChaincodeServer } from './testdata/ccserver';
import { newTestProposal, throwawayCertPem } from './testdata/proposal';
import { TxSimulator } from './txsimulator';

const kvrwset = ledger.rwset.kvrwset;
const PKG = 'devnet-test:0123abcd';
const CC = 'mycc';
const CH = 'mychannel';
const b = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const text = (u: Uint8Array | string): string => Buffer.from(u).toString('utf8');

let server: RunningChaincodeServer;
let certPem: string;
let txCounter = 0;
const open: ChaincodeConnection[] = [];

beforeAll(async () => {
    server = await startChaincodeServer(PKG);
    certPem = await throwawayCertPem();
});

afterAll(async () => {
    await server.stop();
});

afterEach(() => {
    for (const c of open.splice(0)) c.close();
});

function connect(overrides: Partial<ChaincodeConnectionOptions> = {}): { conn: ChaincodeConnection; log: string[] } {
    const log: string[] = [];
    const conn = new ChaincodeConnection({ address: server.address, packageId: PKG, log: (level, m) => log.push(`${level} ${m}`), ...overrides });
    open.push(conn);
    return { conn, log };
}

interface Run {
    readonly txId: string;
    readonly sim: TxSimulator;
    readonly result: Promise<ExecuteResult>;
}

function run(conn: ChaincodeConnection, state: MemState, args: readonly string[], opts: { txId?: string; timeoutMs?: number } = {}): Run {
    const txId = opts.txId ?? `tx${++txCounter}-${Date.now()}`;
    const sim = new TxSimulator({ txId, snapshot: state.snapshot(), history: state });
    const { signedProposal, input } = newTestProposal({ certPem, mspId: 'Org1MSP', channelId: CH, txId, chaincodeName: CC, args });
    const result = conn.execute({
        channelId: CH,
        txId,
        chaincodeName: CC,
        signedProposal,
        input,
        simulator: sim,
        ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
    });
    return { txId, sim, result };
}

function seeded(keys: readonly string[]): MemState {
    const state = new MemState();
    state.apply(
        keys.map((key) => ({ namespace: CC, key, value: b(`v-${key}`) })),
        { blockNum: 1n, txNum: 0 },
    );
    return state;
}

function kvSet(sim: TxSimulator): ledger.rwset.kvrwset.KVRWSet {
    const ns = sim.getTxSimulationResults().rwset.getNsRwsetList();
    expect(ns.map((n) => n.getNamespace())).toEqual([CC]);
    return kvrwset.KVRWSet.deserializeBinary(ns[0]?.getRwset_asU8() ?? new Uint8Array());
}

async function rejection(p: Promise<unknown>): Promise<ChaincodeExecuteError> {
    try {
        await p;
    } catch (err) {
        if (err instanceof ChaincodeExecuteError) return err;
        throw err;
    }
    throw new Error('expected a rejection');
}

const keys3 = (n: number): string[] => Array.from({ length: n }, (_, i) => `k${String(i).padStart(3, '0')}`);

describe('ChaincodeConnection with the real fabric-shim', () => {
    it('handshakes, invokes with the client SignedProposal and records the write', async () => {
        const { conn } = connect();
        const state = new MemState();
        const who = run(conn, state, ['whoami']);
        const res = await who.result;
        expect(res.response.getStatus()).toBe(200);
        expect(JSON.parse(text(res.response.getPayload_asU8()))).toEqual({ mspid: 'Org1MSP', tx: who.txId, ch: CH });
        expect(res.event).toBeUndefined();

        const put = run(conn, state, ['put', 'k', 'v']);
        expect(text((await put.result).response.getPayload_asU8())).toBe('ok');
        const kv = kvSet(put.sim);
        expect(kv.getWritesList().map((w) => [w.getKey(), text(w.getValue_asU8())])).toEqual([['k', 'v']]);
    });

    it('hides the transaction\'s own writes from getState and ranges', async () => {
        const { conn } = connect();
        const r = run(conn, seeded(['a']), ['putThenRead', 'new', 'mine']);
        expect(JSON.parse(text((await r.result).response.getPayload_asU8()))).toEqual({ value: '', keys: ['a'] });
        const kv = kvSet(r.sim);
        expect(kv.getReadsList().map((x) => [x.getKey(), x.hasVersion()])).toEqual([['new', false]]);
        expect(kv.getWritesList().map((w) => w.getKey())).toEqual(['new']);
    });

    it('pulls ranges in batches of 100 (+1 look-ahead) and records the pulled keys, not the consumed ones', async () => {
        const state = seeded(keys3(150));

        const { conn, log } = connect();
        const all = run(conn, state, ['range', '', '', '1000']);
        expect(JSON.parse(text((await all.result).response.getPayload_asU8()))).toHaveLength(150);
        expect(log.filter((l) => l.includes(`received QUERY_STATE_NEXT txid=${all.txId}`))).toHaveLength(1);
        const allInfo = kvSet(all.sim).getRangeQueriesInfoList()[0];
        // the shim maps an empty start key to "\x01"
        expect([allInfo?.getStartKey(), allInfo?.getEndKey(), allInfo?.getItrExhausted()]).toEqual(['\u0001', '', true]);
        expect(allInfo?.hasReadsMerkleHashes()).toBe(true);

        const few = run(conn, state, ['range', 'k000', 'k999', '3']);
        expect(JSON.parse(text((await few.result).response.getPayload_asU8()))).toEqual(['k000', 'k001', 'k002']);
        const fewInfo = kvSet(few.sim).getRangeQueriesInfoList()[0];
        expect([fewInfo?.getStartKey(), fewInfo?.getEndKey(), fewInfo?.getItrExhausted()]).toEqual(['k000', 'k100', false]);
        expect(fewInfo?.getReadsMerkleHashes()?.getMaxDegree()).toBe(50);

        const small = run(conn, seeded(keys3(10)), ['range', '', '', '2']);
        expect(JSON.parse(text((await small.result).response.getPayload_asU8()))).toEqual(['k000', 'k001']);
        const smallInfo = kvSet(small.sim).getRangeQueriesInfoList()[0];
        expect(smallInfo?.getItrExhausted()).toBe(true);
        expect(smallInfo?.getRawReads()?.getKvReadsList().map((r) => r.getKey())).toEqual(keys3(10));
    });

    it('writes an empty put as a delete and sorts keys bytewise', async () => {
        const { conn } = connect();
        const r = run(conn, new MemState(), ['emptyPut', 'gone']);
        await r.result;
        const w = kvSet(r.sim).getWritesList()[0];
        expect([w?.getKey(), w?.getIsDelete(), w?.getValue_asU8().length]).toEqual(['gone', true, 0]);

        const many = run(conn, new MemState(), ['putMany', JSON.stringify([['\u{1F600}', '1'], ['\uff61', '1'], ['b', '1'], ['a', '1'], ['b', '2']])]);
        await many.result;
        expect(kvSet(many.sim).getWritesList().map((x) => [x.getKey(), text(x.getValue_asU8())])).toEqual([
            ['a', '1'],
            ['b', '2'],
            ['\uff61', '1'],
            ['\u{1F600}', '1'],
        ]);
    });

    it('returns the last setEvent with chaincode_id and tx_id filled in', async () => {
        const { conn } = connect();
        const r = run(conn, new MemState(), ['event']);
        const { event } = await r.result;
        expect(event?.getEventName()).toBe('second');
        expect(text(event?.getPayload_asU8() ?? new Uint8Array())).toBe('two');
        expect(event?.getChaincodeId()).toBe(CC);
        expect(event?.getTxId()).toBe(r.txId);
    });

    it('returns a chaincode throw as a COMPLETED status 500 response', async () => {
        const { conn } = connect();
        const { response } = await run(conn, new MemState(), ['throwing']).result;
        expect(response.getStatus()).toBe(500);
        expect(response.getMessage()).toBe('boom');
    });

    it('paginates in read-only transactions and refuses pagination mixed with writes', async () => {
        const { conn } = connect();
        const state = seeded(['a', 'b', 'c']);
        const page = run(conn, state, ['page', '', '', '2', '']);
        expect(JSON.parse(text((await page.result).response.getPayload_asU8()))).toEqual({ keys: ['a', 'b'], bookmark: 'c', count: 2 });
        expect(kvSet(page.sim).getWritesList()).toHaveLength(0);
        const next = run(conn, state, ['page', '', '', '2', 'c']);
        expect(JSON.parse(text((await next.result).response.getPayload_asU8()))).toEqual({ keys: ['c'], bookmark: '', count: 1 });

        const pw = run(conn, state, ['putThenPage']);
        const pwRes = (await pw.result).response;
        expect(pwRes.getStatus()).toBe(500);
        expect(pwRes.getMessage()).toBe(
            `GET_STATE_BY_RANGE failed: transaction ID: ${pw.txId}: txid [${pw.txId}]: unsuppored transaction. Paginated queries are supported only in a read-only transaction`,
        );
        const wp = run(conn, state, ['pageThenPut']);
        expect((await wp.result).response.getMessage()).toBe(
            `PUT_STATE failed: transaction ID: ${wp.txId}: txid [${wp.txId}]: unsuppored transaction. Transaction has already performed a paginated query. Writes are not allowed`,
        );
    });

    it('answers rich queries and private data with Fabric\'s errors', async () => {
        const { conn } = connect();
        const rq = run(conn, new MemState(), ['richQuery']);
        expect((await rq.result).response.getMessage()).toBe(`GET_QUERY_RESULT failed: transaction ID: ${rq.txId}: ExecuteQuery not supported for leveldb`);
        const pd = run(conn, new MemState(), ['privateGet']);
        expect((await pd.result).response.getMessage()).toBe(`GET_STATE failed: transaction ID: ${pd.txId}: collection ${CH}/${CC}/coll could not be found`);
    });

    it('serves history newest first and state metadata', async () => {
        const { conn } = connect();
        const state = new MemState();
        const at = (n: number) => ({ blockNum: BigInt(n), txNum: 0 });
        state.apply([{ namespace: CC, key: 'h', value: b('1') }], at(1), { txId: 'w1', timestamp: { seconds: 100n, nanos: 0 } });
        state.apply([{ namespace: CC, key: 'h', value: b('2') }], at(2), { txId: 'w2', timestamp: { seconds: 200n, nanos: 0 } });
        state.apply([{ namespace: CC, key: 'h', value: undefined }], at(3), { txId: 'w3', timestamp: { seconds: 300n, nanos: 0 } });
        const h = run(conn, state, ['history', 'h']);
        expect(JSON.parse(text((await h.result).response.getPayload_asU8()))).toEqual([
            { txId: 'w3', value: '', isDelete: true, seconds: 300 },
            { txId: 'w2', value: '2', isDelete: false, seconds: 200 },
            { txId: 'w1', value: '1', isDelete: false, seconds: 100 },
        ]);
        expect(h.sim.getTxSimulationResults().rwset.getNsRwsetList()).toHaveLength(0); // history reads are not in the rwset

        const set = run(conn, state, ['setEp', 'k', 'policy-bytes']);
        await set.result;
        const mw = kvSet(set.sim).getMetadataWritesList()[0];
        expect([mw?.getKey(), mw?.getEntriesList().map((e) => [e.getName(), text(e.getValue_asU8())])]).toEqual([
            'k',
            [['VALIDATION_PARAMETER', 'policy-bytes']],
        ]);
        state.apply([{ namespace: CC, key: 'k', value: b('x'), metadata: new Map([['VALIDATION_PARAMETER', b('committed-ep')]]) }], at(4));
        expect(text((await run(conn, state, ['getEp', 'k']).result).response.getPayload_asU8())).toBe('committed-ep');
    });

    it('delegates INVOKE_CHAINCODE to the injected callback', async () => {
        const calls: { name: string; channel: string; args: string[]; caller: string }[] = [];
        const invokeChaincode: InvokeChaincode = async (name, channel, input, caller) => {
            calls.push({ name, channel, args: input.getArgsList_asU8().map(text), caller: caller.callerChaincodeName });
            const resp = new peer.Response();
            resp.setStatus(200);
            resp.setPayload(b('hi'));
            const m = new peer.ChaincodeMessage();
            m.setType(peer.ChaincodeMessage.Type.COMPLETED);
            m.setPayload(resp.serializeBinary());
            m.setTxid(caller.txId);
            m.setChannelId(channel);
            return m;
        };
        const { conn } = connect({ invokeChaincode });
        const r = run(conn, new MemState(), ['callOther', 'other:1.0', 'k']);
        expect(JSON.parse(text((await r.result).response.getPayload_asU8()))).toEqual({ status: 200, payload: 'hi' });
        expect(calls).toEqual([{ name: 'other', channel: CH, args: ['get', 'k'], caller: CC }]);
    });

    it('runs many transactions in parallel on one stream and refuses a concurrent duplicate txid', async () => {
        const { conn } = connect();
        const state = seeded(['k']);
        const runs = Array.from({ length: 25 }, (_, i) => run(conn, state, ['put', `p${i}`, `${i}`]));
        const results = await Promise.all(runs.map((r) => r.result));
        expect(results.every((r) => r.response.getStatus() === 200)).toBe(true);
        runs.forEach((r, i) => expect(kvSet(r.sim).getWritesList().map((w) => w.getKey())).toEqual([`p${i}`]));

        const first = run(conn, state, ['slow', '200', 'k'], { txId: 'dup' });
        const second = run(conn, state, ['slow', '1', 'k'], { txId: 'dup' });
        const err = await rejection(second.result);
        expect(err.code).toBe('CHAINCODE_TXID_EXISTS');
        expect(err.message).toBe(`failed to execute transaction dup: error sending: txid: dup(${CH}) exists`);
        expect(text((await first.result).response.getPayload_asU8())).toBe('v-k');
    });

    it('times out, then answers the late shim request with "no ledger context"', async () => {
        const { conn, log } = connect();
        const r = run(conn, seeded(['k']), ['slow', '300', 'k'], { timeoutMs: 50 });
        const err = await rejection(r.result);
        expect(err.code).toBe('CHAINCODE_EXECUTE_TIMEOUT');
        expect(err.message).toBe(`failed to execute transaction ${r.txId}: error sending: timeout expired while executing transaction`);
        await new Promise((resolve) => setTimeout(resolve, 600));
        // the shim's GET_STATE got ERROR "no ledger context", its chaincode returned 500, and the peer dropped that COMPLETED
        expect(log).toContain(`debug received GET_STATE txid=${r.txId} channel=${CH}`);
        expect(log).toContain(`debug sending ERROR: GET_STATE failed: transaction ID: ${r.txId}: no ledger context`);
        expect(log.some((l) => l.includes(`notifier Txid:${r.txId}, channelID:${CH} does not exist for handling message COMPLETED`))).toBe(true);
    });

    it('fails with "transaction returned with failure" when the shim answers ERROR', async () => {
        const { conn } = connect();
        const txId = 'badproposal';
        const bad = new peer.SignedProposal();
        bad.setProposalBytes(new peer.Proposal().serializeBinary());
        const input = new peer.ChaincodeInput();
        input.setArgsList([b('get'), b('k')]);
        const sim = new TxSimulator({ txId, snapshot: new MemState().snapshot() });
        const err = await rejection(conn.execute({ channelId: CH, txId, chaincodeName: CC, signedProposal: bad, input, simulator: sim }));
        expect(err.code).toBe('CHAINCODE_TRANSACTION_FAILED');
        expect(err.message).toBe('transaction returned with failure: Error: Proposal header is empty');
    });

    it('refuses a chaincode that registers with another package id', async () => {
        const { conn, log } = connect({ packageId: 'someone-else:1' });
        const r = run(conn, new MemState(), ['whoami'], { txId: 'wrongid' });
        const err = await rejection(r.result);
        expect(err.code).toBe('CHAINCODE_LAUNCH_FAILED');
        expect(err.message).toBe(
            `failed to execute transaction wrongid: could not launch chaincode someone-else:1: chaincode registration failed: peer will not accept external chaincode connection ${PKG} (except in dev mode)`,
        );
        expect(log.some((l) => l.includes('chaincode registration refused'))).toBe(true);
    });

    it('fails pending transactions when the stream dies and relaunches lazily', async () => {
        const own = await startChaincodeServer(PKG);
        const { conn } = connect({ address: own.address });
        const state = seeded(['k']);
        const pending = [run(conn, state, ['slow', '5000', 'k']), run(conn, state, ['slow', '5000', 'k'])];
        await new Promise((resolve) => setTimeout(resolve, 100));
        own.kill();
        for (const p of pending) {
            const err = await rejection(p.result);
            expect(err.code).toBe('CHAINCODE_STREAM_TERMINATED');
            expect(err.message).toBe(`failed to execute transaction ${p.txId}: error sending: chaincode stream terminated`);
        }
        const down = await rejection(run(conn, state, ['get', 'k']).result);
        expect(down.code).toBe('CHAINCODE_LAUNCH_FAILED');
        expect(down.message).toContain(`could not launch chaincode ${PKG}: connection to ${PKG} failed`);

        const again = await startChaincodeServer(PKG, own.address);
        try {
            const res = await run(conn, state, ['get', 'k']).result;
            expect(JSON.parse(text(res.response.getPayload_asU8()))).toEqual({ found: true, value: 'v-k' });
        } finally {
            conn.close();
            await again.stop();
        }
    });
});
