// Helpers over Fabric's protobuf messages. Mirrors protoutil/{commonutils,proputils,txutils}.go.
import { createHash, randomBytes } from 'node:crypto';
import { common, peer } from '@hyperledger/fabric-protos';
import { Timestamp } from 'google-protobuf/google/protobuf/timestamp_pb';

export const HeaderType = common.HeaderType;
export const TxValidationCode = peer.TxValidationCode;
export type TxValidationCodeValue = peer.TxValidationCodeMap[keyof peer.TxValidationCodeMap];

const codeNames = new Map<number, string>(Object.entries(peer.TxValidationCode).map(([k, v]) => [v, k]));
/** Name of a TxValidationCode, e.g. 11 → MVCC_READ_CONFLICT */
export function validationCodeName(code: number): string {
    return codeNames.get(code) ?? `UNKNOWN_${code}`;
}

export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
    const h = createHash('sha256');
    for (const p of parts) h.update(p);
    return new Uint8Array(h.digest());
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
    return new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
}

export function toHex(b: Uint8Array): string {
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
    return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** txid = hex(SHA-256(nonce ‖ creator)) — protoutil/proputils.go ComputeTxID */
export function computeTxId(nonce: Uint8Array, creator: Uint8Array): string {
    return toHex(sha256(nonce, creator));
}

export function nowTimestamp(ms: number = Date.now()): Timestamp {
    const t = new Timestamp();
    t.setSeconds(Math.floor(ms / 1000));
    t.setNanos((ms % 1000) * 1_000_000);
    return t;
}

export function timestampMs(t: Timestamp | undefined): number {
    if (!t) return 0;
    return t.getSeconds() * 1000 + Math.floor(t.getNanos() / 1_000_000);
}

/** A parsed transaction envelope: the headers every component looks at. Throws on malformed input. */
export interface ParsedEnvelope {
    readonly envelope: common.Envelope;
    readonly payload: common.Payload;
    readonly channelHeader: common.ChannelHeader;
    readonly signatureHeader: common.SignatureHeader;
}

export class MalformedError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'MalformedError';
    }
}

export function parseEnvelope(bytes: Uint8Array | common.Envelope): ParsedEnvelope {
    const envelope = bytes instanceof common.Envelope ? bytes : common.Envelope.deserializeBinary(bytes);
    const payloadBytes = envelope.getPayload_asU8();
    if (payloadBytes.length === 0) throw new MalformedError('nil payload');
    const payload = common.Payload.deserializeBinary(payloadBytes);
    const header = payload.getHeader();
    if (!header) throw new MalformedError('missing header');
    const chBytes = header.getChannelHeader_asU8();
    const shBytes = header.getSignatureHeader_asU8();
    if (chBytes.length === 0) throw new MalformedError('missing channel header');
    if (shBytes.length === 0) throw new MalformedError('missing signature header');
    return {
        envelope,
        payload,
        channelHeader: common.ChannelHeader.deserializeBinary(chBytes),
        signatureHeader: common.SignatureHeader.deserializeBinary(shBytes),
    };
}

/** Parsed endorser transaction: the single action's ChaincodeActionPayload and what it carries. */
export interface ParsedEndorserTx {
    readonly actionPayload: peer.ChaincodeActionPayload;
    readonly proposalPayload: peer.ChaincodeProposalPayload;
    readonly responsePayloadBytes: Uint8Array;
    readonly responsePayload: peer.ProposalResponsePayload;
    readonly chaincodeAction: peer.ChaincodeAction;
    readonly endorsements: readonly peer.Endorsement[];
    readonly actionHeader: common.SignatureHeader;
    readonly actionCount: number;
}

export function parseEndorserTx(payload: common.Payload): ParsedEndorserTx {
    const tx = peer.Transaction.deserializeBinary(payload.getData_asU8());
    const actions = tx.getActionsList();
    const action = actions[0];
    if (!action) throw new MalformedError('no actions');
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    const endorsed = actionPayload.getAction();
    if (!endorsed) throw new MalformedError('nil action');
    const responsePayloadBytes = endorsed.getProposalResponsePayload_asU8();
    const responsePayload = peer.ProposalResponsePayload.deserializeBinary(responsePayloadBytes);
    const chaincodeAction = peer.ChaincodeAction.deserializeBinary(responsePayload.getExtension_asU8());
    return {
        actionPayload,
        proposalPayload: peer.ChaincodeProposalPayload.deserializeBinary(actionPayload.getChaincodeProposalPayload_asU8()),
        responsePayloadBytes,
        responsePayload,
        chaincodeAction,
        endorsements: endorsed.getEndorsementsList(),
        actionHeader: common.SignatureHeader.deserializeBinary(action.getHeader_asU8()),
        actionCount: actions.length,
    };
}

/** Parsed signed proposal as the endorser sees it (core/endorser/msgvalidation.go UnpackProposal). */
export interface ParsedProposal {
    readonly signedProposal: peer.SignedProposal;
    readonly proposal: peer.Proposal;
    readonly header: common.Header;
    readonly channelHeader: common.ChannelHeader;
    readonly signatureHeader: common.SignatureHeader;
    readonly chaincodeHeaderExtension: peer.ChaincodeHeaderExtension;
    readonly proposalPayload: peer.ChaincodeProposalPayload;
    readonly invocationSpec: peer.ChaincodeInvocationSpec;
    readonly chaincodeName: string;
    readonly input: peer.ChaincodeInput;
}

