/**
 * Where the stock-token family lives on the ledger (keys in keys-tokens.ts). Every entity has its own
 * key; balances are never stored: they are sums of unspent outputs found by partial composite key
 * [owner, lotId] at read. The lot's own `minted`/`redeemed` figures are per-lot facts written only by
 * transactions that already touch the lot, never a global total.
 */
import { z } from 'zod';
import { fail } from '../domain/errors';
import { MspIdSchema } from '../domain/membership';
import {
    EntityIdSchema,
    holding,
    type Holding,
    LotStatusSchema,
    type LotStatus,
    type Offer,
    OfferSchema,
    type Output,
    OutputSchema,
    type Pledge,
    PledgeSchema,
    type Redemption,
    RedemptionSchema,
    type StockLot,
    StockLotSchema,
} from '../domain/tokens';
import { Repository } from './repository';
import type { LedgerStub } from './stub';

/** What read-only queries need beyond LedgerStub: paginated scans and key history. */

export const stockLots = new Repository<StockLot>({ label: 'stock lot', type: 'stockLot', schema: StockLotSchema, keyOf: (l) => [l.id] });

export const OrgLotRefSchema = z.strictObject({ mspId: MspIdSchema, lotId: EntityIdSchema });
export type OrgLotRef = z.infer<typeof OrgLotRefSchema>;
export const StatusLotRefSchema = z.strictObject({ status: LotStatusSchema, lotId: EntityIdSchema });
export type StatusLotRef = z.infer<typeof StatusLotRefSchema>;
export const HolderSchema = z.strictObject({ lotId: EntityIdSchema, mspId: MspIdSchema });
export type Holder = z.infer<typeof HolderSchema>;

export const lotsByOwner = new Repository<OrgLotRef>({ label: 'owner index', type: 'stockLotByOwner', schema: OrgLotRefSchema, keyOf: (r) => [r.mspId, r.lotId] });
export const lotsByCustodian = new Repository<OrgLotRef>({
    label: 'custodian index',
    type: 'stockLotByCustodian',
    schema: OrgLotRefSchema,
    keyOf: (r) => [r.mspId, r.lotId],
});
export const lotsByStatus = new Repository<StatusLotRef>({
    label: 'status index',
    type: 'stockLotByStatus',
    schema: StatusLotRefSchema,
    keyOf: (r) => [r.status, r.lotId],
});
export const outputs = new Repository<Output>({ label: 'output', type: 'tokenOutput', schema: OutputSchema, keyOf: (o) => [o.owner, o.lotId, o.id] });
export const holders = new Repository<Holder>({ label: 'holder index', type: 'tokenHolder', schema: HolderSchema, keyOf: (h) => [h.lotId, h.mspId] });
export const pledges = new Repository<Pledge>({ label: 'pledge', type: 'tokenPledge', schema: PledgeSchema, keyOf: (p) => [p.id] });
export const offers = new Repository<Offer>({ label: 'offer', type: 'tokenOffer', schema: OfferSchema, keyOf: (o) => [o.id] });
export const redemptions = new Repository<Redemption>({ label: 'redemption', type: 'tokenRedemption', schema: RedemptionSchema, keyOf: (r) => [r.id] });

/** Save a lot and its indexes: owner and custodian once (at creation), status whenever it moves. */
export async function saveLot(stub: LedgerStub, lot: StockLot, previous: LotStatus | null): Promise<void> {
    await stockLots.put(stub, lot);
    if (previous === null) {
        await lotsByOwner.put(stub, { mspId: lot.owner, lotId: lot.id });
        await lotsByCustodian.put(stub, { mspId: lot.custodian, lotId: lot.id });
    }
    if (previous !== lot.status) {
        if (previous !== null) await lotsByStatus.delete(stub, [previous, lot.id]);
        await lotsByStatus.put(stub, { status: lot.status, lotId: lot.id });
    }
}

/**
 * Every output `owner` ever held in lot `lotId`, in key order. A range read: in a submit it is re-validated at
 * commit, so any concurrent write into [owner, lotId] (another spend's change or SPENT mark) invalidates it.
 */
export function heldOutputs(stub: LedgerStub, owner: string, lotId: string): Promise<Output[]> {
    return outputs.list(stub, [owner, lotId]);
}

/**
 * The outputs named by `ids`, each read by its own key [owner, lotId, id] (point reads only: no range, so a
 * concurrent transaction that writes other outputs of the same owner and lot does not invalidate this one).
 * An id with no output under that owner and lot is left out (the caller's rule decides what that means);
 * a stored output whose owner or lot disagrees with its key is INVALID_STATE.
 */
export async function namedOutputs(stub: LedgerStub, owner: string, lotId: string, ids: readonly string[]): Promise<Output[]> {
    const found: Output[] = [];
    for (const id of ids) {
        const o = await outputs.find(stub, [owner, lotId, id]);
        if (o === undefined) continue;
        if (o.owner !== owner || o.lotId !== lotId || o.id !== id) {
            throw fail('INVALID_STATE', `stored output ${owner}/${lotId}/${id} disagrees with its key`);
        }
        found.push(o);
    }
    return found;
}

/** Write consumed and created outputs; record each new holder in the lot's holder index (blind write). */
export async function saveOutputs(stub: LedgerStub, consumed: readonly Output[], created: readonly Output[]): Promise<void> {
    for (const o of consumed) await outputs.put(stub, o);
    const seen = new Set<string>();
    for (const o of created) {
        await outputs.put(stub, o);
        if (seen.has(o.owner)) continue;
        seen.add(o.owner);
        await holders.put(stub, { lotId: o.lotId, mspId: o.owner });
    }
}

/** One output by owner, lot and id, or NOT_FOUND. */
export function getOutput(stub: LedgerStub, owner: string, lotId: string, id: string): Promise<Output> {
    return outputs.get(stub, [owner, lotId, id]);
}

export type LotSupply = Holding & {
    readonly minted: bigint;
    readonly redeemed: bigint;
    readonly attested: bigint;
    /** Holders with an unspent balance, sorted by MSP id. */
    readonly holders: ReadonlyArray<{ readonly mspId: string } & Holding>;
};

/** The lot's supply summed from its outputs at read time (unspent + redeemed must equal minted). */
export async function lotSupply(stub: LedgerStub, lot: StockLot): Promise<LotSupply> {
    const rows: Array<{ mspId: string } & Holding> = [];
    let available = 0n;
    let locked = 0n;
    for (const h of await holders.list(stub, [lot.id])) {
        const held = holding(await heldOutputs(stub, h.mspId, lot.id));
        available += held.available;
        locked += held.locked;
        if (held.total > 0n) rows.push({ mspId: h.mspId, ...held });
    }
    return { available, locked, total: available + locked, minted: lot.minted, redeemed: lot.redeemed, attested: lot.attested, holders: rows };
}
