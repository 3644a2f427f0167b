/**
 * Product lifecycle and provenance (DESIGN.md §3.1), pure: products, lots and their state machine,
 * EPCIS-style events, inspection, two-step custody, transformations within a declared yield,
 * recall, serialized units and the consumer-verification verdict. No Fabric imports: the contract
 * loads, calls these functions and saves what they return.
 */
import { z } from 'zod';
import { TextSchema } from './text';
import { fail } from './errors';
import { InstantSchema, MspIdSchema, TxIdSchema } from './membership';
import { CurrencySchema } from './money';

// ---------------------------------------------------------------------------------------------
// Stored values: bigint inside, decimal strings in JSON (a stored schema accepts both).

const DIGITS = /^(?:0|[1-9][0-9]{0,29})$/;
const MAX = 10n ** 30n - 1n;
const Units = z.union([
    z.bigint().refine((v) => v >= 0n && v <= MAX, 'out of range'),
    z.string().regex(DIGITS, 'expected a non-negative decimal integer string').transform((s) => BigInt(s)),
]);
const Positive = Units.refine((v) => v > 0n, 'must be greater than 0');

/** Ids of products and lots (client-supplied, checked unique) and of events (the tx id). */
export const ProvIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'expected an id: 1-128 letters, digits, ".", "_", ":" or "-"');
/** Serial numbers of units (bottles). */
export const SerialSchema = ProvIdSchema;
const Label = TextSchema;
/** A SHA-256 digest as 64 lower-case hex digits. */
export const Sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 digest as 64 lower-case hex digits');
/** A unit of measure such as kg, L, bottle. */
export const UnitOfMeasureSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_.]{0,15}$/, 'expected a unit of measure such as kg or L');
/** A place: GLN-like or free identifier (read point, business location, scan location). */
export const LocationSchema = Label(256);

export const DEFAULT_SCAN_LIMIT = 5;
export const MAX_SCAN_LIMIT = 1000;
/** How deep recall propagation and timelines follow derivedFrom links, and how many lots at most. */
export const MAX_LINEAGE_DEPTH = 8;
export const MAX_LINEAGE_LOTS = 100;
export const MAX_UNITS_PER_CALL = 200;

// ---------------------------------------------------------------------------------------------
// Vocabulary

export const LOT_STATUSES = ['CREATED', 'IN_PROCESS', 'QC_PENDING', 'RELEASED', 'QUARANTINED', 'SHIPPED', 'RECEIVED', 'SOLD_OUT', 'RECALLED'] as const;
export const LotStatusSchema = z.enum(LOT_STATUSES);
export type LotStatus = z.infer<typeof LotStatusSchema>;

/**
 * Allowed transitions. RECALLED is terminal and reachable from every other state; SOLD_OUT is
 * left only by a recall. QUARANTINED goes back to IN_PROCESS (rework) or QC_PENDING (re-inspection).
 */
export const TRANSITIONS: Readonly<Record<LotStatus, readonly LotStatus[]>> = {
    CREATED: ['IN_PROCESS', 'RECALLED'],
    IN_PROCESS: ['QC_PENDING', 'RECALLED'],
    QC_PENDING: ['RELEASED', 'QUARANTINED', 'RECALLED'],
    RELEASED: ['SHIPPED', 'SOLD_OUT', 'RECALLED'],
    QUARANTINED: ['IN_PROCESS', 'QC_PENDING', 'RECALLED'],
    SHIPPED: ['RECEIVED', 'RECALLED'],
    RECEIVED: ['SHIPPED', 'SOLD_OUT', 'RECALLED'],
    SOLD_OUT: ['RECALLED'],
    RECALLED: [],
};

export function canTransition(from: LotStatus, to: LotStatus): boolean {
    return TRANSITIONS[from].includes(to);
}

/** INVALID_STATE unless `from → to` is an allowed transition. */
export function transition(lotId: string, from: LotStatus, to: LotStatus): LotStatus {
    if (!canTransition(from, to)) throw fail('INVALID_STATE', `lot ${lotId} cannot go from ${from} to ${to}`);
    return to;
}

