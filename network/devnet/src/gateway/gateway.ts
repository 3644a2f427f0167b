// Mirrors internal/pkg/gateway/{evaluate,endorse,submit,commitstatus,chaincodeevents}.go: the Gateway service a
// peer offers to fabric-gateway clients. devnet's peers are in one process, so the gateway calls other orgs'
// endorsers directly instead of over gRPC; errors keep Fabric's codes, messages and per-peer details.
import { common, gateway as gw, ledger as lproto, peer as pb } from '@hyperledger/fabric-protos';
import type { sendUnaryData, ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { RpcError, GrpcStatus, type Detail } from './errors';
import { computeLayouts, EndorsementPlan, type EndorseOutcome, type Layout } from './endorsement';
import { newEndorserTransaction, parseEndorserTx, parseSignedProposal, proposalPayloadWithoutTransient, type ParsedProposal } from '../protoutil';
import type { Peer } from '../peer/peer';
import type { Orderer } from '../orderer/orderer';
import type { EndorserResult } from '../endorser/endorser';
import { chaincodePolicy } from '../committer/txvalidator';
import { newSignaturePolicy } from '../policies/manager';
import type { MspManager } from '../msp/msp';
import type { PolicyManager } from '../policies/manager';
import type { SignedData as SignedDataLike } from '../policies/policy';
import { TxValidationCode } from '../protoutil';

export interface GatewayOptions {
    readonly local: Peer;
    /** Every peer of the channel (local included), in network-file order. */
    readonly peers: readonly Peer[];
    readonly orderer: Orderer;
    readonly msps: MspManager;
    readonly policies: PolicyManager;
    readonly endorsementTimeoutMs?: number;
}

interface Outcome {
    readonly code: GrpcStatus;
    readonly message: string;
    readonly retry: boolean;
}

/** apiutils/gateway.go responseStatus: how one peer's answer is classified. */
function responseStatus(r: EndorserResult): Outcome {
    if (r.error !== undefined) return { code: GrpcStatus.FAILED_PRECONDITION, message: r.error, retry: false };
    const res = r.response.getResponse();
    const status = res?.getStatus() ?? 0;
    const message = res?.getMessage() ?? '';
    if (status >= 200 && status < 400) return { code: GrpcStatus.OK, message: '', retry: false };
    if (status === 500 && r.response.getPayload_asU8().length === 0) return { code: GrpcStatus.ABORTED, message, retry: true };
    return { code: GrpcStatus.UNKNOWN, message: `chaincode response ${status}, ${message}`, retry: false };
}

/** One peer's ProcessProposal, classified as the gateway does (apiutils.go responseStatus). */
async function endorseOn(peer: Peer, p: ParsedProposal): Promise<EndorseOutcome> {
    const r = await peer.processProposal(p.signedProposal);
    const o = responseStatus(r);
    return o.code === GrpcStatus.OK ? { response: r.response } : { error: o.message };
}

function detail(p: Peer, message: string): Detail {
    return { address: p.address, mspId: p.mspId, message };
}

function unpack(sp: pb.SignedProposal | undefined): ParsedProposal {
    if (!sp || sp.getProposalBytes_asU8().length === 0) throw new Error('a signed proposal is required');
    const p = parseSignedProposal(sp);
    if (p.channelHeader.getChannelId() === '') throw new Error('no channel id provided');
    const spec = p.invocationSpec.getChaincodeSpec();
    if (!spec) throw new Error(`no chaincode spec is provided, channel id [${p.channelHeader.getChannelId()}]`);
    if (!spec.getChaincodeId()?.getName()) throw new Error(`no chaincode name is provided, channel id [${p.channelHeader.getChannelId()}]`);
    return p;
}

export class GatewayServer {
    readonly #o: GatewayOptions;
    readonly #layoutCache = new Map<string, Layout[]>();

    constructor(o: GatewayOptions) {
        this.#o = o;
    }

    /** The service implementation to register with grpc-js under gateway.GatewayService. */
    service(): gw.IGatewayServer {
        const unary = <Req, Res>(fn: (req: Req) => Promise<Res>) =>
            (call: ServerUnaryCall<Req, Res>, cb: sendUnaryData<Res>): void => {
                fn(call.request).then(
                    (res) => cb(null, res),
                    (err: unknown) => cb(err instanceof RpcError ? err : new RpcError(GrpcStatus.INTERNAL, (err as Error).message)),
                );
            };
        return {
            evaluate: unary((r: gw.EvaluateRequest) => this.evaluate(r)),
            endorse: unary((r: gw.EndorseRequest) => this.endorse(r)),
            submit: unary((r: gw.SubmitRequest) => this.submit(r)),
            // commitstatus.go waits under the request context: a cancelled or timed-out call stops waiting.
            commitStatus: (call: ServerUnaryCall<gw.SignedCommitStatusRequest, gw.CommitStatusResponse>, cb: sendUnaryData<gw.CommitStatusResponse>) => {
                const ac = new AbortController();
                call.on('cancelled', () => ac.abort());
                this.commitStatus(call.request, ac.signal).then(
                    (res) => cb(null, res),
                    (err: unknown) => cb(err instanceof RpcError ? err : new RpcError(ac.signal.aborted ? GrpcStatus.CANCELLED : GrpcStatus.INTERNAL, (err as Error).message)),
                );
            },
            chaincodeEvents: (call: ServerWritableStream<gw.SignedChaincodeEventsRequest, gw.ChaincodeEventsResponse>) => {
                this.chaincodeEvents(call).catch((err: unknown) => {
                    call.destroy(err instanceof RpcError ? err : new RpcError(GrpcStatus.INTERNAL, (err as Error).message));
                });
            },
        };
    }

    async #candidates(cc: string, targetOrgs: readonly string[] | undefined): Promise<Peer[]> {
        const out: Peer[] = [];
        // Local org first, then the others in network order (registry.go evaluator/endorsers).
        const ordered = [this.#o.local, ...this.#o.peers.filter((p) => p !== this.#o.local)];
        for (const p of ordered) {
            if (targetOrgs && targetOrgs.length > 0 && !targetOrgs.includes(p.mspId)) continue;
            if (await p.advertises(cc)) out.push(p);
        }
        return out;
    }

    async evaluate(req: gw.EvaluateRequest): Promise<gw.EvaluateResponse> {
        let p: ParsedProposal;
        try {
            p = unpack(req.getProposedTransaction());
        } catch (err) {
            throw new RpcError(GrpcStatus.INVALID_ARGUMENT, `failed to unpack transaction proposal: ${(err as Error).message}`);
        }
        const cc = p.chaincodeName;
        const channel = p.channelHeader.getChannelId();
        let targets = req.getTargetOrganizationsList();
        const transient = p.proposalPayload.getTransientmapMap().getLength() > 0;
        if (transient && targets.length === 0) targets = [this.#o.local.mspId];
        const candidates = channel === this.#o.local.channelId ? await this.#candidates(cc, targets) : [];
        if (candidates.length === 0) {
            const msg = `no peers available to evaluate chaincode ${cc} in channel ${channel}`;
            throw new RpcError(
                GrpcStatus.FAILED_PRECONDITION,
                transient && req.getTargetOrganizationsList().length === 0
                    ? `no endorsers found in the gateway's organization; retry specifying target organization(s) to protect transient data: ${msg}`
                    : msg,
            );
        }
        const details: Detail[] = [];
        for (const peer of candidates) {
            const r = await peer.processProposal(p.signedProposal);
            const o = responseStatus(r);
            if (o.code === GrpcStatus.OK) {
                const response = r.response.getResponse() ?? new pb.Response();
                try {
                    const prp = pb.ProposalResponsePayload.deserializeBinary(r.response.getPayload_asU8());
                    response.setPayload(pb.ChaincodeAction.deserializeBinary(prp.getExtension_asU8()).getResponse()?.getPayload_asU8() ?? new Uint8Array());
                } catch {
                    // keep Response.payload (Fabric logs a warning)
                }
                const out = new gw.EvaluateResponse();
                out.setResult(response);
                return out;
            }
            details.push(detail(peer, o.message));
            if (!o.retry) throw new RpcError(o.code, `evaluate call to endorser returned error: ${o.message}`, details);
        }
        throw new RpcError(GrpcStatus.ABORTED, 'failed to evaluate transaction, see attached details for more info', details);
    }

    async endorse(req: gw.EndorseRequest): Promise<gw.EndorseResponse> {
        let p: ParsedProposal;
        try {
            p = unpack(req.getProposedTransaction());
        } catch (err) {
            throw new RpcError(GrpcStatus.INVALID_ARGUMENT, `failed to unpack transaction proposal: ${(err as Error).message}`);
        }
        const cc = p.chaincodeName;
        const details: Detail[] = [];
        const explicit = req.getEndorsingOrganizationsList();
        let endorsements: Array<{ peer: Peer; response: pb.ProposalResponse }>;

        if (explicit.length > 0) {
            // registry.go planForOrgs: one layout needing one peer of each named org; no first-endorser stage.
            const candidates = await this.#candidates(cc, explicit);
            const missing = explicit.filter((org) => !candidates.some((c) => c.mspId === org));
            if (missing.length > 0) throw new RpcError(GrpcStatus.UNAVAILABLE, `failed to find any endorsing peers for org(s): ${missing.join(', ')}`);
            const plan = new EndorsementPlan(candidates, details);
            plan.useLayouts([new Map(explicit.map((org) => [org, 1]))]);
            const done = await plan.run((peer) => endorseOn(peer, p));
            if (!done) throw new RpcError(GrpcStatus.ABORTED, 'failed to collect enough transaction endorsements, see attached details for more info', details);
            endorsements = done;
        } else {
            endorsements = await this.#endorseByPolicy(p, cc, details);
        }

        const first = endorsements[0];
        if (!first) throw new RpcError(GrpcStatus.ABORTED, 'failed to collect enough transaction endorsements, see attached details for more info', details);
        const seen = new Set<string>();
        const unique: pb.Endorsement[] = [];
        for (const e of endorsements) {
            const en = e.response.getEndorsement();
            if (!en) continue;
            const k = Buffer.from(en.getEndorser_asU8()).toString('base64');
            if (seen.has(k)) continue;
            seen.add(k);
            unique.push(en);
        }
        const out = new gw.EndorseResponse();
        out.setPreparedTransaction(prepareTransaction(p, first.response.getPayload_asU8(), unique));
        return out;
    }

    /**
     * endorse.go planFromFirstEndorser + Endorse: a peer of the gateway's org first (any of its peers, in turn; if
     * none succeeds, ABORTED with every peer's detail), then discovery layouts (endorsement.go plan) for the rest.
     */
    async #endorseByPolicy(p: ParsedProposal, cc: string, details: Detail[]): Promise<Array<{ peer: Peer; response: pb.ProposalResponse }>> {
        const channel = p.channelHeader.getChannelId();
        const candidates = await this.#candidates(cc, undefined);
        const localOrg = this.#o.local.mspId;
        let layouts: Layout[] | undefined;
        let firstOrg = localOrg;
        if (!candidates.some((c) => c.mspId === localOrg)) {
            // No local endorser for this chaincode: discovery picks the first one.
            layouts = await this.#layouts(cc, channel, candidates);
            firstOrg = [...(layouts[0]?.keys() ?? [])][0] ?? localOrg;
        }
        const plan = new EndorsementPlan(candidates, details);
        const first = await plan.endorseFirst(firstOrg, (peer) => endorseOn(peer, p));
        if (!first) throw new RpcError(GrpcStatus.ABORTED, 'failed to endorse transaction, see attached details for more info', details);
        if (cc === 'qscc') return [first];
        // The first endorser's ChaincodeInterest drives the plan (endorse.go; registry.go endorsementPlan): key-level
        // policies of written keys join (or replace) the chaincode policy. Found by the differential suite against Fabric.
        const interest = await this.#interest(cc, first.response);
        if (interest) layouts = await this.#interestLayouts(interest, channel, candidates);
        layouts ??= await this.#layouts(cc, channel, candidates);
        // The discovery plan, preferring layouts that contain the first endorser's org (registry.go endorsementPlan).
        plan.useLayouts([...layouts.filter((l) => l.has(first.peer.mspId)), ...layouts.filter((l) => !l.has(first.peer.mspId))]);
        const done = await plan.run((peer) => endorseOn(peer, p));
        if (!done) throw new RpcError(GrpcStatus.ABORTED, 'failed to collect enough transaction endorsements, see attached details for more info', details);
        return done;
    }

    /**
     * core/endorser/endorser.go buildChaincodeInterest (with txmgr/tx_simulator.go checkStateMetadata), rebuilt from the
     * first endorsement: per user namespace of its rwset, the VALIDATION_PARAMETER of each written key as committed,
     * and the chaincode policy unless every write of the namespace has one (DisregardNamespacePolicy). Undefined when
     * the interest is just `cc`'s own chaincode policy (the plain discovery layouts then apply).
     */
    async #interest(cc: string, response: pb.ProposalResponse): Promise<Array<{ name: string; policy: { evaluateSignedData(sd: readonly SignedDataLike[]): void } }> | undefined> {
        let rw: lproto.rwset.TxReadWriteSet;
        try {
            const prp = pb.ProposalResponsePayload.deserializeBinary(response.getPayload_asU8());
            rw = lproto.rwset.TxReadWriteSet.deserializeBinary(pb.ChaincodeAction.deserializeBinary(prp.getExtension_asU8()).getResults_asU8());
        } catch {
            return undefined;
        }
        const out: Array<{ name: string; policy: { evaluateSignedData(sd: readonly SignedDataLike[]): void } }> = [];
        let onlyOwnPolicy = true;
        const snap = this.#o.local.ledger.snapshot();
        try {
            for (const ns of rw.getNsRwsetList()) {
                const name = ns.getNamespace();
                if (['_lifecycle', 'qscc', 'cscc', 'lscc'].includes(name)) continue;
                const writes = lproto.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8()).getWritesList();
                let required = writes.length === 0;
                for (const w of writes) {
                    const vp = (await snap.get(name, w.getKey()))?.metadata.get('VALIDATION_PARAMETER');
                    if (vp && vp.length > 0) {
                        out.push({ name: `${name}/${w.getKey()}`, policy: newSignaturePolicy(common.SignaturePolicyEnvelope.deserializeBinary(vp), this.#o.msps) });
                        onlyOwnPolicy = false;
                    } else required = true;
                }
                if (!required) continue;
                if (name !== cc) onlyOwnPolicy = false;
                const { def } = await this.#o.local.resolveChaincode(name);
                const policy = def ? chaincodePolicy({ policies: this.#o.policies, msps: this.#o.msps }, def) : undefined;
                if (policy) out.push({ name, policy });
            }
        } finally {
            await snap.close();
        }
        return onlyOwnPolicy ? undefined : out;
    }

    /** Discovery's layouts for a whole chaincode interest: every policy in it satisfied by the same peers. */
    async #interestLayouts(interest: Array<{ name: string; policy: { evaluateSignedData(sd: readonly SignedDataLike[]): void } }>, channel: string, candidates: readonly Peer[]): Promise<Layout[]> {
        const nonce = randomBytes(16);
        const signatures = new Map<Peer, Uint8Array>();
        const satisfiedBy = (peers: readonly Peer[]): boolean => {
            const sd = peers.map((x) => {
                let sig = signatures.get(x);
                if (!sig) {
                    sig = x.sign(nonce);
                    signatures.set(x, sig);
                }
                return { data: nonce, identity: x.serializedIdentity(), signature: sig };
            });
            try {
                for (const i of interest) i.policy.evaluateSignedData(sd);
                return true;
            } catch {
                return false;
            }
        };
        const layouts = computeLayouts(candidates, satisfiedBy);
        if (layouts.length === 0) {
            throw new RpcError(
                GrpcStatus.FAILED_PRECONDITION,
                `no combination of peers can be derived which satisfy the endorsement policy: no peer combination can satisfy the endorsement policy of ${interest.map((i) => i.name).join(', ')} in channel ${channel}`,
            );
        }
        return layouts;
    }

    /**
     * Discovery's layouts for the chaincode's endorsement policy over the peers that have it (cached per definition
     * sequence and candidate set). Failures are discovery's errors (discovery/endorsement/endorsement.go).
     */
    async #layouts(cc: string, channel: string, candidates: readonly Peer[]): Promise<Layout[]> {
        const noCombination = (why: string): RpcError =>
            new RpcError(GrpcStatus.FAILED_PRECONDITION, `no combination of peers can be derived which satisfy the endorsement policy: ${why}`);
        let policy;
        let sequence = 0;
        if (cc === '_lifecycle') {
            policy = this.#o.policies.getPolicy('/Channel/Application/LifecycleEndorsement');
        } else {
            const { def } = await this.#o.local.resolveChaincode(cc);
            if (!def) throw noCombination(`No metadata was found for chaincode ${cc} in channel ${channel}`);
            sequence = def.sequence;
            policy = chaincodePolicy({ policies: this.#o.policies, msps: this.#o.msps }, def);
        }
        if (!policy) throw noCombination('policy not found');
        const key = `${cc}\0${sequence}\0${candidates.map((c) => c.address).join(',')}`;
        const cached = this.#layoutCache.get(key);
        if (cached) return cached;
        const nonce = randomBytes(16);
        const signatures = new Map<Peer, Uint8Array>();
        const pol = policy;
        const satisfiedBy = (peers: readonly Peer[]): boolean => {
            try {
                pol.evaluateSignedData(
                    peers.map((x) => {
                        let sig = signatures.get(x);
                        if (!sig) {
                            sig = x.sign(nonce);
                            signatures.set(x, sig);
                        }
                        return { data: nonce, identity: x.serializedIdentity(), signature: sig };
                    }),
                );
                return true;
            } catch {
                return false;
            }
        };
        const layouts = computeLayouts(candidates, satisfiedBy);
        if (layouts.length === 0) {
            throw noCombination(satisfiedBy(this.#o.peers) ? 'required chaincodes are not installed on sufficient peers' : 'no peer combination can satisfy the endorsement policy');
        }
        this.#layoutCache.set(key, layouts);
        return layouts;
    }

    async submit(req: gw.SubmitRequest): Promise<gw.SubmitResponse> {
        const env = req.getPreparedTransaction();
        if (!env) throw new RpcError(GrpcStatus.INVALID_ARGUMENT, 'a prepared transaction is required');
        if (env.getSignature_asU8().length === 0) throw new RpcError(GrpcStatus.INVALID_ARGUMENT, 'prepared transaction must be signed');
        // internal/pkg/gateway/submit.go: the orderers come from the request's channel (registry.orderers →
        // discovery's Config), so an unknown channel fails before anything is broadcast
        if (req.getChannelId() !== this.#o.local.channelId) {
            throw new RpcError(
                GrpcStatus.FAILED_PRECONDITION,
                `failed to get config for channel [${req.getChannelId()}]: could not get last config for channel ${req.getChannelId()}`,
            );
        }
        const res = this.#o.orderer.broadcast(env.serializeBinary());
        if (res.status === common.Status.SUCCESS) return new gw.SubmitResponse();
        const name = Object.entries(common.Status).find(([, v]) => v === res.status)?.[0] ?? String(res.status);
        if (res.status >= 400 && res.status < 500) {
            throw new RpcError(GrpcStatus.ABORTED, `received unsuccessful response from orderer: status=${name}, info=${res.info}`);
        }
        throw new RpcError(GrpcStatus.UNAVAILABLE, 'no orderers could successfully process transaction', [
            { address: 'orderer', mspId: 'OrdererMSP', message: `received unsuccessful response from orderer: status=${name}, info=${res.info}` },
        ]);
    }

    #checkReaders(resource: string, request: Uint8Array, identity: Uint8Array, signature: Uint8Array): void {
        try {
            this.#o.local.checkAclSigned(resource, { data: request, identity, signature });
        } catch (err) {
            throw new RpcError(GrpcStatus.PERMISSION_DENIED, (err as Error).message);
        }
    }

    async commitStatus(req: gw.SignedCommitStatusRequest, signal?: AbortSignal): Promise<gw.CommitStatusResponse> {
        const bytes = req.getRequest_asU8();
        let r: gw.CommitStatusRequest;
        try {
            r = gw.CommitStatusRequest.deserializeBinary(bytes);
        } catch (err) {
            throw new RpcError(GrpcStatus.INVALID_ARGUMENT, `failed to unmarshal request: ${(err as Error).message}`);
        }
        if (r.getChannelId() !== this.#o.local.channelId) throw new RpcError(GrpcStatus.NOT_FOUND, `channel '${r.getChannelId()}' not found`);
        this.#checkReaders('gateway/CommitStatus', bytes, r.getIdentity_asU8(), req.getSignature_asU8());
        const loc = await this.#o.local.waitForTx(r.getTransactionId(), signal);
        const out = new gw.CommitStatusResponse();
        out.setResult(loc.validationCode as pb.TxValidationCodeMap[keyof pb.TxValidationCodeMap]);
        out.setBlockNumber(Number(loc.blockNum));
        return out;
    }

    /** chaincodeevents.go: per block, the events of VALID transactions of the chaincode; resumable by txid or block. */
    async chaincodeEvents(call: ServerWritableStream<gw.SignedChaincodeEventsRequest, gw.ChaincodeEventsResponse>): Promise<void> {
        const signed = call.request;
        const bytes = signed.getRequest_asU8();
        const r = gw.ChaincodeEventsRequest.deserializeBinary(bytes);
        if (r.getChannelId() !== this.#o.local.channelId) throw new RpcError(GrpcStatus.NOT_FOUND, `channel '${r.getChannelId()}' not found`);
        this.#checkReaders('gateway/ChaincodeEvents', bytes, r.getIdentity_asU8(), signed.getSignature_asU8());
        const ledger = this.#o.local.ledger;
        const afterTx = r.getAfterTransactionId();
        let start = ledger.height;
        let skipUntilTx = false;
        const loc = afterTx ? ledger.getTxLocation(afterTx) : undefined;
        if (loc) {
            start = Number(loc.blockNum);
            skipUntilTx = true;
        } else {
            const pos = r.getStartPosition();
            if (pos?.hasSpecified()) start = pos.getSpecified()?.getNumber() ?? 0;
            else if (pos?.hasOldest()) start = 0;
        }
        const ac = new AbortController();
        call.on('cancelled', () => ac.abort());
        call.on('close', () => ac.abort());
        const cc = r.getChaincodeId();
        for (let n = start; !ac.signal.aborted; n++) {
            await ledger.waitForHeight(n + 1, ac.signal).catch(() => undefined);
            if (ac.signal.aborted) return;
            const block = await ledger.getBlockByNumber(n);
            if (!block) return;
            const events: pb.ChaincodeEvent[] = [];
            const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
            const envs = block.getData()?.getDataList_asU8() ?? [];
            for (let i = 0; i < envs.length; i++) {
                // event/chaincodeiterator.go: only well-formed events of VALID transactions exist for the matcher;
                // chaincodeevents.go chaincodeEventMatcher: in after-txid mode it skips until it has seen that txid's
                // event (a transaction with no event never matches, so nothing is delivered).
                if (filter[i] !== TxValidationCode.VALID) continue;
                const e = chaincodeEventOf(envs[i] ?? new Uint8Array())?.event;
                if (!e || e.getChaincodeId() === '' || e.getTxId() === '' || e.getEventName() === '') continue;
                if (skipUntilTx) {
                    if (e.getTxId() === afterTx) skipUntilTx = false;
                    continue;
                }
                if (e.getChaincodeId() !== cc) continue;
                events.push(e);
            }
            if (events.length > 0) {
                const resp = new gw.ChaincodeEventsResponse();
                resp.setBlockNumber(n);
                resp.setEventsList(events);
                if (!call.write(resp)) await new Promise((res) => call.once('drain', res));
            }
        }
    }
}

function chaincodeEventOf(envBytes: Uint8Array): { txId: string; event?: pb.ChaincodeEvent } | undefined {
    try {
        const env = common.Envelope.deserializeBinary(envBytes);
        const payload = common.Payload.deserializeBinary(env.getPayload_asU8());
        const chdr = common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array());
        if (chdr.getType() !== common.HeaderType.ENDORSER_TRANSACTION) return { txId: chdr.getTxId() };
        const tx = parseEndorserTx(payload);
        const evBytes = tx.chaincodeAction.getEvents_asU8();
        return { txId: chdr.getTxId(), event: evBytes.length > 0 ? pb.ChaincodeEvent.deserializeBinary(evBytes) : undefined };
    } catch {
        return undefined;
    }
}

/** apiutils.go prepareTransaction: the unsigned transaction envelope the client signs and submits. */
function prepareTransaction(p: ParsedProposal, prpBytes: Uint8Array, endorsements: readonly pb.Endorsement[]): common.Envelope {
    return newEndorserTransaction(p.header, proposalPayloadWithoutTransient(p), prpBytes, endorsements);
}
