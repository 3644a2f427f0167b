// Tests for policies/ (mirror common/cauthdsl/cauthdsl.go, common/policies/implicitmeta.go, policy.go).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNetworkConfig, type NetworkConfig, type OrgConfig } from '../config/network';
import { caCertPath, caKeyPath, generateCrypto, issueCertificate, loadCertificateAuthority, nodeMspDir, ordererDir, peerDir, userMspDir } from '../msp/cryptogen';
import type { Identity } from '../msp/identity';
import { mspManagerFromCrypto, type MspManager } from '../msp/msp';
import { loadSigningIdentity, newSigningIdentity, type SigningIdentity } from '../msp/signer';
import { PolicyError } from './errors';
import { newImplicitMetaPolicy } from './implicitmeta';
import { buildPolicyManager, newSignaturePolicy, type PolicyManager } from './manager';
import { policyFromString } from './policydsl';
import type { Policy, SignedData } from './policy';

const cfg: NetworkConfig = loadNetworkConfig(join(__dirname, '../../../upoint.network.yaml'));
const org = (name: string): OrgConfig => {
    const o = cfg.orgs.find((x) => x.name === name);
    if (o === undefined) throw new Error(name);
    return o;
};
let dir: string;
let msps: MspManager;
let policies: PolicyManager;
const users: Record<string, SigningIdentity> = {};
const DATA = Buffer.from('the transaction payload');

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'devnet-policies-'));
    await generateCrypto(cfg, dir);
    msps = mspManagerFromCrypto(cfg, dir);
    policies = buildPolicyManager(cfg, msps);
    for (const o of cfg.orgs) {
        users[`${o.name}.admin`] = loadSigningIdentity(o.mspId, userMspDir(dir, o, 'Admin'));
        users[`${o.name}.user`] = loadSigningIdentity(o.mspId, userMspDir(dir, o, 'User1'));
        const p0 = o.peers[0];
        if (p0 === undefined) throw new Error('no peer');
        users[`${o.name}.peer`] = loadSigningIdentity(o.mspId, nodeMspDir(peerDir(dir, o, p0)));
    }
    const node = cfg.orderer.nodes[0];
    if (node === undefined) throw new Error('no orderer');
    users['Orderer.orderer'] = loadSigningIdentity(cfg.orderer.org.mspId, nodeMspDir(ordererDir(dir, cfg, node)));
    users['Orderer.admin'] = loadSigningIdentity(cfg.orderer.org.mspId, userMspDir(dir, cfg.orderer.org, 'Admin'));
    // a second Brand client, issued by Brand's CA
    const brand = org('Brand');
    const ca = await loadCertificateAuthority(readFileSync(caCertPath(dir, brand), 'utf8'), readFileSync(caKeyPath(dir, brand), 'utf8'));
    const u2 = await issueCertificate(ca, `User2@${brand.domain}`, { kind: 'enrollment', ou: 'client' });
    users['Brand.user2'] = newSigningIdentity(brand.mspId, u2.certPem, u2.keyPem);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function signer(name: string): SigningIdentity {
    const s = users[name];
    if (s === undefined) throw new Error(`no signer ${name}`);
    return s;
}

function sd(...names: string[]): SignedData[] {
    return names.map((n) => ({ data: DATA, identity: signer(n).serialized(), signature: signer(n).sign(DATA) }));
}

function policy(path: string): Policy {
    const p = policies.getPolicy(path);
    if (p === undefined) throw new Error(`no policy ${path}`);
    return p;
}

function evaluate(p: Policy, data: SignedData[]): string {
    try {
        p.evaluateSignedData(data);
        return 'ok';
    } catch (err) {
        if (!(err instanceof PolicyError)) throw err;
        return err.message;
    }
}

const dsl = (text: string): Policy => newSignaturePolicy(policyFromString(text), msps);