/** EPCIS 2.0 CBV business steps accepted here. */
export const BIZ_STEPS = [
    'commissioning',
    'receiving',
    'inspecting',
    'packing',
    'shipping',
    'retail_selling',
    'transforming',
    'storing',
    'holding',
    'repairing',
    'destroying',
    'recalling',
    'creating_class_instance',
    'encoding',
    'loading',
    'unloading',
    'sampling',
] as const;
export const BizStepSchema = z.enum(BIZ_STEPS);
export type BizStep = z.infer<typeof BizStepSchema>;

/** Steps that have their own transaction and may not be recorded through RecordEvent. */
const DEDICATED_STEPS: ReadonlySet<BizStep> = new Set<BizStep>(['shipping', 'receiving', 'transforming', 'recalling', 'creating_class_instance']);

/** What a RecordEvent business step does to the lot's status (null: nothing). */
export function statusAfterStep(step: BizStep, from: LotStatus): LotStatus | null {
    switch (step) {
        case 'commissioning':
            return from === 'CREATED' ? 'IN_PROCESS' : null;
        case 'sampling':
            return from === 'IN_PROCESS' || from === 'QUARANTINED' ? 'QC_PENDING' : null;
        case 'repairing':
            return from === 'QUARANTINED' ? 'IN_PROCESS' : null;
        case 'retail_selling':
            return 'SOLD_OUT';
        default:
            return null;
    }
}

export const DISPOSITIONS = [
    'active',
    'in_progress',
    'conformant',
    'non_conformant',
    'in_transit',
    'sellable_accessible',
    'sellable_not_accessible',
    'retail_sold',
    'recalled',
    'destroyed',
    'container_closed',
    'needs_replacement',
    'unknown',
] as const;
export const DispositionSchema = z.enum(DISPOSITIONS);

export const FEE_KINDS = ['FEE', 'TAX', 'DUTY', 'FREIGHT', 'INSURANCE'] as const;
export const FeeSchema = z.strictObject({
    kind: z.enum(FEE_KINDS),
    description: Label(256),
    amount: Positive,
    currency: CurrencySchema,
    payee: Label(128).optional(),
});
export type Fee = z.infer<typeof FeeSchema>;

export const DOCUMENT_TYPES = ['CERTIFICATE', 'INVOICE', 'BILL_OF_LADING', 'CUSTOMS', 'LAB_REPORT', 'PHOTO', 'OTHER'] as const;
export const DocumentSchema = z.strictObject({ type: z.enum(DOCUMENT_TYPES), sha256: Sha256HexSchema, name: Label(256).optional() });
export type DocumentRef = z.infer<typeof DocumentSchema>;

export const BizTransactionSchema = z.strictObject({ type: z.enum(['po', 'inv', 'desadv', 'bol', 'recadv', 'prodorder', 'other']), id: Label(128) });

export const LotQuantitySchema = z.strictObject({ lotId: ProvIdSchema, quantity: Positive });
export type LotQuantity = z.infer<typeof LotQuantitySchema>;

// ---------------------------------------------------------------------------------------------
// Entities

export const ProductSchema = z.strictObject({
    id: ProvIdSchema,
    owner: MspIdSchema,
    sku: Label(64),
    model: Label(128),
    name: Label(256),
    /** Scans with a valid code after which a unit reads SUSPECT. */
    scanLimit: z.number().int().min(1).max(MAX_SCAN_LIMIT),
    createdTxId: TxIdSchema,
    createdAt: InstantSchema,
});
export type Product = z.infer<typeof ProductSchema>;

export const InspectionSchema = z.strictObject({
    inspector: MspIdSchema,
    result: z.enum(['CONFORMANT', 'NONCONFORMANT']),
    certificateHash: Sha256HexSchema,
    txId: TxIdSchema,
    timestamp: InstantSchema,
});
export type Inspection = z.infer<typeof InspectionSchema>;

export const RecallSchema = z.strictObject({
    /** The lot the owner recalled; equals the lot's own id at the root. */
    rootLotId: ProvIdSchema,
    by: MspIdSchema,
    reason: Label(512),
    txId: TxIdSchema,
    timestamp: InstantSchema,
});

export const LotSchema = z.strictObject({
    id: ProvIdSchema,
    productId: ProvIdSchema,
    /** The manufacturer that created the lot (recalls it, commissions its units). */
    owner: MspIdSchema,
    /** Who has custody now. */
    holder: MspIdSchema,
    /** Receiver named by the pending shipment (status SHIPPED), else null. */
    shippedTo: MspIdSchema.nullable(),
    status: LotStatusSchema,
    quantity: Units,
    unit: UnitOfMeasureSchema,
    derivedFrom: z.array(LotQuantitySchema),
    inspection: InspectionSchema.nullable(),
    recall: RecallSchema.nullable(),
    createdTxId: TxIdSchema,
    createdAt: InstantSchema,
    updatedTxId: TxIdSchema,
});
export type Lot = z.infer<typeof LotSchema>;

