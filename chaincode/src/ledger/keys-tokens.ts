/**
 * Composite-key object types of the tokens family, merged into KEY_TYPES (keys.ts). Every type is prefixed
 * 'upoint.tokens.' and documents its attributes → value, e.g. `/** [id] → Entity */ entity: 'upoint.tokens.entity',`.
 */
export const TOKEN_KEY_TYPES = {} as const;
