/** Zod primitives shared by the routes; they validate requests and feed the OpenAPI document. */
import { z } from 'zod';
import { ApiError } from './errors';

export const MspIdSchema = z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected an MSP id: letters, digits, ".", "_" or "-", at most 64 characters')
    .meta({ description: 'Fabric MSP id of a member, e.g. BrandMSP', example: 'BrandMSP' });
export const TxIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'expected a transaction id').meta({ description: 'Fabric transaction id' });
/** Amounts are JSON strings of integer minor units (no sign, no leading zeros, no exponent). */
export const AmountSchema = z
    .string()
    .regex(/^[1-9][0-9]{0,29}$/, 'expected an amount: a decimal integer string of minor units > 0')
    .meta({ description: 'amount in minor units, a decimal integer string', example: '1000000' });
export const CurrencySchema = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code such as CNY').meta({ example: 'CNY' });
export const DateSchema = z.iso.date().meta({ description: 'YYYY-MM-DD', example: '2099-12-31' });
export const Sha256Schema = z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected a SHA-256 hash: 64 hex digits');
export const IdempotencyKeySchema = z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'expected 1-128 letters, digits, ".", "_", ":" or "-"');
export const PageSizeSchema = z.string().regex(/^[1-9][0-9]{0,2}$/, 'expected a page size 1-200').refine((s) => Number(s) <= 200, 'at most 200');
export const BookmarkSchema = z.string().max(1024);
export const EmptyBodySchema = z.strictObject({});

/**
 * A list's query: exactly one of `filters` (each optional), plus `pageSize` and `bookmark`. The route maps the
 * filter given to the chaincode's list transaction.
 */
export type ListQuery<F> = z.ZodType<Partial<Record<keyof F | 'pageSize' | 'bookmark', string>>>;

export function listQuery<F extends Record<string, z.ZodType<string, string>>>(filters: F): ListQuery<F> {
    const names = Object.keys(filters);
    const optional = Object.fromEntries(Object.entries(filters).map(([k, v]) => [k, v.optional()])) as { [K in keyof F]: z.ZodOptional<F[K]> };
    return z
        .strictObject({ ...optional, pageSize: PageSizeSchema.optional(), bookmark: BookmarkSchema.optional() })
        .refine((q) => names.filter((n) => (q as Record<string, unknown>)[n] !== undefined).length === 1, {
            message: `give exactly one of ${names.join(', ')}`,
        }) as unknown as ListQuery<F>;
}

/** The filter a listQuery carries: [name, value]. */
export function chosenFilter<F extends string>(q: Readonly<Partial<Record<F, string>>>, names: readonly F[]): [F, string] {
    for (const n of names) {
        const v = q[n];
        if (v !== undefined) return [n, v];
    }
    throw new ApiError({ code: 'VALIDATION_FAILED', detail: `give exactly one of ${names.join(', ')}` });
}

/** pageSize and bookmark as the chaincode's list transactions take them. */
export const paging = (q: Readonly<{ pageSize?: string | undefined; bookmark?: string | undefined }>): [string, string] => [q.pageSize ?? '50', q.bookmark ?? ''];
