// Public read/write set assembly, cf. core/ledger/kvledger/txmgmt/rwsetutil/rwset_builder.go.
import { ledger } from '@hyperledger/fabric-protos';
import type { Version } from '../ledger/types';
import { sortedByUtf8 } from './utf8order';

const kvrwset = ledger.rwset.kvrwset;

export function toProtoVersion(v: Version): ledger.rwset.kvrwset.Version {
    const pv = new kvrwset.Version();
    pv.setBlockNum(Number(v.blockNum));
    pv.setTxNum(v.txNum);
    return pv;
}

/** KVRead{key, version}; an absent key has no version. */
export function newKVRead(key: string, version: Version | undefined): ledger.rwset.kvrwset.KVRead {
    const r = new kvrwset.KVRead();
    r.setKey(key);
    if (version !== undefined) r.setVersion(toProtoVersion(version));
    return r;
}

/** KVWrite{key, is_delete, value}: an empty value is a delete (rwsetutil newKVWrite). */
export function newKVWrite(key: string, value: Uint8Array | undefined): ledger.rwset.kvrwset.KVWrite {
    const w = new kvrwset.KVWrite();
    w.setKey(key);
    if (value === undefined || value.length === 0) {
        w.setIsDelete(true);
    } else {
        w.setValue(Uint8Array.from(value));
    }
    return w;
}

/** KVMetadataWrite with entries sorted by name; no entries means "delete the metadata". */
export function newKVMetadataWrite(
    key: string,
    metadata: ReadonlyMap<string, Uint8Array> | undefined,
): ledger.rwset.kvrwset.KVMetadataWrite {
    const mw = new kvrwset.KVMetadataWrite();
    mw.setKey(key);
    const names = sortedByUtf8(metadata?.keys() ?? [], (n) => n);
    mw.setEntriesList(
        names.map((name) => {
            const e = new kvrwset.KVMetadataEntry();
            e.setName(name);
            e.setValue(Uint8Array.from(metadata?.get(name) ?? new Uint8Array()));
            return e;
        }),
    );
    return mw;
}

class NsBuilder {
    readonly reads = new Map<string, ledger.rwset.kvrwset.KVRead>();
    readonly writes = new Map<string, ledger.rwset.kvrwset.KVWrite>();
    readonly metadataWrites = new Map<string, ledger.rwset.kvrwset.KVMetadataWrite>();
    /** Insertion-ordered; keyed by (start, end, exhausted) as Fabric dedupes range queries. */
    readonly rangeQueries = new Map<string, ledger.rwset.kvrwset.RangeQueryInfo>();

    constructor(readonly namespace: string) {}

    build(): ledger.rwset.NsReadWriteSet {
        const kv = new kvrwset.KVRWSet();
        kv.setReadsList(sortedByUtf8(this.reads.values(), (r) => r.getKey()));
        kv.setRangeQueriesInfoList([...this.rangeQueries.values()]);
        kv.setWritesList(sortedByUtf8(this.writes.values(), (w) => w.getKey()));
        kv.setMetadataWritesList(sortedByUtf8(this.metadataWrites.values(), (w) => w.getKey()));
        const ns = new ledger.rwset.NsReadWriteSet();
        ns.setNamespace(this.namespace);
        ns.setRwset(kv.serializeBinary());
        return ns;
    }
}

/** Accumulates one simulation's public reads, writes, metadata writes and range queries. */
export class RWSetBuilder {
    readonly #namespaces = new Map<string, NsBuilder>();

    #ns(namespace: string): NsBuilder {
        let b = this.#namespaces.get(namespace);
        if (b === undefined) {
            b = new NsBuilder(namespace);
            this.#namespaces.set(namespace, b);
        }
        return b;
    }

    addToReadSet(namespace: string, key: string, version: Version | undefined): void {
        this.#ns(namespace).reads.set(key, newKVRead(key, version));
    }

    addToWriteSet(namespace: string, key: string, value: Uint8Array | undefined): void {
        this.#ns(namespace).writes.set(key, newKVWrite(key, value));
    }

    addToMetadataWriteSet(namespace: string, key: string, metadata: ReadonlyMap<string, Uint8Array> | undefined): void {
        this.#ns(namespace).metadataWrites.set(key, newKVMetadataWrite(key, metadata));
    }

    addToRangeQuerySet(namespace: string, info: ledger.rwset.kvrwset.RangeQueryInfo): void {
        const id = JSON.stringify([info.getStartKey(), info.getEndKey(), info.getItrExhausted()]);
        const ranges = this.#ns(namespace).rangeQueries;
        if (!ranges.has(id)) ranges.set(id, info);
    }

    /** Namespaces holding at least one write or metadata write, bytewise sorted. */
    writtenNamespaces(): string[] {
        const written = [...this.#namespaces.values()].filter((b) => b.writes.size > 0 || b.metadataWrites.size > 0);
        return sortedByUtf8(written, (b) => b.namespace).map((b) => b.namespace);
    }

    /** TxReadWriteSet{KV, namespaces sorted bytewise}. */
    build(): ledger.rwset.TxReadWriteSet {
        const set = new ledger.rwset.TxReadWriteSet();
        set.setDataModel(ledger.rwset.TxReadWriteSet.DataModel.KV);
        set.setNsRwsetList(sortedByUtf8(this.#namespaces.values(), (b) => b.namespace).map((b) => b.build()));
        return set;
    }
}
