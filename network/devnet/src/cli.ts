#!/usr/bin/env node
// devnet's command line: the admin interface the Makefile drives.
//   devnet up       --network FILE --dir DIR [--detach]     start the network (foreground, or detached with a pid file)
//   devnet down     --dir DIR                                stop what `up`/`deploy` started, by recorded pids
//   devnet deploy   --network FILE --dir DIR --name N --version V --label L --server-cmd CMD [--port P]
//   devnet status   --network FILE --dir DIR                health, heights, committed definition
//   devnet supervise --pidfile F -- CMD ARGS...            run CMD, restart it when it dies
//   devnet invoke   --network FILE --dir DIR --org ORG [--user Admin|User1] [--endorsers A,B] [--chaincode CC] FN ARGS...
//   devnet query    --network FILE --dir DIR --org ORG [--user Admin|User1] [--chaincode CC] FN ARGS...
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadNetworkConfig, type NetworkConfig } from './config/network';
import { parseFlags, need, log, type Flags } from './tools/flags';
import { alive, portOpen, readPid, signalTree, sleep } from './tools/process';
import { Devnet } from './devnet';
import { deployChaincode, queryCommitted, planPackage, peerEndpoint, ordererEndpoints } from './lifecycle/deploy';
import { query as queryChaincode, submit as submitChaincode } from './lifecycle/client';
import { loadSigningIdentity } from './msp/signer';
import { userMspDir } from './msp/cryptogen';

const runDir = (dir: string): string => join(dir, 'run');
const logDir = (dir: string): string => join(dir, 'logs');

/**
 * The network to talk to: the one recorded in DIR/network.json by whatever started it (the native network records
 * its effective file there, e.g. with 3 orderers), else --network.
 */
function networkOf(flags: Flags, dir: string): NetworkConfig {
    const recorded = join(dir, 'network.json');
    return loadNetworkConfig(existsSync(recorded) ? recorded : resolve(need(flags, 'network')));
}

