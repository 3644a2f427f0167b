/**
 * Composite-key object types of the receivables family, merged into KEY_TYPES (keys.ts). Every type is prefixed
 * 'upoint.receivables.' and documents its attributes → value, e.g. `/** [id] → Entity */ entity: 'upoint.receivables.entity',`.
 */
export const RECEIVABLE_KEY_TYPES = {} as const;
