/**
 * Development API keys for a local network: one member key per member org, one regulator key, one admin key per
 * member org. Writes the keys themselves to `<dir>/dev-api-keys.json` (git-ignored, the shape:
 * {"BrandMSP": "...", "regulator": "...", "admin:BrandMSP": "..."}) and their hashes — what the gateway reads as
 * API_KEYS_FILE — to `<dir>/dev-api-keys.hashes.json`. Existing files are kept unless --force.
 *
 *   node gateway/dist/dev-keys.js --network network/upoint.network.yaml [--dir gateway] [--force]
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadNetworkConfig, type NetworkConfig } from '@upoint/devnet/dist/config/network';
import { hashKey, type KeyEntry } from './auth';

export interface DevKeys {
    /** name → key, e.g. "BrandMSP", "regulator", "admin:BrandMSP". */
    readonly keys: Readonly<Record<string, string>>;
    readonly entries: readonly KeyEntry[];
}

export function generateDevKeys(network: Pick<NetworkConfig, 'orgs'>, random: (n: number) => Buffer = randomBytes): DevKeys {
    const keys: Record<string, string> = {};
    const entries: KeyEntry[] = [];
    const add = (name: string, role: KeyEntry['role'], mspId: string): void => {
        const key = `upk_${random(24).toString('base64url')}`;
        keys[name] = key;
        entries.push({ name, sha256: hashKey(key), role, mspId });
    };
    for (const org of network.orgs.filter((o) => !o.readOnly)) add(org.mspId, 'member', org.mspId);
    network.orgs.filter((o) => o.readOnly).forEach((org, i) => add(i === 0 ? 'regulator' : `regulator:${org.mspId}`, 'regulator', org.mspId));
    for (const org of network.orgs.filter((o) => !o.readOnly)) add(`admin:${org.mspId}`, 'admin', org.mspId);
    return { keys, entries };
}

function main(argv: readonly string[]): void {
    const flag = (name: string): string | undefined => {
        const i = argv.indexOf(`--${name}`);
        return i >= 0 ? argv[i + 1] : undefined;
    };
    const network = flag('network');
    if (network === undefined) throw new Error('usage: dev-keys --network <file> [--dir <dir>] [--force]');
    const dir = resolve(flag('dir') ?? join(__dirname, '..'));
    const plain = join(dir, 'dev-api-keys.json');
    const hashed = join(dir, 'dev-api-keys.hashes.json');
    if (!argv.includes('--force') && existsSync(plain) && existsSync(hashed)) {
        process.stdout.write(readFileSync(plain, 'utf8'));
        return;
    }
    const { keys, entries } = generateDevKeys(loadNetworkConfig(network));
    writeFileSync(hashed, `${JSON.stringify({ keys: entries }, null, 2)}\n`, { mode: 0o600 });
    writeFileSync(plain, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
    process.stdout.write(`${JSON.stringify(keys, null, 2)}\n`);
}

if (require.main === module) main(process.argv.slice(2));
