// Mirrors common/policies/policy.go (Policy, SignatureSetToValidIdentities, rejectPolicy) and common/cauthdsl/policy.go.
import type { common } from '@hyperledger/fabric-protos';
import type { Identity } from '../msp/identity';
import type { MspManager } from '../msp/msp';
import { compileSignaturePolicy, type IdentityEvaluator } from './cauthdsl';
import { PolicyError } from './errors';

/** protoutil.SignedData: what was signed, by whom (SerializedIdentity bytes), and the DER signature. */
export interface SignedData {
    readonly data: Uint8Array;
    readonly identity: Uint8Array;
    readonly signature: Uint8Array;
}

export interface Policy {
    /** Throws PolicyError(POLICY_UNSATISFIED) with Fabric's message when the signature set does not satisfy the policy. */
    evaluateSignedData(signedData: readonly SignedData[]): void;
    /** The same over identities whose signatures were already checked (de-duplicated by the caller). */
    evaluateIdentities(identities: readonly Identity[]): void;
}

/**
 * Deserializes each signer, drops the ones that fail to deserialize or validate, de-duplicates by mspid + cert hash
 * (before checking the signature, as Fabric does) and drops bad signatures — silently, as in Fabric.
 */
export function signatureSetToValidIdentities(signedData: readonly SignedData[], msps: MspManager): Identity[] {
    const seen = new Set<string>();
    const out: Identity[] = [];
    for (const sd of signedData) {
        let identity: Identity;
        try {
            identity = msps.deserializeIdentity(sd.identity);
            identity.validate();
        } catch {
            continue;
        }
        if (seen.has(identity.key)) continue;
        if (!identity.verify(sd.data, sd.signature)) continue;
        seen.add(identity.key);
        out.push(identity);
    }
    return out;
}

export function unsatisfied(message: string): PolicyError {
    return new PolicyError({ code: 'POLICY_UNSATISFIED', message });
}

class SignaturePolicyImpl implements Policy {
    readonly #evaluate: IdentityEvaluator;
    readonly #msps: MspManager;

    constructor(envelope: common.SignaturePolicyEnvelope, msps: MspManager) {
        this.#evaluate = compileSignaturePolicy(envelope);
        this.#msps = msps;
    }

    evaluateSignedData(signedData: readonly SignedData[]): void {
        this.evaluateIdentities(signatureSetToValidIdentities(signedData, this.#msps));
    }

    evaluateIdentities(identities: readonly Identity[]): void {
        if (!this.#evaluate(identities)) throw unsatisfied('signature set did not satisfy policy');
    }
}

/** A cauthdsl signature policy (channel config policies and chaincode endorsement policies alike). */
export function newSignaturePolicy(envelope: common.SignaturePolicyEnvelope, msps: MspManager): Policy {
    return new SignaturePolicyImpl(envelope, msps);
}

/** What Fabric's GetPolicy hands back for a missing policy: it rejects everything. */
export function newRejectPolicy(name: string): Policy {
    const reject = (): never => {
        throw new PolicyError({ code: 'POLICY_NOT_FOUND', message: `no such policy: '${name}'` });
    };
    return { evaluateSignedData: reject, evaluateIdentities: reject };
}
