// Mirrors internal/pkg/gateway/{evaluate,endorse,submit,commitstatus,chaincodeevents}.go: the Gateway service a
// peer offers to fabric-gateway clients. devnet's peers are in one process, so the gateway calls other orgs'
// endorsers directly instead of over gRPC; errors keep Fabric's codes, messages and per-peer details.
import { common, gateway as gw, peer as pb } from '@hyperledger/fabric-protos';
import type { sendUnaryData, ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { RpcError, GrpcStatus, type Detail } from './errors';
import { bytesEqual, parseEndorserTx, parseSignedProposal, proposalPayloadWithoutTransient, type ParsedProposal } from '../protoutil';
import type { Peer } from '../peer/peer';
import type { Orderer } from '../orderer/orderer';
import type { EndorserResult } from '../endorser/endorser';
import { chaincodePolicy } from '../committer/txvalidator';
import type { MspManager } from '../msp/msp';
import type { PolicyManager } from '../policies/manager';
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
            commitStatus: unary((r: gw.SignedCommitStatusRequest) => this.commitStatus(r)),
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
            const chosen: Peer[] = [];
            for (const org of explicit) {
                const peer = (await this.#candidates(cc, [org]))[0];
                if (!peer) throw new RpcError(GrpcStatus.UNAVAILABLE, `failed to find any endorsing peers for org(s): ${org}`);
                chosen.push(peer);
            }
            const results = await Promise.all(chosen.map(async (peer) => ({ peer, r: await peer.processProposal(p.signedProposal) })));
            endorsements = [];
            for (const { peer, r } of results) {
                const o = responseStatus(r);
                if (o.code !== GrpcStatus.OK) details.push(detail(peer, o.message));
                else endorsements.push({ peer, response: r.response });
            }
            if (details.length > 0) throw new RpcError(GrpcStatus.ABORTED, 'failed to endorse transaction, see attached details for more info', details);
            this.#checkPayloadsMatch(endorsements);
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

    #checkPayloadsMatch(es: ReadonlyArray<{ peer: Peer; response: pb.ProposalResponse }>): void {
        const first = es[0];
        if (!first) return;
        const mismatched = es.slice(1).filter((e) => !bytesEqual(e.response.getPayload_asU8(), first.response.getPayload_asU8()));
        if (mismatched.length > 0) {
            throw new RpcError(
                GrpcStatus.ABORTED,
                'failed to collect enough transaction endorsements, see attached details for more info',
                mismatched.map((m) => detail(m.peer, 'ProposalResponsePayloads do not match')),
            );
        }
    }

    /** endorse.go: the local org's peer first, then enough other peers to satisfy the chaincode's endorsement policy. */
    async #endorseByPolicy(p: ParsedProposal, cc: string, details: Detail[]): Promise<Array<{ peer: Peer; response: pb.ProposalResponse }>> {
        const candidates = await this.#candidates(cc, undefined);
        const firstPeer = candidates.includes(this.#o.local) ? this.#o.local : candidates[0];
        if (!firstPeer) {
            throw new RpcError(GrpcStatus.FAILED_PRECONDITION, `no combination of peers can be derived which satisfy the endorsement policy: no peers available to endorse chaincode ${cc} in channel ${p.channelHeader.getChannelId()}`);
        }
        const r = await firstPeer.processProposal(p.signedProposal);
        const o = responseStatus(r);
        if (o.code !== GrpcStatus.OK) {
            details.push(detail(firstPeer, o.message));
            throw new RpcError(
                o.code === GrpcStatus.FAILED_PRECONDITION ? GrpcStatus.FAILED_PRECONDITION : GrpcStatus.ABORTED,
                o.code === GrpcStatus.FAILED_PRECONDITION ? o.message : 'failed to endorse transaction, see attached details for more info',
                o.code === GrpcStatus.FAILED_PRECONDITION ? [] : details,
            );
        }
        const collected: Array<{ peer: Peer; response: pb.ProposalResponse }> = [{ peer: firstPeer, response: r.response }];
        const policy = await this.#policyFor(cc);
        if (!policy) return collected;

        // The layout must be satisfiable by the peers that have the chaincode at all.
        if (!policy.satisfiedBy(candidates)) {
            throw new RpcError(
                GrpcStatus.FAILED_PRECONDITION,
                `no combination of peers can be derived which satisfy the endorsement policy: required chaincodes are not installed on sufficient peers`,
            );
        }
        const remaining = candidates.filter((c) => c !== firstPeer);
        const chosen: Peer[] = [firstPeer];
        while (!policy.satisfiedBy(chosen)) {
            // Pick the next peers greedily in network order; endorse in parallel, fall back on failure.
            const need: Peer[] = [];
            for (const c of remaining) {
                if (policy.satisfiedBy([...chosen, ...need])) break;
                need.push(c);
            }
            if (need.length === 0) break;
            for (const n of need) remaining.splice(remaining.indexOf(n), 1);
            const results = await Promise.all(need.map(async (peer) => ({ peer, r: await peer.processProposal(p.signedProposal) })));
            for (const { peer, r: res } of results) {
                const oc = responseStatus(res);
                if (oc.code !== GrpcStatus.OK) {
                    details.push(detail(peer, oc.message));
                    continue;
                }
                if (!bytesEqual(res.response.getPayload_asU8(), r.response.getPayload_asU8())) {
                    details.push(detail(peer, 'ProposalResponsePayloads do not match'));
                    continue;
                }
                collected.push({ peer, response: res.response });
                chosen.push(peer);
            }
            if (remaining.length === 0 && !policy.satisfiedBy(chosen)) break;
        }
        if (!policy.satisfiedBy(chosen)) {
            throw new RpcError(GrpcStatus.ABORTED, 'failed to collect enough transaction endorsements, see attached details for more info', details);
        }
        return collected;
    }

    /** The invoked chaincode's endorsement policy, evaluated over peers' identities (each signs a fresh nonce). */
    async #policyFor(cc: string): Promise<{ satisfiedBy(peers: readonly Peer[]): boolean } | undefined> {
        if (cc === 'qscc') return undefined;
        let policy;
        if (cc === '_lifecycle') {
            policy = this.#o.policies.getPolicy('/Channel/Application/LifecycleEndorsement');
        } else {
            const { def } = await this.#o.local.resolveChaincode(cc);
            if (!def) return undefined;
            policy = chaincodePolicy({ policies: this.#o.policies, msps: this.#o.msps }, def);
        }
        if (!policy) return undefined;
        const nonce = randomBytes(16);
        const p = policy;
        return {
            satisfiedBy: (peers) => {
                try {
                    p.evaluateSignedData(peers.map((x) => ({ data: nonce, identity: x.serializedIdentity(), signature: x.sign(nonce) })));
                    return true;
                } catch {
                    return false;
                }
            },
        };
    }

    async submit(req: gw.SubmitRequest): Promise<gw.SubmitResponse> {
        const env = req.getPreparedTransaction();
        if (!env) throw new RpcError(GrpcStatus.INVALID_ARGUMENT, 'a prepared transaction is required');
        if (env.getSignature_asU8().length === 0) throw new RpcError(GrpcStatus.INVALID_ARGUMENT, 'prepared transaction must be signed');
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

    async commitStatus(req: gw.SignedCommitStatusRequest): Promise<gw.CommitStatusResponse> {
        const bytes = req.getRequest_asU8();
        let r: gw.CommitStatusRequest;
        try {
            r = gw.CommitStatusRequest.deserializeBinary(bytes);
        } catch (err) {
            throw new RpcError(GrpcStatus.INVALID_ARGUMENT, `failed to unmarshal request: ${(err as Error).message}`);
        }
        if (r.getChannelId() !== this.#o.local.channelId) throw new RpcError(GrpcStatus.NOT_FOUND, `channel '${r.getChannelId()}' not found`);
        this.#checkReaders('gateway/CommitStatus', bytes, r.getIdentity_asU8(), req.getSignature_asU8());
        const loc = await this.#o.local.waitForTx(r.getTransactionId());
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
                const ev = chaincodeEventOf(envs[i] ?? new Uint8Array());
                if (skipUntilTx) {
                    if (ev?.txId === afterTx) skipUntilTx = false;
                    continue;
                }
                if (filter[i] !== TxValidationCode.VALID || !ev?.event) continue;
                const e = ev.event;
                if (e.getChaincodeId() !== cc || e.getTxId() === '' || e.getEventName() === '') continue;
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
    const action = new pb.ChaincodeEndorsedAction();
    action.setProposalResponsePayload(prpBytes);
    action.setEndorsementsList([...endorsements]);
    const cap = new pb.ChaincodeActionPayload();
    cap.setChaincodeProposalPayload(proposalPayloadWithoutTransient(p));
    cap.setAction(action);
    const ta = new pb.TransactionAction();
    ta.setHeader(p.header.getSignatureHeader_asU8());
    ta.setPayload(cap.serializeBinary());
    const tx = new pb.Transaction();
    tx.setActionsList([ta]);
    const payload = new common.Payload();
    payload.setHeader(p.header);
    payload.setData(tx.serializeBinary());
    const env = new common.Envelope();
    env.setPayload(payload.serializeBinary());
    return env;
}

