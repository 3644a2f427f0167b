/**
 * Exactly-once requests. Every submit carries a client-chosen request id; the first transaction
 * that uses it records `(caller MSP id, request id) → txId` under its own composite key. A repeat
 * — a client retrying after a timeout or crash — is rejected with DUPLICATE_REQUEST naming the
 * transaction that did the work, so a retry can never double-issue, -transfer or -finance.
 *
 * Two concurrent transactions with the same id both read "absent" and both write the record; the
 * second to commit fails Fabric's MVCC check on that key, so exactly one of them takes effect.
 */
import { z } from 'zod';
import { fail } from '../domain/errors';
import { InstantSchema, MspIdSchema, TxIdSchema } from '../domain/membership';
import { Repository } from './repository';
import type { LedgerStub } from './stub';

export const RequestIdSchema = z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'expected a request id: 1-128 letters, digits, ".", "_", ":" or "-"');

export const RequestRecordSchema = z.strictObject({
    mspId: MspIdSchema,
    requestId: RequestIdSchema,
    txId: TxIdSchema,
    timestamp: InstantSchema,
    /** `contract:Transaction` that consumed the id. */
    transaction: z.string().min(1),
});
export type RequestRecord = z.infer<typeof RequestRecordSchema>;

export const requests = new Repository<RequestRecord>({
    label: 'request',
    type: 'request',
    schema: RequestRecordSchema,
    keyOf: (r) => [r.mspId, r.requestId],
});

/**
 * Record `requestId` for `mspId` in this transaction, or throw DUPLICATE_REQUEST when an earlier
 * transaction already used it (INVALID_ARGUMENT when the id is malformed).
 */
export async function claimRequest(
    stub: LedgerStub,
    claim: Readonly<{ mspId: string; requestId: string; transaction: string; timestamp: string }>,
): Promise<RequestRecord> {
    const parsed = RequestIdSchema.safeParse(claim.requestId);
    if (!parsed.success) throw fail('INVALID_ARGUMENT', `requestId: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const previous = await requests.find(stub, [claim.mspId, parsed.data]);
    if (previous !== undefined) {
        throw fail('DUPLICATE_REQUEST', `request ${parsed.data} already processed in transaction ${previous.txId}`);
    }
    const record: RequestRecord = {
        mspId: claim.mspId,
        requestId: parsed.data,
        txId: stub.getTxID(),
        timestamp: claim.timestamp,
        transaction: claim.transaction,
    };
    await requests.put(stub, record);
    await recordSubmitter(stub, { mspId: claim.mspId, transaction: claim.transaction, timestamp: claim.timestamp });
    return record;
}

/**
 * Who submitted each transaction, for audit: `[txId] → {by, transaction}`, one key per transaction (no hot key).
 * Fabric's key history gives tx id, time and value but not the submitter; History joins on this record.
 */
export const SubmitterRecordSchema = z.strictObject({
    txId: TxIdSchema,
    by: MspIdSchema,
    transaction: z.string().min(1),
    timestamp: InstantSchema,
});
export type SubmitterRecord = z.infer<typeof SubmitterRecordSchema>;

export const submitters = new Repository<SubmitterRecord>({
    label: 'submitter record',
    type: 'submitter',
    schema: SubmitterRecordSchema,
    keyOf: (r) => [r.txId],
});

/** Records the calling org as the submitter of this transaction (every write transaction does, once). */
export async function recordSubmitter(stub: LedgerStub, s: Readonly<{ mspId: string; transaction: string; timestamp: string }>): Promise<void> {
    await submitters.put(stub, { txId: stub.getTxID(), by: s.mspId, transaction: s.transaction, timestamp: s.timestamp });
}
