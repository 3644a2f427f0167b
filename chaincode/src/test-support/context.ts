/**
 * The contracts' unit-test stub: devnet's transaction simulator behind the ChaincodeStub interface,
 * in process and in memory (DESIGN.md §5). There is no second copy of Fabric's semantics here:
 * - state lives in devnet's `MemState`; each transaction runs in a fresh devnet `TxSimulator` over a
 *   snapshot of it, so reads (point, range, history) see committed state only, writes are buffered,
 *   paginated queries are refused after a write (and writes after one), and the read/write set is
 *   exactly what a peer would endorse;
 * - a committed transaction's writes are the rwset's writes (devnet's `writesOf`), applied to the
 *   `MemState` at the next block height, with history; a failed or evaluated transaction applies nothing;
 * - composite keys are built and split by fabric-shim's own ChaincodeStub code.
 * What this file adds is only what the Node shim does on the chaincode side of the wire: key
 * substitutions, iterator shapes, and keeping the last `setEvent`.
 *
 * `TestChannel` drives contracts through fabric-shim's own ChaincodeFromContract — the dispatcher
 * `fabric-chaincode-node server` uses — so argument marshalling, before/after hooks, unknown
 * transactions and the generated metadata are the real ones.
 */
import type {
    ChaincodeResponse,
    ClientIdentity,
    Iterators,
    QueryResponseMetadata,
    SplitCompositekey,
    Timestamp,
} from 'fabric-shim-api';
import { ChaincodeStub as ShimStub } from 'fabric-shim';
import { type Contract, JSONSerializer } from 'fabric-contract-api';
import Long from 'long';
import ChaincodeFromContract from 'fabric-shim/lib/contract-spi/chaincodefromcontract';
import { MemState, type AppliedTx } from '@upoint/devnet/dist/chaincode/memstate';
import { TxSimulator, type ResultsIterator } from '@upoint/devnet/dist/chaincode/txsimulator';
import { namespacesOf, type NsKvRwSet, writesOf } from '@upoint/devnet/dist/ledger/rwsetutil';
import type { KeyWrite } from '@upoint/devnet/dist/ledger/types';
import type { LedgerStub } from '../ledger/stub';
import { TEST_CLIENT_CERT_PEM } from './client-cert';

/** The chaincode name the network deploys: the namespace of its state. */
export const DEFAULT_CHAINCODE_NAME = 'upoint';

const DEFAULT_SECONDS = 1_704_067_200n;
/** fabric-shim's stub.js constants. */
const COMPOSITEKEY_NS = '\u0000';
const MAX_UNICODE_RUNE_VALUE = '\u{10FFFF}';
const EMPTY_KEY_SUBSTITUTE = '\u0001';
const VALIDATION_PARAMETER = 'VALIDATION_PARAMETER';

/**
 * fabric-shim's own composite-key code. Both methods are pure (they read nothing from `this`), so
 * calling them on the prototype is calling the shim.
 */
const shimKeys: Pick<ShimStub, 'createCompositeKey' | 'splitCompositeKey'> = ShimStub.prototype;

/**
 * One channel's committed ledger for one chaincode: devnet's MemState, one block per committed
 * transaction.
 */
export class TestLedger {
    readonly state = new MemState();
    #height = 0n;

    constructor(readonly namespace: string = DEFAULT_CHAINCODE_NAME) {}

    /** Blocks committed so far (the next transaction commits at block `height + 1`). */
    get height(): bigint {
        return this.#height;
    }