export const EVENT_TYPES = ['OBJECT', 'TRANSFORMATION', 'INSPECTION', 'CUSTODY', 'RECALL', 'COMMISSION_UNITS', 'CREATED'] as const;

/** One append-only lifecycle event of one lot, keyed [lotId, eventId]. */
export const LotEventSchema = z.strictObject({
    lotId: ProvIdSchema,
    eventId: TxIdSchema,
    eventType: z.enum(EVENT_TYPES),
    by: MspIdSchema,
    /** Declared by the client (EPCIS eventTime); the tx time is `recordedAt`. */
    eventTime: InstantSchema,
    recordedAt: InstantSchema,
    txId: TxIdSchema,
    bizStep: BizStepSchema,
    disposition: DispositionSchema,
    readPoint: LocationSchema.nullable(),
    bizLocation: LocationSchema.nullable(),
    quantity: Units,
    statusBefore: LotStatusSchema.nullable(),
    statusAfter: LotStatusSchema,
    bizTransactions: z.array(BizTransactionSchema),
    fees: z.array(FeeSchema),
    documents: z.array(DocumentSchema),
    inputs: z.array(LotQuantitySchema),
    outputs: z.array(LotQuantitySchema),
    /** Custody: from → to (shipping), or the receiver (receiving). */
    custody: z.strictObject({ from: MspIdSchema, to: MspIdSchema }).nullable(),
    inspection: InspectionSchema.nullable(),
    note: z.string().max(512).nullable(),
});
export type LotEvent = z.infer<typeof LotEventSchema>;

export const UnitSchema = z.strictObject({
    serial: SerialSchema,
    lotId: ProvIdSchema,
    productId: ProvIdSchema,
    /** SHA-256 of the secret verification code; the code itself never reaches the ledger. */
    codeHash: Sha256HexSchema,
    commissionedTxId: TxIdSchema,
    commissionedAt: InstantSchema,
});
export type SerialUnit = z.infer<typeof UnitSchema>;

export const VERDICTS = ['GENUINE', 'SUSPECT', 'UNKNOWN'] as const;
export const VerdictSchema = z.enum(VERDICTS);
export type Verdict = z.infer<typeof VerdictSchema>;
export const SUSPECT_REASONS = ['LOT_RECALLED', 'SCAN_LIMIT_EXCEEDED', 'LOCATION_CHANGED', 'PREVIOUSLY_SUSPECT'] as const;
export type SuspectReason = (typeof SUSPECT_REASONS)[number];

/** One consumer scan, keyed [serial, txId]. */
export const ScanSchema = z.strictObject({
    serial: SerialSchema,
    txId: TxIdSchema,
    timestamp: InstantSchema,
    location: LocationSchema,
    verdict: VerdictSchema,
    reasons: z.array(z.enum(SUSPECT_REASONS)),
});
export type Scan = z.infer<typeof ScanSchema>;

// ---------------------------------------------------------------------------------------------
// Inputs (transaction arguments)

export const ProductInputSchema = z.strictObject({
    id: ProvIdSchema,
    sku: Label(64),
    model: Label(128),
    name: Label(256),
    scanLimit: z.number().int().min(1).max(MAX_SCAN_LIMIT).optional(),
});
export type ProductInput = z.infer<typeof ProductInputSchema>;

export const LotInputSchema = z.strictObject({
    id: ProvIdSchema,
    productId: ProvIdSchema,
    quantity: Positive,
    unit: UnitOfMeasureSchema,
});
export type LotInput = z.infer<typeof LotInputSchema>;

const EventCommon = {
    eventTime: InstantSchema,
    readPoint: LocationSchema.nullable().default(null),
    bizLocation: LocationSchema.nullable().default(null),
    disposition: DispositionSchema,
    bizTransactions: z.array(BizTransactionSchema).max(20).default([]),
    fees: z.array(FeeSchema).max(20).default([]),
    documents: z.array(DocumentSchema).max(20).default([]),
    note: z.string().max(512).nullable().default(null),
};

