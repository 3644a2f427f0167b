// Mirrors core/committer/txvalidator/v20/validator.go (per-tx checks and in-block duplicates),
// core/common/validation/msgvalidation.go (envelope, header, creator signature),
// core/committer/txvalidator/v20/plugindispatcher/dispatcher.go + the builtin v20 validation plugin
// (chaincode and endorsement-policy checks, state-based endorsement), and
// core/ledger/kvledger/txmgmt/validation/validator.go (MVCC and phantom reads, in block order).
import { common, ledger as lproto, peer } from '@hyperledger/fabric-protos';
import type { ParsedEnvelope } from '../protoutil';
import { HeaderType, TxValidationCode, bytesEqual, computeTxId, concat, parseEndorserTx, parseEnvelope, proposalHashFromTx } from '../protoutil';
import { APPROVAL_PREFIX, LIFECYCLE_NS, readDefinition, type ChaincodeDefinition } from '../lifecycle/lifecycle';
import type { KeyWrite, StateSnapshot, Version } from '../ledger/types';
import { namespacesOf, writesOf } from '../ledger/rwsetutil';
import { RangeQueryResultsHelper } from '../chaincode/rangequeryhelper';
import { newKVRead } from '../chaincode/rwsetbuilder';
import { compareVersions } from '../ledger/types';
import type { SignedData } from '../policies/policy';
import type { PolicyManager } from '../policies/manager';
import type { MspManager } from '../msp/msp';
import { newSignaturePolicy } from '../policies/manager';

export interface ValidatorContext {
    readonly channelId: string;
    readonly msps: MspManager;
    readonly policies: PolicyManager;
    /** Org name (config group) for an MSP id, for `/Channel/Application/<Org>/Endorsement`. */
    orgName(mspId: string): string | undefined;
    /** Committed state before this block. */
    readonly snapshot: StateSnapshot;
    txIdCommitted(txId: string): Promise<boolean>;
}

export interface ValidTxUpdates {
    readonly txNum: number;
    readonly txId: string;
    readonly timestamp: { readonly seconds: bigint; readonly nanos: number };
    readonly writes: KeyWrite[];
}

export interface BlockValidation {
    /** One TxValidationCode per transaction in the block. */
    readonly codes: number[];
    readonly txIds: string[];
    /** Valid transactions' writes, in block order. */
    readonly updates: ValidTxUpdates[];
}

const SBE_KEY = 'VALIDATION_PARAMETER';

interface Candidate {
    txNum: number;
    txId: string;
    parsed: ParsedEnvelope;
    rwset: Array<{ namespace: string; kv: lproto.rwset.kvrwset.KVRWSet }>;
    timestamp: { seconds: bigint; nanos: number };
}

