/**
 * Where the provenance family lives on the ledger (keys in keys-provenance.ts): one key per product,
 * lot, event, unit and scan; indexes are composite keys per entity ([owner, lot], [status, lot],
 * [holder, lot], [parent, child], [lot, serial]) — no global counters, no global scans.
 */
import { z } from 'zod';
import { MspIdSchema } from '../domain/membership';
import {
    chronological,
    type Lot,
    type LotEvent,
    LotEventSchema,
    LotSchema,
    LotStatusSchema,
    MAX_LINEAGE_DEPTH,
    MAX_LINEAGE_LOTS,
    type Product,
    ProductSchema,
    ProvIdSchema,
    type Scan,
    ScanSchema,
    SerialSchema,
    type SerialUnit,
    UnitSchema,
} from '../domain/provenance';
import { fail } from '../domain/errors';
import { Repository } from './repository';
import type { LedgerStub } from './stub';

export const products = new Repository<Product>({ label: 'product', type: 'provProduct', schema: ProductSchema, keyOf: (p) => [p.id] });
export const lots = new Repository<Lot>({ label: 'lot', type: 'provLot', schema: LotSchema, keyOf: (l) => [l.id] });

export const OwnerLotRefSchema = z.strictObject({ mspId: MspIdSchema, lotId: ProvIdSchema });
export type OwnerLotRef = z.infer<typeof OwnerLotRefSchema>;
export const StatusLotRefSchema = z.strictObject({ status: LotStatusSchema, lotId: ProvIdSchema });
export type StatusLotRef = z.infer<typeof StatusLotRefSchema>;
export const LotLinkSchema = z.strictObject({ parentLotId: ProvIdSchema, childLotId: ProvIdSchema });
export type LotLink = z.infer<typeof LotLinkSchema>;
export const UnitRefSchema = z.strictObject({ lotId: ProvIdSchema, serial: SerialSchema });
export type UnitRef = z.infer<typeof UnitRefSchema>;

export const lotsByOwner = new Repository<OwnerLotRef>({ label: 'lot owner index', type: 'provLotByOwner', schema: OwnerLotRefSchema, keyOf: (r) => [r.mspId, r.lotId] });
export const lotsByHolder = new Repository<OwnerLotRef>({ label: 'lot holder index', type: 'provLotByHolder', schema: OwnerLotRefSchema, keyOf: (r) => [r.mspId, r.lotId] });
export const lotsByStatus = new Repository<StatusLotRef>({ label: 'lot status index', type: 'provLotByStatus', schema: StatusLotRefSchema, keyOf: (r) => [r.status, r.lotId] });
export const events = new Repository<LotEvent>({ label: 'lot event', type: 'provEvent', schema: LotEventSchema, keyOf: (e) => [e.lotId, e.eventId] });
export const children = new Repository<LotLink>({ label: 'lot link', type: 'provChild', schema: LotLinkSchema, keyOf: (l) => [l.parentLotId, l.childLotId] });
export const units = new Repository<SerialUnit>({ label: 'unit', type: 'provUnit', schema: UnitSchema, keyOf: (u) => [u.serial] });
export const unitsByLot = new Repository<UnitRef>({ label: 'lot unit index', type: 'provUnitByLot', schema: UnitRefSchema, keyOf: (u) => [u.lotId, u.serial] });
export const scans = new Repository<Scan>({ label: 'scan', type: 'provScan', schema: ScanSchema, keyOf: (s) => [s.serial, s.txId] });

/** Save a lot and move its indexes: owner once (at creation), status and holder whenever they change. */
export async function saveLot(stub: LedgerStub, lot: Lot, previous: Lot | null): Promise<void> {
    await lots.put(stub, lot);
    if (previous === null) await lotsByOwner.put(stub, { mspId: lot.owner, lotId: lot.id });
    if (previous?.status !== lot.status) {
        if (previous !== null) await lotsByStatus.delete(stub, [previous.status, lot.id]);
        await lotsByStatus.put(stub, { status: lot.status, lotId: lot.id });
    }
    if (previous?.holder !== lot.holder) {
        if (previous !== null) await lotsByHolder.delete(stub, [previous.holder, lot.id]);
        await lotsByHolder.put(stub, { mspId: lot.holder, lotId: lot.id });
    }
}

/** A lot's events, oldest first (by tx time, then tx id). */
export async function lotEvents(stub: LedgerStub, lotId: string): Promise<LotEvent[]> {
    return chronological(await events.list(stub, [lotId]), (e) => e.recordedAt);
}

/** A serial's scans, oldest first. */
export async function unitScans(stub: LedgerStub, serial: string): Promise<Scan[]> {
    return chronological(await scans.list(stub, [serial]), (s) => s.timestamp);
}

/**
 * Every lot derived (transitively) from `root` through the [parent, child] index, breadth first,
 * root excluded. Bounded: INVALID_STATE beyond MAX_LINEAGE_DEPTH levels or MAX_LINEAGE_LOTS lots,
 * so a recall either reaches every derived lot or changes nothing.
 */
export async function descendants(stub: LedgerStub, root: string): Promise<Lot[]> {
    const seen = new Set<string>([root]);
    const found: Lot[] = [];
    let frontier = [root];
    for (let depth = 0; frontier.length > 0; depth++) {
        const next: string[] = [];
        for (const parent of frontier) {
            for (const link of await children.list(stub, [parent])) {
                if (depth >= MAX_LINEAGE_DEPTH) throw fail('INVALID_STATE', `lot ${root} has derived lots deeper than ${MAX_LINEAGE_DEPTH} levels`);
                if (seen.has(link.childLotId)) continue;
                seen.add(link.childLotId);
                if (seen.size > MAX_LINEAGE_LOTS + 1) throw fail('INVALID_STATE', `lot ${root} has more than ${MAX_LINEAGE_LOTS} derived lots`);
                found.push(await lots.get(stub, [link.childLotId]));
                next.push(link.childLotId);
            }
        }
        frontier = next;
    }
    return found;
}

/** The lots `lot` was derived from, transitively (bounded like `descendants`, but truncating). */
export async function ancestors(stub: LedgerStub, lot: Lot): Promise<Lot[]> {
    const seen = new Set<string>([lot.id]);
    const found: Lot[] = [];
    let frontier = [lot];
    for (let depth = 0; depth < MAX_LINEAGE_DEPTH && frontier.length > 0; depth++) {
        const next: Lot[] = [];
        for (const l of frontier) {
            for (const parent of l.derivedFrom) {
                if (seen.has(parent.lotId) || found.length >= MAX_LINEAGE_LOTS) continue;
                seen.add(parent.lotId);
                const p = await lots.get(stub, [parent.lotId]);
                found.push(p);
                next.push(p);
            }
        }
        frontier = next;
    }
    return found;
}
