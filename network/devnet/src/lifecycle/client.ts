// What `peer lifecycle chaincode ...` does (internal/peer/lifecycle/chaincode/*.go): signed proposals to
// `_lifecycle` through a peer's Endorser service, transactions through the orderer's Broadcast, and the
// commit awaited through the peer's Gateway CommitStatus. Speaks only Fabric's wire protocol, so it
// works against devnet and real Fabric alike.
import { credentials, type ChannelCredentials } from '@grpc/grpc-js';
import { common, gateway as gw, orderer as ord, peer as pb } from '@hyperledger/fabric-protos';
import { newEndorserTransaction, newHeader, validationCodeName, TxValidationCode } from '../protoutil';

export interface Signer {
    readonly mspId: string;
    serialized(): Uint8Array;
    sign(msg: Uint8Array): Uint8Array;
}

export interface Endpoint {
    readonly address: string;
    /** PEM of the TLS CA that issued the server's certificate */
    readonly tlsRootCert: Uint8Array;
    /** the server certificate's host name */
    readonly hostOverride?: string;
}

function creds(e: Endpoint): { c: ChannelCredentials; opts: Record<string, string> } {
    return {
        c: credentials.createSsl(Buffer.from(e.tlsRootCert)),
        opts: e.hostOverride ? { 'grpc.ssl_target_name_override': e.hostOverride } : {},
    };
}

export interface BuiltProposal {
    readonly txId: string;
    readonly header: common.Header;
    readonly cppBytes: Uint8Array;
    readonly signed: pb.SignedProposal;
}

export function buildProposal(signer: Signer, channelId: string, chaincode: string, args: readonly Uint8Array[]): BuiltProposal {
    const ccid = new pb.ChaincodeID();
    ccid.setName(chaincode);
    const ext = new pb.ChaincodeHeaderExtension();
    ext.setChaincodeId(ccid);
    const { header, txId } = newHeader(common.HeaderType.ENDORSER_TRANSACTION, channelId, signer.serialized(), ext.serializeBinary());
    const input = new pb.ChaincodeInput();
    input.setArgsList([...args]);
    const spec = new pb.ChaincodeSpec();
    spec.setType(pb.ChaincodeSpec.Type.GOLANG);
    spec.setChaincodeId(ccid);
    spec.setInput(input);
    const cis = new pb.ChaincodeInvocationSpec();
    cis.setChaincodeSpec(spec);
    const cpp = new pb.ChaincodeProposalPayload();
    cpp.setInput(cis.serializeBinary());
    const cppBytes = cpp.serializeBinary();
    const proposal = new pb.Proposal();
    proposal.setHeader(header.serializeBinary());
    proposal.setPayload(cppBytes);
    const bytes = proposal.serializeBinary();
    const signed = new pb.SignedProposal();
    signed.setProposalBytes(bytes);
    signed.setSignature(signer.sign(bytes));
    return { txId, header, cppBytes, signed };
}

export class LifecycleClientError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'LifecycleClientError';
    }
}

export async function processProposal(peer: Endpoint, sp: pb.SignedProposal, deadlineMs = 60_000): Promise<pb.ProposalResponse> {
    const { c, opts } = creds(peer);
    const client = new pb.EndorserClient(peer.address, c, opts);
    try {
        return await new Promise((resolve, reject) => {
            client.processProposal(sp, { deadline: Date.now() + deadlineMs }, (err, res) => {
                if (err) reject(new LifecycleClientError(`${peer.address}: ${err.details || err.message}`));
                else if (!res) reject(new LifecycleClientError(`${peer.address}: empty response`));
                else resolve(res);
            });
        });
    } finally {
        client.close();
    }
}

/** Evaluate: the response payload of a successful proposal, or an error naming the peer's message. */
export async function query(peer: Endpoint, signer: Signer, channelId: string, chaincode: string, args: readonly Uint8Array[]): Promise<Uint8Array> {
    const p = buildProposal(signer, channelId, chaincode, args);
    const r = await processProposal(peer, p.signed);
    const res = r.getResponse();
    if (!res || res.getStatus() !== 200) throw new LifecycleClientError(`${peer.address}: ${res?.getMessage() ?? 'no response'}`);
    return res.getPayload_asU8();
}

