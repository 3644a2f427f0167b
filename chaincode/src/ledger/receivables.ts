/**
 * Where receivables live on the ledger: one key per receivable, per-entity index keys ([holder, id], [issuer, id],
 * [status, id]), one key per invoice hash (the root it backs) and one credit-record entry per settled or overdue
 * node ([issuer, id]). No counters, no totals: lists and credit records are scanned and summed at read time.
 */
import { z } from 'zod';
import {
    type Receivable,
    ReceivableIdSchema,
    ReceivableSchema,
    type SettlementEntry,
    SettlementEntrySchema,
} from '../domain/receivables';
import { encode } from './codec';
import type { KeyType } from './keys';
import { Repository } from './repository';
import type { LedgerStub } from './stub';
import { history, page, type Page, type QueryStub } from './query';

export { MAX_PAGE_SIZE, type Page } from './query';

/** The stub as read-only queries need it: pagination and key history. */
/** Kept for callers: the shared query stub. */
export type ReceivableQueryStub = QueryStub;

export const ReceivableRefSchema = z.strictObject({ id: ReceivableIdSchema });
export type ReceivableRef = z.infer<typeof ReceivableRefSchema>;

export const InvoiceClaimSchema = z.strictObject({ invoiceHash: z.string().regex(/^[0-9a-f]{64}$/), rootId: ReceivableIdSchema });
export type InvoiceClaim = z.infer<typeof InvoiceClaimSchema>;

export const receivables = new Repository<Receivable>({
    label: 'receivable',
    type: 'receivable',
    schema: ReceivableSchema,
    keyOf: (r) => [r.id],
});

interface RefIndex {
    readonly type: KeyType;
    readonly repo: Repository<ReceivableRef>;
    readonly attribute: (r: Receivable) => string;
}

function refIndex(label: string, type: KeyType, attribute: (r: Receivable) => string): RefIndex {
    return { type, repo: new Repository<ReceivableRef>({ label, type, schema: ReceivableRefSchema, keyOf: () => [] }), attribute };
}

const INDEXES: Readonly<Record<'holder' | 'issuer' | 'status', RefIndex>> = {
    holder: refIndex('receivable holder index', 'receivableByHolder', (r) => r.holder),
    issuer: refIndex('receivable issuer index', 'receivableByIssuer', (r) => r.issuer),
    status: refIndex('receivable status index', 'receivableByStatus', (r) => r.status),
} as const;
export type ReceivableIndex = keyof typeof INDEXES;

export const invoiceClaims = new Repository<InvoiceClaim>({
    label: 'invoice claim',
    type: 'receivableInvoice',
    schema: InvoiceClaimSchema,
    keyOf: (c) => [c.invoiceHash],
});

export const settlementEntries = new Repository<SettlementEntry>({
    label: 'settlement entry',
    type: 'receivableSettlement',
    schema: SettlementEntrySchema,
    keyOf: (e) => [e.issuer, e.receivableId],
});

/**
 * Write `after` and keep its index keys in step with `before` (null for a new receivable): an index key is
 * written when its attribute is new and deleted when it changed, so each index holds exactly one key per receivable.
 */
export async function saveReceivable(stub: LedgerStub, before: Receivable | null, after: Receivable): Promise<void> {
    await receivables.put(stub, after);
    for (const { repo, attribute } of Object.values(INDEXES)) {
        const previous = before === null ? null : attribute(before);
        const next = attribute(after);
        if (previous === next) continue;
        if (previous !== null) await stub.deleteState(repo.key(stub, [previous, after.id]));
        await stub.putState(repo.key(stub, [next, after.id]), encode({ id: after.id }));
    }
}

/** One page of receivables listed by `index` under `value` (read-only transactions only, as Fabric requires). */
export async function listReceivables(
    stub: QueryStub,
    index: ReceivableIndex,
    value: string,
    pageSize: number,
    bookmark: string,
): Promise<Page<Receivable>> {
    const refs = await page(stub, { type: INDEXES[index].type, label: 'receivable index entry', schema: ReceivableRefSchema }, [value], pageSize, bookmark);
    const items: Receivable[] = [];
    for (const ref of refs.items) items.push(await receivables.get(stub, [ref.id]));
    return { items, bookmark: refs.bookmark };
}

export type ReceivableHistoryEntry = {
    readonly txId: string;
    readonly timestamp: string;
    readonly isDelete: boolean;
    /** The org that submitted the transaction, as recorded in the value. */
    readonly by: string | null;
    readonly value: Receivable | null;
};

/** The receivable key's full history, newest first, with the submitting org recorded in each value. */
export async function receivableHistory(stub: QueryStub, id: string): Promise<ReceivableHistoryEntry[]> {
    const entries = await history(stub, { type: 'receivable', label: 'receivable', schema: ReceivableSchema }, [id]);
    return entries.map((e) => ({ txId: e.txId, timestamp: e.timestamp, isDelete: e.isDelete, by: e.value?.updated.by ?? null, value: e.value }));
}
