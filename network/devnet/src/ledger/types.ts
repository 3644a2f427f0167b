// devnet's own ledger types: what Fabric keeps internal to the peer (versions, state
// updates in flight). Protocol messages come from @hyperledger/fabric-protos.
// Mirrors core/ledger/internal/version/version.go and core/ledger/kvledger/txmgmt/statedb/statedb.go.

/** Height of the transaction that last wrote a key: (block number, index of the tx in its block, invalid txs included). */
export interface Version {
    readonly blockNum: bigint;
    readonly txNum: number;
}

export function compareVersions(a: Version | undefined, b: Version | undefined): boolean {
    if (a === undefined || b === undefined) return a === b;
    return a.blockNum === b.blockNum && a.txNum === b.txNum;
}

/** A committed value with its version and metadata (state-based endorsement lives in metadata). */
export interface VersionedValue {
    readonly value: Uint8Array;
    readonly version: Version;
    /** Metadata entries by name, e.g. VALIDATION_PARAMETER. Empty map when none. */
    readonly metadata: ReadonlyMap<string, Uint8Array>;
}

export interface VersionedKV extends VersionedValue {
    readonly key: string;
}

/**
 * A consistent, read-only view of committed world state (one per simulation or validation).
 * Keys are compared as UTF-8 bytes, never as JS strings.
 */
export interface StateSnapshot {
    get(namespace: string, key: string): Promise<VersionedValue | undefined>;
    /**
     * Keys k with start <= k < end in bytewise UTF-8 order; end === '' means the end of the namespace.
     * The iterator is lazy: a caller that stops early pulls no further keys.
     */
    range(namespace: string, startKey: string, endKey: string): AsyncIterableIterator<VersionedKV>;
    /** Release iterators/snapshots. Safe to call twice. */
    close(): Promise<void>;
}

/** One valid write of a key, for history (core/ledger/kvledger/history/). */
export interface KeyModification {
    readonly txId: string;
    readonly value: Uint8Array;
    readonly isDelete: boolean;
    /** channel header timestamp of the writing transaction */
    readonly timestamp: { readonly seconds: bigint; readonly nanos: number };
}

export interface HistoryReader {
    /** Newest first, valid transactions only. */
    getHistoryForKey(namespace: string, key: string): AsyncIterableIterator<KeyModification>;
}

/** A write to apply at commit: value undefined = delete (an empty put is a delete). */
export interface KeyWrite {
    readonly namespace: string;
    readonly key: string;
    readonly value: Uint8Array | undefined;
    /** undefined: keep the key's current metadata on put (drop on delete); a Map: replace it. */
    readonly metadata?: ReadonlyMap<string, Uint8Array>;
    /**
     * (added) true for a KVMetadataWrite with no KVWrite of the same key: `value` is ignored, the key keeps its current
     * value and gets `metadata` (an empty Map deletes it) at the new version; ignored when the key does not exist.
     * Not recorded in history (Fabric's history indexes KVWrites only).
     */
    readonly metadataOnly?: boolean;
}

/** (added) The writes of one VALID transaction of a block, as the committer hands them to KVLedger.commit. */
export interface TxUpdate {
    /** index of the tx in its block, invalid txs included: the version of every write */
    readonly txNum: number;
    readonly txId: string;
    /** channel header timestamp, for history */
    readonly timestamp: { readonly seconds: bigint; readonly nanos: number };
    readonly writes: readonly KeyWrite[];
}

/** Where a committed transaction sits and how it was judged. */
export interface TxLocation {
    readonly blockNum: bigint;
    readonly txNum: number;
    /** peer.TxValidationCode value */
    readonly validationCode: number;
}
