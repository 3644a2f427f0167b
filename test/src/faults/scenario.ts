// One fault scenario: a fresh workload (its own run id, stock lot and product), sustained load through the REST
// gateway, the fault once the load makes progress, more progress after it, then the ledger's verdict printed and
// asserted (lost == 0, duplicated == 0, every check of ledger.ts).
import type { TestNetwork } from '../support/network';
import { LoadClient, newStats, setup, startLoad, waitForAcks, type LoadControl } from './load';
import { expectClean, report, verify, type Verdict } from './ledger';

/** Acknowledged writes to wait for before the fault and after it (progress, never time). */
const BEFORE = 40;
const AFTER = 40;

export interface ScenarioContext {
    readonly net: TestNetwork;
    readonly base: () => string;
    readonly keys: Readonly<Record<string, string>>;
    /** The client's own per-attempt timeout (default 90 s); longer to see what the gateway answers in the end. */
    readonly clientTimeoutMs?: number;
}

/**
 * Runs `fault` under load and checks the ledger. `fault` returns a note for the report line (what was killed and
 * restarted). Resolves with the verdict (already asserted).
 */
export async function runScenario(name: string, ctx: ScenarioContext, fault: (ctl: LoadControl) => Promise<string>): Promise<Verdict> {
    const stats = newStats();
    const client = new LoadClient(ctx.base, ctx.keys, stats, { attempts: 60, timeoutMs: ctx.clientTimeoutMs ?? 90_000, maxBackoffMs: 2_000 });
    const run = `${name.replace(/[^A-Za-z0-9]/g, '')}${Date.now().toString(36)}`;
    const started = Date.now();
    const fixture = await setup(client, run);
    const ctl: LoadControl = { stop: false, acked: 0 };
    const load = startLoad(client, fixture, ctl);
    let note = '';
    try {
        await waitForAcks(ctl, BEFORE);
        note = await fault(ctl);
        await waitForAcks(ctl, AFTER);
    } finally {
        ctl.stop = true;
        // each client finishes its request in flight (bounded retries)
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([load, new Promise((r) => (timer = setTimeout(r, 240_000)))]);
        clearTimeout(timer);
    }
    const loadMs = Date.now() - started;
    const verdict = await verify(ctx.net, client, stats);
    report(name, verdict, ` — ${note}; load ${Math.round(loadMs / 1000)} s, checks ${Math.round((Date.now() - started - loadMs) / 1000)} s`);
    expectClean(verdict);
    return verdict;
}
