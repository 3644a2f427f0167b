// Peer side of the chaincode shim protocol over a peer-dialled (CCaaS) stream, cf. core/chaincode/handler.go, chaincode_support.go, extcc/extcc_handler.go.
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { ledger, peer } from '@hyperledger/fabric-protos';
import { Timestamp } from 'google-protobuf/google/protobuf/timestamp_pb';
import { ChaincodeExecuteError, errorMessage } from './errors';
import { buildQueryResponse, type QueryContext } from './queryresponse';
import { DEFAULT_TOTAL_QUERY_LIMIT, type ChaincodeSimulator } from './txsimulator';
import { sortedByUtf8 } from './utf8order';

type Msg = peer.ChaincodeMessage;
type MsgType = peer.ChaincodeMessage.TypeMap[keyof peer.ChaincodeMessage.TypeMap];
const T = peer.ChaincodeMessage.Type;

/** Fabric's chaincode.executetimeout default. */
export const DEFAULT_EXECUTE_TIMEOUT_MS = 30_000;
/** Fabric's chaincode.startuptimeout default. */
export const DEFAULT_STARTUP_TIMEOUT_MS = 300_000;

const TYPE_NAMES = new Map<number, string>(Object.entries(T).map(([name, value]) => [value, name]));
function typeName(type: number): string {
    return TYPE_NAMES.get(type) ?? String(type);
}

export interface ChaincodeTlsOptions {
    /** PEM root certificate(s) that signed the chaincode server's certificate. */
    readonly rootCert: Uint8Array;
    /** PEM client certificate and key, when the chaincode server requires client authentication. */
    readonly clientCert?: Uint8Array;
    readonly clientKey?: Uint8Array;
    /** Sets grpc.ssl_target_name_override / grpc.default_authority. */
    readonly serverNameOverride?: string;
}

/** What the callee of INVOKE_CHAINCODE gets to know about its caller. */
export interface InvokeChaincodeContext {
    readonly txId: string;
    /** The caller's channel. */
    readonly channelId: string;
    readonly callerChaincodeName: string;
    readonly signedProposal: peer.SignedProposal;
    /** The caller's simulator: a same-channel callee reads and writes through it (its own namespace). */
    readonly simulator: ChaincodeSimulator;
}

/**
 * Runs a chaincode-to-chaincode call; resolves with the callee's final message (COMPLETED, or ERROR) which is
 * returned to the calling shim marshalled. A rejection becomes `INVOKE_CHAINCODE failed: ...: execute failed: <cause>`.
 */
export type InvokeChaincode = (
    chaincodeName: string,
    channelId: string,
    input: peer.ChaincodeInput,
    caller: InvokeChaincodeContext,
) => Promise<peer.ChaincodeMessage>;

export interface ChaincodeConnectionOptions {
    /** host:port of the chaincode server (connection.json "address"). */
    readonly address: string;
    /** The package id the chaincode must REGISTER with (label:hash). */
    readonly packageId: string;
    readonly tls?: ChaincodeTlsOptions;
    readonly invokeChaincode?: InvokeChaincode;
    readonly executeTimeoutMs?: number;
    readonly startupTimeoutMs?: number;
    /** ledger.state.totalQueryLimit; default 100000. */
    readonly totalQueryLimit?: number;
    /** Diagnostics (dropped messages, protocol violations). */
    readonly log?: (level: 'debug' | 'warn', message: string) => void;
}

export interface ExecuteRequest {
    readonly channelId: string;
    readonly txId: string;
    /** The chaincode name = the namespace its state lives in; also set as the event's chaincode_id. */
    readonly chaincodeName: string;
    readonly signedProposal: peer.SignedProposal;
    readonly input: peer.ChaincodeInput;
    readonly simulator: ChaincodeSimulator;
    /** Send INIT instead of TRANSACTION (init-required definitions only). */
    readonly isInit?: boolean;
    readonly timeoutMs?: number;
}

export interface ExecuteResult {
    /** The chaincode's Response as-is: a chaincode that throws gives status 500 here, not an error. */
    readonly response: peer.Response;
    /** The last setEvent, with chaincode_id and tx_id filled in by the peer; undefined when none. */
    readonly event?: peer.ChaincodeEvent;
}

interface TxContext {
    readonly channelId: string;
    readonly txId: string;
    readonly namespace: string;
    readonly simulator: ChaincodeSimulator;
    readonly signedProposal: peer.SignedProposal;
    readonly isInit: boolean;
    readonly queries: Map<string, QueryContext>;
    readonly settle: (msg: Msg) => void;
}

