/**
 * Read-only queries shared by every family: one page of entities under a composite-key prefix (Fabric allows
 * paginated queries in read-only transactions only) and a key's full history, newest first — each value parsed
 * back through its schema, a malformed one reported as INVALID_STATE.
 */
import type { ChaincodeStub } from 'fabric-shim-api';
import type { z } from 'zod';
import { fail } from '../domain/errors';
import { type CodecValue, decode, DecodeError } from './codec';
import { checkKeyAttributes, compositeKey, KEY_TYPES, keyAttributes, type KeyType } from './keys';
import type { LedgerStub } from './stub';
import { submitters } from './requests';

export type QueryStub = LedgerStub & Pick<ChaincodeStub, 'getStateByPartialCompositeKeyWithPagination' | 'getHistoryForKey'>;

export type Page<T> = {
    readonly items: T[];
    /** Where the next page starts; '' when the scan is complete. */
    readonly bookmark: string;
};

export const MAX_PAGE_SIZE = 200;

/** One page of the entities of `type` under `prefix` (read-only transactions only, as Fabric requires). */
export async function page<T extends CodecValue>(
    stub: QueryStub,
    def: { readonly type: KeyType; readonly label: string; readonly schema: z.ZodType<T> },
    prefix: readonly string[],
    pageSize: number,
    bookmark: string,
): Promise<Page<T>> {
    checkKeyAttributes(prefix);
    const { iterator, metadata } = await stub.getStateByPartialCompositeKeyWithPagination(KEY_TYPES[def.type], [...prefix], pageSize, bookmark);
    const items: T[] = [];
    try {
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
            const id = keyAttributes(stub, def.type, next.value.key);
            items.push(decodeStored(next.value.value, def, id));
        }
    } finally {
        await iterator.close();
    }
    return { items, bookmark: metadata?.bookmark ?? '' };
}

export function decodeStored<T>(bytes: Uint8Array, def: { readonly label: string; readonly schema: z.ZodType<T> }, id: readonly string[]): T {
    try {
        return decode(bytes, def.schema);
    } catch (cause) {
        const reason = cause instanceof DecodeError ? cause.message : String(cause);
        throw fail('INVALID_STATE', `stored ${def.label} ${id.join('/')} is malformed: ${reason}`, cause);
    }
}

export type HistoryEntry<T> = {
    readonly txId: string;
    readonly timestamp: string;
    readonly isDelete: boolean;
    /** The org that submitted the transaction (ledger/requests.ts submitter record); null when none was recorded. */
    readonly by: string | null;
    readonly value: T | null;
};

/** The key's full history, newest first, each value parsed through the schema. */
export async function history<T>(
    stub: QueryStub,
    def: { readonly type: KeyType; readonly label: string; readonly schema: z.ZodType<T> },
    id: readonly string[],
): Promise<Array<HistoryEntry<T>>> {
    const key = compositeKey(stub, def.type, id);
    const iterator = await stub.getHistoryForKey(key);
    const entries: Array<HistoryEntry<T>> = [];
    try {
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
            const m = next.value;
            const value = m.isDelete || m.value.length === 0 ? null : decodeStored(m.value, def, id);
            const submitter = await submitters.find(stub, [m.txId]);
            entries.push({ txId: m.txId, timestamp: instantOf(m.timestamp), isDelete: m.isDelete, by: submitter?.by ?? null, value });
        }
    } finally {
        await iterator.close();
    }
    return entries;
}

/** A protobuf timestamp as the shim hands it out (seconds as Long, number or string). */
export function instantOf(ts: { readonly seconds: unknown; readonly nanos: number }): string {
    const seconds = BigInt(String(ts.seconds));
    const whole = new Date(Number(seconds) * 1000).toISOString();
    return `${whole.slice(0, 19)}.${String(ts.nanos).padStart(9, '0')}Z`;
}
