/** Audit: a transaction's commit status (qscc). */
import { z } from 'zod';
import { customOperation, type Operation } from '../operation';
import { TxIdSchema } from '../schemas';

export const TransactionStatusSchema = z.object({
    txId: z.string(),
    status: z.enum(['VALID', 'INVALID']),
    validationCode: z.string().meta({ description: "Fabric's TxValidationCode name, e.g. VALID or MVCC_READ_CONFLICT" }),
    blockNumber: z.string(),
});

export const transactionOperations: readonly Operation[] = [
    customOperation({
        operationId: 'getTransaction',
        path: '/v1/transactions/{txId}',
        summary: 'Commit status of a transaction: VALID or INVALID, its block number and validation code (404 until committed)',
        tag: 'audit',
        params: z.strictObject({ txId: TxIdSchema }),
        result: TransactionStatusSchema,
        run: async ({ params, principal }, fabric) => {
            const t = await fabric.transaction(principal.mspId, params.txId);
            return { status: 200, body: { txId: t.txId, status: t.valid ? 'VALID' : 'INVALID', validationCode: t.validationCode, blockNumber: t.blockNumber } };
        },
    }),
];
