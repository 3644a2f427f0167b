// The processes of a fault test, started the way the product starts them: devnet's and native's command lines
// (`up --detach`, `deploy` with a supervised chaincode server, the membership bootstrap), and the REST gateway as its
// own process (`node gateway/dist/main.js`, configured from the environment as network/scripts/gateway.sh does).
// kill -9 goes to exactly one recorded pid; restarts reuse the same directory, ports and configuration.
import { alive, readPid } from '@upoint/devnet/dist/tools/process';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkConfig } from '@upoint/devnet/dist/config/network';
import { REPO, portOpen, waitFor } from '../support/network';
import { sleep } from './load';

export const DEVNET_CLI = join(REPO, 'network/devnet/dist/cli.js');
export const NATIVE_CLI = join(REPO, 'network/native/dist/cli.js');
const SHIM = join(REPO, 'node_modules/fabric-shim/cli.js');
const CHAINCODE = join(REPO, 'chaincode');
/** What `make deploy` passes as --server-cmd. */
export const SERVER_CMD = `${process.execPath} ${SHIM} server --module-path ${CHAINCODE}`;

export function cli(script: string, args: readonly string[], timeoutMs = 300_000): Promise<string> {
    return new Promise((res, rej) => {
        execFile(process.execPath, [script, ...args], { maxBuffer: 16 << 20, timeout: timeoutMs }, (err, stdout, stderr) => {
            if (err) rej(new Error(`${script} ${args[0] ?? ''} failed: ${err.message}\n${stderr}${stdout}`));
            else res(`${stdout}${stderr}`);
        });
    });
}

export { alive, readPid };

/** kill -9 of one pid; resolves once it is gone (reaped: a later `up` must not find it alive). */
export async function kill9(pid: number): Promise<void> {
    process.kill(pid, 'SIGKILL');
    await waitFor(`pid ${pid} to exit`, () => Promise.resolve(!alive(pid)), 30_000);
}

/** The membership registry from network/members.json, as `make deploy` does (bootstrap-members.sh). */
export async function bootstrapMembers(networkFile: string, dir: string): Promise<void> {
    await cli(DEVNET_CLI, ['invoke', '--network', networkFile, '--dir', dir, '--org', 'Brand', '--user', 'Admin', 'membership:Bootstrap', `@${join(REPO, 'network/members.json')}`]);
}

/** The REST gateway as its own process on a fixed address, restartable with the same environment. */
export class GatewayProcess {
    child: ChildProcess | undefined;
    readonly #env: Record<string, string>;
    readonly #log: string;
    readonly #keysDir: string;
    readonly #networkFile: string;

