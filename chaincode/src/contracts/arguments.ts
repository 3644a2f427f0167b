/** Turning transaction arguments (always strings on the wire) into typed values, once, at the edge. */
import type { z } from 'zod';
import { fail } from '../domain/errors';
import { decodeText, DecodeError, formatIssues } from '../ledger/codec';

/** Parse the string argument `name` through `schema`; INVALID_ARGUMENT naming every problem. */
export function parseArgument<T>(name: string, value: string, schema: z.ZodType<T>): T {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw fail('INVALID_ARGUMENT', `${name}: ${formatIssues(parsed.error).join('; ')}`, parsed.error);
    return parsed.data;
}

/** Parse the JSON-text argument `name` through `schema`; INVALID_ARGUMENT naming every problem. */
export function parseJsonArgument<T>(name: string, text: string, schema: z.ZodType<T>): T {
    try {
        return decodeText(text, schema);
    } catch (cause) {
        if (cause instanceof DecodeError) throw fail('INVALID_ARGUMENT', `${name}: ${cause.message}`, cause);
        throw cause;
    }
}
