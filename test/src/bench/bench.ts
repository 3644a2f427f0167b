// `make bench`: U-Point's workloads measured against the network's own ceiling, on devnet and/or real Fabric.
// For each network: start it (devnet as its own process; native from FABRIC_BIN), deploy the U-Point chaincode
// and the tiny kv chaincode (test/fixtures/kvcc) on the same channel, bootstrap the members, prepare per-worker
// state, start the REST gateway as its own process (gateway/dist/main.js), then run every workload for
// `--seconds`, rounds interleaved (A B C … A B C …) `--rounds` times. Prints the tables with their goals and
// writes test/bench/results/latest-<network>.json. Benchmarks report figures; nothing here asserts timings.
// Usage: node test/dist/bench/bench.js [--network devnet|native|both] [--rounds 5] [--seconds 10] [--concurrency 50]
//        [--no-rest] [--no-shared] [--profile devnet|gateway] (a CPU profile of that process into <results>/profiles)
import { GatewayError, type Contract, type Gateway } from '@hyperledger/fabric-gateway';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { NetworkConfig } from '@upoint/devnet/dist/config/network';
import { parseFlags } from '@upoint/devnet/dist/tools/flags';
import { generateDevKeys } from '@upoint/gateway/dist/dev-keys';
import { fabricBin, NativeTarget } from '../support/difftarget';
import { KVCC, REPO, TestNetwork, testConfig, waitFor } from '../support/network';
import { measure, type Measured } from './measure';
import { prepare, Rest, workloads, type Workload } from './workloads';
import { printReport, summarise, type NetworkReport } from './report';

const RESULTS = join(REPO, 'test/bench/results');
const GATEWAY_MAIN = join(REPO, 'gateway/dist/main.js');
const MEMBERS = join(REPO, 'network/members.json');
const log = (s: string): void => void process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);

interface Options {
    readonly rounds: number;
    readonly seconds: number;
    readonly concurrency: number;
    readonly rest: boolean;
    readonly shared: boolean;
    readonly profile: string | undefined;
}

/** One network under test and everything started for it. */
class Target {
    readonly net: TestNetwork;
    readonly #native: NativeTarget | undefined;
    readonly #gateways = new Map<string, Gateway>();
    gateway: ChildProcess | undefined;
    rest: Rest | undefined;

    constructor(
        readonly kind: 'devnet' | 'native',
        offset: number,
    ) {
        if (kind === 'native') {
            this.#native = new NativeTarget(offset);
            this.net = this.#native.net;
        } else this.net = new TestNetwork(testConfig(offset));
    }

    get cfg(): NetworkConfig {
        return this.net.cfg;
    }

