import { decodeVersionedValue, encodeVersionedValue, stateKey } from './statedb';

describe('state value codec', () => {
    it('round-trips value, version and metadata (entries sorted, binary-safe)', () => {
        const metadata = new Map<string, Uint8Array>([
            ['z', Uint8Array.from([0, 1, 2])],
            ['VALIDATION_PARAMETER', Uint8Array.from([0xff])],
            ['empty', new Uint8Array(0)],
        ]);
        const enc = encodeVersionedValue({ value: Uint8Array.from([0, 0xfe]), version: { blockNum: 2n ** 63n + 5n, txNum: 70000 }, metadata });
        const dec = decodeVersionedValue(enc);
        expect(dec.version).toEqual({ blockNum: 2n ** 63n + 5n, txNum: 70000 });
        expect([...dec.value]).toEqual([0, 0xfe]);
        expect([...dec.metadata.keys()]).toEqual(['VALIDATION_PARAMETER', 'empty', 'z']);
        expect([...(dec.metadata.get('z') ?? [])]).toEqual([0, 1, 2]);
        expect(dec.metadata.get('empty')?.length).toBe(0);
        // same content, other insertion order → same bytes
        const again = encodeVersionedValue({ value: Uint8Array.from([0, 0xfe]), version: dec.version, metadata: new Map([...metadata].reverse()) });
        expect(Buffer.compare(again, enc)).toBe(0);
    });

    it('rejects unknown or truncated encodings', () => {
        expect(() => decodeVersionedValue(Uint8Array.from([9, 0, 0]))).toThrow(expect.objectContaining({ code: 'LEDGER_MALFORMED' }));
        const enc = encodeVersionedValue({ value: new Uint8Array(0), version: { blockNum: 1n, txNum: 0 }, metadata: new Map([['k', Uint8Array.from([1, 2, 3])]]) });
        expect(() => decodeVersionedValue(enc.subarray(0, enc.length - 1))).toThrow(expect.objectContaining({ code: 'LEDGER_MALFORMED' }));
    });

    it('lays keys out as prefix ‖ ns ‖ 0x00 ‖ UTF-8 key', () => {
        expect(stateKey('cc', '\u00e9').toString('hex')).toBe('01' + '6363' + '00' + 'c3a9');
    });
});
