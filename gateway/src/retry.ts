/**
 * When a failed submit may be tried again with a fresh proposal. Safe because every write carries the caller's
 * request id: if an earlier attempt did commit, the retry fails with DUPLICATE_REQUEST naming it.
 */
import { CommitError, GatewayError as FabricGatewayError, StatusCode } from '@hyperledger/fabric-gateway';

export interface RetryPolicy {
    /** Attempts in all, the first one included. */
    readonly attempts: number;
    readonly baseDelayMs: number;
    readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 50, maxDelayMs: 1000 };

/** gRPC codes of endorsement/ordering failures that say nothing was committed and a new try may succeed. */
const TRANSIENT_GRPC = new Set([14 /* UNAVAILABLE */, 8 /* RESOURCE_EXHAUSTED */]);
/** Validation codes that mean "lost a race": the proposal read stale state. */
const TRANSIENT_VALIDATION: ReadonlySet<number> = new Set([StatusCode.MVCC_READ_CONFLICT, StatusCode.PHANTOM_READ_CONFLICT]);

export type RetryReason = 'MVCC_READ_CONFLICT' | 'PHANTOM_READ_CONFLICT' | 'UNAVAILABLE';

/** Why `err` is worth a fresh proposal, or undefined when it is not (chaincode errors, timeouts, everything else). */
export function retryReason(err: unknown): RetryReason | undefined {
    if (err instanceof CommitError && TRANSIENT_VALIDATION.has(err.code)) {
        return err.code === StatusCode.MVCC_READ_CONFLICT ? 'MVCC_READ_CONFLICT' : 'PHANTOM_READ_CONFLICT';
    }
    // a chaincode's own refusal (a `chaincode response` detail) is final whatever the gRPC code
    if (err instanceof FabricGatewayError && TRANSIENT_GRPC.has(err.code) && !err.details.some((d) => d.message.startsWith('chaincode response'))) {
        return 'UNAVAILABLE';
    }
    return undefined;
}

/** The delay before attempt `attempt + 1` (attempt counts from 1): exponential, capped, with full jitter. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export interface RetryHooks {
    readonly sleep?: (ms: number) => Promise<void>;
    readonly onRetry?: (reason: RetryReason, attempt: number) => void;
}

/** Runs `attempt` until it succeeds, fails for good, or the policy's attempts are used up (then the last error). */
export async function withRetry<T>(attempt: () => Promise<T>, policy: RetryPolicy, hooks: RetryHooks = {}): Promise<T> {
    const sleep = hooks.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let n = 1; ; n += 1) {
        try {
            return await attempt();
        } catch (err) {
            const reason = retryReason(err);
            if (reason === undefined || n >= policy.attempts) throw err;
            hooks.onRetry?.(reason, n);
            await sleep(backoffMs(n, policy));
        }
    }
}
