// Mirrors common/policies/implicitmeta.go and implicitmetaparser.go: ANY / ALL / MAJORITY of the child groups' sub-policy.
import type { Identity } from '../msp/identity';
import { PolicyError } from './errors';
import { unsatisfied, type Policy, type SignedData } from './policy';

export type ImplicitMetaRule = 'ANY' | 'ALL' | 'MAJORITY';

export interface ImplicitMetaSpec {
    readonly rule: ImplicitMetaRule;
    readonly subPolicy: string;
}

const IMPLICIT_META = /^\s*(ANY|ALL|MAJORITY)\s+([A-Za-z0-9_.-]+)\s*$/;

/** Parses "ANY Readers" style strings (configtxgen's ImplicitMeta syntax); undefined when it is not one. */
export function parseImplicitMeta(text: string): ImplicitMetaSpec | undefined {
    const m = IMPLICIT_META.exec(text);
    if (!m?.[1] || !m[2]) return undefined;
    return { rule: m[1] as ImplicitMetaRule, subPolicy: m[2] };
}

export function implicitMetaThreshold(rule: ImplicitMetaRule, children: number): number {
    if (children === 0) return 0; // no children: any/majority/all of nothing is satisfied
    switch (rule) {
        case 'ANY':
            return 1;
        case 'ALL':
            return children;
        case 'MAJORITY':
            return Math.floor(children / 2) + 1;
    }
}

class ImplicitMetaPolicy implements Policy {
    readonly #spec: ImplicitMetaSpec;
    readonly #children: readonly Policy[];
    readonly #threshold: number;

    constructor(spec: ImplicitMetaSpec, children: readonly Policy[]) {
        this.#spec = spec;
        this.#children = children;
        this.#threshold = implicitMetaThreshold(spec.rule, children.length);
    }

    #evaluate(check: (p: Policy) => void): void {
        let remaining = this.#threshold;
        if (remaining === 0) return;
        for (const child of this.#children) {
            try {
                check(child);
            } catch (err) {
                if (err instanceof PolicyError) continue;
                throw err;
            }
            remaining--;
            if (remaining === 0) return;
        }
        throw unsatisfied(
            `implicit policy evaluation failed - ${this.#threshold - remaining} sub-policies were satisfied, ` +
                `but this policy requires ${this.#threshold} of the '${this.#spec.subPolicy}' sub-policies to be satisfied`,
        );
    }

    evaluateSignedData(signedData: readonly SignedData[]): void {
        this.#evaluate((p) => p.evaluateSignedData(signedData));
    }

    evaluateIdentities(identities: readonly Identity[]): void {
        this.#evaluate((p) => p.evaluateIdentities(identities));
    }
}

/** `children` = each child group's policy named `spec.subPolicy` (a reject policy where a group lacks it). */
export function newImplicitMetaPolicy(spec: ImplicitMetaSpec, children: readonly Policy[]): Policy {
    return new ImplicitMetaPolicy(spec, children);
}
