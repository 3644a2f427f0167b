/**
 * Composite-key object types of the provenance family, merged into KEY_TYPES (keys.ts). Every type is prefixed
 * 'upoint.provenance.' and documents its attributes → value, e.g. `/** [id] → Entity */ entity: 'upoint.provenance.entity',`.
 */
export const PROVENANCE_KEY_TYPES = {} as const;