describe('signature policies (cauthdsl)', () => {
    it('SignedBy takes the first unused identity: AND of the same principal needs two distinct certs', () => {
        const p = dsl("AND('BrandMSP.member','BrandMSP.member')");
        expect(evaluate(p, sd('Brand.user'))).toBe('signature set did not satisfy policy');
        expect(evaluate(p, sd('Brand.user', 'Brand.user'))).toBe('signature set did not satisfy policy'); // de-duplicated
        expect(evaluate(p, sd('Brand.user', 'Brand.user2'))).toBe('ok');
        expect(evaluate(p, sd('Brand.user', 'Brand.admin'))).toBe('ok');
    });

    it('OutOf counts greedily without backtracking', () => {
        const p = dsl("OutOf(2,'BrandMSP.member','BrandMSP.admin')");
        // member grabs the admin first, then the admin rule finds only a client: Fabric fails this order
        expect(evaluate(p, sd('Brand.admin', 'Brand.user'))).toBe('signature set did not satisfy policy');
        expect(evaluate(p, sd('Brand.user', 'Brand.admin'))).toBe('ok');
    });

    it('drops bad signatures, unknown MSPs and garbage identities silently', () => {
        const p = dsl("OR('BrandMSP.client')");
        const good = sd('Brand.user');
        const badSig = good.map((g) => ({ ...g, signature: signer('Brand.user').sign(Buffer.from('other')) }));
        expect(evaluate(p, badSig)).toBe('signature set did not satisfy policy');
        expect(evaluate(p, [{ data: DATA, identity: Uint8Array.from([1, 2, 3]), signature: Uint8Array.of() }, ...good])).toBe('ok');
        // a bad signature ahead of a good one by the same identity does not poison it (dedupe records only verified signers)
        expect(evaluate(p, [...badSig, ...good])).toBe('ok');
    });

    it('evaluates the chaincode endorsement policy', () => {
        const p = dsl(cfg.chaincode.endorsementPolicy);
        expect(evaluate(p, sd('Brand.peer', 'Supplier.peer'))).toBe('ok');
        expect(evaluate(p, sd('Brand.peer', 'Regulator.peer'))).toBe('signature set did not satisfy policy');
        expect(evaluate(p, sd('Brand.peer', 'Supplier.user'))).toBe('signature set did not satisfy policy');
    });

    it('evaluateIdentities works on already-verified identities', () => {
        const ids: Identity[] = ['Bank.peer', 'Supplier.peer'].map((n) => msps.deserializeIdentity(signer(n).serialized()));
        expect(() => dsl(cfg.chaincode.endorsementPolicy).evaluateIdentities(ids)).not.toThrow();
    });
});

describe('implicit meta policies', () => {
    const yes: Policy = { evaluateSignedData: () => undefined, evaluateIdentities: () => undefined };
    const no: Policy = {
        evaluateSignedData: () => {
            throw new PolicyError({ code: 'POLICY_UNSATISFIED', message: 'nope' });
        },
        evaluateIdentities: () => undefined,
    };
    it.each([
        ['ANY', [no, no, no], 'implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 of the \'Writers\' sub-policies to be satisfied'],
        ['ANY', [no, yes], 'ok'],
        ['ALL', [yes, no, yes], 'implicit policy evaluation failed - 2 sub-policies were satisfied, but this policy requires 3 of the \'Writers\' sub-policies to be satisfied'],
        ['MAJORITY', [yes, no, no, yes], 'implicit policy evaluation failed - 2 sub-policies were satisfied, but this policy requires 3 of the \'Writers\' sub-policies to be satisfied'],
        ['MAJORITY', [yes, no, yes], 'ok'],
        ['MAJORITY', [], 'ok'],
        ['ALL', [], 'ok'],
    ] as const)('%s over %#', (rule, children, outcome) => {
        expect(evaluate(newImplicitMetaPolicy({ rule, subPolicy: 'Writers' }, children), [])).toBe(outcome);
    });
});

