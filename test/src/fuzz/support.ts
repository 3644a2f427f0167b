// Shared by the fuzz suites: a devnet started as its own process (so a crash is observable: pid and exit status),
// its heights from the operations endpoint, valid transactions of a block range through qscc, and a REST gateway
// started as its own process (`node gateway/dist/main.js`, as network/scripts/gateway.sh starts it).
import { randomBytes } from 'node:crypto';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { common, peer } from '@hyperledger/fabric-protos';
import { CHANNEL, blockByNumber, txFilter, txIdsOf } from '../support/conformance';
import { REPO, waitFor, type TestNetwork } from '../support/network';

const run = promisify(execFile);
export const CHAINCODE = join(REPO, 'chaincode');
export const MEMBERS = readFileSync(join(REPO, 'network/members.json'), 'utf8');

export interface Heights {
    readonly orderer: number;
    readonly peers: readonly number[];
}

/** Heights from devnet's operations endpoint (/healthz answers them for the orderer and every peer). */
export async function heights(net: TestNetwork): Promise<Heights> {
    const r = await fetch(`http://127.0.0.1:${net.cfg.devnet.operationsPort}/healthz`, { signal: AbortSignal.timeout(5000) });
    if (r.status !== 200) throw new Error(`devnet /healthz answered ${r.status}`);
    const body = (await r.json()) as { ordererHeight: number; peers: Array<{ height: number }> };
    return { orderer: body.ordererHeight, peers: body.peers.map((p) => p.height) };
}

/** Waits until every peer has committed every block the orderer cut (blocks are cut at most batch.timeoutMs late). */
export async function settledHeights(net: TestNetwork, timeoutMs = 20_000): Promise<Heights> {
    let last: Heights | undefined;
    let stable = 0;
    const until = Date.now() + timeoutMs;
    for (;;) {
        const h = await heights(net);
        const same = last !== undefined && last.orderer === h.orderer;
        if (h.peers.every((p) => p === h.orderer) && same) stable++;
        else stable = 0;
        // equal and unchanged over 3 polls spanning more than a batch timeout
        if (stable >= 3) return h;
        if (Date.now() > until) throw new Error(`peers did not settle: orderer ${h.orderer}, peers ${h.peers.join(', ')}`);
        last = h;
        await new Promise((r) => setTimeout(r, Math.max(100, net.cfg.orderer.batch.timeoutMs)));
    }
}

export function alive(pid: number | undefined): boolean {
    if (pid === undefined) return false;
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/** Transaction ids of blocks [from, to) by validation code, read from one peer through qscc. */
export async function transactionsIn(net: TestNetwork, orgName: string, from: number, to: number): Promise<{ valid: string[]; invalid: Array<{ txId: string; code: number }> }> {
    const network = net.gateway(orgName).getNetwork(CHANNEL);
    const valid: string[] = [];
    const invalid: Array<{ txId: string; code: number }> = [];
    for (let n = from; n < to; n++) {
        const block: common.Block = await blockByNumber(network, n);
        const flags = txFilter(block);
        txIdsOf(block).forEach((txId, i) => {
            const code = flags[i] ?? 255;
            if (code === peer.TxValidationCode.VALID) valid.push(txId);
            else invalid.push({ txId, code });
        });
    }
    return { valid, invalid };
}

/** devnet (own process), the U-Point chaincode deployed and the membership registry bootstrapped. */
export async function startUpointNetwork(net: TestNetwork): Promise<void> {
    await net.startProcess();
    await net.deploy(CHAINCODE);
    await net.gateway('Brand', 'Admin').getNetwork(CHANNEL).getContract(net.cfg.chaincode.name, 'membership').submitTransaction('Bootstrap', MEMBERS);
}

export interface GatewayProcess {
    readonly child: ChildProcess;
    readonly base: string;
    /** name → key ("BrandMSP", "regulator", "admin:BrandMSP", …), as gateway/dist/dev-keys.js wrote them. */
    readonly keysFile: string;
    readonly logFile: string;
    /** Set when the process exited. */
    exit?: { code: number | null; signal: NodeJS.Signals | null };
    stop(): Promise<void>;
}

/**
 * `node gateway/dist/main.js` over `net`, listening on offset 80 of the network's port block, dev keys in
 * net.dir/keys, log in net.dir/logs/gateway.log. Rate limits are lifted (`rateLimits`) so that fuzzing reaches
 * every route instead of 429s.
 */
export async function startGatewayProcess(net: TestNetwork, env: Record<string, string> = {}): Promise<GatewayProcess> {
    const port = net.cfg.devnet.operationsPort - 10;
    const base = `http://127.0.0.1:${port}`;
    const keysDir = join(net.dir, 'keys');
    const networkFile = join(net.dir, 'network.json'); // written by startProcess
    mkdirSync(keysDir, { recursive: true });
    await run(process.execPath, [join(REPO, 'gateway/dist/dev-keys.js'), '--network', networkFile, '--dir', keysDir]);
    mkdirSync(join(net.dir, 'logs'), { recursive: true });
    const logFile = join(net.dir, 'logs', 'gateway.log');
    const fd = openSync(logFile, 'a');
    const child = spawn(process.execPath, [join(REPO, 'gateway/dist/main.js')], {
        cwd: REPO,
        stdio: ['ignore', fd, fd],
        env: {
            ...process.env,
            NETWORK_FILE: networkFile,
            CRYPTO_DIR: net.cryptoDir,
            API_KEYS_FILE: join(keysDir, 'dev-api-keys.hashes.json'),
            GATEWAY_LISTEN: `127.0.0.1:${port}`,
            // labels are served: a random secret for this run (a gateway without one answers 503 there)
            GATEWAY_LABEL_SECRET: randomBytes(32).toString('base64url'),
            LOG_LEVEL: 'info',
            ...env,
        },
    });
    const gw: GatewayProcess = {
        child,
        base,
        keysFile: join(keysDir, 'dev-api-keys.json'),
        logFile,
        stop: () =>
            new Promise<void>((res) => {
                if (child.exitCode !== null || child.signalCode !== null) return res();
                const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
                child.once('exit', () => {
                    clearTimeout(force);
                    res();
                });
                child.kill('SIGTERM');
            }),
    };
    child.once('exit', (code, signal) => {
        gw.exit = { code, signal };
    });
    await waitFor(
        'gateway /readyz',
        async () => {
            if (gw.exit !== undefined) throw new Error(`the gateway exited during start-up (${JSON.stringify(gw.exit)}); see ${logFile}`);
            try {
                return (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(3000) })).status === 200;
            } catch {
                return false;
            }
        },
        60_000,
    );
    return gw;
}

export async function answers(url: string): Promise<number> {
    try {
        return (await fetch(url, { signal: AbortSignal.timeout(5000) })).status;
    } catch {
        return 0;
    }
}