    /** Commit one valid transaction's writes in a block of its own. */
    commit(writes: readonly KeyWrite[], tx: AppliedTx): void {
        this.#height += 1n;
        this.state.apply(writes, { blockNum: this.#height, txNum: 0 }, tx);
    }

    /** Every committed key of the namespace, in ledger (bytewise UTF-8) order, for assertions. */
    async keys(): Promise<string[]> {
        const snapshot = this.state.snapshot();
        const keys: string[] = [];
        for await (const kv of snapshot.range(this.namespace, '', '')) keys.push(kv.key);
        await snapshot.close();
        return keys;
    }
}

export interface ChaincodeEventRecord {
    readonly name: string;
    readonly payload: Uint8Array;
}

export interface TestTxOptions {
    readonly ledger: TestLedger;
    readonly mspId: string;
    /** `contract:Transaction` or `Transaction`. */
    readonly fcn: string;
    readonly args?: readonly string[];
    readonly txId?: string;
    /** Transaction timestamp; defaults to 2024-01-01T00:00:00Z. */
    readonly timestamp?: { readonly seconds: bigint; readonly nanos: number };
    readonly channelId?: string;
    /**
     * The proposal's transient map, as a client sends it (fabric-gateway's `transientData`; a
     * string is sent as its UTF-8 bytes). The chaincode reads it with `getTransient()`; it is not
     * part of the transaction's record. None: the chaincode sees an empty map, as from the shim.
     */
    readonly transient?: TransientData;
}

/** Transient data for a proposal: entries by name, values as bytes or UTF-8 text. */
export type TransientData = ReadonlyMap<string, string | Uint8Array> | Readonly<Record<string, string | Uint8Array>>;

/** Per-call options of TestChannel's `submitWith` / `evaluateWith`. */
export interface TestCallOptions {
    readonly transient?: TransientData;
}

function isMap(data: TransientData): data is ReadonlyMap<string, string | Uint8Array> {
    return data instanceof Map;
}

/** fabric-shim's transient map: a Map of Buffers (copies of the proposal's bytes). */
function shimTransientMap(data: TransientData | undefined): Map<string, Uint8Array> {
    const entries = data === undefined ? [] : isMap(data) ? [...data] : Object.entries(data);
    return new Map(entries.map(([k, v]) => [k, typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v)]));
}

/** What fabric-shim's range iterators yield: `{ key, value }` with a Buffer value (no namespace). */
type ShimKV = Pick<Iterators.KV, 'key' | 'value'>;
/** fabric-shim's history entries: the timestamp is `Timestamp.toObject()`, seconds a number. */
interface ShimKeyModification {
    readonly txId: string;
    readonly value: Uint8Array;
    readonly isDelete: boolean;
    readonly timestamp: { readonly seconds: number; readonly nanos: number };
}
type Iter<T> = Iterators.CommonIterator<T>;
type QueryPromise<R, T> = Promise<R> & AsyncIterable<T>;
/** A paginated query's answer; no metadata when the peer ran it unpaginated (page size 0, no bookmark). */
interface PageResponse {
    readonly iterator: Iterators.StateQueryIterator;
    readonly metadata?: QueryResponseMetadata;
}

/** The shim's iterator over one query: `{ value, done: false }` per result, then `{ done: true }`. */
function shimIterator<S, T>(source: ResultsIterator<S>, convert: (s: S) => T): Iter<T> {
    return {
        next: async () => {
            const s = await source.next();
            // The shim ends with `{ done: true }` and no value; the declared type insists on one.
            return s === undefined ? ({ done: true } as Iterators.NextResult<T>) : { value: convert(s), done: false };
        },
        close: () => source.close(),
    };
}

/** An iterator over results already fetched (a page), closing nothing. */
function arrayResults<T>(items: readonly T[]): ResultsIterator<T> {
    let i = 0;
    return { next: async () => items[i++], close: async () => undefined };
}

/**
 * fabric-shim's convertToAsyncIterator: the promise (of an iterator, or of `{ iterator }`) is also
 * async-iterable over that same iterator, which is closed when exhausted or left early.
 */
function convertToAsyncIterator<R extends Iter<T> | { iterator: Iter<T> }, T>(promise: Promise<R>): QueryPromise<R, T> {
    const iterable: AsyncIterable<T> = {
        [Symbol.asyncIterator]: (): AsyncIterator<T> => {
            let iterator: Iter<T> | undefined;
            return {
                next: async () => {
                    if (iterator === undefined) {
                        const response = await promise;
                        iterator = 'iterator' in response ? response.iterator : response;
                    }
                    const next = await iterator.next();
                    if (next.done) await iterator.close();
                    return next;
                },
                return: async () => {
                    await iterator?.close();
                    return { done: true, value: undefined };
                },
            };
        },
    };
    return Object.assign(promise, iterable);
}

function validateSimpleKeys(...keys: string[]): void {
    for (const key of keys) {
        if (key.startsWith(COMPOSITEKEY_NS)) throw new Error(`first character of the key [${key}] contains a null character which is not allowed`);
    }
}

/** A transaction's reads in its chaincode's namespace (TestStub.reads). */
export interface ReadSet {
    /** Keys read with getState (each with the version it had; a write by another transaction invalidates it). */
    readonly keys: readonly string[];
    /** Range scans: a write by another transaction to any key in `[start, end)` (or `[start, end]` when not exhausted) invalidates it. */
    readonly ranges: ReadonlyArray<{ readonly start: string; readonly end: string; readonly exhausted: boolean }>;
}

/**
 * Whether committing a transaction that writes `written` invalidates one whose reads are `reads` (Fabric's
 * MVCC_READ_CONFLICT on a key, PHANTOM_READ_CONFLICT on a range), as the committer checks in block order.
 */
export function invalidates(written: Iterable<string>, reads: ReadSet): boolean {
    const keys = new Set(reads.keys);
    const cmp = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
    for (const k of written) {
        if (keys.has(k)) return true;
        for (const r of reads.ranges) {
            if (cmp(k, r.start) >= 0 && (r.end === '' || (r.exhausted ? cmp(k, r.end) < 0 : cmp(k, r.end) <= 0))) return true;
        }
    }
    return false;
}

interface Finished {
    readonly namespaces: readonly NsKvRwSet[];
    readonly writes: readonly KeyWrite[];
    readonly done: Promise<void>;
}

/**
 * One transaction: the ChaincodeStub methods this code base and fabric-shim's dispatcher call,
 * each handled by devnet's TxSimulator as the peer handles the shim's request.
 */
export class TestStub implements LedgerStub, ChaincodeFromContract.DispatchStub {
    readonly #ledger: TestLedger;
    readonly #sim: TxSimulator;
    readonly #opts: Required<Omit<TestTxOptions, 'ledger' | 'transient'>>;
    readonly #transient: Map<string, Uint8Array>;
    #event: ChaincodeEventRecord | undefined;
    #finished: Finished | undefined;
    #committed = false;

