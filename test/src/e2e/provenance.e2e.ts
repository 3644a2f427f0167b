// End-to-end provenance on devnet through the real @hyperledger/fabric-gateway client: raw material → process →
// inspection → packing (transformation) → shipping/receiving → bottles commissioned → consumer verification.
//
// Members (bootstrapped here): Brand = MANUFACTURER, Supplier = INSPECTOR + CUSTODIAN + RETAILER (inspects, then
// receives and sells), Regulator = REGULATOR. Bank is deliberately NOT a member: it plays the consumer's
// verification app, showing that Verify (a public submit) works for any identity on the channel. Verify's secret
// code goes as transient data (entry "code"): it reaches the chaincode but not the transaction in the block.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { StatusCode, type Contract } from '@hyperledger/fabric-gateway';
import { processedTx } from '../support/conformance';
import { REPO, TestNetwork, testConfig } from '../support/network';

const utf8 = new TextDecoder();
const CHAINCODE = join(REPO, 'chaincode');
const MEMBERS = JSON.stringify([
    { mspId: 'BrandMSP', name: 'Brand', roles: ['MANUFACTURER'] },
    { mspId: 'SupplierMSP', name: 'Supplier', roles: ['INSPECTOR', 'CUSTODIAN', 'RETAILER'] },
    { mspId: 'RegulatorMSP', name: 'Regulator', roles: ['REGULATOR'] },
]);
const AT = '2024-05-01T08:00:00.000000000Z';
const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const CERT = sha('lab-certificate-2024-05.pdf');
const ctx = (extra: Record<string, unknown> = {}): string => JSON.stringify({ eventTime: AT, ...extra });

interface Verdict {
    verdict: string;
    reasons?: string[];
    provenance?: {
        lot: { id: string; status: string };
        events: Array<{ bizStep: string; custody: unknown; fees: unknown[] }>;
        ancestors: Array<{ lot: { id: string }; events: Array<{ bizStep: string; documents: Array<{ sha256: string }> }> }>;
    };
}

