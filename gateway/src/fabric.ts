/**
 * The Fabric layer behind a small port: one @grpc/grpc-js client per peer endpoint, one fabric-gateway Gateway
 * per served org (its User1 identity), deadlines per call kind. Routes and unit tests see only `FabricPort`.
 */
import * as grpc from '@grpc/grpc-js';
import { CommitError, CommitStatusError, connect, hash, StatusCode, type Gateway, type SubmittedTransaction } from '@hyperledger/fabric-gateway';
import { common, ledger, peer } from '@hyperledger/fabric-protos';
import { readFileSync } from 'node:fs';
import { peerHost, type NetworkConfig, type OrgConfig } from '@upoint/devnet/dist/config/network';
import { tlsCaCertPath, userMspDir } from '@upoint/devnet/dist/msp/cryptogen';
import { loadSigningIdentity } from '@upoint/devnet/dist/msp/signer';
import { KEY_TYPES } from '@upoint/chaincode/dist/ledger/keys';
import type { Timeouts } from './config';
import { ApiError, fromFabricError } from './errors';

export interface SubmitRequest {
    /** The org whose identity signs. */
    readonly mspId: string;
    readonly contract: string;
    readonly transaction: string;
    readonly args: readonly string[];
    /** Private inputs (e.g. a verification code): they reach the chaincode but are not written to the block. */
    readonly transient?: Readonly<Record<string, string>>;
}

export interface Submitted {
    readonly txId: string;
    /** The chaincode's response (what every endorser agreed on). */
    readonly result: Uint8Array;
}

export interface TransactionInfo {
    readonly txId: string;
    /** Fabric's validation code name: VALID, MVCC_READ_CONFLICT, … */
    readonly validationCode: string;
    readonly valid: boolean;
    readonly blockNumber: string;
    /** The chaincode's response payload the endorsers signed: what the transaction answered when it ran. */
    readonly result: Uint8Array;
    /** What it invoked: the chaincode function (`contract:Transaction`) and its arguments (transient data excluded). */
    readonly invocation: readonly string[];
    /** The entities it wrote, named as GET /v1/history/{kind}/{id} names them (index entries left out). */
    readonly writes: readonly EntityWrite[];
}

export interface EntityWrite {
    readonly kind: string;
    readonly id: string;
    readonly isDelete: boolean;
}

/** The chaincode's entity key types (chaincode/src/ledger/keys*.ts, imported, not copied) → history kinds. */
const ENTITY_KINDS: ReadonlyMap<string, string> = new Map([
    [KEY_TYPES.provProduct, 'product'],
    [KEY_TYPES.provLot, 'lot'],
    [KEY_TYPES.provUnit, 'unit'],
    [KEY_TYPES.stockLot, 'stock-lot'],
    [KEY_TYPES.tokenOffer, 'offer'],
    [KEY_TYPES.tokenPledge, 'pledge'],
    [KEY_TYPES.tokenRedemption, 'redemption'],
    [KEY_TYPES.receivable, 'receivable'],
]);

/** The entity writes in a chaincode action's read/write set (composite keys: \0type\0attr…\0). */
function entityWritesOf(results: Uint8Array, chaincode: string): EntityWrite[] {
    if (results.length === 0) return [];
    const out: EntityWrite[] = [];
    for (const ns of ledger.rwset.TxReadWriteSet.deserializeBinary(results).getNsRwsetList()) {
        if (ns.getNamespace() !== chaincode) continue;
        for (const w of ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8()).getWritesList()) {
            const [, type = '', id] = w.getKey().split('\u0000');
            const kind = ENTITY_KINDS.get(type);
            if (kind !== undefined && id !== undefined && id !== '') out.push({ kind, id, isDelete: w.getIsDelete() });
        }
    }
    return out;
}

/** One chaincode event of a valid transaction, as the peer delivers it. */
export interface ChaincodeEventInfo {
    readonly blockNumber: bigint;
    readonly txId: string;
    readonly name: string;
    readonly payload: Uint8Array;
}

/** Where a chaincode event stream starts: a block, or just after one transaction of a block (resume). */
export interface EventStart {
    readonly blockNumber: bigint;
    /** Resume after this transaction of `blockNumber` (its event was the last one delivered). */
    readonly afterTxId?: string;
}

/** A stream of chaincode events; `close` ends it (and the gRPC stream under it). */
export interface EventStream extends AsyncIterable<ChaincodeEventInfo> {
    close(): void;
}

