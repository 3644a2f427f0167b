/**
 * Supply-chain receivables (DESIGN.md §3.3): splittable payment commitments issued by a debtor (the issuer) to a
 * creditor (the holder), transferable in parts, financeable at a discount, settled at maturity.
 *
 * Pure: no Fabric, no clock, no randomness. Each step takes the current receivable, the caller's MSP id and the
 * transaction's facts, and returns new values (inputs are never mutated) or throws a coded error.
 *
 * States:
 *   PENDING ──Accept──▶ ACTIVE ──SplitTransfer──▶ SPLIT (consumed; its children are ACTIVE)
 *      └──Reject──▶ REJECTED   ACTIVE ──RequestFinancing──▶ UNDER_FINANCING ──Finance──▶ ACTIVE (holder = financier)
 *                                                            └──DeclineFinancing──▶ ACTIVE
 *   ACTIVE | OVERDUE ──Settle (issuer)──▶ SETTLEMENT_PENDING ──ConfirmSettlement (holder)──▶ SETTLED
 *   ACTIVE | UNDER_FINANCING ──MarkOverdue (tx date > maturity)──▶ OVERDUE
 *
 * Decisions the design leaves open: a split child is ACTIVE at once (the parent was accepted); the issuer may pay
 * before maturity (on time = paid on or before the maturity date); the holder may withdraw a financing request
 * (DeclineFinancing by the holder or the financier); an invoice hash stays claimed even when its root is rejected.
 */
import { z } from 'zod';
import { fail } from './errors';
import { InstantSchema, isRegulator, type Member, MspIdSchema, TxIdSchema } from './membership';
import { CurrencySchema, MAX_UNITS, sum } from './money';

export const RECEIVABLE_STATUSES = [
    'PENDING',
    'ACTIVE',
    'REJECTED',
    'SPLIT',
    'UNDER_FINANCING',
    'SETTLEMENT_PENDING',
    'SETTLED',
    'OVERDUE',
] as const;
export const ReceivableStatusSchema = z.enum(RECEIVABLE_STATUSES);
export type ReceivableStatus = z.infer<typeof ReceivableStatusSchema>;

/** At most this many parts in one split. */
export const MAX_SPLIT_PARTS = 50;
/** Basis points: 1/10000 of the face amount. */
export const BPS = 10_000n;

const DIGITS = /^(?:0|[1-9][0-9]{0,29})$/;
/** A stored amount: bigint inside, decimal string in JSON (accepts both, so values are checked before writing). */
const StoredUnits = z.union([
    z.bigint().refine((v) => v >= 0n && v <= MAX_UNITS, 'out of range'),
    z.string().regex(DIGITS, 'expected a non-negative decimal integer string').transform((s) => BigInt(s)),
]);
const StoredPositive = StoredUnits.refine((v) => v > 0n, 'must be greater than 0');

/** Receivable ids: the issuing transaction's id, `<txId>.<n>` for split children, `<txId>.p<n>` for DvP roots. */
export const ReceivableIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,160}$/, 'expected a receivable id');
/** SHA-256 as 64 hex digits (normalized to lower case). */
export const Sha256Schema = z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'expected a SHA-256 hash: 64 hex digits')
    .transform((s) => s.toLowerCase());
const StoredSha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lower-case SHA-256 hash');
/** A calendar date YYYY-MM-DD. */
export const DateSchema = z.iso.date();
/** A free reference (e.g. `offer:<offerId>`): printable, bounded. */
export const ReferenceSchema = z.string().regex(/^[\x21-\x7E]{1,200}$/, 'expected a printable reference without spaces');

const TxStampSchema = z.strictObject({ txId: TxIdSchema, timestamp: InstantSchema, by: MspIdSchema });
export type TxStamp = z.infer<typeof TxStampSchema>;

export const FinancingSchema = z.strictObject({
    financier: MspIdSchema,
    /** The holder that asked for financing (the seller of the claim). */
    seller: MspIdSchema,
    status: z.enum(['REQUESTED', 'FINANCED', 'DECLINED']),
    requested: TxStampSchema,
    decided: TxStampSchema.nullable(),
    /** Price paid by the financier (≤ face); null until FINANCED. */
    discountedAmount: StoredPositive.nullable(),
    /** (face − price) / face in basis points, rounded down; null until FINANCED. */
    discountBps: z.number().int().min(0).max(10_000).nullable(),
});
export type Financing = z.infer<typeof FinancingSchema>;

