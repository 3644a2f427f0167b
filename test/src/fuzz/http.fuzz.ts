// The REST gateway fuzzed from its own OpenAPI document (issue #9, bad input): devnet as its own process, the
// U-Point chaincode, the gateway as its own process (node gateway/dist/main.js), then test/scripts/fuzz-http.sh
// (schemathesis) across every operation with a member key, the regulator key and no key, once with invalid inputs
// (negative mode) and once with valid ones (positive mode). Checks: no 5xx and responses as documented
// (schemathesis); the gateway and devnet never crashed; and the ledger changed only through accepted requests:
// every VALID transaction committed during a pass belongs to a 2xx write (or a 200 public verification, which
// records a scan) and every synchronous 2xx write committed VALID. FUZZ_EXAMPLES (default 10) sets the cases per
// operation and phase; FUZZ_SEED makes a run reproducible (each pass prints its seed in its log).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, TestNetwork, testConfig } from '../support/network';
import { alive, answers, heights, settledHeights, startGatewayProcess, startUpointNetwork, transactionsIn, type GatewayProcess } from './support';

const SCRIPT = join(REPO, 'test/scripts/fuzz-http.sh');
const REPORTS = join(REPO, 'test/results/fuzz-http');
const EXAMPLES = process.env.FUZZ_EXAMPLES ?? '10';
const CALLERS = ['member', 'regulator', 'none'] as const;

interface HarEntry {
    request: { method: string; url: string };
    response: { status: number; headers: Array<{ name: string; value: string }>; content: { text?: string } };
}

function harEntries(file: string): HarEntry[] {
    return (JSON.parse(readFileSync(file, 'utf8')) as { log: { entries: HarEntry[] } }).log.entries;
}

function runScript(args: string[]): Promise<{ code: number; out: string }> {
    return new Promise((res) => {
        execFile('bash', [SCRIPT, ...args], { cwd: REPO, timeout: 20 * 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
            const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
            res({ code, out: `${stdout}${stderr}` });
        });
    });
}

const isWrite = (e: HarEntry): boolean => e.request.method === 'POST' || e.request.method === 'DELETE';
const isVerify = (e: HarEntry): boolean => e.request.method === 'GET' && new URL(e.request.url).pathname.startsWith('/v1/verify/');

describe('REST gateway fuzzed from its OpenAPI document (schemathesis)', () => {
    const net = new TestNetwork(testConfig(110000, { timeoutMs: 50 }));
    let gateway: GatewayProcess;
    let totalCases = 0;

    beforeAll(async () => {
        // schemathesis first (a no-op when .venv is current), so its install time is not a pass's
        const install = await runScript(['--install-only']);
        if (install.code !== 0) throw new Error(`schemathesis install failed:\n${install.out}`);
        await startUpointNetwork(net);
        gateway = await startGatewayProcess(net, { GATEWAY_RATE_PUBLIC: '1000000/100000', GATEWAY_RATE_KEY: '1000000/100000' });
    }, 300_000);

    afterAll(async () => {
        console.log(`fuzz-http: ${totalCases} cases in total`);
        await gateway?.stop();
        await net.stop();
    }, 60_000);

    for (const mode of ['negative', 'positive'] as const) {
        it(`${mode} inputs: no 5xx, as documented, no crash, the ledger changes only through accepted requests`, async () => {
            const before = await settledHeights(net);
            const devnetPid = net.devnetProcess?.pid;

            const { code, out } = await runScript(['--url', gateway.base, '--keys', gateway.keysFile, '--mode', mode, '--examples', EXAMPLES, '--report-dir', REPORTS]);
            console.log(out);
            const cases = Number(/fuzz-http: (\d+) cases/.exec(out)?.[1] ?? '0');
            totalCases += cases;

            // processes: the gateway never exited and still answers; devnet too
            expect(gateway.exit).toBeUndefined();
            expect(alive(gateway.child.pid)).toBe(true);
            expect(await answers(`${gateway.base}/healthz`)).toBe(200);
            expect(await answers(`${gateway.base}/readyz`)).toBe(200);
            expect(net.devnetProcess?.exitCode).toBeNull();
            expect(alive(devnetPid)).toBe(true);

            // every response, independently of schemathesis' verdict
            const entries = CALLERS.flatMap((caller) => harEntries(join(REPORTS, `${mode}-${caller}.har.json`)).map((e) => ({ caller, e })));
            const serverErrors = entries.filter(({ e }) => e.response.status >= 500);
            expect(serverErrors.map(({ caller, e }) => `${caller} ${e.request.method} ${e.request.url} → ${e.response.status} ${e.response.content.text ?? ''}`)).toEqual([]);
            // only a member writes; the regulator and anonymous callers change nothing but the scans they record
            const foreignWrites = entries.filter(({ caller, e }) => caller !== 'member' && isWrite(e) && e.response.status < 300);
            expect(foreignWrites.map(({ caller, e }) => `${caller} ${e.request.method} ${e.request.url} → ${e.response.status}`)).toEqual([]);

            // the ledger: VALID transactions of this pass = accepted writes (not replays) + 200 verifications
            const after = await settledHeights(net);
            expect(after.peers.every((h) => h === after.orderer)).toBe(true);
            const committed = await transactionsIn(net, 'Brand', before.orderer, after.orderer);
            const accepted = new Set<string>();
            const synchronous = new Set<string>();
            let verifications = 0;
            for (const { e } of entries) {
                if (e.response.status >= 300) continue;
                if (isVerify(e)) verifications++;
                if (!isWrite(e)) continue;
                const body = JSON.parse(e.response.content.text ?? '{}') as { txId?: string; replayed?: boolean };
                if (body.replayed === true || body.txId === undefined) continue;
                accepted.add(body.txId);
                if (e.response.status !== 202) synchronous.add(body.txId);
            }
            const unexplained = committed.valid.filter((t) => !accepted.has(t));
            const missing = [...synchronous].filter((t) => !committed.valid.includes(t));
            console.log(
                `fuzz-http ${mode}: ${cases} cases; blocks ${before.orderer}..${after.orderer - 1}: ${committed.valid.length} VALID, ${committed.invalid.length} invalid ` +
                    `transactions; ${accepted.size} accepted writes, ${verifications} verifications`,
            );
            expect(missing).toEqual([]); // an acknowledged write is on the ledger
            expect(unexplained.length).toBe(verifications); // nothing else changed it
            expect(code).toBe(0);
            expect(cases).toBeGreaterThan(0);
            // every peer at the same height, none moved by anything but these
            expect((await heights(net)).peers).toEqual(after.peers);
        }, 25 * 60_000);
    }
});
