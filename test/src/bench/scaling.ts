// Scaling benchmark (issue #9, report item "list-by-holder p50 at 100 000 records ÷ at 1 000", goal ≤ 1.5): one
// holder (BankMSP) comes to hold N receivables, created by real transactions on devnet, and at each size the p50/p95
// latency of `receivables:ListByHolder(BankMSP, 50, '')` (one page of 50, evaluated through Bank's peer with
// fabric-gateway) is measured.
//
// Records are made efficiently: Brand issues a root receivable to Supplier, Supplier splits it into 50 parts it keeps,
// each of those into 50 more (2 500 Supplier receivables per root), and then each Supplier receivable into 50 parts
// for Bank (MAX_SPLIT_PARTS = 50): 100 000 Bank receivables take 2 000 split transactions (+ 41 preparing), submitted
// CONCURRENCY at a time.
//
//   node test/dist/bench/scaling.js [--sizes 1000,100000] [--samples 100] [--concurrency 32]
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { validationCodeName } from '@upoint/devnet/dist/protoutil';
import { type Call, conditions, type ReceivableJson, UPoint } from './conflicts';

const PARTS = 50;
/** A Bank receivable's amount; a Supplier leaf holds PARTS of them, a middle node PARTS leaves, a root PARTS middles. */
const LEAF = 1_000n;
const utf8 = new TextDecoder();
const json = (v: unknown): string => JSON.stringify(v);

function arg(name: string, fallback: string): string {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** Submit every call, `concurrency` at a time; throws on any non-VALID transaction; returns the results in order. */
async function pool(calls: readonly Call[], concurrency: number): Promise<unknown[]> {
    const results: unknown[] = new Array<unknown>(calls.length);
    let next = 0;
    const failures: string[] = [];
    const worker = async (): Promise<void> => {
        while (next < calls.length && failures.length === 0) {
            const i = next++;
            const c = calls[i];
            if (c === undefined) break;
            try {
                const submitted = await c.contract.submitAsync(c.name, { arguments: [...c.args] });
                const status = await submitted.getStatus();
                if (!status.successful) failures.push(`${c.name}: ${validationCodeName(status.code)}`);
                else results[i] = JSON.parse(utf8.decode(submitted.getResult())) as unknown;
            } catch (e) {
                failures.push(`${c.name}: ${e instanceof Error ? e.message : String(e)}`);
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, calls.length) }, worker));
    if (failures.length > 0) throw new Error(`${failures.length} transaction(s) failed, first: ${failures[0]}`);
    return results;
}

const splitParts = (holder: string, amount: bigint): string => json(Array.from({ length: PARTS }, () => ({ holder, amount: amount.toString() })));

/** Supplier receivables of LEAF × PARTS each, at least `count` of them (roots issued and split as needed). */
async function supplierLeaves(u: UPoint, count: number, concurrency: number): Promise<string[]> {
    const perRoot = PARTS * PARTS;
    const roots = Math.ceil(count / perRoot);
    const leaf = LEAF * BigInt(PARTS);
    const middle = leaf * BigInt(PARTS);
    const leaves: string[] = [];
    for (let r = 0; r < roots; r++) {
        const root = await u.submit<ReceivableJson>('Brand', 'receivables', 'Issue', 'SupplierMSP', (middle * BigInt(PARTS)).toString(), 'CNY', '2099-12-31', sha(`${u.runId}-root-${r}`), sha('contract'));
        await u.submit('Supplier', 'receivables', 'Accept', root.id);
        const first = await u.submit<{ children: ReceivableJson[] }>('Supplier', 'receivables', 'SplitTransfer', root.id, splitParts('SupplierMSP', middle));
        const need = Math.ceil(Math.min(perRoot, count - leaves.length) / PARTS);
        const middles = first.children.slice(0, need).map((c) => u.call('Supplier', 'receivables', 'SplitTransfer', c.id, splitParts('SupplierMSP', leaf)));
        for (const res of (await pool(middles, concurrency)) as Array<{ children: ReceivableJson[] }>) leaves.push(...res.children.map((c) => c.id));
    }
    return leaves.slice(0, count);
}