export const SettlementSchema = z.strictObject({
    paid: TxStampSchema,
    /** Paid on or before the maturity date. */
    onTime: z.boolean(),
    confirmed: TxStampSchema.nullable(),
});
export type Settlement = z.infer<typeof SettlementSchema>;

export const ReceivableSchema = z.strictObject({
    id: ReceivableIdSchema,
    rootId: ReceivableIdSchema,
    /** null for a root. */
    parentId: ReceivableIdSchema.nullable(),
    /** Debtor. */
    issuer: MspIdSchema,
    /** Current creditor. */
    holder: MspIdSchema,
    amount: StoredPositive,
    currency: CurrencySchema,
    maturityDate: DateSchema,
    invoiceHash: StoredSha256.nullable(),
    contractHash: StoredSha256.nullable(),
    /** What the receivable pays for when issued by another family (delivery-versus-payment), else null. */
    reference: ReferenceSchema.nullable(),
    status: ReceivableStatusSchema,
    /** Ids of the children, in split order; empty unless SPLIT. */
    children: z.array(ReceivableIdSchema),
    /** The current or latest financing; earlier ones are in the key history. */
    financing: FinancingSchema.nullable(),
    settlement: SettlementSchema.nullable(),
    created: TxStampSchema,
    /** The transaction (and submitter org) that wrote this version: what History reports. */
    updated: TxStampSchema,
});
export type Receivable = z.infer<typeof ReceivableSchema>;

export const SettlementOutcomeSchema = z.enum(['ON_TIME', 'LATE', 'OVERDUE']);
export type SettlementOutcome = z.infer<typeof SettlementOutcomeSchema>;

/** One credit-record entry per node that became overdue or was paid; OVERDUE is replaced by LATE when paid. */
export const SettlementEntrySchema = z.strictObject({
    issuer: MspIdSchema,
    receivableId: ReceivableIdSchema,
    rootId: ReceivableIdSchema,
    amount: StoredPositive,
    currency: CurrencySchema,
    maturityDate: DateSchema,
    outcome: SettlementOutcomeSchema,
    /** Instant of payment; null while OVERDUE and unpaid. */
    paidAt: InstantSchema.nullable(),
    recorded: TxStampSchema,
});
export type SettlementEntry = z.infer<typeof SettlementEntrySchema>;

/** Arguments as they arrive (strings → typed values). */
export const SplitPartsSchema = z
    .array(
        z.strictObject({
            holder: MspIdSchema,
            amount: z
                .string()
                .regex(/^(?:0|[1-9][0-9]{0,29})$/, 'expected a decimal integer string without leading zeros')
                .transform((s) => BigInt(s))
                .refine((v) => v > 0n, 'must be greater than 0'),
        }),
    )
    .min(1, 'at least one part')
    .max(MAX_SPLIT_PARTS, `at most ${MAX_SPLIT_PARTS} parts`);
export type SplitPart = z.infer<typeof SplitPartsSchema>[number];

/** The calendar date (UTC) of an ISO instant. */
export function dateOf(instant: string): string {
    return instant.slice(0, 10);
}

/** True when the transaction's date is after the maturity date. */
export function isPastMaturity(r: Pick<Receivable, 'maturityDate'>, tx: TxStamp): boolean {
    return dateOf(tx.timestamp) > r.maturityDate;
}

export interface IssueInput {
    readonly id: string;
    readonly issuer: string;
    /** The holder's registry entry (undefined when not a member). */
    readonly holder: string;
    readonly holderMember: Member | undefined;
    readonly amount: bigint;
    readonly currency: string;
    readonly maturityDate: string;
    readonly invoiceHash: string | null;
    readonly contractHash: string | null;
    readonly reference: string | null;
    /** ACTIVE when the holder's acceptance is implied (delivery-versus-payment), else PENDING. */
    readonly accepted: boolean;
    readonly tx: TxStamp;
}

