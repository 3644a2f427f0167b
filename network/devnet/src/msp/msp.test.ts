// Tests for msp/msp.ts, identity.ts, signer.ts (mirror msp/mspimpl.go, mspimplvalidate.go, identities.go).
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { msp } from '@hyperledger/fabric-protos';
import { execFileSync } from 'node:child_process';
import { X509Certificate, webcrypto } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNetworkConfig, type NetworkConfig, type OrgConfig } from '../config/network';
import {
    caCertPath,
    caKeyPath,
    generateCrypto,
    issueCertificate,
    loadCertificateAuthority,
    nodeMspDir,
    orgMspDir,
    peerDir,
    userMspDir,
    type CertificateAuthority,
} from './cryptogen';
import { encodeDerSignature, P256_N, parseDerSignature, isLowS } from './ecdsa';
import { MspError } from './errors';
import { serializeIdentity } from './identity';
import { loadMsp, mspManagerFromCrypto, type MspManager } from './msp';
import { loadSigningIdentity, newSigningIdentity, type SigningIdentity } from './signer';

const cfg: NetworkConfig = loadNetworkConfig(join(__dirname, '../../../upoint.network.yaml'));
const brand = cfg.orgs.find((o) => o.name === 'Brand') as OrgConfig;
const supplier = cfg.orgs.find((o) => o.name === 'Supplier') as OrgConfig;
let dir: string;
let msps: MspManager;
let brandCa: CertificateAuthority;
let admin: SigningIdentity;
let user: SigningIdentity;
let peer: SigningIdentity;

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'devnet-msp-'));
    await generateCrypto(cfg, dir);
    msps = mspManagerFromCrypto(cfg, dir);
    brandCa = await loadCertificateAuthority(readFileSync(caCertPath(dir, brand), 'utf8'), readFileSync(caKeyPath(dir, brand), 'utf8'));
    admin = loadSigningIdentity(brand.mspId, userMspDir(dir, brand, 'Admin'));
    user = loadSigningIdentity(brand.mspId, userMspDir(dir, brand, 'User1'));
    const p0 = brand.peers[0];
    if (p0 === undefined) throw new Error('no peer');
    peer = loadSigningIdentity(brand.mspId, nodeMspDir(peerDir(dir, brand, p0)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rolePrincipal(mspId: string, role: msp.MSPRole.MSPRoleTypeMap[keyof msp.MSPRole.MSPRoleTypeMap]): msp.MSPPrincipal {
    const r = new msp.MSPRole();
    r.setMspIdentifier(mspId);
    r.setRole(role);
    const p = new msp.MSPPrincipal();
    p.setPrincipalClassification(msp.MSPPrincipal.Classification.ROLE);
    p.setPrincipal(r.serializeBinary());
    return p;
}

/** A certificate the cryptogen profiles never produce: arbitrary OUs, validity, CA flag. */
async function customCert(ca: CertificateAuthority, opts: { ous: string[]; notAfter?: Date; isCa?: boolean }): Promise<string> {
    const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']));
    const cert = await x509.X509CertificateGenerator.create({
        subject: [{ C: ['US'] }, ...opts.ous.map((ou) => ({ OU: [ou] })), { CN: ['custom'] }],
        issuer: ca.cert.subjectName,
        notBefore: new Date(Date.now() - 2 * 86400_000),
        notAfter: opts.notAfter ?? new Date(Date.now() + 86400_000),
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
        publicKey: keys.publicKey,
        signingKey: ca.privateKey,
        extensions: [new x509.BasicConstraintsExtension(opts.isCa ?? false, undefined, true), new x509.AuthorityKeyIdentifierExtension(ca.keyId)],
    });
    return cert.toString('pem');
}

describe('MSP', () => {
    it('deserializes and validates every generated enrolment identity with its NodeOU', () => {
        for (const [s, ou] of [[admin, 'admin'], [user, 'client'], [peer, 'peer']] as const) {
            const id = msps.deserializeIdentity(s.serialized());
            expect(id.mspId).toBe('BrandMSP');
            expect(id.ou).toBe(ou);
            expect(id.expired).toBe(false);
            expect(id.key).toBe(`BrandMSP${id.id}`);
            expect(id.id).toMatch(/^[0-9a-f]{64}$/);
            expect(Buffer.from(id.certDer)).toEqual(new X509Certificate(s.certPem).raw);
            expect(() => id.validate()).not.toThrow();
            expect(() => msps.validate(id)).not.toThrow();
        }
        const ordererAdmin = loadSigningIdentity('OrdererMSP', userMspDir(dir, cfg.orderer.org, 'Admin'));
        expect(msps.deserializeValidIdentity(ordererAdmin.serialized()).ou).toBe('admin');
    });

    it('rejects an unknown MSP id and malformed bytes', () => {
        expect(() => msps.deserializeIdentity(serializeIdentity('NopeMSP', user.certPem))).toThrow(
            expect.objectContaining({ code: 'MSP_UNKNOWN', message: 'MSP NopeMSP is not defined on channel' }),
        );
        expect(() => msps.deserializeIdentity(Uint8Array.from([0xff, 0xff, 0xff]))).toThrow(MspError);
        expect(() => msps.deserializeIdentity(serializeIdentity('BrandMSP', 'not a pem'))).toThrow(
            expect.objectContaining({ code: 'MSP_MALFORMED_IDENTITY' }),
        );
    });

    it('fails validation for a certificate of another CA presented under this MSP id', () => {
        const id = msps.deserializeIdentity(serializeIdentity('BrandMSP', readFileSync(join(userMspDir(dir, supplier, 'User1'), 'signcerts', `User1@${supplier.domain}-cert.pem`), 'utf8')));
        expect(() => id.validate()).toThrow(expect.objectContaining({ code: 'MSP_INVALID_IDENTITY', message: expect.stringMatching(/certificate signed by unknown authority/) }));
    });

    it('fails validation for a CA certificate, for no NodeOU and for two NodeOUs', async () => {
        const caId = msps.deserializeIdentity(serializeIdentity('BrandMSP', brandCa.certPem));
        expect(() => caId.validate()).toThrow(/Certificate Authority equals true cannot be used as an identity/);
        const none = msps.deserializeIdentity(serializeIdentity('BrandMSP', await customCert(brandCa, { ous: ['department1'] })));
        expect(none.ou).toBeUndefined();
        expect(() => none.validate()).toThrow(/does not have an OU/);
        const two = msps.deserializeIdentity(serializeIdentity('BrandMSP', await customCert(brandCa, { ous: ['client', 'peer'] })));
        expect(two.ou).toBeUndefined();
        expect(() => two.validate()).toThrow(/not a combination of them/);
    });

    it('records expiry without failing validation', async () => {
        const id = msps.deserializeIdentity(serializeIdentity('BrandMSP', await customCert(brandCa, { ous: ['client'], notAfter: new Date(Date.now() - 86400_000) })));
        expect(id.expired).toBe(true);
        expect(() => id.validate()).not.toThrow();
    });

    it('rejects a revoked certificate listed in crls/', async () => {
        const mspDir = join(dir, 'revoked-msp');
        cpSync(orgMspDir(dir, brand), mspDir, { recursive: true });
        const victim = new X509Certificate(user.certPem);
        // openssl's CA tooling writes the CRL (a CA operator's job, outside devnet).
        const work = join(dir, 'crl-work');
        mkdirSync(work);
        const serial = victim.serialNumber.toUpperCase();
        writeFileSync(join(work, 'index.txt'), `R\t351231235959Z\t250101000000Z\t${serial.length % 2 ? '0' + serial : serial}\tunknown\t/CN=User1\n`);
        writeFileSync(join(work, 'crlnumber'), '01\n');
        writeFileSync(
            join(work, 'ca.cnf'),
            `[ca]\ndefault_ca=d\n[d]\ndatabase=${work}/index.txt\ncrlnumber=${work}/crlnumber\ndefault_md=sha256\ndefault_crl_days=30\ncrl_extensions=ext\n[ext]\nauthorityKeyIdentifier=keyid:always\n`,
        );
        mkdirSync(join(mspDir, 'crls'));
        execFileSync('openssl', ['ca', '-gencrl', '-config', join(work, 'ca.cnf'), '-keyfile', caKeyPath(dir, brand), '-cert', caCertPath(dir, brand), '-out', join(mspDir, 'crls', 'crl.pem')], { stdio: 'pipe' });
        const m = loadMsp('BrandMSP', mspDir);
        expect(() => m.validate(m.deserializeIdentity(Buffer.from(user.certPem)))).toThrow(/revoked/);
        expect(() => m.validate(m.deserializeIdentity(Buffer.from(admin.certPem)))).not.toThrow();
    });

    it('satisfies ROLE principals as satisfiesPrincipalInternalV142 does', () => {
        const R = msp.MSPRole.MSPRoleType;
        const cases: [SigningIdentity, number, boolean][] = [
            [user, R.MEMBER, true],
            [user, R.CLIENT, true],
            [user, R.ADMIN, false],
            [user, R.PEER, false],
            [admin, R.ADMIN, true],
            [admin, R.MEMBER, true],
            [admin, R.CLIENT, false],
            [peer, R.PEER, true],
            [peer, R.CLIENT, false],
            [peer, R.ORDERER, false],
        ];
        for (const [s, role, ok] of cases) {
            const id = msps.deserializeIdentity(s.serialized());
            const p = rolePrincipal('BrandMSP', role as 0);
            if (ok) expect(() => id.satisfiesPrincipal(p)).not.toThrow();
            else expect(() => id.satisfiesPrincipal(p)).toThrow(expect.objectContaining({ code: 'MSP_PRINCIPAL_UNSATISFIED' }));
        }
        const id = msps.deserializeIdentity(user.serialized());
        expect(() => id.satisfiesPrincipal(rolePrincipal('SupplierMSP', R.MEMBER))).toThrow(/member of a different MSP/);
    });

    it('satisfies IDENTITY principals by equal certificate bytes', () => {
        const p = new msp.MSPPrincipal();
        p.setPrincipalClassification(msp.MSPPrincipal.Classification.IDENTITY);
        p.setPrincipal(user.serialized());
        expect(() => msps.deserializeIdentity(user.serialized()).satisfiesPrincipal(p)).not.toThrow();
        expect(() => msps.deserializeIdentity(admin.serialized()).satisfiesPrincipal(p)).toThrow(/do not match/);
    });
});

describe('signatures', () => {
    it('signs low-S DER that verifies; the high-S twin is rejected', () => {
        const id = msps.deserializeIdentity(user.serialized());
        const msg = Buffer.from('hello fabric');
        for (let i = 0; i < 16; i++) {
            const sig = user.sign(msg);
            const parsed = parseDerSignature(sig);
            expect(isLowS(parsed)).toBe(true);
            expect(id.verify(msg, sig)).toBe(true);
            const high = encodeDerSignature({ r: parsed.r, s: P256_N - parsed.s });
            expect(id.verify(msg, high)).toBe(false);
            expect(id.verify(Buffer.from('other'), sig)).toBe(false);
        }
        expect(id.verify(msg, Uint8Array.from([1, 2, 3]))).toBe(false);
    });

    it('signing identities serialize as msp.SerializedIdentity{mspid, PEM}', async () => {
        const sid = msp.SerializedIdentity.deserializeBinary(peer.serialized());
        expect(sid.getMspid()).toBe('BrandMSP');
        expect(Buffer.from(sid.getIdBytes_asU8()).toString()).toBe(peer.certPem);
        const issued = await issueCertificate(brandCa, 'User2@brand.upoint.example', { kind: 'enrollment', ou: 'client' });
        const s2 = newSigningIdentity('BrandMSP', issued.certPem, issued.keyPem);
        const id2 = msps.deserializeValidIdentity(s2.serialized());
        expect(id2.ou).toBe('client');
        expect(id2.verify(Buffer.from('x'), s2.sign(Buffer.from('x')))).toBe(true);
    });
});
