// Mirrors core/ledger/kvledger/txmgmt/rwsetutil/rwset_proto_util.go (+ the envelope walk of protoutil/txutils.go).
import { common, ledger, peer } from '@hyperledger/fabric-protos';
import type { KeyWrite, TxUpdate } from './types';
import { TX_VALID, txValidationCode } from './txflags';

export interface NsKvRwSet {
    readonly namespace: string;
    readonly kvRwSet: ledger.rwset.kvrwset.KVRWSet;
}

export interface TxRwSet {
    readonly txId: string;
    readonly channelHeader: common.ChannelHeader;
    readonly namespaces: readonly NsKvRwSet[];
}

export interface Timestamp {
    readonly seconds: bigint;
    readonly nanos: number;
}

/** Envelope → Payload → Header → ChannelHeader; undefined when any layer does not parse. */
export function parseChannelHeader(envelopeBytes: Uint8Array): common.ChannelHeader | undefined {
    try {
        const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(envelopeBytes).getPayload_asU8());
        const header = payload.getHeader();
        if (header === undefined) return undefined;
        return common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
    } catch {
        return undefined;
    }
}

export function timestampOf(channelHeader: common.ChannelHeader): Timestamp {
    const ts = channelHeader.getTimestamp();
    return ts === undefined ? { seconds: 0n, nanos: 0 } : { seconds: BigInt(ts.getSeconds()), nanos: ts.getNanos() };
}

/**
 * The public read/write set of an endorser transaction: Envelope → Payload → Transaction → actions[0] →
 * ChaincodeActionPayload → action.proposal_response_payload → ProposalResponsePayload.extension → ChaincodeAction.results.
 * undefined for other header types or anything that does not parse (such a tx cannot have been validated as VALID).
 */
export function extractTxRwSet(envelopeBytes: Uint8Array): TxRwSet | undefined {
    try {
        const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(envelopeBytes).getPayload_asU8());
        const header = payload.getHeader();
        if (header === undefined) return undefined;
        const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
        if (channelHeader.getType() !== common.HeaderType.ENDORSER_TRANSACTION) return undefined;
        const tx = peer.Transaction.deserializeBinary(payload.getData_asU8());
        const action = tx.getActionsList()[0];
        if (action === undefined) return undefined;
        const endorsed = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8()).getAction();
        if (endorsed === undefined) return undefined;
        const prp = peer.ProposalResponsePayload.deserializeBinary(endorsed.getProposalResponsePayload_asU8());
        const ccAction = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
        const namespaces = namespacesOf(ledger.rwset.TxReadWriteSet.deserializeBinary(ccAction.getResults_asU8()));
        return { txId: channelHeader.getTxId(), channelHeader, namespaces };
    } catch {
        return undefined;
    }
}

/** The public KV read/write set of each namespace of a TxReadWriteSet, in rwset order. Throws on malformed bytes. */
export function namespacesOf(txRwSet: ledger.rwset.TxReadWriteSet): NsKvRwSet[] {
    return txRwSet.getNsRwsetList().map((ns) => ({
        namespace: ns.getNamespace(),
        kvRwSet: ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8()),
    }));
}

/**
 * The public writes of a tx, per namespace in rwset order: each KVWrite (is_delete or an empty value ⇒ delete), merged
 * with the KVMetadataWrite of the same key; a KVMetadataWrite alone becomes a `metadataOnly` write.
 */
export function writesOf(namespaces: readonly NsKvRwSet[]): KeyWrite[] {
    const out: KeyWrite[] = [];
    for (const { namespace, kvRwSet } of namespaces) {
        const metadataByKey = new Map<string, Map<string, Uint8Array>>();
        for (const mw of kvRwSet.getMetadataWritesList()) {
            metadataByKey.set(mw.getKey(), new Map(mw.getEntriesList().map((e) => [e.getName(), e.getValue_asU8()])));
        }
        const written = new Map<string, KeyWrite>();
        for (const w of kvRwSet.getWritesList()) {
            const value = w.getValue_asU8();
            const isDelete = w.getIsDelete() || value.length === 0;
            const metadata = metadataByKey.get(w.getKey());
            written.set(w.getKey(), {
                namespace,
                key: w.getKey(),
                value: isDelete ? undefined : value,
                ...(metadata === undefined ? {} : { metadata }),
            });
        }
        out.push(...written.values());
        for (const [key, metadata] of metadataByKey) {
            if (!written.has(key)) out.push({ namespace, key, value: undefined, metadata, metadataOnly: true });
        }
    }
    return out;
}

/** The state updates of a committed block, re-derived from the block itself: every VALID tx's public writes. */
export function deriveTxUpdates(block: common.Block): TxUpdate[] {
    const updates: TxUpdate[] = [];
    const envelopes = block.getData()?.getDataList_asU8() ?? [];
    envelopes.forEach((env, txNum) => {
        if (txValidationCode(block, txNum) !== TX_VALID) return;
        const rwset = extractTxRwSet(env);
        if (rwset === undefined) return;
        updates.push({
            txNum,
            txId: rwset.txId,
            timestamp: timestampOf(rwset.channelHeader),
            writes: writesOf(rwset.namespaces),
        });
    });
    return updates;
}
