// `make demo`'s walkthrough (network/scripts/demo.sh) against a devnet of its own: started with the CLI's
// `up --detach` on a private port block, the chaincode deployed with the CLI's `deploy` as the Makefile does,
// members bootstrapped by network/scripts/bootstrap-members.sh; the script must exit 0 and tell its story.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO, testConfig } from '../support/network';

const run = promisify(execFile);
const CLI = join(REPO, 'network/devnet/dist/cli.js');
const SHIM = join(REPO, 'node_modules/fabric-shim/cli.js');

describe('make demo walkthrough (network/scripts/demo.sh) on its own devnet', () => {
    const dir = mkdtempSync(join(tmpdir(), 'devnet-demo-'));
    const file = join(dir, 'network.json');
    writeFileSync(file, JSON.stringify(testConfig(85000)));
    const common = ['--network', file, '--dir', dir];
    const cli = (...args: string[]): Promise<{ stdout: string; stderr: string }> => run(process.execPath, [CLI, ...args], { cwd: REPO, timeout: 120_000 });
    const bash = (script: string, args: string[] = [], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> =>
        run('bash', [join(REPO, 'network/scripts', script), ...args], { cwd: REPO, timeout: 240_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...env } });

    beforeAll(async () => {
        await cli('up', ...common, '--detach');
        await cli('deploy', ...common, '--version', 'demo-1', '--server-cmd', `${process.execPath} ${SHIM} server --module-path ${join(REPO, 'chaincode')}`);
        await bash('bootstrap-members.sh', [file, dir]);
    }, 180_000);
    afterAll(async () => {
        await cli('down', '--dir', dir).catch(() => undefined);
    });

    it('walks through provenance, stock tokens, receivables and the regulator', async () => {
        const { stdout } = await bash('demo.sh', [], { NETWORK_FILE: file, DEVNET_DIR: dir, DEMO_RUN_ID: 'e2e' });
        expect(stdout).toMatch(/Consumer scan of RES-e2e-1 in Paris: GENUINE/);
        expect(stdout).toMatch(/in Shanghai: SUSPECT \(LOCATION_CHANGED/);
        // the receivable Bank issued to Brand in the purchase transaction (delivery-versus-payment)
        const purchase = /Bank purchased 150 tokens in tx ([0-9a-f]{64})/.exec(stdout)?.[1];
        expect(purchase).toBeDefined();
        const receivable = /Delivery-versus-payment, same transaction: receivable (\S+)/.exec(stdout)?.[1];
        expect(receivable?.startsWith(`${purchase ?? '?'}.`)).toBe(true);
        expect(stdout).toContain(`receivable ${receivable ?? '?'}\n    issuer BankMSP → holder BrandMSP, 450000 CNY`);
        expect(stdout).toMatch(/confirmed: SETTLED/);
        expect(stdout).toMatch(/total 1000000, settled 1000000, live 0/);
        expect(stdout).toMatch(/A write attempt \(receivables:Issue\) is refused: FORBIDDEN: /);
        expect(stdout).toContain('demo complete (run e2e)');
    }, 240_000);
});
