/**
 * Stock tokenization (DESIGN.md §3.2): stock lots (warehouse receipts) and their tokens as UTXOs.
 *
 * A stock lot is deposited by its owner with a custodian (DEPOSITED), attested by that custodian
 * (ATTESTED: goods on hand, attested ≤ deposited), tokenized by its owner (TOKENIZED: minted ≤
 * attested), redeemed by token holders (PARTIALLY_REDEEMED → FULLY_REDEEMED once everything attested
 * is redeemed) and CLOSED once the custodian has released every redeemed unit. FROZEN (custodian,
 * reversible) blocks every move (pledges may still be released and offers cancelled: that only
 * unlocks); IMPAIRED (custodian, final) blocks new mints, pledges, offers and purchases.
 *
 * Tokens are outputs: (lot, owner, quantity) with a status. Every move consumes whole outputs and
 * creates new ones whose quantities sum exactly to the consumed ones (change back to the sender).
 * An output may carry a lock (a pledge or an offer); a locked output can only be moved by the lock's
 * own operation (release, foreclose, cancel, purchase).
 *
 * Pure: no Fabric, no clock, no randomness. Callers pass the tx facts and fresh ids.
 */
import { z } from 'zod';
import { fail } from './errors';
import { InstantSchema, type Member, MspIdSchema, TxIdSchema } from './membership';
import { CurrencySchema, type Money, sum, UnitsSchema } from './money';

// ---------------------------------------------------------------------------------------------
// Values as stored: bigint inside, decimal strings in JSON (a stored schema accepts both, so a
// value can be checked before it is written and parsed back after it is read).

const DIGITS = /^(?:0|[1-9][0-9]{0,29})$/;
const MAX = 10n ** 30n - 1n;
const StoredUnits = z.union([
    z.bigint().refine((v) => v >= 0n && v <= MAX, 'out of range'),
    z.string().regex(DIGITS, 'expected a non-negative decimal integer string').transform((s) => BigInt(s)),
]);
const StoredPositive = StoredUnits.refine((v) => v > 0n, 'must be greater than 0');
const StoredMoney = z.strictObject({ amount: StoredPositive, currency: CurrencySchema });

/** Ids of lots, offers, pledges and redemptions: the creating transaction's id. */
export const EntityIdSchema = TxIdSchema;
/** Output ids: `<txId>.<index>`. */
export const OutputIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,140}$/, 'expected an output id');
/** Free text fields (SKU, unit, batch link, reasons): printable, bounded, key-safe. */
const Label = (max: number): z.ZodString =>
    z
        .string()
        .min(1)
        .max(max)
        .regex(/^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u, 'expected text without control characters or surrounding spaces');
/** ISO calendar date YYYY-MM-DD. */
export const DateSchema = z.iso.date();

export const LOT_STATUSES = ['DEPOSITED', 'ATTESTED', 'TOKENIZED', 'PARTIALLY_REDEEMED', 'FULLY_REDEEMED', 'CLOSED'] as const;
export const LotStatusSchema = z.enum(LOT_STATUSES);
export type LotStatus = z.infer<typeof LotStatusSchema>;

export const StockLotSchema = z.strictObject({
    id: EntityIdSchema,
    owner: MspIdSchema,
    custodian: MspIdSchema,
    /** The product batch/lot this stock belongs to (provenance link). */
    batchLotId: Label(128),
    sku: Label(64),
    unit: Label(16),
    quantity: StoredPositive,
    unitValuation: StoredMoney,
    status: LotStatusSchema,
    attested: StoredUnits,
    minted: StoredUnits,
    redeemed: StoredUnits,
    fulfilled: StoredUnits,
    frozen: z.boolean(),
    impaired: z.strictObject({ reason: Label(256), at: InstantSchema }).nullable(),
    createdAt: InstantSchema,
    updatedAt: InstantSchema,
});
export type StockLot = z.infer<typeof StockLotSchema>;

export const LockSchema = z.strictObject({ kind: z.enum(['PLEDGE', 'OFFER']), id: EntityIdSchema });
export type Lock = z.infer<typeof LockSchema>;

export const OutputStatusSchema = z.enum(['UNSPENT', 'SPENT']);

