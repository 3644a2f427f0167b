// Tests for txsimulator.ts (cf. core/ledger/kvledger/txmgmt/txmgr/tx_simulator_test.go, rwsetutil/query_results_helper_test.go).
import { createHash } from 'node:crypto';
import { ledger } from '@hyperledger/fabric-protos';
import { MemState } from './memstate';
import { TxSimulator } from './txsimulator';

const kvrwset = ledger.rwset.kvrwset;
const b = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const v = (blockNum: number, txNum: number) => ({ blockNum: BigInt(blockNum), txNum });

function seeded(ns: string, keys: readonly string[]): MemState {
    const state = new MemState();
    state.apply(
        keys.map((k) => ({ namespace: ns, key: k, value: b(`v-${k}`) })),
        v(1, 0),
    );
    return state;
}

function nsSets(sim: TxSimulator): { namespace: string; kv: ledger.rwset.kvrwset.KVRWSet }[] {
    return sim
        .getTxSimulationResults()
        .rwset.getNsRwsetList()
        .map((ns) => ({ namespace: ns.getNamespace(), kv: kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8()) }));
}

describe('TxSimulator', () => {
    it('reads committed state only and records versions (none for absent keys)', async () => {
        const sim = new TxSimulator({ txId: 'tx1', snapshot: seeded('cc', ['a']).snapshot() });
        await sim.setState('cc', 'a', b('mine'));
        await sim.setState('cc', 'new', b('mine'));
        expect(Buffer.from((await sim.getState('cc', 'a')) ?? []).toString()).toBe('v-a');
        expect(await sim.getState('cc', 'new')).toBeUndefined();
        const [cc] = nsSets(sim);
        const reads = cc?.kv.getReadsList().map((r) => [r.getKey(), r.getVersion()?.toObject()]);
        expect(reads).toEqual([
            ['a', { blockNum: 1, txNum: 0 }],
            ['new', undefined],
        ]);
    });

    it('treats an empty put as a delete and keeps the last write', async () => {
        const sim = new TxSimulator({ txId: 'tx', snapshot: new MemState().snapshot() });
        await sim.setState('cc', 'k', b('1'));
        await sim.setState('cc', 'k', b('2'));
        await sim.setState('cc', 'gone', b('x'));
        await sim.setState('cc', 'gone', new Uint8Array());
        await sim.deleteState('cc', 'd');
        const writes = nsSets(sim)[0]?.kv.getWritesList().map((w) => [w.getKey(), w.getIsDelete(), Buffer.from(w.getValue_asU8()).toString()]);
        expect(writes).toEqual([
            ['d', true, ''],
            ['gone', true, ''],
            ['k', false, '2'],
        ]);
    });

    it('sorts namespaces and keys by UTF-8 bytes, not UTF-16 code units', async () => {
        const high = '\uff61'; // EF BD A1
        const astral = '\u{1F600}'; // F0 9F 98 80, but a surrogate pair (D83D) in UTF-16
        expect(astral < high).toBe(true); // JS order is the wrong one
        const sim = new TxSimulator({ txId: 'tx', snapshot: new MemState().snapshot() });
        for (const ns of [astral, high, 'b', 'a']) {
            await sim.setState(ns, astral, b('1'));
            await sim.setState(ns, high, b('1'));
            await sim.setState(ns, 'z', b('1'));
        }
        expect(sim.writtenNamespaces()).toEqual(['a', 'b', high, astral]);
        const sets = nsSets(sim);
        expect(sets.map((s) => s.namespace)).toEqual(['a', 'b', high, astral]);
        expect(sets[0]?.kv.getWritesList().map((w) => w.getKey())).toEqual(['z', high, astral]);
    });

    it('serializes deterministically whatever the order of operations', async () => {
        const state = seeded('cc', ['a', 'b']);
        const one = new TxSimulator({ txId: 't', snapshot: state.snapshot() });
        await one.getState('cc', 'b');
        await one.getState('cc', 'a');
        await one.setState('zz', 'x', b('1'));
        await one.setState('cc', 'y', b('2'));
        const two = new TxSimulator({ txId: 't', snapshot: state.snapshot() });
        await two.setState('cc', 'y', b('2'));
        await two.setState('zz', 'x', b('1'));
        await two.getState('cc', 'a');
        await two.getState('cc', 'b');
        expect(Buffer.from(one.getTxSimulationResults().bytes).equals(Buffer.from(two.getTxSimulationResults().bytes))).toBe(true);
    });

    it('hides own writes from ranges and records the keys pulled (raw reads up to 50)', async () => {
        const sim = new TxSimulator({ txId: 'tx', snapshot: seeded('cc', ['k1', 'k2', 'k3', 'k4']).snapshot() });
        await sim.setState('cc', 'k0', b('mine'));
        const itr = await sim.getStateByRange('cc', 'k0', 'k9');
        expect((await itr.next())?.key).toBe('k1');
        expect((await itr.next())?.key).toBe('k2');
        await itr.close();
        const full = await sim.getStateByRange('cc', '', '');
        const keys: string[] = [];
        for (let kv = await full.next(); kv !== undefined; kv = await full.next()) keys.push(kv.key);
        expect(keys).toEqual(['k1', 'k2', 'k3', 'k4']);
        const infos = nsSets(sim)[0]?.kv.getRangeQueriesInfoList() ?? [];
        expect(infos.map((i) => [i.getStartKey(), i.getEndKey(), i.getItrExhausted()])).toEqual([
            ['k0', 'k2', false],
            ['', '', true],
        ]);
        expect(infos[0]?.getRawReads()?.getKvReadsList().map((r) => r.getKey())).toEqual(['k1', 'k2']);
        expect(infos[1]?.getRawReads()?.getKvReadsList().map((r) => [r.getKey(), r.getVersion()?.getBlockNum()])).toEqual([
            ['k1', 1],
            ['k2', 1],
            ['k3', 1],
            ['k4', 1],
        ]);
    });

    it('sets neither raw reads nor a summary for an empty range, and dedupes identical range infos', async () => {
        const sim = new TxSimulator({ txId: 'tx', snapshot: new MemState().snapshot() });
        for (let i = 0; i < 2; i++) {
            const itr = await sim.getStateByRange('cc', 'a', 'b');
            expect(await itr.next()).toBeUndefined();
        }
        const infos = nsSets(sim)[0]?.kv.getRangeQueriesInfoList() ?? [];
        expect(infos).toHaveLength(1);
        expect(infos[0]?.hasRawReads()).toBe(false);
        expect(infos[0]?.hasReadsMerkleHashes()).toBe(false);
    });

    it('summarises more than 50 pulled keys as a Merkle tree of degree 50', async () => {
        const keys = Array.from({ length: 120 }, (_, i) => `key${String(i).padStart(3, '0')}`);
        const sim = new TxSimulator({ txId: 'tx', snapshot: seeded('cc', keys).snapshot() });
        const itr = await sim.getStateByRange('cc', '', '');
        for (let i = 0; i < 101; i++) await itr.next();
        const info = nsSets(sim)[0]?.kv.getRangeQueriesInfoList()[0];
        expect(info?.hasRawReads()).toBe(false);
        expect(info?.getEndKey()).toBe('key100');
        expect(info?.getItrExhausted()).toBe(false);
        const summary = info?.getReadsMerkleHashes();
        expect(summary?.getMaxDegree()).toBe(50);
        expect(summary?.getMaxLevel()).toBe(1);
        // leaves: sha256(QueryReads(reads 0..50)), sha256(QueryReads(reads 51..100))
        const leaf = (from: number, to: number): string => {
            const qr = new kvrwset.QueryReads();
            qr.setKvReadsList(
                keys.slice(from, to).map((k) => {
                    const r = new kvrwset.KVRead();
                    r.setKey(k);
                    const ver = new kvrwset.Version();
                    ver.setBlockNum(1);
                    ver.setTxNum(0);
                    r.setVersion(ver);
                    return r;
                }),
            );
            return createHash('sha256').update(qr.serializeBinary()).digest('hex');
        };
        expect(summary?.getMaxLevelHashesList_asU8().map((h) => Buffer.from(h).toString('hex'))).toEqual([leaf(0, 51), leaf(51, 101)]);
    });

    it('paginates with a bookmark and refuses pagination in a writing transaction', async () => {
        const keys = ['a', 'b', 'c', 'd', 'e'];
        const state = seeded('cc', keys);
        const reader = new TxSimulator({ txId: 'r', snapshot: state.snapshot() });
        const p1 = await reader.getStateByRangeWithPagination('cc', '', '', 2, '');
        expect(p1.records.map((r) => r.key)).toEqual(['a', 'b']);
        expect(p1.metadata).toEqual({ fetchedRecordsCount: 2, bookmark: 'c' });
        const p3 = await reader.getStateByRangeWithPagination('cc', '', '', 2, 'e');
        expect(p3.records.map((r) => r.key)).toEqual(['e']);
        expect(p3.metadata).toEqual({ fetchedRecordsCount: 1, bookmark: '' });
        await expect(reader.setState('cc', 'x', b('1'))).rejects.toThrow(
            'txid [r]: unsuppored transaction. Transaction has already performed a paginated query. Writes are not allowed',
        );

        const writer = new TxSimulator({ txId: 'w', snapshot: state.snapshot() });
        await writer.setState('cc', 'x', b('1'));
        await expect(writer.getStateByRangeWithPagination('cc', '', '', 2, '')).rejects.toThrow(
            'txid [w]: unsuppored transaction. Paginated queries are supported only in a read-only transaction',
        );
    });

    it('has no rich queries, history only with a history reader, and refuses use after done()', async () => {
        const state = seeded('cc', ['a']);
        const sim = new TxSimulator({ txId: 't', snapshot: state.snapshot() });
        await expect(sim.executeQuery()).rejects.toThrow('ExecuteQuery not supported for leveldb');
        await expect(sim.getHistoryForKey('cc', 'a')).rejects.toThrow('history database is not enabled');
        await sim.done();
        await expect(sim.getState('cc', 'a')).rejects.toThrow('this instance should not be used after calling Done()');
        sim.getTxSimulationResults();
        expect(() => sim.getTxSimulationResults()).toThrow('this function should only be called once on a transaction simulator instance');
    });

    it('records metadata writes with sorted entries and notes committed metadata of written keys', async () => {
        const state = new MemState();
        state.apply([{ namespace: 'cc', key: 'k', value: b('1'), metadata: new Map([['VALIDATION_PARAMETER', b('ep')]]) }], v(2, 3));
        const sim = new TxSimulator({ txId: 't', snapshot: state.snapshot() });
        expect(Buffer.from((await sim.getStateMetadata('cc', 'k')).get('VALIDATION_PARAMETER') ?? []).toString()).toBe('ep');
        await sim.setStateMetadata('cc', 'm', new Map([['z', b('2')], ['a', b('1')]]));
        await sim.setState('cc', 'k', b('2'));
        const res = sim.getTxSimulationResults();
        const kv = kvrwset.KVRWSet.deserializeBinary(res.rwset.getNsRwsetList()[0]?.getRwset_asU8() ?? new Uint8Array());
        expect(kv.getMetadataWritesList()[0]?.getEntriesList().map((e) => e.getName())).toEqual(['a', 'z']);
        expect(kv.getReadsList().map((r) => r.getVersion()?.toObject())).toEqual([{ blockNum: 2, txNum: 3 }]);
        expect(Buffer.from(res.writesetMetadata.get('cc')?.get('k')?.get('VALIDATION_PARAMETER') ?? []).toString()).toBe('ep');
    });
});