    async start(profile: string | undefined): Promise<void> {
        if (this.#native) return this.#native.start();
        await withEnv(profile === 'devnet' ? profileEnv('devnet') : undefined, () => this.net.startProcess());
    }

    contract(org: string, chaincode: string, contract: string): Contract {
        let g = this.#gateways.get(org);
        if (!g) {
            g = this.net.gateway(org);
            this.#gateways.set(org, g);
        }
        return g.getNetwork(this.cfg.channel).getContract(chaincode, contract);
    }

    /** The REST gateway as its own process, with dev keys and a per-key rate limit that never bites. */
    async startGateway(concurrency: number, profile: string | undefined): Promise<void> {
        const dir = this.net.dir;
        const networkFile = join(dir, 'bench.network.json');
        writeFileSync(networkFile, JSON.stringify(this.cfg));
        const { keys, entries } = generateDevKeys(this.cfg);
        const keysFile = join(dir, 'bench-api-keys.hashes.json');
        writeFileSync(keysFile, JSON.stringify({ keys: entries }), { mode: 0o600 });
        const port = this.cfg.devnet.operationsPort + 6; // inside the network's private port block
        const listen = `127.0.0.1:${port}`;
        mkdirSync(join(dir, 'logs'), { recursive: true });
        const fd = openSync(join(dir, 'logs', 'gateway.log'), 'a');
        const env: NodeJS.ProcessEnv = {
            ...process.env,
            NETWORK_FILE: networkFile,
            CRYPTO_DIR: this.net.cryptoDir,
            API_KEYS_FILE: keysFile,
            GATEWAY_LISTEN: listen,
            GATEWAY_RATE_KEY: '9999999/999999',
        };
        if (profile === 'gateway') Object.assign(env, profileEnv('gateway'));
        this.gateway = spawn(process.execPath, [GATEWAY_MAIN], { stdio: ['ignore', fd, fd], env, cwd: REPO });
        const base = `http://${listen}`;
        await waitFor('gateway /readyz', async () => {
            if (this.gateway?.exitCode !== null) throw new Error(`the gateway exited; see ${join(dir, 'logs', 'gateway.log')}`);
            try {
                return (await fetch(`${base}/readyz`)).status === 200;
            } catch {
                return false;
            }
        }, 60_000);
        this.rest = new Rest(base, keys, concurrency);
    }

    /** Every process of this network: devnet or the Fabric nodes, the chaincode servers, the REST gateway. */
    pids(): Record<string, number> {
        const out: Record<string, number> = {};
        if (this.kind === 'devnet' && this.net.devnetProcess?.pid !== undefined) out.devnet = this.net.devnetProcess.pid;
        if (this.kind === 'native') {
            const run = join(this.net.dir, 'run');
            for (const f of existsSync(run) ? readdirSync(run).filter((x) => x.endsWith('.pid')).sort() : []) {
                out[f.replace(/\.pid$/, '').replace(/^(peer|orderer)-\w+\.(\w+)\..*$/, '$1 $2')] = Number(readFileSync(join(run, f), 'utf8').trim());
            }
        }
        for (const { pid, cmd } of childrenOf(process.pid)) {
            const m = /--module-path (\S+)/.exec(cmd);
            if (m?.[1] && belongsTo(pid, this.net.dir)) out[`chaincode ${m[1].endsWith('kvcc') ? 'kv' : 'upoint'}`] = pid;
        }
        if (this.gateway?.pid !== undefined) out.gateway = this.gateway.pid;
        return out;
    }

    /** Peak RSS (VmHWM) in MB of every process of this network. */
    peakRss(): Record<string, number> {
        const out: Record<string, number> = {};
        for (const [name, pid] of Object.entries(this.pids())) {
            const kb = vmHwmKb(pid);
            if (kb !== undefined) out[name] = Math.round(kb / 1024);
        }
        return out;
    }

    async stop(): Promise<void> {
        this.rest?.close();
        const gw = this.gateway;
        if (gw && gw.exitCode === null) {
            // SIGTERM: the gateway drains and exits (and writes its CPU profile when asked for one)
            await new Promise<void>((res) => {
                const t = setTimeout(() => gw.kill('SIGKILL'), 15_000);
                gw.once('exit', () => {
                    clearTimeout(t);
                    res();
                });
                gw.kill('SIGTERM');
            });
        }
        const dn = this.net.devnetProcess;
        if (dn && dn.exitCode === null) {
            await new Promise<void>((res) => {
                const t = setTimeout(() => dn.kill('SIGKILL'), 15_000);
                dn.once('exit', () => {
                    clearTimeout(t);
                    res();
                });
                dn.kill('SIGTERM');
            });
        }
        this.#gateways.clear();
        if (this.#native) await this.#native.stop();
        else await this.net.stop();
    }
}

/** Environment that makes a Node child write a CPU profile of its whole life into <results>/profiles on exit. */
function profileEnv(name: string): NodeJS.ProcessEnv {
    const dir = join(RESULTS, 'profiles');
    mkdirSync(dir, { recursive: true });
    return { NODE_OPTIONS: `--require ${join(__dirname, 'cpu-profile.js')}`, BENCH_CPU_PROFILE: join(dir, `${name}-${Date.now()}.cpuprofile`) };
}

async function withEnv<T>(extra: NodeJS.ProcessEnv | undefined, fn: () => Promise<T>): Promise<T> {
    if (extra === undefined) return fn();
    const before = Object.fromEntries(Object.keys(extra).map((k) => [k, process.env[k]]));
    Object.assign(process.env, extra);
    try {
        return await fn();
    } finally {
        for (const [k, v] of Object.entries(before)) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    }
}

/** Whether a child process writes its output into `dir` (how chaincode servers of two networks are told apart). */
function belongsTo(pid: number, dir: string): boolean {
    try {
        return readlinkSync(`/proc/${pid}/fd/1`).startsWith(dir);
    } catch {
        return false;
    }
}

const CLK_TCK = 100;
/** CPU time (user + system) of a process so far, in ms. */
export function cpuMs(pid: number): number | undefined {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
    } catch {
        return undefined;
    }
}

/** CPU ms of each process (and of this client) since `before`. */
function cpuSnapshot(pids: Record<string, number>): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(pids)) {
        const ms = cpuMs(pid);
        if (ms !== undefined) out[name] = ms;
    }
    const own = process.cpuUsage();
    out['bench client'] = (own.user + own.system) / 1000;
    return out;
}

function vmHwmKb(pid: number): number | undefined {
    try {
        const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        return m?.[1] ? Number(m[1]) : undefined;
    } catch {
        return undefined;
    }
}

