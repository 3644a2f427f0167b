// Composite-key object types of the tokens family, merged into KEY_TYPES (keys.ts). Each type is named
// 'upoint.tokens.<entity>' and carries a doc comment giving its key attributes and the value stored.
export const TOKEN_KEY_TYPES = {} as const;
