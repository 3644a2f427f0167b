// Fault tests on real Fabric (issue #9), only with FABRIC_BIN (else one SKIPPED line and the suite is skipped):
// a 3-node Raft native network started by network/native's command line, the chaincode deployed and the registry
// bootstrapped as `make deploy` does, the REST gateway as its own process, 12 concurrent clients through it.
//   1. kill -9 the Raft leader mid-load, restart it (same argv, environment and directories);
//   2. kill -9 a member org's peer (Bank) mid-load, restart it: it catches up to the same height and block hashes.
// After each: every acknowledged write VALID on every peer (qscc), no key applied twice, every peer's chain equal
// block by block, state equal through every org's peer, tokens and receivables conserved.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNetworkConfig, peerHost, type NetworkConfig } from '@upoint/devnet/dist/config/network';
import { ordererHost } from '@upoint/devnet/dist/msp/cryptogen';
import { TestNetwork, testConfig, waitFor } from '../support/network';
import { sleep } from './load';
import { bootstrapMembers, cli, GatewayProcess, imageOf, kill9, NATIVE_CLI, readPid, restartImage, SERVER_CMD } from './procs';
import { runScenario, type ScenarioContext } from './scenario';

const OFFSET = 109000;
const BIN = process.env.FABRIC_BIN;

if (!BIN) process.stdout.write('SKIPPED faults native: no Fabric binaries (set FABRIC_BIN)\n');
const describeNative = BIN ? describe : describe.skip;

/** testConfig's private port block with 3 Raft nodes inside it (port, admin, operations: +0..+8). */
function nativeConfig(): NetworkConfig {
    const cfg = testConfig(OFFSET);
    const first = cfg.orderer.nodes[0];
    if (!first) throw new Error('no orderer node');
    const nodes = [0, 1, 2].map((i) => ({ name: `orderer${i}`, port: first.port + i * 3, adminPort: first.port + i * 3 + 1, operationsPort: first.port + i * 3 + 2 }));
    return { ...cfg, orderer: { ...cfg.orderer, nodes } };
}

/** One Prometheus gauge of a node's operations endpoint, for the channel. */
async function metric(port: number, name: string, channel: string): Promise<number | undefined> {
    try {
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(3_000) })).text();
        for (const line of text.split('\n')) {
            if (!line.startsWith(`${name}{`) || !line.includes(`channel="${channel}"`)) continue;
            return Number(line.slice(line.lastIndexOf(' ') + 1));
        }
    } catch {
        // not answering
    }
    return undefined;
}

async function healthy(port: number): Promise<boolean> {
    try {
        return (await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(3_000) })).status === 200;
    } catch {
        return false;
    }
}

describeNative('faults on native Fabric (3 Raft orderers): kill -9 under load through the REST gateway', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faults-native-'));
    let cfg: NetworkConfig = nativeConfig();
    let gateway: GatewayProcess;
    let net: TestNetwork;
    let ctx: ScenarioContext;
    let up = false;

    beforeAll(async () => {
        const file = join(dir, 'test.network.json');
        writeFileSync(file, JSON.stringify(cfg));
        up = true;
        await cli(NATIVE_CLI, ['up', '--network', file, '--dir', dir, '--bin', BIN ?? '', '--orderers', '3'], 600_000);
        await cli(NATIVE_CLI, ['deploy', '--dir', dir, '--version', '1.0', '--server-cmd', SERVER_CMD]);
        const networkFile = join(dir, 'network.json'); // what `up` recorded
        cfg = loadNetworkConfig(networkFile);
        await bootstrapMembers(networkFile, dir);
        gateway = new GatewayProcess(dir, networkFile, cfg.devnet.operationsPort - 10);
        const keys = await gateway.makeKeys();
        await gateway.start();
        net = new TestNetwork(cfg, dir);
        // longer than the gateway's worst case for a transaction the ordering service lost (3 commit-status waits of
        // GATEWAY_TIMEOUT_COMMIT_STATUS_MS = 60 s): the client sees the gateway's own answer, not its own timeout
        ctx = { net, base: () => gateway.base, keys, clientTimeoutMs: 200_000 };
    }, 900_000);

    afterAll(async () => {
        await net?.stop();
        await gateway?.stop();
        if (up) await cli(NATIVE_CLI, ['down', '--dir', dir]);
        if (process.env.KEEP_TEST_NETWORKS !== '1') rmSync(dir, { recursive: true, force: true });
        else process.stdout.write(`faults native: kept ${dir}\n`);
    }, 180_000);

    it('kill -9 the Raft leader mid-load, restart it: nothing acknowledged is lost, nothing applied twice', async () => {
        await runScenario('native-leader-kill', ctx, async () => {
            let leader: NetworkConfig['orderer']['nodes'][number] | undefined;
            await waitFor('a Raft leader', async () => {
                for (const n of cfg.orderer.nodes) if ((await metric(n.operationsPort, 'consensus_etcdraft_is_leader', cfg.channel)) === 1) leader = n;
                return leader !== undefined;
            }, 60_000);
            if (!leader) throw new Error('no leader');
            const name = `orderer-${ordererHost(cfg, leader)}`;
            const pid = readPid(join(dir, 'run', `${name}.pid`));
            if (pid === undefined) throw new Error(`no pid for ${name}`);
            const img = imageOf(name, pid);
            await kill9(pid);
            await sleep(2_000);
            const again = restartImage(dir, img);
            const ops = leader.operationsPort;
            await waitFor(`${name} /healthz`, () => healthy(ops), 120_000);
            let newLeader = '?';
            await waitFor('a Raft leader after the restart', async () => {
                for (const n of cfg.orderer.nodes) if ((await metric(n.operationsPort, 'consensus_etcdraft_is_leader', cfg.channel)) === 1) newLeader = n.name;
                return newLeader !== '?';
            }, 120_000);
            return `leader ${leader.name} (pid ${pid}) killed, restarted as pid ${again}; leader now ${newLeader}`;
        });
    }, 900_000);

    it("kill -9 a member org's peer (Bank) mid-load, restart it: it catches up to the same height and block hashes", async () => {
        const bank = cfg.orgs.find((o) => o.name === 'Bank');
        const p = bank?.peers[0];
        if (!bank || !p) throw new Error('no Bank peer');
        await runScenario('native-peer-kill', ctx, async () => {
            const name = `peer-${peerHost(bank, p)}`;
            const pid = readPid(join(dir, 'run', `${name}.pid`));
            if (pid === undefined) throw new Error(`no pid for ${name}`);
            const img = imageOf(name, pid);
            const before = await metric(p.operationsPort, 'ledger_blockchain_height', cfg.channel);
            await kill9(pid);
            await sleep(3_000);
            const again = restartImage(dir, img);
            await waitFor(`${name} /healthz`, () => healthy(p.operationsPort), 120_000);
            return `Bank's peer (pid ${pid}, height ${before ?? '?'}) killed, restarted as pid ${again}`;
        });
        // the catch-up itself is checked by runScenario's verdict: every peer's chain equal block by block
    }, 900_000);
});