interface HandlerSettings {
    readonly packageId: string;
    readonly address: string;
    readonly invokeChaincode: InvokeChaincode | undefined;
    readonly totalQueryLimit: number;
    readonly log: (level: 'debug' | 'warn', message: string) => void;
}

function contextKey(channelId: string, txId: string): string {
    return `${channelId}\u0000${txId}`;
}

function reply(type: MsgType, request: Msg, payload?: Uint8Array): Msg {
    const m = new peer.ChaincodeMessage();
    m.setType(type);
    if (payload !== undefined) m.setPayload(payload);
    m.setTxid(request.getTxid());
    m.setChannelId(request.getChannelId());
    return m;
}

function decodeQueryMetadata(bytes: Uint8Array): peer.QueryMetadata | undefined {
    return bytes.length > 0 ? peer.QueryMetadata.deserializeBinary(bytes) : undefined;
}

function isPaginated(metadata: peer.QueryMetadata | undefined): metadata is peer.QueryMetadata {
    return metadata !== undefined && (metadata.getPagesize() !== 0 || metadata.getBookmark() !== '');
}

function parse<M>(decode: (bytes: Uint8Array) => M, bytes: Uint8Array): M {
    try {
        return decode(bytes);
    } catch (err) {
        throw new Error(`unmarshal failed: ${errorMessage(err)}`);
    }
}

/** One Chaincode/Connect stream: handshake, then many transactions multiplexed by (channel, txid). */
class Handler {
    readonly #client: peer.ChaincodeClient;
    readonly #call: grpc.ClientDuplexStream<Msg, Msg>;
    readonly #settings: HandlerSettings;
    readonly #contexts = new Map<string, TxContext>();
    /** One shim request in flight per transaction (ActiveTransactions). */
    readonly #active = new Set<string>();
    #state: 'created' | 'ready' | 'ended' = 'created';
    #received = false;
    readonly ready: Promise<void>;
    #resolveReady!: () => void;
    #rejectReady!: (err: Error) => void;
    readonly #terminated: Promise<void>;
    #resolveTerminated!: () => void;

