/**
 * Money and quantities (DESIGN.md §3.0): amounts are integers in minor units — decimal strings on the wire,
 * bigint inside — with an ISO 4217 currency; quantities are positive integers, also bigint inside. Pure: no
 * Fabric imports. `parseInt` and floats never touch an amount ("10abc" is an error, not 10).
 */
import { z } from 'zod';

/** The largest amount or quantity accepted: 10^30 − 1 minor units, far beyond any real invoice. */
export const MAX_UNITS = 10n ** 30n - 1n;

const DIGITS = /^(?:0|[1-9][0-9]{0,29})$/;

/** A non-negative integer as a decimal string (no sign, no leading zeros, no exponent), as bigint. */
export const UnitsSchema = z
    .string()
    .regex(DIGITS, 'expected a non-negative decimal integer string without leading zeros')
    .transform((s) => BigInt(s));

/** A strictly positive amount in minor units. */
export const AmountSchema = UnitsSchema.refine((v) => v > 0n, 'must be greater than 0');

/** A strictly positive quantity (units of stock, bottles, tokens). */
export const QuantitySchema = AmountSchema;

/** ISO 4217 alphabetic code: three upper-case letters. */
export const CurrencySchema = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code such as CNY');

export interface Money {
    readonly amount: bigint;
    readonly currency: string;
}

export const MoneySchema = z.object({ amount: AmountSchema, currency: CurrencySchema }).strict();

/** Sum of amounts; all inputs are non-negative bigints. */
export function sum(values: Iterable<bigint>): bigint {
    let total = 0n;
    for (const v of values) total += v;
    return total;
}