/** Endorse on every given peer, assemble the transaction, sign and broadcast it, then await its commit. */
export async function submit(
    o: { peers: readonly Endpoint[]; orderers: readonly Endpoint[]; commitPeer: Endpoint; signer: Signer; channelId: string },
    chaincode: string,
    args: readonly Uint8Array[],
): Promise<{ txId: string; blockNumber: number }> {
    const p = buildProposal(o.signer, o.channelId, chaincode, args);
    const responses = await Promise.all(o.peers.map((peer) => processProposal(peer, p.signed)));
    for (const [i, r] of responses.entries()) {
        const s = r.getResponse()?.getStatus() ?? 0;
        if (s < 200 || s >= 400) throw new LifecycleClientError(`${o.peers[i]?.address ?? '?'}: ${r.getResponse()?.getMessage() ?? ''}`);
    }
    const first = responses[0];
    if (!first) throw new LifecycleClientError('no endorsing peers');
    // protoutil/txutils.go CreateSignedTx: every endorser must have produced the same payload.
    for (const r of responses.slice(1)) {
        if (Buffer.compare(Buffer.from(r.getPayload_asU8()), Buffer.from(first.getPayload_asU8())) !== 0) {
            throw new LifecycleClientError(
                `ProposalResponsePayloads do not match (base64): '${Buffer.from(r.getPayload_asU8()).toString('base64')}' vs '${Buffer.from(first.getPayload_asU8()).toString('base64')}'`,
            );
        }
    }
    const endorsements = responses.map((r) => r.getEndorsement()).filter((e): e is pb.Endorsement => e !== undefined);
    const env = newEndorserTransaction(p.header, p.cppBytes, first.getPayload_asU8(), endorsements, o.signer);
    await broadcastToAny(o.orderers, env);
    const status = await commitStatus(o.commitPeer, o.signer, o.channelId, p.txId);
    if (status.code !== TxValidationCode.VALID) {
        throw new LifecycleClientError(`transaction ${p.txId} failed to commit with status code ${status.code} (${validationCodeName(status.code)})`);
    }
    return { txId: p.txId, blockNumber: status.blockNumber };
}

/**
 * Tries the orderers in turn until one accepts (as the gateway's submit.go does, there in random order): a
 * stopped Raft node or a follower without a leader does not stop the transaction. A refusal such as FORBIDDEN
 * is final: every orderer would give it.
 */
export async function broadcastToAny(orderers: readonly Endpoint[], env: common.Envelope): Promise<void> {
    const failures: string[] = [];
    for (const o of orderers) {
        try {
            await broadcast(o, env);
            return;
        } catch (err) {
            if (err instanceof LifecycleClientError && / status (400|403|413): /.test(err.message)) throw err;
            failures.push((err as Error).message);
        }
    }
    throw new LifecycleClientError(`no orderers could successfully process transaction: ${failures.join('; ')}`);
}

export async function broadcast(orderer: Endpoint, env: common.Envelope): Promise<void> {
    const { c, opts } = creds(orderer);
    const client = new ord.AtomicBroadcastClient(orderer.address, c, opts);
    try {
        await new Promise<void>((resolve, reject) => {
            const stream = client.broadcast({ deadline: Date.now() + 30_000 });
            stream.on('data', (r: ord.BroadcastResponse) => {
                if (r.getStatus() === common.Status.SUCCESS) resolve();
                else reject(new LifecycleClientError(`orderer ${orderer.address}: status ${r.getStatus()}: ${r.getInfo()}`));
                stream.end();
            });
            stream.on('error', (err: Error) => reject(new LifecycleClientError(`orderer ${orderer.address}: ${err.message}`)));
            stream.write(env);
        });
    } finally {
        client.close();
    }
}

export async function commitStatus(peer: Endpoint, signer: Signer, channelId: string, txId: string, deadlineMs = 60_000): Promise<{ code: number; blockNumber: number }> {
    const req = new gw.CommitStatusRequest();
    req.setChannelId(channelId);
    req.setTransactionId(txId);
    req.setIdentity(signer.serialized());
    const bytes = req.serializeBinary();
    const signed = new gw.SignedCommitStatusRequest();
    signed.setRequest(bytes);
    signed.setSignature(signer.sign(bytes));
    const { c, opts } = creds(peer);
    const client = new gw.GatewayClient(peer.address, c, opts);
    try {
        return await new Promise((resolve, reject) => {
            client.commitStatus(signed, { deadline: Date.now() + deadlineMs }, (err, res) => {
                if (err || !res) reject(new LifecycleClientError(`commit status of ${txId} from ${peer.address}: ${err?.details ?? 'empty'}`));
                else resolve({ code: res.getResult(), blockNumber: res.getBlockNumber() });
            });
        });
    } finally {
        client.close();
    }
}
