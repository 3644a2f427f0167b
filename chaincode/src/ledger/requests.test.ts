import { ChaincodeError } from '../domain/errors';
import { TestLedger, TestStub } from '../test-support/context';
import { claimRequest } from './requests';

const at = '2024-01-01T00:00:00.000000000Z';

async function errorOf(p: Promise<unknown>): Promise<ChaincodeError> {
    const e: unknown = await p.then(
        () => undefined,
        (err: unknown) => err,
    );
    if (!(e instanceof ChaincodeError)) throw new Error(`expected a ChaincodeError, got ${String(e)}`);
    return e;
}

describe('claimRequest', () => {
    it('records the first use and rejects a repeat naming the original transaction', async () => {
        const ledger = new TestLedger();
        const first = new TestStub({ ledger, mspId: 'BrandMSP', fcn: 'f', txId: 'tx-original' });
        const record = await claimRequest(first, { mspId: 'BrandMSP', requestId: 'req-1', transaction: 'c:f', timestamp: at });
        expect(record).toEqual({ mspId: 'BrandMSP', requestId: 'req-1', txId: 'tx-original', timestamp: at, transaction: 'c:f' });
        expect([...first.writes.keys()]).toEqual(['\u0000upoint.request\u0000BrandMSP\u0000req-1\u0000', '\u0000upoint.submitter\u0000tx-original\u0000']);
        expect(Buffer.from(first.writes.get('\u0000upoint.submitter\u0000tx-original\u0000') ?? []).toString()).toBe(
            `{"by":"BrandMSP","timestamp":"${at}","transaction":"c:f","txId":"tx-original"}`,
        );
        await first.commit();

        const retry = new TestStub({ ledger, mspId: 'BrandMSP', fcn: 'f', txId: 'tx-retry' });
        const err = await errorOf(claimRequest(retry, { mspId: 'BrandMSP', requestId: 'req-1', transaction: 'c:f', timestamp: at }));
        expect(err.code).toBe('DUPLICATE_REQUEST');
        expect(err.message).toBe('DUPLICATE_REQUEST: request req-1 already processed in transaction tx-original');
        expect(retry.writes.size).toBe(0);
    });

    it('scopes request ids per org', async () => {
        const ledger = new TestLedger();
        const a = new TestStub({ ledger, mspId: 'BrandMSP', fcn: 'f', txId: 't1' });
        await claimRequest(a, { mspId: 'BrandMSP', requestId: 'same', transaction: 'c:f', timestamp: at });
        await a.commit();
        const b = new TestStub({ ledger, mspId: 'BankMSP', fcn: 'f', txId: 't2' });
        await expect(claimRequest(b, { mspId: 'BankMSP', requestId: 'same', transaction: 'c:f', timestamp: at })).resolves.toMatchObject({ txId: 't2' });
    });

    it.each(['', 'has space', 'a\u0000b', 'x'.repeat(129), '-lead'])('rejects request id %p as INVALID_ARGUMENT', async (requestId) => {
        const stub = new TestStub({ ledger: new TestLedger(), mspId: 'BrandMSP', fcn: 'f' });
        expect((await errorOf(claimRequest(stub, { mspId: 'BrandMSP', requestId, transaction: 'c:f', timestamp: at }))).code).toBe('INVALID_ARGUMENT');
    });
});