export const OutputSchema = z.strictObject({
    id: OutputIdSchema,
    lotId: EntityIdSchema,
    owner: MspIdSchema,
    quantity: StoredPositive,
    status: OutputStatusSchema,
    lock: LockSchema.nullable(),
    createdTxId: TxIdSchema,
    createdAt: InstantSchema,
    spentTxId: TxIdSchema.nullable(),
    spentAt: InstantSchema.nullable(),
});
export type Output = z.infer<typeof OutputSchema>;

export const PledgeSchema = z.strictObject({
    id: EntityIdSchema,
    lotId: EntityIdSchema,
    owner: MspIdSchema,
    financier: MspIdSchema,
    quantity: StoredPositive,
    outputId: OutputIdSchema,
    status: z.enum(['ACTIVE', 'RELEASED', 'FORECLOSED']),
    createdAt: InstantSchema,
    closedAt: InstantSchema.nullable(),
});
export type Pledge = z.infer<typeof PledgeSchema>;

export const PaymentTermsSchema = z.union([
    z.strictObject({ maturityDays: z.number().int().min(1).max(3650) }),
    z.strictObject({ maturityDate: DateSchema }),
]);
export type PaymentTerms = z.infer<typeof PaymentTermsSchema>;

export const OfferSchema = z.strictObject({
    id: EntityIdSchema,
    lotId: EntityIdSchema,
    seller: MspIdSchema,
    quantity: StoredPositive,
    remaining: StoredUnits,
    unitPrice: StoredMoney,
    payment: PaymentTermsSchema,
    /** The seller's locked output holding the remaining quantity; null once nothing remains. */
    outputId: OutputIdSchema.nullable(),
    status: z.enum(['OPEN', 'FILLED', 'CANCELLED']),
    createdAt: InstantSchema,
    updatedAt: InstantSchema,
});
export type Offer = z.infer<typeof OfferSchema>;

export const RedemptionSchema = z.strictObject({
    id: EntityIdSchema,
    lotId: EntityIdSchema,
    owner: MspIdSchema,
    custodian: MspIdSchema,
    quantity: StoredPositive,
    status: z.enum(['REQUESTED', 'FULFILLED']),
    requestedAt: InstantSchema,
    fulfilledAt: InstantSchema.nullable(),
});
export type Redemption = z.infer<typeof RedemptionSchema>;

// ---------------------------------------------------------------------------------------------
// Inputs (parsed at the contract boundary).

export const DepositInputSchema = z.strictObject({
    batchLotId: Label(128),
    sku: Label(64),
    unit: Label(16),
    quantity: UnitsSchema.refine((v) => v > 0n, 'must be greater than 0'),
    unitValuation: z.strictObject({ amount: UnitsSchema.refine((v) => v > 0n, 'must be greater than 0'), currency: CurrencySchema }),
    custodian: MspIdSchema,
});
export type DepositInput = z.infer<typeof DepositInputSchema>;

const Quantity = UnitsSchema.refine((v) => v > 0n, 'must be greater than 0');
const Inputs = z
    .array(OutputIdSchema)
    .min(1)
    .max(100)
    .refine((ids) => new Set(ids).size === ids.length, 'inputs must not repeat')
    .optional();

/** Move `quantity` of lot `lotId`; `inputs` names the outputs to consume, else they are chosen. */
export const SpendInputSchema = z.strictObject({ lotId: EntityIdSchema, quantity: Quantity, inputs: Inputs });
export const TransferInputSchema = SpendInputSchema.extend({ to: MspIdSchema }).strict();
export const PledgeInputSchema = SpendInputSchema.extend({ financier: MspIdSchema }).strict();
export const OfferInputSchema = SpendInputSchema.extend({
    unitPrice: z.strictObject({ amount: Quantity, currency: CurrencySchema }),
    payment: PaymentTermsSchema,
}).strict();
export type SpendInput = z.infer<typeof SpendInputSchema>;

export const PositiveQuantitySchema = Quantity;
export const ReasonSchema = Label(256);

// ---------------------------------------------------------------------------------------------
// Rules.

export interface TxFacts {
    readonly txId: string;
    readonly timestamp: string;
}

