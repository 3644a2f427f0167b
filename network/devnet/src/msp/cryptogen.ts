// Mirrors internal/cryptogen (ca/ca.go, msp/generator.go, cmd/cryptogen/main.go): cryptogen's folder layout and certificates.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NetworkConfig, OrgConfig, PeerConfig } from '../config/network';

x509.cryptoProvider.set(webcrypto);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** An application org (has peers) or the orderer org. */
export type AnyOrg = OrgConfig | NetworkConfig['orderer']['org'];
export type OrgKind = 'peer' | 'orderer';
export type UserName = 'Admin' | 'User1';
export type NodeOU = 'client' | 'peer' | 'admin' | 'orderer';

const EC_ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN_ALG = { name: 'ECDSA', hash: 'SHA-256' } as const;
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;
const SUBJECT_BASE: x509.JsonName = [{ C: ['US'] }, { ST: ['California'] }, { L: ['San Francisco'] }];

export function orgKind(org: AnyOrg): OrgKind {
    return 'peers' in org ? 'peer' : 'orderer';
}

// ---- layout helpers -------------------------------------------------------------------------

/** peerOrganizations/<domain> or ordererOrganizations/<domain> */
export function orgDir(cryptoDir: string, org: AnyOrg): string {
    return join(cryptoDir, orgKind(org) === 'peer' ? 'peerOrganizations' : 'ordererOrganizations', org.domain);
}

/** The org's (verifying) MSP: cacerts, tlscacerts, config.yaml. */
export function orgMspDir(cryptoDir: string, org: AnyOrg): string {
    return join(orgDir(cryptoDir, org), 'msp');
}

export function caCertPath(cryptoDir: string, org: AnyOrg): string {
    return join(orgDir(cryptoDir, org), 'ca', `ca.${org.domain}-cert.pem`);
}

export function caKeyPath(cryptoDir: string, org: AnyOrg): string {
    return join(orgDir(cryptoDir, org), 'ca', 'priv_sk');
}

export function tlsCaCertPath(cryptoDir: string, org: AnyOrg): string {
    return join(orgDir(cryptoDir, org), 'tlsca', `tlsca.${org.domain}-cert.pem`);
}

export function userName(org: AnyOrg, user: UserName): string {
    return `${user}@${org.domain}`;
}

export function userDir(cryptoDir: string, org: AnyOrg, user: UserName): string {
    return join(orgDir(cryptoDir, org), 'users', userName(org, user));
}

export function userMspDir(cryptoDir: string, org: AnyOrg, user: UserName): string {
    return join(userDir(cryptoDir, org, user), 'msp');
}

/** client.crt, client.key, ca.crt */
export function userTlsDir(cryptoDir: string, org: AnyOrg, user: UserName): string {
    return join(userDir(cryptoDir, org, user), 'tls');
}

/** peers/<host> of an application org */
export function peerDir(cryptoDir: string, org: OrgConfig, peer: PeerConfig): string {
    return join(orgDir(cryptoDir, org), 'peers', `${peer.name}.${org.domain}`);
}

export function ordererHost(cfg: NetworkConfig, node: NetworkConfig['orderer']['nodes'][number]): string {
    return `${node.name}.${cfg.orderer.org.domain}`;
}

/** orderers/<host> */
export function ordererDir(cryptoDir: string, cfg: NetworkConfig, node: NetworkConfig['orderer']['nodes'][number]): string {
    return join(orgDir(cryptoDir, cfg.orderer.org), 'orderers', ordererHost(cfg, node));
}

/** msp/ of a peer or orderer node directory */
export function nodeMspDir(nodeDir: string): string {
    return join(nodeDir, 'msp');
}

/** tls/ of a peer or orderer node directory: ca.crt, server.crt, server.key */
export function nodeTlsDir(nodeDir: string): string {
    return join(nodeDir, 'tls');
}

// ---- PEM / keys -------------------------------------------------------------------------------

