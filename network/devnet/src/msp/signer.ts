// Mirrors msp/identities.go (signingidentity) and msp/configbuilder.go (signcerts/, keystore/ of a local MSP).
import { createPrivateKey, sign as nodeSign, type KeyObject } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { toLowS } from './ecdsa';
import { MspError } from './errors';
import { serializeIdentity } from './identity';

export interface SigningIdentity {
    readonly mspId: string;
    readonly certPem: string;
    /** msp.SerializedIdentity bytes {mspid, id_bytes = PEM} */
    serialized(): Uint8Array;
    /** ECDSA P-256 over SHA-256(msg), DER {r,s}, low-S normalised. */
    sign(msg: Uint8Array): Uint8Array;
}

class EcdsaSigningIdentity implements SigningIdentity {
    readonly mspId: string;
    readonly certPem: string;
    readonly #key: KeyObject;
    readonly #serialized: Uint8Array;

    constructor(mspId: string, certPem: string, key: KeyObject) {
        this.mspId = mspId;
        this.certPem = certPem;
        this.#key = key;
        this.#serialized = serializeIdentity(mspId, certPem);
    }

    serialized(): Uint8Array {
        return this.#serialized.slice();
    }

    sign(msg: Uint8Array): Uint8Array {
        return toLowS(new Uint8Array(nodeSign('sha256', msg, { key: this.#key, dsaEncoding: 'der' })));
    }
}

/** A signing identity from a certificate PEM and a PKCS#8 (or SEC1) private key PEM. */
export function newSigningIdentity(mspId: string, certPem: string, keyPem: string): SigningIdentity {
    return new EcdsaSigningIdentity(mspId, certPem, createPrivateKey(keyPem));
}

function firstFile(dir: string, what: string): string {
    const files = existsSync(dir)
        ? readdirSync(dir)
              .sort()
              .map((f) => join(dir, f))
              .filter((p) => statSync(p).isFile())
        : [];
    const file = files[0];
    if (file === undefined) throw new MspError({ code: 'MSP_CONFIG', message: `no ${what} found in ${dir}` });
    return readFileSync(file, 'utf8');
}

/** Loads a local MSP's signing identity: the first file of signcerts/ and of keystore/. */
export function loadSigningIdentity(mspId: string, mspDir: string): SigningIdentity {
    try {
        return newSigningIdentity(mspId, firstFile(join(mspDir, 'signcerts'), 'signing certificate'), firstFile(join(mspDir, 'keystore'), 'private key'));
    } catch (err) {
        if (err instanceof MspError) throw err;
        throw new MspError({ code: 'MSP_CONFIG', message: `could not load signing identity from ${mspDir}`, cause: err });
    }
}
