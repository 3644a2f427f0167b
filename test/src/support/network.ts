// Test harness: a devnet started by the test itself (in this process, or as a child process for kill -9
// tests), a chaincode server as a child process, deploy through the real lifecycle protocol, and
// real @hyperledger/fabric-gateway connections per org identity.
import * as grpc from '@grpc/grpc-js';
import { connect, hash, type Gateway } from '@hyperledger/fabric-gateway';
import { loadSigningIdentity } from '@upoint/devnet/dist/msp/signer';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, openSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Devnet } from '@upoint/devnet/dist/devnet';
import { loadNetworkConfig, peerHost, type NetworkConfig, type OrgConfig } from '@upoint/devnet/dist/config/network';
import { tlsCaCertPath, userMspDir, type UserName } from '@upoint/devnet/dist/msp/cryptogen';
import { deployChaincode, planPackage } from '@upoint/devnet/dist/lifecycle/deploy';

export const REPO = resolve(__dirname, '../../..');
export const NETWORK_FILE = join(REPO, 'network/upoint.network.yaml');
const CLI = join(REPO, 'network/devnet/dist/cli.js');

/**
 * The project network file with its ports moved into a private block of 100 ports, so test networks never
 * collide with each other or with a dev network: each distinct `offset` (a multiple of 500 between 5000 and
 * 113000) gets block 10000 + (offset / 500) * 100. Within the block: orderer 0-2, org i's peer 10+4i..12+4i,
 * chaincode servers 50-59, devnet operations 90.
 */
export function testConfig(offset: number, overrides: Partial<NetworkConfig['orderer']['batch']> = {}): NetworkConfig {
    const cfg = loadNetworkConfig(NETWORK_FILE);
    // Blocks stay below 32768, where Linux starts handing out ephemeral ports to outgoing connections
    // (net.ipv4.ip_local_port_range): a listener up there can collide with any client socket.
    const base = 10000 + Math.floor(offset / 500) * 100;
    if (offset < 5000 || base + 99 >= 32768) throw new Error(`testConfig: offset ${offset} is out of range (5000..113000)`);
    return {
        ...cfg,
        orderer: {
            ...cfg.orderer,
            batch: { ...cfg.orderer.batch, ...overrides },
            nodes: cfg.orderer.nodes.map((n, i) => ({ ...n, port: base + i * 3, adminPort: base + i * 3 + 1, operationsPort: base + i * 3 + 2 })),
        },
        orgs: cfg.orgs.map((o, i) => ({
            ...o,
            peers: o.peers.map((p, j) => ({ ...p, port: base + 10 + i * 4 + j * 20, chaincodePort: base + 11 + i * 4 + j * 20, operationsPort: base + 12 + i * 4 + j * 20 })),
        })),
        chaincode: { ...cfg.chaincode, serverPort: base + 50 },
        devnet: { operationsPort: base + 90 },
    };
}

export function org(cfg: NetworkConfig, name: string): OrgConfig {
    const o = cfg.orgs.find((x) => x.name === name || x.mspId === name);
    if (!o) throw new Error(`no org ${name}`);
    return o;
}

export function portOpen(port: number): Promise<boolean> {
    return new Promise((res) => {
        const s = tcpConnect({ port, host: '127.0.0.1' });
        s.once('connect', () => {
            s.destroy();
            res(true);
        });
        s.once('error', () => res(false));
    });
}

export async function waitFor(what: string, fn: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
        if (await fn()) return;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
}

export class TestNetwork {
    readonly cfg: NetworkConfig;
    readonly dir: string;
    devnet: Devnet | undefined;
    devnetProcess: ChildProcess | undefined;
    readonly #chaincodeServers: ChildProcess[] = [];
    readonly #clients: grpc.Client[] = [];
    readonly #gateways: Gateway[] = [];

    /** Whether `dir` was made here (then `stop` removes it; set KEEP_TEST_NETWORKS=1 to keep it for debugging). */
    readonly #ownsDir: boolean;

    constructor(cfg: NetworkConfig, dir?: string) {
        this.cfg = cfg;
        this.#ownsDir = dir === undefined;
        this.dir = dir ?? mkdtempSync(join(tmpdir(), 'devnet-test-'));
    }

    get cryptoDir(): string {
        return join(this.dir, 'crypto');
    }

    /** devnet in this process. */
    async start(): Promise<void> {
        this.devnet = await Devnet.start({ config: this.cfg, dir: this.dir });
    }