export const EventInputSchema = z
    .strictObject({
        lots: z.array(LotQuantitySchema).min(1).max(20),
        bizStep: BizStepSchema,
        ...EventCommon,
    })
    .refine((e) => !DEDICATED_STEPS.has(e.bizStep), { message: 'shipping, receiving, transforming and recalling have their own transactions', path: ['bizStep'] })
    .refine((e) => new Set(e.lots.map((l) => l.lotId)).size === e.lots.length, { message: 'a lot is listed twice', path: ['lots'] });
export type EventInput = z.infer<typeof EventInputSchema>;

/**
 * An object event of one lot whose id is given apart (the REST gateway's `POST /v1/lots/{id}/events`):
 * EventInputSchema's `lots` becomes `[{ lotId, quantity }]`.
 */
export const LotEventInputSchema = z.strictObject({ quantity: Positive, bizStep: BizStepSchema, ...EventCommon });

/** Optional EPCIS context for dedicated transactions (ship, receive, transform, inspect). */
export const ContextInputSchema = z.strictObject({
    eventTime: InstantSchema,
    readPoint: LocationSchema.nullable().default(null),
    bizLocation: LocationSchema.nullable().default(null),
    bizTransactions: z.array(BizTransactionSchema).max(20).default([]),
    fees: z.array(FeeSchema).max(20).default([]),
    documents: z.array(DocumentSchema).max(20).default([]),
    note: z.string().max(512).nullable().default(null),
});
export type ContextInput = z.infer<typeof ContextInputSchema>;

export const InspectionInputSchema = z.strictObject({
    lotId: ProvIdSchema,
    result: z.enum(['CONFORMANT', 'NONCONFORMANT']),
    certificateHash: Sha256HexSchema,
});

export const TransformInputSchema = z
    .strictObject({
        inputs: z.array(LotQuantitySchema).min(1).max(20),
        output: LotInputSchema,
        /** Declared yield bound, in percent of the summed input quantity (mass conservation: ≤ 100). */
        minYieldPercent: z.number().int().min(1).max(100),
        maxYieldPercent: z.number().int().min(1).max(100),
    })
    .refine((t) => t.minYieldPercent <= t.maxYieldPercent, { message: 'minYieldPercent exceeds maxYieldPercent', path: ['minYieldPercent'] })
    .refine((t) => new Set(t.inputs.map((l) => l.lotId)).size === t.inputs.length, { message: 'a lot is listed twice', path: ['inputs'] });
export type TransformInput = z.infer<typeof TransformInputSchema>;

export const UnitInputSchema = z.strictObject({ serial: SerialSchema, codeHash: Sha256HexSchema });
export const UnitsInputSchema = z
    .array(UnitInputSchema)
    .min(1)
    .max(MAX_UNITS_PER_CALL)
    .refine((us) => new Set(us.map((u) => u.serial)).size === us.length, 'a serial is listed twice');

export interface TxFacts {
    readonly txId: string;
    readonly timestamp: string;
    readonly caller: string;
}

// ---------------------------------------------------------------------------------------------
// Rules

export function createProduct(input: ProductInput, tx: TxFacts): Product {
    return {
        id: input.id,
        owner: tx.caller,
        sku: input.sku,
        model: input.model,
        name: input.name,
        scanLimit: input.scanLimit ?? DEFAULT_SCAN_LIMIT,
        createdTxId: tx.txId,
        createdAt: tx.timestamp,
    };
}

export function createLot(product: Product, input: LotInput, tx: TxFacts, derivedFrom: readonly LotQuantity[] = []): Lot {
    if (product.owner !== tx.caller) throw fail('FORBIDDEN', `product ${product.id} belongs to ${product.owner}`);
    return {
        id: input.id,
        productId: product.id,
        owner: tx.caller,
        holder: tx.caller,
        shippedTo: null,
        status: derivedFrom.length > 0 ? 'IN_PROCESS' : 'CREATED',
        quantity: input.quantity,
        unit: input.unit,
        derivedFrom: [...derivedFrom],
        inspection: null,
        recall: null,
        createdTxId: tx.txId,
        createdAt: tx.timestamp,
        updatedTxId: tx.txId,
    };
}

