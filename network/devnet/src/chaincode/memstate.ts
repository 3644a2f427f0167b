// In-memory world state + history for tests, cf. core/ledger/kvledger/txmgmt/statedb/stateleveldb/stateleveldb.go.
import type {
    HistoryReader,
    KeyModification,
    KeyWrite,
    StateSnapshot,
    Version,
    VersionedKV,
    VersionedValue,
} from '../ledger/types';

interface Entry {
    readonly key: string;
    readonly bytes: Buffer;
    readonly vv: VersionedValue;
}

type Namespaces = ReadonlyMap<string, readonly Entry[]>;

const NO_METADATA: ReadonlyMap<string, Uint8Array> = new Map();

/** Index of the first entry whose key is >= `bytes` (bytewise UTF-8). */
function lowerBound(entries: readonly Entry[], bytes: Buffer): number {
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const e = entries[mid];
        if (e !== undefined && Buffer.compare(e.bytes, bytes) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/** Extra facts about the writing transaction, recorded for history when given. */
export interface AppliedTx {
    readonly txId: string;
    readonly timestamp: { readonly seconds: bigint; readonly nanos: number };
}

/**
 * A committed store kept in bytewise key order. `apply` is the only writer; each `snapshot()` is a
 * consistent view that later applies never change (namespace arrays are copy-on-write).
 */
export class MemState implements HistoryReader {
    #namespaces = new Map<string, readonly Entry[]>();
    readonly #history = new Map<string, KeyModification[]>();

    /** Apply one transaction's writes at `version`. A write with value undefined deletes the key. */
    apply(writes: readonly KeyWrite[], version: Version, tx?: AppliedTx): void {
        const next = new Map(this.#namespaces);
        const copied = new Set<string>();
        for (const w of writes) {
            let entries = next.get(w.namespace) ?? [];
            if (!copied.has(w.namespace)) {
                entries = [...entries];
                copied.add(w.namespace);
            }
            const list = entries as Entry[];
            const bytes = Buffer.from(w.key, 'utf8');
            const at = lowerBound(list, bytes);
            const existing = list[at];
            const found = existing !== undefined && existing.key === w.key;
            if (w.metadataOnly === true) {
                // A metadata write alone keeps the value, takes the new version, and is not history.
                if (found) list[at] = { ...existing, vv: { ...existing.vv, version, metadata: w.metadata ?? NO_METADATA } };
                next.set(w.namespace, list);
                continue;
            } else if (w.value === undefined) {
                if (found) list.splice(at, 1);
            } else {
                const metadata = w.metadata ?? (found ? existing.vv.metadata : NO_METADATA);
                const entry: Entry = { key: w.key, bytes, vv: { value: Uint8Array.from(w.value), version, metadata } };
                if (found) list[at] = entry;
                else list.splice(at, 0, entry);
            }
            next.set(w.namespace, list);
            if (tx !== undefined) {
                const hk = historyKey(w.namespace, w.key);
                const mods = this.#history.get(hk) ?? [];
                mods.push({
                    txId: tx.txId,
                    value: w.value === undefined ? new Uint8Array() : Uint8Array.from(w.value),
                    isDelete: w.value === undefined,
                    timestamp: tx.timestamp,
                });
                this.#history.set(hk, mods);
            }
        }
        this.#namespaces = next;
    }

    /** A consistent read-only view of the state as of now. */
    snapshot(): StateSnapshot {
        return new MemSnapshot(this.#namespaces);
    }

    /** Newest first. */
    async *getHistoryForKey(namespace: string, key: string): AsyncIterableIterator<KeyModification> {
        const mods = [...(this.#history.get(historyKey(namespace, key)) ?? [])];
        for (let i = mods.length - 1; i >= 0; i--) {
            const m = mods[i];
            if (m !== undefined) yield m;
        }
    }
}

function historyKey(namespace: string, key: string): string {
    return `${namespace}\u0000${key}`;
}

class MemSnapshot implements StateSnapshot {
    readonly #namespaces: Namespaces;
    #closed = false;

    constructor(namespaces: Namespaces) {
        this.#namespaces = namespaces;
    }

    async get(namespace: string, key: string): Promise<VersionedValue | undefined> {
        this.#checkOpen();
        const entries = this.#namespaces.get(namespace) ?? [];
        const e = entries[lowerBound(entries, Buffer.from(key, 'utf8'))];
        return e !== undefined && e.key === key ? e.vv : undefined;
    }

    range(namespace: string, startKey: string, endKey: string): AsyncIterableIterator<VersionedKV> {
        this.#checkOpen();
        const entries = this.#namespaces.get(namespace) ?? [];
        const endBytes = endKey === '' ? undefined : Buffer.from(endKey, 'utf8');
        const start = lowerBound(entries, Buffer.from(startKey, 'utf8'));
        const isOpen = (): boolean => !this.#closed;
        return (async function* () {
            for (let i = start; i < entries.length; i++) {
                const e = entries[i];
                if (e === undefined || !isOpen()) return;
                if (endBytes !== undefined && Buffer.compare(e.bytes, endBytes) >= 0) return;
                yield { key: e.key, ...e.vv };
            }
        })();
    }

    async close(): Promise<void> {
        this.#closed = true;
    }

    #checkOpen(): void {
        if (this.#closed) throw new Error('state snapshot is closed');
    }
}
