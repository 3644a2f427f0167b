import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { common } from '@hyperledger/fabric-protos';
import { blockHeaderHash } from './blockhash';
import { BlockStore } from './blockstore';
import { LedgerError } from './errors';
import { KVLedger, ledgerPaths } from './kvledger';
import { configTx, endorserTx, makeBlock, type FixtureNamespace } from './testing';
import type { KeyWrite, StateSnapshot, TxUpdate } from './types';

let dir: string;
let ledger: KVLedger;
let nextTx = 0;

beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'devnet-kvledger-'));
    ledger = await KVLedger.open(dir, 'mychannel');
    await ledger.commit(makeBlock(0, new Uint8Array(0), [configTx('genesis')]));
});
afterEach(async () => {
    await ledger.close();
    await fsp.rm(dir, { recursive: true, force: true });
});

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString('utf8'));

/** One block whose txs carry the given namespaces' writes; codes default to all VALID. Updates derived from the block. */
async function commitTxs(txs: ReadonlyArray<readonly FixtureNamespace[]>, codes?: readonly number[], l: KVLedger = ledger): Promise<string[]> {
    const ids = txs.map(() => `tx${nextTx++}`);
    const envs = txs.map((namespaces, i) => endorserTx({ txId: ids[i] ?? '', seconds: 1000 + nextTx, namespaces }));
    const info = await l.getChainInfo();
    await l.commit(makeBlock(info.height, info.currentBlockHash, envs, codes));
    return ids;
}

async function put(key: string, value: string, ns = 'cc'): Promise<string> {
    const [id] = await commitTxs([[{ namespace: ns, writes: [{ key, value }] }]]);
    return id ?? '';
}

async function keys(snap: StateSnapshot, ns: string, start: string, end: string): Promise<string[]> {
    const out: string[] = [];
    for await (const kv of snap.range(ns, start, end)) out.push(kv.key);
    return out;
}

async function withSnapshot<T>(fn: (s: StateSnapshot) => Promise<T>): Promise<T> {
    const s = ledger.snapshot();
    try {
        return await fn(s);
    } finally {
        await s.close();
    }
}

