// Mirrors orderer/common/broadcast/broadcast.go, msgprocessor/standardchannel.go + sigfilter.go + expiration.go,
// and a single-node consenter's ordering loop (orderer/consensus): filter, cut, write, sign.
import { common } from '@hyperledger/fabric-protos';
import { EventEmitter } from 'node:events';
import { BlockCutter, type BatchSize } from './blockcutter';
import { newBlock, signBlock, type BlockSigner } from './blockwriter';
import { blockHeaderHash } from '../ledger/blockhash';
import { parseEnvelope } from '../protoutil';
import type { MspManager } from '../msp/msp';
import type { PolicyManager } from '../policies/manager';
import type { DeliverSource } from '../deliver/deliver';

export type BroadcastStatus = common.StatusMap[keyof common.StatusMap];

export interface BroadcastResult {
    readonly status: BroadcastStatus;
    readonly info: string;
}

/** The orderer's own durable block store (an append-only block file). */
export interface OrdererBlockStore {
    readonly height: number;
    append(block: common.Block): Promise<void>;
    getBlockByNumber(n: number): Promise<common.Block | undefined>;
}

export interface OrdererOptions {
    readonly channelId: string;
    readonly batch: BatchSize & { readonly timeoutMs: number };
    readonly store: OrdererBlockStore;
    readonly signer: BlockSigner;
    readonly msps: MspManager;
    readonly policies: PolicyManager;
    /** Builds the genesis (config) block when the store is empty. */
    readonly genesis: () => common.Block;
}

/**
 * One channel's orderer. Broadcast returns SUCCESS once the envelope is accepted for ordering,
 * before it is in a block (as Fabric does); blocks are written by a single writer loop and
 * fsynced before 'block' is emitted.
 */
export class Orderer extends EventEmitter<{ block: [common.Block]; error: [unknown] }> {
    readonly #opts: OrdererOptions;
    readonly #cutter: BlockCutter;
    #timer: NodeJS.Timeout | undefined;
    #writeChain: Promise<void> = Promise.resolve();
    #lastHash: Uint8Array = new Uint8Array(0);
    #nextNumber = 0;
    #closed = false;

    private constructor(opts: OrdererOptions) {
        super();
        this.#opts = opts;
        this.#cutter = new BlockCutter(opts.batch);
    }

    static async start(opts: OrdererOptions): Promise<Orderer> {
        const o = new Orderer(opts);
        if (opts.store.height === 0) {
            const genesis = opts.genesis();
            await opts.store.append(genesis);
        }
        const last = await opts.store.getBlockByNumber(opts.store.height - 1);
        const header = last?.getHeader();
        if (!header) throw new Error('orderer block store has no last block');
        o.#lastHash = blockHeaderHash(header);
        o.#nextNumber = opts.store.height;
        return o;
    }

    get height(): number {
        return this.#opts.store.height;
    }

    getBlockByNumber(n: number): Promise<common.Block | undefined> {
        return this.#opts.store.getBlockByNumber(n);
    }

    /** Resolves once the chain is at least `height` blocks long. */
    waitForHeight(height: number, signal: AbortSignal): Promise<void> {
        if (this.height >= height) return Promise.resolve();
        return new Promise((resolve, reject) => {
            const onBlock = (): void => {
                if (this.height >= height) {
                    cleanup();
                    resolve();
                }
            };
            const onAbort = (): void => {
                cleanup();
                reject(new Error('aborted'));
            };
            const cleanup = (): void => {
                this.off('block', onBlock);
                signal.removeEventListener('abort', onAbort);
            };
            this.on('block', onBlock);
            signal.addEventListener('abort', onAbort);
        });
    }

    /** This orderer's chain as a Deliver source: readers must satisfy /Channel/Readers. */
    deliverSource(policies: PolicyManager): DeliverSource {
        // eslint-disable-next-line @typescript-eslint/no-this-alias
        const self = this;
        return {
            channelId: this.#opts.channelId,
            get height(): number {
                return self.height;
            },
            getBlockByNumber: (n) => this.getBlockByNumber(n),
            waitForHeight: (h, signal) => this.waitForHeight(h, signal),
            authorize: (_kind, signed) => {
                const readers = policies.getPolicy('/Channel/Readers');
                if (!readers) return false;
                try {
                    readers.evaluateSignedData([signed]);
                    return true;
                } catch {
                    return false;
                }
            },
        };
    }

