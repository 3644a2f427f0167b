/**
 * `receivables` — supply-chain receivables (DESIGN.md §3.3). Thin: authorization, request ids and the event are
 * handled by BaseContract; the rules live in domain/receivables.ts, the keys and indexes in ledger/receivables.ts.
 */
import { Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { z } from 'zod';
import { fail } from '../domain/errors';
import { type Member, MspIdSchema } from '../domain/membership';
import { AmountSchema, CurrencySchema } from '../domain/money';
import {
    accept,
    confirmSettlement,
    creditRecord,
    DateSchema,
    declineFinancing,
    finance,
    issue,
    markOverdue,
    type Receivable,
    ReceivableIdSchema,
    ReceivableStatusSchema,
    ReferenceSchema,
    reject,
    requestFinancing,
    settle,
    Sha256Schema,
    splitTransfer,
    SplitPartsSchema,
    type TxStamp,
} from '../domain/receivables';
import { type CodecValue, encodeToString } from '../ledger/codec';
import {
    invoiceClaims,
    listReceivables,
    MAX_PAGE_SIZE,
    type ReceivableIndex,
    receivableHistory,
    receivables,
    saveReceivable,
    settlementEntries,
} from '../ledger/receivables';
import { members } from '../ledger/registry';
import { Access } from './access';
import { parseArgument, parseJsonArgument } from './arguments';
import { BaseContract } from './base';
import { UPointContext } from './context';
import type { IssueReceivableInTxFn } from './ports';

const PageSizeSchema = z
    .string()
    .regex(/^[1-9][0-9]{0,3}$/, 'expected a page size from 1')
    .transform((s) => Number(s))
    .refine((n) => n <= MAX_PAGE_SIZE, `at most ${MAX_PAGE_SIZE}`);
const BookmarkSchema = z.string().max(1024);
/** The deepest split tree Tree() walks (each level needs a split transaction). */
const MAX_TREE_NODES = 10_000;

function stamp(ctx: UPointContext): TxStamp {
    return { txId: ctx.txId, timestamp: ctx.timestamp, by: ctx.caller.mspId };
}

async function findMember(ctx: UPointContext, mspId: string): Promise<Member | undefined> {
    return MspIdSchema.safeParse(mspId).success ? members.find(ctx.ledger, [mspId]) : undefined;
}

async function load(ctx: UPointContext, id: string): Promise<Receivable> {
    return receivables.get(ctx.ledger, [parseArgument('receivableId', id, ReceivableIdSchema)]);
}

/** Save one receivable's new version and record the change in the transaction's event. */
async function update(ctx: UPointContext, type: string, before: Receivable, after: Receivable): Promise<string> {
    await saveReceivable(ctx.ledger, before, after);
    ctx.emit({ type, receivable: after });
    return encodeToString(after);
}

/** Receivables issued by `issueReceivableInTx` so far in each transaction (ids must differ). */
const issuedInTx = new WeakMap<UPointContext, number>();

/**
 * Delivery-versus-payment (ports.ts): the caller (buyer) issues a root receivable to the seller inside another
 * family's transaction. It is ACTIVE at once (the seller's offer is its acceptance), carries `reference` and no
 * document hashes, is saved with its indexes and its change is emitted.
 */
export const issueReceivableInTx: IssueReceivableInTxFn = async (ctx, p) => {
    if (p.issuer !== ctx.caller.mspId) throw fail('FORBIDDEN', `${ctx.caller.mspId} cannot issue a receivable on behalf of ${p.issuer}`);
    const currency = parseArgument('currency', p.currency, CurrencySchema);
    const maturityDate = parseArgument('maturityDate', p.maturityDate, DateSchema);
    const reference = parseArgument('reference', p.reference, ReferenceSchema);
    const n = (issuedInTx.get(ctx) ?? 0) + 1;
    issuedInTx.set(ctx, n);
    const receivable = issue({
        id: `${ctx.txId}.p${n}`,
        issuer: p.issuer,
        holder: p.holder,
        holderMember: await findMember(ctx, p.holder),
        amount: p.amount,
        currency,
        maturityDate,
        invoiceHash: null,
        contractHash: null,
        reference,
        accepted: true,
        tx: stamp(ctx),
    });
    await saveReceivable(ctx.ledger, null, receivable);
    const change = { type: 'ReceivableIssued', receivable } as const;
    ctx.emit(change);
    return { id: receivable.id, changes: [change] };
};

@Info({ title: 'receivables', description: 'Supply-chain receivables: issue, accept, split-transfer, finance, settle, credit record' })
export class ReceivablesContract extends BaseContract {
    constructor() {
        super('receivables');
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', 'client request id, unique per org; a repeat fails with DUPLICATE_REQUEST')
    @Param('holder', 'string', 'MSP id of the creditor (a member, not the caller, not a regulator)')
    @Param('amount', 'string', 'face amount in minor units, a decimal integer string > 0')
    @Param('currency', 'string', 'ISO 4217 code')
    @Param('maturityDate', 'string', 'YYYY-MM-DD, after the transaction date')
    @Param('invoiceHash', 'string', 'SHA-256 (hex) of the invoice; backs at most one receivable')
    @Param('contractHash', 'string', 'SHA-256 (hex) of the contract')
    @Returns('string')
    async Issue(
        ctx: UPointContext,
        requestId: string,
        holder: string,
        amount: string,
        currency: string,
        maturityDate: string,
        invoiceHash: string,
        contractHash: string,
    ): Promise<string> {
        void requestId; // claimed by BaseContract.beforeTransaction
        const holderId = parseArgument('holder', holder, MspIdSchema);
        const face = parseArgument('amount', amount, AmountSchema);
        const code = parseArgument('currency', currency, CurrencySchema);
        const maturity = parseArgument('maturityDate', maturityDate, DateSchema);
        const invoice = parseArgument('invoiceHash', invoiceHash, Sha256Schema);
        const contract = parseArgument('contractHash', contractHash, Sha256Schema);
        const claimed = await invoiceClaims.find(ctx.ledger, [invoice]);
        if (claimed !== undefined) throw fail('CONFLICT', `invoice ${invoice} already backs receivable ${claimed.rootId}`);
        const receivable = issue({
            id: ctx.txId,
            issuer: ctx.caller.mspId,
            holder: holderId,
            holderMember: await findMember(ctx, holderId),
            amount: face,
            currency: code,
            maturityDate: maturity,
            invoiceHash: invoice,
            contractHash: contract,
            reference: null,
            accepted: false,
            tx: stamp(ctx),
        });
        await saveReceivable(ctx.ledger, null, receivable);
        await invoiceClaims.put(ctx.ledger, { invoiceHash: invoice, rootId: receivable.id });
        ctx.emit({ type: 'ReceivableIssued', receivable });
        return encodeToString(receivable);
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', 'client request id, unique per org; a repeat fails with DUPLICATE_REQUEST')
    @Param('receivableId', 'string', 'id of a PENDING receivable held by the caller')
    @Returns('string')
    async Accept(ctx: UPointContext, requestId: string, receivableId: string): Promise<string> {
        void requestId;
        const before = await load(ctx, receivableId);
        return update(ctx, 'ReceivableAccepted', before, accept(before, stamp(ctx)));
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', 'client request id, unique per org; a repeat fails with DUPLICATE_REQUEST')
    @Param('receivableId', 'string', 'id of a PENDING receivable held by the caller')
    @Returns('string')
    async Reject(ctx: UPointContext, requestId: string, receivableId: string): Promise<string> {
        void requestId;
        const before = await load(ctx, receivableId);
        return update(ctx, 'ReceivableRejected', before, reject(before, stamp(ctx)));
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', 'client request id, unique per org; a repeat fails with DUPLICATE_REQUEST')
    @Param('receivableId', 'string', 'id of an ACTIVE receivable held by the caller, not past maturity')
    @Param('partsJson', 'string', 'JSON [{"holder":mspId,"amount":"minor units"}…] including the part the holder keeps; sums exactly to the receivable')
    @Returns('string')
    async SplitTransfer(ctx: UPointContext, requestId: string, receivableId: string, partsJson: string): Promise<string> {
        void requestId;
        const before = await load(ctx, receivableId);
        const parts = parseJsonArgument('partsJson', partsJson, SplitPartsSchema);
        const lookup = new Map<string, Member | undefined>();
        for (const part of parts) if (!lookup.has(part.holder)) lookup.set(part.holder, await findMember(ctx, part.holder));
        const { parent, children } = splitTransfer(before, parts, (mspId) => lookup.get(mspId), (i) => `${ctx.txId}.${i}`, stamp(ctx));
        await saveReceivable(ctx.ledger, before, parent);
        for (const child of children) await saveReceivable(ctx.ledger, null, child);
        ctx.emit({ type: 'ReceivableSplit', parent, children });
        return encodeToString({ parent, children });
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', 'client request id, unique per org; a repeat fails with DUPLICATE_REQUEST')
    @Param('receivableId', 'string', 'id of an ACTIVE receivable held by the caller, not past maturity')
    @Param('financier', 'string', 'MSP id of a member with the FINANCIER role')
    @Returns('string')
    async RequestFinancing(ctx: UPointContext, requestId: string, receivableId: string, financier: string): Promise<string> {
        void requestId;
        const before = await load(ctx, receivableId);
        const financierId = parseArgument('financier', financier, MspIdSchema);
        const after = requestFinancing(before, financierId, await findMember(ctx, financierId), stamp(ctx));
        return update(ctx, 'FinancingRequested', before, after);
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', 'client request id, unique per org; a repeat fails with DUPLICATE_REQUEST')
    @Param('receivableId', 'string', 'id of a receivable UNDER_FINANCING by the caller')
    @Param('discountedAmount', 'string', 'price paid to the holder in minor units, > 0 and ≤ the face amount')
    @Returns('string')
    async Finance(ctx: UPointContext, requestId: string, receivableId: string, discountedAmount: string): Promise<string> {
        void requestId;
        const before = await load(ctx, receivableId);
        const price = parseArgument('discountedAmount', discountedAmount, AmountSchema);
        return update(ctx, 'ReceivableFinanced', before, finance(before, price, stamp(ctx)));
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', 'client request id, unique per org; a repeat fails with DUPLICATE_REQUEST')
    @Param('receivableId', 'string', 'id of a receivable UNDER_FINANCING; the caller is its financier or its holder')
    @Returns('string')
    async DeclineFinancing(ctx: UPointContext, requestId: string, receivableId: string): Promise<string> {
        void requestId;
        const before = await load(ctx, receivableId);
        return update(ctx, 'FinancingDeclined', before, declineFinancing(before, stamp(ctx)));
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', 'client request id, unique per org; a repeat fails with DUPLICATE_REQUEST')
    @Param('receivableId', 'string', 'id of an ACTIVE or OVERDUE receivable issued by the caller')
    @Returns('string')
    async Settle(ctx: UPointContext, requestId: string, receivableId: string): Promise<string> {
        void requestId;
        const before = await load(ctx, receivableId);
        const { receivable, entry } = settle(before, stamp(ctx));
        await settlementEntries.put(ctx.ledger, entry);
        return update(ctx, 'ReceivablePaid', before, receivable);
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', 'client request id, unique per org; a repeat fails with DUPLICATE_REQUEST')
    @Param('receivableId', 'string', 'id of a SETTLEMENT_PENDING receivable held by the caller')
    @Returns('string')
    async ConfirmSettlement(ctx: UPointContext, requestId: string, receivableId: string): Promise<string> {
        void requestId;
        const before = await load(ctx, receivableId);
        return update(ctx, 'ReceivableSettled', before, confirmSettlement(before, stamp(ctx)));
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', 'client request id, unique per org; a repeat fails with DUPLICATE_REQUEST')
    @Param('receivableId', 'string', 'id of an unpaid ACTIVE or UNDER_FINANCING receivable past its maturity date')
    @Returns('string')
    async MarkOverdue(ctx: UPointContext, requestId: string, receivableId: string): Promise<string> {
        void requestId;
        const before = await load(ctx, receivableId);
        const { receivable, entry } = markOverdue(before, stamp(ctx));
        await settlementEntries.put(ctx.ledger, entry);
        return update(ctx, 'ReceivableOverdue', before, receivable);
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('receivableId', 'string', 'id of the receivable')
    @Returns('string')
    async Get(ctx: UPointContext, receivableId: string): Promise<string> {
        return encodeToString(await load(ctx, receivableId));
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('holder', 'string', 'MSP id of the holder')
    @Param('pageSize', 'string', `receivables per page, 1-${MAX_PAGE_SIZE}`)
    @Param('bookmark', 'string', "'' for the first page, then the bookmark returned")
    @Returns('string')
    async ListByHolder(ctx: UPointContext, holder: string, pageSize: string, bookmark: string): Promise<string> {
        return listPage(ctx, 'holder', parseArgument('holder', holder, MspIdSchema), pageSize, bookmark);
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('issuer', 'string', 'MSP id of the issuer')
    @Param('pageSize', 'string', `receivables per page, 1-${MAX_PAGE_SIZE}`)
    @Param('bookmark', 'string', "'' for the first page, then the bookmark returned")
    @Returns('string')
    async ListByIssuer(ctx: UPointContext, issuer: string, pageSize: string, bookmark: string): Promise<string> {
        return listPage(ctx, 'issuer', parseArgument('issuer', issuer, MspIdSchema), pageSize, bookmark);
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('status', 'string', 'a receivable status, e.g. ACTIVE')
    @Param('pageSize', 'string', `receivables per page, 1-${MAX_PAGE_SIZE}`)
    @Param('bookmark', 'string', "'' for the first page, then the bookmark returned")
    @Returns('string')
    async ListByStatus(ctx: UPointContext, status: string, pageSize: string, bookmark: string): Promise<string> {
        return listPage(ctx, 'status', parseArgument('status', status, ReceivableStatusSchema), pageSize, bookmark);
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('rootId', 'string', 'id of a root receivable')
    @Returns('string')
    async Tree(ctx: UPointContext, rootId: string): Promise<string> {
        const root = await load(ctx, rootId);
        if (root.parentId !== null) throw fail('INVALID_ARGUMENT', `receivable ${root.id} is not a root (its root is ${root.rootId})`);
        const budget = { nodes: 0 };
        const tree = await treeOf(ctx, root, budget);
        return encodeToString({ rootId: root.id, amount: root.amount, currency: root.currency, ...tree.totals, tree: tree.node });
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('receivableId', 'string', 'id of the receivable')
    @Returns('string')
    async History(ctx: UPointContext, receivableId: string): Promise<string> {
        const id = parseArgument('receivableId', receivableId, ReceivableIdSchema);
        await receivables.get(ctx.ledger, [id]);
        const entries = await receivableHistory(ctx.stub, id);
        return encodeToString(entries);
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('issuerMspId', 'string', 'MSP id of the issuer')
    @Returns('string')
    async CreditRecord(ctx: UPointContext, issuerMspId: string): Promise<string> {
        const issuer = parseArgument('issuerMspId', issuerMspId, MspIdSchema);
        const entries = await settlementEntries.list(ctx.ledger, [issuer]);
        return encodeToString({ ...creditRecord(issuer, entries), entries });
    }
}

async function listPage(ctx: UPointContext, index: ReceivableIndex, value: string, pageSize: string, bookmark: string): Promise<string> {
    const size = parseArgument('pageSize', pageSize, PageSizeSchema);
    const mark = parseArgument('bookmark', bookmark, BookmarkSchema);
    return encodeToString(await listReceivables(ctx.stub, index, value, size, mark));
}

interface TreeTotals {
    /** Sum of the leaves not yet paid (every node that is neither SPLIT, SETTLEMENT_PENDING nor SETTLED). */
    readonly live: bigint;
    /** Sum of the leaves paid (SETTLEMENT_PENDING or SETTLED). */
    readonly settled: bigint;
}

async function treeOf(
    ctx: UPointContext,
    r: Receivable,
    budget: { nodes: number },
): Promise<{ readonly node: { readonly [key: string]: CodecValue }; readonly totals: TreeTotals }> {
    budget.nodes += 1;
    if (budget.nodes > MAX_TREE_NODES) throw fail('INVALID_STATE', `the tree of ${r.rootId} has more than ${MAX_TREE_NODES} nodes`);
    const children: Array<{ readonly [key: string]: CodecValue }> = [];
    let live = 0n;
    let settled = 0n;
    if (r.status === 'SPLIT') {
        for (const id of r.children) {
            const sub = await treeOf(ctx, await receivables.get(ctx.ledger, [id]), budget);
            children.push(sub.node);
            live += sub.totals.live;
            settled += sub.totals.settled;
        }
    } else if (r.status === 'SETTLED' || r.status === 'SETTLEMENT_PENDING') {
        settled = r.amount;
    } else {
        live = r.amount;
    }
    const node = {
        id: r.id,
        holder: r.holder,
        amount: r.amount,
        status: r.status,
        financing: r.financing,
        settlement: r.settlement,
        children,
    };
    return { node, totals: { live, settled } };
}