    /** Takes ownership of `client` (one gRPC connection per launch, as extcc dials per stream). */
    constructor(client: peer.ChaincodeClient, settings: HandlerSettings) {
        this.#client = client;
        const call = client.connect();
        this.#call = call;
        this.#settings = settings;
        this.ready = new Promise<void>((resolve, reject) => {
            this.#resolveReady = resolve;
            this.#rejectReady = reject;
        });
        this.ready.catch(() => undefined);
        this.#terminated = new Promise<void>((resolve) => {
            this.#resolveTerminated = resolve;
        });
        call.on('data', (msg: Msg) => this.#onMessage(msg));
        call.on('error', (err: grpc.ServiceError) => this.#onEnd(err));
        call.on('end', () => this.#onEnd(undefined));
        call.on('status', (status: grpc.StatusObject) => {
            this.#settings.log('debug', `stream status ${status.code}: ${status.details}`);
            this.#onEnd(undefined);
        });
    }

    get ended(): boolean {
        return this.#state === 'ended';
    }

    close(): void {
        if (this.#state === 'ended') return;
        this.#call.cancel();
        this.#onEnd(undefined);
    }

    #send(msg: Msg): void {
        if (this.#state === 'ended') return;
        try {
            this.#call.write(msg);
        } catch (err) {
            this.#settings.log('warn', `error sending ${typeName(msg.getType())}: ${errorMessage(err)}`);
        }
    }

    #onEnd(err: grpc.ServiceError | undefined): void {
        if (this.#state === 'ended') return;
        this.#settings.log('debug', `stream ended${err === undefined ? '' : `: ${err.code} ${err.details}`}`);
        const wasReady = this.#state === 'ready';
        this.#state = 'ended';
        if (!wasReady) {
            const { packageId, address } = this.#settings;
            const cause =
                !this.#received && err?.code === grpc.status.UNAVAILABLE
                    ? `connection to ${packageId} failed: error cannot create connection for ${packageId}: error creating grpc connection to ${address}: ${err.details}`
                    : `chaincode registration failed: connection to ${packageId} terminated`;
            this.#rejectReady(new Error(cause));
        }
        this.#resolveTerminated();
        this.#call.end();
        this.#client.close();
    }

    #refuseRegistration(cause: string): void {
        this.#settings.log('warn', `chaincode registration refused: ${cause}`);
        this.#rejectReady(new Error(`chaincode registration failed: ${cause}`));
        this.close();
    }

    /** End the stream on a protocol violation, as Fabric's ProcessStream does. */
    #violation(message: string): void {
        this.#settings.log('warn', `${message}; ending stream`);
        this.close();
    }

    #onMessage(msg: Msg): void {
        this.#received = true;
        const type = msg.getType();
        this.#settings.log('debug', `received ${typeName(type)} txid=${msg.getTxid()} channel=${msg.getChannelId()}`);
        if (type === T.KEEPALIVE) return;
        if (this.#state === 'created') {
            if (type !== T.REGISTER) {
                this.#violation(`[${msg.getTxid()}] Fabric side handler cannot handle message (${typeName(type)}) while in created state`);
                return;
            }
            this.#handleRegister(msg);
            return;
        }
        if (this.#state !== 'ready') return;
        switch (type) {
            case T.COMPLETED:
            case T.ERROR:
                this.#notify(msg);
                return;
            case T.GET_STATE:
            case T.PUT_STATE:
            case T.DEL_STATE:
            case T.INVOKE_CHAINCODE:
            case T.GET_STATE_BY_RANGE:
            case T.GET_QUERY_RESULT:
            case T.GET_HISTORY_FOR_KEY:
            case T.QUERY_STATE_NEXT:
            case T.QUERY_STATE_CLOSE:
            case T.GET_PRIVATE_DATA_HASH:
            case T.GET_STATE_METADATA:
            case T.PUT_STATE_METADATA:
            case T.PURGE_PRIVATE_DATA:
                void this.#handleTransaction(msg);
                return;
            default:
                this.#violation(`[${msg.getTxid()}] Fabric side handler cannot handle message (${typeName(type)}) while in ready state`);
        }
    }

    #handleRegister(msg: Msg): void {
        let name: string;
        try {
            name = peer.ChaincodeID.deserializeBinary(msg.getPayload_asU8()).getName();
        } catch (err) {
            this.#refuseRegistration(`could NOT unmarshal registration info: ${errorMessage(err)}`);
            return;
        }
        if (name === '') {
            this.#refuseRegistration('error in handling register chaincode, chaincodeID name is empty');
            return;
        }
        if (name !== this.#settings.packageId) {
            this.#refuseRegistration(`peer will not accept external chaincode connection ${name} (except in dev mode)`);
            return;
        }
        const registered = new peer.ChaincodeMessage();
        registered.setType(T.REGISTERED);
        this.#send(registered);
        const ready = new peer.ChaincodeMessage();
        ready.setType(T.READY);
        this.#send(ready);
        this.#state = 'ready';
        this.#resolveReady();
    }

    #notify(msg: Msg): void {
        const ctx = this.#contexts.get(contextKey(msg.getChannelId(), msg.getTxid()));
        if (ctx === undefined) {
            this.#settings.log('debug', `notifier Txid:${msg.getTxid()}, channelID:${msg.getChannelId()} does not exist for handling message ${typeName(msg.getType())}`);
            return;
        }
        ctx.settle(msg);
    }

    async execute(req: ExecuteRequest, timeoutMs: number): Promise<Msg> {
        const key = contextKey(req.channelId, req.txId);
        const fail = (code: 'CHAINCODE_TXID_EXISTS' | 'CHAINCODE_EXECUTE_TIMEOUT' | 'CHAINCODE_STREAM_TERMINATED', cause: string): never => {
            throw new ChaincodeExecuteError({ code, txId: req.txId, message: `failed to execute transaction ${req.txId}: error sending: ${cause}` });
        };
        if (this.#contexts.has(key)) fail('CHAINCODE_TXID_EXISTS', `txid: ${req.txId}(${req.channelId}) exists`);

        let settle!: (msg: Msg) => void;
        const answered = new Promise<Msg>((resolve) => {
            settle = resolve;
        });
        const ctx: TxContext = {
            channelId: req.channelId,
            txId: req.txId,
            namespace: req.chaincodeName,
            simulator: req.simulator,
            signedProposal: req.signedProposal,
            isInit: req.isInit === true,
            queries: new Map(),
            settle,
        };
        this.#contexts.set(key, ctx);
        let timer: NodeJS.Timeout | undefined;
        try {
            const msg = new peer.ChaincodeMessage();
            msg.setType(req.isInit === true ? T.INIT : T.TRANSACTION);
            msg.setPayload(req.input.serializeBinary());
            msg.setTxid(req.txId);
            msg.setChannelId(req.channelId);
            msg.setProposal(req.signedProposal);
            this.#send(msg);
            const timedOut = new Promise<'timeout'>((resolve) => {
                timer = setTimeout(() => resolve('timeout'), timeoutMs);
            });
            const outcome = await Promise.race([answered, timedOut, this.#terminated.then(() => 'terminated' as const)]);
            if (outcome === 'timeout') return fail('CHAINCODE_EXECUTE_TIMEOUT', 'timeout expired while executing transaction');
            if (outcome === 'terminated') return fail('CHAINCODE_STREAM_TERMINATED', 'chaincode stream terminated');
            return outcome;
        } finally {
            if (timer !== undefined) clearTimeout(timer);
            this.#contexts.delete(key);
            await Promise.all([...ctx.queries.values()].map((q) => q.close().catch(() => undefined)));
            ctx.queries.clear();
        }
    }

    async #handleTransaction(msg: Msg): Promise<void> {
        const type = msg.getType();
        const key = contextKey(msg.getChannelId(), msg.getTxid());
        if (this.#active.has(key)) {
            this.#settings.log('warn', `Another request pending for this CC: ${this.#settings.packageId}, Txid: ${msg.getTxid()}, ChannelID: ${msg.getChannelId()}. Cannot process.`);
            return;
        }
        this.#active.add(key);
        let resp: Msg;
        try {
            const ctx = this.#contexts.get(key);
            if (ctx === undefined) throw new Error(type === T.INVOKE_CHAINCODE ? 'could not get valid transaction' : 'no ledger context');
            resp = reply(T.RESPONSE, msg, await this.#dispatch(type, msg.getPayload_asU8(), ctx));
        } catch (err) {
            const text = `${typeName(type)} failed: transaction ID: ${msg.getTxid()}: ${errorMessage(err)}`;
            this.#settings.log('debug', `sending ERROR: ${text}`);
            resp = reply(T.ERROR, msg, Buffer.from(text, 'utf8'));
        }
        this.#active.delete(key);
        this.#send(resp);
    }

    /** Private data: devnet defines no collections, so every collection is unknown (as for a chaincode without collection config). */
    #rejectCollection(ctx: TxContext, collection: string): never {
        if (ctx.isInit) throw new Error('private data APIs are not allowed in chaincode Init()');
        throw new Error(`collection ${ctx.channelId}/${ctx.namespace}/${collection} could not be found`);
    }

    async #dispatch(type: number, payload: Uint8Array, ctx: TxContext): Promise<Uint8Array | undefined> {
        const sim = ctx.simulator;
        const ns = ctx.namespace;
        switch (type) {
            case T.GET_STATE: {
                const req = parse((b) => peer.GetState.deserializeBinary(b), payload);
                if (req.getCollection() !== '') this.#rejectCollection(ctx, req.getCollection());
                return (await sim.getState(ns, req.getKey())) ?? new Uint8Array();
            }
            case T.PUT_STATE: {
                const req = parse((b) => peer.PutState.deserializeBinary(b), payload);
                if (req.getCollection() !== '') this.#rejectCollection(ctx, req.getCollection());
                await sim.setState(ns, req.getKey(), req.getValue_asU8());
                return undefined;
            }
            case T.DEL_STATE: {
                const req = parse((b) => peer.DelState.deserializeBinary(b), payload);
                if (req.getCollection() !== '') this.#rejectCollection(ctx, req.getCollection());
                await sim.deleteState(ns, req.getKey());
                return undefined;
            }
            case T.GET_STATE_METADATA: {
                const req = parse((b) => peer.GetStateMetadata.deserializeBinary(b), payload);
                if (req.getCollection() !== '') this.#rejectCollection(ctx, req.getCollection());
                const metadata = await sim.getStateMetadata(ns, req.getKey());
                const result = new peer.StateMetadataResult();
                result.setEntriesList(
                    sortedByUtf8(metadata.entries(), ([k]) => k).map(([k, v]) => {
                        const e = new peer.StateMetadata();
                        e.setMetakey(k);
                        e.setValue(v);
                        return e;
                    }),
                );
                return result.serializeBinary();
            }
            case T.PUT_STATE_METADATA: {
                const req = parse((b) => peer.PutStateMetadata.deserializeBinary(b), payload);
                if (req.getCollection() !== '') this.#rejectCollection(ctx, req.getCollection());
                const entry = req.getMetadata() ?? new peer.StateMetadata();
                await sim.setStateMetadata(ns, req.getKey(), new Map([[entry.getMetakey(), entry.getValue_asU8()]]));
                return undefined;
            }
            case T.GET_STATE_BY_RANGE:
                return this.#getStateByRange(payload, ctx);
            case T.QUERY_STATE_NEXT: {
                const req = parse((b) => peer.QueryStateNext.deserializeBinary(b), payload);
                const q = ctx.queries.get(req.getId());
                if (q === undefined) throw new Error('query iterator not found');
                return this.#respond(ctx, req.getId(), q);
            }
            case T.QUERY_STATE_CLOSE: {
                const req = parse((b) => peer.QueryStateClose.deserializeBinary(b), payload);
                const q = ctx.queries.get(req.getId());
                if (q !== undefined) {
                    ctx.queries.delete(req.getId());
                    await q.close();
                }
                const resp = new peer.QueryResponse();
                resp.setHasMore(false);
                resp.setId(req.getId());
                return resp.serializeBinary();
            }
            case T.GET_QUERY_RESULT: {
                const req = parse((b) => peer.GetQueryResult.deserializeBinary(b), payload);
                const metadata = decodeQueryMetadata(req.getMetadata_asU8());
                if (req.getCollection() !== '') this.#rejectCollection(ctx, req.getCollection());
                if (isPaginated(metadata)) await sim.executeQueryWithPagination(ns, req.getQuery(), metadata.getBookmark(), metadata.getPagesize());
                else await sim.executeQuery(ns, req.getQuery());
                throw new Error('rich queries are not supported');
            }
            case T.GET_HISTORY_FOR_KEY: {
                const req = parse((b) => peer.GetHistoryForKey.deserializeBinary(b), payload);
                const itr = await sim.getHistoryForKey(ns, req.getKey());
                const id = randomUUID();
                const q: QueryContext = {
                    next: async () => {
                        const m = await itr.next();
                        if (m === undefined) return undefined;
                        const km = new ledger.queryresult.KeyModification();
                        km.setTxId(m.txId);
                        km.setValue(m.value);
                        const ts = new Timestamp();
                        ts.setSeconds(Number(m.timestamp.seconds));
                        ts.setNanos(m.timestamp.nanos);
                        km.setTimestamp(ts);
                        km.setIsDelete(m.isDelete);
                        return km.serializeBinary();
                    },
                    close: () => itr.close(),
                    pending: [],
                    totalReturned: 0,
                };
                ctx.queries.set(id, q);
                return this.#respond(ctx, id, q);
            }
            case T.GET_PRIVATE_DATA_HASH: {
                if (ctx.isInit) throw new Error('private data APIs are not allowed in chaincode Init()');
                throw new Error(
                    `collection config not defined for chaincode [${ns}], pass the collection configuration upon chaincode definition/instantiation`,
                );
            }
            case T.PURGE_PRIVATE_DATA: {
                const req = parse((b) => peer.DelState.deserializeBinary(b), payload);
                if (req.getCollection() === '') throw new Error('only applicable for private data');
                return this.#rejectCollection(ctx, req.getCollection());
            }
            case T.INVOKE_CHAINCODE:
                return this.#invokeChaincode(payload, ctx);
            default:
                throw new Error(`unexpected message type ${typeName(type)}`);
        }
    }

    async #getStateByRange(payload: Uint8Array, ctx: TxContext): Promise<Uint8Array> {
        const req = parse((b) => peer.GetStateByRange.deserializeBinary(b), payload);
        const metadata = decodeQueryMetadata(req.getMetadata_asU8());
        if (req.getCollection() !== '') this.#rejectCollection(ctx, req.getCollection());
        const id = randomUUID();
        if (isPaginated(metadata)) {
            const page = await ctx.simulator.getStateByRangeWithPagination(
                ctx.namespace,
                req.getStartkey(),
                req.getEndkey(),
                metadata.getPagesize(),
                metadata.getBookmark(),
            );
            const resp = new peer.QueryResponse();
            resp.setResultsList(
                page.records.map((r) => {
                    const b = new peer.QueryResultBytes();
                    b.setResultbytes(serializeKV(r.namespace, r.key, r.value));
                    return b;
                }),
            );
            resp.setHasMore(false);
            resp.setId(id);
            const rm = new peer.QueryResponseMetadata();
            rm.setFetchedRecordsCount(page.metadata.fetchedRecordsCount);
            rm.setBookmark(page.metadata.bookmark);
            resp.setMetadata(rm.serializeBinary());
            return resp.serializeBinary();
        }
        const itr = await ctx.simulator.getStateByRange(ctx.namespace, req.getStartkey(), req.getEndkey());
        const q: QueryContext = {
            next: async () => {
                const kv = await itr.next();
                return kv === undefined ? undefined : serializeKV(kv.namespace, kv.key, kv.value);
            },
            close: () => itr.close(),
            pending: [],
            totalReturned: 0,
        };
        ctx.queries.set(id, q);
        return this.#respond(ctx, id, q);
    }

    async #respond(ctx: TxContext, id: string, q: QueryContext): Promise<Uint8Array> {
        try {
            const { response, done } = await buildQueryResponse(q, id, this.#settings.totalQueryLimit);
            if (done) {
                ctx.queries.delete(id);
                await q.close();
            }
            return response.serializeBinary();
        } catch (err) {
            ctx.queries.delete(id);
            await q.close().catch(() => undefined);
            throw err;
        }
    }

    async #invokeChaincode(payload: Uint8Array, ctx: TxContext): Promise<Uint8Array> {
        const spec = parse((b) => peer.ChaincodeSpec.deserializeBinary(b), payload);
        // "name:version/channel": the version is ignored, an empty channel means the caller's.
        const full = spec.getChaincodeId()?.getName() ?? '';
        const slash = full.indexOf('/');
        const nameVersion = slash >= 0 ? full.slice(0, slash) : full;
        const channelId = slash >= 0 && full.slice(slash + 1) !== '' ? full.slice(slash + 1) : ctx.channelId;
        const colon = nameVersion.indexOf(':');
        const chaincodeName = colon >= 0 ? nameVersion.slice(0, colon) : nameVersion;
        const invoke = this.#settings.invokeChaincode;
        if (invoke === undefined) throw new Error('execute failed: chaincode-to-chaincode invocation is not available');
        let answer: peer.ChaincodeMessage;
        try {
            answer = await invoke(chaincodeName, channelId, spec.getInput() ?? new peer.ChaincodeInput(), {
                txId: ctx.txId,
                channelId: ctx.channelId,
                callerChaincodeName: ctx.namespace,
                signedProposal: ctx.signedProposal,
                simulator: ctx.simulator,
            });
        } catch (err) {
            throw new Error(`execute failed: ${errorMessage(err)}`);
        }
        return answer.serializeBinary();
    }
}

