// Mirrors bccsp/utils/ecdsa.go (DER {r,s} signatures, low-S normalisation) for ECDSA P-256.

/** Order n of the P-256 group. */
export const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
/** n/2: Fabric rejects any signature whose S exceeds it. */
export const P256_HALF_N = P256_N >> 1n;

export interface EcdsaSignature {
    readonly r: bigint;
    readonly s: bigint;
}

function readLength(der: Uint8Array, at: number): { len: number; next: number } {
    const first = der[at];
    if (first === undefined) throw new Error('truncated DER length');
    if (first < 0x80) return { len: first, next: at + 1 };
    const count = first & 0x7f;
    if (count === 0 || count > 2) throw new Error('unsupported DER length');
    let len = 0;
    for (let i = 0; i < count; i++) {
        const b = der[at + 1 + i];
        if (b === undefined) throw new Error('truncated DER length');
        len = (len << 8) | b;
    }
    return { len, next: at + 1 + count };
}

function readInteger(der: Uint8Array, at: number): { value: bigint; next: number } {
    if (der[at] !== 0x02) throw new Error('expected DER INTEGER');
    const { len, next } = readLength(der, at + 1);
    if (len === 0 || next + len > der.length) throw new Error('bad DER INTEGER length');
    const bytes = der.subarray(next, next + len);
    if ((bytes[0] ?? 0) & 0x80) throw new Error('negative DER INTEGER');
    let value = 0n;
    for (const b of bytes) value = (value << 8n) | BigInt(b);
    return { value, next: next + len };
}

/** Parses a DER ECDSA signature; throws on anything but SEQUENCE{INTEGER r, INTEGER s} with r, s > 0. */
export function parseDerSignature(der: Uint8Array): EcdsaSignature {
    if (der[0] !== 0x30) throw new Error('expected DER SEQUENCE');
    const { len, next } = readLength(der, 1);
    if (next + len !== der.length) throw new Error('bad DER SEQUENCE length');
    const r = readInteger(der, next);
    const s = readInteger(der, r.next);
    if (s.next !== der.length) throw new Error('trailing data in DER signature');
    if (r.value <= 0n) throw new Error('invalid signature, R must be larger than zero');
    if (s.value <= 0n) throw new Error('invalid signature, S must be larger than zero');
    return { r: r.value, s: s.value };
}

function integerBytes(v: bigint): number[] {
    const out: number[] = [];
    let x = v;
    while (x > 0n) {
        out.unshift(Number(x & 0xffn));
        x >>= 8n;
    }
    if (out.length === 0) out.push(0);
    if ((out[0] ?? 0) & 0x80) out.unshift(0);
    return out;
}

function lengthBytes(len: number): number[] {
    if (len < 0x80) return [len];
    if (len < 0x100) return [0x81, len];
    return [0x82, len >> 8, len & 0xff];
}

export function encodeDerSignature(sig: EcdsaSignature): Uint8Array {
    const r = integerBytes(sig.r);
    const s = integerBytes(sig.s);
    const body = [0x02, ...lengthBytes(r.length), ...r, 0x02, ...lengthBytes(s.length), ...s];
    return Uint8Array.from([0x30, ...lengthBytes(body.length), ...body]);
}

export function isLowS(sig: EcdsaSignature): boolean {
    return sig.s <= P256_HALF_N;
}

/** Returns the DER signature with S replaced by n - S when S is high (both verify; Fabric accepts only the low one). */
export function toLowS(der: Uint8Array): Uint8Array {
    const sig = parseDerSignature(der);
    if (isLowS(sig)) return der;
    return encodeDerSignature({ r: sig.r, s: P256_N - sig.s });
}
