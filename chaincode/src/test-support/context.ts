// TODO: back this with devnet's TxSimulator + MemState (network/devnet/src/chaincode) once available
/**
 * A thin stand-in for a peer's transaction simulator, for unit tests only.
 *
 * All state semantics sit behind `StateBackend`, so devnet's simulator can replace it without
 * touching the tests. What the stub guarantees, as Fabric does:
 * - reads (point and range) see committed state only — never this transaction's own writes;
 * - writes are buffered and reach the backend only through `commit()`, i.e. when the transaction
 *   "commits" (a failed or evaluated transaction changes nothing);
 * - range scans are in bytewise UTF-8 key order, end key exclusive;
 * - only the last `setEvent` of a transaction survives.
 *
 * `TestChannel` drives contracts through fabric-shim's own ChaincodeFromContract — the dispatcher
 * `fabric-chaincode-node server` uses — so argument marshalling, before/after hooks, unknown
 * transactions and the generated metadata are the real ones.
 */
import type { ChaincodeResponse, ClientIdentity, Iterators, SplitCompositekey, Timestamp } from 'fabric-shim-api';
import { type Contract, JSONSerializer } from 'fabric-contract-api';
import Long from 'long';
import ChaincodeFromContract from 'fabric-shim/lib/contract-spi/chaincodefromcontract';
import type { LedgerStub } from '../ledger/stub';
import { TEST_CLIENT_CERT_PEM } from './client-cert';

type MaybePromise<T> = T | Promise<T>;

export interface StateEntry {
    readonly key: string;
    readonly value: Uint8Array;
}

/** Committed world state of one chaincode namespace. */
export interface StateBackend {
    get(key: string): MaybePromise<Uint8Array | undefined>;
    /** Entries with startKey <= key < endKey in bytewise UTF-8 order; endKey '' means unbounded. */
    range(startKey: string, endKey: string): MaybePromise<readonly StateEntry[]>;
    /** Apply one committed transaction's writes; `undefined` deletes. */
    apply(writes: ReadonlyMap<string, Uint8Array | undefined>): MaybePromise<void>;
}