function sha(s: string): string {
    return createHash('sha256').update(s).digest('hex');
}

function percentile(sorted: readonly number[], p: number): number {
    const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[i] ?? NaN;
}

/** p50 and p95 (ms) of `samples` sequential ListByHolder(BankMSP, 50, '') calls after 5 warm-ups. */
async function listLatency(u: UPoint, samples: number): Promise<{ p50: number; p95: number; items: number }> {
    const c = u.contract('Bank', 'receivables');
    let items = 0;
    const times: number[] = [];
    for (let i = 0; i < samples + 5; i++) {
        const t0 = performance.now();
        const page = JSON.parse(utf8.decode(await c.evaluateTransaction('ListByHolder', 'BankMSP', '50', ''))) as { items: unknown[] };
        const dt = performance.now() - t0;
        items = page.items.length;
        if (i >= 5) times.push(dt);
    }
    times.sort((a, b) => a - b);
    return { p50: percentile(times, 50), p95: percentile(times, 95), items };
}

async function main(): Promise<void> {
    const sizes = arg('sizes', '1000,100000')
        .split(',')
        .map(Number)
        .sort((a, b) => a - b);
    const samples = Number(arg('samples', '100'));
    const concurrency = Number(arg('concurrency', '32'));
    if (sizes.some((s) => !Number.isInteger(s) || s <= 0 || s % PARTS !== 0)) throw new Error(`--sizes: positive multiples of ${PARTS}`);
    const started = performance.now();
    const u = await UPoint.start(61000);
    try {
        console.log(`conditions ${json({ ...conditions(u, concurrency), mode: `submitAsync pool of ${concurrency}`, splitParts: PARTS, samples, page: 50, cores: availableParallelism() })}`);
        const max = sizes[sizes.length - 1] ?? 0;
        let t0 = performance.now();
        const leaves = await supplierLeaves(u, max / PARTS, concurrency);
        console.log(`prepared ${leaves.length} Supplier receivables to split in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        const rows: Array<{ size: number; createSeconds: number; txs: number; p50: number; p95: number; items: number }> = [];
        let held = 0;
        for (const size of sizes) {
            t0 = performance.now();
            const batch = leaves.slice(held / PARTS, size / PARTS).map((id) => u.call('Supplier', 'receivables', 'SplitTransfer', id, splitParts('BankMSP', LEAF)));
            await pool(batch, concurrency);
            const createSeconds = (performance.now() - t0) / 1000;
            held = size;
            const lat = await listLatency(u, samples);
            rows.push({ size, createSeconds, txs: batch.length, ...lat });
            console.log(
                `BankMSP holds ${size}: created +${size - (rows.length > 1 ? (rows[rows.length - 2]?.size ?? 0) : 0)} in ${createSeconds.toFixed(1)} s (${batch.length} split txs, ${(batch.length / createSeconds).toFixed(1)} tx/s); ListByHolder page of 50 (got ${lat.items}): p50 ${lat.p50.toFixed(1)} ms, p95 ${lat.p95.toFixed(1)} ms`,
            );
        }
        const first = rows[0];
        const last = rows[rows.length - 1];
        if (first && last && first !== last) {
            console.log(`ratio p50 at ${last.size} ÷ p50 at ${first.size} = ${(last.p50 / first.p50).toFixed(2)} (goal ≤ 1.5 for 100 000 ÷ 1 000)`);
        }
        console.log(`RESULT ${json({ rows, ratio: first && last ? last.p50 / first.p50 : null, totalSeconds: (performance.now() - started) / 1000 })}`);
    } finally {
        await u.stop();
    }
}

if (require.main === module) {
    main().catch((e: unknown) => {
        console.error(e);
        process.exit(1);
    });
}