export async function validateBlock(ctx: ValidatorContext, block: common.Block): Promise<BlockValidation> {
    const envs = block.getData()?.getDataList_asU8() ?? [];
    const codes: number[] = new Array<number>(envs.length).fill(TxValidationCode.NOT_VALIDATED);
    const txIds: string[] = new Array<string>(envs.length).fill('');
    const candidates: Candidate[] = [];
    const definitions = new Map<string, ChaincodeDefinition | undefined>();
    const def = async (cc: string): Promise<ChaincodeDefinition | undefined> => {
        if (!definitions.has(cc)) {
            definitions.set(cc, await readDefinition(async (ns, k) => (await ctx.snapshot.get(ns, k))?.value, cc));
        }
        return definitions.get(cc);
    };

    for (let i = 0; i < envs.length; i++) {
        const env = envs[i] ?? new Uint8Array();
        const r = await validateTx(ctx, env, block.getHeader()?.getNumber() ?? 0, def);
        codes[i] = r.code;
        txIds[i] = r.txId;
        if (r.code === TxValidationCode.VALID && r.candidate) candidates.push({ ...r.candidate, txNum: i });
    }

    // In-block duplicates among still-valid transactions: the first wins (validator.go markTXIdDuplicates).
    const seen = new Set<string>();
    for (let i = 0; i < envs.length; i++) {
        const id = txIds[i] ?? '';
        if (id === '' || codes[i] !== TxValidationCode.VALID) continue;
        if (seen.has(id)) codes[i] = TxValidationCode.DUPLICATE_TXID;
        seen.add(id);
    }

    // MVCC and phantom reads, in block order, against committed state plus earlier valid txs of this block.
    const inBlock = new Map<string, Map<string, boolean>>(); // ns -> key -> deleted?
    const updates: ValidTxUpdates[] = [];
    for (const c of candidates) {
        if (codes[c.txNum] !== TxValidationCode.VALID) continue;
        const code = await mvcc(ctx.snapshot, c, inBlock);
        codes[c.txNum] = code;
        if (code !== TxValidationCode.VALID) continue;
        const writes = writesOf(c.rwset.map(({ namespace, kv }) => ({ namespace, kvRwSet: kv })));
        for (const w of writes) {
            let nsWrites = inBlock.get(w.namespace);
            if (!nsWrites) {
                nsWrites = new Map();
                inBlock.set(w.namespace, nsWrites);
            }
            nsWrites.set(w.key, w.value === undefined && w.metadataOnly !== true);
        }
        updates.push({ txNum: c.txNum, txId: c.txId, timestamp: c.timestamp, writes });
    }
    return { codes, txIds, updates };
}

interface TxVerdict {
    code: number;
    txId: string;
    candidate?: Omit<Candidate, 'txNum'>;
}

