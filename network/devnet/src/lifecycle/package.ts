// Mirrors core/chaincode/persistence/chaincode_package.go and persistence.go: chaincode packages and package ids.
// A chaincode-as-a-service package is a tar.gz holding metadata.json {type:"ccaas",label} and
// code.tar.gz holding connection.json {address, dial_timeout, tls_required}.
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { sha256, toHex } from '../protoutil';

export interface TarEntry {
    readonly name: string;
    readonly data: Uint8Array;
}

const BLOCK = 512;

function octal(field: Buffer): number {
    const s = field.toString('ascii').replace(/\0.*$/s, '').trim();
    return s === '' ? 0 : parseInt(s, 8);
}

/** Reads regular files out of a ustar archive (no links, no pax extensions needed for packages). */
export function readTar(archive: Uint8Array): TarEntry[] {
    const buf = Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength);
    const out: TarEntry[] = [];
    let off = 0;
    while (off + BLOCK <= buf.length) {
        const header = buf.subarray(off, off + BLOCK);
        if (header.every((b) => b === 0)) break;
        const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
        const prefix = header.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
        const size = octal(header.subarray(124, 136));
        const type = String.fromCharCode(header[156] ?? 0);
        off += BLOCK;
        if (off + size > buf.length) throw new Error('truncated tar archive');
        if (type === '0' || type === '\0') {
            out.push({ name: prefix ? `${prefix}/${name}` : name, data: new Uint8Array(buf.subarray(off, off + size)) });
        }
        off += Math.ceil(size / BLOCK) * BLOCK;
    }
    return out;
}

/** Writes a ustar archive of regular files with fixed mode and mtime, so equal inputs give equal bytes. */
export function writeTar(entries: readonly TarEntry[]): Uint8Array {
    const parts: Buffer[] = [];
    for (const e of entries) {
        const h = Buffer.alloc(BLOCK);
        if (Buffer.byteLength(e.name) > 100) throw new Error(`tar entry name too long: ${e.name}`);
        h.write(e.name, 0, 100, 'utf8');
        h.write('0000644\0', 100, 'ascii');
        h.write('0000000\0', 108, 'ascii');
        h.write('0000000\0', 116, 'ascii');
        h.write(`${e.data.length.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
        h.write('00000000000\0', 136, 'ascii');
        h.write('        ', 148, 'ascii');
        h.write('0', 156, 'ascii');
        h.write('ustar\0', 257, 'ascii');
        h.write('00', 263, 'ascii');
        let sum = 0;
        for (const b of h) sum += b;
        h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
        parts.push(h, Buffer.from(e.data));
        const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
        if (pad) parts.push(Buffer.alloc(pad));
    }
    parts.push(Buffer.alloc(BLOCK * 2));
    return new Uint8Array(Buffer.concat(parts));
}

const metadataSchema = z.object({ type: z.string(), label: z.string().regex(/^[A-Za-z0-9_.+-]+$/) });
const connectionSchema = z.object({
    address: z.string().min(1),
    dial_timeout: z.string().optional(),
    tls_required: z.boolean().default(false),
    client_auth_required: z.boolean().optional(),
    root_cert: z.string().optional(),
    client_key: z.string().optional(),
    client_cert: z.string().optional(),
});

export type ConnectionInfo = z.infer<typeof connectionSchema>;

export interface ChaincodePackage {
    readonly label: string;
    readonly type: string;
    readonly packageId: string;
    readonly connection: ConnectionInfo | undefined;
}

/** Package id = <label>:hex(SHA-256(package bytes)) — persistence.PackageID */
export function packageId(label: string, pkg: Uint8Array): string {
    return `${label}:${toHex(sha256(pkg))}`;
}

export function parsePackage(pkg: Uint8Array): ChaincodePackage {
    let entries: TarEntry[];
    try {
        entries = readTar(gunzipSync(pkg));
    } catch (err) {
        throw new Error(`failed to read chaincode package: ${(err as Error).message}`);
    }
    const md = entries.find((e) => e.name === 'metadata.json');
    if (!md) throw new Error('chaincode package is missing metadata.json');
    const meta = metadataSchema.parse(JSON.parse(Buffer.from(md.data).toString('utf8')));
    let connection: ConnectionInfo | undefined;
    const code = entries.find((e) => e.name === 'code.tar.gz');
    if (meta.type === 'ccaas') {
        if (!code) throw new Error('ccaas package is missing code.tar.gz');
        const conn = readTar(gunzipSync(code.data)).find((e) => e.name === 'connection.json');
        if (!conn) throw new Error('ccaas package is missing connection.json');
        connection = connectionSchema.parse(JSON.parse(Buffer.from(conn.data).toString('utf8')));
    }
    return { label: meta.label, type: meta.type, packageId: packageId(meta.label, pkg), connection };
}

/** Builds a CCaaS package (deterministic bytes for equal inputs). */
export function buildCcaasPackage(label: string, connection: ConnectionInfo): Uint8Array {
    const enc = (o: unknown): Uint8Array => new Uint8Array(Buffer.from(JSON.stringify(o, null, 2)));
    const code = gzipSync(writeTar([{ name: 'connection.json', data: enc(connection) }]));
    return new Uint8Array(
        gzipSync(
            writeTar([
                { name: 'metadata.json', data: enc({ type: 'ccaas', label }) },
                { name: 'code.tar.gz', data: new Uint8Array(code) },
            ]),
        ),
    );
}
