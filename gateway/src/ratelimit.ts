/**
 * Token-bucket rate limits, one bucket per caller (an API key's name, or a client address for public routes).
 * In memory and per process: a gateway behind a load balancer limits each instance separately. Memory is
 * bounded: buckets that have refilled completely carry no information and are dropped when the map grows.
 */

export interface RateLimit {
    /** Requests a caller may make per minute on average. */
    readonly perMinute: number;
    /** Requests a caller may make at once after being idle (default: perMinute / 6, at least 1). */
    readonly burst?: number;
}

export interface Decision {
    readonly allowed: boolean;
    readonly limit: number;
    /** Requests left right now (after this one, when allowed). */
    readonly remaining: number;
    /** Whole seconds until the next request would be allowed (0 when allowed). */
    readonly retryAfterSeconds: number;
}

interface Bucket {
    tokens: number;
    at: number;
}

export class RateLimiter {
    readonly #ratePerMs: number;
    readonly #burst: number;
    readonly #buckets = new Map<string, Bucket>();
    readonly #maxBuckets: number;
    readonly #now: () => number;

    constructor(limit: Readonly<RateLimit>, options: Readonly<{ now?: () => number; maxBuckets?: number }> = {}) {
        if (!(limit.perMinute > 0)) throw new RangeError('perMinute must be > 0');
        this.#ratePerMs = limit.perMinute / 60_000;
        this.#burst = Math.max(1, Math.floor(limit.burst ?? limit.perMinute / 6));
        this.#now = options.now ?? Date.now;
        this.#maxBuckets = options.maxBuckets ?? 100_000;
    }

    /** Takes one request from `caller`'s bucket. */
    take(caller: string): Decision {
        const now = this.#now();
        let b = this.#buckets.get(caller);
        if (b === undefined) {
            if (this.#buckets.size >= this.#maxBuckets) this.#prune(now);
            b = { tokens: this.#burst, at: now };
            this.#buckets.set(caller, b);
        } else {
            b.tokens = Math.min(this.#burst, b.tokens + (now - b.at) * this.#ratePerMs);
            b.at = now;
        }
        if (b.tokens >= 1) {
            b.tokens -= 1;
            return { allowed: true, limit: this.#burst, remaining: Math.floor(b.tokens), retryAfterSeconds: 0 };
        }
        return { allowed: false, limit: this.#burst, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.#ratePerMs / 1000)) };
    }

    get size(): number {
        return this.#buckets.size;
    }

    #prune(now: number): void {
        for (const [k, b] of this.#buckets) {
            if (b.tokens + (now - b.at) * this.#ratePerMs >= this.#burst) this.#buckets.delete(k);
        }
        // still full of active callers: forget the oldest (Map keeps insertion order)
        for (const k of this.#buckets.keys()) {
            if (this.#buckets.size < this.#maxBuckets) break;
            this.#buckets.delete(k);
        }
    }
}
