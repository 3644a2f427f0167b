// Tests for msp/cryptogen.ts (mirrors internal/cryptogen): layout, chains, NodeOUs, SANs, idempotency.
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNetworkConfig, type NetworkConfig } from '../config/network';
import {
    caCertPath,
    generateCrypto,
    nodeMspDir,
    nodeTlsDir,
    ordererDir,
    orgMspDir,
    peerDir,
    tlsCaCertPath,
    userMspDir,
    userTlsDir,
    type AnyOrg,
} from './cryptogen';

const cfg: NetworkConfig = loadNetworkConfig(join(__dirname, '../../../upoint.network.yaml'));
let dir: string;

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'devnet-cryptogen-'));
    await generateCrypto(cfg, dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cert(path: string): X509Certificate {
    return new X509Certificate(readFileSync(path));
}

function onlyFile(d: string): string {
    const files = readdirSync(d);
    expect(files).toHaveLength(1);
    return join(d, files[0] ?? '');
}

function ousOf(c: X509Certificate): string[] {
    return c.subject.split('\n').filter((l) => l.startsWith('OU=')).map((l) => l.slice(3));
}

function expectEnrolment(org: AnyOrg, mspDir: string, name: string, ou: string): void {
    const ca = cert(caCertPath(dir, org));
    const signcert = join(mspDir, 'signcerts', `${name}-cert.pem`);
    const c = cert(signcert);
    expect(c.checkIssued(ca)).toBe(true);
    expect(c.verify(ca.publicKey)).toBe(true);
    expect(c.ca).toBe(false);
    expect(ousOf(c)).toEqual([ou]);
    expect(c.subject).toContain(`CN=${name}`);
    expect(readFileSync(join(mspDir, 'keystore', 'priv_sk'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(readFileSync(join(mspDir, 'cacerts', `ca.${org.domain}-cert.pem`), 'utf8')).toBe(readFileSync(caCertPath(dir, org), 'utf8'));
    expect(existsSync(join(mspDir, 'tlscacerts', `tlsca.${org.domain}-cert.pem`))).toBe(true);
    expect(readFileSync(join(mspDir, 'config.yaml'), 'utf8')).toContain(`Certificate: cacerts/ca.${org.domain}-cert.pem`);
}

describe('generateCrypto', () => {
    it('writes self-signed P-256 CA and TLS CA roots per org', () => {
        for (const org of [...cfg.orgs, cfg.orderer.org] as AnyOrg[]) {
            for (const p of [caCertPath(dir, org), tlsCaCertPath(dir, org)]) {
                const c = cert(p);
                expect(c.ca).toBe(true);
                expect(c.verify(c.publicKey)).toBe(true);
                expect(c.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
                expect(readFileSync(join(p, '..', 'priv_sk'), 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
            }
            const msp = orgMspDir(dir, org);
            expect(readdirSync(join(msp, 'cacerts'))).toEqual([`ca.${org.domain}-cert.pem`]);
            expect(readdirSync(join(msp, 'tlscacerts'))).toEqual([`tlsca.${org.domain}-cert.pem`]);
            const yaml = readFileSync(join(msp, 'config.yaml'), 'utf8');
            expect(yaml).toMatch(/Enable: true/);
            for (const ou of ['client', 'peer', 'admin', 'orderer']) expect(yaml).toContain(`OrganizationalUnitIdentifier: ${ou}`);
        }
    });

    it('issues peer, orderer and user enrolment certs with exactly one NodeOU', () => {
        for (const org of cfg.orgs) {
            for (const peer of org.peers) {
                const host = `${peer.name}.${org.domain}`;
                expectEnrolment(org, nodeMspDir(peerDir(dir, org, peer)), host, 'peer');
            }
            expectEnrolment(org, userMspDir(dir, org, 'Admin'), `Admin@${org.domain}`, 'admin');
            expectEnrolment(org, userMspDir(dir, org, 'User1'), `User1@${org.domain}`, 'client');
        }
        for (const node of cfg.orderer.nodes) {
            expectEnrolment(cfg.orderer.org, nodeMspDir(ordererDir(dir, cfg, node)), `${node.name}.${cfg.orderer.org.domain}`, 'orderer');
        }
        expectEnrolment(cfg.orderer.org, userMspDir(dir, cfg.orderer.org, 'Admin'), `Admin@${cfg.orderer.org.domain}`, 'admin');
    });

    it('issues TLS server certs with localhost, host and 127.0.0.1 SANs and user TLS client certs', () => {
        const hosts: [AnyOrg, string, string][] = [
            ...cfg.orgs.flatMap((o) => o.peers.map((p): [AnyOrg, string, string] => [o, peerDir(dir, o, p), `${p.name}.${o.domain}`])),
            ...cfg.orderer.nodes.map((n): [AnyOrg, string, string] => [cfg.orderer.org, ordererDir(dir, cfg, n), `${n.name}.${cfg.orderer.org.domain}`]),
        ];
        for (const [org, nodeDir, host] of hosts) {
            const tls = nodeTlsDir(nodeDir);
            const tlsca = cert(tlsCaCertPath(dir, org));
            const server = cert(join(tls, 'server.crt'));
            expect(server.verify(tlsca.publicKey)).toBe(true);
            expect(server.subjectAltName).toBe(`DNS:localhost, DNS:${host}, IP Address:127.0.0.1`);
            expect(server.checkHost(host)).toBe(host);
            expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
            expect(readFileSync(join(tls, 'ca.crt'), 'utf8')).toBe(readFileSync(tlsCaCertPath(dir, org), 'utf8'));
            expect(statSync(join(tls, 'server.key')).mode & 0o077).toBe(0);
        }
        const org = cfg.orgs[0];
        if (org === undefined) throw new Error('no org');
        for (const user of ['Admin', 'User1'] as const) {
            const tls = userTlsDir(dir, org, user);
            const client = cert(join(tls, 'client.crt'));
            expect(client.verify(cert(tlsCaCertPath(dir, org)).publicKey)).toBe(true);
            expect(client.keyUsage).toContain('1.3.6.1.5.5.7.3.2');
            expect(onlyFile(join(userMspDir(dir, org, user), 'signcerts'))).toMatch(new RegExp(`${user}@${org.domain}-cert.pem$`));
        }
    });

    it('is idempotent: an existing org is left untouched', async () => {
        const org = cfg.orgs[0];
        if (org === undefined) throw new Error('no org');
        const before = readFileSync(caCertPath(dir, org), 'utf8');
        await generateCrypto(cfg, dir);
        expect(readFileSync(caCertPath(dir, org), 'utf8')).toBe(before);
        expect(readdirSync(join(dir, 'peerOrganizations')).sort()).toEqual(cfg.orgs.map((o) => o.domain).sort());
    });
});
