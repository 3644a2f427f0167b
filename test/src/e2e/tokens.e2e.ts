// End-to-end stock tokenization on devnet through the real @hyperledger/fabric-gateway client: a stock lot
// deposited by Brand, attested by its custodian Supplier, minted, offered and bought by Bank, who pays by
// issuing a receivable to Brand in the same transaction (delivery-versus-payment); balances are conserved and
// a bad input changes nothing.
import { join } from 'node:path';
import { EndorseError, StatusCode, type Contract } from '@hyperledger/fabric-gateway';
import { REPO, TestNetwork, testConfig, waitFor } from '../support/network';

const utf8 = new TextDecoder();
const CHAINCODE = join(REPO, 'chaincode');
const MEMBERS = JSON.stringify([
    { mspId: 'BrandMSP', name: 'Brand', roles: ['MANUFACTURER'] },
    { mspId: 'SupplierMSP', name: 'Supplier', roles: ['SUPPLIER', 'CUSTODIAN'] },
    { mspId: 'BankMSP', name: 'Bank', roles: ['FINANCIER'] },
    { mspId: 'RegulatorMSP', name: 'Regulator', roles: ['REGULATOR'] },
]);

interface Holding {
    available: string;
    locked: string;
    total: string;
}

describe('stock tokens on devnet (real client, real shim, real lifecycle)', () => {
    const net = new TestNetwork(testConfig(75000));
    const contract = (org: string, name: string, user: 'Admin' | 'User1' = 'User1'): Contract =>
        net.gateway(org, user).getNetwork('upoint').getContract('upoint', name);
    const tokens = (org: string): Contract => contract(org, 'tokens');
    const read = async (org: string, tx: string, ...args: string[]): Promise<unknown> => JSON.parse(utf8.decode(await tokens(org).evaluateTransaction(tx, ...args))) as unknown;
    const submit = async (org: string, tx: string, ...args: string[]): Promise<unknown> => JSON.parse(utf8.decode(await tokens(org).submitTransaction(tx, ...args))) as unknown;
    // submitTransaction waits for the commit on the submitting org's peer only: read through that peer.
    const balance = async (owner: string, lotId: string, via: string): Promise<Holding> => {
        const { available, locked, total } = (await read(via, 'Balance', owner, lotId)) as Holding;
        return { available, locked, total };
    };
    let lotId = '';

    beforeAll(async () => {
        await net.start();
        await net.deploy(CHAINCODE);
        await contract('Brand', 'membership', 'Admin').submitTransaction('Bootstrap', MEMBERS);
    }, 120_000);
    afterAll(() => net.stop());

    it('deposits at Brand, attests at the custodian, mints ≤ attested', async () => {
        const lot = (await submit(
            'Brand',
            'Deposit',
            'tok-dep-1',
            JSON.stringify({ batchLotId: 'LOT-2024-001', sku: 'WINE-750', unit: 'bottle', quantity: '1000', unitValuation: { amount: '2500', currency: 'CNY' }, custodian: 'SupplierMSP' }),
        )) as { id: string; status: string };
        expect(lot.status).toBe('DEPOSITED');
        lotId = lot.id;
        expect(await submit('Supplier', 'Attest', 'tok-att-1', lotId, '900')).toMatchObject({ status: 'ATTESTED', attested: '900' });
        expect(await submit('Brand', 'Mint', 'tok-mint-1', lotId, '600')).toMatchObject({ owner: 'BrandMSP', quantity: '600', status: 'UNSPENT' });
        expect(await read('Brand', 'GetStockLot', lotId)).toMatchObject({ status: 'TOKENIZED', minted: '600', attested: '900' });
        expect(await balance('BrandMSP', lotId, 'Brand')).toEqual({ available: '600', locked: '0', total: '600' });
    });

    it('refuses to mint above the attested quantity with INSUFFICIENT_FUNDS and changes nothing', async () => {
        const before = utf8.decode(await tokens('Brand').evaluateTransaction('GetSupply', lotId));
        const err: unknown = await tokens('Brand')
            .submitTransaction('Mint', 'tok-mint-2', lotId, '301')
            .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(EndorseError);
        expect((err as EndorseError).details[0]?.message).toMatch(/^chaincode response 500, INSUFFICIENT_FUNDS: minting 301 would bring stock lot \S+ to 901, above the attested 900$/);
        expect(utf8.decode(await tokens('Brand').evaluateTransaction('GetSupply', lotId))).toBe(before);
        // the request id was not consumed either: the same id works for a valid mint
        expect(await submit('Brand', 'Mint', 'tok-mint-2', lotId, '300')).toMatchObject({ quantity: '300' });
        expect(await read('Brand', 'GetSupply', lotId)).toMatchObject({ minted: '900', redeemed: '0', total: '900' });
    });

    it('offers, and a purchase moves the tokens and issues the payment receivable in one transaction', async () => {
        const offer = (await submit(
            'Brand',
            'Offer',
            'tok-offer-1',
            JSON.stringify({ lotId, quantity: '200', unitPrice: { amount: '3000', currency: 'CNY' }, payment: { maturityDays: 90 } }),
        )) as { id: string; status: string };
        expect(offer.status).toBe('OPEN');
        expect(await balance('BrandMSP', lotId, 'Brand')).toEqual({ available: '700', locked: '200', total: '900' });

        const bought = (await submit('Bank', 'Purchase', 'tok-buy-1', offer.id, '150')) as {
            offer: { remaining: string; status: string };
            price: { amount: string; currency: string };
            receivableId: string;
        };
        expect(bought.offer).toMatchObject({ remaining: '50', status: 'OPEN' });
        expect(bought.price).toEqual({ amount: '450000', currency: 'CNY' });
        const receivable = JSON.parse(utf8.decode(await contract('Bank', 'receivables').evaluateTransaction('Get', bought.receivableId))) as Record<string, unknown>;
        expect(receivable).toMatchObject({ issuer: 'BankMSP', holder: 'BrandMSP', amount: '450000', currency: 'CNY' });

        expect(await balance('BankMSP', lotId, 'Bank')).toEqual({ available: '150', locked: '0', total: '150' });
        expect(await balance('BrandMSP', lotId, 'Bank')).toEqual({ available: '700', locked: '50', total: '750' });
        expect(await read('Bank', 'GetSupply', lotId)).toMatchObject({ minted: '900', redeemed: '0', total: '900' });
        const history = (await read('Bank', 'History', 'OFFER', offer.id)) as Array<{ txId: string; timestamp: string; value: { remaining: string } }>;
        expect(history.map((h) => h.value.remaining)).toEqual(['50', '200']);
        expect(history[1]?.txId).toBe(offer.id);
        for (const h of history) expect(h.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    });

    it('two transactions spending the same output: one commits, the other fails validation; nothing is spent twice', async () => {
        // Brand's peer commits Bank's purchase in its own time: wait until it has.
        await waitFor('the purchase on Brand\'s peer', async () => (await balance('BrandMSP', lotId, 'Brand')).total === '750');
        const page = (await read('Brand', 'ListOutputs', 'BrandMSP', lotId, '100', '')) as { items: Array<{ id: string; status: string; lock: unknown }> };
        const input = page.items.find((o) => o.status === 'UNSPENT' && o.lock === null);
        if (input === undefined) throw new Error('Brand holds no spendable output');
        const before = (await read('Brand', 'GetSupply', lotId)) as { total: string };
        const spend = (org: string, requestId: string, to: string) =>
            tokens(org).newProposal('Transfer', { arguments: [requestId, JSON.stringify({ lotId, quantity: '1', to, inputs: [input.id] })] }).endorse();
        const endorsed = await Promise.all([spend('Brand', 'tok-dbl-1', 'BankMSP'), spend('Brand', 'tok-dbl-2', 'SupplierMSP')]);
        const statuses = [];
        for (const tx of endorsed) statuses.push(await (await tx.submit()).getStatus());
        // A named input is read by its own key (no range): the first spend marked that output SPENT, so the second,
        // endorsed on the same state, fails MVCC validation on that key.
        expect(statuses.map((st) => st.code)).toEqual([StatusCode.VALID, StatusCode.MVCC_READ_CONFLICT]);
        expect(await read('Brand', 'GetSupply', lotId)).toMatchObject({ total: before.total });
        const after = (await read('Brand', 'ListOutputs', 'BrandMSP', lotId, '100', '')) as { items: Array<{ id: string; status: string; spentTxId: string | null }> };
        expect(after.items.find((o) => o.id === input.id)).toMatchObject({ status: 'SPENT', spentTxId: endorsed[0]?.getTransactionId() });
    });

    it('the regulator cannot move tokens', async () => {
        const err: unknown = await tokens('Regulator')
            .submitTransaction('Transfer', 'reg-1', JSON.stringify({ lotId, quantity: '1', to: 'RegulatorMSP' }))
            .catch((e: unknown) => e);
        expect((err as EndorseError).details[0]?.message).toMatch(/^chaincode response 500, FORBIDDEN: /);
    });
});
