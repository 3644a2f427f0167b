import { BlockCutter } from './blockcutter';

const msg = (n: number): Uint8Array => new Uint8Array(n);

describe('BlockCutter (orderer/common/blockcutter)', () => {
    it('cuts at MaxMessageCount', () => {
        const c = new BlockCutter({ maxMessageCount: 3, absoluteMaxBytes: 1000, preferredMaxBytes: 500 });
        expect(c.ordered(msg(1))).toEqual({ batches: [], pending: true });
        expect(c.ordered(msg(1)).batches).toHaveLength(0);
        const r = c.ordered(msg(1));
        expect(r.batches).toHaveLength(1);
        expect(r.batches[0]).toHaveLength(3);
        expect(r.pending).toBe(false);
    });

    it('flushes pending before a message that would overflow PreferredMaxBytes', () => {
        const c = new BlockCutter({ maxMessageCount: 10, absoluteMaxBytes: 1000, preferredMaxBytes: 100 });
        c.ordered(msg(60));
        const r = c.ordered(msg(60));
        expect(r.batches.map((b) => b.length)).toEqual([1]);
        expect(r.pending).toBe(true);
        expect(c.pendingCount).toBe(1);
    });

    it('cuts a message larger than PreferredMaxBytes alone, after flushing', () => {
        const c = new BlockCutter({ maxMessageCount: 10, absoluteMaxBytes: 1000, preferredMaxBytes: 100 });
        c.ordered(msg(10));
        const r = c.ordered(msg(200));
        expect(r.batches.map((b) => b.map((e) => e.length))).toEqual([[10], [200]]);
        expect(r.pending).toBe(false);
    });

    it('cut() returns pending and resets', () => {
        const c = new BlockCutter({ maxMessageCount: 10, absoluteMaxBytes: 1000, preferredMaxBytes: 100 });
        c.ordered(msg(5));
        c.ordered(msg(5));
        expect(c.cut()).toHaveLength(2);
        expect(c.cut()).toHaveLength(0);
    });
});
