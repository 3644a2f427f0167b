// Mirrors core/ledger/kvledger/txmgmt/statedb/stateleveldb/stateleveldb.go (+ the value codec of statedb/value_encoding.go
// and the metadata carry-over of txmgmt/validation/txops.go).
import type { ClassicLevel } from 'classic-level';
import { LedgerError } from './errors';
import type { KeyWrite, StateSnapshot, TxUpdate, Version, VersionedKV, VersionedValue } from './types';

/** The LevelDB shared by state, history and savepoint, with Buffer keys and values. */
export type LevelDB = ClassicLevel<Buffer, Buffer>;

export type BatchOp = { readonly type: 'put'; readonly key: Buffer; readonly value: Buffer } | { readonly type: 'del'; readonly key: Buffer };

/** Key prefixes inside the shared LevelDB. */
export const PREFIX_META = 0x00;
export const PREFIX_STATE = 0x01;
export const PREFIX_HISTORY = 0x02;

const SAVEPOINT_KEY = Buffer.from([PREFIX_META, ...Buffer.from('savepoint')]);
const VALUE_FORMAT = 1;
const EMPTY_METADATA: ReadonlyMap<string, Uint8Array> = new Map();

/** 0x01 ‖ namespace ‖ 0x00 ‖ key (UTF-8): within a namespace, LevelDB's bytewise order is the keys' UTF-8 byte order. */
export function stateKey(namespace: string, key: string): Buffer {
    return Buffer.concat([Buffer.from([PREFIX_STATE]), Buffer.from(namespace, 'utf8'), Buffer.from([0]), Buffer.from(key, 'utf8')]);
}

function namespaceEnd(namespace: string): Buffer {
    return Buffer.concat([Buffer.from([PREFIX_STATE]), Buffer.from(namespace, 'utf8'), Buffer.from([1])]);
}

/**
 * u8 format ‖ u64 blockNum ‖ u32 txNum ‖ u32 #metadata ‖ (u32 len ‖ name ‖ u32 len ‖ value)* sorted by name ‖ value bytes.
 * All integers big-endian.
 */
export function encodeVersionedValue(v: VersionedValue): Buffer {
    const entries = [...v.metadata.entries()].sort(([a], [b]) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
    const parts: Buffer[] = [];
    const head = Buffer.alloc(17);
    head.writeUInt8(VALUE_FORMAT, 0);
    head.writeBigUInt64BE(v.version.blockNum, 1);
    head.writeUInt32BE(v.version.txNum, 9);
    head.writeUInt32BE(entries.length, 13);
    parts.push(head);
    for (const [name, value] of entries) {
        parts.push(lengthPrefixed(Buffer.from(name, 'utf8')), lengthPrefixed(value));
    }
    parts.push(Buffer.from(v.value));
    return Buffer.concat(parts);
}

export function decodeVersionedValue(buf: Uint8Array): VersionedValue {
    const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    if (b.length < 17 || b.readUInt8(0) !== VALUE_FORMAT) {
        throw new LedgerError({ code: 'LEDGER_MALFORMED', message: 'state value has an unknown encoding' });
    }
    const version: Version = { blockNum: b.readBigUInt64BE(1), txNum: b.readUInt32BE(9) };
    const count = b.readUInt32BE(13);
    let pos = 17;
    const readChunk = (): Buffer => {
        if (pos + 4 > b.length) throw new LedgerError({ code: 'LEDGER_MALFORMED', message: 'state value truncated' });
        const len = b.readUInt32BE(pos);
        if (pos + 4 + len > b.length) throw new LedgerError({ code: 'LEDGER_MALFORMED', message: 'state value truncated' });
        const chunk = b.subarray(pos + 4, pos + 4 + len);
        pos += 4 + len;
        return chunk;
    };
    const metadata = new Map<string, Uint8Array>();
    for (let i = 0; i < count; i++) {
        const name = readChunk().toString('utf8');
        metadata.set(name, new Uint8Array(readChunk()));
    }
    return { value: new Uint8Array(b.subarray(pos)), version, metadata };
}

function lengthPrefixed(bytes: Uint8Array): Buffer {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length, 0);
    return Buffer.concat([len, Buffer.from(bytes)]);
}

/** A StateSnapshot over an explicit LevelDB snapshot; also reports the height it was taken at. */
export interface LedgerStateSnapshot extends StateSnapshot {
    /** Blocks committed to state as seen by this snapshot (the savepoint). */
    height(): Promise<number>;
}

type DbSnapshot = ReturnType<LevelDB['snapshot']>;
type DbIterator = ReturnType<LevelDB['iterator']>;

class LevelStateSnapshot implements LedgerStateSnapshot {
    readonly #db: LevelDB;
    readonly #snapshot: DbSnapshot;
    readonly #iterators = new Set<DbIterator>();
    #closed = false;

    constructor(db: LevelDB) {
        this.#db = db;
        this.#snapshot = db.snapshot();
    }

