import fc from 'fast-check';
import { z } from 'zod';
import { BigIntString, type CodecValue, decode, DecodeError, decodeText, encode, encodeToString } from './codec';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

/** The same value with every object's keys inserted in reverse order. */
function reorder(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(reorder);
    if (value !== null && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reorder(v)]));
    }
    return value;
}

/** `value` with -0 replaced by 0 (the one normalization the codec makes). */
function positiveZero(value: unknown): unknown {
    if (Object.is(value, -0)) return 0;
    if (Array.isArray(value)) return value.map(positiveZero);
    if (value !== null && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, positiveZero(v)]));
    }
    return value;
}

describe('canonical encoding', () => {
    it('sorts keys at every depth and writes no whitespace', () => {
        expect(encodeToString({ b: 1, a: { d: [{ z: true, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[{"y":null,"z":true}]},"b":1}');
    });

    it('sorts by UTF-16 code unit, not by locale', () => {
        expect(encodeToString({ b: 0, B: 0, a: 0, é: 0, '\u{1F600}': 0, '\uFF61': 0 })).toBe('{"B":0,"a":0,"b":0,"é":0,"\u{1F600}":0,"\uFF61":0}');
    });

    it('writes bigint as a decimal string and -0 as 0', () => {
        expect(encodeToString({ amount: 12345678901234567890n, neg: -5n, zero: -0 })).toBe('{"amount":"12345678901234567890","neg":"-5","zero":0}');
    });

    it('encodes to UTF-8 bytes', () => {
        expect(Array.from(encode('é'))).toEqual([0x22, 0xc3, 0xa9, 0x22]);
    });

    it('property: key insertion order never changes the bytes', () => {
        fc.assert(
            fc.property(fc.jsonValue(), (v) => {
                expect(text(encode(reorder(v) as CodecValue))).toBe(text(encode(v as CodecValue)));
            }),
        );
    });

    it('property: decode ∘ encode is the identity, and re-encoding is stable', () => {
        fc.assert(
            fc.property(fc.jsonValue(), (v) => {
                const bytes = encode(v as CodecValue);
                const back = decode(bytes, z.unknown());
                expect(back).toEqual(positiveZero(v));
                expect(text(encode(back as CodecValue))).toBe(text(bytes));
            }),
        );
    });

    it('property: bigint survives through BigIntString', () => {
        fc.assert(
            fc.property(fc.bigInt(), (n) => {
                expect(decode(encode({ n }), z.object({ n: BigIntString })).n).toBe(n);
            }),
        );
    });

    const rejected: Array<[string, unknown]> = [
        ['undefined', undefined],
        ['an undefined property', { a: undefined }],
        ['an undefined element', [1, undefined]],
        ['a hole', [1, , 3]], // eslint-disable-line no-sparse-arrays
        ['NaN', NaN],
        ['Infinity', { x: -Infinity }],
        ['a function', { f: () => 1 }],
        ['a symbol', Symbol('s')],
        ['a Date', new Date(0)],
        ['a Map', new Map()],
        ['a Buffer', Buffer.from('x')],
        ['a class instance', new (class Thing {})()],
    ];
    it.each(rejected)('rejects %s', (_name, value) => {
        expect(() => encode(value as CodecValue)).toThrow(TypeError);
    });

    it('rejects cycles but accepts shared (acyclic) references', () => {
        const shared = { x: 1 };
        expect(encodeToString({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
        const loop: Record<string, unknown> = {};
        loop['self'] = loop;
        expect(() => encode(loop as CodecValue)).toThrow(/cycle/);
    });

    it('accepts null-prototype objects', () => {
        const o = Object.create(null) as Record<string, CodecValue>;
        o['k'] = 1;
        expect(encodeToString(o)).toBe('{"k":1}');
    });
});

describe('decoding', () => {
    const Schema = z.strictObject({ id: z.string(), n: z.number().int() });

    it('parses through the schema', () => {
        expect(decode(encode({ id: 'a', n: 1 }), Schema)).toEqual({ id: 'a', n: 1 });
    });

    it('names every schema problem with its path', () => {
        try {
            decodeText('{"id":1,"n":1.5,"extra":true}', Schema);
            throw new Error('expected a DecodeError');
        } catch (e) {
            expect(e).toBeInstanceOf(DecodeError);
            const issues = (e as DecodeError).issues.join('\n');
            expect(issues).toMatch(/^id: /m);
            expect(issues).toMatch(/^n: /m);
            expect(issues).toMatch(/extra/);
        }
    });

    it('rejects invalid JSON and invalid UTF-8', () => {
        expect(() => decodeText('{"id":', Schema)).toThrow(DecodeError);
        expect(() => decode(new Uint8Array([0x22, 0xff, 0x22]), z.string())).toThrow(/UTF-8/);
    });

    it.each(['10abc', '01', '-0', '1e3', ' 1', '1.0', ''])('BigIntString rejects %p', (s) => {
        expect(BigIntString.safeParse(s).success).toBe(false);
    });
});