/** FORBIDDEN unless the caller has custody of the lot (and it is not in transit to someone else). */
export function requireHolder(lot: Lot, caller: string): void {
    if (lot.holder !== caller) throw fail('FORBIDDEN', `lot ${lot.id} is held by ${lot.holder}, not ${caller}`);
}

function requireNotRecalled(lot: Lot): void {
    if (lot.status === 'RECALLED') throw fail('INVALID_STATE', `lot ${lot.id} is RECALLED`);
}

/** The quantity named by an event may not exceed what the lot holds. */
function requireQuantity(lot: Lot, quantity: bigint): void {
    if (quantity > lot.quantity) throw fail('INVALID_ARGUMENT', `lot ${lot.id} holds ${lot.quantity} ${lot.unit}, not ${quantity}`);
}

export interface Applied {
    readonly lot: Lot;
    readonly event: LotEvent;
}

interface EventParts {
    readonly eventType: LotEvent['eventType'];
    readonly bizStep: BizStep;
    readonly disposition: LotEvent['disposition'];
    readonly quantity: bigint;
    readonly context: ContextInput;
    readonly inputs?: readonly LotQuantity[];
    readonly outputs?: readonly LotQuantity[];
    readonly custody?: { readonly from: string; readonly to: string } | null;
    readonly inspection?: Inspection | null;
}

function eventOf(before: Lot | null, after: Lot, parts: EventParts, tx: TxFacts): LotEvent {
    const c = parts.context;
    return {
        lotId: after.id,
        eventId: tx.txId,
        eventType: parts.eventType,
        by: tx.caller,
        eventTime: c.eventTime,
        recordedAt: tx.timestamp,
        txId: tx.txId,
        bizStep: parts.bizStep,
        disposition: parts.disposition,
        readPoint: c.readPoint,
        bizLocation: c.bizLocation,
        quantity: parts.quantity,
        statusBefore: before?.status ?? null,
        statusAfter: after.status,
        bizTransactions: [...c.bizTransactions],
        fees: [...c.fees],
        documents: [...c.documents],
        inputs: [...(parts.inputs ?? [])],
        outputs: [...(parts.outputs ?? [])],
        custody: parts.custody ?? null,
        inspection: parts.inspection ?? null,
        note: c.note,
    };
}

/** A context with only the tx time, for events the chaincode records by itself. */
export function plainContext(timestamp: string): ContextInput {
    return { eventTime: timestamp, readPoint: null, bizLocation: null, bizTransactions: [], fees: [], documents: [], note: null };
}

export function creationEvent(lot: Lot, tx: TxFacts, context: ContextInput = plainContext(tx.timestamp)): LotEvent {
    return eventOf(null, lot, { eventType: 'CREATED', bizStep: 'creating_class_instance', disposition: 'active', quantity: lot.quantity, context }, tx);
}

function updated(lot: Lot, changes: Partial<Lot>, tx: TxFacts): Lot {
    return { ...lot, ...changes, updatedTxId: tx.txId };
}

/** A RecordEvent on one lot: the holder records it; some steps move the status. */
export function recordEvent(lot: Lot, input: EventInput, quantity: bigint, tx: TxFacts): Applied {
    requireHolder(lot, tx.caller);
    requireNotRecalled(lot);
    requireQuantity(lot, quantity);
    if (lot.status === 'SOLD_OUT') throw fail('INVALID_STATE', `lot ${lot.id} is SOLD_OUT`);
    const target = statusAfterStep(input.bizStep, lot.status);
    const status = target === null ? lot.status : transition(lot.id, lot.status, target);
    const after = updated(lot, { status }, tx);
    const { lots: _lots, bizStep, disposition, ...context } = input;
    void _lots;
    return { lot: after, event: eventOf(lot, after, { eventType: 'OBJECT', bizStep, disposition, quantity, context }, tx) };
}

/** An INSPECTOR's verdict on a QC_PENDING lot: RELEASED when conformant, else QUARANTINED. */
export function inspect(lot: Lot, result: Inspection['result'], certificateHash: string, tx: TxFacts): Applied {
    const status = transition(lot.id, lot.status, result === 'CONFORMANT' ? 'RELEASED' : 'QUARANTINED');
    const inspection: Inspection = { inspector: tx.caller, result, certificateHash, txId: tx.txId, timestamp: tx.timestamp };
    const after = updated(lot, { status, inspection }, tx);
    const context: ContextInput = { ...plainContext(tx.timestamp), documents: [{ type: 'CERTIFICATE', sha256: certificateHash }] };
    const disposition = result === 'CONFORMANT' ? 'conformant' : 'non_conformant';
    return { lot: after, event: eventOf(lot, after, { eventType: 'INSPECTION', bizStep: 'inspecting', disposition, quantity: lot.quantity, context, inspection }, tx) };
}

