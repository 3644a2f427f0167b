// Composite-key object types of the provenance family, merged into KEY_TYPES (keys.ts). Each type is named
// 'upoint.provenance.<entity>' and carries a doc comment giving its key attributes and the value stored.
export const PROVENANCE_KEY_TYPES = {} as const;