async function validateTx(
    ctx: ValidatorContext,
    env: Uint8Array,
    blockNumber: number,
    def: (cc: string) => Promise<ChaincodeDefinition | undefined>,
): Promise<TxVerdict> {
    // v20/validator.go validateTx + core/common/validation/msgvalidation.go ValidateTransaction. A data entry always
    // unmarshals to an Envelope (empty bytes give an empty one), so NIL_ENVELOPE cannot arise from a block here.
    let envelope: common.Envelope;
    try {
        envelope = common.Envelope.deserializeBinary(env);
    } catch {
        return { code: TxValidationCode.INVALID_OTHER_REASON, txId: '' };
    }
    try {
        common.Payload.deserializeBinary(envelope.getPayload_asU8());
    } catch {
        return { code: TxValidationCode.BAD_PAYLOAD, txId: '' };
    }
    let parsed: ParsedEnvelope;
    try {
        parsed = parseEnvelope(envelope); // header, channel header and signature header present and parseable
    } catch {
        return { code: TxValidationCode.BAD_COMMON_HEADER, txId: '' };
    }
    if (parsed.signatureHeader.getNonce_asU8().length === 0 || parsed.signatureHeader.getCreator_asU8().length === 0) {
        return { code: TxValidationCode.BAD_COMMON_HEADER, txId: parsed.channelHeader.getTxId() };
    }
    const chdr = parsed.channelHeader;
    const txId = chdr.getTxId();
    const type = chdr.getType();
    if (type === HeaderType.CONFIG && blockNumber === 0) return { code: TxValidationCode.VALID, txId };
    if (type !== HeaderType.ENDORSER_TRANSACTION) return { code: TxValidationCode.UNSUPPORTED_TX_PAYLOAD, txId };
    if (chdr.getChannelId() !== ctx.channelId) return { code: TxValidationCode.TARGET_CHAIN_NOT_FOUND, txId };

    const creator = parsed.signatureHeader.getCreator_asU8();
    const nonce = parsed.signatureHeader.getNonce_asU8();
    try {
        const id = ctx.msps.deserializeIdentity(creator);
        ctx.msps.validate(id);
        if (!id.verify(parsed.envelope.getPayload_asU8(), parsed.envelope.getSignature_asU8())) {
            return { code: TxValidationCode.BAD_CREATOR_SIGNATURE, txId };
        }
    } catch {
        return { code: TxValidationCode.BAD_CREATOR_SIGNATURE, txId };
    }
    if (nonce.length === 0 || computeTxId(nonce, creator) !== txId) return { code: TxValidationCode.BAD_PROPOSAL_TXID, txId };

    let tx;
    try {
        tx = parseEndorserTx(parsed.payload);
    } catch {
        return { code: TxValidationCode.BAD_PAYLOAD, txId };
    }
    if (tx.actionCount !== 1) return { code: TxValidationCode.INVALID_ENDORSER_TRANSACTION, txId };
    const header = parsed.payload.getHeader();
    if (!header || !bytesEqual(proposalHashFromTx(header, tx.actionPayload.getChaincodeProposalPayload_asU8()), tx.responsePayload.getProposalHash_asU8())) {
        return { code: TxValidationCode.INVALID_ENDORSER_TRANSACTION, txId };
    }
    if (await ctx.txIdCommitted(txId)) return { code: TxValidationCode.DUPLICATE_TXID, txId };

    // Dispatcher: header extension, chaincode action, rwset.
    let invoked: string;
    try {
        invoked = peer.ChaincodeHeaderExtension.deserializeBinary(chdr.getExtension_asU8()).getChaincodeId()?.getName() ?? '';
    } catch {
        return { code: TxValidationCode.BAD_HEADER_EXTENSION, txId };
    }
    // plugindispatcher/dispatcher.go: the action's chaincode id and rwset first, then name and version, then the event.
    const action = tx.chaincodeAction;
    const ccId = action.getChaincodeId();
    if (!ccId) return { code: TxValidationCode.INVALID_OTHER_REASON, txId };
    let rwset: Candidate['rwset'];
    try {
        rwset = namespacesOf(lproto.rwset.TxReadWriteSet.deserializeBinary(action.getResults_asU8())).map((ns) => ({ namespace: ns.namespace, kv: ns.kvRwSet }));
    } catch {
        return { code: TxValidationCode.BAD_RWSET, txId };
    }
    if (!invoked || ccId.getName() !== invoked) return { code: TxValidationCode.INVALID_CHAINCODE, txId };
    if (invoked !== LIFECYCLE_NS && ccId.getVersion() === '') return { code: TxValidationCode.INVALID_CHAINCODE, txId };
    if (action.getEvents_asU8().length > 0) {
        try {
            const ev = peer.ChaincodeEvent.deserializeBinary(action.getEvents_asU8());
            if (ev.getChaincodeId() !== invoked) return { code: TxValidationCode.INVALID_OTHER_REASON, txId };
        } catch {
            return { code: TxValidationCode.INVALID_OTHER_REASON, txId };
        }
    }
    const namespaces = new Set<string>();
    for (const ns of rwset) {
        if (namespaces.has(ns.namespace)) return { code: TxValidationCode.ILLEGAL_WRITESET, txId };
        namespaces.add(ns.namespace);
    }

    const signedData: SignedData[] = tx.endorsements.map((e) => ({
        data: concat(tx.responsePayloadBytes, e.getEndorser_asU8()),
        identity: e.getEndorser_asU8(),
        signature: e.getSignature_asU8(),
    }));

    // The invoked chaincode's policy always applies; so does the policy of every namespace written to.
    const toCheck = new Set<string>([invoked]);
    for (const ns of rwset) if (ns.kv.getWritesList().length > 0 || ns.kv.getMetadataWritesList().length > 0) toCheck.add(ns.namespace);
    for (const ns of toCheck) {
        const nsSet = rwset.find((x) => x.namespace === ns);
        const verdict = await checkNamespacePolicy(ctx, ns, nsSet?.kv, signedData, def);
        if (verdict !== TxValidationCode.VALID) return { code: verdict, txId };
    }
    const ts = chdr.getTimestamp();
    return {
        code: TxValidationCode.VALID,
        txId,
        candidate: { txId, parsed, rwset, timestamp: { seconds: BigInt(ts?.getSeconds() ?? 0), nanos: ts?.getNanos() ?? 0 } },
    };
}

