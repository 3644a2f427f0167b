/**
 * `provenance` — products, lots, EPCIS-style events, inspection, custody, transformations, recall,
 * serialized units and public consumer verification (DESIGN.md §3.1). Thin: authorization, request
 * ids and the single event are BaseContract's; the rules live in domain/provenance.ts, the keys and
 * lineage walks in ledger/provenance.ts.
 *
 * Verify is the one `public-submit` transaction: anyone (non-members and the regulator included)
 * may call it; it has no request id (each call is a scan recorded under [serial, txId]). Its secret
 * verification code is transient data (the transient map entry `code`, UTF-8), not an argument:
 * it reaches the chaincode but is left out of the transaction written to the block, and the
 * chaincode only hashes it, so the code is never written to the ledger. A code passed as an
 * argument would be readable by every channel member (and anyone with block access), who could
 * then forge scans. VerifyReadOnly takes the code as an argument: an evaluate is answered by one
 * peer and recorded in no block.
 */
import { createHash } from 'node:crypto';
import { Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { z } from 'zod';
import { fail } from '../domain/errors';
import { isRegulator, type Role } from '../domain/membership';
import {
    type Applied,
    commissionUnits,
    ContextInputSchema,
    createLot,
    createProduct,
    creationEvent,
    EventInputSchema,
    inspect,
    InspectionInputSchema,
    type Lot,
    LotInputSchema,
    LotSchema,
    LotStatusSchema,
    ProductInputSchema,
    ProductSchema,
    ProvIdSchema,
    receive,
    recall,
    recordEvent,
    requireOwner,
    type Scan,
    type SerialUnit,
    SerialSchema,
    LocationSchema,
    ship,
    transform,
    TransformInputSchema,
    type TxFacts,
    UnitsInputSchema,
    UnitSchema,
    verdictOf,
    ScanSchema,
} from '../domain/provenance';
import { type CodecValue, encodeToString } from '../ledger/codec';
import {
    ancestors,
    children,
    descendants,
    events,
    lotEvents,
    lots,
    OwnerLotRefSchema,
    products,
    saveLot,
    scans,
    StatusLotRefSchema,
    units,
    unitsByLot,
    unitScans,
    lotsByOwner,
    lotsByHolder,
    lotsByStatus,
} from '../ledger/provenance';
import { members } from '../ledger/registry';
import { history, MAX_PAGE_SIZE, page, type QueryStub } from '../ledger/query';
import type { LedgerStub } from '../ledger/stub';
import { Access } from './access';
import { parseArgument, parseJsonArgument } from './arguments';
import { BaseContract } from './base';
import { UPointContext } from './context';

const REQUEST_ID = 'client request id, unique per org; a repeat fails with DUPLICATE_REQUEST';
const CONTEXT =
    'JSON EPCIS context: {"eventTime":ISO-8601 with 9 fraction digits,"readPoint"?,"bizLocation"?,"bizTransactions"?:[{type,id}],"fees"?:[{kind,description,amount,currency}],"documents"?:[{type,sha256}],"note"?}';
const PageSizeSchema = z
    .string()
    .regex(/^[1-9][0-9]{0,8}$/, 'expected a positive integer')
    .transform(Number)
    .refine((n) => n <= MAX_PAGE_SIZE, `at most ${MAX_PAGE_SIZE}`);
const BookmarkSchema = z.string().max(1024);
const ListBySchema = z.enum(['OWNER', 'HOLDER', 'STATUS']);
const HistoryKindSchema = z.enum(['PRODUCT', 'LOT', 'UNIT']);
const ReasonSchema = z.string().min(1).max(512);
const CodeSchema = z.string().min(1).max(256);
/** The transient map entry carrying Verify's secret verification code. */
const CODE_TRANSIENT_KEY = 'code';
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
const MspArgSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$/, 'expected an MSP id');

