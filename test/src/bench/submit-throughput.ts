// Measures committed no-op submits per second at a given concurrency: devnet runs as its own process,
// this process runs the real fabric-gateway clients. Prints the conditions with the figure.
// Usage: node test/dist/bench/submit-throughput.js [concurrency=50] [seconds=10]
import { cpus } from 'node:os';
import { TestNetwork, testConfig, KVCC } from '../support/network';

async function main(): Promise<void> {
    const concurrency = Number(process.argv[2] ?? 50);
    const seconds = Number(process.argv[3] ?? 10);
    const net = new TestNetwork(testConfig(40000));
    try {
        await net.startProcess();
        await net.deploy(KVCC);
        const contracts = ['Brand', 'Supplier', 'Bank'].map((o) => net.gateway(o).getNetwork('upoint').getContract('upoint', 'kv'));
        await contracts[0]?.submitTransaction('Noop'); // warm-up: chaincode connection established
        let committed = 0;
        let failed = 0;
        const latencies: number[] = [];
        const until = Date.now() + seconds * 1000;
        const started = Date.now();
        await Promise.all(
            Array.from({ length: concurrency }, async (_, i) => {
                const c = contracts[i % contracts.length];
                if (!c) return;
                while (Date.now() < until) {
                    const t0 = performance.now();
                    try {
                        await c.submitTransaction('Noop');
                        committed += 1;
                        latencies.push(performance.now() - t0);
                    } catch {
                        failed += 1;
                    }
                }
            }),
        );
        const elapsed = (Date.now() - started) / 1000;
        latencies.sort((a, b) => a - b);
        const pct = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
        const b = net.cfg.orderer.batch;
        console.log(
            JSON.stringify({
                network: 'devnet',
                workload: 'kv Noop submit (endorse on 2 of 3 member peers, order, validate, commit on 4 peers)',
                concurrency,
                seconds: elapsed,
                committed,
                failed,
                tps: Number((committed / elapsed).toFixed(1)),
                p50ms: Math.round(pct(0.5)),
                p95ms: Math.round(pct(0.95)),
                batchTimeoutMs: b.timeoutMs,
                maxMessageCount: b.maxMessageCount,
                cores: cpus().length,
                node: process.version,
            }),
        );
    } finally {
        await net.stop();
    }
}

main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
});
