// The admin flow behind the Makefile, as processes: `devnet up --detach`, `deploy` (supervised chaincode server,
// lifecycle), `status`, a killed chaincode server restarted by its supervisor, an upgrade in place, `down`
// leaving no process and no port.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KVCC, REPO, portOpen, testConfig, waitFor } from '../support/network';

const run = promisify(execFile);
const CLI = join(REPO, 'network/devnet/dist/cli.js');
const SHIM = join(REPO, 'node_modules/fabric-shim/cli.js');

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

describe('devnet CLI: up, deploy, status, supervise, upgrade, down', () => {
    const cfg = testConfig(45000);
    const dir = mkdtempSync(join(tmpdir(), 'devnet-cli-'));
    const file = join(dir, 'network.json');
    writeFileSync(file, JSON.stringify(cfg));
    const cli = (...args: string[]): Promise<{ stdout: string; stderr: string }> => run(process.execPath, [CLI, ...args], { cwd: REPO, timeout: 120_000 });
    const common = ['--network', file, '--dir', dir];
    const serverCmd = `${process.execPath} ${SHIM} server --module-path ${KVCC}`;
    const allPorts = [
        ...cfg.orderer.nodes.map((n) => n.port),
        ...cfg.orgs.flatMap((o) => o.peers.map((p) => p.port)),
        cfg.chaincode.serverPort,
        cfg.chaincode.serverPort + 1,
        cfg.devnet.operationsPort,
    ];
    const pids = (): number[] =>
        readdirSync(join(dir, 'run'))
            .filter((f) => f.endsWith('.pid'))
            .map((f) => Number(readFileSync(join(dir, 'run', f), 'utf8').trim()));

    afterAll(async () => {
        await cli('down', '--dir', dir).catch(() => undefined);
    });

    it('runs the whole admin flow and cleans up after itself', async () => {
        await cli('up', ...common, '--detach');
        const health = await fetch(`http://127.0.0.1:${cfg.devnet.operationsPort}/healthz`);
        expect(health.status).toBe(200);

        const d1 = await cli('deploy', ...common, '--version', 'v1', '--server-cmd', serverCmd);
        expect(d1.stdout).toContain('committed upoint version v1 sequence 1');
        const again = await cli('deploy', ...common, '--version', 'v1', '--server-cmd', serverCmd);
        expect(again.stdout).toContain('already committed at sequence 1; nothing to do');

        await cli('invoke', ...common, '--org', 'Brand', '--chaincode', 'upoint', 'Put', 'cli-key', 'cli-value');
        expect((await cli('query', ...common, '--org', 'Regulator', 'Get', 'cli-key')).stdout.trim()).toBe('cli-value');

        // kill -9 the chaincode server: its supervisor restarts it and the next call succeeds
        const serverPid = Number(readFileSync(join(dir, 'run', `chaincode-${cfg.chaincode.serverPort}-server.pid`), 'utf8').trim());
        process.kill(serverPid, 'SIGKILL');
        await waitFor('a new chaincode server pid', async () => {
            const now = Number(readFileSync(join(dir, 'run', `chaincode-${cfg.chaincode.serverPort}-server.pid`), 'utf8').trim());
            return now !== serverPid && alive(now) && (await portOpen(cfg.chaincode.serverPort));
        });
        expect((await cli('query', ...common, '--org', 'Bank', 'Get', 'cli-key')).stdout.trim()).toBe('cli-value');

        // upgrade in place: new package on the other port, sequence 2, old server stopped after the commit
        const d2 = await cli('deploy', ...common, '--version', 'v2', '--server-cmd', serverCmd);
        expect(d2.stdout).toContain('committed upoint version v2 sequence 2');
        expect(d2.stdout).toContain(`stopped the previous chaincode server on port ${cfg.chaincode.serverPort}`);
        expect((await cli('query', ...common, '--org', 'Supplier', 'Get', 'cli-key')).stdout.trim()).toBe('cli-value');

        const status = (await cli('status', ...common)).stdout;
        expect(status).toContain('health: OK');
        expect(status).toMatch(/chaincode upoint: version v2, sequence 2, approvals BankMSP=true, BrandMSP=true, RegulatorMSP=true, SupplierMSP=true/);

        const metrics = await (await fetch(`http://127.0.0.1:${cfg.devnet.operationsPort}/metrics`)).text();
        expect(metrics).toMatch(/ledger_transaction_count\{validation_code="VALID"\} \d+/);
        expect(metrics).toMatch(/endorser_proposal_duration_seconds_count\{channel="upoint"\} [1-9]/);

        const running = pids();
        expect(running.length).toBeGreaterThanOrEqual(3); // devnet, supervisor, server
        await cli('down', '--dir', dir);
        for (const pid of running) expect(alive(pid)).toBe(false);
        for (const port of allPorts) expect(await portOpen(port)).toBe(false);
    }, 180_000);
});