function childrenOf(ppid: number): Array<{ pid: number; cmd: string }> {
    const out: Array<{ pid: number; cmd: string }> = [];
    for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
        try {
            const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
            const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
            if (Number(fields[1]) !== ppid) continue;
            out.push({ pid: Number(d), cmd: readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ') });
        } catch {
            /* gone */
        }
    }
    return out;
}

function fabricVersion(): string {
    if (process.env.FABRIC_VERSION) return process.env.FABRIC_VERSION;
    try {
        const out = execFileSync(join(fabricBin(), 'peer'), ['version'], { encoding: 'utf8' });
        const v = /Version:\s*(\S+)/.exec(out)?.[1] ?? '?';
        const sha = /Commit SHA:\s*(.+)/.exec(out)?.[1]?.trim();
        return sha ? `${v} (${sha})` : v;
    } catch {
        return '?';
    }
}

async function setUp(t: Target, opts: Options): Promise<{ rounds: Workload[]; shared: Workload }> {
    log(`${t.kind}: starting the network`);
    await t.start(opts.profile);
    const port = t.cfg.chaincode.serverPort;
    log(`${t.kind}: deploying the U-Point chaincode (:${port}) and kv (:${port + 3})`);
    await t.net.deploy(join(REPO, 'chaincode'), { name: t.cfg.chaincode.name, port });
    await t.net.deploy(KVCC, { name: 'kv', port: port + 3 });
    const cc = (org: string, contract: string): Contract => t.contract(org, t.cfg.chaincode.name, contract);
    const kv = (org: string): Contract => t.contract(org, 'kv', 'kv');
    const adminGw = t.net.gateway('Brand', 'Admin');
    await adminGw.getNetwork(t.cfg.channel).getContract(t.cfg.chaincode.name, 'membership').submitTransaction('Bootstrap', readFileSync(MEMBERS, 'utf8'));
    await kv('Brand').submitTransaction('Noop'); // warm-up
    const state = await prepare(cc, opts.concurrency, (s) => log(`${t.kind}: ${s}`));
    if (opts.rest) {
        log(`${t.kind}: starting the REST gateway`);
        await t.startGateway(opts.concurrency, opts.profile);
    }
    return workloads(cc, kv, t.rest, state);
}

interface Row extends Measured {
    readonly cpuMsPerCall: Record<string, number>;
    readonly network: string;
    readonly round: number;
    readonly workload: string;
    readonly path: string;
}

async function main(): Promise<void> {
    const { flags } = parseFlags(process.argv.slice(2));
    const network = flags.network ?? 'devnet';
    const kinds: Array<'devnet' | 'native'> = network === 'both' ? ['devnet', 'native'] : network === 'native' ? ['native'] : network === 'devnet' ? ['devnet'] : [];
    if (kinds.length === 0) throw new Error(`--network devnet|native|both, not ${network}`);
    if (kinds.includes('native')) fabricBin(); // fails early and clearly without binaries
    const opts: Options = {
        rounds: Number(flags.rounds ?? 5),
        seconds: Number(flags.seconds ?? 10),
        concurrency: Number(flags.concurrency ?? 50),
        rest: flags['no-rest'] === undefined,
        shared: flags['no-shared'] === undefined,
        profile: flags.profile,
    };
    const loadBefore = loadavg().map((x) => Number(x.toFixed(2)));
    const targets = kinds.map((k, i) => new Target(k, 41000 + i * 500));
    const rows: Row[] = [];
    const shared = new Map<string, Measured>();
    const retries = new Map<string, Record<string, number>>();
    const rss = new Map<string, Record<string, number>>();
    const started = new Date();
    // Ctrl-C / SIGTERM: stop what this run started (networks, chaincode servers, gateway), then exit
    let interrupted = false;
    const interrupt = (signal: string): void => {
        if (interrupted) return;
        interrupted = true;
        log(`${signal}: stopping what this run started`);
        void Promise.allSettled(targets.map((t) => t.stop())).then(() => process.exit(130));
    };
    process.once('SIGINT', () => interrupt('SIGINT'));
    process.once('SIGTERM', () => interrupt('SIGTERM'));
    try {
        const sets = new Map<Target, { rounds: Workload[]; shared: Workload }>();
        for (const t of targets) sets.set(t, await setUp(t, opts));
        for (let r = 1; r <= opts.rounds; r++) {
            for (const t of targets) {
                for (const w of sets.get(t)?.rounds ?? []) {
                    const pids = t.pids();
                    const before = cpuSnapshot(pids);
                    const m = await measure(w.run, opts.concurrency, opts.seconds);
                    const after = cpuSnapshot(pids);
                    const cpuMsPerCall: Record<string, number> = {};
                    for (const [name, ms] of Object.entries(after)) cpuMsPerCall[name] = Math.round((10 * (ms - (before[name] ?? ms))) / Math.max(m.ok, 1)) / 10;
                    const row: Row = { network: t.kind, round: r, workload: w.name, path: w.path, ...m, cpuMsPerCall };
                    rows.push(row);
                    log(`${t.kind} round ${r}/${opts.rounds} ${w.name} (${w.path}): ${m.tps} tps, p50 ${m.p50ms} ms, p95 ${m.p95ms} ms${m.failed ? `, failed ${JSON.stringify(m.errors)}` : ''}`);
                }
            }
        }
        for (const t of targets) {
            const set = sets.get(t);
            if (opts.shared && set) {
                const m = await measure(set.shared.run, opts.concurrency, opts.seconds);
                shared.set(t.kind, m);
                log(`${t.kind} probe ${set.shared.name}: ${m.tps} tps, failed ${JSON.stringify(m.errors)}`);
            }
            if (t.rest) retries.set(t.kind, await gatewayRetries(t.rest.base));
            rss.set(t.kind, t.peakRss());
        }
    } finally {
        for (const t of targets) await t.stop().catch((err: unknown) => log(`stopping ${t.kind}: ${String(err)}`));
    }
    const reports: NetworkReport[] = targets.map((t) =>
        summarise({
            kind: t.kind,
            conditions: {
                network: t.kind,
                fabric: t.kind === 'native' ? fabricVersion() : 'devnet (embedded, one process)',
                orderers: 1, // native: NativeTarget starts one Raft orderer; devnet: its one orderer endpoint
                batchMaxMessageCount: t.cfg.orderer.batch.maxMessageCount,
                batchTimeoutMs: t.cfg.orderer.batch.timeoutMs,
                endorsement: t.cfg.chaincode.endorsementPolicy,
                concurrency: opts.concurrency,
                secondsPerRound: opts.seconds,
                rounds: opts.rounds,
                node: process.version,
                cores: cpus().length,
                cpu: cpus()[0]?.model.trim() ?? '?',
                loadavgBefore: loadBefore,
                date: started.toISOString(),
            },
            rows: rows.filter((x) => x.network === t.kind),
            shared: shared.get(t.kind),
            gatewayRetries: retries.get(t.kind),
            peakRssMb: rss.get(t.kind) ?? {},
        }),
    );
    // devnet ÷ native no-op TPS: from this run when both ran, else from the other network's latest file
    const noop = (rep: NetworkReport | undefined): number | undefined => rep?.workloads.find((w) => w.workload === 'kv noop submit')?.tps;
    const other = (kind: string): { tps: number | undefined; from: string } | undefined => {
        const here = reports.find((x) => x.conditions.network === kind);
        if (here) return { tps: noop(here), from: 'this run' };
        const file = join(RESULTS, `latest-${kind}.json`);
        if (!existsSync(file)) return undefined;
        const rep = JSON.parse(readFileSync(file, 'utf8')) as NetworkReport;
        return { tps: noop(rep), from: `${file.slice(REPO.length + 1)} (${String(rep.conditions.date)})` };
    };
    const d = other('devnet');
    const n = other('native');
    const devnetOverNative = d?.tps !== undefined && n?.tps ? { ratio: Number((d.tps / n.tps).toFixed(2)), devnetTps: d.tps, nativeTps: n.tps, devnetFrom: d.from, nativeFrom: n.from } : undefined;
    mkdirSync(RESULTS, { recursive: true });
    for (const rep of reports) {
        if (devnetOverNative) rep.devnetOverNativeNoop = devnetOverNative;
        writeFileSync(join(RESULTS, `latest-${String(rep.conditions.network)}.json`), `${JSON.stringify(rep, null, 1)}\n`);
        printReport(rep);
    }
    log(`wrote ${reports.map((r) => `test/bench/results/latest-${String(r.conditions.network)}.json`).join(', ')}`);
}

/** The gateway's submit retries by reason (MVCC and phantom conflicts are retried with a fresh proposal). */
async function gatewayRetries(base: string): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    try {
        const text = await (await fetch(`${base}/metrics`)).text();
        for (const m of text.matchAll(/^upoint_gateway_fabric_retries_total\{reason="([^"]+)"\} (\d+)/gm)) out[m[1] ?? '?'] = Number(m[2]);
    } catch {
        /* no metrics */
    }
    return out;
}

main().catch((err: unknown) => {
    console.error(err);
    if (err instanceof GatewayError) console.error(JSON.stringify(err.details));
    process.exit(1);
});
