// A native Fabric v2.5 network from Fabric's own binaries (FABRIC_BIN: peer, orderer, configtxgen, osnadmin),
// driven by the project's network file: crypto in cryptogen's layout (devnet's generator), our own
// configtx.yaml, a genesis block joined through the channel participation API, one orderer (or three Raft
// consenters) and one peer per org, all on 127.0.0.1 with TLS. Every process is detached, its pid recorded in
// DIR/run and its output in DIR/logs; `stopNetwork` stops exactly those pids.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import type { NetworkConfig, OrgConfig, PeerConfig } from '@upoint/devnet/dist/config/network';
import { generateCrypto } from '@upoint/devnet/dist/msp/cryptogen';
import { alive, portOpen, readPid, signalTree, sleep } from '@upoint/devnet/dist/tools/process';

export { alive, readPid };
import { configtxYaml, PROFILE } from './configtx';
import {
    layout,
    nodeMspDir,
    nodeTlsDir,
    ordererDataDir,
    ordererDir,
    ordererHost,
    orgMspDir,
    peerDataDir,
    peerDir,
    peerHost,
    tlsCaCertPath,
    userMspDir,
    userTlsDir,
    type Layout,
    type OrdererNode,
} from './layout';

export type Log = (msg: string) => void;

/** The external builder this package ships (builder/bin/{detect,build,release}). */
export const BUILDER_DIR = resolve(__dirname, '..', 'builder');
export const BINARIES = ['peer', 'orderer', 'configtxgen', 'osnadmin'] as const;

export function checkBinaries(bin: string): void {
    const missing = BINARIES.filter((b) => !existsSync(join(bin, b)));
    if (missing.length > 0) throw new Error(`FABRIC_BIN ${bin} lacks ${missing.join(', ')} (Fabric v2.5 release binaries)`);
    for (const f of ['core.yaml', 'orderer.yaml']) {
        if (!existsSync(join(bin, 'config', f))) throw new Error(`FABRIC_BIN ${bin} lacks config/${f} (the release tarball's config/ folder)`);
    }
}

// ---- processes ---------------------------------------------------------------------------------

function tail(file: string, lines = 20): string {
    try {
        return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
        return '';
    }
}

interface Started {
    readonly name: string;
    readonly pid: number;
    readonly logFile: string;
}

function startDetached(l: Layout, name: string, bin: string, args: readonly string[], env: Readonly<Record<string, string>>): Started {
    const logFile = join(l.logDir, `${name}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(bin, [...args], { detached: true, stdio: ['ignore', fd, fd], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env } });
    child.unref();
    if (child.pid === undefined) throw new Error(`failed to start ${name}; see ${logFile}`);
    writeFileSync(join(l.runDir, `${name}.pid`), `${child.pid}\n`);
    return { name, pid: child.pid, logFile };
}

function run(bin: string, args: readonly string[], env: Readonly<Record<string, string>>): Promise<string> {
    return new Promise((res, rej) => {
        execFile(bin, [...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env }, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
            if (err) rej(new Error(`${bin} ${args.join(' ')} failed: ${stderr.trim() || stdout.trim() || err.message}`));
            else res(`${stdout}${stderr}`);
        });
    });
}

/** Polls `fn` every 100 ms; fails early, with the log's tail, if the process it waits for died. */
async function poll(what: string, fn: () => Promise<boolean>, timeoutMs: number, proc?: Started): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
        if (await fn()) return;
        if (proc && !alive(proc.pid)) throw new Error(`${proc.name} exited while waiting for ${what}; see ${proc.logFile}:\n${tail(proc.logFile)}`);
        await sleep(100);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${proc ? `; see ${proc.logFile}` : ''}`);
}

/** Runs `fn` until it succeeds or `timeoutMs` passed (then rethrows its last error), 500 ms apart. */
async function retry<T>(fn: () => Promise<T>, timeoutMs: number): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
        try {
            return await fn();
        } catch (err) {
            if (Date.now() >= until) throw err;
            await sleep(500);
        }
    }
}

