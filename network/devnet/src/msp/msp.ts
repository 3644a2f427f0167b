// Mirrors msp/mspimpl.go, msp/mspimplvalidate.go and msp/mspmgrimpl.go: X.509 MSPs loaded from folders, validation, principals.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { msp } from '@hyperledger/fabric-protos';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkConfig } from '../config/network';
import { orgMspDir } from './cryptogen';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { MspError } from './errors';
import { X509Identity, type Identity, type IdentityOwner, type NodeOU } from './identity';

const NODE_OUS: readonly NodeOU[] = ['client', 'peer', 'admin', 'orderer'];
const CACHE_LIMIT = 2048;
const MAX_CHAIN = 8;

export interface Msp extends IdentityOwner {
    readonly id: string;
    /** PEMs of cacerts/ (roots) */
    readonly rootCertsPem: readonly string[];
    readonly intermediateCertsPem: readonly string[];
    /** PEMs of tlscacerts/ */
    readonly tlsRootCertsPem: readonly string[];
    readonly nodeOUsEnabled: boolean;
    /** Parses PEM certificate bytes (a SerializedIdentity's id_bytes) into an identity of this MSP; does not validate. */
    deserializeIdentity(idBytes: Uint8Array): Identity;
    /** Throws MspError unless the chain verifies to a root of this MSP, the cert is no CA, is not revoked and has one NodeOU. */
    validate(identity: Identity): void;
    /** Throws MspError unless the identity satisfies the principal (satisfiesPrincipalInternalV142). */
    satisfiesPrincipal(identity: Identity, principal: msp.MSPPrincipal): void;
}

interface OuIdentifier {
    readonly ou: string;
    /** SHA-256 over the DER of the configured certificate's chain; undefined = any certification path */
    readonly certifiers: string | undefined;
}

interface Crl {
    readonly issuer: string;
    readonly authorityKeyId: string | undefined;
    readonly revokedSerials: ReadonlySet<string>;
}

const ouIdSchema = z.object({
    Certificate: z.string().optional(),
    OrganizationalUnitIdentifier: z.string().min(1),
});
const mspConfigSchema = z.object({
    NodeOUs: z
        .object({
            Enable: z.boolean().default(false),
            ClientOUIdentifier: ouIdSchema.optional(),
            PeerOUIdentifier: ouIdSchema.optional(),
            AdminOUIdentifier: ouIdSchema.optional(),
            OrdererOUIdentifier: ouIdSchema.optional(),
        })
        .optional(),
});

function pemBlocks(text: string, label: string): string[] {
    const re = new RegExp(`-----BEGIN ${label}-----[\\s\\S]*?-----END ${label}-----`, 'g');
    return (text.match(re) ?? []).map((b) => b + '\n');
}

function readDirFiles(dir: string): string[] {
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
        .sort()
        .map((f) => join(dir, f))
        .filter((p) => statSync(p).isFile())
        .map((p) => readFileSync(p, 'utf8'));
}

function normSerial(hex: string): string {
    return hex.toLowerCase().replace(/^0+/, '') || '0';
}

function fail(code: MspError['code'], message: string, cause?: unknown): never {
    throw new MspError({ code, message, cause });
}

function subjectOUs(cert: X509Certificate): string[] {
    return new x509.X509Certificate(cert.raw).subjectName.getField('OU');
}

function skiOf(cert: X509Certificate): string | undefined {
    return new x509.X509Certificate(cert.raw).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId.toLowerCase();
}

class X509Msp implements Msp {
    readonly id: string;
    readonly rootCertsPem: readonly string[];
    readonly intermediateCertsPem: readonly string[];
    readonly tlsRootCertsPem: readonly string[];
    readonly nodeOUsEnabled: boolean;
    readonly #roots: readonly X509Certificate[];
    readonly #intermediates: readonly X509Certificate[];
    readonly #admins: ReadonlySet<string>;
    readonly #crls: readonly Crl[];
    readonly #nodeOUs: ReadonlyMap<NodeOU, OuIdentifier>;
    readonly #identities = new Map<string, X509Identity>();
    readonly #validations = new Map<string, MspError | null>();

