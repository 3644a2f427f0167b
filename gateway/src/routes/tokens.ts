/**
 * The stock-token family (chaincode contract `tokens`): stock lots held by a custodian, their tokens as UTXOs,
 * transfers, redemptions, pledges and offers paid by receivables. Bodies are validated with the chaincode's own
 * input schemas (chaincode/src/domain/tokens.ts).
 */
import { z } from 'zod';
import {
    DepositInputSchema,
    LotStatusSchema,
    OfferInputSchema,
    PledgeInputSchema,
    PositiveQuantitySchema,
    ReasonSchema,
    SpendInputSchema,
    TransferInputSchema,
} from '@upoint/chaincode/dist/domain/tokens';
import { readOperation, writeOperation, type Call, type Operation } from '../operation';
import { BookmarkSchema, chosenFilter, EmptyBodySchema, listQuery, MspIdSchema, PageSizeSchema, paging, TxIdSchema } from '../schemas';

const CONTRACT = 'tokens';
const TAG = 'stock tokens';

/** Stock lots, redemptions, pledges and offers are named by the transaction that created them. */
const IdParams = z.strictObject({ id: TxIdSchema });
const call = (transaction: string, ...args: string[]): Call => ({ contract: CONTRACT, transaction, args });
const at = (collection: string, id: string): string => `/v1/${collection}/${encodeURIComponent(id)}`;
const QuantityBody = z.strictObject({ quantity: PositiveQuantitySchema });

const StockLotListQuery = listQuery({ owner: MspIdSchema, custodian: MspIdSchema, status: LotStatusSchema });
const LIST_BY = { owner: 'OWNER', custodian: 'CUSTODIAN', status: 'STATUS' } as const;

/** A state change of the entity `/v1/{collection}/{id}` by `transaction(id, ...args(body))`. */
function change<B>(spec: {
    operationId: string;
    collection: string;
    suffix: string;
    method?: 'post' | 'delete';
    transaction: string;
    summary: string;
    body: z.ZodType<unknown, B>;
    args?: (b: B) => string[];
}): Operation {
    return writeOperation({
        operationId: spec.operationId,
        method: spec.method ?? 'post',
        path: `/v1/${spec.collection}/{id}${spec.suffix}`,
        summary: spec.summary,
        tag: TAG,
        params: IdParams,
        body: spec.body,
        call: ({ params, body }) => call(spec.transaction, params.id, ...(spec.args?.(body) ?? [])),
        location: (_r, _tx, { params }) => at(spec.collection, params.id),
    });
}

/** A creation whose new entity is named by its transaction id. */
function create<B>(spec: { operationId: string; collection: string; transaction: string; summary: string; body: z.ZodType<unknown, B> }): Operation {
    return writeOperation({
        operationId: spec.operationId,
        path: `/v1/${spec.collection}`,
        summary: spec.summary,
        tag: TAG,
        status: 201,
        params: z.strictObject({}),
        body: spec.body,
        call: ({ body }) => call(spec.transaction, JSON.stringify(body)),
        location: (_r, txId) => at(spec.collection, txId),
    });
}

function get(operationId: string, collection: string, transaction: string, summary: string): Operation {
    return readOperation({ operationId, path: `/v1/${collection}/{id}`, summary, tag: TAG, params: IdParams, call: ({ params }) => call(transaction, params.id) });
}

