// Transaction simulation over one committed snapshot, cf. core/ledger/kvledger/txmgmt/txmgr/tx_simulator.go and query_executor.go.
import { ledger } from '@hyperledger/fabric-protos';
import type { HistoryReader, KeyModification, StateSnapshot, VersionedKV } from '../ledger/types';
import { RangeQueryResultsHelper } from './rangequeryhelper';
import { newKVRead, RWSetBuilder } from './rwsetbuilder';

/** Fabric's ledger.state.totalQueryLimit default. */
export const DEFAULT_TOTAL_QUERY_LIMIT = 100000;

/** One result of a range query, as the peer hands it to the chaincode (queryresult.KV). */
export interface QueryResultKV {
    readonly namespace: string;
    readonly key: string;
    readonly value: Uint8Array;
}

/** A pull iterator: `undefined` means exhausted. */
export interface ResultsIterator<T> {
    next(): Promise<T | undefined>;
    close(): Promise<void>;
}

/** A paginated range iterator; the bookmark is the key after the last one returned, or ''. */
export interface PaginatedResultsIterator<T> extends ResultsIterator<T> {
    getBookmarkAndClose(): Promise<string>;
}

export interface PaginatedRange {
    readonly records: readonly QueryResultKV[];
    readonly metadata: { readonly fetchedRecordsCount: number; readonly bookmark: string };
}

export interface TxSimulationResults {
    /** TxReadWriteSet{KV, ns_rwset sorted bytewise}; keys sorted bytewise, range infos in issue order. */
    readonly rwset: ledger.rwset.TxReadWriteSet;
    /** `rwset` serialized (field order, no maps: deterministic). */
    readonly bytes: Uint8Array;
    /** Namespaces with at least one write or metadata write, sorted bytewise (for endorsement policy). */
    readonly writtenNamespaces: readonly string[];
    /** Committed metadata (e.g. VALIDATION_PARAMETER) of each written key: namespace -> key -> entries. */
    readonly writesetMetadata: ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, Uint8Array>>>;
}

/** What the chaincode handler needs from a simulator; TxSimulator implements it. */
export interface ChaincodeSimulator {
    readonly txId: string;
    getState(namespace: string, key: string): Promise<Uint8Array | undefined>;
    getStateMetadata(namespace: string, key: string): Promise<ReadonlyMap<string, Uint8Array>>;
    setState(namespace: string, key: string, value: Uint8Array): Promise<void>;
    deleteState(namespace: string, key: string): Promise<void>;
    setStateMetadata(namespace: string, key: string, metadata: ReadonlyMap<string, Uint8Array> | undefined): Promise<void>;
    getStateByRange(namespace: string, startKey: string, endKey: string): Promise<ResultsIterator<QueryResultKV>>;
    getStateByRangeWithPagination(
        namespace: string,
        startKey: string,
        endKey: string,
        pageSize: number,
        bookmark: string,
    ): Promise<PaginatedRange>;
    executeQuery(namespace: string, query: string): Promise<ResultsIterator<QueryResultKV>>;
    executeQueryWithPagination(namespace: string, query: string, bookmark: string, pageSize: number): Promise<ResultsIterator<QueryResultKV>>;
    getHistoryForKey(namespace: string, key: string): Promise<ResultsIterator<KeyModification>>;
}

export interface TxSimulatorOptions {
    readonly txId: string;
    readonly snapshot: StateSnapshot;
    readonly history?: HistoryReader;
    /** Cap on results of one non-paginated query (peer ledger.state.totalQueryLimit); default 100000. */
    readonly totalQueryLimit?: number;
    /** Close the snapshot in done(); default false (the caller owns it). */
    readonly closeSnapshotOnDone?: boolean;
}

/** resultsItr: records a RangeQueryInfo over exactly the keys pulled from state. */
class RangeScanIterator implements PaginatedResultsIterator<QueryResultKV> {
    readonly info = new ledger.rwset.kvrwset.RangeQueryInfo();
    readonly helper = new RangeQueryResultsHelper();
    readonly #source: AsyncIterator<VersionedKV>;
    #returned = 0;
    #closed = false;

    constructor(
        readonly namespace: string,
        startKey: string,
        readonly requestedEndKey: string,
        snapshot: StateSnapshot,
        /** 0 = unlimited (kvScanner.requestedLimit) */
        readonly pageSize: number,
    ) {
        this.info.setStartKey(startKey);
        this.#source = snapshot.range(namespace, startKey, requestedEndKey);
    }

    async next(): Promise<QueryResultKV | undefined> {
        const kv = await this.#pull();
        if (kv === undefined) {
            this.info.setItrExhausted(true);
            this.info.setEndKey(this.requestedEndKey);
            return undefined;
        }
        this.helper.add(newKVRead(kv.key, kv.version));
        this.info.setEndKey(kv.key);
        return { namespace: this.namespace, key: kv.key, value: kv.value };
    }

