import { CommitError, StatusCode } from '@hyperledger/fabric-gateway';
import { backoffMs, retryReason, withRetry } from './retry';
import { endorseError } from './test-support/fakes';

describe('retry decisions', () => {
    it('retries lost races and unavailable endorsers, never chaincode refusals', () => {
        expect(retryReason(new CommitError({ code: StatusCode.MVCC_READ_CONFLICT, transactionId: 't' }))).toBe('MVCC_READ_CONFLICT');
        expect(retryReason(new CommitError({ code: StatusCode.PHANTOM_READ_CONFLICT, transactionId: 't' }))).toBe('PHANTOM_READ_CONFLICT');
        expect(retryReason(new CommitError({ code: StatusCode.ENDORSEMENT_POLICY_FAILURE, transactionId: 't' }))).toBeUndefined();
        expect(retryReason(endorseError('x', { grpcCode: 14, details: [] }))).toBe('UNAVAILABLE');
        expect(retryReason(endorseError('INVALID_STATE: no', { grpcCode: 14 }))).toBeUndefined();
        expect(retryReason(endorseError('INVALID_STATE: no'))).toBeUndefined();
        expect(retryReason(new Error('x'))).toBeUndefined();
    });

    it('backs off exponentially with a cap', () => {
        const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 300 };
        expect([1, 2, 3, 4].map((n) => backoffMs(n, policy, () => 1))).toEqual([100, 200, 300, 300]);
        expect(backoffMs(1, policy, () => 0)).toBe(50);
    });

    it('stops after the policy\'s attempts and rethrows the last error', async () => {
        let n = 0;
        const conflict = new CommitError({ code: StatusCode.MVCC_READ_CONFLICT, transactionId: 't' });
        const retried: number[] = [];
        await expect(
            withRetry(() => {
                n += 1;
                return Promise.reject(conflict);
            }, { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 }, { sleep: () => Promise.resolve(), onRetry: (_r, a) => retried.push(a) }),
        ).rejects.toBe(conflict);
        expect([n, retried]).toEqual([3, [1, 2]]);
    });
});
