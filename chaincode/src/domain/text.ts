/** Free text in records (names, SKUs, places, reasons): printable, bounded, no control characters, no surrounding spaces. */
import { z } from 'zod';

export const TextSchema = (max: number): z.ZodString =>
    z
        .string()
        .min(1)
        .max(max)
        .regex(/^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u, 'expected text without control characters or surrounding spaces');
