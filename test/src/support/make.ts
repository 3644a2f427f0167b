// A devnet driven through the Makefile as a consortium admin runs it — on the test's own port block, with its own
// network file, state directory and dev-keys directory, and the gateway on offset 80 of the block (testConfig uses
// 0-2, 10-24, 50-59 and 90).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { NetworkConfig } from '@upoint/devnet/dist/config/network';
import { REPO, testConfig } from './network';

const run = promisify(execFile);

export interface MakeDevnet {
    readonly cfg: NetworkConfig;
    /** DEVNET_DIR */
    readonly dir: string;
    /** GATEWAY_KEYS_DIR */
    readonly keysDir: string;
    /** The gateway's port (GATEWAY_LISTEN=127.0.0.1:<port>) and base URL. */
    readonly port: number;
    readonly base: string;
    /** `make <targets>` with this network's variables. */
    make(...targets: string[]): Promise<{ stdout: string; stderr: string }>;
}

export function makeDevnet(offset: number, name: string, timeoutMs = 180_000): MakeDevnet {
    const cfg = testConfig(offset);
    const port = cfg.devnet.operationsPort - 10;
    const dir = mkdtempSync(join(tmpdir(), `devnet-${name}-`));
    const keysDir = mkdtempSync(join(tmpdir(), `gateway-keys-${name}-`));
    const file = join(dir, 'network.json');
    writeFileSync(file, JSON.stringify(cfg));
    const vars = [`NETWORK=devnet`, `NETWORK_FILE=${file}`, `DEVNET_DIR=${dir}`, `GATEWAY_LISTEN=127.0.0.1:${port}`, `GATEWAY_KEYS_DIR=${keysDir}`];
    return {
        cfg,
        dir,
        keysDir,
        port,
        base: `http://127.0.0.1:${port}`,
        make: (...targets) => run('make', ['--no-print-directory', ...targets, ...vars], { cwd: REPO, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }),
    };
}

/** Whether a process exists (signal 0). */
export { alive as pidAlive } from '@upoint/devnet/dist/tools/process';
