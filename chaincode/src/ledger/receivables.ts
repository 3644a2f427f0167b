/**
 * Where receivables live on the ledger: one key per receivable, per-entity index keys ([holder, id], [issuer, id],
 * [status, id]), one key per invoice hash (the root it backs) and one credit-record entry per settled or overdue
 * node ([issuer, id]). No counters, no totals: lists and credit records are scanned and summed at read time.
 */
import type { ChaincodeStub } from 'fabric-shim-api';
import { z } from 'zod';
import { fail } from '../domain/errors';
import {
    type Receivable,
    ReceivableIdSchema,
    ReceivableSchema,
    type SettlementEntry,
    SettlementEntrySchema,
} from '../domain/receivables';
import { type CodecValue, decode, DecodeError, encode } from './codec';
import { checkKeyAttributes, compositeKey, KEY_TYPES, keyAttributes, type KeyType } from './keys';
import { Repository } from './repository';
import type { LedgerStub } from './stub';

/** The stub as read-only queries need it: pagination and key history. */
export type ReceivableQueryStub = LedgerStub & Pick<ChaincodeStub, 'getStateByPartialCompositeKeyWithPagination' | 'getHistoryForKey'>;

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

export type Page<T> = {
    readonly items: T[];
    /** Where the next page starts; '' when the scan is complete. */
    readonly bookmark: string;
};

export const MAX_PAGE_SIZE = 200;

/** One page of receivables listed by `index` under `value` (read-only transactions only, as Fabric requires). */
export async function listReceivables(
    stub: ReceivableQueryStub,
    index: ReceivableIndex,
    value: string,
    pageSize: number,
    bookmark: string,
): Promise<Page<Receivable>> {
    const keyType = INDEXES[index].type;
    checkKeyAttributes([value]);
    const { iterator, metadata } = await stub.getStateByPartialCompositeKeyWithPagination(KEY_TYPES[keyType], [value], pageSize, bookmark);
    const ids: string[] = [];
    try {
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
            const attributes = keyAttributes(stub, keyType, next.value.key);
            const ref = decodeStored(next.value.value, 'receivable index entry', ReceivableRefSchema, attributes);
            ids.push(ref.id);
        }
    } finally {
        await iterator.close();
    }
    const items: Receivable[] = [];
    for (const id of ids) items.push(await receivables.get(stub, [id]));
    return { items, bookmark: metadata?.bookmark ?? '' };
}

function decodeStored<T extends CodecValue>(bytes: Uint8Array, label: string, schema: z.ZodType<T>, id: readonly string[]): T {
    try {
        return decode(bytes, schema);
    } catch (cause) {
        const reason = cause instanceof DecodeError ? cause.message : String(cause);
        throw fail('INVALID_STATE', `stored ${label} ${id.join('/')} is malformed: ${reason}`, cause);
    }
}

export type ReceivableHistoryEntry = {
    readonly txId: string;
    readonly timestamp: string;
    readonly isDelete: boolean;
    /** The org that submitted the transaction, as recorded in the value. */
    readonly by: string | null;
    readonly value: Receivable | null;
};

/** The receivable key's full history, newest first, each value parsed through the schema. */
export async function receivableHistory(stub: ReceivableQueryStub, id: string): Promise<ReceivableHistoryEntry[]> {
    const key = compositeKey(stub, 'receivable', [id]);
    const iterator = await stub.getHistoryForKey(key);
    const entries: ReceivableHistoryEntry[] = [];
    try {
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
            const m = next.value;
            const value = m.isDelete || m.value.length === 0 ? null : decodeStored(m.value, 'receivable', ReceivableSchema, [id]);
            entries.push({ txId: m.txId, timestamp: instantOf(m.timestamp), isDelete: m.isDelete, by: value?.updated.by ?? null, value });
        }
    } finally {
        await iterator.close();
    }
    return entries;
}

/** A protobuf timestamp as the shim hands it out (seconds as Long, number or string). */
function instantOf(ts: { readonly seconds: unknown; readonly nanos: number }): string {
    const seconds = BigInt(String(ts.seconds));
    const whole = new Date(Number(seconds) * 1000).toISOString();
    return `${whole.slice(0, 19)}.${String(ts.nanos).padStart(9, '0')}Z`;
}
