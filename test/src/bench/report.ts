// The benchmark's figures: per-workload means over the rounds, the ratios against their goals, and the printed
// tables. TPS is the mean of the rounds' committed (or answered) calls per second; latencies are the median of
// the rounds' p50 and p95 (successful calls only).
import type { Measured } from './measure';

export interface WorkloadSummary {
    readonly workload: string;
    readonly path: string;
    readonly tps: number;
    readonly roundTps: number[];
    readonly p50ms: number;
    readonly p95ms: number;
    readonly ok: number;
    readonly failed: number;
    readonly errors: Record<string, number>;
    /** MVCC_READ_CONFLICT + PHANTOM_READ_CONFLICT ÷ attempts */
    readonly conflictShare: number;
    /** CPU time per successful call of each process (median over the rounds), ms */
    readonly cpuMsPerCall: Record<string, number>;
}

export interface Figure {
    readonly figure: string;
    readonly value: number;
    readonly goal: string;
    readonly met: boolean;
}

export interface NetworkReport {
    readonly conditions: Record<string, unknown>;
    readonly workloads: WorkloadSummary[];
    readonly figures: Figure[];
    readonly sharedHolderProbe?: { tps: number; ok: number; failed: number; errors: Record<string, number>; conflictShare: number };
    readonly gatewayRetries?: Record<string, number>;
    readonly peakRssMb: Record<string, number>;
    devnetOverNativeNoop?: { ratio: number; devnetTps: number; nativeTps: number; devnetFrom: string; nativeFrom: string };
}

interface RowIn extends Measured {
    readonly cpuMsPerCall: Readonly<Record<string, number>>;
    readonly workload: string;
    readonly path: string;
}

