/** The receivables family (chaincode contract `receivables`): issue, accept, split-transfer, finance, settle. */
import { z } from 'zod';
import { readOperation, writeOperation, type Call, type Operation } from '../operation';
import { AmountSchema, chosenFilter, CurrencySchema, DateSchema, EmptyBodySchema, listQuery, MspIdSchema, paging, Sha256Schema } from '../schemas';

const CONTRACT = 'receivables';
const TAG = 'receivables';

export const ReceivableIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,160}$/, 'expected a receivable id');
export const ReceivableStatusSchema = z.enum(['PENDING', 'ACTIVE', 'REJECTED', 'SPLIT', 'UNDER_FINANCING', 'SETTLEMENT_PENDING', 'SETTLED', 'OVERDUE']);
const IdParams = z.strictObject({ id: ReceivableIdSchema });

export const IssueBodySchema = z.strictObject({
    holder: MspIdSchema.meta({ description: 'MSP id of the creditor' }),
    amount: AmountSchema,
    currency: CurrencySchema,
    maturityDate: DateSchema,
    invoiceHash: Sha256Schema.meta({ description: 'SHA-256 (hex) of the invoice; backs at most one receivable' }),
    contractHash: Sha256Schema.meta({ description: 'SHA-256 (hex) of the contract' }),
});
export const TransferBodySchema = z.strictObject({
    parts: z
        .array(z.strictObject({ holder: MspIdSchema, amount: AmountSchema }))
        .min(1)
        .max(50)
        .meta({ description: 'the new holders and amounts, the part the holder keeps included; they sum exactly to the receivable' }),
});
const FinancingRequestBodySchema = z.strictObject({ financier: MspIdSchema.meta({ description: 'MSP id of a member with the FINANCIER role' }) });
const FinanceBodySchema = z.strictObject({ discountedAmount: AmountSchema.meta({ description: 'price paid to the holder, ≤ the face amount' }) });
export const ListQuerySchema = listQuery({ holder: MspIdSchema, issuer: MspIdSchema, status: ReceivableStatusSchema });
const LIST_BY = { holder: 'ListByHolder', issuer: 'ListByIssuer', status: 'ListByStatus' } as const;

const get = (id: string): Call => ({ contract: CONTRACT, transaction: 'Get', args: [id] });

/** A state change of one receivable `{id}` with `body`. */
function change<B>(operationId: string, suffix: string, transaction: string, summary: string, body: z.ZodType<unknown, B>, args: (b: B) => string[]): Operation {
    return writeOperation({
        operationId,
        path: `/v1/receivables/{id}/${suffix}`,
        summary,
        tag: TAG,
        params: IdParams,
        body,
        call: ({ params, body: b }) => ({ contract: CONTRACT, transaction, args: [params.id, ...args(b)] }),
    });
}

export const receivableOperations: readonly Operation[] = [
    writeOperation({
        operationId: 'issueReceivable',
        path: '/v1/receivables',
        summary: 'Issue a receivable (the caller is the debtor) to a holder; one per invoice hash',
        tag: TAG,
        status: 201,
        params: z.strictObject({}),
        body: IssueBodySchema,
        call: ({ body: b }) => ({ contract: CONTRACT, transaction: 'Issue', args: [b.holder, b.amount, b.currency, b.maturityDate, b.invoiceHash, b.contractHash] }),
        // Issue's receivable id is its transaction id
        location: (_result, txId) => `/v1/receivables/${encodeURIComponent(txId)}`,
    }),
    readOperation({
        operationId: 'listReceivables',
        path: '/v1/receivables',
        summary: 'List receivables by holder, issuer or status, one page at a time',
        tag: TAG,
        params: z.strictObject({}),
        query: ListQuerySchema,
        call: ({ query }) => {
            const [by, value] = chosenFilter(query, ['holder', 'issuer', 'status']);
            return { contract: CONTRACT, transaction: LIST_BY[by], args: [value, ...paging(query)] };
        },
    }),
    readOperation({
        operationId: 'getReceivable',
        path: '/v1/receivables/{id}',
        summary: 'One receivable',
        tag: TAG,
        params: IdParams,
        call: ({ params }) => get(params.id),
    }),
    readOperation({
        operationId: 'getReceivableTree',
        path: '/v1/receivables/{id}/tree',
        summary: 'The split tree of a root receivable with live and settled totals',
        tag: TAG,
        params: IdParams,
        call: ({ params }) => ({ contract: CONTRACT, transaction: 'Tree', args: [params.id] }),
    }),
    change('acceptReceivable', 'acceptance', 'Accept', 'The holder accepts a PENDING receivable', EmptyBodySchema, () => []),
    change('rejectReceivable', 'rejection', 'Reject', 'The holder rejects a PENDING receivable', EmptyBodySchema, () => []),
    change('transferReceivable', 'transfers', 'SplitTransfer', 'The holder splits an ACTIVE receivable into parts for new holders', TransferBodySchema, (b) => [
        JSON.stringify(b.parts),
    ]),
    change('requestFinancing', 'financing-requests', 'RequestFinancing', 'The holder asks a financier to finance the receivable', FinancingRequestBodySchema, (b) => [
        b.financier,
    ]),
    change('financeReceivable', 'financing', 'Finance', 'The financier buys the receivable at a discount', FinanceBodySchema, (b) => [b.discountedAmount]),
    change('declineFinancing', 'financing-decline', 'DeclineFinancing', 'The financier or the holder declines the financing', EmptyBodySchema, () => []),
    change('settleReceivable', 'settlement', 'Settle', 'The issuer declares the receivable paid', EmptyBodySchema, () => []),
    change('confirmSettlement', 'settlement-confirmation', 'ConfirmSettlement', 'The holder confirms the payment', EmptyBodySchema, () => []),
    readOperation({
        operationId: 'getCreditRecord',
        path: '/v1/credit/{mspId}',
        summary: "An issuer's settlement record: on time, late, overdue",
        tag: TAG,
        params: z.strictObject({ mspId: MspIdSchema }),
        call: ({ params }) => ({ contract: CONTRACT, transaction: 'CreditRecord', args: [params.mspId] }),
    }),
];