/** Fresh output ids for one transaction: `<txId>.0`, `<txId>.1`, … */
export type NextId = () => string;
export function outputIds(txId: string): NextId {
    let n = 0;
    return () => `${txId}.${n++}`;
}

function hasRole(member: Pick<Member, 'roles'> | undefined, role: Member['roles'][number]): boolean {
    return member?.roles.includes(role) ?? false;
}

export function deposit(p: {
    readonly id: string;
    readonly owner: string;
    readonly input: DepositInput;
    readonly custodian: Member | undefined;
    readonly tx: TxFacts;
}): StockLot {
    const { input, tx } = p;
    if (p.custodian === undefined) throw fail('NOT_FOUND', `custodian ${input.custodian} is not a member`);
    if (!hasRole(p.custodian, 'CUSTODIAN')) throw fail('FORBIDDEN', `${input.custodian} does not hold the CUSTODIAN role`);
    return {
        id: p.id,
        owner: p.owner,
        custodian: input.custodian,
        batchLotId: input.batchLotId,
        sku: input.sku,
        unit: input.unit,
        quantity: input.quantity,
        unitValuation: input.unitValuation,
        status: 'DEPOSITED',
        attested: 0n,
        minted: 0n,
        redeemed: 0n,
        fulfilled: 0n,
        frozen: false,
        impaired: null,
        createdAt: tx.timestamp,
        updatedAt: tx.timestamp,
    };
}

function requireCustodian(lot: StockLot, caller: string, what: string): void {
    if (caller !== lot.custodian) throw fail('FORBIDDEN', `only the custodian ${lot.custodian} may ${what} stock lot ${lot.id}`);
}

function requireOwner(lot: StockLot, caller: string, what: string): void {
    if (caller !== lot.owner) throw fail('FORBIDDEN', `only the owner ${lot.owner} may ${what} stock lot ${lot.id}`);
}

/** INVALID_STATE when the lot is frozen (nothing moves) or, for `issuance`, impaired. */
export function requireMovable(lot: StockLot, issuance = false): void {
    if (lot.frozen) throw fail('INVALID_STATE', `stock lot ${lot.id} is FROZEN`);
    if (issuance && lot.impaired !== null) throw fail('INVALID_STATE', `stock lot ${lot.id} is IMPAIRED`);
    if (lot.status === 'CLOSED') throw fail('INVALID_STATE', `stock lot ${lot.id} is CLOSED`);
}

export function attest(lot: StockLot, caller: string, quantity: bigint, tx: TxFacts): StockLot {
    requireCustodian(lot, caller, 'attest');
    if (lot.status !== 'DEPOSITED') throw fail('INVALID_STATE', `stock lot ${lot.id} is ${lot.status}, not DEPOSITED`);
    if (lot.frozen) throw fail('INVALID_STATE', `stock lot ${lot.id} is FROZEN`);
    if (quantity > lot.quantity) {
        throw fail('INVALID_ARGUMENT', `attested quantity ${quantity} exceeds the deposited quantity ${lot.quantity}`);
    }
    return { ...lot, status: 'ATTESTED', attested: quantity, updatedAt: tx.timestamp };
}

export function freeze(lot: StockLot, caller: string, frozen: boolean, tx: TxFacts): StockLot {
    requireCustodian(lot, caller, frozen ? 'freeze' : 'unfreeze');
    if (lot.frozen === frozen) throw fail('INVALID_STATE', `stock lot ${lot.id} is ${frozen ? 'already' : 'not'} FROZEN`);
    return { ...lot, frozen, updatedAt: tx.timestamp };
}

export function impair(lot: StockLot, caller: string, reason: string, tx: TxFacts): StockLot {
    requireCustodian(lot, caller, 'impair');
    if (lot.impaired !== null) throw fail('INVALID_STATE', `stock lot ${lot.id} is already IMPAIRED`);
    return { ...lot, impaired: { reason, at: tx.timestamp }, updatedAt: tx.timestamp };
}

