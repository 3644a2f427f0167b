// Tests for memstate.ts (cf. core/ledger/kvledger/txmgmt/statedb/stateleveldb/stateleveldb_test.go).
import { MemState } from './memstate';

const b = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const ver = (n: number) => ({ blockNum: BigInt(n), txNum: 0 });

async function keysOf(it: AsyncIterableIterator<{ key: string }>): Promise<string[]> {
    const out: string[] = [];
    for await (const kv of it) out.push(kv.key);
    return out;
}

describe('MemState', () => {
    it('ranges in UTF-8 byte order with an exclusive end and empty end = namespace end', async () => {
        const state = new MemState();
        const keys = ['\u{1F600}', '\uff61', 'b', 'a', '\u0000x\u0000'];
        state.apply(keys.map((key) => ({ namespace: 'cc', key, value: b(key) })), ver(1));
        state.apply([{ namespace: 'other', key: 'a', value: b('1') }], ver(2));
        const snap = state.snapshot();
        expect(await keysOf(snap.range('cc', '', ''))).toEqual(['\u0000x\u0000', 'a', 'b', '\uff61', '\u{1F600}']);
        expect(await keysOf(snap.range('cc', 'a', '\uff61'))).toEqual(['a', 'b']);
        expect(await keysOf(snap.range('cc', '\u0001', ''))).toEqual(['a', 'b', '\uff61', '\u{1F600}']);
    });

    it('keeps snapshots consistent across later applies; deletes and metadata follow KeyWrite rules', async () => {
        const state = new MemState();
        state.apply([{ namespace: 'cc', key: 'k', value: b('1'), metadata: new Map([['m', b('x')]]) }], ver(1), {
            txId: 't1',
            timestamp: { seconds: 10n, nanos: 0 },
        });
        const before = state.snapshot();
        state.apply([{ namespace: 'cc', key: 'k', value: b('2') }], ver(2), { txId: 't2', timestamp: { seconds: 20n, nanos: 0 } });
        const mid = state.snapshot();
        state.apply([{ namespace: 'cc', key: 'k', value: undefined }], ver(3), { txId: 't3', timestamp: { seconds: 30n, nanos: 0 } });
        expect(Buffer.from((await before.get('cc', 'k'))?.value ?? []).toString()).toBe('1');
        const m = await mid.get('cc', 'k');
        expect(Buffer.from(m?.value ?? []).toString()).toBe('2');
        expect(m?.version).toEqual(ver(2));
        expect(Buffer.from(m?.metadata.get('m') ?? []).toString()).toBe('x');
        expect(await state.snapshot().get('cc', 'k')).toBeUndefined();
        const history: string[] = [];
        for await (const h of state.getHistoryForKey('cc', 'k')) history.push(`${h.txId}:${h.isDelete}`);
        expect(history).toEqual(['t3:true', 't2:false', 't1:false']);
        await before.close();
        await expect(before.get('cc', 'k')).rejects.toThrow('closed');
    });

    it('applies a metadata-only write as Fabric does: value kept, new version, metadata replaced, no history', async () => {
        const m = new MemState();
        const tx = (id: string) => ({ txId: id, timestamp: { seconds: 1n, nanos: 0 } });
        m.apply([{ namespace: 'cc', key: 'k', value: new Uint8Array([1]) }], { blockNum: 1n, txNum: 0 }, tx('t1'));
        const policy = new Uint8Array([9, 9]);
        m.apply([{ namespace: 'cc', key: 'k', value: undefined, metadata: new Map([['VALIDATION_PARAMETER', policy]]), metadataOnly: true }], { blockNum: 2n, txNum: 3 }, tx('t2'));
        m.apply([{ namespace: 'cc', key: 'absent', value: undefined, metadata: new Map([['X', policy]]), metadataOnly: true }], { blockNum: 3n, txNum: 0 }, tx('t3'));
        const snap = m.snapshot();
        const v = await snap.get('cc', 'k');
        expect(v?.value).toEqual(new Uint8Array([1]));
        expect(v?.version).toEqual({ blockNum: 2n, txNum: 3 });
        expect(v?.metadata.get('VALIDATION_PARAMETER')).toEqual(policy);
        expect(await snap.get('cc', 'absent')).toBeUndefined();
        const history: string[] = [];
        for await (const h of m.getHistoryForKey('cc', 'k')) history.push(h.txId);
        expect(history).toEqual(['t1']);
    });
});
