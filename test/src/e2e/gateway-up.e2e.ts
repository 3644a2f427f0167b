// `make gateway-up` / `make gateway-down` (network/scripts/gateway.sh) against a devnet of its own, started and
// deployed with `make network-up deploy` on a private port block (NETWORK_FILE, DEVNET_DIR), dev API keys in a
// temporary directory (GATEWAY_KEYS_DIR): ready, answering with the printed key, one process only, stopped by
// gateway-down and by network-down.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeDevnet, pidAlive } from '../support/make';
import { portOpen } from '../support/network';

describe('make gateway-up / gateway-down on its own devnet', () => {
    const net = makeDevnet(95000, 'gateway-up');
    const { cfg, dir, keysDir, port, base, make } = net;
    const pidFile = join(dir, 'gateway', 'gateway.pid');
    const gatewayPid = (): number => Number(readFileSync(pidFile, 'utf8').trim());

    beforeAll(async () => {
        await make('network-up', 'deploy');
    }, 240_000);
    afterAll(async () => {
        await make('network-down').catch(() => undefined);
        rmSync(keysDir, { recursive: true, force: true });
        if (process.env.KEEP_TEST_NETWORKS !== '1') rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it('starts a ready gateway once, answers with the printed key, and stops it', async () => {
        const up = await make('gateway-up');
        expect(up.stdout).toContain(`gateway: ${base}`);
        expect(up.stdout).toContain(`API docs: ${base}/docs`);
        const printed = /"BrandMSP": "(upk_[A-Za-z0-9_-]+)"/.exec(up.stdout)?.[1];
        expect(printed).toBeDefined();
        const keys = JSON.parse(readFileSync(join(keysDir, 'dev-api-keys.json'), 'utf8')) as Record<string, string>;
        expect(keys.BrandMSP).toBe(printed);
        expect(existsSync(join(keysDir, 'dev-api-keys.hashes.json'))).toBe(true);
        expect(up.stdout).toContain(`curl -H "Authorization: Bearer ${printed ?? '?'}" ${base}/v1/members`);

        const pid = gatewayPid();
        expect(pidAlive(pid)).toBe(true);
        expect((await fetch(`${base}/readyz`)).status).toBe(200);
        const members = await fetch(`${base}/v1/members`, { headers: { Authorization: `Bearer ${printed ?? ''}` } });
        expect(members.status).toBe(200);
        expect(((await members.json()) as Array<{ mspId: string }>).map((m) => m.mspId)).toContain('BrandMSP');
        expect((await fetch(`${base}/v1/members`)).status).toBe(401);

        // a second gateway-up finds the running one and starts nothing
        const again = await make('gateway-up');
        expect(again.stdout).toContain(`gateway is already running (pid ${pid})`);
        expect(gatewayPid()).toBe(pid);
        const log = readFileSync(join(dir, 'gateway', 'gateway.log'), 'utf8');
        expect(log.match(/"msg":"gateway listening"/g)).toHaveLength(1);

        const down = await make('gateway-down');
        expect(down.stdout).toContain(`gateway stopped (pid ${pid})`);
        expect(pidAlive(pid)).toBe(false);
        expect(await portOpen(port)).toBe(false);
        expect(existsSync(pidFile)).toBe(false);
        // nothing running: not an error
        await make('gateway-down');
    }, 240_000);

    it('is stopped by network-down too', async () => {
        await make('gateway-up');
        const pid = gatewayPid();
        expect(pidAlive(pid)).toBe(true);
        await make('network-down');
        expect(pidAlive(pid)).toBe(false);
        expect(await portOpen(port)).toBe(false);
        expect(await portOpen(cfg.devnet.operationsPort)).toBe(false);
    }, 240_000);
});
