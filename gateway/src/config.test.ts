import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';

const REPO = join(__dirname, '../..');
const NETWORK_FILE = join(REPO, 'network/upoint.network.yaml');

describe('loadConfig', () => {
    it('names every missing or invalid variable at once', () => {
        let err: unknown;
        try {
            loadConfig({ GATEWAY_LISTEN: 'nowhere', GATEWAY_TIMEOUT_SUBMIT_MS: '10s', LOG_LEVEL: 'loud', GATEWAY_RATE_KEY: 'lots' });
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
            'GATEWAY_RATE_KEY',
        ]);
    });

    it('applies the defaults and resolves the served orgs from the network file', () => {
        const c = loadConfig({ NETWORK_FILE, CRYPTO_DIR: REPO, API_KEYS_FILE: NETWORK_FILE, GATEWAY_ORGS: 'Brand, RegulatorMSP' });
        expect(c.listen).toEqual({ host: '127.0.0.1', port: 3000 });
        expect(c.orgs.map((o) => o.mspId)).toEqual(['BrandMSP', 'RegulatorMSP']);
        expect(c.timeouts).toEqual({ evaluate: 10000, endorse: 15000, submit: 10000, commitStatus: 30000 });
        expect(c.rateLimits).toEqual({ public: { perMinute: 60, burst: 20 }, key: { perMinute: 6000, burst: 500 } });
        expect(c.publicMspId).toBe('BrandMSP');
        expect(c.trustProxy).toBe(0);
        expect(loadConfig({ NETWORK_FILE, CRYPTO_DIR: REPO, API_KEYS_FILE: NETWORK_FILE }).orgs).toHaveLength(4);
    });

    it('reads rate limits, the public org and proxy hops', () => {
        const c = loadConfig({ NETWORK_FILE, CRYPTO_DIR: REPO, API_KEYS_FILE: NETWORK_FILE, GATEWAY_RATE_PUBLIC: '30', GATEWAY_PUBLIC_ORG: 'Supplier', GATEWAY_TRUST_PROXY: '1' });
        expect(c.rateLimits.public).toEqual({ perMinute: 30 });
        expect(c.publicMspId).toBe('SupplierMSP');
        expect(c.trustProxy).toBe(1);
        expect(() => loadConfig({ NETWORK_FILE, CRYPTO_DIR: REPO, API_KEYS_FILE: NETWORK_FILE, GATEWAY_ORGS: 'Brand', GATEWAY_PUBLIC_ORG: 'Bank' })).toThrow(/GATEWAY_PUBLIC_ORG: Bank is not one of the served orgs/);
    });

    it('refuses orgs the network file does not have', () => {
        expect(() => loadConfig({ NETWORK_FILE, CRYPTO_DIR: REPO, API_KEYS_FILE: NETWORK_FILE, GATEWAY_ORGS: 'Brand,Nope' })).toThrow(/GATEWAY_ORGS: not in the network file: Nope/);
    });
});