/** A new root receivable. */
export function issue(input: IssueInput): Receivable {
    const { tx } = input;
    if (input.holder === input.issuer) throw fail('INVALID_ARGUMENT', `issuer ${input.issuer} cannot be its own holder`);
    requireParty(input.holder, input.holderMember, 'holder');
    if (input.amount <= 0n || input.amount > MAX_UNITS) throw fail('INVALID_ARGUMENT', 'amount must be greater than 0');
    if (!(input.maturityDate > dateOf(tx.timestamp))) {
        throw fail('INVALID_ARGUMENT', `maturityDate ${input.maturityDate} must be after the transaction date ${dateOf(tx.timestamp)}`);
    }
    return {
        id: input.id,
        rootId: input.id,
        parentId: null,
        issuer: input.issuer,
        holder: input.holder,
        amount: input.amount,
        currency: input.currency,
        maturityDate: input.maturityDate,
        invoiceHash: input.invoiceHash,
        contractHash: input.contractHash,
        reference: input.reference,
        status: input.accepted ? 'ACTIVE' : 'PENDING',
        children: [],
        financing: null,
        settlement: null,
        created: tx,
        updated: tx,
    };
}

/** The named holder accepts a pending receivable. */
export function accept(r: Receivable, tx: TxStamp): Receivable {
    requireHolder(r, tx.by, 'accept');
    requireStatus(r, ['PENDING'], 'accepted');
    if (isPastMaturity(r, tx)) throw fail('INVALID_STATE', `receivable ${r.id} matured on ${r.maturityDate}`);
    return { ...r, status: 'ACTIVE', updated: tx };
}

/** The named holder rejects a pending receivable. */
export function reject(r: Receivable, tx: TxStamp): Receivable {
    requireHolder(r, tx.by, 'reject');
    requireStatus(r, ['PENDING'], 'rejected');
    return { ...r, status: 'REJECTED', updated: tx };
}

export interface PartyLookup {
    (mspId: string): Member | undefined;
}

/**
 * The holder transfers parts of an ACTIVE receivable (including the part it keeps): children sum exactly to the
 * parent, which becomes SPLIT; children inherit issuer, currency, maturity, root and document hashes.
 */
export function splitTransfer(
    r: Receivable,
    parts: readonly SplitPart[],
    lookup: PartyLookup,
    childId: (index: number) => string,
    tx: TxStamp,
): { readonly parent: Receivable; readonly children: Receivable[] } {
    requireHolder(r, tx.by, 'split-transfer');
    requireStatus(r, ['ACTIVE'], 'split-transferred');
    if (isPastMaturity(r, tx)) throw fail('INVALID_STATE', `receivable ${r.id} matured on ${r.maturityDate} and can no longer be transferred`);
    if (parts.length === 0) throw fail('INVALID_ARGUMENT', 'parts: at least one part');
    for (const part of parts) {
        if (part.amount <= 0n) throw fail('INVALID_ARGUMENT', 'parts: every amount must be greater than 0');
        if (part.holder === r.issuer) throw fail('INVALID_ARGUMENT', `parts: the issuer ${r.issuer} cannot hold its own receivable`);
        requireParty(part.holder, lookup(part.holder), 'parts: holder');
    }
    const total = sum(parts.map((p) => p.amount));
    if (total !== r.amount) {
        throw fail('INVALID_ARGUMENT', `parts: amounts sum to ${total}, not to the receivable's ${r.amount}`);
    }
    const children = parts.map(
        (part, i): Receivable => ({
            id: childId(i + 1),
            rootId: r.rootId,
            parentId: r.id,
            issuer: r.issuer,
            holder: part.holder,
            amount: part.amount,
            currency: r.currency,
            maturityDate: r.maturityDate,
            invoiceHash: r.invoiceHash,
            contractHash: r.contractHash,
            reference: r.reference,
            status: 'ACTIVE',
            children: [],
            financing: null,
            settlement: null,
            created: tx,
            updated: tx,
        }),
    );
    return { parent: { ...r, status: 'SPLIT', children: children.map((c) => c.id), updated: tx }, children };
}