function evaluate(policy: { evaluateSignedData(sd: readonly SignedData[]): void } | undefined, sd: readonly SignedData[]): boolean {
    if (!policy) return false;
    try {
        policy.evaluateSignedData(sd);
        return true;
    } catch {
        return false;
    }
}

async function checkNamespacePolicy(
    ctx: ValidatorContext,
    ns: string,
    kv: lproto.rwset.kvrwset.KVRWSet | undefined,
    sd: readonly SignedData[],
    def: (cc: string) => Promise<ChaincodeDefinition | undefined>,
): Promise<number> {
    if (ns === LIFECYCLE_NS) {
        const keys = [...(kv?.getWritesList() ?? []).map((w) => w.getKey())];
        const approvalsOnly = keys.length > 0 && keys.every((k) => k.startsWith(APPROVAL_PREFIX));
        if (approvalsOnly) {
            // An approval is endorsed by its own org (devnet's stand-in for the implicit collection's policy).
            for (const k of keys) {
                const msp = k.slice(APPROVAL_PREFIX.length).split('/')[1] ?? '';
                const org = ctx.orgName(msp);
                if (!org || !evaluate(ctx.policies.getPolicy(`/Channel/Application/${org}/Endorsement`), sd)) {
                    return TxValidationCode.ENDORSEMENT_POLICY_FAILURE;
                }
            }
            return TxValidationCode.VALID;
        }
        if (keys.length === 0) return TxValidationCode.VALID;
        return evaluate(ctx.policies.getPolicy('/Channel/Application/LifecycleEndorsement'), sd)
            ? TxValidationCode.VALID
            : TxValidationCode.ENDORSEMENT_POLICY_FAILURE;
    }
    if (ns === 'qscc' || ns === 'cscc' || ns === 'lscc') return TxValidationCode.INVALID_CHAINCODE;
    const d = await def(ns);
    if (!d) return TxValidationCode.INVALID_CHAINCODE;

    // State-based endorsement: a written key with VALIDATION_PARAMETER metadata is checked against that
    // policy instead of the chaincode's (core/common/validation/statebased/validator_keylevel.go).
    let usedChaincodePolicy = false;
    const keysWritten = [...(kv?.getWritesList() ?? []).map((w) => w.getKey()), ...(kv?.getMetadataWritesList() ?? []).map((w) => w.getKey())];
    for (const key of keysWritten) {
        const cur = await ctx.snapshot.get(ns, key);
        const vp = cur?.metadata.get(SBE_KEY);
        if (vp && vp.length > 0) {
            let env: common.SignaturePolicyEnvelope;
            try {
                env = common.SignaturePolicyEnvelope.deserializeBinary(vp);
            } catch {
                return TxValidationCode.ENDORSEMENT_POLICY_FAILURE;
            }
            if (!evaluate(newSignaturePolicy(env, ctx.msps), sd)) return TxValidationCode.ENDORSEMENT_POLICY_FAILURE;
        } else {
            usedChaincodePolicy = true;
        }
    }
    if (keysWritten.length > 0 && !usedChaincodePolicy) return TxValidationCode.VALID;
    return evaluate(chaincodePolicy(ctx, d), sd) ? TxValidationCode.VALID : TxValidationCode.ENDORSEMENT_POLICY_FAILURE;
}

/** peer.ApplicationPolicy: an explicit signature policy or a reference to a channel policy. */
export function chaincodePolicy(ctx: Pick<ValidatorContext, 'policies' | 'msps'>, d: ChaincodeDefinition): { evaluateSignedData(sd: readonly SignedData[]): void } | undefined {
    if (d.validationParameter.length === 0) return ctx.policies.getPolicy('/Channel/Application/Endorsement');
    const ap = peer.ApplicationPolicy.deserializeBinary(d.validationParameter);
    if (ap.hasSignaturePolicy()) {
        const sp = ap.getSignaturePolicy();
        return sp ? newSignaturePolicy(sp, ctx.msps) : undefined;
    }
    const ref = ap.getChannelConfigPolicyReference();
    return ctx.policies.getPolicy(ref === '' ? '/Channel/Application/Endorsement' : ref);
}

