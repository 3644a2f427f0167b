/**
 * The one codec for every state value, event payload and transaction result.
 *
 * Canonical JSON: object keys sorted (by UTF-16 code unit, as RFC 8785 does) at every depth, no
 * whitespace, bigint rendered as a decimal string, -0 written as 0. Anything JSON cannot carry
 * faithfully is rejected instead of being silently dropped or mangled: undefined (also as a property
 * value or array element), NaN and ±Infinity, functions, symbols, cycles and non-plain objects
 * (Date, Map, Buffer, class instances). Equal values therefore always encode to equal bytes, which
 * Fabric needs: every endorsing peer must write byte-identical state.
 *
 * Reading is always through a zod schema (`decode`): the ledger is input like any other.
 */
import { z } from 'zod';

export type CodecValue =
    | null
    | boolean
    | number
    | bigint
    | string
    | readonly CodecValue[]
    | { readonly [key: string]: CodecValue };

/** Raised when bytes or text cannot be decoded into the schema's type. */
export class DecodeError extends Error {
    /** One line per problem, e.g. `members.0.mspId: expected an MSP id`. */
    readonly issues: readonly string[];

    constructor(options: Readonly<{ issues: readonly string[]; cause?: unknown }>) {
        super(options.issues.join('; '), options.cause === undefined ? undefined : { cause: options.cause });
        this.name = 'DecodeError';
        this.issues = options.issues;
    }
}

/** Canonical JSON text of `value`. */
export function encodeToString(value: CodecValue): string {
    const out: string[] = [];
    write(value, '$', out, new Set());
    return out.join('');
}

/** Canonical JSON of `value` as UTF-8 bytes. */
export function encode(value: CodecValue): Uint8Array {
    return new Uint8Array(Buffer.from(encodeToString(value), 'utf8'));
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parse UTF-8 JSON bytes through `schema`. */
export function decode<T>(bytes: Uint8Array, schema: z.ZodType<T>): T {
    let text: string;
    try {
        text = utf8.decode(bytes);
    } catch (cause) {
        throw new DecodeError({ issues: ['not valid UTF-8'], cause });
    }
    return decodeText(text, schema);
}

/** Parse JSON text through `schema`. */
export function decodeText<T>(text: string, schema: z.ZodType<T>): T {
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (cause) {
        throw new DecodeError({ issues: ['not valid JSON'], cause });
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new DecodeError({ issues: formatIssues(parsed.error), cause: parsed.error });
    return parsed.data;
}

/** A decimal integer string on the wire, a bigint inside (amounts in minor units). */
export const BigIntString = z
    .string()
    .regex(/^-?(?:0|[1-9][0-9]*)$/, 'expected a decimal integer string')
    .refine((s) => s !== '-0', 'expected a decimal integer string')
    .transform((s) => BigInt(s));

export function formatIssues(error: z.ZodError): string[] {
    return error.issues.map((issue) => {
        const path = issue.path.map((p) => String(p)).join('.');
        return path === '' ? issue.message : `${path}: ${issue.message}`;
    });
}

function write(value: unknown, path: string, out: string[], ancestors: Set<object>): void {
    switch (typeof value) {
        case 'string':
            out.push(JSON.stringify(value));
            return;
        case 'boolean':
            out.push(value ? 'true' : 'false');
            return;
        case 'number':
            if (!Number.isFinite(value)) throw new TypeError(`codec: cannot encode ${String(value)} at ${path}`);
            out.push(Object.is(value, -0) ? '0' : JSON.stringify(value));
            return;
        case 'bigint':
            out.push(`"${value.toString(10)}"`);
            return;
        case 'object':
            break;
        default:
            throw new TypeError(`codec: cannot encode ${typeof value} at ${path}`);
    }
    if (value === null) {
        out.push('null');
        return;
    }
    if (ancestors.has(value)) throw new TypeError(`codec: cannot encode a cycle at ${path}`);
    ancestors.add(value);
    if (Array.isArray(value)) {
        out.push('[');
        for (let i = 0; i < value.length; i++) {
            if (i > 0) out.push(',');
            if (!(i in value)) throw new TypeError(`codec: cannot encode a hole at ${path}[${i}]`);
            write(value[i] as unknown, `${path}[${i}]`, out, ancestors);
        }
        out.push(']');
    } else {
        const proto: unknown = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
            throw new TypeError(`codec: cannot encode a non-plain object at ${path}`);
        }
        const record = value as Record<string, unknown>;
        const keys = Object.keys(record).sort();
        out.push('{');
        keys.forEach((key, i) => {
            if (i > 0) out.push(',');
            out.push(JSON.stringify(key), ':');
            write(record[key], `${path}.${key}`, out, ancestors);
        });
        out.push('}');
    }
    ancestors.delete(value);
}
