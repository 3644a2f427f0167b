// Mirrors msp/identities.go: an X.509 identity of an MSP, its identifier and ECDSA signature verification.
import { createHash, verify as nodeVerify, type KeyObject, type X509Certificate } from 'node:crypto';
import { msp } from '@hyperledger/fabric-protos';
import { isLowS, parseDerSignature } from './ecdsa';

export type NodeOU = 'client' | 'peer' | 'admin' | 'orderer';

/** The MSP an identity belongs to: the identity delegates validation and principal checks to it. */
export interface IdentityOwner {
    readonly id: string;
    validate(identity: Identity): void;
    satisfiesPrincipal(identity: Identity, principal: msp.MSPPrincipal): void;
}

/** An X.509 identity deserialized by an MSP. Deserialization does not validate: call `validate()`. */
export interface Identity {
    readonly mspId: string;
    readonly certPem: string;
    readonly certDer: Uint8Array;
    /** hex(SHA-256(certificate DER)), Fabric's IdentityIdentifier.Id */
    readonly id: string;
    /** mspId + id: the de-duplication key of common/policies SignatureSetToValidIdentities */
    readonly key: string;
    /** The NodeOU role when the certificate carries exactly one of the MSP's NodeOU identifiers. */
    readonly ou: NodeOU | undefined;
    /** Every OU in the subject, in order. */
    readonly organizationalUnits: readonly string[];
    readonly notAfter: Date;
    /** Whether NotAfter has passed, evaluated now. Validation ignores it; Broadcast and Deliver do not. */
    readonly expired: boolean;
    /** msp.SerializedIdentity bytes {mspid, id_bytes = PEM}. */
    serialize(): Uint8Array;
    /** ECDSA P-256 over SHA-256(msg), DER {r,s}; false for high-S, malformed or wrong signatures. */
    verify(msg: Uint8Array, sig: Uint8Array): boolean;
    /** Throws MspError when the identity is not valid for its MSP. */
    validate(): void;
    /** Throws MspError when the identity does not satisfy the principal. */
    satisfiesPrincipal(principal: msp.MSPPrincipal): void;
}

/** Fabric's verifyECDSA: low-S only, then the curve check. */
export function verifyEcdsaSha256(publicKey: KeyObject, msg: Uint8Array, sig: Uint8Array): boolean {
    try {
        if (!isLowS(parseDerSignature(sig))) return false;
        return nodeVerify('sha256', msg, { key: publicKey, dsaEncoding: 'der' }, sig);
    } catch {
        return false;
    }
}

export function serializeIdentity(mspId: string, certPem: string): Uint8Array {
    const sid = new msp.SerializedIdentity();
    sid.setMspid(mspId);
    sid.setIdBytes(Buffer.from(certPem, 'utf8'));
    return sid.serializeBinary();
}

export interface X509IdentityParams {
    readonly owner: IdentityOwner;
    readonly certPem: string;
    readonly cert: X509Certificate;
    readonly organizationalUnits: readonly string[];
    readonly ou: NodeOU | undefined;
}

export class X509Identity implements Identity {
    readonly mspId: string;
    readonly certPem: string;
    readonly certDer: Uint8Array;
    readonly id: string;
    readonly key: string;
    readonly ou: NodeOU | undefined;
    readonly organizationalUnits: readonly string[];
    readonly notAfter: Date;
    readonly #owner: IdentityOwner;
    readonly #cert: X509Certificate;

    constructor(params: Readonly<X509IdentityParams>) {
        this.#owner = params.owner;
        this.#cert = params.cert;
        this.mspId = params.owner.id;
        this.certPem = params.certPem;
        this.certDer = new Uint8Array(params.cert.raw);
        this.id = createHash('sha256').update(this.certDer).digest('hex');
        this.key = this.mspId + this.id;
        this.ou = params.ou;
        this.organizationalUnits = params.organizationalUnits;
        this.notAfter = new Date(params.cert.validTo);
    }

    /** The parsed certificate (for the owning MSP's chain checks). */
    get certificate(): X509Certificate {
        return this.#cert;
    }

    get expired(): boolean {
        return Date.now() > this.notAfter.getTime();
    }

    serialize(): Uint8Array {
        return serializeIdentity(this.mspId, this.certPem);
    }

    verify(msg: Uint8Array, sig: Uint8Array): boolean {
        return verifyEcdsaSha256(this.#cert.publicKey, msg, sig);
    }

    validate(): void {
        this.#owner.validate(this);
    }

    satisfiesPrincipal(principal: msp.MSPPrincipal): void {
        this.#owner.satisfiesPrincipal(this, principal);
    }
}