/** The holder asks a FINANCIER member to buy the receivable; nothing moves until it finances. */
export function requestFinancing(r: Receivable, financier: string, financierMember: Member | undefined, tx: TxStamp): Receivable {
    requireHolder(r, tx.by, 'request financing of');
    requireStatus(r, ['ACTIVE'], 'offered for financing');
    if (isPastMaturity(r, tx)) throw fail('INVALID_STATE', `receivable ${r.id} matured on ${r.maturityDate} and can no longer be financed`);
    if (financier === r.holder) throw fail('INVALID_ARGUMENT', `financier ${financier} already holds receivable ${r.id}`);
    if (financierMember === undefined || !financierMember.roles.includes('FINANCIER')) {
        throw fail('INVALID_ARGUMENT', `financier ${financier} is not a member with the FINANCIER role`);
    }
    const financing: Financing = {
        financier,
        seller: r.holder,
        status: 'REQUESTED',
        requested: tx,
        decided: null,
        discountedAmount: null,
        discountBps: null,
    };
    return { ...r, status: 'UNDER_FINANCING', financing, updated: tx };
}

/** The requested financier buys the receivable for `discountedAmount` (≤ face): it becomes the holder. */
export function finance(r: Receivable, discountedAmount: bigint, tx: TxStamp): Receivable {
    const financing = requestedFinancing(r);
    if (tx.by !== financing.financier) throw fail('FORBIDDEN', `only ${financing.financier}, the requested financier, can finance receivable ${r.id}`);
    if (isPastMaturity(r, tx)) throw fail('INVALID_STATE', `receivable ${r.id} matured on ${r.maturityDate} and can no longer be financed`);
    if (discountedAmount <= 0n) throw fail('INVALID_ARGUMENT', 'discountedAmount must be greater than 0');
    if (discountedAmount > r.amount) throw fail('INVALID_ARGUMENT', `discountedAmount ${discountedAmount} exceeds the face amount ${r.amount}`);
    const discountBps = Number(((r.amount - discountedAmount) * BPS) / r.amount);
    return {
        ...r,
        holder: financing.financier,
        status: 'ACTIVE',
        financing: { ...financing, status: 'FINANCED', decided: tx, discountedAmount, discountBps },
        updated: tx,
    };
}

/** The requested financier declines (or the holder withdraws the request): back to ACTIVE, nothing moved. */
export function declineFinancing(r: Receivable, tx: TxStamp): Receivable {
    const financing = requestedFinancing(r);
    if (tx.by !== financing.financier && tx.by !== r.holder) {
        throw fail('FORBIDDEN', `only ${financing.financier} or the holder ${r.holder} can decline the financing of receivable ${r.id}`);
    }
    return { ...r, status: 'ACTIVE', financing: { ...financing, status: 'DECLINED', decided: tx }, updated: tx };
}

/** The issuer pays the current holder; the credit record gets an ON_TIME or LATE entry. */
export function settle(r: Receivable, tx: TxStamp): { readonly receivable: Receivable; readonly entry: SettlementEntry } {
    if (tx.by !== r.issuer) throw fail('FORBIDDEN', `only the issuer ${r.issuer} can settle receivable ${r.id}`);
    requireStatus(r, ['ACTIVE', 'OVERDUE'], 'settled');
    const onTime = !isPastMaturity(r, tx);
    const receivable: Receivable = { ...r, status: 'SETTLEMENT_PENDING', settlement: { paid: tx, onTime, confirmed: null }, updated: tx };
    return { receivable, entry: entryOf(r, onTime ? 'ON_TIME' : 'LATE', tx.timestamp, tx) };
}

/** The holder confirms it was paid. */
export function confirmSettlement(r: Receivable, tx: TxStamp): Receivable {
    requireHolder(r, tx.by, 'confirm the settlement of');
    requireStatus(r, ['SETTLEMENT_PENDING'], 'confirmed as settled');
    if (r.settlement === null) throw fail('INVALID_STATE', `receivable ${r.id} has no recorded payment`);
    return { ...r, status: 'SETTLED', settlement: { ...r.settlement, confirmed: tx }, updated: tx };
}