describe('KVLedger state', () => {
    it('orders keys as UTF-8 bytes, not JS strings (surrogate pairs after U+E000..U+FFFF)', async () => {
        const all = ['a', 'b', 'Z', '\u00e9', '\u{10000}', '\uffff', '\ue000', '\u0000obj\u0000b\u0000', '\u0000obj\u0000a\u0000', 'a\u0000', ''];
        await commitTxs([[{ namespace: 'cc', writes: all.filter((k) => k !== '').map((key) => ({ key, value: 'v' })) }]]);
        await put('zz', 'v', 'cc2'); // another namespace must not leak into the range
        const got = await withSnapshot((s) => keys(s, 'cc', '', ''));
        const byBytes = all.filter((k) => k !== '').sort((x, y) => Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8')));
        expect(got).toEqual(byBytes);
        expect(got).toEqual(['\u0000obj\u0000a\u0000', '\u0000obj\u0000b\u0000', 'Z', 'a', 'a\u0000', 'b', '\u00e9', '\ue000', '\uffff', '\u{10000}']);
        // JS string order would put U+10000 (a surrogate pair, 0xD800...) before U+E000.
        expect([...got].sort()).not.toEqual(got);
    });

    it('ranges are start-inclusive, end-exclusive, lazy, and empty when start >= end', async () => {
        await commitTxs([[{ namespace: 'cc', writes: ['k1', 'k2', 'k3', 'k4'].map((key) => ({ key, value: key })) }]]);
        await withSnapshot(async (s) => {
            expect(await keys(s, 'cc', 'k2', 'k4')).toEqual(['k2', 'k3']);
            expect(await keys(s, 'cc', 'k2', '')).toEqual(['k2', 'k3', 'k4']);
            expect(await keys(s, 'cc', 'k3', 'k3')).toEqual([]);
            expect(await keys(s, 'cc', 'k4', 'k1')).toEqual([]);
            const it = s.range('cc', '', '');
            const first = await it.next();
            expect(first.done === true ? undefined : first.value.key).toBe('k1');
            // abandoned iterator: close() must still complete
        });
    });

    it('stores value, version (block, txNum incl. invalid) and reads absent keys as undefined', async () => {
        await commitTxs(
            [[{ namespace: 'cc', writes: [{ key: 'a', value: 'bad' }] }], [{ namespace: 'cc', writes: [{ key: 'a', value: 'good' }] }]],
            [11, 0],
        );
        await withSnapshot(async (s) => {
            const v = await s.get('cc', 'a');
            expect(text(v?.value)).toBe('good');
            expect(v?.version).toEqual({ blockNum: 1n, txNum: 1 });
            expect(v?.metadata.size).toBe(0);
            expect(await s.get('cc', 'missing')).toBeUndefined();
            expect(await s.get('other', 'a')).toBeUndefined();
        });
    });

    it('treats an empty put as a delete', async () => {
        await put('k', 'v');
        await commitTxs([[{ namespace: 'cc', writes: [{ key: 'k', value: '' }] }]]);
        expect(await withSnapshot((s) => s.get('cc', 'k'))).toBeUndefined();
    });

    it('keeps metadata on a put, replaces it when given, drops it on delete; metadata-only writes keep the value', async () => {
        await commitTxs([
            [{ namespace: 'cc', writes: [{ key: 'k', value: 'v1' }], metadataWrites: [{ key: 'k', entries: { VALIDATION_PARAMETER: 'ep1' } }] }],
        ]);
        await put('k', 'v2');
        let v = await withSnapshot((s) => s.get('cc', 'k'));
        expect(text(v?.value)).toBe('v2');
        expect(text(v?.metadata.get('VALIDATION_PARAMETER'))).toBe('ep1');

        await commitTxs([[{ namespace: 'cc', metadataWrites: [{ key: 'k', entries: { VALIDATION_PARAMETER: 'ep2' } }, { key: 'ghost', entries: { X: 'y' } }] }]]);
        v = await withSnapshot((s) => s.get('cc', 'k'));
        expect(text(v?.value)).toBe('v2');
        expect(text(v?.metadata.get('VALIDATION_PARAMETER'))).toBe('ep2');
        expect(v?.version.blockNum).toBe(BigInt(ledger.height - 1));
        expect(await withSnapshot((s) => s.get('cc', 'ghost'))).toBeUndefined();

        await commitTxs([[{ namespace: 'cc', writes: [{ key: 'k', isDelete: true }] }]]);
        await put('k', 'v3');
        v = await withSnapshot((s) => s.get('cc', 'k'));
        expect(text(v?.value)).toBe('v3');
        expect(v?.metadata.size).toBe(0);
    });

    it('carries metadata across txs of the same block (later put sees the earlier metadata write)', async () => {
        await commitTxs([
            [{ namespace: 'cc', writes: [{ key: 'k', value: 'a' }], metadataWrites: [{ key: 'k', entries: { VALIDATION_PARAMETER: 'p' } }] }],
            [{ namespace: 'cc', writes: [{ key: 'k', value: 'b' }] }],
        ]);
        const v = await withSnapshot((s) => s.get('cc', 'k'));
        expect(text(v?.value)).toBe('b');
        expect(v?.version.txNum).toBe(1);
        expect(text(v?.metadata.get('VALIDATION_PARAMETER'))).toBe('p');
    });

    it('a snapshot does not see commits made after it was taken', async () => {
        await put('k', 'old');
        const snap = ledger.snapshot();
        const height = await snap.height();
        const it = snap.range('cc', '', '');
        await put('k', 'new');
        await put('k2', 'added');
        expect(text((await snap.get('cc', 'k'))?.value)).toBe('old');
        expect(await snap.get('cc', 'k2')).toBeUndefined();
        const seen: string[] = [];
        for await (const kv of it) seen.push(`${kv.key}=${text(kv.value)}`);
        expect(seen).toEqual(['k=old']);
        expect(await keys(snap, 'cc', '', '')).toEqual(['k']);
        expect(await snap.height()).toBe(height);
        await snap.close();
        await snap.close();
        await expect(snap.get('cc', 'k')).rejects.toMatchObject({ code: 'LEDGER_CLOSED' });
        expect(text((await withSnapshot((s) => s.get('cc', 'k')))?.value)).toBe('new');
        expect(await withSnapshot((s) => (s as ReturnType<KVLedger['snapshot']>).height())).toBe(ledger.height);
    });

    it('accepts explicit updates from the committer and rejects ones for invalid txs', async () => {
        const env = endorserTx({ txId: 'explicit', namespaces: [] });
        const info = await ledger.getChainInfo();
        const writes: KeyWrite[] = [{ namespace: 'cc', key: 'e', value: utf8('x') }];
        const bad: TxUpdate[] = [{ txNum: 0, txId: 'explicit', timestamp: { seconds: 5n, nanos: 0 }, writes }];
        const rejected = ledger.commit(makeBlock(info.height, info.currentBlockHash, [env], [11]), bad);
        await expect(rejected).rejects.toMatchObject({ code: 'LEDGER_INVALID_UPDATE' });
        expect(ledger.height).toBe(info.height);
        await ledger.commit(makeBlock(info.height, info.currentBlockHash, [env], [0]), bad);
        expect(text((await withSnapshot((s) => s.get('cc', 'e')))?.value)).toBe('x');
    });
});

describe('KVLedger history', () => {
    it('returns valid writes newest first with txid, timestamp and deletes', async () => {
        const [a] = await commitTxs([[{ namespace: 'cc', writes: [{ key: 'h', value: '1' }] }]]);
        const [invalid, b] = await commitTxs(
            [[{ namespace: 'cc', writes: [{ key: 'h', value: 'x' }] }], [{ namespace: 'cc', writes: [{ key: 'h', value: '2' }] }]],
            [11, 0],
        );
        const [c] = await commitTxs([[{ namespace: 'cc', writes: [{ key: 'h', isDelete: true }] }]]);
        await commitTxs([[{ namespace: 'cc', writes: [{ key: 'h\u0000x', value: 'composite' }], metadataWrites: [{ key: 'h', entries: { M: 'm' } }] }]]);
        const got: Array<[string, string | undefined, boolean]> = [];
        for await (const m of ledger.getHistoryForKey('cc', 'h')) got.push([m.txId, text(m.value), m.isDelete]);
        expect(got).toEqual([
            [c, '', true],
            [b, '2', false],
            [a, '1', false],
        ]);
        expect(got.map((g) => g[0])).not.toContain(invalid);
        const first = await ledger.getHistoryForKey('cc', 'h').next();
        expect(first.done === true ? undefined : first.value.timestamp).toEqual({ seconds: BigInt(1000 + Number(c?.slice(2)) + 1), nanos: 123 });
        const none: unknown[] = [];
        for await (const m of ledger.getHistoryForKey('cc', 'nothing')) none.push(m);
        expect(none).toEqual([]);
    });
});

describe('KVLedger blocks and chain info', () => {
    it('chains blocks and reports chain info and tx lookups', async () => {
        const genesis = (await ledger.getBlockByNumber(0)) as common.Block;
        let info = await ledger.getChainInfo();
        expect(info.height).toBe(1);
        expect(info.previousBlockHash.length).toBe(0);
        expect(Buffer.from(info.currentBlockHash)).toEqual(Buffer.from(blockHeaderHash(genesis.getHeader()!)));
        const [id] = await commitTxs([[{ namespace: 'cc', writes: [{ key: 'k', value: 'v' }] }]], [0]);
        info = await ledger.getChainInfo();
        expect(info.height).toBe(2);
        expect(Buffer.from(info.previousBlockHash)).toEqual(Buffer.from(blockHeaderHash(genesis.getHeader()!)));
        const b1 = await ledger.getBlockByHash(info.currentBlockHash);
        expect(b1?.getHeader()?.getNumber()).toBe(1);
        expect(ledger.getTxLocation(id ?? '')).toEqual({ blockNum: 1n, txNum: 0, validationCode: 0 });
        expect((await ledger.getBlockByTxId(id ?? ''))?.getHeader()?.getNumber()).toBe(1);
        expect((await ledger.getTransactionByTxId(id ?? ''))?.validationCode).toBe(0);
        await expect(ledger.commit(makeBlock(5, info.currentBlockHash, []))).rejects.toMatchObject({ code: 'LEDGER_UNEXPECTED_BLOCK_NUMBER' });
        await expect(ledger.commit(makeBlock(2, new Uint8Array(32), []))).rejects.toMatchObject({ code: 'LEDGER_PREVIOUS_HASH_MISMATCH' });
        expect(ledger.height).toBe(2);
    });

    it('notifies block listeners and tx / height waiters after commit', async () => {
        const seen: number[] = [];
        const off = ledger.onBlock((b) => {
            seen.push(b.getHeader()?.getNumber() ?? -1);
            throw new Error('listener failure must not break commit');
        });
        const waiting = ledger.waitForTx('tx-wait');
        const height = ledger.waitForHeight(2);
        const aborter = new AbortController();
        const aborted = ledger.waitForTx('never', aborter.signal);
        aborter.abort(new Error('gave up'));
        await expect(aborted).rejects.toThrow('gave up');
        const info = await ledger.getChainInfo();
        await ledger.commit(makeBlock(1, info.currentBlockHash, [endorserTx({ txId: 'tx-wait', namespaces: [] })], [10]));
        await expect(waiting).resolves.toEqual({ blockNum: 1n, txNum: 0, validationCode: 10 });
        await expect(height).resolves.toBeUndefined();
        await expect(ledger.waitForTx('tx-wait')).resolves.toMatchObject({ blockNum: 1n });
        expect(seen).toEqual([1]);
        off();
        await commitTxs([[]]);
        expect(seen).toEqual([1]);
        const pending = expect(ledger.waitForTx('after-close')).rejects.toBeInstanceOf(LedgerError);
        await ledger.close();
        await pending;
        ledger = await KVLedger.open(dir, 'mychannel');
    });
});

describe('KVLedger durability', () => {
    it('recovers state and history from blocks the state batch never saw (crash between the two steps)', async () => {
        await put('k', 'v1');
        await ledger.close();
        // Simulate: block appended + fsynced, then kill -9 before the LevelDB batch.
        const blocks = await BlockStore.open(ledgerPaths(dir).blocks);
        const env1 = endorserTx({
            txId: 'lost1',
            seconds: 77,
            namespaces: [
                { namespace: 'cc', writes: [{ key: 'k', value: 'v2' }, { key: 'n', value: 'new' }], metadataWrites: [{ key: 'k', entries: { VALIDATION_PARAMETER: 'p' } }] },
            ],
        });
        const envBad = endorserTx({ txId: 'lost-invalid', namespaces: [{ namespace: 'cc', writes: [{ key: 'k', value: 'bad' }] }] });
        const b2 = makeBlock(2, blocks.lastBlockHash, [env1, envBad], [0, 11]);
        await blocks.append(b2);
        const env3 = endorserTx({ txId: 'lost3', namespaces: [{ namespace: 'cc', writes: [{ key: 'n', isDelete: true }] }] });
        await blocks.append(makeBlock(3, blocks.lastBlockHash, [env3]));
        await blocks.close();

        ledger = await KVLedger.open(dir, 'mychannel');
        expect(ledger.height).toBe(4);
        await withSnapshot(async (s) => {
            const k = await s.get('cc', 'k');
            expect(text(k?.value)).toBe('v2');
            expect(k?.version).toEqual({ blockNum: 2n, txNum: 0 });
            expect(text(k?.metadata.get('VALIDATION_PARAMETER'))).toBe('p');
            expect(await s.get('cc', 'n')).toBeUndefined();
            expect(await (s as ReturnType<KVLedger['snapshot']>).height()).toBe(4);
        });
        const hist: string[] = [];
        for await (const m of ledger.getHistoryForKey('cc', 'k')) hist.push(m.txId);
        expect(hist[0]).toBe('lost1');
        expect(hist).not.toContain('lost-invalid');
        expect(ledger.getTxLocation('lost-invalid')?.validationCode).toBe(11);
        // and it keeps going
        await put('k', 'v3');
        expect(ledger.height).toBe(5);
    });

    it('survives reopen with a torn block-file tail and rejects another channel', async () => {
        await put('k', 'v');
        await ledger.close();
        await fsp.appendFile(path.join(ledgerPaths(dir).blocks, 'blockfile'), Buffer.from([0, 0, 0, 9, 1]));
        await expect(KVLedger.open(dir, 'otherchannel')).rejects.toMatchObject({ code: 'LEDGER_CHANNEL_MISMATCH' });
        ledger = await KVLedger.open(dir, 'mychannel');
        expect(ledger.height).toBe(2);
        expect(text((await withSnapshot((s) => s.get('cc', 'k')))?.value)).toBe('v');
        await put('k', 'w');
        expect(ledger.height).toBe(3);
    });

    it('refuses a state that is ahead of the block store', async () => {
        await put('k', 'v');
        await ledger.close();
        await fsp.rm(ledgerPaths(dir).blocks, { recursive: true });
        await expect(KVLedger.open(dir, 'mychannel')).rejects.toMatchObject({ code: 'LEDGER_STATE_AHEAD_OF_BLOCKS' });
        await fsp.rm(ledgerPaths(dir).state, { recursive: true });
        ledger = await KVLedger.open(dir, 'mychannel');
        expect(ledger.height).toBe(0);
    });
});
