// Network-agnostic targets for the differential suite: the same scenarios run against devnet (in this process,
// through TestNetwork) and against real Fabric v2.5 binaries (network/native, FABRIC_BIN). Both expose the same
// thing a client sees: real @hyperledger/fabric-gateway connections per org identity, and chaincode deployed
// through devnet's lifecycle code (which speaks only Fabric's protocols).
import type { Gateway } from '@hyperledger/fabric-gateway';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkConfig } from '@upoint/devnet/dist/config/network';
import type { UserName } from '@upoint/devnet/dist/msp/cryptogen';
import { REPO, TestNetwork, testConfig } from './network';

export interface DeployOptions {
    readonly name?: string;
    readonly version?: string;
    readonly port?: number;
    readonly policy?: string;
}

export interface DiffTarget {
    readonly name: 'devnet' | 'native';
    readonly cfg: NetworkConfig;
    /** The crypto material (cryptogen layout) the clients sign with. */
    readonly cryptoDir: string;
    start(): Promise<void>;
    /** Starts a chaincode server for `moduleDir` and deploys it through the lifecycle; returns the package id. */
    deploy(moduleDir: string, opts?: DeployOptions): Promise<string>;
    /** A cached fabric-gateway connection to `org`'s first peer as `user`. */
    gateway(org: string, user?: UserName): Gateway;
    stop(): Promise<void>;
}

/** Shared by both targets: TestNetwork already speaks only Fabric's protocols once the network runs. */
abstract class TestNetworkTarget implements DiffTarget {
    abstract readonly name: 'devnet' | 'native';
    readonly net: TestNetwork;
    readonly #gateways = new Map<string, Gateway>();

    constructor(cfg: NetworkConfig, dir?: string) {
        this.net = new TestNetwork(cfg, dir);
    }

    get cfg(): NetworkConfig {
        return this.net.cfg;
    }

    get cryptoDir(): string {
        return this.net.cryptoDir;
    }

    abstract start(): Promise<void>;

    deploy(moduleDir: string, opts: DeployOptions = {}): Promise<string> {
        return this.net.deploy(moduleDir, opts);
    }

    gateway(org: string, user: UserName = 'User1'): Gateway {
        const key = `${org}/${user}`;
        let g = this.#gateways.get(key);
        if (!g) {
            g = this.net.gateway(org, user, { commitStatusMs: 30_000 });
            this.#gateways.set(key, g);
        }
        return g;
    }

    async stop(): Promise<void> {
        this.#gateways.clear();
        await this.net.stop();
    }
}

/** devnet in this process, on its own port block. */
export class DevnetTarget extends TestNetworkTarget {
    readonly name = 'devnet';

    constructor(offset = 60500) {
        super(testConfig(offset));
    }

    start(): Promise<void> {
        return this.net.start();
    }
}

const NATIVE_CLI = join(REPO, 'network/native/dist/cli.js');

export function fabricBin(): string {
    const bin = process.env.FABRIC_BIN;
    if (!bin) throw new Error('FABRIC_BIN is not set: point it at a folder with peer, orderer, configtxgen, osnadmin and config/');
    for (const b of ['peer', 'orderer', 'configtxgen', 'osnadmin']) if (!existsSync(join(bin, b))) throw new Error(`FABRIC_BIN ${bin} lacks ${b}`);
    return bin;
}

export function nativeCli(args: readonly string[]): Promise<string> {
    return new Promise((res, rej) => {
        execFile(process.execPath, [NATIVE_CLI, ...args], { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
            if (err) rej(new Error(`native ${args[0] ?? ''} failed: ${stderr}${stdout}`));
            else res(stdout);
        });
    });
}

/** Real Fabric (FABRIC_BIN) started by network/native from the same network file, one Raft orderer. */
export class NativeTarget extends TestNetworkTarget {
    readonly name = 'native';
    readonly dir: string;
    #up = false;

    constructor(offset = 60000) {
        const dir = mkdtempSync(join(tmpdir(), 'native-diff-'));
        super(testConfig(offset), dir);
        this.dir = dir;
    }

    async start(): Promise<void> {
        const bin = fabricBin();
        const networkFile = join(this.dir, 'test.network.json');
        writeFileSync(networkFile, JSON.stringify(this.cfg));
        this.#up = true;
        await nativeCli(['up', '--network', networkFile, '--dir', this.dir, '--bin', bin, '--orderers', '1']);
    }

    override async stop(): Promise<void> {
        await super.stop();
        if (this.#up) await nativeCli(['down', '--dir', this.dir]);
        this.#up = false;
    }
}
