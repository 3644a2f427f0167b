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

export class DeliverServer {
    readonly #peer: Peer;
    readonly #msps: MspManager;

    constructor(peer: Peer, msps: MspManager) {
        this.#peer = peer;
        this.#msps = msps;
    }

    service(): pb.IDeliverServer {
        return {
            deliver: (call: ServerDuplexStream<common.Envelope, pb.DeliverResponse>) => this.#handle(call, 'full'),
            deliverFiltered: (call: ServerDuplexStream<common.Envelope, pb.DeliverResponse>) => this.#handle(call, 'filtered'),
            deliverWithPrivateData: (call: ServerDuplexStream<common.Envelope, pb.DeliverResponse>) => this.#handle(call, 'full'),
        };
    }

    #handle(call: ServerDuplexStream<common.Envelope, pb.DeliverResponse>, kind: 'full' | 'filtered'): void {
        const ac = new AbortController();
        call.on('cancelled', () => ac.abort());
        call.on('error', () => ac.abort());
        call.on('end', () => {
            ac.abort();
            call.end();
        });
        let chain = Promise.resolve();
        call.on('data', (env: common.Envelope) => {
            chain = chain.then(() => this.#serve(call, env, kind, ac.signal)).catch(() => {
                ac.abort();
            });
        });
    }

    async #serve(call: ServerDuplexStream<common.Envelope, pb.DeliverResponse>, env: common.Envelope, kind: 'full' | 'filtered', signal: AbortSignal): Promise<void> {
        const status = (s: Status): void => {
            const r = new pb.DeliverResponse();
            r.setStatus(s);
            call.write(r);
        };
        let parsed;
        try {
            parsed = parseEnvelope(env);
        } catch {
            return status(common.Status.BAD_REQUEST);
        }
        const chdr = parsed.channelHeader;
        if (Math.abs(timestampMs(chdr.getTimestamp()) - Date.now()) > MAX_SKEW_MS) return status(common.Status.BAD_REQUEST);
        if (chdr.getChannelId() !== this.#peer.channelId) return status(common.Status.NOT_FOUND);
        const creator = parsed.signatureHeader.getCreator_asU8();
        const resource = kind === 'full' ? 'event/Block' : 'event/FilteredBlock';
        const authorized = (): boolean => {
            try {
                const id = this.#msps.deserializeIdentity(creator);
                if (id.expired) return false;
                this.#peer.checkAclSigned(resource, { data: env.getPayload_asU8(), identity: creator, signature: env.getSignature_asU8() });
                return true;
            } catch {
                return false;
            }
        };
        if (!authorized()) return status(common.Status.FORBIDDEN);
        let seek: ord.SeekInfo;
        try {
            seek = ord.SeekInfo.deserializeBinary(parsed.payload.getData_asU8());
        } catch {
            return status(common.Status.BAD_REQUEST);
        }
        const ledger = this.#peer.ledger;
        const pos = (p: ord.SeekPosition | undefined, dflt: number): number => {
            if (!p) return dflt;
            if (p.hasOldest()) return 0;
            if (p.hasNewest()) return Math.max(ledger.height - 1, 0);
            if (p.hasSpecified()) return p.getSpecified()?.getNumber() ?? 0;
            if (p.hasNextCommit()) return ledger.height;
            return dflt;
        };
        const start = pos(seek.getStart(), ledger.height);
        const stop = pos(seek.getStop(), Number.MAX_SAFE_INTEGER);
        if (start > stop) return status(common.Status.BAD_REQUEST);
        const failIfNotReady = seek.getBehavior() === ord.SeekInfo.SeekBehavior.FAIL_IF_NOT_READY;
        for (let n = start; n <= stop; n++) {
            if (signal.aborted) return;
            if (ledger.height <= n) {
                if (failIfNotReady) return status(common.Status.NOT_FOUND);
                await ledger.waitForHeight(n + 1, signal);
            }
            if (!authorized()) return status(common.Status.FORBIDDEN); // re-checked per block
            const block = await ledger.getBlockByNumber(n);
            if (!block) return status(common.Status.NOT_FOUND);
            const r = new pb.DeliverResponse();
            if (kind === 'full') r.setBlock(block);
            else r.setFilteredBlock(filteredBlock(block, this.#peer.channelId));
            if (!call.write(r)) await new Promise((res) => call.once('drain', res));
        }
        status(common.Status.SUCCESS);
    }
}