function readVersion(r: lproto.rwset.kvrwset.KVRead): Version | undefined {
    const v = r.getVersion();
    return v ? { blockNum: BigInt(v.getBlockNum()), txNum: v.getTxNum() } : undefined;
}

/** UTF-8 bytewise comparison of two keys. */
function cmpKey(a: string, b: string): number {
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

async function mvcc(snapshot: StateSnapshot, c: Candidate, inBlock: Map<string, Map<string, boolean>>): Promise<number> {
    for (const { namespace, kv } of c.rwset) {
        const updated = inBlock.get(namespace);
        for (const r of kv.getReadsList()) {
            if (updated?.has(r.getKey())) return TxValidationCode.MVCC_READ_CONFLICT;
            const cur = await snapshot.get(namespace, r.getKey());
            if (!compareVersions(cur?.version, readVersion(r))) return TxValidationCode.MVCC_READ_CONFLICT;
        }
        for (const rq of kv.getRangeQueriesInfoList()) {
            const start = rq.getStartKey();
            const end = rq.getEndKey();
            const exhausted = rq.getItrExhausted();
            const inRange = (k: string): boolean =>
                cmpKey(k, start) >= 0 && (end === '' || (exhausted ? cmpKey(k, end) < 0 : cmpKey(k, end) <= 0));
            if (updated) for (const k of updated.keys()) if (inRange(k)) return TxValidationCode.PHANTOM_READ_CONFLICT;
            const raw = rq.getRawReads()?.getKvReadsList();
            const iterEnd = exhausted ? end : '';
            if (!raw) {
                const summary = rq.getReadsMerkleHashes();
                if (summary === undefined) continue;
                // validation/rangequery_validator.go (rangeQueryHashValidator): hash the committed results of the
                // same range with the summary's degree; any difference in the Merkle summary is a phantom
                const helper = new RangeQueryResultsHelper(summary.getMaxDegree());
                for await (const kvr of snapshot.range(namespace, start, iterEnd)) {
                    if (!inRange(kvr.key)) break;
                    helper.add(newKVRead(kvr.key, kvr.version));
                }
                const now = new lproto.rwset.kvrwset.RangeQueryInfo();
                helper.fill(now);
                const mine = now.getReadsMerkleHashes();
                if (
                    mine === undefined ||
                    mine.getMaxLevel() !== summary.getMaxLevel() ||
                    mine.getMaxLevelHashesList_asU8().length !== summary.getMaxLevelHashesList_asU8().length ||
                    mine.getMaxLevelHashesList_asU8().some((h, i) => !bytesEqual(h, summary.getMaxLevelHashesList_asU8()[i] ?? new Uint8Array()))
                ) {
                    return TxValidationCode.PHANTOM_READ_CONFLICT;
                }
                continue;
            }
            const committed: Array<{ key: string; version: Version }> = [];
            for await (const kvr of snapshot.range(namespace, start, iterEnd)) {
                if (!inRange(kvr.key)) break;
                committed.push({ key: kvr.key, version: kvr.version });
            }
            if (committed.length !== raw.length) return TxValidationCode.PHANTOM_READ_CONFLICT;
            for (let i = 0; i < raw.length; i++) {
                const a = committed[i];
                const b = raw[i];
                if (!a || !b || a.key !== b.getKey() || !compareVersions(a.version, readVersion(b))) {
                    return TxValidationCode.PHANTOM_READ_CONFLICT;
                }
            }
        }
    }
    return TxValidationCode.VALID;
}
