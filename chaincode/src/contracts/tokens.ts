/**
 * `tokens` — stock lots (warehouse receipts) and their tokens as UTXOs (DESIGN.md §3.2). Thin:
 * authorization, request ids and the single event are BaseContract's; the rules live in
 * domain/tokens.ts, the keys and sums in ledger/tokens.ts.
 *
 * Every move consumes whole outputs of one owner and lot and creates outputs summing to the same
 * quantity (change back to the sender); a consumed output is marked SPENT under its own key, so a
 * second spend sees it spent, and two concurrent spends of the same output conflict at MVCC on that key.
 *
 * Concurrency: a spend that names its `inputs` reads exactly those outputs, each by its own key, so
 * concurrent spends from one holder of one lot with disjoint inputs never invalidate each other. Without
 * `inputs` the chaincode chooses them by scanning the holder's outputs of the lot, a range read that any
 * concurrent spend by the same holder of the same lot invalidates (PHANTOM_READ_CONFLICT or
 * MVCC_READ_CONFLICT): concurrent clients should pass `inputs` (ListOutputs gives the unspent ones).
 */
import { Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { z } from 'zod';
import { fail } from '../domain/errors';
import { isRegulator, type Member, MspIdSchema } from '../domain/membership';
import {
    attest,
    cancelOffer,
    closePledge,
    deposit,
    DepositInputSchema,
    EntityIdSchema,
    freeze,
    holding,
    impair,
    LotStatusSchema,
    mint,
    move,
    type Move,
    offer,
    OfferInputSchema,
    OfferSchema,
    type Output,
    outputIds,
    OutputSchema,
    pledge,
    PledgeInputSchema,
    PledgeSchema,
    PositiveQuantitySchema,
    purchase,
    ReasonSchema,
    redeem,
    RedemptionSchema,
    requireMovable,
    requireSpendable,
    selectInputs,
    SpendInputSchema,
    type StockLot,
    StockLotSchema,
    TransferInputSchema,
    type TxFacts,
    fulfil,
} from '../domain/tokens';
import { type CodecValue, encodeToString } from '../ledger/codec';
import { members } from '../ledger/registry';
import {
    getOutput,
    heldOutputs,
    lotsByCustodian,
    lotsByOwner,
    lotsByStatus,
    lotSupply,
    namedOutputs,
    offers,
    OrgLotRefSchema,
    pledges,
    redemptions,
    saveLot,
    saveOutputs,
    StatusLotRefSchema,
    stockLots,
} from '../ledger/tokens';
import { history, MAX_PAGE_SIZE, page, type QueryStub } from '../ledger/query';
import { Access } from './access';
import { parseArgument, parseJsonArgument } from './arguments';
import { BaseContract } from './base';
import { UPointContext } from './context';
import { issueReceivableInTx } from './receivables';

const REQUEST_ID = 'client request id, unique per org; a repeat fails with DUPLICATE_REQUEST';
const INPUTS =
    ' "inputs": the outputs to consume, each read by its own key, so concurrent spends with disjoint inputs never conflict;' +
    " without inputs they are chosen by scanning the caller's outputs of the lot, a range read that any concurrent spend" +
    ' by the caller of the same lot invalidates (MVCC/phantom conflict): concurrent clients should pass inputs';
const PageSizeSchema = z
    .string()
    .regex(/^[1-9][0-9]{0,8}$/, 'expected a positive integer')
    .transform(Number)
    .refine((n) => n <= MAX_PAGE_SIZE, `at most ${MAX_PAGE_SIZE}`);
const BookmarkSchema = z.string().max(1024);
const ListBySchema = z.enum(['OWNER', 'CUSTODIAN', 'STATUS']);
const HistoryKindSchema = z.enum(['LOT', 'OFFER', 'PLEDGE', 'REDEMPTION']);
const OptionalLotIdSchema = z.union([z.literal(''), EntityIdSchema]);

@Info({ title: 'tokens', description: 'Stock lots (warehouse receipts) tokenized as UTXOs: mint, transfer, redeem, pledge, offer and delivery-versus-payment' })
export class TokensContract extends BaseContract {
    constructor() {
        super('tokens');
    }

    // --- stock lots ------------------------------------------------------------------------------

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('depositJson', 'string', 'JSON {"batchLotId","sku","unit","quantity":"<int>","unitValuation":{"amount":"<minor units>","currency"},"custodian":"<MSP id with CUSTODIAN role>"}')
    @Returns('string')
    async Deposit(ctx: UPointContext, requestId: string, depositJson: string): Promise<string> {
        void requestId; // claimed by BaseContract.beforeTransaction
        const input = parseJsonArgument('depositJson', depositJson, DepositInputSchema);
        const lot = deposit({ id: ctx.txId, owner: ctx.caller.mspId, input, custodian: await members.find(ctx.ledger, [input.custodian]), tx: facts(ctx) });
        await saveLot(ctx.ledger, lot, null);
        ctx.emit({ type: 'StockLotDeposited', lot });
        return encodeToString(lot);
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('lotId', 'string', 'stock lot id')
    @Param('quantity', 'string', 'quantity confirmed on hand (≤ deposited), decimal integer string')
    @Returns('string')
    async Attest(ctx: UPointContext, requestId: string, lotId: string, quantity: string): Promise<string> {
        void requestId;
        const lot = await loadLot(ctx, lotId);
        const next = attest(lot, ctx.caller.mspId, parseArgument('quantity', quantity, PositiveQuantitySchema), facts(ctx));
        return saveLotChange(ctx, lot, next, { type: 'StockLotAttested', lotId: lot.id, attested: next.attested });
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('lotId', 'string', 'stock lot id')
    @Returns('string')
    async Freeze(ctx: UPointContext, requestId: string, lotId: string): Promise<string> {
        void requestId;
        const lot = await loadLot(ctx, lotId);
        return saveLotChange(ctx, lot, freeze(lot, ctx.caller.mspId, true, facts(ctx)), { type: 'StockLotFrozen', lotId: lot.id });
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('lotId', 'string', 'stock lot id')
    @Returns('string')
    async Unfreeze(ctx: UPointContext, requestId: string, lotId: string): Promise<string> {
        void requestId;
        const lot = await loadLot(ctx, lotId);
        return saveLotChange(ctx, lot, freeze(lot, ctx.caller.mspId, false, facts(ctx)), { type: 'StockLotUnfrozen', lotId: lot.id });
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('lotId', 'string', 'stock lot id')
    @Param('reason', 'string', 'why the goods are impaired (damage, loss, spoilage…)')
    @Returns('string')
    async Impair(ctx: UPointContext, requestId: string, lotId: string, reason: string): Promise<string> {
        void requestId;
        const lot = await loadLot(ctx, lotId);
        const why = parseArgument('reason', reason, ReasonSchema);
        return saveLotChange(ctx, lot, impair(lot, ctx.caller.mspId, why, facts(ctx)), { type: 'StockLotImpaired', lotId: lot.id, reason: why });
    }

    // --- tokens ----------------------------------------------------------------------------------

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('lotId', 'string', 'stock lot id (caller must own it; attested)')
    @Param('quantity', 'string', 'tokens to mint; total minted stays ≤ attested')
    @Returns('string')
    async Mint(ctx: UPointContext, requestId: string, lotId: string, quantity: string): Promise<string> {
        void requestId;
        const lot = await loadLot(ctx, lotId);
        const q = parseArgument('quantity', quantity, PositiveQuantitySchema);
        const minted = mint(lot, ctx.caller.mspId, q, facts(ctx), outputIds(ctx.txId));
        await saveLot(ctx.ledger, minted.lot, lot.status);
        await saveOutputs(ctx.ledger, [], [minted.output]);
        ctx.emit({ type: 'TokensMinted', lotId: lot.id, owner: ctx.caller.mspId, quantity: q, minted: minted.lot.minted, status: minted.lot.status, output: minted.output });
        return encodeToString(minted.output);
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('transferJson', 'string', 'JSON {"lotId","quantity":"<int>","to":"<MSP id>","inputs"?:["<outputId>",…]}; change returns to the caller.' + INPUTS)
    @Returns('string')
    async Transfer(ctx: UPointContext, requestId: string, transferJson: string): Promise<string> {
        void requestId;
        const spec = parseJsonArgument('transferJson', transferJson, TransferInputSchema);
        const lot = await loadLot(ctx, spec.lotId);
        requireMovable(lot);
        const from = ctx.caller.mspId;
        if (spec.to === from) throw fail('INVALID_ARGUMENT', 'cannot transfer to oneself');
        requireHolder(await members.find(ctx.ledger, [spec.to]), spec.to);
        const inputs = await spendInputs(ctx, from, lot.id, spec.quantity, spec.inputs);
        const moved = move(inputs, [{ owner: spec.to, quantity: spec.quantity, lock: null }], facts(ctx), outputIds(ctx.txId));
        await saveOutputs(ctx.ledger, moved.consumed, moved.created);
        ctx.emit({ type: 'TokensTransferred', lotId: lot.id, from, to: spec.to, quantity: spec.quantity, ...moveRecord(moved) });
        return encodeToString(moveRecord(moved));
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('redeemJson', 'string', 'JSON {"lotId","quantity":"<int>","inputs"?:[…]}: burns the tokens and asks the custodian to release the goods.' + INPUTS)
    @Returns('string')
    async Redeem(ctx: UPointContext, requestId: string, redeemJson: string): Promise<string> {
        void requestId;
        const spec = parseJsonArgument('redeemJson', redeemJson, SpendInputSchema);
        const lot = await loadLot(ctx, spec.lotId);
        const owner = ctx.caller.mspId;
        const tx = facts(ctx);
        requireMovable(lot);
        const inputs = await spendInputs(ctx, owner, lot.id, spec.quantity, spec.inputs);
        const redeemed = redeem({ id: ctx.txId, lot, owner, quantity: spec.quantity, tx });
        const burned = move(inputs, [], tx, outputIds(ctx.txId), spec.quantity);
        await saveOutputs(ctx.ledger, burned.consumed, burned.created);
        await saveLot(ctx.ledger, redeemed.lot, lot.status);
        await redemptions.put(ctx.ledger, redeemed.redemption);
        ctx.emit({ type: 'TokensRedeemed', redemption: redeemed.redemption, status: redeemed.lot.status, redeemed: redeemed.lot.redeemed, ...moveRecord(burned) });
        return encodeToString(redeemed.redemption);
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('redemptionId', 'string', 'redemption id (the Redeem transaction id)')
    @Returns('string')
    async FulfilRedemption(ctx: UPointContext, requestId: string, redemptionId: string): Promise<string> {
        void requestId;
        const r = await redemptions.get(ctx.ledger, [parseArgument('redemptionId', redemptionId, EntityIdSchema)]);
        const lot = await stockLots.get(ctx.ledger, [r.lotId]);
        const done = fulfil(lot, r, ctx.caller.mspId, facts(ctx));
        await saveLot(ctx.ledger, done.lot, lot.status);
        await redemptions.put(ctx.ledger, done.redemption);
        ctx.emit({ type: 'RedemptionFulfilled', redemption: done.redemption, status: done.lot.status });
        return encodeToString(done.redemption);
    }

    // --- pledges ---------------------------------------------------------------------------------

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('pledgeJson', 'string', 'JSON {"lotId","quantity":"<int>","financier":"<MSP id with FINANCIER role>","inputs"?:[…]}.' + INPUTS)
    @Returns('string')
    async Pledge(ctx: UPointContext, requestId: string, pledgeJson: string): Promise<string> {
        void requestId;
        const spec = parseJsonArgument('pledgeJson', pledgeJson, PledgeInputSchema);
        const lot = await loadLot(ctx, spec.lotId);
        const owner = ctx.caller.mspId;
        const tx = facts(ctx);
        const nextId = outputIds(ctx.txId);
        const lockedId = nextId();
        const pl = pledge({
            id: ctx.txId,
            lot,
            owner,
            financier: await members.find(ctx.ledger, [spec.financier]),
            financierId: spec.financier,
            quantity: spec.quantity,
            outputId: lockedId,
            tx,
        });
        const inputs = await spendInputs(ctx, owner, lot.id, spec.quantity, spec.inputs);
        const moved = move(inputs, [{ id: lockedId, owner, quantity: spec.quantity, lock: { kind: 'PLEDGE', id: pl.id } }], tx, nextId);
        await saveOutputs(ctx.ledger, moved.consumed, moved.created);
        await pledges.put(ctx.ledger, pl);
        ctx.emit({ type: 'TokensPledged', pledge: pl, ...moveRecord(moved) });
        return encodeToString(pl);
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('pledgeId', 'string', 'pledge id; only its financier may release it')
    @Returns('string')
    async Release(ctx: UPointContext, requestId: string, pledgeId: string): Promise<string> {
        void requestId;
        return closePledgeTx(ctx, pledgeId, 'RELEASED');
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('pledgeId', 'string', 'pledge id; only its financier may foreclose (the tokens become the financier\'s)')
    @Returns('string')
    async Foreclose(ctx: UPointContext, requestId: string, pledgeId: string): Promise<string> {
        void requestId;
        return closePledgeTx(ctx, pledgeId, 'FORECLOSED');
    }

    // --- offers and delivery-versus-payment --------------------------------------------------------

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('offerJson', 'string', 'JSON {"lotId","quantity":"<int>","unitPrice":{"amount","currency"},"payment":{"maturityDays":<int>}|{"maturityDate":"YYYY-MM-DD"},"inputs"?:[…]}.' + INPUTS)
    @Returns('string')
    async Offer(ctx: UPointContext, requestId: string, offerJson: string): Promise<string> {
        void requestId;
        const spec = parseJsonArgument('offerJson', offerJson, OfferInputSchema);
        const lot = await loadLot(ctx, spec.lotId);
        const seller = ctx.caller.mspId;
        const tx = facts(ctx);
        const nextId = outputIds(ctx.txId);
        const lockedId = nextId();
        const o = offer({ id: ctx.txId, lot, seller, quantity: spec.quantity, unitPrice: spec.unitPrice, payment: spec.payment, outputId: lockedId, tx });
        const inputs = await spendInputs(ctx, seller, lot.id, spec.quantity, spec.inputs);
        const moved = move(inputs, [{ id: lockedId, owner: seller, quantity: spec.quantity, lock: { kind: 'OFFER', id: o.id } }], tx, nextId);
        await saveOutputs(ctx.ledger, moved.consumed, moved.created);
        await offers.put(ctx.ledger, o);
        ctx.emit({ type: 'OfferCreated', offer: o, ...moveRecord(moved) });
        return encodeToString(o);
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('offerId', 'string', 'offer id; only its seller may cancel it (the tokens are unlocked)')
    @Returns('string')
    async CancelOffer(ctx: UPointContext, requestId: string, offerId: string): Promise<string> {
        void requestId;
        const o = await offers.get(ctx.ledger, [parseArgument('offerId', offerId, EntityIdSchema)]);
        const tx = facts(ctx);
        const cancelled = cancelOffer(o, ctx.caller.mspId, tx);
        const locked = await lockedOutput(ctx, o.seller, o.lotId, o.outputId, { kind: 'OFFER', id: o.id });
        const moved = move([locked], [{ owner: o.seller, quantity: locked.quantity, lock: null }], tx, outputIds(ctx.txId));
        await saveOutputs(ctx.ledger, moved.consumed, moved.created);
        await offers.put(ctx.ledger, cancelled);
        ctx.emit({ type: 'OfferCancelled', offer: cancelled, ...moveRecord(moved) });
        return encodeToString(cancelled);
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('offerId', 'string', 'offer id')
    @Param('quantity', 'string', 'tokens to buy (≤ remaining); the caller pays by issuing a receivable to the seller in this transaction')
    @Returns('string')
    async Purchase(ctx: UPointContext, requestId: string, offerId: string, quantity: string): Promise<string> {
        void requestId;
        const o = await offers.get(ctx.ledger, [parseArgument('offerId', offerId, EntityIdSchema)]);
        const q = parseArgument('quantity', quantity, PositiveQuantitySchema);
        const lot = await stockLots.get(ctx.ledger, [o.lotId]);
        requireMovable(lot, true);
        const buyer = ctx.caller.mspId;
        const tx = facts(ctx);
        const nextId = outputIds(ctx.txId);
        const rest = o.remaining - q;
        const remainderId = rest > 0n ? nextId() : null;
        const sale = purchase(o, buyer, q, remainderId, tx);
        const locked = await lockedOutput(ctx, o.seller, o.lotId, o.outputId, { kind: 'OFFER', id: o.id });
        if (locked.quantity !== o.remaining) throw fail('INVALID_STATE', `offer ${o.id} remaining ${o.remaining} disagrees with its output ${locked.id}`);
        const parts = [{ owner: buyer, quantity: q, lock: null }];
        const lock = { kind: 'OFFER', id: o.id } as const;
        const moved = move([locked], remainderId === null ? parts : [{ id: remainderId, owner: o.seller, quantity: rest, lock }, ...parts], tx, nextId);
        await saveOutputs(ctx.ledger, moved.consumed, moved.created);
        await offers.put(ctx.ledger, sale.offer);
        ctx.emit({ type: 'OfferPurchased', offer: sale.offer, buyer, quantity: q, price: sale.price, ...moveRecord(moved) });
        const receivable = await issueReceivableInTx(ctx, {
            issuer: buyer,
            holder: o.seller,
            amount: sale.price.amount,
            currency: sale.price.currency,
            maturityDate: sale.maturityDate,
            reference: `offer:${o.id}`,
        });
        return encodeToString({ offer: sale.offer, price: sale.price, maturityDate: sale.maturityDate, receivableId: receivable.id, ...moveRecord(moved) });
    }

    // --- reads -----------------------------------------------------------------------------------

    @Transaction(false)
    @Access('evaluate')
    @Param('lotId', 'string', 'stock lot id')
    @Returns('string')
    async GetStockLot(ctx: UPointContext, lotId: string): Promise<string> {
        return encodeToString(await loadLot(ctx, lotId));
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('lotId', 'string', 'stock lot id')
    @Returns('string')
    async GetSupply(ctx: UPointContext, lotId: string): Promise<string> {
        const lot = await loadLot(ctx, lotId);
        return encodeToString({ lotId: lot.id, ...(await lotSupply(ctx.ledger, lot)) });
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('owner', 'string', 'MSP id of the holder')
    @Param('lotId', 'string', 'stock lot id')
    @Returns('string')
    async Balance(ctx: UPointContext, owner: string, lotId: string): Promise<string> {
        const o = parseArgument('owner', owner, MspIdSchema);
        const id = parseArgument('lotId', lotId, EntityIdSchema);
        return encodeToString({ owner: o, lotId: id, ...holding(await heldOutputs(ctx.ledger, o, id)) });
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('owner', 'string', 'MSP id of the holder')
    @Param('lotId', 'string', 'stock lot id, or "" for every lot')
    @Param('pageSize', 'string', `page size, 1-${MAX_PAGE_SIZE}`)
    @Param('bookmark', 'string', 'bookmark from the previous page, or ""')
    @Returns('string')
    async ListOutputs(ctx: UPointContext, owner: string, lotId: string, pageSize: string, bookmark: string): Promise<string> {
        const o = parseArgument('owner', owner, MspIdSchema);
        const id = parseArgument('lotId', lotId, OptionalLotIdSchema);
        const prefix = id === '' ? [o] : [o, id];
        return encodeToString(await page(queries(ctx), { type: 'tokenOutput', label: 'output', schema: OutputSchema }, prefix, ...paging(pageSize, bookmark)));
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('by', 'string', 'OWNER, CUSTODIAN or STATUS')
    @Param('value', 'string', 'the owner or custodian MSP id, or the status')
    @Param('pageSize', 'string', `page size, 1-${MAX_PAGE_SIZE}`)
    @Param('bookmark', 'string', 'bookmark from the previous page, or ""')
    @Returns('string')
    async ListStockLots(ctx: UPointContext, by: string, value: string, pageSize: string, bookmark: string): Promise<string> {
        const kind = parseArgument('by', by, ListBySchema);
        const [size, mark] = paging(pageSize, bookmark);
        const stub = queries(ctx);
        let refs: { items: Array<{ lotId: string }>; bookmark: string };
        if (kind === 'STATUS') {
            const status = parseArgument('value', value, LotStatusSchema);
            refs = await page(stub, { type: 'stockLotByStatus', label: lotsByStatus.label, schema: StatusLotRefSchema }, [status], size, mark);
        } else {
            const org = parseArgument('value', value, MspIdSchema);
            const index = kind === 'OWNER' ? lotsByOwner : lotsByCustodian;
            const type = kind === 'OWNER' ? 'stockLotByOwner' : 'stockLotByCustodian';
            refs = await page(stub, { type, label: index.label, schema: OrgLotRefSchema }, [org], size, mark);
        }
        const items: StockLot[] = [];
        for (const ref of refs.items) items.push(await stockLots.get(ctx.ledger, [ref.lotId]));
        return encodeToString({ items, bookmark: refs.bookmark });
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('offerId', 'string', 'offer id')
    @Returns('string')
    async GetOffer(ctx: UPointContext, offerId: string): Promise<string> {
        return encodeToString(await offers.get(ctx.ledger, [parseArgument('offerId', offerId, EntityIdSchema)]));
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('pageSize', 'string', `page size, 1-${MAX_PAGE_SIZE}`)
    @Param('bookmark', 'string', 'bookmark from the previous page, or ""')
    @Returns('string')
    async ListOffers(ctx: UPointContext, pageSize: string, bookmark: string): Promise<string> {
        return encodeToString(await page(queries(ctx), { type: 'tokenOffer', label: 'offer', schema: OfferSchema }, [], ...paging(pageSize, bookmark)));
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('pledgeId', 'string', 'pledge id')
    @Returns('string')
    async GetPledge(ctx: UPointContext, pledgeId: string): Promise<string> {
        return encodeToString(await pledges.get(ctx.ledger, [parseArgument('pledgeId', pledgeId, EntityIdSchema)]));
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('redemptionId', 'string', 'redemption id')
    @Returns('string')
    async GetRedemption(ctx: UPointContext, redemptionId: string): Promise<string> {
        return encodeToString(await redemptions.get(ctx.ledger, [parseArgument('redemptionId', redemptionId, EntityIdSchema)]));
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('kind', 'string', 'LOT, OFFER, PLEDGE or REDEMPTION')
    @Param('id', 'string', 'the entity id')
    @Returns('string')
    async History(ctx: UPointContext, kind: string, id: string): Promise<string> {
        const k = parseArgument('kind', kind, HistoryKindSchema);
        const key = [parseArgument('id', id, EntityIdSchema)];
        const stub = queries(ctx);
        switch (k) {
            case 'LOT':
                return encodeToString(await history(stub, { type: 'stockLot', label: 'stock lot', schema: StockLotSchema }, key));
            case 'OFFER':
                return encodeToString(await history(stub, { type: 'tokenOffer', label: 'offer', schema: OfferSchema }, key));
            case 'PLEDGE':
                return encodeToString(await history(stub, { type: 'tokenPledge', label: 'pledge', schema: PledgeSchema }, key));
            case 'REDEMPTION':
                return encodeToString(await history(stub, { type: 'tokenRedemption', label: 'redemption', schema: RedemptionSchema }, key));
        }
    }
}

function facts(ctx: UPointContext): TxFacts {
    return { txId: ctx.txId, timestamp: ctx.timestamp };
}

function queries(ctx: UPointContext): QueryStub {
    return ctx.stub;
}

function paging(pageSize: string, bookmark: string): [number, string] {
    return [parseArgument('pageSize', pageSize, PageSizeSchema), parseArgument('bookmark', bookmark, BookmarkSchema)];
}

async function loadLot(ctx: UPointContext, lotId: string): Promise<StockLot> {
    return stockLots.get(ctx.ledger, [parseArgument('lotId', lotId, EntityIdSchema)]);
}

async function saveLotChange(ctx: UPointContext, before: StockLot, after: StockLot, change: { type: string } & { [key: string]: CodecValue }): Promise<string> {
    await saveLot(ctx.ledger, after, before.status);
    ctx.emit({ ...change, status: after.status });
    return encodeToString(after);
}

/** A recipient of tokens must be a member that may hold them (not a regulator). */
function requireHolder(member: Member | undefined, mspId: string): void {
    if (member === undefined) throw fail('NOT_FOUND', `recipient ${mspId} is not a member`);
    if (isRegulator(member)) throw fail('FORBIDDEN', `recipient ${mspId} is a regulator and cannot hold tokens`);
}

async function lockedOutput(
    ctx: UPointContext,
    owner: string,
    lotId: string,
    outputId: string | null,
    lock: { readonly kind: 'PLEDGE' | 'OFFER'; readonly id: string },
): Promise<Output> {
    if (outputId === null) throw fail('INVALID_STATE', `${lock.kind.toLowerCase()} ${lock.id} holds no output`);
    const o = await getOutput(ctx.ledger, owner, lotId, outputId);
    requireSpendable(o, lock);
    return o;
}

/**
 * The outputs a spend consumes: the named `inputs`, read by key (each must exist under the caller and lot, be
 * unspent and unlocked, and together hold at least `quantity`), or else chosen from a scan of the caller's
 * outputs of the lot (see the file comment on concurrency).
 */
async function spendInputs(ctx: UPointContext, owner: string, lotId: string, quantity: bigint, inputs: readonly string[] | undefined): Promise<Output[]> {
    const held = inputs === undefined ? await heldOutputs(ctx.ledger, owner, lotId) : await namedOutputs(ctx.ledger, owner, lotId, inputs);
    return selectInputs(held, quantity, inputs);
}

function moveRecord(m: Move): { consumed: string[]; created: Output[] } {
    return { consumed: m.consumed.map((o) => o.id), created: [...m.created] };
}

async function closePledgeTx(ctx: UPointContext, pledgeId: string, outcome: 'RELEASED' | 'FORECLOSED'): Promise<string> {
    const pl = await pledges.get(ctx.ledger, [parseArgument('pledgeId', pledgeId, EntityIdSchema)]);
    const tx = facts(ctx);
    const closed = closePledge(pl, ctx.caller.mspId, outcome, tx);
    if (outcome === 'FORECLOSED') requireMovable(await stockLots.get(ctx.ledger, [pl.lotId]));
    const locked = await lockedOutput(ctx, pl.owner, pl.lotId, pl.outputId, { kind: 'PLEDGE', id: pl.id });
    const to = outcome === 'RELEASED' ? pl.owner : pl.financier;
    const moved = move([locked], [{ owner: to, quantity: locked.quantity, lock: null }], tx, outputIds(ctx.txId));
    await saveOutputs(ctx.ledger, moved.consumed, moved.created);
    await pledges.put(ctx.ledger, closed);
    ctx.emit({ type: outcome === 'RELEASED' ? 'PledgeReleased' : 'PledgeForeclosed', pledge: closed, to, ...moveRecord(moved) });
    return encodeToString(closed);
}
