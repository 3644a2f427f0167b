import { backoffMs, parseEventId, ResumeState, SseParser } from './sse';

describe('SseParser', () => {
    it('parses the gateway frames: retry, keep-alive comments, id + data, event: error', () => {
        const p = new SseParser();
        const frames = p.push('retry: 2000\n\n: keep-alive\n\nid: 7:tx1\ndata: {"blockNumber":"7","txId":"tx1"}\n\nevent: error\ndata: {"code":"UNAVAILABLE"}\n\n');
        expect(p.retryMs).toBe(2000);
        expect(frames).toEqual([
            { event: 'message', data: '{"blockNumber":"7","txId":"tx1"}', id: '7:tx1' },
            { event: 'error', data: '{"code":"UNAVAILABLE"}', id: '7:tx1' },
        ]);
        expect(p.lastEventId).toBe('7:tx1');
    });

    it('gives the same frames whatever the chunking, CRLF and CR line ends included', () => {
        const text = 'id: 1:a\r\ndata: one\r\ndata: two\r\n\r\nid: 2:b\rdata: three\r\r:c\n\nid: 3:c\ndata:four\n\n';
        const whole = new SseParser().push(text);
        expect(whole.map((f) => [f.id, f.data])).toEqual([
            ['1:a', 'one\ntwo'],
            ['2:b', 'three'],
            ['3:c', 'four'],
        ]);
        for (let size = 1; size <= 7; size++) {
            const p = new SseParser();
            const got = [];
            for (let i = 0; i < text.length; i += size) got.push(...p.push(text.slice(i, i + size)));
            expect(got).toEqual(whole);
        }
    });

    it('keeps an incomplete frame until its blank line, ignores unknown fields and ids with NUL, and a frame without data', () => {
        const p = new SseParser('0:start');
        expect(p.push('id: 5:x\nfoo: bar\ndata: partial')).toEqual([]);
        expect(p.push('\n\n')).toEqual([{ event: 'message', data: 'partial', id: '5:x' }]);
        expect(p.push('id: bad\0id\n\n')).toEqual([]);
        expect(p.lastEventId).toBe('5:x');
        expect(p.push('id: 6:y\n\n')).toEqual([]); // sets the id without dispatching
        expect(p.lastEventId).toBe('6:y');
        expect(p.push('data\n\n')).toEqual([{ event: 'message', data: '', id: '6:y' }]);
        expect(p.push('retry: soon\n\n')).toEqual([]);
        expect(p.retryMs).toBeNull();
    });
});

describe('parseEventId', () => {
    it('splits <block>:<txId> (a txId may contain colons) and refuses the rest', () => {
        expect(parseEventId('12:abc')).toEqual({ block: 12n, txId: 'abc' });
        expect(parseEventId('3:a:b')).toEqual({ block: 3n, txId: 'a:b' });
        expect(parseEventId('x:abc')).toBeNull();
        expect(parseEventId('12')).toBeNull();
    });
});

describe('ResumeState', () => {
    it('sends no Last-Event-ID before the first event, then the last one delivered', () => {
        const r = new ResumeState();
        expect(r.headers()).toEqual({});
        expect(r.accept({ id: '4:a' })).toBe(true);
        expect(r.accept({ id: '4:b' })).toBe(true);
        expect(r.headers()).toEqual({ 'Last-Event-ID': '4:b' });
    });

    it('drops repeats and events older than the last block delivered (nothing repeated after a reconnect)', () => {
        const r = new ResumeState();
        expect(['5:a', '5:b', '6:c'].map((id) => r.accept({ id }))).toEqual([true, true, true]);
        // a server replaying from the resume block, then new events
        expect(['5:b', '6:c', '6:d', '4:z', '7:e'].map((id) => r.accept({ id }))).toEqual([false, false, true, false, true]);
        expect(r.lastEventId).toBe('7:e');
    });

    it('forgets old ids beyond its capacity but still refuses older blocks', () => {
        const r = new ResumeState(2);
        r.accept({ id: '1:a' });
        r.accept({ id: '2:b' });
        r.accept({ id: '3:c' });
        expect(r.accept({ id: '1:a' })).toBe(false);
        expect(r.accept({ id: '3:c' })).toBe(false);
    });

    it('backs off more on each failed attempt, bounded, and starts over once a frame arrives', () => {
        const r = new ResumeState();
        const delays = Array.from({ length: 10 }, () => r.failed(1));
        expect(delays[0]).toBe(500);
        expect(delays.slice(0, 6)).toEqual([500, 1000, 2000, 4000, 8000, 15000]);
        expect(Math.max(...delays)).toBe(15000);
        expect(r.attempt).toBe(10);
        r.accept({ id: '9:x' });
        expect(r.attempt).toBe(0);
        // the server's retry: is honoured for the first attempt
        expect(r.failed(0.5, 2000)).toBe(2000);
    });
});

describe('backoffMs', () => {
    it('stays within [ceiling/4, ceiling] for any random in [0, 1]', () => {
        for (let a = 0; a < 40; a++) {
            for (const x of [0, 0.3, 1, -1, 2]) {
                const d = backoffMs(a, x);
                const ceiling = Math.min(15000, 500 * 2 ** a);
                expect(d).toBeGreaterThanOrEqual(Math.round(ceiling / 4));
                expect(d).toBeLessThanOrEqual(ceiling);
            }
        }
    });
});