function pem(label: string, der: ArrayBuffer | Uint8Array): string {
    const b64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64');
    const lines = b64.match(/.{1,64}/g) ?? [];
    return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function pemBody(text: string, label: string): Uint8Array {
    const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(text);
    if (!m?.[1]) throw new Error(`no ${label} PEM block`);
    return new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

async function keyPem(key: CryptoKey): Promise<string> {
    return pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', key));
}

async function newKeyPair(): Promise<CryptoKeyPair> {
    return webcrypto.subtle.generateKey(EC_ALG, true, ['sign', 'verify']);
}

/** cryptogen's SKI: SHA-256 of the uncompressed EC point. */
async function ski(publicKey: CryptoKey): Promise<string> {
    const raw = new Uint8Array(await webcrypto.subtle.exportKey('raw', publicKey));
    return createHash('sha256').update(raw).digest('hex');
}

function serial(): string {
    const b = randomBytes(16);
    b[0] = (b[0] ?? 0) & 0x7f || 0x01;
    return b.toString('hex');
}

function validity(): { notBefore: Date; notAfter: Date } {
    const now = Date.now();
    const notBefore = new Date(Math.floor((now - 5 * 60 * 1000) / 60000) * 60000);
    return { notBefore, notAfter: new Date(notBefore.getTime() + TEN_YEARS_MS) };
}

// ---- CA -----------------------------------------------------------------------------------------

/** A certificate authority able to issue certificates (a root CA of an org, or a loaded one). */
export interface CertificateAuthority {
    readonly cert: x509.X509Certificate;
    readonly certPem: string;
    readonly privateKey: CryptoKey;
    readonly keyId: string;
}

export interface IssuedCertificate {
    readonly certPem: string;
    readonly keyPem: string;
}

export type CertProfile =
    | { readonly kind: 'enrollment'; readonly ou: NodeOU }
    | { readonly kind: 'tls-server'; readonly hosts: readonly string[] }
    | { readonly kind: 'tls-client' };

async function newRootCa(commonName: string, organization: string): Promise<CertificateAuthority> {
    const keys = await newKeyPair();
    const keyId = await ski(keys.publicKey);
    const name: x509.JsonName = [...SUBJECT_BASE, { O: [organization] }, { CN: [commonName] }];
    const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: name,
        issuer: name,
        ...validity(),
        signingAlgorithm: SIGN_ALG,
        publicKey: keys.publicKey,
        signingKey: keys.privateKey,
        extensions: [
            new x509.KeyUsagesExtension(
                x509.KeyUsageFlags.digitalSignature |
                    x509.KeyUsageFlags.keyEncipherment |
                    x509.KeyUsageFlags.keyCertSign |
                    x509.KeyUsageFlags.cRLSign,
                true,
            ),
            new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth, x509.ExtendedKeyUsage.serverAuth]),
            new x509.BasicConstraintsExtension(true, undefined, true),
            new x509.SubjectKeyIdentifierExtension(keyId),
        ],
    });
    return { cert, certPem: cert.toString('pem') + '\n', privateKey: keys.privateKey, keyId };
}

/** Loads a CA from its certificate and PKCS#8 key PEMs (e.g. `ca/ca.<domain>-cert.pem` and `ca/priv_sk`). */
export async function loadCertificateAuthority(certPem: string, keyPem: string): Promise<CertificateAuthority> {
    const cert = new x509.X509Certificate(certPem);
    const privateKey = await webcrypto.subtle.importKey('pkcs8', pemBody(keyPem, 'PRIVATE KEY'), EC_ALG, true, ['sign']);
    const skiExt = cert.getExtension(x509.SubjectKeyIdentifierExtension);
    const keyId = skiExt?.keyId ?? (await ski(await webcrypto.subtle.importKey('spki', cert.publicKey.rawData, EC_ALG, true, ['verify'])));
    return { cert, certPem, privateKey, keyId };
}

/**
 * Issues a fresh key pair and certificate from `ca`: an enrolment certificate carrying exactly one NodeOU,
 * or a TLS server/client certificate.
 */
export async function issueCertificate(
    ca: CertificateAuthority,
    commonName: string,
    profile: CertProfile,
): Promise<IssuedCertificate> {
    const keys = await newKeyPair();
    const subject: x509.JsonName =
        profile.kind === 'enrollment'
            ? [...SUBJECT_BASE, { OU: [profile.ou] }, { CN: [commonName] }]
            : [...SUBJECT_BASE, { CN: [commonName] }];
    const extensions: x509.Extension[] = [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.SubjectKeyIdentifierExtension(await ski(keys.publicKey)),
        new x509.AuthorityKeyIdentifierExtension(ca.keyId),
    ];
    switch (profile.kind) {
        case 'enrollment':
            extensions.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true));
            break;
        case 'tls-server':
            extensions.push(
                new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
                new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
                new x509.SubjectAlternativeNameExtension([
                    ...profile.hosts.map((h) => ({ type: 'dns' as const, value: h })),
                    { type: 'ip', value: '127.0.0.1' },
                ]),
            );
            break;
        case 'tls-client':
            extensions.push(
                new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
                new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
            );
            break;
    }
    const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject,
        issuer: ca.cert.subjectName,
        ...validity(),
        signingAlgorithm: SIGN_ALG,
        publicKey: keys.publicKey,
        signingKey: ca.privateKey,
        extensions,
    });
    return { certPem: cert.toString('pem') + '\n', keyPem: await keyPem(keys.privateKey) };
}

// ---- folder writers ---------------------------------------------------------------------------

interface OrgCas {
    readonly domain: string;
    readonly ca: CertificateAuthority;
    readonly tlsca: CertificateAuthority;
}

