// Mirrors common/deliver/deliver.go and core/peer/deliverevents.go: Deliver and DeliverFiltered for a peer.
import { common, orderer as ord, peer as pb } from '@hyperledger/fabric-protos';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { parseEndorserTx, parseEnvelope, timestampMs } from '../protoutil';
import type { Peer } from '../peer/peer';
import type { MspManager } from '../msp/msp';

const MAX_SKEW_MS = 15 * 60 * 1000;
type Status = common.StatusMap[keyof common.StatusMap];

export function filteredBlock(block: common.Block, channelId: string): pb.FilteredBlock {
    const fb = new pb.FilteredBlock();
    fb.setChannelId(channelId);
    fb.setNumber(block.getHeader()?.getNumber() ?? 0);
    const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
    const txs: pb.FilteredTransaction[] = [];
    (block.getData()?.getDataList_asU8() ?? []).forEach((env, i) => {
        const ft = new pb.FilteredTransaction();
        ft.setTxValidationCode((filter[i] ?? 0) as pb.TxValidationCodeMap[keyof pb.TxValidationCodeMap]);
        try {
            const parsed = parseEnvelope(env);
            ft.setTxid(parsed.channelHeader.getTxId());
            ft.setType(parsed.channelHeader.getType() as common.HeaderTypeMap[keyof common.HeaderTypeMap]);
            if (parsed.channelHeader.getType() === common.HeaderType.ENDORSER_TRANSACTION) {
                const tx = parseEndorserTx(parsed.payload);
                const fta = new pb.FilteredTransactionActions();
                const fa = new pb.FilteredChaincodeAction();
                const evBytes = tx.chaincodeAction.getEvents_asU8();
                if (evBytes.length > 0) {
                    const ev = pb.ChaincodeEvent.deserializeBinary(evBytes);
                    ev.setPayload(new Uint8Array()); // filtered events carry no payload
                    fa.setChaincodeEvent(ev);
                }
                fta.setChaincodeActionsList([fa]);
                ft.setTransactionActions(fta);
            }
        } catch {
            // an unparseable envelope still appears, with its validation code
        }
        txs.push(ft);
    });
    fb.setFilteredTransactionsList(txs);
    return fb;
}

/** Where blocks come from and who may read them: a peer's ledger, or the orderer's block store. */
export interface DeliverSource {
    readonly channelId: string;
    readonly height: number;
    getBlockByNumber(n: number): Promise<common.Block | undefined>;
    waitForHeight(height: number, signal: AbortSignal): Promise<void>;
    /** ACL on the request envelope's signed data; false when refused (FORBIDDEN). */
    authorize(kind: 'full' | 'filtered', signed: { data: Uint8Array; identity: Uint8Array; signature: Uint8Array }): boolean;
}

export type DeliverItem = { status: Status } | { block: common.Block };

/**
 * common/deliver/deliver.go deliverBlocks: validate the seek envelope, then stream blocks start..stop, blocking
 * for future blocks, re-checking the ACL per block, ending with a status. `send` applies backpressure.
 */
