// Committed no-op submits per second at a given concurrency, on devnet (its own process) and, with FABRIC_BIN,
// on real Fabric started from the same network file — both up at once, rounds interleaved (A B A B …) so both
// see the same machine. The clients are the real fabric-gateway, in this process. Prints one JSON line per round
// and a summary with the devnet ÷ native ratio.
// The full benchmark (ceiling, U-Point workloads direct and over REST, report) is bench.ts; this is its quick
// no-op-only form, sharing its measuring loop (measure.ts).
// Usage: node test/dist/bench/submit-throughput.js [--networks devnet,native] [--concurrency 50] [--seconds 10] [--rounds 2]
import type { Contract } from '@hyperledger/fabric-gateway';
import { cpus } from 'node:os';
import { parseFlags } from '@upoint/devnet/dist/tools/flags';
import { KVCC, TestNetwork, testConfig } from '../support/network';
import { NativeTarget } from '../support/difftarget';
import { measure } from './measure';

interface Round {
    readonly network: string;
    readonly round: number;
    readonly committed: number;
    readonly failed: number;
    readonly tps: number;
    readonly p50ms: number;
    readonly p95ms: number;
}

async function noop(contracts: readonly Contract[], concurrency: number, seconds: number): Promise<Omit<Round, 'network' | 'round'>> {
    const m = await measure(async (worker) => {
        const c = contracts[worker % contracts.length];
        if (c) await c.submitTransaction('Noop');
    }, concurrency, seconds);
    return { committed: m.ok, failed: m.failed, tps: m.tps, p50ms: m.p50ms, p95ms: m.p95ms };
}

async function main(): Promise<void> {
    const { flags } = parseFlags(process.argv.slice(2));
    const networks = (flags.networks ?? (process.env.FABRIC_BIN ? 'devnet,native' : 'devnet')).split(',');
    const concurrency = Number(flags.concurrency ?? 50);
    const seconds = Number(flags.seconds ?? 10);
    const rounds = Number(flags.rounds ?? 2);
    const targets: Array<{ name: string; net: TestNetwork; stop: () => Promise<void> }> = [];
    try {
        for (const name of networks) {
            if (name === 'devnet') {
                const net = new TestNetwork(testConfig(40000));
                targets.push({ name, net, stop: () => net.stop() });
                await net.startProcess();
            } else if (name === 'native') {
                const t = new NativeTarget(40500);
                targets.push({ name, net: t.net, stop: () => t.stop() });
                await t.start();
            } else throw new Error(`unknown network ${name}`);
        }
        const contracts = new Map<string, Contract[]>();
        for (const t of targets) {
            await t.net.deploy(KVCC);
            const cs = ['Brand', 'Supplier', 'Bank'].map((o) => t.net.gateway(o).getNetwork('upoint').getContract('upoint', 'kv'));
            await cs[0]?.submitTransaction('Noop'); // warm-up
            contracts.set(t.name, cs);
        }
        const results: Round[] = [];
        for (let r = 1; r <= rounds; r++) {
            for (const t of targets) {
                const m = await noop(contracts.get(t.name) ?? [], concurrency, seconds);
                const row: Round = { network: t.name, round: r, ...m };
                results.push(row);
                console.log(JSON.stringify(row));
            }
        }
        const mean = (n: string): number => {
            const rs = results.filter((x) => x.network === n);
            return rs.reduce((a, x) => a + x.tps, 0) / Math.max(rs.length, 1);
        };
        const batch = targets[0]?.net.cfg.orderer.batch;
        const summary: Record<string, unknown> = {
            workload: 'kv Noop submit: endorse on 2 of 3 member peers, order, validate and commit on 4 peers',
            concurrency,
            secondsPerRound: seconds,
            rounds,
            batchTimeoutMs: batch?.timeoutMs,
            maxMessageCount: batch?.maxMessageCount,
            cores: cpus().length,
            node: process.version,
        };
        for (const t of targets) summary[`${t.name}MeanTps`] = Number(mean(t.name).toFixed(1));
        if (targets.length === 2) summary.devnetOverNative = Number((mean('devnet') / mean('native')).toFixed(2));
        console.log(JSON.stringify(summary));
    } finally {
        for (const t of targets) await t.stop();
    }
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
