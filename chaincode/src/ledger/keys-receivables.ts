// Composite-key object types of the receivables family, merged into KEY_TYPES (keys.ts). Each type is named
// 'upoint.receivables.<entity>' and carries a doc comment giving its key attributes and the value stored.
export const RECEIVABLE_KEY_TYPES = {} as const;
