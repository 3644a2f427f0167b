// Mirrors common/cauthdsl/cauthdsl.go (compile) and policy.go (NewPolicy): evaluating a SignaturePolicyEnvelope.
import { common, msp } from '@hyperledger/fabric-protos';
import type { Identity } from '../msp/identity';
import { PolicyError } from './errors';

/** Evaluates the compiled rule over de-duplicated, signature-checked identities; each identity is used once. */
export type IdentityEvaluator = (identities: readonly Identity[]) => boolean;

type Rule = (identities: readonly Identity[], used: boolean[]) => boolean;

function invalid(message: string): never {
    throw new PolicyError({ code: 'POLICY_INVALID', message });
}

function compileRule(policy: common.SignaturePolicy, principals: readonly msp.MSPPrincipal[]): Rule {
    switch (policy.getTypeCase()) {
        case common.SignaturePolicy.TypeCase.N_OUT_OF: {
            const gate = policy.getNOutOf();
            if (gate === undefined) return invalid('Empty policy element');
            const n = gate.getN();
            const rules = gate.getRulesList().map((r) => compileRule(r, principals));
            return (identities, used) => {
                let verified = 0;
                const scratch = used.slice();
                for (const rule of rules) {
                    // Each rule works on a copy; only a satisfied rule's consumption is kept (greedy, no backtracking).
                    for (let i = 0; i < used.length; i++) scratch[i] = used[i] ?? false;
                    if (rule(identities, scratch)) {
                        verified++;
                        for (let i = 0; i < used.length; i++) used[i] = scratch[i] ?? false;
                    }
                }
                return verified >= n;
            };
        }
        case common.SignaturePolicy.TypeCase.SIGNED_BY: {
            const index = policy.getSignedBy();
            const principal = principals[index];
            if (index < 0 || principal === undefined) {
                return invalid(`identity index out of range, requested ${index}, but identities length is ${principals.length}`);
            }
            return (identities, used) => {
                for (let i = 0; i < identities.length; i++) {
                    const identity = identities[i];
                    if (used[i] || identity === undefined) continue;
                    try {
                        identity.satisfiesPrincipal(principal);
                    } catch {
                        continue;
                    }
                    used[i] = true;
                    return true;
                }
                return false;
            };
        }
        default:
            return invalid(`unknown SignaturePolicy type: ${String(policy.getTypeCase())}`);
    }
}

/** Compiles an envelope; throws PolicyError(POLICY_INVALID) for a version other than 0 or a bad identity index. */
export function compileSignaturePolicy(envelope: common.SignaturePolicyEnvelope): IdentityEvaluator {
    if (envelope.getVersion() !== 0) {
        invalid(`This evaluator only understands messages of version 0, but version was ${envelope.getVersion()}`);
    }
    const rule = envelope.getRule();
    if (rule === undefined) invalid('Empty policy element');
    const compiled = compileRule(rule, envelope.getIdentitiesList());
    return (identities) => compiled(identities, identities.map(() => false));
}