export async function serveSeek(source: DeliverSource, msps: MspManager, env: common.Envelope, kind: 'full' | 'filtered', signal: AbortSignal, send: (item: DeliverItem) => Promise<void>): Promise<void> {
    const status = (s: Status): Promise<void> => send({ status: s });
    let parsed;
    try {
        parsed = parseEnvelope(env);
    } catch {
        return status(common.Status.BAD_REQUEST);
    }
    const chdr = parsed.channelHeader;
    if (Math.abs(timestampMs(chdr.getTimestamp()) - Date.now()) > MAX_SKEW_MS) return status(common.Status.BAD_REQUEST);
    if (chdr.getChannelId() !== source.channelId) return status(common.Status.NOT_FOUND);
    const creator = parsed.signatureHeader.getCreator_asU8();
    const authorized = (): boolean => {
        try {
            if (msps.deserializeIdentity(creator).expired) return false;
        } catch {
            return false;
        }
        return source.authorize(kind, { data: env.getPayload_asU8(), identity: creator, signature: env.getSignature_asU8() });
    };
    if (!authorized()) return status(common.Status.FORBIDDEN);
    let seek: ord.SeekInfo;
    try {
        seek = ord.SeekInfo.deserializeBinary(parsed.payload.getData_asU8());
    } catch {
        return status(common.Status.BAD_REQUEST);
    }
    const pos = (p: ord.SeekPosition | undefined, dflt: number): number => {
        if (!p) return dflt;
        if (p.hasOldest()) return 0;
        if (p.hasNewest()) return Math.max(source.height - 1, 0);
        if (p.hasSpecified()) return p.getSpecified()?.getNumber() ?? 0;
        if (p.hasNextCommit()) return source.height;
        return dflt;
    };
    const start = pos(seek.getStart(), source.height);
    const stop = pos(seek.getStop(), Number.MAX_SAFE_INTEGER);
    if (start > stop) return status(common.Status.BAD_REQUEST);
    const failIfNotReady = seek.getBehavior() === ord.SeekInfo.SeekBehavior.FAIL_IF_NOT_READY;
    for (let n = start; n <= stop; n++) {
        if (signal.aborted) return;
        if (source.height <= n) {
            if (failIfNotReady) return status(common.Status.NOT_FOUND);
            await source.waitForHeight(n + 1, signal);
        }
        if (!authorized()) return status(common.Status.FORBIDDEN); // re-checked per block
        const block = await source.getBlockByNumber(n);
        if (!block) return status(common.Status.NOT_FOUND);
        await send({ block });
    }
    return status(common.Status.SUCCESS);
}

/**
 * Runs serveSeek for each request on a bidi stream. A client that half-closes still gets what it asked for
 * (Fabric serves the seek before reading the next message); cancelling ends everything.
 */
export function handleDeliverStream<Res>(
    call: ServerDuplexStream<common.Envelope, Res>,
    serve: (env: common.Envelope, signal: AbortSignal, write: (r: Res) => Promise<void>) => Promise<void>,
): void {
    const ac = new AbortController();
    call.on('cancelled', () => ac.abort());
    call.on('error', () => ac.abort());
    const write = async (r: Res): Promise<void> => {
        if (!call.write(r)) await new Promise((res) => call.once('drain', res));
    };
    let chain = Promise.resolve();
    call.on('data', (env: common.Envelope) => {
        chain = chain.then(() => serve(env, ac.signal, write)).catch(() => ac.abort());
    });
    call.on('end', () => {
        void chain.then(() => call.end());
    });
}

/** The peer's Deliver service (core/peer/deliverevents.go): blocks and filtered blocks from its ledger. */
export class DeliverServer {
    readonly #peer: Peer;
    readonly #msps: MspManager;

    constructor(peer: Peer, msps: MspManager) {
        this.#peer = peer;
        this.#msps = msps;
    }

    service(): pb.IDeliverServer {
        const peer = this.#peer;
        const source: DeliverSource = {
            channelId: peer.channelId,
            get height() {
                return peer.ledger.height;
            },
            getBlockByNumber: (n) => peer.ledger.getBlockByNumber(n),
            waitForHeight: (h, signal) => peer.ledger.waitForHeight(h, signal),
            authorize: (kind, signed) => {
                try {
                    peer.checkAclSigned(kind === 'full' ? 'event/Block' : 'event/FilteredBlock', signed);
                    return true;
                } catch {
                    return false;
                }
            },
        };
        const handler = (kind: 'full' | 'filtered') => (call: ServerDuplexStream<common.Envelope, pb.DeliverResponse>): void =>
            handleDeliverStream(call, (env, signal, write) =>
                serveSeek(source, this.#msps, env, kind, signal, async (item) => {
                    const r = new pb.DeliverResponse();
                    if ('status' in item) r.setStatus(item.status);
                    else if (kind === 'full') r.setBlock(item.block);
                    else r.setFilteredBlock(filteredBlock(item.block, peer.channelId));
                    await write(r);
                }),
            );
        return { deliver: handler('full'), deliverFiltered: handler('filtered'), deliverWithPrivateData: handler('full') };
    }
}