export function mint(
    lot: StockLot,
    caller: string,
    quantity: bigint,
    tx: TxFacts,
    nextId: NextId,
): { readonly lot: StockLot; readonly output: Output } {
    requireOwner(lot, caller, 'mint tokens of');
    if (lot.status === 'DEPOSITED') throw fail('INVALID_STATE', `stock lot ${lot.id} is not attested yet`);
    requireMovable(lot, true);
    if (lot.status === 'FULLY_REDEEMED') throw fail('INVALID_STATE', `stock lot ${lot.id} is FULLY_REDEEMED`);
    const minted = lot.minted + quantity;
    if (minted > lot.attested) {
        throw fail('INSUFFICIENT_FUNDS', `minting ${quantity} would bring stock lot ${lot.id} to ${minted}, above the attested ${lot.attested}`);
    }
    const status: LotStatus = lot.status === 'ATTESTED' ? 'TOKENIZED' : lot.status;
    return {
        lot: { ...lot, status, minted, updatedAt: tx.timestamp },
        output: newOutput({ id: nextId(), lotId: lot.id, owner: caller, quantity, lock: null }, tx),
    };
}

function newOutput(p: { id: string; lotId: string; owner: string; quantity: bigint; lock: Lock | null }, tx: TxFacts): Output {
    return { ...p, status: 'UNSPENT', createdTxId: tx.txId, createdAt: tx.timestamp, spentTxId: null, spentAt: null };
}

function describeLock(lock: Lock): string {
    return `${lock.kind === 'PLEDGE' ? 'pledge' : 'offer'} ${lock.id}`;
}

/**
 * The outputs to consume for moving `quantity`: the named `inputs` (each must be among `held`,
 * unspent and unlocked), or else the holder's unspent unlocked outputs in key order until enough.
 * `held` are the holder's outputs of the lot, any status.
 */
export function selectInputs(held: readonly Output[], quantity: bigint, inputs?: readonly string[]): Output[] {
    let selected: Output[];
    if (inputs !== undefined) {
        const byId = new Map(held.map((o) => [o.id, o] as const));
        selected = inputs.map((id) => {
            const o = byId.get(id);
            if (o === undefined) throw fail('NOT_FOUND', `output ${id} is not held by the caller in this lot`);
            return o;
        });
        for (const o of selected) requireSpendable(o);
        const total = sum(selected.map((o) => o.quantity));
        if (total < quantity) throw fail('INSUFFICIENT_FUNDS', `the named inputs hold ${total}, less than ${quantity}`);
        return selected;
    }
    selected = [];
    let total = 0n;
    for (const o of held) {
        if (total >= quantity) break;
        if (o.status !== 'UNSPENT' || o.lock !== null) continue;
        selected.push(o);
        total += o.quantity;
    }
    if (total < quantity) throw fail('INSUFFICIENT_FUNDS', `spendable balance ${total} is less than ${quantity}`);
    return selected;
}

/** CONFLICT when already consumed (no double spend), INVALID_STATE when locked. */
export function requireSpendable(o: Output, lock: Lock | null = null): void {
    if (o.status !== 'UNSPENT') throw fail('CONFLICT', `output ${o.id} was already spent in transaction ${o.spentTxId ?? '?'}`);
    if (lock === null && o.lock !== null) throw fail('INVALID_STATE', `output ${o.id} is locked by ${describeLock(o.lock)}`);
    if (lock !== null && (o.lock?.kind !== lock.kind || o.lock.id !== lock.id)) {
        throw fail('INVALID_STATE', `output ${o.id} is not locked by ${describeLock(lock)}`);
    }
}

export interface Part {
    /** A pre-allocated id (e.g. recorded on a pledge or offer); else the next id. */
    readonly id?: string;
    readonly owner: string;
    readonly quantity: bigint;
    readonly lock: Lock | null;
}

export interface Move {
    /** The consumed inputs, now SPENT. */
    readonly consumed: readonly Output[];
    /** The new outputs: the parts in order, then the change (unlocked, back to the inputs' owner) if any. */
    readonly created: readonly Output[];
    readonly change: bigint;
}

/**
 * Consume `inputs` (all of one owner and lot, already checked spendable) and create `parts` plus
 * change: Σ created + burned = Σ consumed, always.
 */