describe('provenance on devnet (real client, real shim, real lifecycle)', () => {
    const net = new TestNetwork(testConfig(80000));
    const provenance = (org: string, user: 'Admin' | 'User1' = 'User1'): Contract => net.gateway(org, user).getNetwork('upoint').getContract('upoint', 'provenance');
    let seq = 0;
    const submit = async (org: string, fcn: string, ...args: string[]): Promise<unknown> =>
        JSON.parse(utf8.decode(await provenance(org).submitTransaction(fcn, `e2e-${++seq}`, ...args))) as unknown;
    /** A consumer's scan: serial and location are arguments, the secret code is transient data. */
    const verify = async (org: string, serial: string, code: string, location: string): Promise<{ verdict: Verdict; txId: string }> => {
        const proposal = provenance(org).newProposal('Verify', { arguments: [serial, location], transientData: { code } });
        const endorsed = await proposal.endorse();
        const submitted = await endorsed.submit();
        const status = await submitted.getStatus();
        expect({ code: status.code, successful: status.successful }).toEqual({ code: StatusCode.VALID, successful: true });
        return { verdict: JSON.parse(utf8.decode(submitted.getResult())) as Verdict, txId: submitted.getTransactionId() };
    };
    const lot = async (id: string): Promise<{ status: string; holder: string; quantity: string }> =>
        JSON.parse(utf8.decode(await provenance('Regulator').evaluateTransaction('GetLot', id))) as { status: string; holder: string; quantity: string };

    beforeAll(async () => {
        await net.start();
        await net.deploy(CHAINCODE);
        await net.gateway('Brand', 'Admin').getNetwork('upoint').getContract('upoint', 'membership').submitTransaction('Bootstrap', MEMBERS);
    }, 120_000);
    afterAll(() => net.stop());

    it('takes a lot from raw material to a verified bottle', async () => {
        await submit('Brand', 'CreateProduct', JSON.stringify({ id: 'must', sku: 'MUST-RED', model: 'bulk', name: 'Grape must' }));
        await submit('Brand', 'CreateProduct', JSON.stringify({ id: 'reserve', sku: 'RES-2023', model: '750ml', name: 'Reserve 2023' }));
        await submit('Brand', 'CreateLot', JSON.stringify({ id: 'must-1', productId: 'must', quantity: '1000', unit: 'L' }));
        const event = (lotId: string, bizStep: string, extra: Record<string, unknown> = {}): string =>
            JSON.stringify({ lots: [{ lotId, quantity: '1000' }], bizStep, disposition: 'in_progress', eventTime: AT, ...extra });
        await submit(
            'Brand',
            'RecordEvent',
            event('must-1', 'commissioning', { readPoint: 'vineyard-7', fees: [{ kind: 'TAX', description: 'excise', amount: '12000', currency: 'EUR' }], documents: [{ type: 'INVOICE', sha256: sha('invoice') }] }),
        );
        await submit('Brand', 'RecordEvent', event('must-1', 'sampling'));
        await submit('Supplier', 'RecordInspection', JSON.stringify({ lotId: 'must-1', result: 'CONFORMANT', certificateHash: CERT }));
        expect((await lot('must-1')).status).toBe('RELEASED');

        // packing: 1000 L of must → 960 L bottled wine (declared yield 90-100%)
        await submit(
            'Brand',
            'Transform',
            JSON.stringify({ inputs: [{ lotId: 'must-1', quantity: '1000' }], output: { id: 'bottled-1', productId: 'reserve', quantity: '960', unit: 'L' }, minYieldPercent: 90, maxYieldPercent: 100 }),
            ctx({ bizLocation: 'winery' }),
        );
        await submit('Brand', 'RecordEvent', JSON.stringify({ lots: [{ lotId: 'bottled-1', quantity: '960' }], bizStep: 'sampling', disposition: 'in_progress', eventTime: AT }));
        await submit('Supplier', 'RecordInspection', JSON.stringify({ lotId: 'bottled-1', result: 'CONFORMANT', certificateHash: CERT }));
        await submit('Brand', 'Ship', 'bottled-1', 'SupplierMSP', ctx({ fees: [{ kind: 'FREIGHT', description: 'truck', amount: '30000', currency: 'EUR' }] }));
        expect(await lot('bottled-1')).toMatchObject({ status: 'SHIPPED', holder: 'BrandMSP' });
        await submit('Supplier', 'Receive', 'bottled-1', ctx({ bizLocation: 'store-paris' }));
        expect(await lot('bottled-1')).toMatchObject({ status: 'RECEIVED', holder: 'SupplierMSP' });

        await submit('Brand', 'CommissionUnits', 'bottled-1', JSON.stringify([1, 2].map((i) => ({ serial: `RES-${i}`, codeHash: sha(`code-${i}`) }))));

        // the consumer's app: Bank is not a member, yet may verify (and its scan is recorded)
        const consumer = provenance('Bank');
        const { verdict: first, txId } = await verify('Bank', 'RES-1', 'code-1', 'Paris');
        expect(first.verdict).toBe('GENUINE');
        expect(first.provenance?.lot).toMatchObject({ id: 'bottled-1', status: 'RECEIVED' });
        expect(first.provenance?.events.map((e) => e.bizStep)).toEqual(['transforming', 'sampling', 'inspecting', 'shipping', 'receiving', 'commissioning']);
        expect(first.provenance?.ancestors[0]?.lot.id).toBe('must-1');
        expect(first.provenance?.ancestors[0]?.events.find((e) => e.bizStep === 'inspecting')?.documents[0]?.sha256).toBe(CERT);

        // the committed transaction (as qscc serves it to any channel reader) carries the serial but not the code
        const committed = Buffer.from((await processedTx(net.gateway('Regulator').getNetwork('upoint'), txId)).serializeBinary());
        expect(committed.indexOf(Buffer.from('RES-1', 'utf8'))).not.toBe(-1);
        expect(committed.indexOf(Buffer.from('code-1', 'utf8'))).toBe(-1);

        const { verdict: second } = await verify('Bank', 'RES-1', 'code-1', 'Shanghai');
        expect(second).toMatchObject({ verdict: 'SUSPECT', reasons: ['LOCATION_CHANGED'] });
        const { verdict: wrong } = await verify('Bank', 'RES-2', 'guess', 'Paris');
        expect(wrong).toEqual({ verdict: 'UNKNOWN', serial: 'RES-2' });
        // without the transient code Verify is refused: the code is never taken as an argument
        await expect(consumer.submitTransaction('Verify', 'RES-2', 'Paris')).rejects.toMatchObject({
            details: expect.arrayContaining([expect.objectContaining({ message: expect.stringMatching(/INVALID_ARGUMENT: code: expected the verification code in the transient data entry "code"/) })]),
        });
        // the regulator may verify too (read-only here), but cannot read member data as a non-member would
        const ro = JSON.parse(utf8.decode(await provenance('Regulator').evaluateTransaction('VerifyReadOnly', 'RES-2', 'code-2', 'Paris'))) as Verdict;
        expect(ro.verdict).toBe('GENUINE');
        await expect(consumer.evaluateTransaction('GetLot', 'bottled-1')).rejects.toMatchObject({
            details: expect.arrayContaining([expect.objectContaining({ message: expect.stringMatching(/FORBIDDEN: BankMSP is not a member/) })]),
        });
    }, 120_000);

    it('refuses to ship without a conformant inspection (INVALID_STATE) and changes nothing', async () => {
        await submit('Brand', 'CreateLot', JSON.stringify({ id: 'must-2', productId: 'must', quantity: '10', unit: 'L' }));
        const before = utf8.decode(await provenance('Regulator').evaluateTransaction('History', 'LOT', 'must-2'));
        await expect(provenance('Brand').submitTransaction('Ship', 'bad-ship-1', 'must-2', 'SupplierMSP', ctx())).rejects.toMatchObject({
            details: expect.arrayContaining([expect.objectContaining({ message: expect.stringMatching(/^chaincode response 500, INVALID_STATE: lot must-2 has no conformant inspection/) })]),
        });
        expect(utf8.decode(await provenance('Regulator').evaluateTransaction('History', 'LOT', 'must-2'))).toBe(before);
        expect(await lot('must-2')).toMatchObject({ status: 'CREATED', holder: 'BrandMSP' });
        // the request id was not consumed either: a correct later use of it succeeds
        await provenance('Brand').submitTransaction('RecordEvent', 'bad-ship-1', JSON.stringify({ lots: [{ lotId: 'must-2', quantity: '10' }], bizStep: 'commissioning', disposition: 'active', eventTime: AT }));
        expect((await lot('must-2')).status).toBe('IN_PROCESS');
    }, 60_000);
});