/** Nothing ships without a conformant inspection on record. */
export function requireConformant(lot: Lot): void {
    if (lot.inspection?.result !== 'CONFORMANT') throw fail('INVALID_STATE', `lot ${lot.id} has no conformant inspection`);
}

/** Step one of custody: the holder ships the lot to a named receiver. */
export function ship(lot: Lot, receiver: string, context: ContextInput, tx: TxFacts): Applied {
    requireHolder(lot, tx.caller);
    if (receiver === tx.caller) throw fail('INVALID_ARGUMENT', `lot ${lot.id} cannot be shipped to its holder`);
    requireConformant(lot);
    const status = transition(lot.id, lot.status, 'SHIPPED');
    const after = updated(lot, { status, shippedTo: receiver }, tx);
    const custody = { from: tx.caller, to: receiver };
    return { lot: after, event: eventOf(lot, after, { eventType: 'CUSTODY', bizStep: 'shipping', disposition: 'in_transit', quantity: lot.quantity, context, custody }, tx) };
}

/** Step two: the named receiver takes custody. */
export function receive(lot: Lot, context: ContextInput, tx: TxFacts): Applied {
    if (lot.status !== 'SHIPPED' || lot.shippedTo === null) throw fail('INVALID_STATE', `lot ${lot.id} is ${lot.status}, not SHIPPED`);
    if (lot.shippedTo !== tx.caller) throw fail('FORBIDDEN', `lot ${lot.id} is shipped to ${lot.shippedTo}, not ${tx.caller}`);
    const status = transition(lot.id, lot.status, 'RECEIVED');
    const custody = { from: lot.holder, to: tx.caller };
    const after = updated(lot, { status, holder: tx.caller, shippedTo: null }, tx);
    return {
        lot: after,
        event: eventOf(lot, after, { eventType: 'CUSTODY', bizStep: 'receiving', disposition: 'sellable_not_accessible', quantity: lot.quantity, context, custody }, tx),
    };
}

/** Statuses a lot may be consumed from by a transformation. */
const TRANSFORMABLE: ReadonlySet<LotStatus> = new Set<LotStatus>(['IN_PROCESS', 'RELEASED', 'RECEIVED']);

export interface Transformed {
    readonly inputs: readonly Applied[];
    readonly output: Applied;
}

/**
 * Inputs (held by the caller, same unit) → one new output lot of the caller's product. The output
 * quantity must lie within [min, max] percent of the summed inputs (max ≤ 100: mass is conserved);
 * the consumed quantities leave the inputs; the output records them as `derivedFrom`.
 */
export function transform(product: Product, inputLots: readonly Lot[], input: TransformInput, context: ContextInput, tx: TxFacts): Transformed {
    let total = 0n;
    const consumed: Array<{ readonly before: Lot; readonly after: Lot }> = [];
    for (const want of input.inputs) {
        const lot = inputLots.find((l) => l.id === want.lotId);
        if (lot === undefined) throw fail('NOT_FOUND', `lot ${want.lotId} does not exist`);
        requireHolder(lot, tx.caller);
        if (!TRANSFORMABLE.has(lot.status)) throw fail('INVALID_STATE', `lot ${lot.id} is ${lot.status} and cannot be transformed`);
        if (lot.unit !== input.output.unit) throw fail('INVALID_ARGUMENT', `lot ${lot.id} is measured in ${lot.unit}, the output in ${input.output.unit}`);
        requireQuantity(lot, want.quantity);
        total += want.quantity;
        consumed.push({ before: lot, after: updated(lot, { quantity: lot.quantity - want.quantity }, tx) });
    }
    const out = input.output.quantity;
    if (out * 100n < total * BigInt(input.minYieldPercent) || out * 100n > total * BigInt(input.maxYieldPercent)) {
        throw fail(
            'INVALID_ARGUMENT',
            `output ${out} ${input.output.unit} is outside the declared yield ${input.minYieldPercent}-${input.maxYieldPercent}% of ${total} ${input.output.unit}`,
        );
    }
    const outputLot = createLot(product, input.output, tx, input.inputs);
    const outputs = [{ lotId: outputLot.id, quantity: out }];
    const parts = { eventType: 'TRANSFORMATION', bizStep: 'transforming', disposition: 'in_progress', context, inputs: input.inputs, outputs } as const;
    const inputs = consumed.map(({ before, after }) => ({ lot: after, event: eventOf(before, after, { ...parts, quantity: before.quantity - after.quantity }, tx) }));
    return { inputs, output: { lot: outputLot, event: eventOf(null, outputLot, { ...parts, quantity: out }, tx) } };
}