export function move(inputs: readonly Output[], parts: readonly Part[], tx: TxFacts, nextId: NextId, burned = 0n): Move {
    const first = inputs[0];
    if (first === undefined) throw fail('INVALID_ARGUMENT', 'a move needs at least one input');
    const total = sum(inputs.map((o) => o.quantity));
    const out = sum(parts.map((p) => p.quantity)) + burned;
    if (parts.some((p) => p.quantity <= 0n) || burned < 0n) throw fail('INVALID_ARGUMENT', 'every output quantity must be positive');
    if (out > total) throw fail('INSUFFICIENT_FUNDS', `inputs hold ${total}, less than ${out}`);
    const consumed = inputs.map((o): Output => ({ ...o, status: 'SPENT', spentTxId: tx.txId, spentAt: tx.timestamp }));
    const created = parts.map((p) => newOutput({ id: p.id ?? nextId(), lotId: first.lotId, owner: p.owner, quantity: p.quantity, lock: p.lock }, tx));
    const change = total - out;
    if (change > 0n) created.push(newOutput({ id: nextId(), lotId: first.lotId, owner: first.owner, quantity: change, lock: null }, tx));
    return { consumed, created, change };
}

export function pledge(p: {
    readonly id: string;
    readonly lot: StockLot;
    readonly owner: string;
    readonly financier: Member | undefined;
    readonly financierId: string;
    readonly quantity: bigint;
    readonly outputId: string;
    readonly tx: TxFacts;
}): Pledge {
    if (p.financier === undefined) throw fail('NOT_FOUND', `financier ${p.financierId} is not a member`);
    if (!hasRole(p.financier, 'FINANCIER')) throw fail('FORBIDDEN', `${p.financierId} does not hold the FINANCIER role`);
    if (p.financierId === p.owner) throw fail('INVALID_ARGUMENT', 'an org cannot pledge to itself');
    requireMovable(p.lot, true);
    return {
        id: p.id,
        lotId: p.lot.id,
        owner: p.owner,
        financier: p.financierId,
        quantity: p.quantity,
        outputId: p.outputId,
        status: 'ACTIVE',
        createdAt: p.tx.timestamp,
        closedAt: null,
    };
}

export function closePledge(pl: Pledge, caller: string, outcome: 'RELEASED' | 'FORECLOSED', tx: TxFacts): Pledge {
    if (caller !== pl.financier) throw fail('FORBIDDEN', `only the financier ${pl.financier} may close pledge ${pl.id}`);
    if (pl.status !== 'ACTIVE') throw fail('INVALID_STATE', `pledge ${pl.id} is ${pl.status}, not ACTIVE`);
    return { ...pl, status: outcome, closedAt: tx.timestamp };
}

export function offer(p: {
    readonly id: string;
    readonly lot: StockLot;
    readonly seller: string;
    readonly quantity: bigint;
    readonly unitPrice: Money;
    readonly payment: PaymentTerms;
    readonly outputId: string;
    readonly tx: TxFacts;
}): Offer {
    requireMovable(p.lot, true);
    if ('maturityDate' in p.payment && p.payment.maturityDate <= p.tx.timestamp.slice(0, 10)) {
        throw fail('INVALID_ARGUMENT', `maturityDate ${p.payment.maturityDate} must be after ${p.tx.timestamp.slice(0, 10)}`);
    }
    return {
        id: p.id,
        lotId: p.lot.id,
        seller: p.seller,
        quantity: p.quantity,
        remaining: p.quantity,
        unitPrice: p.unitPrice,
        payment: p.payment,
        outputId: p.outputId,
        status: 'OPEN',
        createdAt: p.tx.timestamp,
        updatedAt: p.tx.timestamp,
    };
}

export function requireOpenOffer(o: Offer): string {
    if (o.status !== 'OPEN' || o.outputId === null) throw fail('INVALID_STATE', `offer ${o.id} is ${o.status}, not OPEN`);
    return o.outputId;
}

export function cancelOffer(o: Offer, caller: string, tx: TxFacts): Offer {
    if (caller !== o.seller) throw fail('FORBIDDEN', `only the seller ${o.seller} may cancel offer ${o.id}`);
    requireOpenOffer(o);
    return { ...o, status: 'CANCELLED', outputId: null, updatedAt: tx.timestamp };
}