async function httpStatus(url: string): Promise<number | undefined> {
    try {
        const r = await fetch(url);
        await r.arrayBuffer();
        return r.status;
    } catch {
        return undefined;
    }
}

/** The value of one Prometheus sample `name{...channel="ch"...}` from an operations endpoint's /metrics. */
export async function metric(port: number, name: string, channel: string): Promise<number | undefined> {
    try {
        const r = await fetch(`http://127.0.0.1:${port}/metrics`);
        const text = await r.text();
        for (const line of text.split('\n')) {
            if (!line.startsWith(`${name}{`) || !line.includes(`channel="${channel}"`)) continue;
            const v = Number(line.slice(line.lastIndexOf(' ') + 1));
            if (Number.isFinite(v)) return v;
        }
        return undefined;
    } catch {
        return undefined;
    }
}

// ---- config files ------------------------------------------------------------------------------

/** core.yaml and orderer.yaml copies from FABRIC_BIN/config with what env vars cannot express set in the file. */
function writeNodeConfig(bin: string, l: Layout): void {
    mkdirSync(l.configDir, { recursive: true });
    const core = parseYaml(readFileSync(join(bin, 'config', 'core.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
    // CORE_VM_ENDPOINT= (empty) is ignored by the config library; with a Docker endpoint /healthz reports 503.
    core.vm = { ...(core.vm ?? {}), endpoint: '' };
    core.chaincode = { ...(core.chaincode ?? {}), externalBuilders: [{ name: 'upoint-ccaas', path: BUILDER_DIR, propagateEnvironment: [] }] };
    writeFileSync(join(l.configDir, 'core.yaml'), `# Generated by @upoint/native from ${join(bin, 'config', 'core.yaml')}\n${stringify(core)}`);
    writeFileSync(join(l.configDir, 'orderer.yaml'), readFileSync(join(bin, 'config', 'orderer.yaml')));
}

function ordererEnv(l: Layout, cfg: NetworkConfig, n: OrdererNode): Record<string, string> {
    const node = ordererDir(l.cryptoDir, cfg, n);
    const tls = nodeTlsDir(node);
    const data = ordererDataDir(l.dir, cfg, n);
    const ca = join(tls, 'ca.crt');
    return {
        FABRIC_CFG_PATH: l.configDir,
        FABRIC_LOGGING_SPEC: 'INFO',
        ORDERER_GENERAL_LISTENADDRESS: '127.0.0.1',
        ORDERER_GENERAL_LISTENPORT: String(n.port),
        ORDERER_GENERAL_LOCALMSPID: cfg.orderer.org.mspId,
        ORDERER_GENERAL_LOCALMSPDIR: nodeMspDir(node),
        ORDERER_GENERAL_TLS_ENABLED: 'true',
        ORDERER_GENERAL_TLS_PRIVATEKEY: join(tls, 'server.key'),
        ORDERER_GENERAL_TLS_CERTIFICATE: join(tls, 'server.crt'),
        ORDERER_GENERAL_TLS_ROOTCAS: `[${ca}]`,
        ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE: join(tls, 'server.crt'),
        ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY: join(tls, 'server.key'),
        ORDERER_GENERAL_CLUSTER_ROOTCAS: `[${ca}]`,
        ORDERER_GENERAL_BOOTSTRAPMETHOD: 'none',
        ORDERER_CHANNELPARTICIPATION_ENABLED: 'true',
        ORDERER_ADMIN_LISTENADDRESS: `127.0.0.1:${n.adminPort}`,
        ORDERER_ADMIN_TLS_ENABLED: 'true',
        ORDERER_ADMIN_TLS_CERTIFICATE: join(tls, 'server.crt'),
        ORDERER_ADMIN_TLS_PRIVATEKEY: join(tls, 'server.key'),
        ORDERER_ADMIN_TLS_ROOTCAS: `[${ca}]`,
        ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED: 'true',
        ORDERER_ADMIN_TLS_CLIENTROOTCAS: `[${tlsCaCertPath(l.cryptoDir, cfg.orderer.org)}]`,
        ORDERER_OPERATIONS_LISTENADDRESS: `127.0.0.1:${n.operationsPort}`,
        ORDERER_METRICS_PROVIDER: 'prometheus',
        ORDERER_FILELEDGER_LOCATION: join(data, 'ledger'),
        ORDERER_CONSENSUS_WALDIR: join(data, 'etcdraft', 'wal'),
        ORDERER_CONSENSUS_SNAPDIR: join(data, 'etcdraft', 'snapshot'),
    };
}

/** Env of a peer process (`node start`) or, with `admin`, of the peer CLI acting as the org's admin on it. */
function peerEnv(l: Layout, org: OrgConfig, p: PeerConfig, admin = false): Record<string, string> {
    const node = peerDir(l.cryptoDir, org, p);
    const tls = nodeTlsDir(node);
    const addr = `127.0.0.1:${p.port}`;
    const common = {
        FABRIC_CFG_PATH: l.configDir,
        FABRIC_LOGGING_SPEC: 'INFO',
        CORE_PEER_ADDRESS: addr,
        CORE_PEER_LOCALMSPID: org.mspId,
        CORE_PEER_TLS_ENABLED: 'true',
        CORE_PEER_TLS_ROOTCERT_FILE: join(tls, 'ca.crt'),
    };
    if (admin) return { ...common, CORE_PEER_MSPCONFIGPATH: userMspDir(l.cryptoDir, org, 'Admin') };
    const data = peerDataDir(l.dir, org, p);
    const onlyPeer = org.peers.length === 1;
    return {
        ...common,
        CORE_PEER_ID: peerHost(org, p),
        CORE_PEER_LISTENADDRESS: addr,
        CORE_PEER_CHAINCODELISTENADDRESS: `127.0.0.1:${p.chaincodePort}`,
        CORE_PEER_CHAINCODEADDRESS: `127.0.0.1:${p.chaincodePort}`,
        CORE_PEER_MSPCONFIGPATH: nodeMspDir(node),
        CORE_PEER_TLS_CERT_FILE: join(tls, 'server.crt'),
        CORE_PEER_TLS_KEY_FILE: join(tls, 'server.key'),
        CORE_PEER_GOSSIP_BOOTSTRAP: addr,
        CORE_PEER_GOSSIP_EXTERNALENDPOINT: addr,
        CORE_PEER_GOSSIP_RECONNECTINTERVAL: '2s',
        // One peer per org: it is the org's leader (pulls blocks from the orderer) without an election round.
        CORE_PEER_GOSSIP_USELEADERELECTION: onlyPeer ? 'false' : 'true',
        CORE_PEER_GOSSIP_ORGLEADER: onlyPeer ? 'true' : 'false',
        CORE_PEER_FILESYSTEMPATH: join(data, 'data'),
        CORE_LEDGER_SNAPSHOTS_ROOTDIR: join(data, 'snapshots'),
        CORE_OPERATIONS_LISTENADDRESS: `127.0.0.1:${p.operationsPort}`,
        CORE_METRICS_PROVIDER: 'prometheus',
    };
}

// ---- up / down ---------------------------------------------------------------------------------

export interface UpOptions {
    readonly config: NetworkConfig;
    readonly dir: string;
    readonly bin: string;
    readonly log?: Log;
    /** How long to wait for each stage (default 120 s). */
    readonly timeoutMs?: number;
}

export interface UpResult {
    readonly timings: Record<string, number>;
}

/** Starts the network; if it is already running (pids alive), does nothing. */
export async function startNetwork(o: UpOptions): Promise<UpResult> {
    const log = o.log ?? ((): void => undefined);
    const cfg = o.config;
    const bin = resolve(o.bin);
    checkBinaries(bin);
    const l = layout(resolve(o.dir), cfg.channel);
    const timeout = o.timeoutMs ?? 120_000;
    const t0 = Date.now();
    const timings: Record<string, number> = {};
    const mark = (k: string): void => {
        timings[k] = Date.now() - t0;
    };
    for (const d of [l.runDir, l.logDir, l.configDir, dirname(l.channelBlock)]) mkdirSync(d, { recursive: true });
    const running = runningPids(l);
    if (running.length > 0) {
        log(`native network already running (${running.map((r) => `${r.name}=${r.pid}`).join(', ')})`);
        return { timings };
    }
    writeFileSync(l.networkFile, `${JSON.stringify(cfg, null, 2)}\n`);

    await generateCrypto(cfg, l.cryptoDir);
    mark('crypto');
    writeNodeConfig(bin, l);
    writeFileSync(join(l.configDir, 'configtx.yaml'), configtxYaml(cfg, l.cryptoDir));
    const fresh = !existsSync(l.channelBlock);
    if (fresh) {
        await run(join(bin, 'configtxgen'), ['-profile', PROFILE, '-channelID', cfg.channel, '-outputBlock', l.channelBlock, '-configPath', l.configDir], {
            FABRIC_CFG_PATH: l.configDir,
        });
        log(`genesis block of channel ${cfg.channel}: ${l.channelBlock}`);
    }
    mark('configtxgen');

    // Orderers: start, wait for /healthz, join the channel through the admin endpoint (a restart keeps its ledger).
    const orderers = cfg.orderer.nodes.map((n) => ({ n, proc: startDetached(l, `orderer-${ordererHost(cfg, n)}`, join(bin, 'orderer'), [], ordererEnv(l, cfg, n)) }));
    for (const { n, proc } of orderers) {
        await poll(`${proc.name} /healthz`, async () => (await httpStatus(`http://127.0.0.1:${n.operationsPort}/healthz`)) === 200, timeout, proc);
        log(`${proc.name} up (pid ${proc.pid}, log ${proc.logFile})`);
    }
    mark('orderers');
    const oAdmin = userTlsDir(l.cryptoDir, cfg.orderer.org, 'Admin');
    for (const { n, proc } of orderers) {
        const list = await run(join(bin, 'osnadmin'), ['channel', 'list', '-o', `127.0.0.1:${n.adminPort}`, '--ca-file', tlsCaCertPath(l.cryptoDir, cfg.orderer.org), '--client-cert', join(oAdmin, 'client.crt'), '--client-key', join(oAdmin, 'client.key')], {});
        if (list.includes(`"name": "${cfg.channel}"`) || list.includes(`"name":"${cfg.channel}"`)) continue;
        await run(
            join(bin, 'osnadmin'),
            ['channel', 'join', '--channelID', cfg.channel, '--config-block', l.channelBlock, '-o', `127.0.0.1:${n.adminPort}`, '--ca-file', tlsCaCertPath(l.cryptoDir, cfg.orderer.org), '--client-cert', join(oAdmin, 'client.crt'), '--client-key', join(oAdmin, 'client.key')],
            {},
        );
        log(`${proc.name} joined channel ${cfg.channel}`);
    }
    // Lifecycle calls before a Raft leader exists fail with SERVICE_UNAVAILABLE.
    await poll(
        'a Raft leader',
        async () => {
            for (const { n } of orderers) if ((await metric(n.operationsPort, 'consensus_etcdraft_is_leader', cfg.channel)) === 1) return true;
            return false;
        },
        timeout,
    );
    mark('raftLeader');
    log('Raft leader elected');

    // Peers: start all, then join each (as its org admin) once its /healthz answers.
    const peers = cfg.orgs.flatMap((org) => org.peers.map((p) => ({ org, p, proc: startDetached(l, `peer-${peerHost(org, p)}`, join(bin, 'peer'), ['node', 'start'], peerEnv(l, org, p)) })));
    for (const { org, p, proc } of peers) {
        await poll(`${proc.name} /healthz`, async () => (await httpStatus(`http://127.0.0.1:${p.operationsPort}/healthz`)) === 200, timeout, proc);
        // The operations server answers before the peer's gRPC server serves: wait for its port too, and retry
        // the admin commands a few times (a just-started peer may still refuse the first handshake).
        await poll(`${proc.name} port ${p.port}`, () => portOpen(p.port), timeout, proc);
        const env = peerEnv(l, org, p, true);
        const channels = await retry(() => run(join(bin, 'peer'), ['channel', 'list'], env), 20_000);
        if (!channels.split('\n').some((line) => line.trim() === cfg.channel)) {
            await retry(() => run(join(bin, 'peer'), ['channel', 'join', '-b', l.channelBlock], env), 20_000);
            log(`${proc.name} joined channel ${cfg.channel} (pid ${proc.pid}, log ${proc.logFile})`);
        } else log(`${proc.name} up (pid ${proc.pid}), already on channel ${cfg.channel}`);
    }
    mark('peersJoined');
    // Gossip: every peer must know every other peer of the channel, or the gateway cannot reach other orgs.
    const total = peers.length;
    for (const { p, proc } of peers) {
        await poll(
            `${proc.name} to know the ${total - 1} other peers of ${cfg.channel}`,
            async () => ((await metric(p.operationsPort, 'gossip_membership_total_peers_known', cfg.channel)) ?? 0) >= total - 1,
            timeout,
            proc,
        );
    }
    mark('gossip');
    log(`native network ${cfg.name} ready: channel ${cfg.channel}, ${orderers.length} orderer(s), ${total} peers, in ${Date.now() - t0} ms`);
    return { timings };
}

export interface PidEntry {
    readonly name: string;
    readonly file: string;
    readonly pid: number;
}

/** Recorded pids whose processes are alive. */
export function runningPids(l: Layout): PidEntry[] {
    if (!existsSync(l.runDir)) return [];
    const out: PidEntry[] = [];
    for (const f of readdirSync(l.runDir).filter((x) => x.endsWith('.pid'))) {
        const pid = readPid(join(l.runDir, f));
        if (pid !== undefined && alive(pid)) out.push({ name: f.replace(/\.pid$/, ''), file: join(l.runDir, f), pid });
    }
    return out;
}

/**
 * Stops exactly the recorded pids: chaincode supervisors first (so they restart nothing), then chaincode
 * servers, peers, orderers last.
 */
export async function stopNetwork(dir: string, log: Log = (): void => undefined): Promise<void> {
    const l = layout(resolve(dir));
    if (!existsSync(l.runDir)) {
        log('nothing to stop');
        return;
    }
    const rank = (f: string): number => (f.startsWith('chaincode-') ? (f.endsWith('-server.pid') ? 1 : 0) : f.startsWith('peer-') ? 2 : 3);
    const files = readdirSync(l.runDir).filter((x) => x.endsWith('.pid'));
    for (const r of [0, 1, 2, 3]) {
        // Each rank at once (a peer takes ~2 s to stop), then the next.
        const group = files
            .filter((f) => rank(f) === r)
            .map((f) => ({ f, file: join(l.runDir, f), pid: readPid(join(l.runDir, f)) }));
        for (const { f, pid } of group) {
            if (pid === undefined || !alive(pid)) continue;
            log(`stopping ${f.replace(/\.pid$/, '')} (pid ${pid})`);
            signalTree(pid, 'SIGTERM');
        }
        const until = Date.now() + 15_000;
        while (group.some(({ pid }) => pid !== undefined && alive(pid)) && Date.now() < until) await sleep(100);
        for (const { pid, file } of group) {
            if (pid !== undefined && alive(pid)) signalTree(pid, 'SIGKILL');
            rmSync(file, { force: true });
        }
    }
}

export { layout, orgMspDir };
