// Mirrors protoutil/blockutils.go: BlockHeaderBytes, BlockHeaderHash, ComputeBlockDataHash.
import { createHash } from 'node:crypto';
import type { common } from '@hyperledger/fabric-protos';

function derLength(n: number): Uint8Array {
    if (n < 0x80) return Uint8Array.of(n);
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

function derTlv(tag: number, content: Uint8Array): Uint8Array {
    const len = derLength(content.length);
    const out = new Uint8Array(1 + len.length + content.length);
    out[0] = tag;
    out.set(len, 1);
    out.set(content, 1 + len.length);
    return out;
}

/** DER INTEGER of a non-negative number: minimal big-endian two's complement (a 0x00 is prefixed when the top bit is set). */
export function derUnsignedInteger(value: bigint): Uint8Array {
    if (value < 0n) throw new RangeError('derUnsignedInteger: negative value');
    const bytes: number[] = [];
    for (let v = value; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
    if (bytes.length === 0 || (bytes[0] ?? 0) >= 0x80) bytes.unshift(0);
    return derTlv(0x02, Uint8Array.from(bytes));
}

function derOctetString(bytes: Uint8Array): Uint8Array {
    return derTlv(0x04, bytes);
}

function derSequence(...parts: Uint8Array[]): Uint8Array {
    return derTlv(0x30, Buffer.concat(parts));
}

/** ASN.1 DER of SEQUENCE{INTEGER number, OCTET STRING previous_hash, OCTET STRING data_hash}: what orderers sign and hash. */
export function blockHeaderBytes(header: common.BlockHeader): Uint8Array {
    return derSequence(
        derUnsignedInteger(BigInt(header.getNumber())),
        derOctetString(header.getPreviousHash_asU8()),
        derOctetString(header.getDataHash_asU8()),
    );
}

/** SHA-256 of blockHeaderBytes: the next block's previous_hash and the key of GetBlockByHash. */
export function blockHeaderHash(header: common.BlockHeader): Uint8Array {
    return sha256(blockHeaderBytes(header));
}

/** SHA-256 of the concatenated envelope bytes. */
export function blockDataHash(data: common.BlockData): Uint8Array {
    const h = createHash('sha256');
    for (const env of data.getDataList_asU8()) h.update(env);
    return new Uint8Array(h.digest());
}

function sha256(bytes: Uint8Array): Uint8Array {
    return new Uint8Array(createHash('sha256').update(bytes).digest());
}