export function parseSignedProposal(sp: peer.SignedProposal): ParsedProposal {
    const proposal = peer.Proposal.deserializeBinary(sp.getProposalBytes_asU8());
    const header = common.Header.deserializeBinary(proposal.getHeader_asU8());
    const chBytes = header.getChannelHeader_asU8();
    const shBytes = header.getSignatureHeader_asU8();
    if (chBytes.length === 0 || shBytes.length === 0) throw new MalformedError('invalid header: missing channel or signature header');
    const channelHeader = common.ChannelHeader.deserializeBinary(chBytes);
    const signatureHeader = common.SignatureHeader.deserializeBinary(shBytes);
    const chaincodeHeaderExtension = peer.ChaincodeHeaderExtension.deserializeBinary(channelHeader.getExtension_asU8());
    const proposalPayload = peer.ChaincodeProposalPayload.deserializeBinary(proposal.getPayload_asU8());
    const invocationSpec = peer.ChaincodeInvocationSpec.deserializeBinary(proposalPayload.getInput_asU8());
    const spec = invocationSpec.getChaincodeSpec();
    const input = spec?.getInput() ?? new peer.ChaincodeInput();
    const chaincodeName = chaincodeHeaderExtension.getChaincodeId()?.getName() ?? spec?.getChaincodeId()?.getName() ?? '';
    return {
        signedProposal: sp,
        proposal,
        header,
        channelHeader,
        signatureHeader,
        chaincodeHeaderExtension,
        proposalPayload,
        invocationSpec,
        chaincodeName,
        input,
    };
}

/** Proposal hash = SHA-256(chdr ‖ shdr ‖ CPP without TransientMap) — protoutil/proputils.go GetProposalHash1 */
export function proposalHash(p: ParsedProposal): Uint8Array {
    const cpp = new peer.ChaincodeProposalPayload();
    cpp.setInput(p.proposalPayload.getInput_asU8());
    return sha256(p.header.getChannelHeader_asU8(), p.header.getSignatureHeader_asU8(), cpp.serializeBinary());
}

/** Same hash recomputed at commit from the header and the CPP bytes stored in the transaction. */
export function proposalHashFromTx(header: common.Header, cppBytes: Uint8Array): Uint8Array {
    return sha256(header.getChannelHeader_asU8(), header.getSignatureHeader_asU8(), cppBytes);
}

/** The ChaincodeProposalPayload bytes as they go into a transaction (TransientMap removed). */
export function proposalPayloadWithoutTransient(p: ParsedProposal): Uint8Array {
    const cpp = new peer.ChaincodeProposalPayload();
    cpp.setInput(p.proposalPayload.getInput_asU8());
    return cpp.serializeBinary();
}

/**
 * A new Header{ChannelHeader, SignatureHeader} for `creator` with a fresh 24-byte nonce and its txid
 * (protoutil/txutils.go MakeChannelHeader + MakeSignatureHeader).
 */
export function newHeader(
    type: common.HeaderTypeMap[keyof common.HeaderTypeMap],
    channelId: string,
    creator: Uint8Array,
    extension?: Uint8Array,
): { header: common.Header; txId: string } {
    const nonce = new Uint8Array(randomBytes(24));
    const txId = computeTxId(nonce, creator);
    const chdr = new common.ChannelHeader();
    chdr.setType(type);
    chdr.setChannelId(channelId);
    chdr.setTxId(txId);
    chdr.setTimestamp(nowTimestamp());
    if (extension) chdr.setExtension$(extension);
    const shdr = new common.SignatureHeader();
    shdr.setCreator(creator);
    shdr.setNonce(nonce);
    const header = new common.Header();
    header.setChannelHeader(chdr.serializeBinary());
    header.setSignatureHeader(shdr.serializeBinary());
    return { header, txId };
}

/** An Envelope{Payload{header, data}}, signed over the payload bytes when a signer is given. */
export function newEnvelope(header: common.Header, data: Uint8Array, signer?: { sign(msg: Uint8Array): Uint8Array }): common.Envelope {
    const payload = new common.Payload();
    payload.setHeader(header);
    payload.setData(data);
    const env = new common.Envelope();
    env.setPayload(payload.serializeBinary());
    if (signer) env.setSignature(signer.sign(env.getPayload_asU8()));
    return env;
}

/**
 * The endorser transaction for a proposal and its endorsements (protoutil/txutils.go CreateSignedTx; the gateway's
 * prepareTransaction): one action whose header is the proposal's SignatureHeader. Unsigned unless a signer is given.
 */
export function newEndorserTransaction(
    header: common.Header,
    cppWithoutTransient: Uint8Array,
    prpBytes: Uint8Array,
    endorsements: readonly peer.Endorsement[],
    signer?: { sign(msg: Uint8Array): Uint8Array },
): common.Envelope {
    const action = new peer.ChaincodeEndorsedAction();
    action.setProposalResponsePayload(prpBytes);
    action.setEndorsementsList([...endorsements]);
    const cap = new peer.ChaincodeActionPayload();
    cap.setChaincodeProposalPayload(cppWithoutTransient);
    cap.setAction(action);
    const ta = new peer.TransactionAction();
    ta.setHeader(header.getSignatureHeader_asU8());
    ta.setPayload(cap.serializeBinary());
    const tx = new peer.Transaction();
    tx.setActionsList([ta]);
    return newEnvelope(header, tx.serializeBinary(), signer);
}