export interface FabricPort {
    /** The orgs (MSP ids) this process holds identities for. */
    readonly mspIds: readonly string[];
    evaluate(mspId: string, contract: string, transaction: string, args: readonly string[]): Promise<Uint8Array>;
    /** Endorse and send to ordering; does not wait for commit. Throws the fabric-gateway error as is. */
    submitAsync(request: SubmitRequest): Promise<Submitted>;
    /**
     * Endorse, order and wait for commit. A failed commit throws CommitError; a commit-status deadline is
     * resolved by asking for the status again (never by resubmitting), up to the attempts given.
     */
    submit(request: SubmitRequest): Promise<Submitted>;
    /**
     * Status, block, validation code and original response of a committed transaction (qscc); NOT_FOUND while it
     * is not in a block.
     */
    transaction(mspId: string, txId: string): Promise<TransactionInfo>;
    /** Chaincode events of valid transactions from `start` (default: the next block), until closed. */
    chaincodeEvents(mspId: string, start?: EventStart): Promise<EventStream>;
    close(): void;
}

const VALIDATION_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(StatusCode).map(([name, code]) => [code, name]));

export function validationCodeName(code: number): string {
    return VALIDATION_NAMES.get(code) ?? `UNKNOWN_${code}`;
}

export interface FabricOptions {
    readonly network: NetworkConfig;
    readonly cryptoDir: string;
    readonly orgs: readonly OrgConfig[];
    readonly timeouts: Timeouts;
    /** How often a commit-status deadline is followed by another status query (default 2). */
    readonly commitStatusAttempts?: number;
    /** Connect to 127.0.0.1 (devnet, tests) instead of the peers' host names. */
    readonly host?: string;
}

class FabricConnections implements FabricPort {
    readonly mspIds: readonly string[];
    readonly #clients: grpc.Client[] = [];
    readonly #gateways = new Map<string, Gateway>();
    readonly #channel: string;
    readonly #chaincode: string;
    readonly #commitStatusAttempts: number;

    constructor(options: Readonly<FabricOptions>) {
        this.#channel = options.network.channel;
        this.#chaincode = options.network.chaincode.name;
        // 2 × 30 s at most: a transaction an orderer lost (e.g. a killed Raft leader) is answered 504 with its txId
        // within a minute, and the client's retry with the same Idempotency-Key settles it (issue #9's fault tests)
        this.#commitStatusAttempts = options.commitStatusAttempts ?? 2;
        const t = options.timeouts;
        for (const org of options.orgs) {
            const p = org.peers[0];
            if (p === undefined) throw new Error(`org ${org.name} has no peer`);
            const client = new grpc.Client(`${options.host ?? '127.0.0.1'}:${p.port}`, grpc.credentials.createSsl(readFileSync(tlsCaCertPath(options.cryptoDir, org))), {
                'grpc.ssl_target_name_override': peerHost(org, p),
            });
            this.#clients.push(client);
            // node:crypto ECDSA, low-S as Fabric requires (devnet's msp/signer.ts): ~15× cheaper than the client
            // library's pure-JS signer, which was the largest share of the gateway's CPU per request (issue #9)
            const signing = loadSigningIdentity(org.mspId, userMspDir(options.cryptoDir, org, 'User1'));
            const gateway = connect({
                client,
                identity: { mspId: org.mspId, credentials: Buffer.from(signing.certPem, 'utf8') },
                signer: (message) => Promise.resolve(signing.sign(message)),
                hash: hash.none,
                evaluateOptions: () => ({ deadline: Date.now() + t.evaluate }),
                endorseOptions: () => ({ deadline: Date.now() + t.endorse }),
                submitOptions: () => ({ deadline: Date.now() + t.submit }),
                commitStatusOptions: () => ({ deadline: Date.now() + t.commitStatus }),
            });
            this.#gateways.set(org.mspId, gateway);
        }
        this.mspIds = [...this.#gateways.keys()];
    }

    #gateway(mspId: string): Gateway {
        const g = this.#gateways.get(mspId);
        if (g === undefined) throw new ApiError({ code: 'FORBIDDEN', detail: `this gateway does not serve ${mspId}` });
        return g;
    }

    async evaluate(mspId: string, contract: string, transaction: string, args: readonly string[]): Promise<Uint8Array> {
        const c = this.#gateway(mspId).getNetwork(this.#channel).getContract(this.#chaincode, contract);
        return c.evaluateTransaction(transaction, ...args);
    }