/** The date `days` after the ISO date `date`. */
export function addDays(date: string, days: number): string {
    const ms = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) + days * 86_400_000;
    return new Date(ms).toISOString().slice(0, 10);
}

export type Sale = {
    readonly offer: Offer;
    readonly price: { readonly amount: bigint; readonly currency: string };
    readonly maturityDate: string;
};

/** A purchase of `quantity` from an open offer: the updated offer, the price and the payment date. */
export function purchase(o: Offer, buyer: string, quantity: bigint, remainderOutputId: string | null, tx: TxFacts): Sale {
    requireOpenOffer(o);
    if (buyer === o.seller) throw fail('INVALID_ARGUMENT', `the seller cannot buy from its own offer ${o.id}`);
    if (quantity > o.remaining) throw fail('INSUFFICIENT_FUNDS', `offer ${o.id} has ${o.remaining} remaining, less than ${quantity}`);
    const today = tx.timestamp.slice(0, 10);
    const maturityDate = 'maturityDays' in o.payment ? addDays(today, o.payment.maturityDays) : o.payment.maturityDate;
    if (maturityDate <= today) throw fail('INVALID_STATE', `offer ${o.id} asks for payment on ${maturityDate}, which is not after ${today}`);
    const remaining = o.remaining - quantity;
    return {
        offer: {
            ...o,
            remaining,
            status: remaining === 0n ? 'FILLED' : 'OPEN',
            outputId: remaining === 0n ? null : remainderOutputId,
            updatedAt: tx.timestamp,
        },
        price: { amount: o.unitPrice.amount * quantity, currency: o.unitPrice.currency },
        maturityDate,
    };
}

export function redeem(p: {
    readonly id: string;
    readonly lot: StockLot;
    readonly owner: string;
    readonly quantity: bigint;
    readonly tx: TxFacts;
}): { readonly lot: StockLot; readonly redemption: Redemption } {
    const { lot, tx } = p;
    requireMovable(lot);
    const redeemed = lot.redeemed + p.quantity;
    if (redeemed > lot.minted) throw fail('INVALID_STATE', `stock lot ${lot.id} cannot redeem more than it minted`);
    const status: LotStatus = redeemed === lot.attested ? 'FULLY_REDEEMED' : 'PARTIALLY_REDEEMED';
    return {
        lot: { ...lot, redeemed, status, updatedAt: tx.timestamp },
        redemption: {
            id: p.id,
            lotId: lot.id,
            owner: p.owner,
            custodian: lot.custodian,
            quantity: p.quantity,
            status: 'REQUESTED',
            requestedAt: tx.timestamp,
            fulfilledAt: null,
        },
    };
}

export function fulfil(
    lot: StockLot,
    r: Redemption,
    caller: string,
    tx: TxFacts,
): { readonly lot: StockLot; readonly redemption: Redemption } {
    requireCustodian(lot, caller, 'fulfil redemptions of');
    if (r.status !== 'REQUESTED') throw fail('INVALID_STATE', `redemption ${r.id} is ${r.status}, not REQUESTED`);
    if (lot.frozen) throw fail('INVALID_STATE', `stock lot ${lot.id} is FROZEN`);
    const fulfilled = lot.fulfilled + r.quantity;
    const status: LotStatus = lot.status === 'FULLY_REDEEMED' && fulfilled === lot.redeemed ? 'CLOSED' : lot.status;
    return {
        lot: { ...lot, fulfilled, status, updatedAt: tx.timestamp },
        redemption: { ...r, status: 'FULFILLED', fulfilledAt: tx.timestamp },
    };
}

export type Holding = {
    /** Unspent and unlocked: what the owner can move. */
    readonly available: bigint;
    /** Unspent but locked by a pledge or an offer. */
    readonly locked: bigint;
    readonly total: bigint;
};

/** Sum of unspent outputs (computed at read; no totals are stored). */
export function holding(outputs: Iterable<Output>): Holding {
    let available = 0n;
    let locked = 0n;
    for (const o of outputs) {
        if (o.status !== 'UNSPENT') continue;
        if (o.lock === null) available += o.quantity;
        else locked += o.quantity;
    }
    return { available, locked, total: available + locked };
}