@Info({ title: 'provenance', description: 'Products, lots, EPCIS events, inspection, custody, transformation, recall, serialized units and consumer verification' })
export class ProvenanceContract extends BaseContract {
    constructor() {
        super('provenance');
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('productJson', 'string', 'JSON {"id","sku","model","name","scanLimit"?: 1-1000, default 5}')
    @Returns('string')
    async CreateProduct(ctx: UPointContext, requestId: string, productJson: string): Promise<string> {
        void requestId;
        requireRole(ctx, 'MANUFACTURER');
        const input = parseJsonArgument('productJson', productJson, ProductInputSchema);
        if (await products.exists(ctx.ledger, [input.id])) throw fail('CONFLICT', `product ${input.id} already exists`);
        const product = createProduct(input, facts(ctx));
        await products.put(ctx.ledger, product);
        ctx.emit({ type: 'ProductCreated', product });
        return encodeToString(product);
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('lotJson', 'string', 'JSON {"id","productId","quantity": decimal string,"unit"}')
    @Returns('string')
    async CreateLot(ctx: UPointContext, requestId: string, lotJson: string): Promise<string> {
        void requestId;
        requireRole(ctx, 'MANUFACTURER');
        const input = parseJsonArgument('lotJson', lotJson, LotInputSchema);
        const product = await products.get(ctx.ledger, [input.productId]);
        await requireNewLot(ctx.ledger, input.id);
        const tx = facts(ctx);
        const lot = createLot(product, input, tx);
        await saveLot(ctx.ledger, lot, null);
        await events.put(ctx.ledger, creationEvent(lot, tx));
        ctx.emit({ type: 'LotCreated', lot });
        return encodeToString(lot);
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param(
        'eventJson',
        'string',
        'JSON EPCIS object event: {"lots":[{lotId,quantity}],"bizStep","disposition","eventTime","readPoint"?,"bizLocation"?,"bizTransactions"?,"fees"?,"documents"?,"note"?}',
    )
    @Returns('string')
    async RecordEvent(ctx: UPointContext, requestId: string, eventJson: string): Promise<string> {
        void requestId;
        const input = parseJsonArgument('eventJson', eventJson, EventInputSchema);
        const tx = facts(ctx);
        const applied: Applied[] = [];
        for (const item of input.lots) applied.push(recordEvent(await lots.get(ctx.ledger, [item.lotId]), input, item.quantity, tx));
        await saveApplied(ctx, applied);
        ctx.emit({ type: 'EventRecorded', eventId: ctx.txId, bizStep: input.bizStep, lots: applied.map(statusOf) });
        return encodeToString(applied.map((a) => a.event));
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('inspectionJson', 'string', 'JSON {"lotId","result":"CONFORMANT"|"NONCONFORMANT","certificateHash": SHA-256 hex}; caller must be an INSPECTOR')
    @Returns('string')
    async RecordInspection(ctx: UPointContext, requestId: string, inspectionJson: string): Promise<string> {
        void requestId;
        requireRole(ctx, 'INSPECTOR');
        const input = parseJsonArgument('inspectionJson', inspectionJson, InspectionInputSchema);
        const done = inspect(await lots.get(ctx.ledger, [input.lotId]), input.result, input.certificateHash, facts(ctx));
        await saveApplied(ctx, [done]);
        ctx.emit({ type: 'LotInspected', inspection: done.lot.inspection, ...statusOf(done) });
        return encodeToString(done.lot);
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('lotId', 'string', 'the lot to ship (caller must hold it; it needs a conformant inspection)')
    @Param('receiver', 'string', 'MSP id of the receiving member')
    @Param('contextJson', 'string', CONTEXT)
    @Returns('string')
    async Ship(ctx: UPointContext, requestId: string, lotId: string, receiver: string, contextJson: string): Promise<string> {
        void requestId;
        const to = parseArgument('receiver', receiver, MspArgSchema);
        const context = parseJsonArgument('contextJson', contextJson, ContextInputSchema);
        const lot = await loadLot(ctx, lotId);
        const member = await members.find(ctx.ledger, [to]);
        if (member === undefined) throw fail('NOT_FOUND', `receiver ${to} is not a member`);
        if (isRegulator(member)) throw fail('FORBIDDEN', `receiver ${to} is a regulator and cannot take custody`);
        const done = ship(lot, to, context, facts(ctx));
        await saveApplied(ctx, [done]);
        ctx.emit({ type: 'LotShipped', from: ctx.caller.mspId, to, ...statusOf(done) });
        return encodeToString(done.lot);
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('lotId', 'string', 'the lot shipped to the caller')
    @Param('contextJson', 'string', CONTEXT)
    @Returns('string')
    async Receive(ctx: UPointContext, requestId: string, lotId: string, contextJson: string): Promise<string> {
        void requestId;
        const context = parseJsonArgument('contextJson', contextJson, ContextInputSchema);
        const lot = await loadLot(ctx, lotId);
        const done = receive(lot, context, facts(ctx));
        await saveApplied(ctx, [done]);
        ctx.emit({ type: 'LotReceived', from: lot.holder, to: ctx.caller.mspId, ...statusOf(done) });
        return encodeToString(done.lot);
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param(
        'transformJson',
        'string',
        'JSON {"inputs":[{lotId,quantity}],"output":{"id","productId","quantity","unit"},"minYieldPercent","maxYieldPercent"} (yield in % of the summed inputs, ≤ 100)',
    )
    @Param('contextJson', 'string', CONTEXT)
    @Returns('string')
    async Transform(ctx: UPointContext, requestId: string, transformJson: string, contextJson: string): Promise<string> {
        void requestId;
        requireRole(ctx, 'MANUFACTURER');
        const input = parseJsonArgument('transformJson', transformJson, TransformInputSchema);
        const context = parseJsonArgument('contextJson', contextJson, ContextInputSchema);
        const product = await products.get(ctx.ledger, [input.output.productId]);
        await requireNewLot(ctx.ledger, input.output.id);
        const inputLots: Lot[] = [];
        for (const i of input.inputs) inputLots.push(await lots.get(ctx.ledger, [i.lotId]));
        const done = transform(product, inputLots, input, context, facts(ctx));
        await saveApplied(ctx, done.inputs);
        await saveLot(ctx.ledger, done.output.lot, null);
        await events.put(ctx.ledger, done.output.event);
        for (const i of input.inputs) await children.put(ctx.ledger, { parentLotId: i.lotId, childLotId: done.output.lot.id });
        ctx.emit({ type: 'LotTransformed', inputs: done.inputs.map(statusOf), output: done.output.lot });
        return encodeToString(done.output.lot);
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('lotId', 'string', 'the lot to recall (caller must be its manufacturer); every lot derived from it is recalled too')
    @Param('reason', 'string', 'why (1-512 characters)')
    @Returns('string')
    async Recall(ctx: UPointContext, requestId: string, lotId: string, reason: string): Promise<string> {
        void requestId;
        const why = parseArgument('reason', reason, ReasonSchema);
        const root = await loadLot(ctx, lotId);
        requireOwner(root, ctx.caller.mspId);
        if (root.status === 'RECALLED') throw fail('INVALID_STATE', `lot ${root.id} is already RECALLED`);
        const tx = facts(ctx);
        const applied: Applied[] = [];
        for (const lot of [root, ...(await descendants(ctx.ledger, root.id))]) {
            const done = recall(lot, root.id, why, tx);
            if (done !== null) applied.push(done);
        }
        await saveApplied(ctx, applied);
        ctx.emit({ type: 'LotRecalled', rootLotId: root.id, reason: why, lots: applied.map(statusOf) });
        return encodeToString(applied.map((a) => a.lot.id));
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', REQUEST_ID)
    @Param('lotId', 'string', 'the lot the units belong to (caller must be its manufacturer)')
    @Param('unitsJson', 'string', 'JSON [{"serial","codeHash": SHA-256 hex of the secret verification code}] (1-200; the code itself is never sent)')
    @Returns('string')
    async CommissionUnits(ctx: UPointContext, requestId: string, lotId: string, unitsJson: string): Promise<string> {
        void requestId;
        const lot = await loadLot(ctx, lotId);
        const listed = parseJsonArgument('unitsJson', unitsJson, UnitsInputSchema);
        for (const u of listed) {
            if (await units.exists(ctx.ledger, [u.serial])) throw fail('CONFLICT', `unit ${u.serial} is already commissioned`);
        }
        const done = commissionUnits(lot, listed, facts(ctx));
        for (const u of done.units) {
            await units.put(ctx.ledger, u);
            await unitsByLot.put(ctx.ledger, { lotId: lot.id, serial: u.serial });
        }
        await events.put(ctx.ledger, done.event);
        ctx.emit({ type: 'UnitsCommissioned', lotId: lot.id, serials: done.units.map((u) => u.serial) });
        return encodeToString(done.units.map(publicUnit));
    }

    @Transaction()
    @Access('public-submit')
    @Param('serial', 'string', 'serial number printed on the unit')
    @Param(
        'location',
        'string',
        `where the scan happens (city, store or GLN). The secret verification code is not an argument: send it as the transient data entry "${CODE_TRANSIENT_KEY}" (UTF-8), which is hashed here and never written to the ledger or the block`,
    )
    @Returns('string')
    async Verify(ctx: UPointContext, serial: string, location: string): Promise<string> {
        const { scan, result } = await verification(ctx, serial, transientCode(ctx), location);
        await scans.put(ctx.ledger, scan);
        ctx.emit({ type: 'UnitScanned', scan });
        return encodeToString(result);
    }

    @Transaction(false)
    @Access('public')
    @Param('serial', 'string', 'serial number printed on the unit')
    @Param('code', 'string', 'the secret verification code (an argument here: an evaluate is recorded in no block; nothing is stored)')
    @Param('location', 'string', 'where the scan happens')
    @Returns('string')
    async VerifyReadOnly(ctx: UPointContext, serial: string, code: string, location: string): Promise<string> {
        return encodeToString((await verification(ctx, serial, code, location)).result);
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('productId', 'string', 'product id')
    @Returns('string')
    async GetProduct(ctx: UPointContext, productId: string): Promise<string> {
        return encodeToString(await products.get(ctx.ledger, [parseArgument('productId', productId, ProvIdSchema)]));
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('lotId', 'string', 'lot id')
    @Returns('string')
    async GetLot(ctx: UPointContext, lotId: string): Promise<string> {
        return encodeToString(await loadLot(ctx, lotId));
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('by', 'string', 'OWNER, HOLDER or STATUS')
    @Param('value', 'string', 'the MSP id (OWNER, HOLDER) or the status (STATUS)')
    @Param('pageSize', 'string', `page size, 1-${MAX_PAGE_SIZE}`)
    @Param('bookmark', 'string', 'bookmark from the previous page, or ""')
    @Returns('string')
    async ListLots(ctx: UPointContext, by: string, value: string, pageSize: string, bookmark: string): Promise<string> {
        const kind = parseArgument('by', by, ListBySchema);
        const size = parseArgument('pageSize', pageSize, PageSizeSchema);
        const mark = parseArgument('bookmark', bookmark, BookmarkSchema);
        const stub = queries(ctx);
        let refs: { items: Array<{ lotId: string }>; bookmark: string };
        if (kind === 'STATUS') {
            const status = parseArgument('value', value, LotStatusSchema);
            refs = await page(stub, { type: 'provLotByStatus', label: lotsByStatus.label, schema: StatusLotRefSchema }, [status], size, mark);
        } else {
            const org = parseArgument('value', value, MspArgSchema);
            const index = kind === 'OWNER' ? lotsByOwner : lotsByHolder;
            refs = await page(stub, { type: kind === 'OWNER' ? 'provLotByOwner' : 'provLotByHolder', label: index.label, schema: OwnerLotRefSchema }, [org], size, mark);
        }
        const items: Lot[] = [];
        for (const r of refs.items) items.push(await lots.get(ctx.ledger, [r.lotId]));
        return encodeToString({ items, bookmark: refs.bookmark });
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('lotId', 'string', 'lot id')
    @Returns('string')
    async Timeline(ctx: UPointContext, lotId: string): Promise<string> {
        return encodeToString(await timeline(ctx.ledger, await loadLot(ctx, lotId)));
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('serial', 'string', 'unit serial')
    @Returns('string')
    async GetUnit(ctx: UPointContext, serial: string): Promise<string> {
        const s = parseArgument('serial', serial, SerialSchema);
        const unit = await units.get(ctx.ledger, [s]);
        return encodeToString({ ...publicUnit(unit), scans: await unitScans(ctx.ledger, s) });
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('kind', 'string', 'PRODUCT, LOT or UNIT')
    @Param('id', 'string', 'the entity id (product id, lot id or serial)')
    @Returns('string')
    async History(ctx: UPointContext, kind: string, id: string): Promise<string> {
        const k = parseArgument('kind', kind, HistoryKindSchema);
        const key = [parseArgument('id', id, ProvIdSchema)];
        const stub = queries(ctx);
        switch (k) {
            case 'PRODUCT':
                return encodeToString(await history(stub, { type: 'provProduct', label: 'product', schema: ProductSchema }, key));
            case 'LOT':
                return encodeToString(await history(stub, { type: 'provLot', label: 'lot', schema: LotSchema }, key));
            case 'UNIT': {
                const entries = await history(stub, { type: 'provUnit', label: 'unit', schema: UnitSchema }, key);
                return encodeToString(entries.map((e) => ({ ...e, value: e.value === null ? null : publicUnit(e.value) })));
            }
        }
    }
}

function facts(ctx: UPointContext): TxFacts {
    return { txId: ctx.txId, timestamp: ctx.timestamp, caller: ctx.caller.mspId };
}

function queries(ctx: UPointContext): QueryStub {
    return ctx.stub;
}

function requireRole(ctx: UPointContext, role: Role): void {
    if (!(ctx.caller.member?.roles.includes(role) ?? false)) throw fail('FORBIDDEN', `${ctx.caller.mspId} does not hold the ${role} role`);
}

async function requireNewLot(stub: LedgerStub, id: string): Promise<void> {
    if (await lots.exists(stub, [id])) throw fail('CONFLICT', `lot ${id} already exists`);
}

async function loadLot(ctx: UPointContext, lotId: string): Promise<Lot> {
    return lots.get(ctx.ledger, [parseArgument('lotId', lotId, ProvIdSchema)]);
}

/** Save each changed lot (moving its indexes) and append its event under [lotId, eventId]. */
async function saveApplied(ctx: UPointContext, applied: readonly Applied[]): Promise<void> {
    for (const a of applied) {
        await saveLot(ctx.ledger, a.lot, await lots.get(ctx.ledger, [a.lot.id]));
        await events.put(ctx.ledger, a.event);
    }
}

function statusOf(a: Applied): { lotId: string; status: string; quantity: bigint } {
    return { lotId: a.lot.id, status: a.lot.status, quantity: a.lot.quantity };
}

/** A unit as shown to readers: without its code hash (which would allow an offline guess of short codes). */
function publicUnit(u: SerialUnit): { [key: string]: CodecValue } {
    const { codeHash: _hidden, ...shown } = u;
    void _hidden;
    return shown;
}

/** A lot with its product, events (oldest first) and its ancestors' lots and events. */
async function timeline(stub: LedgerStub, lot: Lot): Promise<{ [key: string]: CodecValue }> {
    const lineage: Array<{ lot: Lot; events: CodecValue }> = [];
    for (const a of await ancestors(stub, lot)) lineage.push({ lot: a, events: await lotEvents(stub, a.id) });
    return { product: await products.get(stub, [lot.productId]), lot, events: await lotEvents(stub, lot.id), ancestors: lineage };
}

function sha256Hex(text: string): string {
    return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Verify's secret code, from the transient map entry `code` (UTF-8). Transient data reaches the
 * chaincode but is not part of the transaction written to the block. A missing, empty, non-UTF-8
 * or too long code is INVALID_ARGUMENT (the message never echoes the code).
 */
function transientCode(ctx: UPointContext): string {
    const bytes = ctx.ledger.getTransient().get(CODE_TRANSIENT_KEY);
    if (bytes === undefined || bytes.length === 0) {
        throw fail('INVALID_ARGUMENT', `code: expected the verification code in the transient data entry "${CODE_TRANSIENT_KEY}"`);
    }
    let text: string;
    try {
        text = STRICT_UTF8.decode(bytes);
    } catch (cause) {
        throw fail('INVALID_ARGUMENT', `code: transient data entry "${CODE_TRANSIENT_KEY}" is not valid UTF-8`, cause);
    }
    return parseArgument('code', text, CodeSchema);
}

/**
 * The verdict of a scan and the scan record to keep. An unknown serial and a wrong code give the
 * same answer (UNKNOWN, nothing else), so a guesser learns nothing about which serials exist.
 */
async function verification(ctx: UPointContext, serial: string, code: string, location: string): Promise<{ scan: Scan; result: { [key: string]: CodecValue } }> {
    const s = parseArgument('serial', serial, SerialSchema);
    const c = parseArgument('code', code, CodeSchema);
    const where = parseArgument('location', location, LocationSchema);
    const unit = await units.find(ctx.ledger, [s]);
    const codeMatches = unit !== undefined && unit.codeHash === sha256Hex(c);
    const previous = await unitScans(ctx.ledger, s);
    if (unit === undefined || !codeMatches) {
        const scan = ScanSchema.parse({ serial: s, txId: ctx.txId, timestamp: ctx.timestamp, location: where, verdict: 'UNKNOWN', reasons: [] });
        return { scan, result: { verdict: 'UNKNOWN', serial: s } };
    }
    const lot = await lots.get(ctx.ledger, [unit.lotId]);
    const product = await products.get(ctx.ledger, [unit.productId]);
    const { verdict, reasons } = verdictOf({ codeMatches, lotRecalled: lot.status === 'RECALLED', scanLimit: product.scanLimit, previous, location: where });
    const scan: Scan = { serial: s, txId: ctx.txId, timestamp: ctx.timestamp, location: where, verdict, reasons };
    const valid = previous.filter((p) => p.verdict !== 'UNKNOWN');
    return {
        scan,
        result: {
            verdict,
            reasons,
            serial: s,
            unit: publicUnit(unit),
            scanCount: valid.length + 1,
            previousScan: valid.at(-1) ?? null,
            provenance: await timeline(ctx.ledger, lot),
        },
    };
}
