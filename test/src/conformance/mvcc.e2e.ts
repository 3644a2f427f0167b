// MVCC and phantom-read validation (core/ledger/kvledger/txmgmt/validation/validator.go) as the client sees it:
// the commit status code of each transaction, and CommitError from submitTransaction.
import { CommitError, StatusCode, type Contract, type Network, type Transaction } from '@hyperledger/fabric-gateway';
import { TestNetwork, testConfig, KVCC } from '../support/network';
import { CHANNEL, processedTx, settle, utf8 } from '../support/conformance';

describe('mvcc: read conflicts and phantom reads', () => {
    const net = new TestNetwork(testConfig(22000));
    let brand: Contract;
    let supplier: Contract;
    let network: Network;

    beforeAll(async () => {
        await net.start();
        await net.deploy(KVCC);
        network = net.gateway('Brand').getNetwork(CHANNEL);
        brand = network.getContract('upoint', 'kv');
        supplier = net.gateway('Supplier').getNetwork(CHANNEL).getContract('upoint', 'kv');
    }, 120_000);
    afterAll(() => net.stop());

    /** Endorses every proposal first (all simulate on the same committed state), then sends them to the orderer in order. */
    async function endorseAllThenSubmit(...txs: Array<{ contract: Contract; name: string; args: string[] }>) {
        await settle(net);
        const endorsed: Transaction[] = await Promise.all(txs.map((t) => t.contract.newProposal(t.name, { arguments: t.args }).endorse()));
        const submitted = [];
        for (const t of endorsed) submitted.push(await t.submit()); // each submit returns once the orderer accepted it
        return Promise.all(submitted.map((s) => s.getStatus()));
    }

    describe('5. two read-modify-writes of one key in one block', () => {
        it('exactly one is VALID and the other MVCC_READ_CONFLICT (11), in the same block', async () => {
            await brand.submitTransaction('Put', 'counter-a', '10');
            const [a, b] = await endorseAllThenSubmit(
                { contract: brand, name: 'Incr', args: ['counter-a'] },
                { contract: supplier, name: 'Incr', args: ['counter-a'] },
            );
            if (!a || !b) throw new Error('unreachable');
            expect(a.blockNumber).toBe(b.blockNumber);
            expect([a.code, b.code]).toEqual([StatusCode.VALID, StatusCode.MVCC_READ_CONFLICT]);
            expect(a.successful).toBe(true);
            expect(b.successful).toBe(false);
            expect(utf8.decode(await brand.evaluateTransaction('Get', 'counter-a'))).toBe('11');
            expect((await processedTx(network, b.transactionId)).getValidationcode()).toBe(StatusCode.MVCC_READ_CONFLICT);
        });

        it('concurrent submitTransaction calls: one returns, the other throws CommitError code 11', async () => {
            await brand.submitTransaction('Put', 'counter-b', '0');
            await settle(net);
            const results = await Promise.allSettled([brand.submitTransaction('Incr', 'counter-b'), supplier.submitTransaction('Incr', 'counter-b')]);
            const ok = results.filter((r): r is PromiseFulfilledResult<Uint8Array> => r.status === 'fulfilled');
            const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
            expect(ok).toHaveLength(1);
            expect(failed).toHaveLength(1);
            expect(utf8.decode(ok[0]?.value ?? new Uint8Array())).toBe('1');
            const err: unknown = failed[0]?.reason;
            if (!(err instanceof CommitError)) throw new Error(`expected CommitError, got ${String(err)}`);
            expect(err.code).toBe(StatusCode.MVCC_READ_CONFLICT);
            expect(err.message).toBe(`Transaction ${err.transactionId} failed to commit with status code 11 (MVCC_READ_CONFLICT)`);
            expect(utf8.decode(await brand.evaluateTransaction('Get', 'counter-b'))).toBe('1');
        });

        it('a read of an absent key conflicts with an earlier in-block insert of it', async () => {
            const [a, b] = await endorseAllThenSubmit(
                { contract: brand, name: 'Incr', args: ['fresh-counter'] },
                { contract: brand, name: 'Incr', args: ['fresh-counter'] },
            );
            expect([a?.code, b?.code]).toEqual([StatusCode.VALID, StatusCode.MVCC_READ_CONFLICT]);
            expect(utf8.decode(await brand.evaluateTransaction('Get', 'fresh-counter'))).toBe('1');
        });

        it('a stale read committed in a later block is MVCC_READ_CONFLICT too', async () => {
            await brand.submitTransaction('Put', 'counter-c', '5');
            await settle(net);
            const stale = await brand.newProposal('Incr', { arguments: ['counter-c'] }).endorse();
            await supplier.submitTransaction('Put', 'counter-c', '100');
            const status = await (await stale.submit()).getStatus();
            expect(status.code).toBe(StatusCode.MVCC_READ_CONFLICT);
            expect(utf8.decode(await brand.evaluateTransaction('Get', 'counter-c'))).toBe('100');
        });

        it('blind writes of one key in one block are both VALID; the later one wins', async () => {
            const [a, b] = await endorseAllThenSubmit(
                { contract: brand, name: 'Put', args: ['blind', 'first'] },
                { contract: supplier, name: 'Put', args: ['blind', 'second'] },
            );
            expect(a?.blockNumber).toBe(b?.blockNumber);
            expect([a?.code, b?.code]).toEqual([StatusCode.VALID, StatusCode.VALID]);
            expect(utf8.decode(await brand.evaluateTransaction('Get', 'blind'))).toBe('second');
        });
    });

    describe('6. phantom reads', () => {
        beforeAll(async () => {
            await brand.submitTransaction('Put', 'range-b', '1');
            await brand.submitTransaction('Put', 'range-d', '1');
        });

        it('an insert inside the range earlier in the block: PHANTOM_READ_CONFLICT (12) for the range reader', async () => {
            const [insert, count] = await endorseAllThenSubmit(
                { contract: supplier, name: 'Put', args: ['range-c', '1'] },
                { contract: brand, name: 'CountRange', args: ['range-a', 'range-z', 'count-1'] },
            );
            expect(insert?.blockNumber).toBe(count?.blockNumber);
            expect(insert?.code).toBe(StatusCode.VALID);
            expect(count?.code).toBe(StatusCode.PHANTOM_READ_CONFLICT);
            expect(await brand.evaluateTransaction('Get', 'count-1')).toEqual(new Uint8Array());
            expect(utf8.decode(await brand.evaluateTransaction('CountRange', 'range-a', 'range-z', 'unused'))).toBe('3');
        });

        it('the insert after the range reader in the same block: both VALID', async () => {
            const [count, insert] = await endorseAllThenSubmit(
                { contract: brand, name: 'CountRange', args: ['range-a', 'range-z', 'count-2'] },
                { contract: supplier, name: 'Put', args: ['range-e', '1'] },
            );
            expect(insert?.blockNumber).toBe(count?.blockNumber);
            expect([count?.code, insert?.code]).toEqual([StatusCode.VALID, StatusCode.VALID]);
            expect(utf8.decode(await brand.evaluateTransaction('Get', 'count-2'))).toBe('3');
        });

        it('an insert outside the range does not conflict', async () => {
            const [insert, count] = await endorseAllThenSubmit(
                { contract: supplier, name: 'Put', args: ['rangf-outside', '1'] },
                { contract: brand, name: 'CountRange', args: ['range-a', 'range-z', 'count-3'] },
            );
            expect([insert?.code, count?.code]).toEqual([StatusCode.VALID, StatusCode.VALID]);
            expect(utf8.decode(await brand.evaluateTransaction('Get', 'count-3'))).toBe('4');
        });

        it('a delete inside the range committed in an earlier block: PHANTOM_READ_CONFLICT', async () => {
            await settle(net);
            const stale = await brand.newProposal('CountRange', { arguments: ['range-a', 'range-z', 'count-4'] }).endorse();
            await supplier.submitTransaction('Del', 'range-e');
            const status = await (await stale.submit()).getStatus();
            expect(status.code).toBe(StatusCode.PHANTOM_READ_CONFLICT);
        });

        it('an update of a key inside the range in the same block (a version change) is a phantom too', async () => {
            const [update, count] = await endorseAllThenSubmit(
                { contract: supplier, name: 'Put', args: ['range-b', '2'] },
                { contract: brand, name: 'CountRange', args: ['range-a', 'range-z', 'count-5'] },
            );
            expect([update?.code, count?.code]).toEqual([StatusCode.VALID, StatusCode.PHANTOM_READ_CONFLICT]);
        });
    });
});
