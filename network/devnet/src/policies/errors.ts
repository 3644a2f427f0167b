// Mirrors the error returns of common/policies (policy.go, implicitmeta.go), common/cauthdsl and common/policydsl.

export type PolicyErrorCode =
    | 'POLICY_UNSATISFIED' // the signature set does not satisfy the policy
    | 'POLICY_NOT_FOUND' // no policy at that path
    | 'POLICY_PARSE' // a policy string (DSL or ImplicitMeta) that does not parse
    | 'POLICY_INVALID'; // a malformed policy message (bad version, identity index out of range)

export interface PolicyErrorOptions {
    readonly code: PolicyErrorCode;
    readonly message: string;
    readonly cause?: unknown;
}

export class PolicyError extends Error {
    readonly code: PolicyErrorCode;

    constructor(options: Readonly<PolicyErrorOptions>) {
        super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
        this.name = 'PolicyError';
        this.code = options.code;
    }
}
