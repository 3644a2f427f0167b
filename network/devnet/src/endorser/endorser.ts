// Mirrors core/endorser/endorser.go (ProcessProposal, preProcess, simulateProposal, endorseProposal)
// and core/endorser/msgvalidation.go (header, creator, signature and txid checks).
import { peer } from '@hyperledger/fabric-protos';
import {
    HeaderType,
    MalformedError,
    computeTxId,
    concat,
    parseSignedProposal,
    proposalHash,
    toHex,
    type ParsedProposal,
} from '../protoutil';
import { errorResponse } from '../scc/qscc';

/** Outcome of ProcessProposal: Fabric returns a ProposalResponse and, for pre-processing failures, a Go error too. */
export interface EndorserResult {
    readonly response: peer.ProposalResponse;
    /** Set when Fabric's ProcessProposal returns a non-nil error (validation, duplicate txid, ACL). */
    readonly error?: string;
}

/** What the endorser needs from the peer it belongs to. */
export interface EndorserPeer {
    readonly channelId: string;
    readonly mspId: string;
    /** Serialized identity and signing of this peer. */
    serializedIdentity(): Uint8Array;
    sign(msg: Uint8Array): Uint8Array;
    /** Resolves and verifies the creator; throws with Fabric's message when invalid. */
    checkCreator(p: ParsedProposal): void;
    txIdExists(txId: string): Promise<boolean>;
    /** Evaluates an ACL resource against the signed proposal; throws with the policy error. */
    checkAcl(resource: string, p: ParsedProposal): void;
    /** Runs a chaincode (user or system) in a fresh simulation; returns the ChaincodeAction parts. */
    simulate(p: ParsedProposal): Promise<SimulationOutcome>;
}

export interface SimulationOutcome {
    readonly response: peer.Response;
    /** rwset bytes (TxReadWriteSet) — empty for calls that simulate nothing */
    readonly results: Uint8Array;
    readonly event: peer.ChaincodeEvent | undefined;
    /** definition version for user chaincodes, '' for system chaincodes */
    readonly version: string;
}

export const SYSTEM_CHAINCODES = new Set(['qscc', '_lifecycle', 'cscc', 'lscc']);

function failure(message: string, withError: boolean): EndorserResult {
    const r = new peer.ProposalResponse();
    r.setResponse(errorResponse(message));
    return withError ? { response: r, error: message } : { response: r };
}

export async function processProposal(ep: EndorserPeer, sp: peer.SignedProposal): Promise<EndorserResult> {
    let p: ParsedProposal;
    try {
        p = parseSignedProposal(sp);
    } catch (err) {
        const msg = err instanceof MalformedError ? err.message : `error unmarshalling proposal: ${(err as Error).message}`;
        return failure(msg, true);
    }
    const ch = p.channelHeader.getChannelId();
    if (ch !== '' && ch !== ep.channelId) return failure(`channel '${ch}' not found`, false);

    const pre = await preProcess(ep, p);
    if (pre !== undefined) return failure(pre, true);

    let outcome: SimulationOutcome;
    try {
        outcome = await ep.simulate(p);
    } catch (err) {
        return failure((err as Error).message, false);
    }
    return endorse(ep, p, outcome);
}

const headerTypeNames = new Map<number, string>(Object.entries(HeaderType).map(([k, v]) => [v, k]));
/** Go's %s of a common.HeaderType: the enum name, or the number when unknown. */
function headerTypeName(type: number): string {
    return headerTypeNames.get(type) ?? String(type);
}

/** core/endorser/endorser.go preProcess: returns Fabric's error text, or undefined when the proposal may run. */
async function preProcess(ep: EndorserPeer, p: ParsedProposal): Promise<string | undefined> {
    const chdr = p.channelHeader;
    // core/endorser/msgvalidation.go Validate: every failure is wrapped "error validating proposal: ..." by preProcess
    // (core/endorser/endorser.go), and the txid is checked before the creator is deserialized and its signature verified.
    const invalid = (msg: string): string => `error validating proposal: ${msg}`;
    const type = chdr.getType();
    if (type !== HeaderType.ENDORSER_TRANSACTION && type !== HeaderType.CONFIG) {
        return invalid(`invalid header type ${headerTypeName(type)}`);
    }
    if (chdr.getEpoch() !== 0) return invalid('epoch is non-zero');
    const nonce = p.signatureHeader.getNonce_asU8();
    const creator = p.signatureHeader.getCreator_asU8();
    if (nonce.length === 0) return invalid('nonce is empty');
    if (creator.length === 0) return invalid('creator is empty');
    // UnpackProposal's check (unwrapped in Fabric, where it runs before the channel lookup).
    if (p.chaincodeName === '') return 'ChaincodeHeaderExtension.ChaincodeId is nil';
    const expected = computeTxId(nonce, creator);
    if (chdr.getTxId() !== expected) {
        return invalid(`incorrectly computed txid '${chdr.getTxId()}' -- expected '${expected}'`);
    }
    try {
        // Peer.checkCreator's messages already carry the "error validating proposal: " prefix.
        ep.checkCreator(p);
    } catch (err) {
        return (err as Error).message;
    }
    if (chdr.getChannelId() === '') return undefined;
    if (await ep.txIdExists(chdr.getTxId())) {
        return `duplicate transaction found [${chdr.getTxId()}]. Creator [${toHex(creator)}]`;
    }
    if (!SYSTEM_CHAINCODES.has(p.chaincodeName)) {
        try {
            ep.checkAcl('peer/Propose', p);
        } catch (err) {
            return (err as Error).message;
        }
    }
    return undefined;
}

/** core/endorser/endorser.go endorseProposal + default_endorsement.go. */
function endorse(ep: EndorserPeer, p: ParsedProposal, o: SimulationOutcome): EndorserResult {
    const status = o.response.getStatus();
    const pr = new peer.ProposalResponse();
    if (status >= 400 && status < 500) {
        pr.setResponse(o.response);
        return { response: pr };
    }
    const action = new peer.ChaincodeAction();
    action.setResults(o.results);
    if (o.event) action.setEvents(o.event.serializeBinary());
    action.setResponse(o.response);
    const ccid = new peer.ChaincodeID();
    ccid.setName(p.chaincodeName);
    ccid.setVersion(o.version);
    action.setChaincodeId(ccid);
    const prp = new peer.ProposalResponsePayload();
    prp.setProposalHash(proposalHash(p));
    prp.setExtension$(action.serializeBinary());
    const prpBytes = prp.serializeBinary();
    pr.setResponse(o.response);
    pr.setPayload(prpBytes);
    if (status >= 500) return { response: pr };
    // Only an endorsed response carries Version 1 (core/endorser/endorser.go ProcessProposalSuccessfullyOrError).
    pr.setVersion(1);
    const endorser = ep.serializedIdentity();
    const e = new peer.Endorsement();
    e.setEndorser(endorser);
    e.setSignature(ep.sign(concat(prpBytes, endorser)));
    pr.setEndorsement(e);
    return { response: pr };
}

/** A fresh, empty header for responses built outside a simulation. */
export function emptyRwset(): Uint8Array {
    return new Uint8Array(0);
}