function serializeKV(namespace: string, key: string, value: Uint8Array): Uint8Array {
    const kv = new ledger.queryresult.KV();
    kv.setNamespace(namespace);
    kv.setKey(key);
    kv.setValue(value);
    return kv.serializeBinary();
}

/**
 * The peer's link to one chaincode-as-a-service server: the peer dials `address`, opens Chaincode/Connect,
 * accepts REGISTER only from `packageId`, then runs any number of transactions in parallel over the stream.
 * Launch is lazy and repeated after the stream ends. The peer never sends KEEPALIVE.
 */
export class ChaincodeConnection {
    readonly #newClient: () => peer.ChaincodeClient;
    readonly #settings: HandlerSettings;
    readonly #executeTimeoutMs: number;
    readonly #startupTimeoutMs: number;
    #handler: Handler | undefined;
    #launching: Promise<Handler> | undefined;
    #closed = false;

    constructor(options: Readonly<ChaincodeConnectionOptions>) {
        const tls = options.tls;
        const channelOptions: grpc.ChannelOptions = {};
        let credentials: grpc.ChannelCredentials;
        if (tls === undefined) {
            credentials = grpc.credentials.createInsecure();
        } else {
            credentials = grpc.credentials.createSsl(
                Buffer.from(tls.rootCert),
                tls.clientKey === undefined ? null : Buffer.from(tls.clientKey),
                tls.clientCert === undefined ? null : Buffer.from(tls.clientCert),
            );
            if (tls.serverNameOverride !== undefined) {
                channelOptions['grpc.ssl_target_name_override'] = tls.serverNameOverride;
                channelOptions['grpc.default_authority'] = tls.serverNameOverride;
            }
        }
        this.#newClient = () => new peer.ChaincodeClient(options.address, credentials, channelOptions);
        this.#settings = {
            packageId: options.packageId,
            address: options.address,
            invokeChaincode: options.invokeChaincode,
            totalQueryLimit: options.totalQueryLimit ?? DEFAULT_TOTAL_QUERY_LIMIT,
            log: options.log ?? (() => undefined),
        };
        this.#executeTimeoutMs = options.executeTimeoutMs ?? DEFAULT_EXECUTE_TIMEOUT_MS;
        this.#startupTimeoutMs = options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
    }

    get packageId(): string {
        return this.#settings.packageId;
    }

    /** Launch (if needed) and wait until the chaincode has registered and been told READY. */
    async connect(): Promise<void> {
        await this.#launch();
    }

    #launch(): Promise<Handler> {
        if (this.#closed) return Promise.reject(new Error('chaincode connection closed'));
        const current = this.#handler;
        if (current !== undefined && !current.ended && this.#launching === undefined) return Promise.resolve(current);
        if (this.#launching !== undefined) return this.#launching;
        const launching = (async (): Promise<Handler> => {
            const handler = new Handler(this.#newClient(), this.#settings);
            this.#handler = handler;
            let timer: NodeJS.Timeout | undefined;
            const timeout = new Promise<never>((_, reject) => {
                timer = setTimeout(
                    () => reject(new Error(`timeout expired while starting chaincode ${this.#settings.packageId} for transaction`)),
                    this.#startupTimeoutMs,
                );
            });
            try {
                await Promise.race([handler.ready, timeout]);
                return handler;
            } catch (err) {
                handler.close();
                throw err;
            } finally {
                clearTimeout(timer);
            }
        })();
        this.#launching = launching;
        const clear = (): void => {
            if (this.#launching === launching) this.#launching = undefined;
        };
        launching.then(clear, clear);
        return launching;
    }

    /**
     * Send TRANSACTION (or INIT) and serve the shim's requests for this txid until COMPLETED or ERROR.
     * Rejects with ChaincodeExecuteError when there is no Response (launch failure, duplicate txid,
     * timeout, dead stream, ERROR from the shim).
     */
    async execute(req: ExecuteRequest): Promise<ExecuteResult> {
        let handler: Handler;
        try {
            handler = await this.#launch();
        } catch (err) {
            throw new ChaincodeExecuteError({
                code: 'CHAINCODE_LAUNCH_FAILED',
                txId: req.txId,
                message: `failed to execute transaction ${req.txId}: could not launch chaincode ${this.#settings.packageId}: ${errorMessage(err)}`,
                cause: err,
            });
        }
        const msg = await handler.execute(req, req.timeoutMs ?? this.#executeTimeoutMs);
        return processExecutionResult(req, msg);
    }

    /** Cancel the stream (pending transactions fail with "chaincode stream terminated") and close the channel. */
    close(): void {
        this.#closed = true;
        this.#handler?.close();
    }
}

function processExecutionResult(req: ExecuteRequest, msg: Msg): ExecuteResult {
    const event = msg.getChaincodeEvent();
    if (event !== undefined) {
        event.setChaincodeId(req.chaincodeName);
        event.setTxId(req.txId);
    }
    switch (msg.getType()) {
        case T.COMPLETED: {
            let response: peer.Response;
            try {
                response = peer.Response.deserializeBinary(msg.getPayload_asU8());
            } catch (err) {
                throw new ChaincodeExecuteError({
                    code: 'CHAINCODE_BAD_RESPONSE',
                    txId: req.txId,
                    message: `failed to unmarshal response for transaction ${req.txId}: ${errorMessage(err)}`,
                    cause: err,
                });
            }
            return event === undefined ? { response } : { response, event };
        }
        case T.ERROR:
            throw new ChaincodeExecuteError({
                code: 'CHAINCODE_TRANSACTION_FAILED',
                txId: req.txId,
                message: `transaction returned with failure: ${Buffer.from(msg.getPayload_asU8()).toString('utf8')}`,
            });
        default:
            throw new ChaincodeExecuteError({
                code: 'CHAINCODE_BAD_RESPONSE',
                txId: req.txId,
                message: `unexpected response type ${msg.getType()} for transaction ${req.txId}`,
            });
    }
}
