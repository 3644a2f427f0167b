import type { ChaincodeStub } from 'fabric-shim-api';

/**
 * The part of Fabric's ChaincodeStub the ledger layer uses. Depending on this subset (rather than
 * the whole stub) keeps the test double honest: it implements exactly these methods.
 */
export type LedgerStub = Pick<
    ChaincodeStub,
    | 'getState'
    | 'putState'
    | 'deleteState'
    | 'createCompositeKey'
    | 'splitCompositeKey'
    | 'getStateByPartialCompositeKey'
    | 'getTxID'
    | 'getTxTimestamp'
    | 'setEvent'
    | 'getFunctionAndParameters'
    | 'getTransient'
>;

/**
 * The transaction timestamp (set by the client in the proposal header, identical on every
 * endorser) as an ISO-8601 UTC instant with nanoseconds: `2024-05-01T12:00:00.123456789Z`.
 * The only clock chaincode may read.
 */
export function txInstant(stub: Pick<ChaincodeStub, 'getTxTimestamp'>): string {
    const { seconds, nanos } = stub.getTxTimestamp();
    const secs = BigInt(seconds.toString());
    if (!Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) {
        throw new RangeError(`transaction timestamp has invalid nanos ${nanos}`);
    }
    if (secs < 0n || secs >= 253_402_300_800n) throw new RangeError(`transaction timestamp ${secs}s is outside years 1970-9999`);
    const whole = new Date(Number(secs) * 1000).toISOString(); // yyyy-mm-ddThh:mm:ss.000Z
    return `${whole.slice(0, 19)}.${String(nanos).padStart(9, '0')}Z`;
}
