/**
 * Every ledger key is a Fabric composite key (`\u0000type\u0000attr\u0000…`) whose object type
 * comes from this one table, so families can never collide and each entity has its own key —
 * no global counters or totals (no hot keys).
 */
import { fail } from '../domain/errors';
import { encodeToString } from './codec';
import type { LedgerStub } from './stub';

// Each asset family keeps its key types in its own table (ledger/keys-<family>.ts), merged here.
import { PROVENANCE_KEY_TYPES } from './keys-provenance';
import { TOKEN_KEY_TYPES } from './keys-tokens';
import { RECEIVABLE_KEY_TYPES } from './keys-receivables';

export const KEY_TYPES = {
    ...PROVENANCE_KEY_TYPES,
    ...TOKEN_KEY_TYPES,
    ...RECEIVABLE_KEY_TYPES,
    /** [mspId] → Member */
    member: 'upoint.member',
    /** [proposalId] → Proposal */
    membershipProposal: 'upoint.membership.proposal',
    /** ['bootstrap'] → bootstrap record; written once */
    registry: 'upoint.registry',
    /** [caller mspId, requestId] → RequestRecord */
    request: 'upoint.request',
    /** [txId] → SubmitterRecord: which org submitted the transaction (audit) */
    submitter: 'upoint.submitter',
} as const;

export type KeyType = keyof typeof KEY_TYPES;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why `attribute` cannot be part of a composite key, or undefined when it can. Fabric's Go shim
 * rejects U+0000 and U+10FFFF (they delimit keys and bound range scans); the Node shim does not
 * check, so we do. Lone surrogates are rejected because they do not survive UTF-8 encoding.
 */
export function keyAttributeProblem(attribute: string): string | undefined {
    if (attribute.length === 0) return 'is empty';
    if (attribute.includes('\u0000') || attribute.includes('\u{10FFFF}')) return 'contains U+0000 or U+10FFFF';
    if (LONE_SURROGATE.test(attribute)) return 'is not well-formed Unicode';
    return undefined;
}

/** The composite key for `type` and `attributes`, or INVALID_ARGUMENT when an attribute is unusable. */
export function compositeKey(stub: Pick<LedgerStub, 'createCompositeKey'>, type: KeyType, attributes: readonly string[]): string {
    checkKeyAttributes(attributes);
    return stub.createCompositeKey(KEY_TYPES[type], [...attributes]);
}

/** INVALID_ARGUMENT unless every attribute can be part of a composite key. */
export function checkKeyAttributes(attributes: readonly string[]): void {
    for (const attribute of attributes) {
        const problem = keyAttributeProblem(attribute);
        if (problem !== undefined) throw fail('INVALID_ARGUMENT', `key attribute ${encodeToString(attribute)} ${problem}`);
    }
}

/** The attributes of a composite key of `type`; throws when the key is of another type. */
export function keyAttributes(stub: Pick<LedgerStub, 'splitCompositeKey'>, type: KeyType, key: string): string[] {
    const { objectType, attributes } = stub.splitCompositeKey(key);
    if (objectType !== KEY_TYPES[type]) {
        throw fail('INVALID_STATE', `key of type ${String(objectType)} found where ${KEY_TYPES[type]} was expected`);
    }
    return attributes;
}