    constructor(
        readonly dir: string,
        networkFile: string,
        readonly port: number,
    ) {
        const keysDir = join(dir, 'gateway-keys');
        mkdirSync(keysDir, { recursive: true });
        mkdirSync(join(dir, 'logs'), { recursive: true });
        this.#log = join(dir, 'logs', 'gateway.log');
        this.#env = {
            NETWORK_FILE: networkFile,
            CRYPTO_DIR: join(dir, 'crypto'),
            API_KEYS_FILE: join(keysDir, 'dev-api-keys.hashes.json'),
            GATEWAY_LISTEN: `127.0.0.1:${port}`,
            GATEWAY_RATE_KEY: '1000000/100000',
            LOG_LEVEL: 'info',
        };
        this.#keysDir = keysDir;
        this.#networkFile = networkFile;
    }

    get base(): string {
        return `http://127.0.0.1:${this.port}`;
    }

    /** Dev keys as `make gateway-up` makes them (`node gateway/dist/dev-keys.js --network F --dir D`). */
    async makeKeys(): Promise<Readonly<Record<string, string>>> {
        await cli(join(REPO, 'gateway/dist/dev-keys.js'), ['--network', this.#networkFile, '--dir', this.#keysDir]);
        return JSON.parse(readFileSync(join(this.#keysDir, 'dev-api-keys.json'), 'utf8')) as Record<string, string>;
    }

    async start(): Promise<void> {
        if (await portOpen(this.port)) throw new Error(`port ${this.port} is in use`);
        const fd = openSync(this.#log, 'a');
        this.child = spawn(process.execPath, [join(REPO, 'gateway/dist/main.js')], { cwd: REPO, stdio: ['ignore', fd, fd], env: { ...process.env, ...this.#env } });
        const child = this.child;
        await waitFor(
            'gateway /readyz',
            async () => {
                if (child.exitCode !== null) throw new Error(`the gateway exited (${child.exitCode}); see ${this.#log}`);
                try {
                    return (await fetch(`${this.base}/readyz`, { signal: AbortSignal.timeout(3_000) })).status === 200;
                } catch {
                    return false;
                }
            },
            60_000,
        );
    }

    async kill9(): Promise<void> {
        const c = this.child;
        if (!c || c.exitCode !== null || c.pid === undefined) return;
        const gone = new Promise<void>((r) => c.once('exit', () => r()));
        c.kill('SIGKILL');
        await gone;
    }

    async stop(): Promise<void> {
        const c = this.child;
        if (!c || c.exitCode !== null || c.signalCode !== null) return;
        const gone = new Promise<void>((r) => c.once('exit', () => r()));
        c.kill('SIGTERM');
        const t = setTimeout(() => c.kill('SIGKILL'), 15_000);
        await gone;
        clearTimeout(t);
    }
}

/** A devnet started and deployed through devnet's command line, as `make network-up deploy` does. */
export class DevnetProcess {
    readonly networkFile: string;

    constructor(
        readonly cfg: NetworkConfig,
        readonly dir: string,
    ) {
        this.networkFile = join(dir, 'network.json');
    }

    get pidFile(): string {
        return join(this.dir, 'run', 'devnet.pid');
    }

    async up(): Promise<void> {
        writeFileSync(this.networkFile, JSON.stringify(this.cfg));
        await cli(DEVNET_CLI, ['up', '--network', this.networkFile, '--dir', this.dir, '--detach']);
    }

    async deploy(): Promise<void> {
        await cli(DEVNET_CLI, ['deploy', '--network', this.networkFile, '--dir', this.dir, '--version', '1.0', '--server-cmd', SERVER_CMD]);
        await bootstrapMembers(this.networkFile, this.dir);
    }

    pid(): number {
        const p = readPid(this.pidFile);
        if (p === undefined) throw new Error(`no devnet pid in ${this.pidFile}`);
        return p;
    }

    /** The chaincode server's pid (the supervisor records its child next to its own pid file). */
    chaincodeServerPid(): number | undefined {
        return readPid(join(this.dir, 'run', `chaincode-${this.cfg.chaincode.serverPort}-server.pid`));
    }

    chaincodeSupervisorPid(): number | undefined {
        return readPid(join(this.dir, 'run', `chaincode-${this.cfg.chaincode.serverPort}.pid`));
    }

    async down(): Promise<void> {
        await cli(DEVNET_CLI, ['down', '--dir', this.dir]);
    }
}

/** A native process as it runs now (argv, environment, cwd from /proc), to restart it identically after kill -9. */
export interface ProcessImage {
    readonly name: string;
    readonly pid: number;
    readonly argv: readonly string[];
    readonly env: Readonly<Record<string, string>>;
    readonly cwd: string;
}

export function imageOf(name: string, pid: number): ProcessImage {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((s) => s !== '');
    const env: Record<string, string> = {};
    for (const kv of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
        const i = kv.indexOf('=');
        if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
    }
    return { name, pid, argv, env, cwd: readlinkSync(`/proc/${pid}/cwd`) };
}

/** Starts the process again detached, output appended to DIR/logs/<name>.log, and records its pid in DIR/run (so `native down` stops it). */
export function restartImage(dir: string, img: ProcessImage): number {
    const [bin, ...args] = img.argv;
    if (bin === undefined) throw new Error(`no argv for ${img.name}`);
    const fd = openSync(join(dir, 'logs', `${img.name}.log`), 'a');
    const child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd], env: { ...img.env }, cwd: img.cwd });
    child.unref();
    if (child.pid === undefined) throw new Error(`failed to restart ${img.name}`);
    writeFileSync(join(dir, 'run', `${img.name}.pid`), `${child.pid}\n`);
    return child.pid;
}

export { sleep };