    constructor(mspId: string, mspDir: string) {
        this.id = mspId;
        if (!existsSync(mspDir)) fail('MSP_CONFIG', `could not load MSP ${mspId}: folder ${mspDir} does not exist`);
        const certs = (sub: string): string[] =>
            readDirFiles(join(mspDir, sub)).flatMap((t) => pemBlocks(t, 'CERTIFICATE'));
        this.rootCertsPem = certs('cacerts');
        this.intermediateCertsPem = certs('intermediatecerts');
        this.tlsRootCertsPem = certs('tlscacerts');
        if (this.rootCertsPem.length === 0) fail('MSP_CONFIG', `could not load MSP ${mspId}: expected at least one CA certificate`);
        try {
            this.#roots = this.rootCertsPem.map((p) => new X509Certificate(p));
            this.#intermediates = this.intermediateCertsPem.map((p) => new X509Certificate(p));
        } catch (err) {
            fail('MSP_CONFIG', `could not load MSP ${mspId}: bad CA certificate`, err);
        }
        this.#admins = new Set(
            certs('admincerts').map((p) => createHash('sha256').update(new X509Certificate(p).raw).digest('hex')),
        );
        this.#crls = readDirFiles(join(mspDir, 'crls'))
            .flatMap((t) => [...pemBlocks(t, 'X509 CRL'), ...pemBlocks(t, 'CRL')])
            .map((p) => {
                const crl = new x509.X509Crl(p);
                return {
                    issuer: crl.issuerName.toString(),
                    authorityKeyId: crl.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId?.toLowerCase(),
                    revokedSerials: new Set(crl.entries.map((e) => normSerial(e.serialNumber))),
                };
            });
        const cfgPath = join(mspDir, 'config.yaml');
        const nodeOUs = new Map<NodeOU, OuIdentifier>();
        let enabled = false;
        if (existsSync(cfgPath)) {
            const parsed = mspConfigSchema.safeParse(parseYaml(readFileSync(cfgPath, 'utf8')));
            if (!parsed.success) fail('MSP_CONFIG', `could not load MSP ${mspId}: bad config.yaml: ${parsed.error.message}`);
            const n = parsed.data.NodeOUs;
            if (n?.Enable) {
                enabled = true;
                const entries: [NodeOU, z.infer<typeof ouIdSchema> | undefined][] = [
                    ['client', n.ClientOUIdentifier],
                    ['peer', n.PeerOUIdentifier],
                    ['admin', n.AdminOUIdentifier],
                    ['orderer', n.OrdererOUIdentifier],
                ];
                for (const [role, ouId] of entries) {
                    if (ouId === undefined) continue;
                    nodeOUs.set(role, {
                        ou: ouId.OrganizationalUnitIdentifier,
                        certifiers: ouId.Certificate === undefined ? undefined : this.#certifiersOf(join(mspDir, ouId.Certificate)),
                    });
                }
            }
        }
        this.nodeOUsEnabled = enabled;
        this.#nodeOUs = nodeOUs;
    }

    /** The certifiers identifier of a configured CA certificate: hash of its chain up to a root. */
    #certifiersOf(path: string): string {
        let cert: X509Certificate;
        try {
            cert = new X509Certificate(readFileSync(path));
        } catch (err) {
            fail('MSP_CONFIG', `could not load MSP ${this.id}: cannot read NodeOU certificate ${path}`, err);
        }
        const known = [...this.#roots, ...this.#intermediates].some((c) => c.raw.equals(cert.raw));
        if (!known) fail('MSP_CONFIG', `could not load MSP ${this.id}: NodeOU certificate ${path} is not a CA of this MSP`);
        const chain = this.#chainFrom(cert);
        if (chain === undefined) fail('MSP_CONFIG', `could not load MSP ${this.id}: no certification chain for ${path}`);
        return this.#hashChain(chain);
    }

    #hashChain(chain: readonly X509Certificate[]): string {
        const h = createHash('sha256');
        for (const c of chain) h.update(c.raw);
        return h.digest('hex');
    }

    /** [cert, issuer, ..., root] or undefined when the chain does not reach a root of this MSP. */
    #chainFrom(cert: X509Certificate): X509Certificate[] | undefined {
        const chain = [cert];
        let current = cert;
        for (let depth = 0; depth < MAX_CHAIN; depth++) {
            if (this.#roots.some((r) => r.raw.equals(current.raw))) return chain;
            const issuer = [...this.#intermediates, ...this.#roots].find(
                (c) => current.checkIssued(c) && current.verify(c.publicKey),
            );
            if (issuer === undefined) return undefined;
            chain.push(issuer);
            if (this.#roots.includes(issuer)) return chain;
            current = issuer;
        }
        return undefined;
    }

    deserializeIdentity(idBytes: Uint8Array): Identity {
        const text = Buffer.from(idBytes).toString('utf8');
        const cached = this.#identities.get(text);
        if (cached !== undefined) return cached;
        const block = pemBlocks(text, 'CERTIFICATE')[0];
        if (block === undefined) fail('MSP_MALFORMED_IDENTITY', 'could not decode pem bytes');
        let cert: X509Certificate;
        let ous: string[];
        try {
            cert = new X509Certificate(block);
            ous = subjectOUs(cert);
        } catch (err) {
            fail('MSP_MALFORMED_IDENTITY', `could not parse certificate: ${(err as Error).message}`, err);
        }
        const roles = NODE_OUS.filter((r) => {
            const id = this.#nodeOUs.get(r);
            return id !== undefined && ous.includes(id.ou);
        });
        const identity = new X509Identity({
            owner: this,
            certPem: text,
            cert,
            organizationalUnits: ous,
            ou: this.nodeOUsEnabled && roles.length === 1 ? roles[0] : undefined,
        });
        if (this.#identities.size >= CACHE_LIMIT) this.#identities.clear();
        this.#identities.set(text, identity);
        return identity;
    }

    #asX509(identity: Identity): X509Identity {
        if (!(identity instanceof X509Identity)) fail('MSP_INVALID_IDENTITY', 'invalid identity type, expected *identity');
        return identity;
    }

    validate(identity: Identity): void {
        const cached = this.#validations.get(identity.key);
        if (cached === undefined) {
            let outcome: MspError | null = null;
            try {
                this.#validate(this.#asX509(identity));
            } catch (err) {
                if (!(err instanceof MspError)) throw err;
                outcome = err;
            }
            if (this.#validations.size >= CACHE_LIMIT) this.#validations.clear();
            this.#validations.set(identity.key, outcome);
            if (outcome !== null) throw outcome;
        } else if (cached !== null) {
            throw cached;
        }
    }

    #validate(identity: X509Identity): void {
        if (identity.mspId !== this.id) {
            fail('MSP_INVALID_IDENTITY', `the supplied identity does not belong to this msp (expected ${this.id}, got ${identity.mspId})`);
        }
        const cert = identity.certificate;
        if (cert.ca) {
            fail('MSP_INVALID_IDENTITY', 'An X509 certificate with Basic Constraint: Certificate Authority equals true cannot be used as an identity');
        }
        const chain = this.#chainFrom(cert);
        if (chain === undefined || chain.length < 2) {
            fail('MSP_INVALID_IDENTITY', 'could not obtain certification chain: x509: certificate signed by unknown authority');
        }
        // CRLs: each certificate below the root is checked against the CRLs its issuer signed.
        for (let i = 0; this.#crls.length > 0 && i + 1 < chain.length; i++) {
            const child = chain[i];
            const parent = chain[i + 1];
            if (child === undefined || parent === undefined) continue;
            const parentSki = skiOf(parent);
            const parentSubject = new x509.X509Certificate(parent.raw).subjectName.toString();
            for (const crl of this.#crls) {
                const sameIssuer =
                    crl.authorityKeyId !== undefined && parentSki !== undefined
                        ? crl.authorityKeyId === parentSki
                        : crl.issuer === parentSubject;
                if (sameIssuer && crl.revokedSerials.has(normSerial(child.serialNumber))) {
                    fail('MSP_INVALID_IDENTITY', 'could not validate identity against certification chain: The certificate has been revoked');
                }
            }
        }
        if (this.nodeOUsEnabled) {
            const certifiers = this.#hashChain(chain.slice(1));
            let counter = 0;
            for (const ou of identity.organizationalUnits) {
                const role = NODE_OUS.find((r) => this.#nodeOUs.get(r)?.ou === ou);
                if (role === undefined) continue;
                const expected = this.#nodeOUs.get(role)?.certifiers;
                if (expected !== undefined && expected !== certifiers) {
                    fail('MSP_INVALID_IDENTITY', `certifiersIdentifier does not match: [${identity.organizationalUnits.join(' ')}], MSP: [${this.id}]`);
                }
                counter++;
            }
            if (counter === 0) {
                fail('MSP_INVALID_IDENTITY', `the identity does not have an OU that resolves to client, peer, admin or orderer. OUs: [${identity.organizationalUnits.join(' ')}], MSP: [${this.id}]`);
            }
            if (counter > 1) {
                fail('MSP_INVALID_IDENTITY', `the identity must be a client, a peer, an orderer or an admin identity to be valid, not a combination of them. OUs: [${identity.organizationalUnits.join(' ')}], MSP: [${this.id}]`);
            }
        }
    }

    #hasOURole(identity: X509Identity, role: NodeOU): void {
        if (!this.nodeOUsEnabled) fail('MSP_PRINCIPAL_UNSATISFIED', 'NodeOUs not activated. Cannot tell apart identities.');
        const want = this.#nodeOUs.get(role);
        if (want === undefined || !identity.organizationalUnits.includes(want.ou)) {
            fail('MSP_PRINCIPAL_UNSATISFIED', `The identity is not a [${role.toUpperCase()}] under this MSP [${this.id}]`);
        }
    }

    satisfiesPrincipal(identity: Identity, principal: msp.MSPPrincipal): void {
        const id = this.#asX509(identity);
        const C = msp.MSPPrincipal.Classification;
        switch (principal.getPrincipalClassification()) {
            case C.ROLE: {
                let role: msp.MSPRole;
                try {
                    role = msp.MSPRole.deserializeBinary(principal.getPrincipal_asU8());
                } catch (err) {
                    fail('MSP_PRINCIPAL_UNSATISFIED', 'could not unmarshal MSPRole from principal', err);
                }
                if (role.getMspIdentifier() !== this.id) {
                    fail('MSP_PRINCIPAL_UNSATISFIED', `the identity is a member of a different MSP (expected ${role.getMspIdentifier()}, got ${id.mspId})`);
                }
                const R = msp.MSPRole.MSPRoleType;
                switch (role.getRole()) {
                    case R.MEMBER:
                        this.validate(id);
                        return;
                    case R.ADMIN:
                        if (this.#admins.has(id.id)) return;
                        this.validate(id);
                        this.#hasOURole(id, 'admin');
                        return;
                    case R.CLIENT:
                        this.validate(id);
                        this.#hasOURole(id, 'client');
                        return;
                    case R.PEER:
                        this.validate(id);
                        this.#hasOURole(id, 'peer');
                        return;
                    case R.ORDERER:
                        this.validate(id);
                        this.#hasOURole(id, 'orderer');
                        return;
                    default:
                        fail('MSP_PRINCIPAL_UNSATISFIED', `invalid MSP role type ${String(role.getRole())}`);
                }
                return;
            }
            case C.IDENTITY: {
                let other: Identity;
                try {
                    const sid = msp.SerializedIdentity.deserializeBinary(principal.getPrincipal_asU8());
                    if (sid.getMspid() !== this.id) {
                        fail('MSP_PRINCIPAL_UNSATISFIED', `expected MSP ID ${this.id}, received ${sid.getMspid()}`);
                    }
                    other = this.deserializeIdentity(sid.getIdBytes_asU8());
                } catch (err) {
                    if (err instanceof MspError) throw err;
                    fail('MSP_PRINCIPAL_UNSATISFIED', 'invalid identity principal, not a certificate', err);
                }
                if (!Buffer.from(other.certDer).equals(Buffer.from(id.certDer))) {
                    fail('MSP_PRINCIPAL_UNSATISFIED', 'The identities do not match');
                }
                this.validate(other);
                return;
            }
            case C.ORGANIZATION_UNIT: {
                let unit: msp.OrganizationUnit;
                try {
                    unit = msp.OrganizationUnit.deserializeBinary(principal.getPrincipal_asU8());
                } catch (err) {
                    fail('MSP_PRINCIPAL_UNSATISFIED', 'could not unmarshal OrganizationUnit from principal', err);
                }
                if (unit.getMspIdentifier() !== this.id) {
                    fail('MSP_PRINCIPAL_UNSATISFIED', `the identity is a member of a different MSP (expected ${unit.getMspIdentifier()}, got ${id.mspId})`);
                }
                this.validate(id);
                const chain = this.#chainFrom(id.certificate) ?? [];
                const certifiers = this.#hashChain(chain.slice(1));
                const want = Buffer.from(unit.getCertifiersIdentifier_asU8()).toString('hex');
                const ok = id.organizationalUnits.some(
                    (ou) => ou === unit.getOrganizationalUnitIdentifier() && (want === '' || want === certifiers),
                );
                if (!ok) fail('MSP_PRINCIPAL_UNSATISFIED', 'The identities do not match');
                return;
            }
            default:
                fail('MSP_PRINCIPAL_UNSATISFIED', `invalid principal type ${String(principal.getPrincipalClassification())}`);
        }
    }
}

/** Loads an MSP folder (cacerts, intermediatecerts, tlscacerts, admincerts, crls, config.yaml). */
export function loadMsp(mspId: string, mspDir: string): Msp {
    return new X509Msp(mspId, mspDir);
}

export class MspManager {
    readonly #msps: ReadonlyMap<string, Msp>;

    constructor(msps: Iterable<Msp>) {
        const byId = new Map<string, Msp>();
        for (const m of msps) byId.set(m.id, m);
        this.#msps = byId;
    }

    getMsp(mspId: string): Msp | undefined {
        return this.#msps.get(mspId);
    }

    get mspIds(): readonly string[] {
        return [...this.#msps.keys()];
    }

    /** Parses msp.SerializedIdentity bytes and resolves them by mspid; does not validate the identity. */
    deserializeIdentity(serializedIdentity: Uint8Array): Identity {
        let sid: msp.SerializedIdentity;
        try {
            sid = msp.SerializedIdentity.deserializeBinary(serializedIdentity);
        } catch (err) {
            throw new MspError({ code: 'MSP_MALFORMED_IDENTITY', message: 'could not deserialize a SerializedIdentity', cause: err });
        }
        const m = this.#msps.get(sid.getMspid());
        if (m === undefined) {
            throw new MspError({ code: 'MSP_UNKNOWN', message: `MSP ${sid.getMspid()} is not defined on channel` });
        }
        return m.deserializeIdentity(sid.getIdBytes_asU8());
    }

    /** Validates an identity against its own MSP (throws MspError). */
    validate(identity: Identity): void {
        const m = this.#msps.get(identity.mspId);
        if (m === undefined) {
            throw new MspError({ code: 'MSP_UNKNOWN', message: `MSP ${identity.mspId} is not defined on channel` });
        }
        m.validate(identity);
    }

    /** Deserializes and validates: what a proposal's creator or an orderer client must pass. */
    deserializeValidIdentity(serializedIdentity: Uint8Array): Identity {
        const identity = this.deserializeIdentity(serializedIdentity);
        identity.validate();
        return identity;
    }
}

/** Loads every org's verifying MSP (application orgs and the orderer org) from cryptogen's `msp/` folders. */
export function mspManagerFromCrypto(cfg: NetworkConfig, cryptoDir: string): MspManager {
    return new MspManager([
        ...cfg.orgs.map((o) => loadMsp(o.mspId, orgMspDir(cryptoDir, o))),
        loadMsp(cfg.orderer.org.mspId, orgMspDir(cryptoDir, cfg.orderer.org)),
    ]);
}
