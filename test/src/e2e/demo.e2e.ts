// `make demo` on a devnet of its own: network-up, deploy and gateway-up on a private port block (NETWORK_FILE,
// DEVNET_DIR, GATEWAY_LISTEN inside the block, dev API keys in a temporary GATEWAY_KEYS_DIR), then the walkthrough
// over HTTP (gateway/dist/demo.js). It must tell its story, run a second time on the same network, and leave no
// process behind once network-down has run.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeDevnet, pidAlive } from '../support/make';
import { portOpen } from '../support/network';

describe('make demo on its own devnet (the walkthrough through the REST gateway)', () => {
    const net = makeDevnet(85000, 'demo', 300_000);
    const { cfg, dir, keysDir, port, base, make } = net;
    /** Every process the network targets and gateway-up recorded (devnet, chaincode supervisor and server, gateway). */
    const recordedPids = (): number[] => {
        const files = [
            ...(existsSync(join(dir, 'run')) ? readdirSync(join(dir, 'run')).filter((f) => f.endsWith('.pid')).map((f) => join(dir, 'run', f)) : []),
            join(dir, 'gateway', 'gateway.pid'),
        ];
        return files.filter((f) => existsSync(f)).map((f) => Number(readFileSync(f, 'utf8').trim())).filter((p) => Number.isInteger(p) && p > 0);
    };
    let pids: number[] = [];

    afterAll(async () => {
        await make('network-down').catch(() => undefined);
        rmSync(keysDir, { recursive: true, force: true });
        if (process.env.KEEP_TEST_NETWORKS !== '1') rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    /** The narration every run must print, whatever its run id. */
    function expectStory(stdout: string): string {
        const runId = /U-Point demo through the REST gateway at (\S+) \(run ([A-Za-z0-9]+)\)/.exec(stdout);
        expect(runId?.[1]).toBe(base);
        const id = runId?.[2] ?? '?';
        expect(stdout).toMatch(/Brand\s+BrandMSP\s+MANUFACTURER/);
        expect(stdout).toMatch(/Supplier\s+SupplierMSP\s+CUSTODIAN, INSPECTOR, SUPPLIER/);
        // the async write: 202, then polled until VALID
        expect(stdout).toMatch(/Prefer: respond-async → 202 Accepted, tx [0-9a-f]{12}…\n\s+polled GET \/v1\/transactions\/[0-9a-f]{12}… \d+ time\(s\): VALID in block \d+/);
        // GENUINE first, then SUSPECT from another city
        const genuine = stdout.indexOf(`Consumer scan of RES-${id}-1 in Paris (GET /v1/verify, no API key): GENUINE`);
        const suspect = stdout.indexOf(`Second scan of RES-${id}-1, in Shanghai: SUSPECT (LOCATION_CHANGED; previous scan in Paris)`);
        expect(genuine).toBeGreaterThan(0);
        expect(suspect).toBeGreaterThan(genuine);
        expect(stdout).toMatch(/commissioning\s+by BrandMSP\s+→ IN_PROCESS {2}\(at vineyard-7; TAX excise 120\.00 EUR; INVOICE [0-9a-f]{12}…\)/);
        expect(stdout).toMatch(/shipping\s+by BrandMSP\s+→ SHIPPED {2}\(FREIGHT truck 300\.00 EUR\)/);
        expect(stdout).toContain('fees and taxes along the way: 2 (420.00 EUR)');
        // stock tokens sold against a receivable issued in the purchase transaction
        const purchase = /Bank purchased 150 tokens in tx ([0-9a-f]{12})…: offer OPEN, remaining 50/.exec(stdout)?.[1];
        expect(purchase).toBeDefined();
        expect(stdout).toContain(`Delivery versus payment, same transaction: receivable ${purchase ?? '?'}…`);
        expect(stdout).toContain('4500.00 CNY (150 × 30.00)');
        expect(stdout).toContain('Balance of BrandMSP: 400 available, 50 locked, 450 total');
        expect(stdout).toContain('Balance of BankMSP: 150 available, 0 locked, 150 total');
        // the idempotent replay
        const issued = /Brand issued receivable [0-9a-f]{12}… to SupplierMSP: 10000\.00 CNY, due 2099-12-31, PENDING {3}tx ([0-9a-f]{12})…/.exec(stdout)?.[1];
        expect(issued).toBeDefined();
        expect(stdout).toMatch(new RegExp(`Replayed the same POST with Idempotency-Key demo-${id}-\\d+: HTTP 201, same tx ${issued ?? '?'}…, Idempotent-Replayed: true`));
        // receivables: split, financed, settled; the split tree
        expect(stdout).toContain('Bank financed it at a discount: paid 6720.00 CNY for 7000.00 CNY (400 bps), holder now BankMSP');
        expect(stdout.match(/its holder BankMSP confirmed: SETTLED/g)).toHaveLength(2);
        const split = /Supplier split it \(tx ([0-9a-f]{12})…\)/.exec(stdout)?.[1] ?? '?';
        expect(stdout).toMatch(
            new RegExp(
                `Split tree of ([0-9a-f]{12})… \\(total 1000000, settled 1000000, live 0\\):\\n\\s+\\1…  SupplierMSP  1000000  SPLIT\\n` +
                    `\\s+├─ ${split}…\\.1  BankMSP  700000  SETTLED\\n\\s+└─ ${split}…\\.2  BankMSP  300000  SETTLED\\n`,
            ),
        );
        expect(stdout).toMatch(/Brand's credit record: \d+ settlements, 100% on time/);
        // the regulator reads and is refused a write
        expect(stdout).toMatch(/GET \/v1\/members → 200, 4 members/);
        expect(stdout).toContain('POST /v1/receivables → 403 FORBIDDEN: ');
        expect(stdout).toContain(`demo complete (run ${id})`);
        // where to go next: the console, a key to sign in with, a never-scanned bottle's link
        expect(stdout).toContain(`console:        ${base}/console/`);
        const keys = JSON.parse(readFileSync(join(keysDir, 'dev-api-keys.json'), 'utf8')) as Record<string, string>;
        expect(stdout).toContain(`sign in with the regulator's dev key: ${keys.regulator ?? '?'}`);
        expect(stdout).toMatch(new RegExp(`a demo bottle: {2}${base.replace(/[.]/g, '\\.')}/verify/DEMO-${id}-\\S+\\?code=[A-Z2-7]{16}`));
        // then status, and how to stop what keeps running
        expect(stdout).toMatch(/health: OK/);
        expect(stdout).toContain(`devnet and the REST gateway keep running: ${base}  (API docs: ${base}/docs)`);
        expect(stdout).toContain('make gateway-down');
        expect(stdout).toContain('make network-down');
        return id;
    }

    it('starts devnet, deploys, starts the gateway and walks through the three families over HTTP; again on the same network', async () => {
        const first = await make('demo');
        const firstRun = expectStory(first.stdout);
        // the printed bottle link opens the consumer page with a GENUINE verdict
        const link = /a demo bottle: {2}(\S+)/.exec(first.stdout)?.[1] ?? '';
        const page = await fetch(link);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('data-verdict="GENUINE"');
        expect(first.stdout).toContain(`gateway ready`);
        pids = recordedPids();
        expect(pids.length).toBeGreaterThanOrEqual(3);
        for (const pid of pids) expect(pidAlive(pid)).toBe(true);
        expect((await fetch(`${base}/readyz`)).status).toBe(200);

        // a second run: nothing to start or deploy, new ids, the same story
        const second = await make('demo');
        expect(second.stdout).toContain('devnet is already running');
        expect(second.stdout).toContain('gateway is already running');
        expect(expectStory(second.stdout)).not.toBe(firstRun);
        expect(recordedPids().sort()).toEqual([...pids].sort());
    }, 600_000);

    it('leaves nothing running after network-down', async () => {
        expect(pids.length).toBeGreaterThanOrEqual(3);
        await make('network-down');
        for (const pid of pids) expect(pidAlive(pid)).toBe(false);
        expect(await portOpen(port)).toBe(false);
        expect(await portOpen(cfg.devnet.operationsPort)).toBe(false);
        expect(await portOpen(cfg.chaincode.serverPort)).toBe(false);
    }, 120_000);
});
