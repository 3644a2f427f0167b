// Fault tests on devnet (issue #9), each under sustained load from 12 concurrent clients through the REST gateway
// (token transfers with explicit inputs, receivable issue/accept/split trees, provenance events), every write with
// its own Idempotency-Key and retried with it as a real client would:
//   1. kill -9 the devnet process mid-load, restart it on the same directory and ports (the gateway stays up);
//   2. kill -9 the chaincode server: `devnet supervise` (started by `devnet deploy`, as `make deploy` does) restarts
//      it; requests in the gap fail cleanly with 503 and a code and succeed when retried;
//   3. kill -9 the gateway process, restart it; clients replay their unacknowledged requests with the same keys.
// After each, from the ledger: every acknowledged write VALID, no key applied twice, every peer's chain and state
// equal, tokens and receivables conserved. Everything runs as the product runs it: devnet's CLI (`up --detach`,
// `deploy`, the membership bootstrap) and `node gateway/dist/main.js` configured from the environment.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestNetwork, testConfig, portOpen, waitFor } from '../support/network';
import { sleep } from './load';
import { alive, DevnetProcess, GatewayProcess, kill9 } from './procs';
import { runScenario, type ScenarioContext } from './scenario';

const OFFSET = 108500;

describe('faults on devnet: kill -9 under load through the REST gateway', () => {
    const cfg = testConfig(OFFSET);
    const dir = mkdtempSync(join(tmpdir(), 'faults-devnet-'));
    const devnet = new DevnetProcess(cfg, dir);
    // the gateway's port: inside this suite's private block (operations port is base + 90)
    const gateway = new GatewayProcess(dir, devnet.networkFile, cfg.devnet.operationsPort - 10);
    // direct connections to every peer, for the ledger checks only
    const net = new TestNetwork(cfg, dir);
    let ctx: ScenarioContext;

    beforeAll(async () => {
        await devnet.up();
        await devnet.deploy();
        const keys = await gateway.makeKeys();
        await gateway.start();
        ctx = { net, base: () => gateway.base, keys };
    }, 300_000);

    afterAll(async () => {
        await net.stop();
        await gateway.stop();
        await devnet.down();
        if (process.env.KEEP_TEST_NETWORKS !== '1') rmSync(dir, { recursive: true, force: true });
        else process.stdout.write(`faults devnet: kept ${dir}\n`);
    }, 120_000);

    it('kill -9 devnet mid-load, restart on the same directory and ports: nothing acknowledged is lost, nothing applied twice', async () => {
        await runScenario('devnet-kill', ctx, async () => {
            const pid = devnet.pid();
            await kill9(pid);
            await sleep(1_000);
            await devnet.up();
            return `devnet pid ${pid} killed, restarted as pid ${devnet.pid()}`;
        });
    }, 600_000);

    it('kill -9 the chaincode server: the supervisor restarts it; the gap answers 503 with a code; retries succeed', async () => {
        const port = cfg.chaincode.serverPort;
        const supervisor = devnet.chaincodeSupervisorPid();
        expect(supervisor !== undefined && alive(supervisor)).toBe(true);
        const v = await runScenario('chaincode-kill', ctx, async () => {
            const pid = devnet.chaincodeServerPid();
            if (pid === undefined) throw new Error('no chaincode server pid');
            await kill9(pid);
            // the supervisor (not the test) starts a new server on the same port
            await waitFor('a restarted chaincode server', async () => {
                const now = devnet.chaincodeServerPid();
                return now !== undefined && now !== pid && alive(now) && (await portOpen(port));
            }, 60_000);
            return `chaincode server pid ${pid} killed, supervisor ${supervisor ?? '?'} restarted it as pid ${devnet.chaincodeServerPid() ?? '?'}`;
        });
        // every failure was a problem with a code (checked: unclean == 0); the chaincode's absence is a 503 UNAVAILABLE
        // (a 504 for a commit status that outlived its deadline, a 409/404 a peer's race the client retries)
        for (const s of Object.keys(v.failures)) expect(['503', '504', '409', '404']).toContain(s);
        expect(devnet.chaincodeSupervisorPid()).toBe(supervisor);
    }, 600_000);

    it('kill -9 the gateway mid-load, restart it: clients replay with the same Idempotency-Key, each applied once', async () => {
        await runScenario('gateway-kill', ctx, async () => {
            const pid = gateway.child?.pid;
            await gateway.kill9();
            await sleep(1_000);
            await gateway.start();
            return `gateway pid ${pid ?? '?'} killed, restarted as pid ${gateway.child?.pid ?? '?'}`;
        });
    }, 600_000);
});