    async get(namespace: string, key: string): Promise<VersionedValue | undefined> {
        this.#assertOpen();
        const raw = await this.#db.get(stateKey(namespace, key), { snapshot: this.#snapshot });
        return raw === undefined ? undefined : decodeVersionedValue(raw);
    }

    range(namespace: string, startKey: string, endKey: string): AsyncIterableIterator<VersionedKV> {
        this.#assertOpen();
        return this.#range(namespace, startKey, endKey);
    }

    async *#range(namespace: string, startKey: string, endKey: string): AsyncGenerator<VersionedKV, void, undefined> {
        const gte = stateKey(namespace, startKey);
        const lt = endKey === '' ? namespaceEnd(namespace) : stateKey(namespace, endKey);
        if (Buffer.compare(gte, lt) >= 0) return;
        const prefixLength = gte.length - Buffer.byteLength(startKey, 'utf8');
        const it = this.#db.iterator({ gte, lt, snapshot: this.#snapshot });
        this.#iterators.add(it);
        try {
            for (;;) {
                if (this.#closed) return;
                const entry = await it.next();
                if (entry === undefined) return;
                const [k, v] = entry;
                yield { key: k.subarray(prefixLength).toString('utf8'), ...decodeVersionedValue(v) };
            }
        } finally {
            this.#iterators.delete(it);
            await it.close();
        }
    }

    async height(): Promise<number> {
        this.#assertOpen();
        return readSavepoint(this.#db, this.#snapshot);
    }

    async close(): Promise<void> {
        if (this.#closed) return;
        this.#closed = true;
        // Abandoned iterators hold a reference on the snapshot: close them first or the snapshot never closes.
        await Promise.all([...this.#iterators].map((it) => it.close()));
        this.#iterators.clear();
        await this.#snapshot.close();
    }

    #assertOpen(): void {
        if (this.#closed) throw new LedgerError({ code: 'LEDGER_CLOSED', message: 'state snapshot is closed' });
    }
}

async function readSavepoint(db: LevelDB, snapshot?: DbSnapshot): Promise<number> {
    const raw = await db.get(SAVEPOINT_KEY, snapshot === undefined ? {} : { snapshot });
    return raw === undefined ? 0 : Number(raw.readBigUInt64BE(0));
}

/** Committed world state. Writes happen only through batches built by `prepare` (one writer: the ledger's commit). */
export class StateDB {
    readonly #db: LevelDB;

    constructor(db: LevelDB) {
        this.#db = db;
    }

    /** A consistent view of committed state; close it when done. */
    snapshot(): LedgerStateSnapshot {
        return new LevelStateSnapshot(this.#db);
    }

    /** The latest committed value, outside any snapshot (for the single writer). */
    async getLatest(namespace: string, key: string): Promise<VersionedValue | undefined> {
        const raw = await this.#db.get(stateKey(namespace, key));
        return raw === undefined ? undefined : decodeVersionedValue(raw);
    }

    /** Number of blocks whose updates are in state (0 for a new ledger). */
    savepoint(): Promise<number> {
        return readSavepoint(this.#db);
    }

    /** The op that records `height` blocks as applied; goes in the same batch as their updates. */
    savepointOp(height: number): BatchOp {
        const value = Buffer.alloc(8);
        value.writeBigUInt64BE(BigInt(height), 0);
        return { type: 'put', key: SAVEPOINT_KEY, value };
    }

    /**
     * The state ops of block `blockNum`'s valid txs, in order: a write at (blockNum, txNum) gets that version; a put
     * without metadata keeps the key's metadata as of the previous write (in this block or committed); a delete drops it.
     */
    async prepare(blockNum: number, updates: readonly TxUpdate[]): Promise<BatchOp[]> {
        const pending = new Map<string, VersionedValue | null>();
        const latest = async (w: KeyWrite): Promise<VersionedValue | undefined> => {
            const id = stateKey(w.namespace, w.key).toString('latin1');
            const p = pending.get(id);
            if (p !== undefined) return p ?? undefined;
            return this.getLatest(w.namespace, w.key);
        };
        for (const u of updates) {
            const version: Version = { blockNum: BigInt(blockNum), txNum: u.txNum };
            for (const w of u.writes) {
                const id = stateKey(w.namespace, w.key).toString('latin1');
                if (w.metadataOnly === true) {
                    const current = await latest(w);
                    if (current === undefined) continue; // metadata of a key that does not exist is ignored
                    pending.set(id, { value: current.value, version, metadata: w.metadata ?? EMPTY_METADATA });
                } else if (w.value === undefined || w.value.length === 0) {
                    pending.set(id, null);
                } else {
                    const metadata = w.metadata ?? (await latest(w))?.metadata ?? EMPTY_METADATA;
                    pending.set(id, { value: w.value, version, metadata });
                }
            }
        }
        const ops: BatchOp[] = [];
        for (const [id, v] of pending) {
            const key = Buffer.from(id, 'latin1');
            ops.push(v === null ? { type: 'del', key } : { type: 'put', key, value: encodeVersionedValue(v) });
        }
        return ops;
    }
}