async function poll(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
        if (await fn()) return;
        await sleep(100);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function healthy(cfg: NetworkConfig): Promise<boolean> {
    try {
        const r = await fetch(`http://127.0.0.1:${cfg.devnet.operationsPort}/healthz`);
        return r.status === 200;
    } catch {
        return false;
    }
}

async function up(flags: Flags): Promise<void> {
    const networkFile = resolve(need(flags, 'network'));
    const dir = resolve(need(flags, 'dir'));
    const cfg = loadNetworkConfig(networkFile);
    mkdirSync(runDir(dir), { recursive: true });
    mkdirSync(logDir(dir), { recursive: true });
    const pidFile = join(runDir(dir), 'devnet.pid');
    const existing = readPid(pidFile);
    if (existing !== undefined && existing !== process.pid && alive(existing)) {
        log(`devnet is already running (pid ${existing})`);
        return;
    }
    if (flags.detach === 'true') {
        const logFile = join(logDir(dir), 'devnet.log');
        const fd = openSync(logFile, 'a');
        const child = spawn(process.execPath, [__filename, 'up', '--network', networkFile, '--dir', dir], { detached: true, stdio: ['ignore', fd, fd] });
        child.unref();
        if (child.pid === undefined) throw new Error('failed to start devnet');
        writeFileSync(pidFile, `${child.pid}\n`);
        try {
            await poll('devnet /healthz', () => healthy(cfg), 60_000);
        } catch (err) {
            throw new Error(`${(err as Error).message}; see ${logFile}`);
        }
        log(`devnet is up (pid ${child.pid}); logs in ${logFile}`);
        return;
    }
    writeFileSync(pidFile, `${process.pid}\n`);
    const net = await Devnet.start({ config: cfg, dir, log });
    log(`devnet ${cfg.name} ready: channel ${cfg.channel}, ${net.peers.length} peers, block height ${net.orderer.height}`);
    let stopping = false;
    const stop = (): void => {
        if (stopping) return;
        stopping = true;
        log('stopping devnet');
        net.stop().then(
            () => process.exit(0),
            () => process.exit(1),
        );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
}

async function down(flags: Flags): Promise<void> {
    const dir = resolve(need(flags, 'dir'));
    const rd = runDir(dir);
    if (!existsSync(rd)) {
        log('nothing to stop');
        return;
    }
    // Supervisors first (so they do not restart what is being stopped), then their servers, devnet last.
    const rank = (f: string): number => (f === 'devnet.pid' ? 2 : f.endsWith('-server.pid') ? 1 : 0);
    for (const f of readdirSync(rd).filter((x) => x.endsWith('.pid')).sort((a, b) => rank(a) - rank(b))) {
        const file = join(rd, f);
        const pid = readPid(file);
        if (pid !== undefined && alive(pid)) {
            log(`stopping ${f.replace(/\.pid$/, '')} (pid ${pid})`);
            signalTree(pid, 'SIGTERM');
            const until = Date.now() + 15_000;
            while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
            if (alive(pid)) signalTree(pid, 'SIGKILL');
        }
        rmSync(file, { force: true });
    }
}

/** Runs a command and restarts it whenever it exits, until SIGTERM. */
function supervise(flags: Flags, cmd: readonly string[]): void {
    const [bin, ...args] = cmd;
    if (!bin) throw new Error('supervise: missing command after --');
    const pidFile = flags.pidfile;
    if (pidFile) writeFileSync(pidFile, `${process.pid}\n`);
    let child: ChildProcess | undefined;
    let stopping = false;
    let restarts = 0;
    const start = (): void => {
        const started = Date.now();
        // Own process group, so a stop reaches the whole tree (a shell and what it started).
        child = spawn(bin, args, { stdio: 'inherit', env: process.env, detached: true });
        log(`supervise: started ${bin} (pid ${child.pid ?? '?'})`);
        // Record the child too, so `down` can stop it even if this supervisor was killed.
        if (pidFile && child.pid !== undefined) writeFileSync(pidFile.replace(/\.pid$/, '-server.pid'), `${child.pid}\n`);
        child.on('exit', (code, signal) => {
            if (stopping) return process.exit(0);
            restarts = Date.now() - started > 10_000 ? 0 : restarts + 1;
            const delay = Math.min(100 * 2 ** restarts, 5_000);
            log(`supervise: ${bin} exited (${signal ?? code}); restarting in ${delay} ms`);
            setTimeout(start, delay);
        });
    };
    const signalGroup = (sig: NodeJS.Signals): void => {
        const pid = child?.pid;
        if (pid === undefined) return;
        try {
            process.kill(-pid, sig);
        } catch {
            // the group is already gone
        }
    };
    const stop = (): void => {
        stopping = true;
        if (child && child.exitCode === null) signalGroup('SIGTERM');
        else process.exit(0);
        setTimeout(() => {
            signalGroup('SIGKILL');
            process.exit(0);
        }, 5_000).unref();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    start();
}

interface DeployedRecord {
    readonly name: string;
    readonly version: string;
    readonly packageId: string;
    readonly port: number;
}

async function deploy(flags: Flags): Promise<void> {
    const dir = resolve(need(flags, 'dir'));
    const cfg = networkOf(flags, dir);
    const name = flags.name ?? cfg.chaincode.name;
    const version = need(flags, 'version');
    const label = flags.label ?? `${name}_${version}`.replace(/[^A-Za-z0-9_.+-]/g, '_');
    const serverCmd = need(flags, 'server-cmd');
    const cryptoDir = join(dir, 'crypto');
    const base = { config: cfg, cryptoDir };
    const rd = runDir(dir);
    mkdirSync(rd, { recursive: true });
    mkdirSync(logDir(dir), { recursive: true });
    const recordFile = join(dir, `deployed-${name}.json`);
    const slotFile = (p: number): string => join(rd, `chaincode-${p}.pid`);
    const busy = (p: number): boolean => {
        const pid = readPid(slotFile(p));
        return pid !== undefined && alive(pid);
    };
    const startServer = async (port: number, packageId: string): Promise<number | undefined> => {
        const logFile = join(logDir(dir), `chaincode-${port}.log`);
        const fd = openSync(logFile, 'a');
        const sup = spawn(process.execPath, [__filename, 'supervise', '--pidfile', slotFile(port), '--', '/bin/sh', '-c', `exec ${serverCmd}`], {
            detached: true,
            stdio: ['ignore', fd, fd],
            env: { ...process.env, CORE_CHAINCODE_ID: packageId, CORE_CHAINCODE_ADDRESS: `0.0.0.0:${port}` },
        });
        sup.unref();
        writeFileSync(slotFile(port), `${sup.pid ?? ''}\n`);
        await poll(`chaincode server on port ${port}`, () => portOpen(port), 60_000).catch((err: unknown) => {
            throw new Error(`${(err as Error).message}; see ${logFile}`);
        });
        log(`chaincode server ${packageId} listening on 127.0.0.1:${port} (supervised, pid ${sup.pid ?? '?'}, log ${logFile})`);
        return sup.pid;
    };

    const current = await queryCommitted(base, name);
    if (current?.version === version) {
        // Committed already: make sure its server runs (e.g. after network-down / network-up).
        const rec = existsSync(recordFile) ? (JSON.parse(readFileSync(recordFile, 'utf8')) as DeployedRecord) : undefined;
        if (rec && rec.version === version && !busy(rec.port)) await startServer(rec.port, rec.packageId);
        log(`chaincode ${name} ${version} already committed at sequence ${current.sequence}; nothing to do`);
        return;
    }
    // Alternate between two ports so the new server runs beside the old one until the new definition commits.
    const ports = [cfg.chaincode.serverPort, cfg.chaincode.serverPort + 1];
    const port = ports.find((p) => !busy(p)) ?? ports[0] ?? cfg.chaincode.serverPort;
    const oldPorts = ports.filter((p) => p !== port && busy(p));
    const address = `127.0.0.1:${port}`;
    const { packageId } = planPackage({ label, chaincodeAddress: address });
    const supPid = await startServer(port, packageId);
    try {
        const r = await deployChaincode({ ...base, name, version, label, chaincodeAddress: address, endorsementPolicy: cfg.chaincode.endorsementPolicy, log });
        log(`${r.upgraded ? 'upgraded' : 'deployed'} ${name} to sequence ${r.sequence}`);
        const rec: DeployedRecord = { name, version, packageId, port };
        writeFileSync(recordFile, `${JSON.stringify(rec, null, 2)}\n`);
    } catch (err) {
        if (supPid !== undefined) signalTree(supPid, 'SIGTERM');
        throw err;
    }
    for (const p of oldPorts) {
        const pid = readPid(slotFile(p));
        if (pid !== undefined && alive(pid)) {
            signalTree(pid, 'SIGTERM');
            log(`stopped the previous chaincode server on port ${p} (pid ${pid})`);
        }
        rmSync(slotFile(p), { force: true });
        rmSync(slotFile(p).replace(/\.pid$/, '-server.pid'), { force: true });
    }
}

async function status(flags: Flags): Promise<void> {
    const dir = resolve(need(flags, 'dir'));
    const cfg = networkOf(flags, dir);
    const pid = readPid(join(runDir(dir), 'devnet.pid'));
    const running = pid !== undefined && alive(pid);
    process.stdout.write(`devnet process: ${running ? `running (pid ${pid})` : 'not running'}\n`);
    if (!running) {
        process.exitCode = 1;
        return;
    }
    try {
        const r = await fetch(`http://127.0.0.1:${cfg.devnet.operationsPort}/healthz`);
        const h = (await r.json()) as { status: string; ordererHeight: number; peers: Array<{ address: string; mspId: string; height: number }> };
        process.stdout.write(`health: ${h.status}\norderer height: ${h.ordererHeight}\n`);
        for (const p of h.peers) process.stdout.write(`peer ${p.address} (${p.mspId}) height ${p.height}\n`);
    } catch (err) {
        process.stdout.write(`health: unreachable (${(err as Error).message})\n`);
        process.exitCode = 1;
        return;
    }
    const def = await queryCommitted({ config: cfg, cryptoDir: join(dir, 'crypto') }, cfg.chaincode.name);
    if (!def) process.stdout.write(`chaincode ${cfg.chaincode.name}: not defined\n`);
    else {
        const approvals = Object.entries(def.approvals).map(([k, v]) => `${k}=${v}`).join(', ');
        process.stdout.write(`chaincode ${cfg.chaincode.name}: version ${def.version}, sequence ${def.sequence}, approvals ${approvals}\n`);
    }
    const rd = runDir(dir);
    for (const f of readdirSync(rd).filter((x) => x.startsWith('chaincode-') && !x.endsWith('-server.pid'))) {
        const cpid = readPid(join(rd, f));
        process.stdout.write(`${f.replace(/\.pid$/, '')}: ${cpid !== undefined && alive(cpid) ? `running (supervisor pid ${cpid})` : 'not running'}\n`);
    }
}

/** Invoke or query a chaincode function as an org's user, over Fabric's Endorser and Broadcast services. */
async function invoke(flags: Flags, rest: readonly string[], submit: boolean): Promise<void> {
    const dir = resolve(need(flags, 'dir'));
    const cfg = networkOf(flags, dir);
    const cryptoDir = join(dir, 'crypto');
    const orgName = need(flags, 'org');
    const org = cfg.orgs.find((o) => o.name === orgName || o.mspId === orgName);
    if (!org) throw new Error(`unknown org ${orgName}`);
    const user = flags.user === 'Admin' ? 'Admin' : 'User1';
    const signer = loadSigningIdentity(org.mspId, userMspDir(cryptoDir, org, user));
    const [fn, ...args] = rest;
    if (!fn) throw new Error('missing function name');
    const argBytes = [fn, ...args.map((a) => (a.startsWith('@') ? readFileSync(a.slice(1), 'utf8') : a))].map((a) => Buffer.from(a));
    const cc = flags.chaincode ?? cfg.chaincode.name;
    const base = { config: cfg, cryptoDir };
    if (!submit) {
        const out = await queryChaincode(peerEndpoint(base, org), signer, cfg.channel, cc, argBytes);
        process.stdout.write(`${Buffer.from(out).toString('utf8')}\n`);
        return;
    }
    const names = flags.endorsers?.split(',') ?? cfg.orgs.filter((o) => !o.readOnly).map((o) => o.name);
    const peers = names.map((n) => {
        const o = cfg.orgs.find((x) => x.name === n || x.mspId === n);
        if (!o) throw new Error(`unknown endorsing org ${n}`);
        return peerEndpoint(base, o);
    });
    const r = await submitChaincode({ peers, orderers: ordererEndpoints(base), commitPeer: peerEndpoint(base, org), signer, channelId: cfg.channel }, cc, argBytes);
    log(`transaction ${r.txId} committed VALID in block ${r.blockNumber}`);
}

async function main(): Promise<void> {
    const [cmd, ...argv] = process.argv.slice(2);
    const { flags, rest } = parseFlags(argv);
    switch (cmd) {
        case 'up':
            return up(flags);
        case 'down':
            return down(flags);
        case 'deploy':
            return deploy(flags);
        case 'status':
            return status(flags);
        case 'supervise':
            return supervise(flags, rest);
        case 'invoke':
            return invoke(flags, rest, true);
        case 'query':
            return invoke(flags, rest, false);
        default:
            process.stderr.write('usage: devnet up|down|deploy|status|supervise [flags] (see the header of cli.ts)\n');
            process.exitCode = 2;
    }
}

main().catch((err: unknown) => {
    process.stderr.write(`devnet: ${(err as Error).message}\n`);
    process.exit(1);
});