/** Any member marks an unpaid live receivable OVERDUE once the transaction date is past maturity. */
export function markOverdue(r: Receivable, tx: TxStamp): { readonly receivable: Receivable; readonly entry: SettlementEntry } {
    requireStatus(r, ['ACTIVE', 'UNDER_FINANCING'], 'marked overdue');
    if (!isPastMaturity(r, tx)) throw fail('INVALID_STATE', `receivable ${r.id} matures on ${r.maturityDate}, it is not overdue`);
    const financing: Financing | null =
        r.financing !== null && r.financing.status === 'REQUESTED' ? { ...r.financing, status: 'DECLINED', decided: tx } : r.financing;
    return { receivable: { ...r, status: 'OVERDUE', financing, updated: tx }, entry: entryOf(r, 'OVERDUE', null, tx) };
}

function entryOf(r: Receivable, outcome: SettlementOutcome, paidAt: string | null, tx: TxStamp): SettlementEntry {
    return {
        issuer: r.issuer,
        receivableId: r.id,
        rootId: r.rootId,
        amount: r.amount,
        currency: r.currency,
        maturityDate: r.maturityDate,
        outcome,
        paidAt,
        recorded: tx,
    };
}

export type CreditTotals = {
    readonly count: number;
    readonly amount: bigint;
};

export type CreditRecord = {
    readonly issuer: string;
    /** Per currency, sorted by code. */
    readonly currencies: ReadonlyArray<{
        readonly currency: string;
        readonly onTime: CreditTotals;
        readonly late: CreditTotals;
        readonly overdueUnpaid: CreditTotals;
    }>;
    readonly settlements: number;
    /** On-time share of paid settlements in basis points (rounded down); null before any payment. */
    readonly onTimeBps: number | null;
};

/** The issuer's credit record, summed from its settlement entries at read time (no running totals). */
export function creditRecord(issuer: string, entries: readonly SettlementEntry[]): CreditRecord {
    const byCurrency = new Map<string, { onTime: CreditTotals; late: CreditTotals; overdueUnpaid: CreditTotals }>();
    const zero: CreditTotals = { count: 0, amount: 0n };
    let onTime = 0;
    let paid = 0;
    for (const e of entries) {
        const row = byCurrency.get(e.currency) ?? { onTime: zero, late: zero, overdueUnpaid: zero };
        const key = e.outcome === 'ON_TIME' ? 'onTime' : e.outcome === 'LATE' ? 'late' : 'overdueUnpaid';
        row[key] = { count: row[key].count + 1, amount: row[key].amount + e.amount };
        byCurrency.set(e.currency, row);
        if (e.outcome !== 'OVERDUE') paid += 1;
        if (e.outcome === 'ON_TIME') onTime += 1;
    }
    const currencies = [...byCurrency.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([currency, row]) => ({ currency, ...row }));
    return { issuer, currencies, settlements: paid, onTimeBps: paid === 0 ? null : Math.floor((onTime * 10_000) / paid) };
}

export interface TreeNode {
    readonly id: string;
    readonly holder: string;
    readonly amount: bigint;
    readonly status: ReceivableStatus;
    readonly children: readonly TreeNode[];
}

/** Sum of the amounts of a tree's leaves (every node that is not SPLIT): equals the root amount. */
export function leafTotal(node: TreeNode): bigint {
    if (node.status !== 'SPLIT') return node.amount;
    return sum(node.children.map(leafTotal));
}

function requestedFinancing(r: Receivable): Financing {
    if (r.status !== 'UNDER_FINANCING' || r.financing === null || r.financing.status !== 'REQUESTED') {
        throw fail('INVALID_STATE', `receivable ${r.id} is ${r.status}, not UNDER_FINANCING`);
    }
    return r.financing;
}

function requireHolder(r: Receivable, caller: string, what: string): void {
    if (caller !== r.holder) throw fail('FORBIDDEN', `only the holder ${r.holder} can ${what} receivable ${r.id}`);
}

function requireStatus(r: Receivable, allowed: readonly ReceivableStatus[], what: string): void {
    if (!allowed.includes(r.status)) {
        throw fail('INVALID_STATE', `receivable ${r.id} is ${r.status} and cannot be ${what} (needs ${allowed.join(' or ')})`);
    }
}

function requireParty(mspId: string, member: Member | undefined, what: string): void {
    if (member === undefined) throw fail('INVALID_ARGUMENT', `${what} ${mspId} is not a member of the consortium`);
    if (isRegulator(member)) throw fail('INVALID_ARGUMENT', `${what} ${mspId} is a regulator and cannot hold receivables`);
}
