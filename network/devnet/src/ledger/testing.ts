// Test fixtures (no Fabric counterpart): real Envelopes/Blocks shaped as protoutil/txutils.go and blockutils.go build them.
import { common, ledger, peer } from '@hyperledger/fabric-protos';
import { Timestamp } from 'google-protobuf/google/protobuf/timestamp_pb';
import { newBlock } from '../orderer/blockwriter';

export interface FixtureWrite {
    readonly key: string;
    readonly value?: string | Uint8Array;
    readonly isDelete?: boolean;
}

export interface FixtureNamespace {
    readonly namespace: string;
    readonly writes?: readonly FixtureWrite[];
    readonly metadataWrites?: ReadonlyArray<{ readonly key: string; readonly entries: Readonly<Record<string, string>> }>;
}

/** An ENDORSER_TRANSACTION envelope whose ChaincodeAction.results carry the given public writes (unsigned). */
export function endorserTx(opts: {
    readonly txId: string;
    readonly channelId?: string;
    readonly seconds?: number;
    readonly namespaces: readonly FixtureNamespace[];
}): Uint8Array {
    const txRwSet = new ledger.rwset.TxReadWriteSet();
    txRwSet.setDataModel(ledger.rwset.TxReadWriteSet.DataModel.KV);
    txRwSet.setNsRwsetList(
        opts.namespaces.map((ns) => {
            const kv = new ledger.rwset.kvrwset.KVRWSet();
            kv.setWritesList(
                (ns.writes ?? []).map((w) => {
                    const kw = new ledger.rwset.kvrwset.KVWrite();
                    kw.setKey(w.key);
                    kw.setIsDelete(w.isDelete ?? false);
                    if (w.value !== undefined) kw.setValue(typeof w.value === 'string' ? Buffer.from(w.value) : w.value);
                    return kw;
                }),
            );
            kv.setMetadataWritesList(
                (ns.metadataWrites ?? []).map((mw) => {
                    const m = new ledger.rwset.kvrwset.KVMetadataWrite();
                    m.setKey(mw.key);
                    m.setEntriesList(
                        Object.entries(mw.entries).map(([name, value]) => {
                            const e = new ledger.rwset.kvrwset.KVMetadataEntry();
                            e.setName(name);
                            e.setValue(Buffer.from(value));
                            return e;
                        }),
                    );
                    return m;
                }),
            );
            const nsrw = new ledger.rwset.NsReadWriteSet();
            nsrw.setNamespace(ns.namespace);
            nsrw.setRwset(kv.serializeBinary());
            return nsrw;
        }),
    );
    const ccAction = new peer.ChaincodeAction();
    ccAction.setResults(txRwSet.serializeBinary());
    const prp = new peer.ProposalResponsePayload();
    prp.setProposalHash(new Uint8Array(32));
    prp.setExtension$(ccAction.serializeBinary());
    const endorsed = new peer.ChaincodeEndorsedAction();
    endorsed.setProposalResponsePayload(prp.serializeBinary());
    const cap = new peer.ChaincodeActionPayload();
    cap.setAction(endorsed);
    const action = new peer.TransactionAction();
    action.setPayload(cap.serializeBinary());
    const tx = new peer.Transaction();
    tx.setActionsList([action]);
    return envelope(opts.txId, common.HeaderType.ENDORSER_TRANSACTION, tx.serializeBinary(), opts.channelId, opts.seconds);
}

/** A CONFIG-type envelope (no rwset). */
export function configTx(txId: string): Uint8Array {
    return envelope(txId, common.HeaderType.CONFIG, new Uint8Array([1, 2, 3]));
}

function envelope(txId: string, type: number, data: Uint8Array, channelId = 'mychannel', seconds = 1_700_000_000): Uint8Array {
    const ts = new Timestamp();
    ts.setSeconds(seconds);
    ts.setNanos(123);
    const chdr = new common.ChannelHeader();
    chdr.setType(type);
    chdr.setChannelId(channelId);
    chdr.setTxId(txId);
    chdr.setTimestamp(ts);
    const header = new common.Header();
    header.setChannelHeader(chdr.serializeBinary());
    header.setSignatureHeader(new Uint8Array(0));
    const payload = new common.Payload();
    payload.setHeader(header);
    payload.setData(data);
    const env = new common.Envelope();
    env.setPayload(payload.serializeBinary());
    env.setSignature(new Uint8Array([9]));
    return env.serializeBinary();
}

/** Block `number` chained to previousHash, 5 metadata slots, TRANSACTIONS_FILTER = codes (all VALID by default). */
export function makeBlock(number: number, previousHash: Uint8Array, envelopes: readonly Uint8Array[], codes?: readonly number[]): common.Block {
    const block = newBlock(number, previousHash, envelopes);
    const md = block.getMetadata();
    if (!md) throw new Error('unreachable: newBlock always sets metadata');
    const slots = md.getMetadataList_asU8();
    slots[common.BlockMetadataIndex.TRANSACTIONS_FILTER] = Uint8Array.from(codes ?? envelopes.map(() => 0));
    md.setMetadataList(slots);
    return block;
}