    /** devnet as a child process (for kill -9); it reads the config from a file we write. */
    async startProcess(): Promise<void> {
        const file = join(this.dir, 'network.json');
        writeFileSync(file, JSON.stringify(this.cfg));
        mkdirSync(join(this.dir, 'logs'), { recursive: true });
        const fd = openSync(join(this.dir, 'logs', 'devnet.log'), 'a');
        this.devnetProcess = spawn(process.execPath, [CLI, 'up', '--network', file, '--dir', this.dir], { stdio: ['ignore', fd, fd] });
        await waitFor('devnet health', async () => {
            try {
                return (await fetch(`http://127.0.0.1:${this.cfg.devnet.operationsPort}/healthz`)).status === 200;
            } catch {
                return false;
            }
        }, 60_000);
    }

    killProcess(): Promise<void> {
        const p = this.devnetProcess;
        if (!p || p.exitCode !== null) return Promise.resolve();
        return new Promise((res) => {
            p.once('exit', () => res());
            p.kill('SIGKILL');
        });
    }

    /** Starts a chaincode server for `moduleDir` and deploys it with the network's endorsement policy. */
    async deploy(moduleDir: string, opts: { name?: string; version?: string; port?: number; policy?: string } = {}): Promise<string> {
        const name = opts.name ?? this.cfg.chaincode.name;
        const version = opts.version ?? '1.0';
        const port = opts.port ?? this.cfg.chaincode.serverPort;
        const address = `127.0.0.1:${port}`;
        const label = `${name}_${version}`.replace(/[^A-Za-z0-9_.+-]/g, '_');
        const { packageId } = planPackage({ label, chaincodeAddress: address });
        this.startChaincodeServer(moduleDir, packageId, port);
        await waitFor(`chaincode server on ${port}`, () => portOpen(port));
        await deployChaincode({
            config: this.cfg,
            cryptoDir: this.cryptoDir,
            name,
            version,
            label,
            chaincodeAddress: address,
            endorsementPolicy: opts.policy ?? this.cfg.chaincode.endorsementPolicy,
        });
        return packageId;
    }

    startChaincodeServer(moduleDir: string, packageId: string, port: number): ChildProcess {
        const bin = join(REPO, 'node_modules/fabric-shim/cli.js');
        mkdirSync(join(this.dir, 'logs'), { recursive: true });
        const fd = openSync(join(this.dir, 'logs', `chaincode-${port}.log`), 'a');
        const child = spawn(process.execPath, [bin, 'server', '--module-path', moduleDir], {
            stdio: ['ignore', fd, fd],
            env: { ...process.env, CORE_CHAINCODE_ID: packageId, CORE_CHAINCODE_ADDRESS: `127.0.0.1:${port}` },
        });
        this.#chaincodeServers.push(child);
        return child;
    }

    /** A fabric-gateway connection to `orgName`'s peer as its User1 (or Admin). */
    gateway(orgName: string, user: UserName = 'User1', options: { evaluateMs?: number; endorseMs?: number; submitMs?: number; commitStatusMs?: number } = {}): Gateway {
        const o = org(this.cfg, orgName);
        const p = o.peers[0];
        if (!p) throw new Error('org without peer');
        const tlsRoot = readFileSync(tlsCaCertPath(this.cryptoDir, o));
        const client = new grpc.Client(`127.0.0.1:${p.port}`, grpc.credentials.createSsl(tlsRoot), {
            'grpc.ssl_target_name_override': peerHost(o, p),
        });
        this.#clients.push(client);
        // the same node:crypto low-S signer the REST gateway uses, so direct and REST clients cost the same to sign
        const signing = loadSigningIdentity(o.mspId, userMspDir(this.cryptoDir, o, user));
        const gw = connect({
            client,
            identity: { mspId: o.mspId, credentials: Buffer.from(signing.certPem, 'utf8') },
            signer: (message) => Promise.resolve(signing.sign(message)),
            hash: hash.none,
            evaluateOptions: () => ({ deadline: Date.now() + (options.evaluateMs ?? 30_000) }),
            endorseOptions: () => ({ deadline: Date.now() + (options.endorseMs ?? 30_000) }),
            submitOptions: () => ({ deadline: Date.now() + (options.submitMs ?? 30_000) }),
            commitStatusOptions: () => ({ deadline: Date.now() + (options.commitStatusMs ?? 60_000) }),
        });
        this.#gateways.push(gw);
        return gw;
    }

    async stop(): Promise<void> {
        for (const g of this.#gateways) g.close();
        for (const c of this.#clients) c.close();
        for (const c of this.#chaincodeServers) if (c.exitCode === null) c.kill('SIGKILL');
        if (this.devnet) await this.devnet.stop();
        this.devnet = undefined;
        await this.killProcess();
        if (this.#ownsDir && process.env.KEEP_TEST_NETWORKS !== '1') rmSync(this.dir, { recursive: true, force: true });
    }
}

export const KVCC = join(REPO, 'test/fixtures/kvcc');