    /** Broadcast filters then enqueue. Nothing else (endorsements, rwsets, txids) is checked here. */
    broadcast(envBytes: Uint8Array): BroadcastResult {
        if (this.#closed) return { status: common.Status.SERVICE_UNAVAILABLE, info: 'orderer is shutting down' };
        const verdict = this.check(envBytes);
        if (verdict.status !== common.Status.SUCCESS) return verdict;
        this.enqueue(envBytes);
        return verdict;
    }

    check(envBytes: Uint8Array): BroadcastResult {
        const bad = (info: string): BroadcastResult => ({ status: common.Status.BAD_REQUEST, info });
        if (envBytes.length === 0) return bad('envelope is empty');
        let parsed;
        try {
            parsed = parseEnvelope(envBytes);
        } catch (err) {
            return bad(`bad message: ${(err as Error).message}`);
        }
        const size = parsed.envelope.getPayload_asU8().length + parsed.envelope.getSignature_asU8().length;
        if (size > this.#opts.batch.absoluteMaxBytes) {
            return bad(`message payload is ${size} bytes and exceeds maximum allowed ${this.#opts.batch.absoluteMaxBytes} bytes`);
        }
        if (parsed.channelHeader.getChannelId() !== this.#opts.channelId) {
            return { status: common.Status.NOT_FOUND, info: `channel ${parsed.channelHeader.getChannelId()} not found` };
        }
        const creator = parsed.signatureHeader.getCreator_asU8();
        try {
            const id = this.#opts.msps.deserializeIdentity(creator);
            if (id.expired) return bad('broadcast client identity expired');
        } catch {
            // an unknown creator fails the Writers policy below, as in Fabric
        }
        const writers = this.#opts.policies.getPolicy('/Channel/Writers');
        if (!writers) return { status: common.Status.INTERNAL_SERVER_ERROR, info: 'no /Channel/Writers policy' };
        try {
            writers.evaluateSignedData([
                { data: parsed.envelope.getPayload_asU8(), identity: creator, signature: parsed.envelope.getSignature_asU8() },
            ]);
        } catch (err) {
            return { status: common.Status.FORBIDDEN, info: `${(err as Error).message}: permission denied` };
        }
        return { status: common.Status.SUCCESS, info: '' };
    }

    private enqueue(env: Uint8Array): void {
        const { batches, pending } = this.#cutter.ordered(env);
        for (const b of batches) this.write(b);
        if (batches.length > 0 && this.#timer) {
            clearTimeout(this.#timer);
            this.#timer = undefined;
        }
        if (pending && !this.#timer) {
            this.#timer = setTimeout(() => {
                this.#timer = undefined;
                const batch = this.#cutter.cut();
                if (batch.length > 0) this.write(batch);
            }, this.#opts.batch.timeoutMs);
        }
    }

    private write(batch: Uint8Array[]): void {
        this.#writeChain = this.#writeChain.then(async () => {
            const block = newBlock(this.#nextNumber, this.#lastHash, batch);
            signBlock(block, this.#opts.signer, 0);
            await this.#opts.store.append(block);
            const header = block.getHeader();
            if (!header) throw new Error('unreachable: block without header');
            this.#lastHash = blockHeaderHash(header);
            this.#nextNumber += 1;
            this.emit('block', block);
        });
        this.#writeChain.catch((err: unknown) => {
            // A failed append is fatal for a single-node orderer: stop ordering rather than fork the chain.
            this.#closed = true;
            this.emit('error', err);
        });
    }

    /** Stop accepting, flush the pending batch, and wait for the writer to finish. */
    async close(): Promise<void> {
        if (this.#timer) clearTimeout(this.#timer);
        this.#timer = undefined;
        if (!this.#closed) {
            const batch = this.#cutter.cut();
            if (batch.length > 0) this.write(batch);
        }
        this.#closed = true;
        await this.#writeChain.catch(() => undefined);
    }
}
