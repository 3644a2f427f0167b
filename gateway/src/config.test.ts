import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';

const REPO = join(__dirname, '../..');
const NETWORK_FILE = join(REPO, 'network/upoint.network.yaml');

describe('loadConfig', () => {
    it('names every missing or invalid variable at once', () => {
        let err: unknown;
        try {
            loadConfig({ GATEWAY_LISTEN: 'nowhere', GATEWAY_TIMEOUT_SUBMIT_MS: '10s', LOG_LEVEL: 'loud' });
        } catch (e) {
            err = e;
        }
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as ConfigError).problems.map((p) => p.slice(0, p.indexOf(':')))).toEqual([
            'GATEWAY_LISTEN',
            'NETWORK_FILE',
            'CRYPTO_DIR',
            'API_KEYS_FILE',
            'GATEWAY_TIMEOUT_SUBMIT_MS',
            'LOG_LEVEL',
        ]);
    });

    it('applies the defaults and resolves the served orgs from the network file', () => {
        const c = loadConfig({ NETWORK_FILE, CRYPTO_DIR: REPO, API_KEYS_FILE: NETWORK_FILE, GATEWAY_ORGS: 'Brand, RegulatorMSP' });
        expect(c.listen).toEqual({ host: '127.0.0.1', port: 3000 });
        expect(c.orgs.map((o) => o.mspId)).toEqual(['BrandMSP', 'RegulatorMSP']);
        expect(c.timeouts).toEqual({ evaluate: 10000, endorse: 15000, submit: 10000, commitStatus: 60000 });
        expect(loadConfig({ NETWORK_FILE, CRYPTO_DIR: REPO, API_KEYS_FILE: NETWORK_FILE }).orgs).toHaveLength(4);
    });

    it('refuses orgs the network file does not have', () => {
        expect(() => loadConfig({ NETWORK_FILE, CRYPTO_DIR: REPO, API_KEYS_FILE: NETWORK_FILE, GATEWAY_ORGS: 'Brand,Nope' })).toThrow(/GATEWAY_ORGS: not in the network file: Nope/);
    });
});
