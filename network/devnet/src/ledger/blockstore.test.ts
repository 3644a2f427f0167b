import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { common } from '@hyperledger/fabric-protos';
import { blockHeaderHash } from './blockhash';
import { BLOCK_FILE, BlockStore } from './blockstore';
import { LedgerError } from './errors';
import { configTx, endorserTx, makeBlock } from './testing';

let dir: string;
beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'devnet-blockstore-'));
});
afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
});

function tx(id: string): Uint8Array {
    return endorserTx({ txId: id, namespaces: [{ namespace: 'cc', writes: [{ key: id, value: 'v' }] }] });
}

/** Appends blocks 0..count-1 (block n holds tx `t<n>`), chained. */
async function fill(store: BlockStore, count: number): Promise<common.Block[]> {
    const blocks: common.Block[] = [];
    for (let n = store.height; n < count; n++) {
        const b = makeBlock(n, store.lastBlockHash, n === 0 ? [configTx('genesis')] : [tx(`t${n}`)]);
        await store.append(b);
        blocks.push(b);
    }
    return blocks;
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
    try {
        await p;
        return undefined;
    } catch (err) {
        return err instanceof LedgerError ? err.code : String(err);
    }
}

describe('BlockStore', () => {
    it('appends, indexes and reads back by number, hash and txid', async () => {
        const store = await BlockStore.open(dir);
        expect(store.height).toBe(0);
        expect(store.lastBlockHash.length).toBe(0);
        const [b0, b1] = await fill(store, 2);
        expect(store.height).toBe(2);
        expect(Buffer.from(store.lastBlockHash)).toEqual(Buffer.from(blockHeaderHash(b1!.getHeader()!)));
        expect(Buffer.from(store.lastBlockPreviousHash)).toEqual(Buffer.from(blockHeaderHash(b0!.getHeader()!)));
        expect((await store.getBlockByNumber(1))?.serializeBinary()).toEqual(b1!.serializeBinary());
        expect((await store.getBlockByNumber(1n))?.getHeader()?.getNumber()).toBe(1);
        expect(await store.getBlockByNumber(2)).toBeUndefined();
        expect(await store.getBlockByNumber(-1n)).toBeUndefined();
        expect((await store.getBlockByHash(blockHeaderHash(b0!.getHeader()!)))?.getHeader()?.getNumber()).toBe(0);
        expect(await store.getBlockByHash(new Uint8Array(32))).toBeUndefined();
        expect(store.getTxLocation('t1')).toEqual({ blockNum: 1n, txNum: 0, validationCode: 0 });
        expect((await store.getBlockByTxId('genesis'))?.getHeader()?.getNumber()).toBe(0);
        expect(await store.getTransactionByTxId('nope')).toBeUndefined();
        await store.close();
        await store.close();
    });

    it('rejects a wrong number or a broken hash chain', async () => {
        const store = await BlockStore.open(dir);
        await fill(store, 1);
        expect(await code(store.append(makeBlock(2, store.lastBlockHash, [])))).toBe('LEDGER_UNEXPECTED_BLOCK_NUMBER');
        expect(await code(store.append(makeBlock(1, new Uint8Array(32), [])))).toBe('LEDGER_PREVIOUS_HASH_MISMATCH');
        await store.append(makeBlock(1, store.lastBlockHash, []));
        expect(store.height).toBe(2);
        await store.close();
    });

    it('keeps the first occurrence of a txid with its validation code, invalid ones included', async () => {
        const store = await BlockStore.open(dir);
        await fill(store, 1);
        await store.append(makeBlock(1, store.lastBlockHash, [tx('dup'), tx('x'), tx('dup')], [11, 0, 0]));
        await store.append(makeBlock(2, store.lastBlockHash, [tx('dup')], [9]));
        expect(store.getTxLocation('dup')).toEqual({ blockNum: 1n, txNum: 0, validationCode: 11 });
        expect(store.getTxLocation('x')).toEqual({ blockNum: 1n, txNum: 1, validationCode: 0 });
        const t = await store.getTransactionByTxId('dup');
        expect(t?.validationCode).toBe(11);
        expect(Buffer.from(t!.envelope)).toEqual(Buffer.from(tx('dup')));
        await store.close();
        const again = await BlockStore.open(dir);
        expect(again.getTxLocation('dup')).toEqual({ blockNum: 1n, txNum: 0, validationCode: 11 });
        await again.close();
    });

    it.each([
        ['a partial record header', () => Buffer.from([0, 0, 1])],
        ['a record cut mid-block', () => Buffer.concat([Buffer.from([0, 0, 0, 50, 1, 2, 3, 4]), Buffer.alloc(20, 7)])],
        ['garbage with a huge length', () => Buffer.from('ffffffffgarbage-garbage')],
    ])('truncates %s at the tail and keeps appending', async (_name, tail) => {
        const store = await BlockStore.open(dir);
        await fill(store, 3);
        await store.close();
        const file = path.join(dir, BLOCK_FILE);
        const goodSize = (await fsp.stat(file)).size;
        await fsp.appendFile(file, tail());
        const reopened = await BlockStore.open(dir);
        expect(reopened.height).toBe(3);
        expect((await fsp.stat(file)).size).toBe(goodSize);
        await fill(reopened, 5);
        await reopened.close();
        const third = await BlockStore.open(dir);
        expect(third.height).toBe(5);
        expect(third.getTxLocation('t4')?.blockNum).toBe(4n);
        await third.close();
    });

    it('drops a last record whose bytes do not match its CRC', async () => {
        const store = await BlockStore.open(dir);
        await fill(store, 3);
        await store.close();
        const file = path.join(dir, BLOCK_FILE);
        const bytes = await fsp.readFile(file);
        bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff; // flip a bit inside block 2
        await fsp.writeFile(file, bytes);
        const reopened = await BlockStore.open(dir);
        expect(reopened.height).toBe(2);
        expect(reopened.getTxLocation('t2')).toBeUndefined();
        await fill(reopened, 3);
        expect(reopened.getTxLocation('t2')?.blockNum).toBe(2n);
        await reopened.close();
    });

    it('serializes concurrent appends', async () => {
        const store = await BlockStore.open(dir);
        await fill(store, 1);
        const b1 = makeBlock(1, store.lastBlockHash, [tx('t1')]);
        const b2 = makeBlock(2, blockHeaderHash(b1.getHeader()!), [tx('t2')]);
        await Promise.all([store.append(b1), store.append(b2)]);
        expect(store.height).toBe(3);
        await store.close();
    });
});