export const tokenOperations: readonly Operation[] = [
    create({
        operationId: 'depositStockLot',
        collection: 'stock-lots',
        transaction: 'Deposit',
        summary: 'Deposit goods with a custodian: a new stock lot owned by the caller, not yet attested',
        body: DepositInputSchema,
    }),
    readOperation({
        operationId: 'listStockLots',
        path: '/v1/stock-lots',
        summary: 'List stock lots by owner, custodian or status, one page at a time',
        tag: TAG,
        params: z.strictObject({}),
        query: StockLotListQuery,
        call: ({ query }) => {
            const [by, value] = chosenFilter(query, ['owner', 'custodian', 'status']);
            return call('ListStockLots', LIST_BY[by], value, ...paging(query));
        },
    }),
    get('getStockLot', 'stock-lots', 'GetStockLot', 'One stock lot'),
    readOperation({
        operationId: 'getStockLotSupply',
        path: '/v1/stock-lots/{id}/supply',
        summary: 'Tokens of the lot: minted, unspent, pledged, offered and redeemed, summed from the ledger',
        tag: TAG,
        params: IdParams,
        call: ({ params }) => call('GetSupply', params.id),
    }),
    change({
        operationId: 'attestStockLot',
        collection: 'stock-lots',
        suffix: '/attestation',
        transaction: 'Attest',
        summary: 'The custodian confirms the quantity on hand (≤ deposited); tokens may be minted up to it',
        body: QuantityBody,
        args: (b) => [b.quantity],
    }),
    change({
        operationId: 'mintTokens',
        collection: 'stock-lots',
        suffix: '/mint',
        transaction: 'Mint',
        summary: "The owner mints tokens against the attested quantity (into the owner's balance)",
        body: QuantityBody,
        args: (b) => [b.quantity],
    }),
    change({
        operationId: 'freezeStockLot',
        collection: 'stock-lots',
        suffix: '/freeze',
        transaction: 'Freeze',
        summary: "The custodian freezes the lot's tokens (no transfer, pledge or offer)",
        body: EmptyBodySchema,
    }),
    change({
        operationId: 'unfreezeStockLot',
        collection: 'stock-lots',
        suffix: '/unfreeze',
        transaction: 'Unfreeze',
        summary: 'The custodian lifts a freeze',
        body: EmptyBodySchema,
    }),
    change({
        operationId: 'impairStockLot',
        collection: 'stock-lots',
        suffix: '/impairment',
        transaction: 'Impair',
        summary: 'The custodian reports the goods damaged or lost: the lot is impaired for good',
        body: z.strictObject({ reason: ReasonSchema }),
        args: (b) => [b.reason],
    }),
    writeOperation({
        operationId: 'transferTokens',
        path: '/v1/token-transfers',
        summary: 'Transfer tokens of a stock lot to another member (change returns to the caller)',
        tag: TAG,
        params: z.strictObject({}),
        body: TransferInputSchema,
        call: ({ body }) => call('Transfer', JSON.stringify(body)),
    }),
    readOperation({
        operationId: 'getBalance',
        path: '/v1/balances',
        summary: "A member's unspent tokens of a stock lot (free, pledged and offered)",
        tag: TAG,
        params: z.strictObject({}),
        query: z.strictObject({ owner: MspIdSchema, stockLotId: TxIdSchema }),
        call: ({ query }) => call('Balance', query.owner, query.stockLotId),
    }),
    readOperation({
        operationId: 'listOutputs',
        path: '/v1/outputs',
        summary: "A member's token outputs (UTXOs), of one stock lot or of all, one page at a time",
        tag: TAG,
        params: z.strictObject({}),
        query: z.strictObject({ owner: MspIdSchema, stockLotId: TxIdSchema.optional(), pageSize: PageSizeSchema.optional(), bookmark: BookmarkSchema.optional() }),
        call: ({ query }) => call('ListOutputs', query.owner, query.stockLotId ?? '', ...paging(query)),
    }),
    create({
        operationId: 'redeemTokens',
        collection: 'redemptions',
        transaction: 'Redeem',
        summary: 'Burn tokens and ask the custodian to release the goods',
        body: SpendInputSchema,
    }),
    get('getRedemption', 'redemptions', 'GetRedemption', 'One redemption'),
    change({
        operationId: 'fulfilRedemption',
        collection: 'redemptions',
        suffix: '/fulfilment',
        transaction: 'FulfilRedemption',
        summary: 'The custodian confirms the goods were released',
        body: EmptyBodySchema,
    }),
    create({
        operationId: 'pledgeTokens',
        collection: 'pledges',
        transaction: 'Pledge',
        summary: 'Pledge tokens to a financier (locked until released or foreclosed)',
        body: PledgeInputSchema,
    }),
    get('getPledge', 'pledges', 'GetPledge', 'One pledge'),
    change({
        operationId: 'releasePledge',
        collection: 'pledges',
        suffix: '/release',
        transaction: 'Release',
        summary: 'The financier releases the pledge: the tokens return to their owner',
        body: EmptyBodySchema,
    }),
    change({
        operationId: 'foreclosePledge',
        collection: 'pledges',
        suffix: '/foreclosure',
        transaction: 'Foreclose',
        summary: "The financier forecloses: the tokens become the financier's",
        body: EmptyBodySchema,
    }),
    create({
        operationId: 'offerTokens',
        collection: 'offers',
        transaction: 'Offer',
        summary: 'Offer tokens for sale at a unit price, paid by a receivable on the given terms',
        body: OfferInputSchema,
    }),
    readOperation({
        operationId: 'listOffers',
        path: '/v1/offers',
        summary: 'Open offers, one page at a time',
        tag: TAG,
        params: z.strictObject({}),
        query: z.strictObject({ pageSize: PageSizeSchema.optional(), bookmark: BookmarkSchema.optional() }),
        call: ({ query }) => call('ListOffers', ...paging(query)),
    }),
    get('getOffer', 'offers', 'GetOffer', 'One offer'),
    change({
        operationId: 'purchaseOffer',
        collection: 'offers',
        suffix: '/purchase',
        transaction: 'Purchase',
        summary: 'Buy tokens from an offer: the caller receives them and issues a receivable to the seller, in one transaction',
        body: QuantityBody,
        args: (b) => [b.quantity],
    }),
    change({
        operationId: 'cancelOffer',
        collection: 'offers',
        suffix: '',
        method: 'delete',
        transaction: 'CancelOffer',
        summary: 'The seller withdraws the offer (the tokens are unlocked)',
        body: EmptyBodySchema,
    }),
];
