/** Audit: a transaction's commit status (qscc), any entity's key history, and the live stream of chaincode events. */
import { z } from 'zod';
import { ApiError } from '../errors';
import type { EventStart } from '../fabric';
import { customOperation, readOperation, streamOperation, type Call, type Operation } from '../operation';
import { TxIdSchema } from '../schemas';

export const TransactionStatusSchema = z.object({
    txId: z.string(),
    status: z.enum(['VALID', 'INVALID']),
    validationCode: z.string().meta({ description: "Fabric's TxValidationCode name, e.g. VALID or MVCC_READ_CONFLICT" }),
    blockNumber: z.string(),
    function: z.string().meta({ description: 'the chaincode function it invoked, e.g. receivables:SplitTransfer' }),
    writes: z
        .array(z.object({ kind: z.string(), id: z.string(), isDelete: z.boolean() }))
        .meta({ description: 'the entities it wrote, as GET /v1/history/{kind}/{id} names them (its key history)' }),
});

/** Entity kinds with a key history, and the chaincode call that reads it. */
const HISTORY: Readonly<Record<string, (id: string) => Call>> = {
    product: (id) => ({ contract: 'provenance', transaction: 'History', args: ['PRODUCT', id] }),
    lot: (id) => ({ contract: 'provenance', transaction: 'History', args: ['LOT', id] }),
    unit: (id) => ({ contract: 'provenance', transaction: 'History', args: ['UNIT', id] }),
    'stock-lot': (id) => ({ contract: 'tokens', transaction: 'History', args: ['LOT', id] }),
    offer: (id) => ({ contract: 'tokens', transaction: 'History', args: ['OFFER', id] }),
    pledge: (id) => ({ contract: 'tokens', transaction: 'History', args: ['PLEDGE', id] }),
    redemption: (id) => ({ contract: 'tokens', transaction: 'History', args: ['REDEMPTION', id] }),
    receivable: (id) => ({ contract: 'receivables', transaction: 'History', args: [id] }),
};
export const HistoryKindSchema = z.enum(['product', 'lot', 'unit', 'stock-lot', 'offer', 'pledge', 'redemption', 'receivable']);

/** `<block>:<txId>`, the id of every event on the stream. */
export const EventIdSchema = z.string().regex(/^([0-9]{1,20}):([A-Za-z0-9._:-]{1,128})$/, 'expected an event id <block>:<txId>');
/** The chaincode names each event `<contract>.<transaction>` (chaincode/src/contracts/base.ts). */
const EventNameSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,63}(\.[A-Za-z][A-Za-z0-9]{0,63})?$/, 'expected an event name such as tokens.Deposit');
export const EventsQuerySchema = z.strictObject({
    fromBlock: z
        .string()
        .regex(/^[0-9]{1,20}$/, 'expected a block number')
        .optional()
        .meta({ description: 'replay from this block when there is no Last-Event-ID (default: only new events)' }),
    types: z
        .string()
        .max(1024)
        .optional()
        .meta({ description: 'comma-separated event names (`<contract>.<transaction>`) to keep, e.g. provenance.Ship,receivables.Issue (default: all)' }),
});
export const StreamedEventSchema = z.object({
    blockNumber: z.string(),
    txId: z.string(),
    name: z.string(),
    payload: z.unknown().meta({ description: 'the event as the chaincode emitted it (JSON)' }),
});

/** Where a stream starts: just after Last-Event-ID, else at fromBlock, else at the next block. */
export function eventStart(lastEventId: string | undefined, fromBlock: string | undefined): EventStart | undefined {
    if (lastEventId !== undefined) {
        const m = EventIdSchema.safeParse(lastEventId);
        if (!m.success) throw new ApiError({ code: 'VALIDATION_FAILED', detail: 'invalid Last-Event-ID', errors: [{ path: 'header.Last-Event-ID', message: 'expected <block>:<txId>' }] });
        const i = lastEventId.indexOf(':');
        return { blockNumber: BigInt(lastEventId.slice(0, i)), afterTxId: lastEventId.slice(i + 1) };
    }
    return fromBlock === undefined ? undefined : { blockNumber: BigInt(fromBlock) };
}

function eventTypes(types: string | undefined): ReadonlySet<string> | undefined {
    if (types === undefined) return undefined;
    const names = types.split(',').map((t) => t.trim()).filter((t) => t !== '');
    const bad = names.filter((n) => !EventNameSchema.safeParse(n).success);
    if (bad.length > 0) throw new ApiError({ code: 'VALIDATION_FAILED', detail: 'invalid event names', errors: bad.map(() => ({ path: 'query.types', message: 'expected event names such as tokens.Deposit' })) });
    return new Set(names);
}

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
            return {
                status: 200,
                body: { txId: t.txId, status: t.valid ? 'VALID' : 'INVALID', validationCode: t.validationCode, blockNumber: t.blockNumber, function: t.invocation[0] ?? '', writes: t.writes },
            };
        },
    }),
    readOperation({
        operationId: 'getHistory',
        path: '/v1/history/{kind}/{id}',
        summary: "Every committed version of an entity's record, newest first, with the transaction and time of each (deletions included)",
        tag: 'audit',
        params: z.strictObject({ kind: HistoryKindSchema, id: TxIdSchema }),
        call: ({ params }) => {
            const read = HISTORY[params.kind];
            if (read === undefined) throw new ApiError({ code: 'VALIDATION_FAILED', detail: `unknown kind ${params.kind}` });
            return read(params.id);
        },
    }),
    streamOperation({
        operationId: 'streamEvents',
        path: '/v1/events',
        summary:
            'Server-Sent Events of chaincode events (valid transactions only, in ledger order); reconnect with Last-Event-ID to resume without loss or repeats',
        tag: 'audit',
        query: EventsQuerySchema,
        result: StreamedEventSchema,
        start: ({ query }, lastEventId) => {
            const start = eventStart(lastEventId, query.fromBlock);
            const types = eventTypes(query.types);
            return { ...(start !== undefined ? { start } : {}), ...(types !== undefined ? { types } : {}) };
        },
    }),
];
