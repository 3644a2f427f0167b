import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import { common } from '@hyperledger/fabric-protos';
import { blockDataHash, blockHeaderBytes, blockHeaderHash, derUnsignedInteger } from './blockhash';
import { crc32 } from './crc32';

function header(number: number, prev: Uint8Array, data: Uint8Array): common.BlockHeader {
    const h = new common.BlockHeader();
    h.setNumber(number);
    h.setPreviousHash(prev);
    h.setDataHash(data);
    return h;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('blockHeaderBytes (ASN.1 DER)', () => {
    it('encodes block 0 with empty hashes as SEQUENCE{INTEGER 0, OCTET STRING "", OCTET STRING ""}', () => {
        const der = blockHeaderBytes(header(0, new Uint8Array(0), new Uint8Array(0)));
        expect(hex(der)).toBe('3007' + '020100' + '0400' + '0400');
        expect(hex(blockHeaderHash(header(0, new Uint8Array(0), new Uint8Array(0))))).toBe(
            createHash('sha256').update(Buffer.from('30070201000400' + '0400', 'hex')).digest('hex'),
        );
    });

    it('prefixes 0x00 when the top bit of the number is set (128) and keeps 127 in one byte', () => {
        expect(hex(blockHeaderBytes(header(128, new Uint8Array(0), new Uint8Array(0))))).toBe('3008' + '02020080' + '0400' + '0400');
        expect(hex(blockHeaderBytes(header(127, new Uint8Array(0), new Uint8Array(0))))).toBe('3007' + '02017f' + '0400' + '0400');
        expect(hex(derUnsignedInteger(256n))).toBe('02020100');
        expect(hex(derUnsignedInteger(0xffffffffffffffffn))).toBe('020900ffffffffffffffff');
    });

    it('encodes 32-byte hashes and long-form lengths', () => {
        const prev = new Uint8Array(32).fill(0xaa);
        const data = new Uint8Array(32).fill(0xbb);
        const der = blockHeaderBytes(header(1, prev, data));
        // 3 + 34 + 34 = 71 = 0x47 content bytes
        expect(hex(der)).toBe('3047' + '020101' + '0420' + 'aa'.repeat(32) + '0420' + 'bb'.repeat(32));
        const long = blockHeaderBytes(header(2, new Uint8Array(200).fill(1), new Uint8Array(0)));
        // OCTET STRING of 200 bytes: 04 81 c8; SEQUENCE content = 3 + 203 + 2 = 208 = 0xd0: 30 81 d0
        expect(hex(long.subarray(0, 9))).toBe('3081d0' + '020102' + '0481c8');
        expect(long.length).toBe(3 + 208);
    });
});

describe('blockDataHash', () => {
    it('is SHA-256 of the concatenated envelopes', () => {
        const data = new common.BlockData();
        data.setDataList([Buffer.from('ab'), Buffer.from('cd')]);
        expect(hex(blockDataHash(data))).toBe(createHash('sha256').update('abcd').digest('hex'));
        expect(hex(blockDataHash(new common.BlockData()))).toBe(createHash('sha256').digest('hex'));
    });
});

describe('crc32', () => {
    it('matches the IEEE check value and zlib', () => {
        expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
        const sample = Buffer.from('devnet block record \u00e9\u{10000}');
        expect(crc32(sample)).toBe(zlib.crc32(sample));
        expect(crc32(new Uint8Array(0))).toBe(0);
    });
});