/** Recall one lot (root or derived). Already-recalled lots are left unchanged (null). */
export function recall(lot: Lot, rootLotId: string, reason: string, tx: TxFacts): Applied | null {
    if (lot.status === 'RECALLED') return null;
    const status = transition(lot.id, lot.status, 'RECALLED');
    const after = updated(lot, { status, recall: { rootLotId, by: tx.caller, reason, txId: tx.txId, timestamp: tx.timestamp } }, tx);
    const context: ContextInput = { ...plainContext(tx.timestamp), note: reason };
    return { lot: after, event: eventOf(lot, after, { eventType: 'RECALL', bizStep: 'recalling', disposition: 'recalled', quantity: lot.quantity, context }, tx) };
}

/** Only the manufacturer that owns the root lot recalls it. */
export function requireOwner(lot: Lot, caller: string): void {
    if (lot.owner !== caller) throw fail('FORBIDDEN', `lot ${lot.id} is owned by ${lot.owner}, not ${caller}`);
}

/** Commission serialized units of a lot (owner only, lot neither recalled nor sold out). */
export function commissionUnits(lot: Lot, units: ReadonlyArray<{ serial: string; codeHash: string }>, tx: TxFacts): { units: SerialUnit[]; event: LotEvent } {
    requireOwner(lot, tx.caller);
    requireNotRecalled(lot);
    if (lot.status === 'SOLD_OUT') throw fail('INVALID_STATE', `lot ${lot.id} is SOLD_OUT`);
    const created = units.map((u) => ({ serial: u.serial, lotId: lot.id, productId: lot.productId, codeHash: u.codeHash, commissionedTxId: tx.txId, commissionedAt: tx.timestamp }));
    const context: ContextInput = { ...plainContext(tx.timestamp), note: `${units.length} units commissioned` };
    const event = eventOf(lot, lot, { eventType: 'COMMISSION_UNITS', bizStep: 'commissioning', disposition: 'active', quantity: BigInt(units.length), context }, tx);
    return { units: created, event };
}

/**
 * The verdict of one scan. `codeMatches` is false for an unknown serial too, so the answer never
 * says which of the two was wrong. Earlier scans with a valid code (oldest first) decide clone
 * detection: more than `scanLimit` of them, a different place than the last one, or an earlier
 * SUSPECT verdict make this one SUSPECT; a recalled lot always does.
 */
export function verdictOf(input: {
    readonly codeMatches: boolean;
    readonly lotRecalled: boolean;
    readonly scanLimit: number;
    readonly previous: readonly Scan[];
    readonly location: string;
}): { verdict: Verdict; reasons: SuspectReason[] } {
    if (!input.codeMatches) return { verdict: 'UNKNOWN', reasons: [] };
    const valid = input.previous.filter((s) => s.verdict !== 'UNKNOWN');
    const reasons: SuspectReason[] = [];
    if (input.lotRecalled) reasons.push('LOT_RECALLED');
    if (valid.length + 1 > input.scanLimit) reasons.push('SCAN_LIMIT_EXCEEDED');
    const last = valid.at(-1);
    if (last !== undefined && last.location !== input.location) reasons.push('LOCATION_CHANGED');
    if (valid.some((s) => s.verdict === 'SUSPECT')) reasons.push('PREVIOUSLY_SUSPECT');
    return { verdict: reasons.length === 0 ? 'GENUINE' : 'SUSPECT', reasons };
}

/** Scans oldest first (by tx time, then tx id). */
export function chronological<T extends { readonly txId: string }>(items: readonly T[], timeOf: (t: T) => string): T[] {
    return [...items].sort((a, b) => compare(timeOf(a), timeOf(b)) || compare(a.txId, b.txId));
}

function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