    constructor(options: TestTxOptions) {
        this.#ledger = options.ledger;
        this.#opts = {
            mspId: options.mspId,
            fcn: options.fcn,
            args: options.args ?? [],
            txId: options.txId ?? 'tx-0',
            timestamp: options.timestamp ?? { seconds: DEFAULT_SECONDS, nanos: 0 },
            channelId: options.channelId ?? 'upoint',
        };
        this.#transient = shimTransientMap(options.transient);
        this.#sim = new TxSimulator({
            txId: this.#opts.txId,
            snapshot: options.ledger.state.snapshot(),
            history: options.ledger.state,
            closeSnapshotOnDone: true,
        });
    }

    get #ns(): string {
        return this.#ledger.namespace;
    }

    // --- transaction facts -------------------------------------------------------------------
    getTxID(): string {
        return this.#opts.txId;
    }
    getChannelID(): string {
        return this.#opts.channelId;
    }
    getTxTimestamp(): Timestamp {
        return { seconds: Long.fromString(this.#opts.timestamp.seconds.toString(), true), nanos: this.#opts.timestamp.nanos };
    }
    getCreator(): { mspid: string; idBytes: Uint8Array } {
        return { mspid: this.#opts.mspId, idBytes: new Uint8Array(Buffer.from(TEST_CLIENT_CERT_PEM, 'utf8')) };
    }
    getBufferArgs(): Buffer[] {
        // Buffers, as the real shim hands out: the dispatcher calls `toString()` on them.
        return [this.#opts.fcn, ...this.#opts.args].map((a) => Buffer.from(a, 'utf8'));
    }
    getFunctionAndParameters(): { fcn: string; params: string[] } {
        return { fcn: this.#opts.fcn, params: [...this.#opts.args] };
    }
    /**
     * The proposal's transient map, as the shim decodes it from the signed proposal: one Map (the
     * same instance on every call) of Buffer values; empty when the client sent no transient data.
     */
    getTransient(): Map<string, Uint8Array> {
        return this.#transient;
    }

    // --- state ---------------------------------------------------------------------------------
    /** Committed value; a missing key reads as an empty buffer, as the shim returns it. */
    async getState(key: string): Promise<Uint8Array> {
        return Buffer.from((await this.#sim.getState(this.#ns, key)) ?? new Uint8Array());
    }
    async putState(key: string, value: Uint8Array): Promise<void> {
        await this.#sim.setState(this.#ns, key, value);
    }
    async deleteState(key: string): Promise<void> {
        await this.#sim.deleteState(this.#ns, key);
    }
    async setStateValidationParameter(key: string, ep: Uint8Array): Promise<void> {
        await this.#sim.setStateMetadata(this.#ns, key, new Map([[VALIDATION_PARAMETER, ep]]));
    }
    /** The key-level endorsement policy, or undefined (the shim's declared type omits that case). */
    async getStateValidationParameter(key: string): Promise<Uint8Array | undefined> {
        return (await this.#sim.getStateMetadata(this.#ns, key)).get(VALIDATION_PARAMETER);
    }

    getStateByRange(startKey: string, endKey: string): QueryPromise<Iterators.StateQueryIterator, Iterators.KV> {
        const start = startKey === '' ? EMPTY_KEY_SUBSTITUTE : startKey;
        return convertToAsyncIterator(
            (async () => {
                validateSimpleKeys(start, endKey);
                return this.#range(start, endKey);
            })(),
        );
    }
    getStateByRangeWithPagination(
        startKey: string,
        endKey: string,
        pageSize: number,
        bookmark = '',
    ): QueryPromise<PageResponse, Iterators.KV> {
        const start = startKey === '' ? EMPTY_KEY_SUBSTITUTE : startKey;
        return convertToAsyncIterator(
            (async () => {
                validateSimpleKeys(start, endKey);
                return this.#page(start, endKey, pageSize, bookmark);
            })(),
        );
    }
    /** Like the shim, throws (synchronously) on an invalid type or attribute. */
    getStateByPartialCompositeKey(objectType: string, attributes: string[]): QueryPromise<Iterators.StateQueryIterator, Iterators.KV> {
        const start = this.createCompositeKey(objectType, attributes);
        return convertToAsyncIterator(this.#range(start, start + MAX_UNICODE_RUNE_VALUE));
    }
    getStateByPartialCompositeKeyWithPagination(
        objectType: string,
        attributes: string[],
        pageSize: number,
        bookmark = '',
    ): QueryPromise<PageResponse, Iterators.KV> {
        const start = this.createCompositeKey(objectType, attributes);
        return convertToAsyncIterator(this.#page(start, start + MAX_UNICODE_RUNE_VALUE, pageSize, bookmark));
    }
    /** Newest first; values are Buffers, timestamps `{ seconds: number, nanos }` as the shim decodes them. */
    getHistoryForKey(key: string): QueryPromise<Iterators.HistoryQueryIterator, Iterators.KeyModification> {
        return convertToAsyncIterator(
            (async () => {
                const history = await this.#sim.getHistoryForKey(this.#ns, key);
                return shimIterator(history, (m): Iterators.KeyModification => {
                    const entry: ShimKeyModification = {
                        txId: m.txId,
                        value: Buffer.from(m.value),
                        isDelete: m.isDelete,
                        timestamp: { seconds: Number(m.timestamp.seconds), nanos: m.timestamp.nanos },
                    };
                    // The declared type says seconds is a Long; the shim's `toObject()` gives a number.
                    return entry as unknown as Iterators.KeyModification;
                });
            })(),
        );
    }
    createCompositeKey(objectType: string, attributes: string[]): string {
        return shimKeys.createCompositeKey(objectType, attributes);
    }
    /** The shim's split: objectType is null (though typed string) for a key that is not composite. */
    splitCompositeKey(compositeKey: string): SplitCompositekey {
        return shimKeys.splitCompositeKey(compositeKey);
    }

    async #range(startKey: string, endKey: string): Promise<Iterators.StateQueryIterator> {
        return shimIterator(await this.#sim.getStateByRange(this.#ns, startKey, endKey), toShimKV);
    }
    async #page(
        startKey: string,
        endKey: string,
        pageSize: number,
        bookmark: string,
    ): Promise<PageResponse> {
        // The peer treats a query with neither page size nor bookmark as an ordinary range query.
        if (pageSize === 0 && bookmark === '') return { iterator: await this.#range(startKey, endKey) };
        const page = await this.#sim.getStateByRangeWithPagination(this.#ns, startKey, endKey, pageSize, bookmark);
        return { iterator: shimIterator(arrayResults(page.records), toShimKV), metadata: { ...page.metadata } };
    }

    // --- events --------------------------------------------------------------------------------
    setEvent(name: string, payload: Uint8Array): void {
        if (name === '') throw new Error('Event name must be a non-empty string');
        this.#event = { name, payload }; // last one wins
    }

    // --- outcome -------------------------------------------------------------------------------
    /** The event that would be committed with this transaction (only the last setEvent). */
    get event(): ChaincodeEventRecord | undefined {
        return this.#event;
    }
    /**
     * This transaction's writes to the chaincode's namespace (undefined = delete), in key order as in
     * the rwset. Reading them ends the simulation: the stub refuses further state calls.
     */
    get writes(): ReadonlyMap<string, Uint8Array | undefined> {
        const ns = this.#ns;
        return new Map(this.#finish().writes.filter((w) => w.namespace === ns && w.metadataOnly !== true).map((w) => [w.key, w.value]));
    }
    /**
     * This transaction's read set in the chaincode's namespace, as a peer would endorse it: the keys read by
     * point reads and the ranges scanned (`[start, end)`; `end` included when the scan stopped early). Reading
     * it ends the simulation, like `writes`.
     */
    get reads(): ReadSet {
        const ns = this.#ns;
        const kv = this.#finish().namespaces.find((n) => n.namespace === ns)?.kvRwSet;
        if (kv === undefined) return { keys: [], ranges: [] };
        return {
            keys: kv.getReadsList().map((r) => r.getKey()),
            ranges: kv.getRangeQueriesInfoList().map((q) => ({ start: q.getStartKey(), end: q.getEndKey(), exhausted: q.getItrExhausted() })),
        };
    }
    /** End the simulation without committing (as for an evaluated or failed transaction). */
    async done(): Promise<void> {
        await this.#finish().done;
    }
    /** End the simulation and commit its writes to the ledger, once. */
    async commit(): Promise<void> {
        if (this.#committed) throw new Error(`transaction ${this.#opts.txId} already committed`);
        this.#committed = true;
        const { writes, done } = this.#finish();
        await done;
        this.#ledger.commit(writes, { txId: this.#opts.txId, timestamp: this.#opts.timestamp });
    }

    /** The simulation results, taken once (as a peer does); then the simulator is done. */
    #finish(): Finished {
        if (this.#finished === undefined) {
            const { rwset } = this.#sim.getTxSimulationResults();
            const namespaces = namespacesOf(rwset);
            this.#finished = { namespaces, writes: writesOf(namespaces), done: this.#sim.done() };
        }
        return this.#finished;
    }
}

function toShimKV(kv: { key: string; value: Uint8Array }): Iterators.KV {
    const shimKV: ShimKV = { key: kv.key, value: Buffer.from(kv.value) };
    // The declared KV also has a namespace; the shim's iterator yields key and value only.
    return shimKV as Iterators.KV;
}

/** A client identity carrying just an MSP id (for contexts built without the shim). */
function identityFor(mspId: string): ClientIdentity {
    return {
        getMSPID: () => mspId,
        getID: () => `x509::/CN=test-client::/CN=test-client`,
        getIDBytes: () => new Uint8Array(Buffer.from(TEST_CLIENT_CERT_PEM, 'utf8')),
        getAttributeValue: () => null,
        assertAttributeValue: () => false,
    };
}

/**
 * A contract's own context (`contract.createContext()`) wired to a fresh TestStub, for driving a
 * contract or the ledger layer without the shim's dispatcher.
 */
export function newTestContext<C extends ReturnType<Contract['createContext']>>(
    contract: { createContext(): C },
    options: TestTxOptions,
): { ctx: C; stub: TestStub } {
    const stub = new TestStub(options);
    const ctx = contract.createContext();
    // fabric-contract-api injects these after createContext; the test stub implements the subset of
    // ChaincodeStub this code base uses (LedgerStub), which is all the context is asked for.
    const wired = ctx as C & { setChaincodeStub(s: LedgerStub): void; setClientIdentity(c: ClientIdentity): void };
    wired.setChaincodeStub(stub);
    wired.setClientIdentity(identityFor(options.mspId));
    return { ctx, stub };
}

export interface TxResult {
    readonly txId: string;
    readonly status: number;
    /** Error message for a failed transaction ('' on success). */
    readonly message: string;
    /** The response payload as UTF-8 text ('' when none). */
    readonly payload: string;
    readonly event: ChaincodeEventRecord | undefined;
    readonly writes: ReadonlyMap<string, Uint8Array | undefined>;
    readonly committed: boolean;
}

/**
 * A channel with one chaincode: every call is simulated against the ledger's committed state,
 * and `submit` commits the writes when the chaincode succeeded (no endorsement policy, MVCC or
 * ordering: transactions run one after another, one block each).
 */
export class TestChannel {
    readonly ledger: TestLedger;
    readonly chaincode: ChaincodeFromContract;
    /** Added to every transaction's time: tests move the clock (e.g. past a maturity date) by setting it. */
    clockOffsetSeconds = 0n;
    #seq = 0;

    constructor(contracts: ReadonlyArray<new () => Contract>, ledger: TestLedger = new TestLedger()) {
        this.ledger = ledger;
        const serializers: ChaincodeFromContract.Serializers = {
            transaction: 'jsonSerializer',
            serializers: { jsonSerializer: JSONSerializer },
        };
        // The constructor appends the system contract to the array it is given: pass a copy.
        this.chaincode = new ChaincodeFromContract([...contracts], serializers, {}, '@upoint/chaincode', 'test');
    }

    /** The next deterministic transaction id (also usable to predict ids). */
    nextTxId(): string {
        return `tx${String(this.#seq + 1).padStart(4, '0')}`;
    }

    submit(mspId: string, fcn: string, ...args: string[]): Promise<TxResult> {
        return this.#run(mspId, {}, fcn, args, true);
    }

    evaluate(mspId: string, fcn: string, ...args: string[]): Promise<TxResult> {
        return this.#run(mspId, {}, fcn, args, false);
    }

    /** `submit` with per-call options, e.g. `{ transient: { code: 'secret' } }`. */
    submitWith(mspId: string, options: TestCallOptions, fcn: string, ...args: string[]): Promise<TxResult> {
        return this.#run(mspId, options, fcn, args, true);
    }

    /** `evaluate` with per-call options, e.g. `{ transient: { code: 'secret' } }`. */
    evaluateWith(mspId: string, options: TestCallOptions, fcn: string, ...args: string[]): Promise<TxResult> {
        return this.#run(mspId, options, fcn, args, false);
    }

    async #run(mspId: string, options: TestCallOptions, fcn: string, args: readonly string[], submit: boolean): Promise<TxResult> {
        const txId = this.nextTxId();
        this.#seq += 1;
        const stub = new TestStub({
            ledger: this.ledger,
            mspId,
            fcn,
            args,
            txId,
            timestamp: { seconds: DEFAULT_SECONDS + this.clockOffsetSeconds + BigInt(this.#seq), nanos: 123_456_789 },
            transient: options.transient,
        });
        const response: ChaincodeResponse = await this.chaincode.Invoke(stub);
        const ok = response.status === 200;
        const writes = stub.writes;
        if (ok && submit) await stub.commit();
        else await stub.done();
        return {
            txId,
            status: response.status,
            message: response.message ?? '',
            payload: response.payload === undefined ? '' : Buffer.from(response.payload).toString('utf8'),
            event: ok ? stub.event : undefined,
            writes,
            committed: ok && submit,
        };
    }
}