    async #pull(): Promise<VersionedKV | undefined> {
        if (this.#closed) return undefined;
        if (this.pageSize > 0 && this.#returned >= this.pageSize) return undefined;
        const r = await this.#source.next();
        if (r.done === true) return undefined;
        this.#returned++;
        return r.value;
    }

    async getBookmarkAndClose(): Promise<string> {
        let bookmark = '';
        if (!this.#closed) {
            const r = await this.#source.next();
            if (r.done !== true) bookmark = r.value.key;
        }
        await this.close();
        return bookmark;
    }

    async close(): Promise<void> {
        if (this.#closed) return;
        this.#closed = true;
        await this.#source.return?.();
    }
}

class AsyncIterableResults<T> implements ResultsIterator<T> {
    readonly #source: AsyncIterator<T>;
    #closed = false;

    constructor(source: AsyncIterableIterator<T>) {
        this.#source = source;
    }

    async next(): Promise<T | undefined> {
        if (this.#closed) return undefined;
        const r = await this.#source.next();
        return r.done === true ? undefined : r.value;
    }

    async close(): Promise<void> {
        if (this.#closed) return;
        this.#closed = true;
        await this.#source.return?.();
    }
}

/**
 * Simulates one transaction: reads see committed state only (never the transaction's own writes),
 * every read and every pulled range key is recorded, writes are buffered (last one wins).
 */
export class TxSimulator implements ChaincodeSimulator {
    readonly txId: string;
    readonly #snapshot: StateSnapshot;
    readonly #history: HistoryReader | undefined;
    readonly #totalQueryLimit: number;
    readonly #closeSnapshot: boolean;
    readonly #builder = new RWSetBuilder();
    readonly #iterators: RangeScanIterator[] = [];
    readonly #writesetMetadata = new Map<string, Map<string, ReadonlyMap<string, Uint8Array>>>();
    #writePerformed = false;
    #paginatedQueriesPerformed = false;
    #resultsComputed = false;
    #done = false;

    constructor(options: Readonly<TxSimulatorOptions>) {
        this.txId = options.txId;
        this.#snapshot = options.snapshot;
        this.#history = options.history;
        this.#totalQueryLimit = options.totalQueryLimit ?? DEFAULT_TOTAL_QUERY_LIMIT;
        this.#closeSnapshot = options.closeSnapshotOnDone ?? false;
    }

    #checkDone(): void {
        if (this.#done) throw new Error('this instance should not be used after calling Done()');
    }

    async #getVersioned(namespace: string, key: string): Promise<{ value: Uint8Array | undefined; metadata: ReadonlyMap<string, Uint8Array> }> {
        this.#checkDone();
        const vv = await this.#snapshot.get(namespace, key);
        this.#builder.addToReadSet(namespace, key, vv?.version);
        return { value: vv?.value, metadata: vv?.metadata ?? new Map() };
    }

    /** Committed value, or undefined when absent. Own writes are invisible. */
    async getState(namespace: string, key: string): Promise<Uint8Array | undefined> {
        return (await this.#getVersioned(namespace, key)).value;
    }

    /** Committed metadata entries (recorded as a read of the key, as Fabric does). */
    async getStateMetadata(namespace: string, key: string): Promise<ReadonlyMap<string, Uint8Array>> {
        return (await this.#getVersioned(namespace, key)).metadata;
    }

    async #checkWritePrecondition(): Promise<void> {
        this.#checkDone();
        if (this.#paginatedQueriesPerformed) {
            throw new Error(
                `txid [${this.txId}]: unsuppored transaction. Transaction has already performed a paginated query. Writes are not allowed`,
            );
        }
        this.#writePerformed = true;
    }

    /** If the written key has committed metadata (SBE policy), remember it for the endorsement plan. */
    async #noteStateMetadata(namespace: string, key: string): Promise<void> {
        const vv = await this.#snapshot.get(namespace, key);
        if (vv === undefined || vv.metadata.size === 0) return;
        let byKey = this.#writesetMetadata.get(namespace);
        if (byKey === undefined) {
            byKey = new Map();
            this.#writesetMetadata.set(namespace, byKey);
        }
        byKey.set(key, vv.metadata);
    }

    /** Buffer a write; an empty value is a delete. */
    async setState(namespace: string, key: string, value: Uint8Array): Promise<void> {
        await this.#checkWritePrecondition();
        this.#builder.addToWriteSet(namespace, key, value);
        await this.#noteStateMetadata(namespace, key);
    }

    async deleteState(namespace: string, key: string): Promise<void> {
        await this.#checkWritePrecondition();
        this.#builder.addToWriteSet(namespace, key, undefined);
        await this.#noteStateMetadata(namespace, key);
    }

    /** Replace a key's metadata; undefined (or an empty map) deletes it. */
    async setStateMetadata(namespace: string, key: string, metadata: ReadonlyMap<string, Uint8Array> | undefined): Promise<void> {
        await this.#checkWritePrecondition();
        this.#builder.addToMetadataWriteSet(namespace, key, metadata);
        await this.#noteStateMetadata(namespace, key);
    }

    async deleteStateMetadata(namespace: string, key: string): Promise<void> {
        await this.setStateMetadata(namespace, key, undefined);
    }

    #newRangeIterator(namespace: string, startKey: string, endKey: string, pageSize: number): RangeScanIterator {
        this.#checkDone();
        const itr = new RangeScanIterator(namespace, startKey, endKey, this.#snapshot, pageSize);
        this.#iterators.push(itr);
        return itr;
    }

    /**
     * Keys in [startKey, endKey) in bytewise order ('' end = namespace end). The RangeQueryInfo covers the
     * keys pulled through `next()`; the peer's handler pulls in batches of 100 (+1 look-ahead).
     */
    async getStateByRange(namespace: string, startKey: string, endKey: string): Promise<ResultsIterator<QueryResultKV>> {
        return this.#newRangeIterator(namespace, startKey, endKey, 0);
    }

    /** GetStateRangeScanIteratorWithPagination: read-only transactions only. */
    async getStateRangeScanIteratorWithPagination(
        namespace: string,
        startKey: string,
        endKey: string,
        pageSize: number,
    ): Promise<PaginatedResultsIterator<QueryResultKV>> {
        this.#checkBeforePaginatedQueries();
        return this.#newRangeIterator(namespace, startKey, endKey, pageSize);
    }

    /**
     * One page, as the peer answers a paginated GET_STATE_BY_RANGE: a non-empty bookmark replaces the
     * start key; the bookmark returned is the key after the page, or '' at the end.
     */
    async getStateByRangeWithPagination(
        namespace: string,
        startKey: string,
        endKey: string,
        pageSize: number,
        bookmark: string,
    ): Promise<PaginatedRange> {
        const itr = await this.getStateRangeScanIteratorWithPagination(namespace, bookmark !== '' ? bookmark : startKey, endKey, pageSize);
        const limit = pageSize > 0 && pageSize < this.#totalQueryLimit ? pageSize : this.#totalQueryLimit;
        const records: QueryResultKV[] = [];
        while (records.length < limit) {
            const kv = await itr.next();
            if (kv === undefined) break;
            records.push(kv);
        }
        const next = await itr.getBookmarkAndClose();
        return { records, metadata: { fetchedRecordsCount: records.length, bookmark: next } };
    }

    #checkBeforePaginatedQueries(): void {
        if (this.#writePerformed) {
            throw new Error(`txid [${this.txId}]: unsuppored transaction. Paginated queries are supported only in a read-only transaction`);
        }
        this.#paginatedQueriesPerformed = true;
    }

    /** Rich queries need CouchDB; the devnet state database behaves as LevelDB. */
    async executeQuery(): Promise<ResultsIterator<QueryResultKV>> {
        this.#checkDone();
        throw new Error('ExecuteQuery not supported for leveldb');
    }

    async executeQueryWithPagination(): Promise<ResultsIterator<QueryResultKV>> {
        this.#checkBeforePaginatedQueries();
        this.#checkDone();
        throw new Error('ExecuteQueryWithMetadata not supported for leveldb');
    }

    /** Newest first, valid transactions only; not recorded in the read set. */
    async getHistoryForKey(namespace: string, key: string): Promise<ResultsIterator<KeyModification>> {
        if (this.#history === undefined) throw new Error('history database is not enabled');
        return new AsyncIterableResults(this.#history.getHistoryForKey(namespace, key));
    }

    /** Namespaces written so far (writes or metadata writes), sorted bytewise. */
    writtenNamespaces(): string[] {
        return this.#builder.writtenNamespaces();
    }

    /** The read/write set; Fabric allows this once per simulator. */
    getTxSimulationResults(): TxSimulationResults {
        if (this.#resultsComputed) throw new Error('this function should only be called once on a transaction simulator instance');
        this.#resultsComputed = true;
        for (const itr of this.#iterators) {
            itr.helper.fill(itr.info);
            this.#builder.addToRangeQuerySet(itr.namespace, itr.info);
        }
        const rwset = this.#builder.build();
        return {
            rwset,
            bytes: rwset.serializeBinary(),
            writtenNamespaces: this.#builder.writtenNamespaces(),
            writesetMetadata: this.#writesetMetadata,
        };
    }

    /** Close open iterators; the simulator refuses further use. Safe to call twice. */
    async done(): Promise<void> {
        if (this.#done) return;
        this.#done = true;
        await Promise.all(this.#iterators.map((itr) => itr.close()));
        if (this.#closeSnapshot) await this.#snapshot.close();
    }
}
