#!/usr/bin/env node
// The native network's command line (same shape as devnet's):
//   native up     --network FILE --dir DIR --bin FABRIC_BIN [--orderers 1|3]   start orderer(s) and peers, join the channel
//   native down   --dir DIR                                                    stop exactly the recorded pids
//   native deploy --dir DIR [--network FILE] --version V [--name N] [--label L] --server-cmd CMD
//                 devnet's deploy (supervised chaincode server; install, approve, commit over Fabric's protocols)
//   native status --dir DIR [--network FILE]                                   processes, health, heights, gossip, chaincode
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadNetworkConfig, peerHost } from '@upoint/devnet/dist/config/network';
import { queryCommitted } from '@upoint/devnet/dist/lifecycle/deploy';
import { layout, ordererHost, withOrderers } from './layout';
import { alive, metric, readPid, startNetwork, stopNetwork } from './native';
import { log, need, parseFlags, type Flags } from '@upoint/devnet/dist/tools/flags';

/** The network `up` actually started (with its orderer count), else the one given. */
function networkFileOf(flags: Flags, dir: string): string {
    const f = layout(dir).networkFile;
    if (existsSync(f)) return f;
    if (flags.network) return resolve(flags.network);
    throw new Error(`no --network and no ${f} (run up first)`);
}

async function up(flags: Flags): Promise<void> {
    const dir = resolve(need(flags, 'dir'));
    const bin = resolve(flags.bin ?? process.env.FABRIC_BIN ?? '');
    if (!flags.bin && !process.env.FABRIC_BIN) throw new Error('missing --bin (or FABRIC_BIN)');
    const count = Number(flags.orderers ?? '1');
    if (count !== 1 && count !== 3) throw new Error('--orderers must be 1 or 3');
    const cfg = withOrderers(loadNetworkConfig(resolve(need(flags, 'network'))), count);
    const t0 = Date.now();
    try {
        const r = await startNetwork({ config: cfg, dir, bin, log });
        log(`up in ${Date.now() - t0} ms; stages (ms since start): ${JSON.stringify(r.timings)}`);
    } catch (err) {
        throw new Error(`${(err as Error).message}\nlogs: ${layout(dir).logDir}; stop what started with: native down --dir ${dir}`);
    }
}

/** devnet's deploy command, unchanged: it speaks only Fabric's protocols and keeps its state in DIR/{run,logs}. */
function deploy(argv: readonly string[], flags: Flags): Promise<void> {
    const dir = resolve(need(flags, 'dir'));
    const args = flags.network ? [...argv] : [...argv, '--network', networkFileOf(flags, dir)];
    const cli = require.resolve('@upoint/devnet/dist/cli.js');
    return new Promise((res, rej) => {
        const child = spawn(process.execPath, [cli, 'deploy', ...args], { stdio: 'inherit' });
        child.once('error', rej);
        child.once('exit', (code, signal) => (code === 0 ? res() : rej(new Error(`deploy failed (${signal ?? code})`))));
    });
}

async function status(flags: Flags): Promise<void> {
    const dir = resolve(need(flags, 'dir'));
    const cfg = loadNetworkConfig(networkFileOf(flags, dir));
    const l = layout(dir, cfg.channel);
    let ok = true;
    const proc = (name: string): string => {
        const pid = readPid(join(l.runDir, `${name}.pid`));
        const up = pid !== undefined && alive(pid);
        if (!up) ok = false;
        return up ? `running (pid ${pid})` : 'not running';
    };
    const health = async (port: number): Promise<string> => {
        try {
            const r = await fetch(`http://127.0.0.1:${port}/healthz`);
            const body = await r.text();
            if (r.status !== 200) ok = false;
            return r.status === 200 ? 'OK' : `${r.status} ${body.trim()}`;
        } catch (err) {
            ok = false;
            return `unreachable (${(err as Error).message})`;
        }
    };
    for (const n of cfg.orderer.nodes) {
        const h = ordererHost(cfg, n);
        const leader = await metric(n.operationsPort, 'consensus_etcdraft_is_leader', cfg.channel);
        process.stdout.write(`orderer ${h} 127.0.0.1:${n.port}: ${proc(`orderer-${h}`)}, health ${await health(n.operationsPort)}, raft ${leader === 1 ? 'leader' : leader === 0 ? 'follower' : '?'}\n`);
    }
    for (const o of cfg.orgs) {
        for (const p of o.peers) {
            const h = peerHost(o, p);
            const height = await metric(p.operationsPort, 'ledger_blockchain_height', cfg.channel);
            const known = await metric(p.operationsPort, 'gossip_membership_total_peers_known', cfg.channel);
            process.stdout.write(
                `peer ${h} (${o.mspId}) 127.0.0.1:${p.port}: ${proc(`peer-${h}`)}, health ${await health(p.operationsPort)}, height ${height ?? '?'}, peers known ${known ?? '?'}\n`,
            );
        }
    }
    if (ok) {
        const def = await queryCommitted({ config: cfg, cryptoDir: l.cryptoDir }, cfg.chaincode.name);
        if (!def) process.stdout.write(`chaincode ${cfg.chaincode.name}: not defined\n`);
        else {
            const approvals = Object.entries(def.approvals).map(([k, v]) => `${k}=${v}`).join(', ');
            process.stdout.write(`chaincode ${cfg.chaincode.name}: version ${def.version}, sequence ${def.sequence}, approvals ${approvals}\n`);
        }
    }
    if (existsSync(l.runDir)) {
        for (const f of readdirSync(l.runDir).filter((x) => x.startsWith('chaincode-') && !x.endsWith('-server.pid'))) {
            const pid = readPid(join(l.runDir, f));
            process.stdout.write(`${f.replace(/\.pid$/, '')}: ${pid !== undefined && alive(pid) ? `running (supervisor pid ${pid})` : 'not running'}\n`);
        }
    }
    if (!ok) process.exitCode = 1;
}

async function main(): Promise<void> {
    const [cmd, ...argv] = process.argv.slice(2);
    const { flags } = parseFlags(argv);
    switch (cmd) {
        case 'up':
            return up(flags);
        case 'down':
            return stopNetwork(need(flags, 'dir'), log);
        case 'deploy':
            return deploy(argv, flags);
        case 'status':
            return status(flags);
        default:
            process.stderr.write('usage: native up|down|deploy|status [flags] (see the header of cli.ts)\n');
            process.exitCode = 2;
    }
}

main().catch((err: unknown) => {
    process.stderr.write(`native: ${(err as Error).message}\n`);
    process.exit(1);
});