describe('channel policy manager', () => {
    it('has the channel, application, org and orderer policies', () => {
        for (const p of [
            '/Channel/Readers', '/Channel/Writers', '/Channel/Admins',
            '/Channel/Application/Readers', '/Channel/Application/Writers', '/Channel/Application/Admins',
            '/Channel/Application/Endorsement', '/Channel/Application/LifecycleEndorsement',
            '/Channel/Application/Brand/Readers', '/Channel/Application/Regulator/Endorsement',
            '/Channel/Orderer/Writers', '/Channel/Orderer/BlockValidation', '/Channel/Orderer/Orderer/Admins',
        ]) expect(policies.getPolicy(p)).toBeDefined();
        expect(policies.getPolicy('Application/Writers')).toBe(policies.getPolicy('/Channel/Application/Writers'));
        expect(policies.getPolicy('/Channel/Application/Nope')).toBeUndefined();
        expect(evaluate(policies.getPolicyOrReject('/Channel/Application/Nope'), sd('Brand.admin'))).toBe("no such policy: '/Channel/Application/Nope'");
    });

    it('/Channel/Writers: the regulator client fails, its admin and a Brand client pass, a peer fails', () => {
        const w = policy('/Channel/Writers');
        const denied = "implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 of the 'Writers' sub-policies to be satisfied";
        expect(evaluate(w, sd('Regulator.user'))).toBe(denied);
        expect(evaluate(w, sd('Regulator.admin'))).toBe('ok');
        expect(evaluate(w, sd('Brand.user'))).toBe('ok');
        expect(evaluate(w, sd('Brand.peer'))).toBe(denied);
        expect(evaluate(w, sd('Orderer.orderer'))).toBe('ok'); // through /Channel/Orderer/Writers
    });

    it('/Channel/Readers lets the regulator client and peers read', () => {
        expect(evaluate(policy('/Channel/Readers'), sd('Regulator.user'))).toBe('ok');
        expect(evaluate(policy('/Channel/Application/Readers'), sd('Bank.peer'))).toBe('ok');
    });

    it('/Channel/Application/Endorsement is a MAJORITY (3 of 4) of org peers', () => {
        const e = policy('/Channel/Application/Endorsement');
        expect(evaluate(e, sd('Brand.peer', 'Supplier.peer'))).toBe(
            "implicit policy evaluation failed - 2 sub-policies were satisfied, but this policy requires 3 of the 'Endorsement' sub-policies to be satisfied",
        );
        expect(evaluate(e, sd('Brand.peer', 'Supplier.peer', 'Bank.peer'))).toBe('ok');
        expect(evaluate(policy('/Channel/Application/LifecycleEndorsement'), sd('Brand.peer', 'Bank.peer', 'Regulator.peer'))).toBe('ok');
    });

    it('/Channel/Admins is a MAJORITY of Application and Orderer Admins', () => {
        const a = policy('/Channel/Admins');
        expect(evaluate(a, sd('Brand.admin', 'Supplier.admin', 'Bank.admin'))).toBe(
            "implicit policy evaluation failed - 1 sub-policies were satisfied, but this policy requires 2 of the 'Admins' sub-policies to be satisfied",
        );
        expect(evaluate(a, sd('Brand.admin', 'Supplier.admin', 'Bank.admin', 'Orderer.admin'))).toBe('ok');
        expect(evaluate(policy('/Channel/Orderer/Orderer/Admins'), sd('Orderer.orderer'))).toBe('signature set did not satisfy policy');
    });

    it('names the path of a bad policy string', () => {
        const bad: NetworkConfig = { ...cfg, application: { ...cfg.application, policies: { ...cfg.application.policies, Writers: 'OR(' } } };
        expect(() => buildPolicyManager(bad, msps)).toThrow(/cannot build policy \/Channel\/Application\/Writers/);
    });
});
