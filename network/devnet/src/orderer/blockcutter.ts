// Mirrors orderer/common/blockcutter/blockcutter.go: how pending envelopes become batches.
export interface BatchSize {
    readonly maxMessageCount: number;
    readonly absoluteMaxBytes: number;
    readonly preferredMaxBytes: number;
}

export interface CutResult {
    /** Batches to write as blocks now, in order. */
    readonly batches: Uint8Array[][];
    /** Whether envelopes remain pending (the batch timer must run). */
    readonly pending: boolean;
}

/** Pure receiver: no timers, no I/O. The orderer owns the BatchTimeout timer. */
export class BlockCutter {
    readonly #size: BatchSize;
    #pending: Uint8Array[] = [];
    #pendingBytes = 0;

    constructor(size: BatchSize) {
        this.#size = size;
    }

    get pendingCount(): number {
        return this.#pending.length;
    }

    /**
     * Ordered: a message larger than PreferredMaxBytes is cut alone (after flushing what is pending);
     * one that would overflow PreferredMaxBytes flushes first; MaxMessageCount cuts.
     */
    ordered(env: Uint8Array): CutResult {
        const batches: Uint8Array[][] = [];
        const size = env.length;
        if (size > this.#size.preferredMaxBytes) {
            if (this.#pending.length > 0) batches.push(this.cut());
            batches.push([env]);
            return { batches, pending: false };
        }
        if (this.#pendingBytes + size > this.#size.preferredMaxBytes && this.#pending.length > 0) {
            batches.push(this.cut());
        }
        this.#pending.push(env);
        this.#pendingBytes += size;
        if (this.#pending.length >= this.#size.maxMessageCount) {
            batches.push(this.cut());
        }
        return { batches, pending: this.#pending.length > 0 };
    }

    /** Cut whatever is pending (BatchTimeout fired). */
    cut(): Uint8Array[] {
        const batch = this.#pending;
        this.#pending = [];
        this.#pendingBytes = 0;
        return batch;
    }
}
