// The measuring loop shared by the benchmarks: `concurrency` workers call `op` back to back for `seconds`;
// committed (resolved) calls count with their latency, failed calls count by an error class (the Fabric
// validation code of a commit error, the HTTP status and problem code of a REST answer, …).
import { CommitError, GatewayError, StatusCode } from '@hyperledger/fabric-gateway';

const STATUS_NAMES = new Map<number, string>(Object.entries(StatusCode).map(([name, code]) => [code, name]));

export interface Measured {
    readonly ok: number;
    readonly failed: number;
    /** error class → count */
    readonly errors: Readonly<Record<string, number>>;
    readonly seconds: number;
    readonly tps: number;
    readonly p50ms: number;
    readonly p95ms: number;
}

/** A REST answer that was not 2xx. */
export class HttpError extends Error {
    constructor(
        readonly status: number,
        readonly code: string,
    ) {
        super(`HTTP ${status} ${code}`);
    }
}

/** A short, stable class for an error: what the tables and the JSON count. */
export function errorClass(err: unknown): string {
    if (err instanceof CommitError) return STATUS_NAMES.get(err.code) ?? `COMMIT_${err.code}`;
    if (err instanceof HttpError) return `HTTP_${err.status}_${err.code}`;
    if (err instanceof GatewayError) {
        const detail = err.details[0]?.message ?? err.message;
        const code = /, ([A-Z_]{4,}):/.exec(detail)?.[1];
        return `${err.name}${code ? `_${code}` : ''}`;
    }
    return err instanceof Error ? err.name : 'Error';
}

export function percentile(sorted: readonly number[], q: number): number {
    if (sorted.length === 0) return 0;
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Runs `op(worker, iteration)` from `concurrency` workers for `seconds`; latencies of successful calls only. */
export async function measure(op: (worker: number, iteration: number) => Promise<void>, concurrency: number, seconds: number): Promise<Measured> {
    let ok = 0;
    let failed = 0;
    const errors: Record<string, number> = {};
    const latencies: number[] = [];
    const started = performance.now();
    const until = started + seconds * 1000;
    await Promise.all(
        Array.from({ length: concurrency }, async (_, worker) => {
            for (let i = 0; performance.now() < until; i++) {
                const t0 = performance.now();
                try {
                    await op(worker, i);
                    ok += 1;
                    latencies.push(performance.now() - t0);
                } catch (err) {
                    failed += 1;
                    const c = errorClass(err);
                    errors[c] = (errors[c] ?? 0) + 1;
                }
            }
        }),
    );
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return { ok, failed, errors, seconds: round1(elapsed), tps: round1(ok / elapsed), p50ms: round1(percentile(latencies, 0.5)), p95ms: round1(percentile(latencies, 0.95)) };
}