const r2 = (x: number): number => Math.round(x * 100) / 100;
const r1 = (x: number): number => Math.round(x * 10) / 10;
const median = (xs: readonly number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    if (s.length === 0) return 0;
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
const conflicts = (errors: Readonly<Record<string, number>>): number => (errors.MVCC_READ_CONFLICT ?? 0) + (errors.PHANTOM_READ_CONFLICT ?? 0);

export function summarise(input: {
    kind: string;
    conditions: Record<string, unknown>;
    rows: readonly RowIn[];
    shared: Measured | undefined;
    gatewayRetries: Record<string, number> | undefined;
    peakRssMb: Record<string, number>;
}): NetworkReport {
    const keys = [...new Set(input.rows.map((x) => `${x.workload}|${x.path}`))];
    const workloads = keys.map((k): WorkloadSummary => {
        const rs = input.rows.filter((x) => `${x.workload}|${x.path}` === k);
        const errors: Record<string, number> = {};
        for (const x of rs) for (const [e, n] of Object.entries(x.errors)) errors[e] = (errors[e] ?? 0) + n;
        const ok = rs.reduce((a, x) => a + x.ok, 0);
        const failed = rs.reduce((a, x) => a + x.failed, 0);
        return {
            workload: rs[0]?.workload ?? k,
            path: rs[0]?.path ?? '',
            tps: r1(rs.reduce((a, x) => a + x.tps, 0) / Math.max(rs.length, 1)),
            roundTps: rs.map((x) => x.tps),
            p50ms: r1(median(rs.map((x) => x.p50ms))),
            p95ms: r1(median(rs.map((x) => x.p95ms))),
            ok,
            failed,
            errors,
            conflictShare: r2((100 * conflicts(errors)) / Math.max(ok + failed, 1)) / 100,
            cpuMsPerCall: Object.fromEntries([...new Set(rs.flatMap((x) => Object.keys(x.cpuMsPerCall)))].map((p) => [p, r1(median(rs.map((x) => x.cpuMsPerCall[p] ?? 0)))])),
        };
    });
    const find = (name: string, path = 'direct'): WorkloadSummary | undefined => workloads.find((w) => w.workload === name && w.path === path);
    const figures: Figure[] = [];
    const noop = find('kv noop submit');
    const kvGet = find('kv get evaluate');
    const OURS = [
        ['token transfer', 'submit'],
        ['receivable split', 'submit'],
        ['provenance event', 'submit'],
        ['receivable get', 'evaluate'],
    ] as const;
    for (const [name, kind] of OURS) {
        const base = kind === 'submit' ? noop : kvGet;
        for (const path of ['direct', 'rest']) {
            const w = find(name, path);
            if (!w || !base?.tps) continue;
            const v = r2(w.tps / base.tps);
            figures.push({ figure: `TPS ${name} (${path}) ÷ ${base.workload}`, value: v, goal: '≥ 0.8', met: v >= 0.8 });
        }
    }
    for (const [name, kind] of OURS) {
        const d = find(name, 'direct');
        const r = find(name, 'rest');
        if (!d || !r || !d.p50ms || !d.p95ms) continue;
        const goal = kind === 'submit' ? 1.05 : 1.2;
        for (const q of ['p50', 'p95'] as const) {
            const v = r2(r[`${q}ms`] / d[`${q}ms`]);
            figures.push({ figure: `latency ${q} REST ÷ direct, ${name} (${kind})`, value: v, goal: `≤ ${goal}`, met: v <= goal });
        }
    }
    for (const w of workloads.filter((x) => x.workload !== 'kv get evaluate' && x.workload !== 'receivable get' && x.workload !== 'kv noop submit' && x.workload !== 'kv put submit')) {
        figures.push({ figure: `conflict share ${w.workload} (${w.path})`, value: w.conflictShare, goal: '0 %', met: w.conflictShare === 0 });
    }
    const s = input.shared;
    const shared = s
        ? { tps: s.tps, ok: s.ok, failed: s.failed, errors: { ...s.errors }, conflictShare: r2((100 * conflicts(s.errors)) / Math.max(s.ok + s.failed, 1)) / 100 }
        : undefined;
    if (shared) figures.push({ figure: `conflict share, ${String(input.conditions.concurrency)} transfers from one holder of one lot (distinct explicit inputs)`, value: shared.conflictShare, goal: '0 %', met: shared.conflictShare === 0 });
    return {
        conditions: input.conditions,
        workloads,
        figures,
        ...(shared ? { sharedHolderProbe: shared } : {}),
        ...(input.gatewayRetries ? { gatewayRetries: input.gatewayRetries } : {}),
        peakRssMb: input.peakRssMb,
    };
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (r: readonly string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
    return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const pct = (x: number): string => `${r2(x * 100)} %`;

export function printReport(rep: NetworkReport): void {
    const c = rep.conditions;
    const out: string[] = [];
    out.push('', `## ${String(c.network)} — ${String(c.date)}`, '');
    out.push(
        `conditions: ${String(c.fabric)}; orderers ${String(c.orderers)}; BatchSize.MaxMessageCount ${String(c.batchMaxMessageCount)}; BatchTimeout ${String(c.batchTimeoutMs)} ms; ` +
            `endorsement ${String(c.endorsement)}; concurrency ${String(c.concurrency)}; ${String(c.rounds)} rounds × ${String(c.secondsPerRound)} s, interleaved; ` +
            `Node ${String(c.node)}; ${String(c.cores)} cores (${String(c.cpu)}); load before ${JSON.stringify(c.loadavgBefore)}`,
        '',
    );
    out.push(
        table(
            ['workload', 'path', 'TPS (mean)', 'TPS per round', 'p50 ms', 'p95 ms', 'ok', 'failed', 'errors'],
            rep.workloads.map((w) => [
                w.workload,
                w.path,
                String(w.tps),
                w.roundTps.join(' '),
                String(w.p50ms),
                String(w.p95ms),
                String(w.ok),
                String(w.failed),
                Object.keys(w.errors).length ? Object.entries(w.errors).map(([k, v]) => `${k} ${v}`).join(', ') : '—',
            ]),
        ),
        '',
    );
    out.push(
        table(
            ['figure', 'value', 'goal', 'met'],
            rep.figures.map((f) => [f.figure, f.figure.startsWith('conflict') ? pct(f.value) : String(f.value), f.goal, f.met ? 'yes' : 'NO']),
        ),
        '',
    );
    const procs = [...new Set(rep.workloads.flatMap((w) => Object.keys(w.cpuMsPerCall)))];
    out.push(
        'CPU ms per successful call, by process (median of the rounds; the machine is shared, so other load shows up as latency, not here):',
        '',
        table(
            ['workload', 'path', ...procs, 'sum'],
            rep.workloads.map((w) => [
                w.workload,
                w.path,
                ...procs.map((p) => String(w.cpuMsPerCall[p] ?? '—')),
                String(r1(Object.values(w.cpuMsPerCall).reduce((a, b) => a + b, 0))),
            ]),
        ),
        '',
    );
    if (rep.sharedHolderProbe) {
        const s = rep.sharedHolderProbe;
        out.push(`shared-holder probe (direct, one round): ${s.tps} TPS, ok ${s.ok}, failed ${s.failed} ${JSON.stringify(s.errors)}`);
    }
    if (rep.gatewayRetries) out.push(`REST gateway submit retries (from /metrics): ${JSON.stringify(rep.gatewayRetries)}`);
    out.push('', table(['process', 'peak RSS (VmHWM) MB'], Object.entries(rep.peakRssMb).map(([k, v]) => [k, String(v)])), '');
    const d = rep.devnetOverNativeNoop;
    if (d) out.push(`devnet ÷ native no-op TPS: ${d.ratio} (devnet ${d.devnetTps} from ${d.devnetFrom}; native ${d.nativeTps} from ${d.nativeFrom})`, '');
    process.stdout.write(`${out.join('\n')}\n`);
}
