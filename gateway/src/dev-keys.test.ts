import { join } from 'node:path';
import { loadNetworkConfig } from '@upoint/devnet/dist/config/network';
import { newKeyStore } from './auth';
import { generateDevKeys } from './dev-keys';

describe('dev API keys', () => {
    it('has the issue\'s shape and authenticates each key to its role and org', () => {
        const { keys, entries } = generateDevKeys(loadNetworkConfig(join(__dirname, '../../network/upoint.network.yaml')));
        expect(Object.keys(keys).sort()).toEqual(['BankMSP', 'BrandMSP', 'SupplierMSP', 'admin:BankMSP', 'admin:BrandMSP', 'admin:SupplierMSP', 'regulator']);
        const store = newKeyStore(entries);
        expect(store.authenticate(`Bearer ${keys.regulator ?? ''}`)).toEqual({ role: 'regulator', mspId: 'RegulatorMSP', name: 'regulator' });
        expect(store.authenticate(`Bearer ${keys['admin:BrandMSP'] ?? ''}`)).toEqual({ role: 'admin', mspId: 'BrandMSP', name: 'admin:BrandMSP' });
        expect(JSON.stringify(entries)).not.toContain(keys.BrandMSP);
    });
});