function nodeOusConfig(domain: string): string {
    const id = (ou: NodeOU): string =>
        `    Certificate: cacerts/ca.${domain}-cert.pem\n    OrganizationalUnitIdentifier: ${ou}\n`;
    return (
        'NodeOUs:\n' +
        '  Enable: true\n' +
        `  ClientOUIdentifier:\n${id('client')}` +
        `  PeerOUIdentifier:\n${id('peer')}` +
        `  AdminOUIdentifier:\n${id('admin')}` +
        `  OrdererOUIdentifier:\n${id('orderer')}`
    );
}

async function put(path: string, content: string, mode = 0o644): Promise<void> {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, content, { mode });
}

/** A verifying MSP folder: cacerts, tlscacerts, config.yaml. */
async function writeVerifyingMsp(dir: string, cas: OrgCas): Promise<void> {
    await put(join(dir, 'cacerts', `ca.${cas.domain}-cert.pem`), cas.ca.certPem);
    await put(join(dir, 'tlscacerts', `tlsca.${cas.domain}-cert.pem`), cas.tlsca.certPem);
    await put(join(dir, 'config.yaml'), nodeOusConfig(cas.domain));
}

/** A local (signing) MSP folder plus the TLS folder for one identity. */
async function writeIdentity(
    baseDir: string,
    cas: OrgCas,
    name: string,
    ou: NodeOU,
    tls: 'server' | 'client',
): Promise<void> {
    const mspDir = join(baseDir, 'msp');
    await writeVerifyingMsp(mspDir, cas);
    const enrolment = await issueCertificate(cas.ca, name, { kind: 'enrollment', ou });
    await put(join(mspDir, 'signcerts', `${name}-cert.pem`), enrolment.certPem);
    await put(join(mspDir, 'keystore', 'priv_sk'), enrolment.keyPem, 0o600);
    const tlsDir = join(baseDir, 'tls');
    await put(join(tlsDir, 'ca.crt'), cas.tlsca.certPem);
    if (tls === 'server') {
        const t = await issueCertificate(cas.tlsca, name, { kind: 'tls-server', hosts: ['localhost', name] });
        await put(join(tlsDir, 'server.crt'), t.certPem);
        await put(join(tlsDir, 'server.key'), t.keyPem, 0o600);
    } else {
        const t = await issueCertificate(cas.tlsca, name, { kind: 'tls-client' });
        await put(join(tlsDir, 'client.crt'), t.certPem);
        await put(join(tlsDir, 'client.key'), t.keyPem, 0o600);
    }
}

async function generateOrg(dir: string, org: AnyOrg, hosts: readonly string[]): Promise<void> {
    const kind = orgKind(org);
    const cas: OrgCas = {
        domain: org.domain,
        ca: await newRootCa(`ca.${org.domain}`, org.domain),
        tlsca: await newRootCa(`tlsca.${org.domain}`, org.domain),
    };
    await put(join(dir, 'ca', `ca.${org.domain}-cert.pem`), cas.ca.certPem);
    await put(join(dir, 'ca', 'priv_sk'), await keyPem(cas.ca.privateKey), 0o600);
    await put(join(dir, 'tlsca', `tlsca.${org.domain}-cert.pem`), cas.tlsca.certPem);
    await put(join(dir, 'tlsca', 'priv_sk'), await keyPem(cas.tlsca.privateKey), 0o600);
    await writeVerifyingMsp(join(dir, 'msp'), cas);
    for (const host of hosts) {
        await writeIdentity(join(dir, kind === 'peer' ? 'peers' : 'orderers', host), cas, host, kind, 'server');
    }
    for (const user of ['Admin', 'User1'] as const) {
        const name = userName(org, user);
        await writeIdentity(join(dir, 'users', name), cas, name, user === 'Admin' ? 'admin' : 'client', 'client');
    }
}

/**
 * Writes cryptogen's tree for every org of `cfg` under `outDir`. An org whose folder already exists is left
 * as it is; a new org is built in a temporary folder and renamed into place, so a crash never leaves half an org.
 */
export async function generateCrypto(cfg: NetworkConfig, outDir: string): Promise<void> {
    const plans: { org: AnyOrg; hosts: string[] }[] = [
        ...cfg.orgs.map((org) => ({ org, hosts: org.peers.map((p) => `${p.name}.${org.domain}`) })),
        { org: cfg.orderer.org, hosts: cfg.orderer.nodes.map((n) => ordererHost(cfg, n)) },
    ];
    for (const { org, hosts } of plans) {
        const target = orgDir(outDir, org);
        if (existsSync(target)) continue;
        const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
        try {
            await generateOrg(tmp, org, hosts);
            await rename(tmp, target);
        } finally {
            await rm(tmp, { recursive: true, force: true });
        }
    }
}
