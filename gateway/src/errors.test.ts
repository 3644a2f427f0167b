import { CommitError, StatusCode } from '@hyperledger/fabric-gateway';
import { ApiError, chaincodeErrorOf, ERROR_CODES, fromFabricError, HTTP_STATUS, problemOf, safeCause } from './errors';
import { endorseError } from './test-support/fakes';

describe('error catalogue', () => {
    it('gives every code a status and a problem body', () => {
        for (const code of ERROR_CODES) {
            const p = problemOf(new ApiError({ code, detail: 'd' }));
            expect(p).toMatchObject({ code, status: HTTP_STATUS[code], detail: 'd' });
            expect(p.type).toMatch(/^urn:upoint:error:[a-z-]+$/);
        }
    });

    it('reads the code only from a chaincode response prefix', () => {
        expect(chaincodeErrorOf({ message: 'chaincode response 500, NOT_FOUND: receivable r1' })).toEqual({ code: 'NOT_FOUND', text: 'receivable r1' });
        expect(chaincodeErrorOf({ message: 'NOT_FOUND: receivable r1' })).toBeUndefined();
        expect(chaincodeErrorOf({ message: 'chaincode response 500, SOMETHING: x' })).toBeUndefined();
        expect(chaincodeErrorOf({ message: 'chaincode response 500, the NOT_FOUND: x' })).toBeUndefined();
    });

    it('maps fabric-gateway errors: chaincode codes, the duplicate request\'s original txId, commit failures, unknowns', () => {
        const dup = fromFabricError(endorseError('DUPLICATE_REQUEST: request k already processed in transaction abc123'));
        expect([dup.code, dup.originalTxId, dup.status]).toEqual(['DUPLICATE_REQUEST', 'abc123', 409]);
        const commit = fromFabricError(new CommitError({ code: StatusCode.ENDORSEMENT_POLICY_FAILURE, transactionId: 't1' }));
        expect([commit.code, commit.txId]).toEqual(['CONFLICT', 't1']);
        const unknown = fromFabricError(new TypeError('boom at /srv/x.js:10'));
        expect([unknown.code, unknown.detail]).toEqual(['INTERNAL', 'internal error']);
    });

    it('logs causes without peer addresses', () => {
        const cause = safeCause(endorseError('NOT_FOUND: x'));
        expect(JSON.stringify(cause)).not.toMatch(/7051|peer0\.brand/);
        expect(cause).toMatchObject({ name: 'EndorseError', details: [{ mspId: 'BrandMSP' }] });
    });
});
