// Mirrors core/ledger/kvledger/history/db.go and query_executer.go: (ns, key, block, tx) index of valid writes.
import { LedgerError } from './errors';
import { PREFIX_HISTORY, type BatchOp, type LevelDB } from './statedb';
import type { HistoryReader, KeyModification, TxUpdate } from './types';

/**
 * Key: 0x02 ‖ ns ‖ 0x00 ‖ u32 len(key) ‖ key ‖ u64 blockNum ‖ u32 txNum. The length prefix keeps key "a" from
 * matching entries of "a\u0000b" (composite keys contain 0x00); fixed-width heights sort oldest → newest.
 * Value: u32 len(txId) ‖ txId ‖ i64 seconds ‖ u32 nanos ‖ u8 isDelete ‖ value. Stored here rather than read back from
 * the block, so a history query touches only LevelDB.
 */
function keyPrefix(namespace: string, key: string): Buffer {
    const keyBytes = Buffer.from(key, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(keyBytes.length, 0);
    return Buffer.concat([Buffer.from([PREFIX_HISTORY]), Buffer.from(namespace, 'utf8'), Buffer.from([0]), len, keyBytes]);
}

function heightSuffix(blockNum: number, txNum: number): Buffer {
    const b = Buffer.alloc(12);
    b.writeBigUInt64BE(BigInt(blockNum), 0);
    b.writeUInt32BE(txNum, 8);
    return b;
}

function encodeModification(m: KeyModification): Buffer {
    const txId = Buffer.from(m.txId, 'utf8');
    const head = Buffer.alloc(4 + txId.length + 8 + 4 + 1);
    head.writeUInt32BE(txId.length, 0);
    head.set(txId, 4);
    const pos = 4 + txId.length;
    head.writeBigInt64BE(m.timestamp.seconds, pos);
    head.writeUInt32BE(m.timestamp.nanos, pos + 8);
    head.writeUInt8(m.isDelete ? 1 : 0, pos + 12);
    return Buffer.concat([head, Buffer.from(m.value)]);
}

function decodeModification(b: Buffer): KeyModification {
    if (b.length < 4) throw new LedgerError({ code: 'LEDGER_MALFORMED', message: 'history value truncated' });
    const idLen = b.readUInt32BE(0);
    const pos = 4 + idLen;
    if (b.length < pos + 13) throw new LedgerError({ code: 'LEDGER_MALFORMED', message: 'history value truncated' });
    return {
        txId: b.subarray(4, pos).toString('utf8'),
        timestamp: { seconds: b.readBigInt64BE(pos), nanos: b.readUInt32BE(pos + 8) },
        isDelete: b.readUInt8(pos + 12) === 1,
        value: new Uint8Array(b.subarray(pos + 13)),
    };
}

export class HistoryDB implements HistoryReader {
    readonly #db: LevelDB;

    constructor(db: LevelDB) {
        this.#db = db;
    }

    /** History ops for block `blockNum`: one entry per KVWrite of each valid tx (metadata-only writes are not history). */
    prepare(blockNum: number, updates: readonly TxUpdate[]): BatchOp[] {
        const ops: BatchOp[] = [];
        for (const u of updates) {
            for (const w of u.writes) {
                if (w.metadataOnly === true) continue;
                const isDelete = w.value === undefined || w.value.length === 0;
                ops.push({
                    type: 'put',
                    key: Buffer.concat([keyPrefix(w.namespace, w.key), heightSuffix(blockNum, u.txNum)]),
                    value: encodeModification({
                        txId: u.txId,
                        timestamp: u.timestamp,
                        isDelete,
                        value: isDelete || w.value === undefined ? new Uint8Array(0) : w.value,
                    }),
                });
            }
        }
        return ops;
    }

    /** Newest first. The iterator reads an implicit LevelDB snapshot taken when iteration starts. */
    getHistoryForKey(namespace: string, key: string): AsyncIterableIterator<KeyModification> {
        return this.#history(keyPrefix(namespace, key));
    }

    async *#history(prefix: Buffer): AsyncGenerator<KeyModification, void, undefined> {
        const it = this.#db.iterator({
            gte: Buffer.concat([prefix, Buffer.alloc(12, 0x00)]),
            lte: Buffer.concat([prefix, Buffer.alloc(12, 0xff)]),
            reverse: true,
        });
        try {
            for (;;) {
                const entry = await it.next();
                if (entry === undefined) return;
                yield decodeModification(entry[1]);
            }
        } finally {
            await it.close();
        }
    }
}