function compareUtf8(a: string, b: string): number {
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** An in-memory StateBackend. */
export class MemoryBackend implements StateBackend {
    readonly #entries = new Map<string, Uint8Array>();

    get(key: string): Uint8Array | undefined {
        const value = this.#entries.get(key);
        return value === undefined ? undefined : Uint8Array.from(value);
    }

    range(startKey: string, endKey: string): StateEntry[] {
        return [...this.#entries.keys()]
            .filter((k) => compareUtf8(k, startKey) >= 0 && (endKey === '' || compareUtf8(k, endKey) < 0))
            .sort(compareUtf8)
            .map((key) => ({ key, value: Uint8Array.from(this.#entries.get(key) ?? []) }));
    }

    apply(writes: ReadonlyMap<string, Uint8Array | undefined>): void {
        for (const [key, value] of writes) {
            if (value === undefined) this.#entries.delete(key);
            else this.#entries.set(key, Uint8Array.from(value));
        }
    }

    /** Every committed key, in ledger order (for assertions). */
    keys(): string[] {
        return [...this.#entries.keys()].sort(compareUtf8);
    }
}

export interface ChaincodeEventRecord {
    readonly name: string;
    readonly payload: Uint8Array;
}

export interface TestTxOptions {
    readonly backend: StateBackend;
    readonly mspId: string;
    /** `contract:Transaction` or `Transaction`. */
    readonly fcn: string;
    readonly args?: readonly string[];
    readonly txId?: string;
    /** Transaction timestamp; defaults to 2024-01-01T00:00:00Z. */
    readonly timestamp?: { readonly seconds: bigint; readonly nanos: number };
    readonly channelId?: string;
}

const MIN_RUNE = '\u0000';
const MAX_RUNE = '\u{10FFFF}';
const DEFAULT_SECONDS = 1_704_067_200n;

/** The stub methods our code and fabric-shim's dispatcher call; nothing else. */
export class TestStub implements LedgerStub, ChaincodeFromContract.DispatchStub {
    readonly #backend: StateBackend;
    readonly #writes = new Map<string, Uint8Array | undefined>();
    readonly #opts: Required<Omit<TestTxOptions, 'backend'>>;
    #event: ChaincodeEventRecord | undefined;
    #committed = false;

    constructor(options: TestTxOptions) {
        this.#backend = options.backend;
        this.#opts = {
            mspId: options.mspId,
            fcn: options.fcn,
            args: options.args ?? [],
            txId: options.txId ?? 'tx-0',
            timestamp: options.timestamp ?? { seconds: DEFAULT_SECONDS, nanos: 0 },
            channelId: options.channelId ?? 'upoint',
        };
    }

    // --- transaction facts -------------------------------------------------------------------
    getTxID(): string {
        return this.#opts.txId;
    }
    getChannelID(): string {
        return this.#opts.channelId;
    }
    getTxTimestamp(): Timestamp {
        return { seconds: Long.fromString(this.#opts.timestamp.seconds.toString()), nanos: this.#opts.timestamp.nanos };
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

    // --- state ---------------------------------------------------------------------------------
    async getState(key: string): Promise<Uint8Array> {
        checkSimpleOrCompositeKey(key);
        // Committed state only: Fabric does not let a transaction read its own writes.
        // Like the Node shim, a missing key reads as an empty buffer.
        return (await this.#backend.get(key)) ?? new Uint8Array();
    }
    async putState(key: string, value: Uint8Array): Promise<void> {
        checkSimpleOrCompositeKey(key);
        if (value.length === 0) throw new Error(`putState(${key}): empty value (Fabric treats it as a delete)`);
        this.#writes.set(key, Uint8Array.from(value));
    }
    async deleteState(key: string): Promise<void> {
        checkSimpleOrCompositeKey(key);
        this.#writes.set(key, undefined);
    }
    getStateByPartialCompositeKey(objectType: string, attributes: string[]): Promise<Iterators.StateQueryIterator> & AsyncIterable<Iterators.KV> {
        const start = this.createCompositeKey(objectType, attributes);
        return this.#range(start, start + MAX_RUNE);
    }
    createCompositeKey(objectType: string, attributes: string[]): string {
        for (const part of [objectType, ...attributes]) {
            if (part.length === 0) throw new Error('object type or attribute not a non-zero length string');
        }
        return `${MIN_RUNE}${objectType}${MIN_RUNE}${attributes.map((a) => `${a}${MIN_RUNE}`).join('')}`;
    }
    splitCompositeKey(compositeKey: string): SplitCompositekey {
        if (!compositeKey.startsWith(MIN_RUNE) || compositeKey.length < 2) {
            // The real shim returns objectType null here; the declared type says string.
            return { objectType: '', attributes: [] };
        }
        const parts = compositeKey.slice(1).split(MIN_RUNE);
        parts.pop();
        const [objectType = '', ...attributes] = parts;
        return { objectType, attributes };
    }

    // --- events --------------------------------------------------------------------------------
    setEvent(name: string, payload: Uint8Array): void {
        if (name === '') throw new Error('Event name must be a non-empty string');
        this.#event = { name, payload: Uint8Array.from(payload) }; // last one wins
    }

    // --- outcome -------------------------------------------------------------------------------
    /** The event that would be committed with this transaction (only the last setEvent). */
    get event(): ChaincodeEventRecord | undefined {
        return this.#event;
    }
    /** Buffered writes (undefined = delete), in call order. */
    get writes(): ReadonlyMap<string, Uint8Array | undefined> {
        return this.#writes;
    }
    /** Apply the buffered writes to the backend, once. */
    async commit(): Promise<void> {
        if (this.#committed) throw new Error(`transaction ${this.#opts.txId} already committed`);
        this.#committed = true;
        await this.#backend.apply(this.#writes);
    }

    #range(startKey: string, endKey: string): Promise<Iterators.StateQueryIterator> & AsyncIterable<Iterators.KV> {
        const load = async (): Promise<Iterators.KV[]> =>
            (await this.#backend.range(startKey, endKey)).map((e) => ({ namespace: '', key: e.key, value: Uint8Array.from(e.value) }));
        const iterator = load().then((rows): Iterators.StateQueryIterator => {
            let i = 0;
            return {
                next: async () => {
                    const row = rows[i++];
                    // The shim ends with `{ done: true }` and no value; the declared type insists on one.
                    return row === undefined ? ({ done: true } as Iterators.NextResult<Iterators.KV>) : { value: row, done: false };
                },
                close: async () => undefined,
            };
        });
        return Object.assign(iterator, {
            async *[Symbol.asyncIterator](): AsyncGenerator<Iterators.KV> {
                yield* await load();
            },
        });
    }
}

function checkSimpleOrCompositeKey(key: string): void {
    if (key === '') throw new Error('key must not be empty');
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
 * A channel with one chaincode: every call is simulated against the backend's committed state,
 * and `submit` commits the writes when the chaincode succeeded (no endorsement policy, MVCC or
 * ordering: transactions run one after another).
 */
export class TestChannel {
    readonly backend: StateBackend;
    readonly chaincode: ChaincodeFromContract;
    #seq = 0;

    constructor(contracts: ReadonlyArray<new () => Contract>, backend: StateBackend = new MemoryBackend()) {
        this.backend = backend;
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
        return this.#run(mspId, fcn, args, true);
    }

    evaluate(mspId: string, fcn: string, ...args: string[]): Promise<TxResult> {
        return this.#run(mspId, fcn, args, false);
    }

    async #run(mspId: string, fcn: string, args: readonly string[], submit: boolean): Promise<TxResult> {
        const txId = this.nextTxId();
        this.#seq += 1;
        const stub = new TestStub({
            backend: this.backend,
            mspId,
            fcn,
            args,
            txId,
            timestamp: { seconds: DEFAULT_SECONDS + BigInt(this.#seq), nanos: 123_456_789 },
        });
        const response: ChaincodeResponse = await this.chaincode.Invoke(stub);
        const ok = response.status === 200;
        if (ok && submit) await stub.commit();
        return {
            txId,
            status: response.status,
            message: response.message ?? '',
            payload: response.payload === undefined ? '' : Buffer.from(response.payload).toString('utf8'),
            event: ok ? stub.event : undefined,
            writes: stub.writes,
            committed: ok && submit,
        };
    }
}