    async #send(request: SubmitRequest): Promise<SubmittedTransaction> {
        const c = this.#gateway(request.mspId).getNetwork(this.#channel).getContract(this.#chaincode, request.contract);
        const endorsed = await c
            .newProposal(request.transaction, { arguments: [...request.args], ...(request.transient !== undefined ? { transientData: { ...request.transient } } : {}) })
            .endorse();
        return endorsed.submit();
    }

    async submitAsync(request: SubmitRequest): Promise<Submitted> {
        const submitted = await this.#send(request);
        return { txId: submitted.getTransactionId(), result: submitted.getResult() };
    }

    async submit(request: SubmitRequest): Promise<Submitted> {
        const submitted = await this.#send(request);
        for (let n = 1; ; n += 1) {
            try {
                const status = await submitted.getStatus();
                if (!status.successful) throw new CommitError({ code: status.code, transactionId: status.transactionId, message: `transaction ${status.transactionId} failed to commit with status code ${status.code} (${validationCodeName(status.code)})` });
                return { txId: submitted.getTransactionId(), result: submitted.getResult() };
            } catch (err) {
                // the transaction was ordered; its outcome is unknown: ask again, never resubmit
                if (!(err instanceof CommitStatusError) || n >= this.#commitStatusAttempts) {
                    if (err instanceof CommitStatusError) {
                        throw new ApiError({ code: 'TIMEOUT', detail: `commit status of ${submitted.getTransactionId()} unknown; see GET /v1/transactions/${submitted.getTransactionId()}`, txId: submitted.getTransactionId(), cause: err });
                    }
                    throw err;
                }
            }
        }
    }

    async transaction(mspId: string, txId: string): Promise<TransactionInfo> {
        const qscc = this.#gateway(mspId).getNetwork(this.#channel).getContract('qscc');
        let processed: peer.ProcessedTransaction;
        let block: common.Block;
        try {
            processed = peer.ProcessedTransaction.deserializeBinary(await qscc.evaluateTransaction('GetTransactionByID', this.#channel, txId));
            block = common.Block.deserializeBinary(await qscc.evaluateTransaction('GetBlockByTxID', this.#channel, txId));
        } catch (err) {
            const mapped = fromFabricError(err);
            if (mapped.code === 'UNAVAILABLE' || mapped.code === 'TIMEOUT') throw mapped;
            throw new ApiError({ code: 'NOT_FOUND', detail: `transaction ${txId} is not in the ledger (yet)`, cause: err });
        }
        const code = processed.getValidationcode();
        return {
            txId,
            validationCode: validationCodeName(code),
            valid: code === StatusCode.VALID,
            blockNumber: String(block.getHeader()?.getNumber() ?? 0),
            ...endorsedTransactionOf(processed.getTransactionenvelope(), this.#chaincode),
        };
    }

    async chaincodeEvents(mspId: string, start?: EventStart): Promise<EventStream> {
        const network = this.#gateway(mspId).getNetwork(this.#channel);
        // a checkpoint with a transaction id makes the peer skip that block's events up to and including it
        const checkpoint =
            start === undefined ? undefined : { getBlockNumber: (): bigint => start.blockNumber, getTransactionId: (): string | undefined => start.afterTxId };
        const events = await network.getChaincodeEvents(this.#chaincode, checkpoint === undefined ? {} : { checkpoint });
        return {
            close: () => {
                events.close();
            },
            async *[Symbol.asyncIterator]() {
                for await (const e of events) yield { blockNumber: e.blockNumber, txId: e.transactionId, name: e.eventName, payload: e.payload };
            },
        };
    }

    close(): void {
        for (const g of this.#gateways.values()) g.close();
        for (const c of this.#clients) c.close();
    }
}

/**
 * What an endorser transaction envelope carries (fabric-protos' transaction.proto and proposal_response.proto):
 * Envelope → Payload → Transaction → first action → ChaincodeActionPayload, whose ChaincodeProposalPayload holds the
 * invocation (ChaincodeInvocationSpec: function and arguments; transient data is never in it) and whose
 * ChaincodeEndorsedAction → ProposalResponsePayload → ChaincodeAction holds the chaincode's Response. Empty parts
 * when the envelope has none.
 */
export function endorsedTransactionOf(envelope: common.Envelope | undefined, chaincode: string): { result: Uint8Array; invocation: string[]; writes: EntityWrite[] } {
    const none = { result: new Uint8Array(), invocation: [], writes: [] };
    if (envelope === undefined) return none;
    const payload = common.Payload.deserializeBinary(envelope.getPayload_asU8());
    const tx = peer.Transaction.deserializeBinary(payload.getData_asU8());
    const action = tx.getActionsList()[0];
    if (action === undefined) return none;
    const cap = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    const spec = peer.ChaincodeInvocationSpec.deserializeBinary(peer.ChaincodeProposalPayload.deserializeBinary(cap.getChaincodeProposalPayload_asU8()).getInput_asU8());
    const invocation = (spec.getChaincodeSpec()?.getInput()?.getArgsList_asU8() ?? []).map((a) => Buffer.from(a).toString('utf8'));
    const endorsed = cap.getAction();
    if (endorsed === undefined) return { ...none, invocation };
    const prp = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
    const action2 = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
    const result = action2.getResponse()?.getPayload_asU8() ?? new Uint8Array();
    return { result, invocation, writes: entityWritesOf(action2.getResults_asU8(), chaincode) };
}

export function connectFabric(options: Readonly<FabricOptions>): FabricPort {
    return new FabricConnections(options);
}
