// Tests for lifecycle/lifecycle.ts (mirrors core/chaincode/lifecycle/lifecycle.go + scc.go) and lifecycle/package.ts
// (core/chaincode/persistence/chaincode_package.go, persistence.go).
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { peer } from '@hyperledger/fabric-protos';
import { policyFromString } from '../policies/policydsl';
import * as lifecycle from './lifecycle';
import { buildCcaasPackage, packageId, parsePackage, readTar, writeTar } from './package';

const lc = peer.lifecycle;
const ORGS = ['BrandMSP', 'SupplierMSP', 'BankMSP', 'RegulatorMSP'];

/**
 * Committed `_lifecycle` state plus one transaction at a time: reads see committed state only (own writes are
 * invisible, as in the simulator), and the writes are applied when the transaction "commits".
 */
class Ledger {
    readonly committed = new Map<string, Uint8Array>();

    async run<T>(fn: (s: lifecycle.LifecycleState) => Promise<T>): Promise<T> {
        const pending = new Map<string, Uint8Array>();
        const state: lifecycle.LifecycleState = {
            getState: async (ns, k) => this.committed.get(`${ns}/${k}`),
            putState: (ns, k, v) => void pending.set(`${ns}/${k}`, v),
        };
        const out = await fn(state);
        for (const [k, v] of pending) this.committed.set(k, v);
        return out;
    }

    get = async (ns: string, k: string): Promise<Uint8Array | undefined> => this.committed.get(`${ns}/${k}`);
}

interface Def {
    readonly name?: string;
    readonly sequence: number;
    readonly version?: string;
    readonly packageId?: string;
    readonly policy?: Uint8Array;
}

function approveArgs(d: Def): peer.lifecycle.ApproveChaincodeDefinitionForMyOrgArgs {
    const a = new lc.ApproveChaincodeDefinitionForMyOrgArgs();
    a.setName(d.name ?? 'upoint');
    a.setSequence(d.sequence);
    a.setVersion(d.version ?? '1.0');
    if (d.policy) a.setValidationParameter(d.policy);
    const local = new lc.ChaincodeSource.Local();
    local.setPackageId(d.packageId ?? `upoint_${d.sequence}:abc`);
    const src = new lc.ChaincodeSource();
    src.setLocalPackage(local);
    a.setSource(src);
    return a;
}

function commitArgs(d: Def): peer.lifecycle.CommitChaincodeDefinitionArgs {
    const a = new lc.CommitChaincodeDefinitionArgs();
    a.setName(d.name ?? 'upoint');
    a.setSequence(d.sequence);
    a.setVersion(d.version ?? '1.0');
    if (d.policy) a.setValidationParameter(d.policy);
    return a;
}

const approve = (l: Ledger, msp: string, d: Def): Promise<void> => l.run((s) => lifecycle.approve(s, msp, approveArgs(d)));
const commit = (l: Ledger, msp: string, d: Def): Promise<Map<string, boolean>> => l.run((s) => lifecycle.commit(s, msp, ORGS, commitArgs(d)));

/** A ledger where `upoint` is committed at `sequence` (each step approved by Brand and Supplier, committed by Brand). */
async function committedAt(sequence: number): Promise<Ledger> {
    const l = new Ledger();
    for (let s = 1; s <= sequence; s++) {
        await approve(l, 'BrandMSP', { sequence: s });
        await approve(l, 'SupplierMSP', { sequence: s });
        await commit(l, 'BrandMSP', { sequence: s });
    }
    return l;
}

describe('ApproveChaincodeDefinitionForMyOrg sequence rules (lifecycle.go ApproveChaincodeDefinitionForOrg)', () => {
    it('the first approval must be sequence 1', async () => {
        const l = new Ledger();
        await expect(approve(l, 'BrandMSP', { sequence: 2 })).rejects.toThrow(new lifecycle.LifecycleError('requested sequence 2 is larger than the next available sequence number 1'));
        await expect(approve(l, 'BrandMSP', { sequence: 1 })).resolves.toBeUndefined();
    });

    it('may approve the next sequence, not one beyond it', async () => {
        const l = await committedAt(1);
        await expect(approve(l, 'BrandMSP', { sequence: 3 })).rejects.toThrow('requested sequence 3 is larger than the next available sequence number 2');
        await expect(approve(l, 'BrandMSP', { sequence: 2, version: '2.0' })).resolves.toBeUndefined();
    });

    it('may not approve a sequence older than the committed one', async () => {
        const l = await committedAt(2);
        await expect(approve(l, 'BrandMSP', { sequence: 1 })).rejects.toThrow(new lifecycle.LifecycleError('currently defined sequence 2 is larger than requested sequence 1'));
    });

    it('may approve the committed sequence only with the committed definition', async () => {
        const l = await committedAt(1);
        // Bank approves what is already committed (an org catching up): fine, and default plugin names match escc/vscc
        await expect(approve(l, 'BankMSP', { sequence: 1 })).resolves.toBeUndefined();
        await expect(approve(l, 'BankMSP', { sequence: 1, version: '2.0' })).rejects.toThrow(
            "attempted to redefine the current committed sequence (1) for namespace upoint with different parameters: expected Version '1.0' does not match passed Version '2.0'",
        );
        await expect(approve(l, 'BankMSP', { sequence: 1, policy: policyFromString("OR('BankMSP.peer')").serializeBinary() })).rejects.toThrow(
            /^attempted to redefine the current committed sequence \(1\) for namespace upoint with different parameters: expected ValidationParameter '' does not match passed ValidationParameter '[0-9a-f]+'$/,
        );
    });

    it('stores the approval with escc/vscc defaults and the package id', async () => {
        const l = new Ledger();
        await approve(l, 'BrandMSP', { sequence: 1, packageId: 'upoint_1.0:ff' });
        const raw = await l.get(lifecycle.LIFECYCLE_NS, lifecycle.approvalKey('upoint', 'BrandMSP'));
        expect(raw).toBeDefined();
        const a = lc.ApproveChaincodeDefinitionForMyOrgArgs.deserializeBinary(raw ?? new Uint8Array());
        expect(a.getEndorsementPlugin()).toBe('escc');
        expect(a.getValidationPlugin()).toBe('vscc');
        expect(a.getSource()?.getLocalPackage()?.getPackageId()).toBe('upoint_1.0:ff');
    });

    it('refuses bad names and init_required', async () => {
        const l = new Ledger();
        await expect(approve(l, 'BrandMSP', { sequence: 1, name: 'bad name' })).rejects.toThrow("invalid chaincode name 'bad name'");
        const a = approveArgs({ sequence: 1 });
        a.setInitRequired(true);
        await expect(l.run((s) => lifecycle.approve(s, 'BrandMSP', a))).rejects.toThrow(/init_required/);
    });
});

describe('CommitChaincodeDefinition (lifecycle.go CommitChaincodeDefinition)', () => {
    it('the sequence must be the next one', async () => {
        const l = new Ledger();
        await approve(l, 'BrandMSP', { sequence: 1 });
        await expect(commit(l, 'BrandMSP', { sequence: 2 })).rejects.toThrow(new lifecycle.LifecycleError('requested sequence is 2, but new definition must be sequence 1'));
        await commit(l, 'BrandMSP', { sequence: 1 });
        await expect(commit(l, 'BrandMSP', { sequence: 1 })).rejects.toThrow('requested sequence is 1, but new definition must be sequence 2');
    });

    it('is refused when this org has not approved the definition', async () => {
        const l = new Ledger();
        await approve(l, 'SupplierMSP', { sequence: 1 });
        await expect(commit(l, 'BrandMSP', { sequence: 1 })).rejects.toThrow('chaincode definition not agreed to by this org (BrandMSP)');
        // nor when this org approved a different definition
        await approve(l, 'BrandMSP', { sequence: 1, version: '0.9' });
        await expect(commit(l, 'BrandMSP', { sequence: 1 })).rejects.toThrow('chaincode definition not agreed to by this org (BrandMSP)');
        expect(await l.get(lifecycle.LIFECYCLE_NS, lifecycle.sequenceKey('upoint'))).toBeUndefined();
    });

    it('returns every org’s approval of exactly this definition', async () => {
        const l = new Ledger();
        await approve(l, 'BrandMSP', { sequence: 1 });
        await approve(l, 'SupplierMSP', { sequence: 1 });
        await approve(l, 'BankMSP', { sequence: 1, version: '9.9' });
        const approvals = await commit(l, 'BrandMSP', { sequence: 1 });
        expect(Object.fromEntries(approvals)).toEqual({ BrandMSP: true, SupplierMSP: true, BankMSP: false, RegulatorMSP: false });
    });

    it('writes namespaces/metadata and namespaces/fields/{Sequence,EndorsementInfo,ValidationInfo,Collections}', async () => {
        const l = await committedAt(1);
        const keys = [...l.committed.keys()].filter((k) => k.startsWith('_lifecycle/namespaces/')).sort();
        expect(keys).toEqual([
            '_lifecycle/namespaces/fields/upoint/Collections',
            '_lifecycle/namespaces/fields/upoint/EndorsementInfo',
            '_lifecycle/namespaces/fields/upoint/Sequence',
            '_lifecycle/namespaces/fields/upoint/ValidationInfo',
            '_lifecycle/namespaces/metadata/upoint',
        ]);
        const meta = lc.StateMetadata.deserializeBinary(l.committed.get('_lifecycle/namespaces/metadata/upoint') ?? new Uint8Array());
        expect(meta.getDatatype()).toBe('ChaincodeDefinition');
        expect(meta.getFieldsList()).toEqual(['EndorsementInfo', 'ValidationInfo', 'Collections']);
        expect(lc.StateData.deserializeBinary(l.committed.get('_lifecycle/namespaces/fields/upoint/Sequence') ?? new Uint8Array()).getInt64()).toBe(1);
    });

    it('an upgrade: approve and commit sequence + 1 with a new version and package', async () => {
        const l = await committedAt(1);
        await approve(l, 'BrandMSP', { sequence: 2, version: '2.0', packageId: 'upoint_2.0:bb' });
        await approve(l, 'SupplierMSP', { sequence: 2, version: '2.0', packageId: 'upoint_2.0:cc' });
        const approvals = await commit(l, 'SupplierMSP', { sequence: 2, version: '2.0' });
        expect(approvals.get('BrandMSP')).toBe(true);
        const d = await lifecycle.readDefinition(l.get, 'upoint');
        expect(d?.sequence).toBe(2);
        expect(d?.version).toBe('2.0');
        expect(await lifecycle.approvedPackageId({ get: l.get }, 'upoint', 'BrandMSP', 2)).toBe('upoint_2.0:bb');
        expect(await lifecycle.approvedPackageId({ get: l.get }, 'upoint', 'SupplierMSP', 2)).toBe('upoint_2.0:cc');
        expect(await lifecycle.approvedPackageId({ get: l.get }, 'upoint', 'BankMSP', 2)).toBeUndefined();
    });
});

describe('readDefinition', () => {
    it('round-trips what commit wrote', async () => {
        const ap = new peer.ApplicationPolicy();
        ap.setSignaturePolicy(policyFromString("OutOf(2,'BrandMSP.peer','SupplierMSP.peer','BankMSP.peer')"));
        const policy = ap.serializeBinary();
        const l = new Ledger();
        await approve(l, 'BrandMSP', { sequence: 1, version: '1.2', policy });
        await commit(l, 'BrandMSP', { sequence: 1, version: '1.2', policy });
        expect(await lifecycle.readDefinition(l.get, 'upoint')).toEqual({
            name: 'upoint',
            sequence: 1,
            version: '1.2',
            endorsementPlugin: 'escc',
            validationPlugin: 'vscc',
            validationParameter: policy,
            initRequired: false,
        });
    });

    it('is undefined for a chaincode never committed (approvals alone define nothing)', async () => {
        const l = new Ledger();
        await approve(l, 'BrandMSP', { sequence: 1 });
        expect(await lifecycle.readDefinition(l.get, 'upoint')).toBeUndefined();
        expect(await lifecycle.readDefinition(l.get, 'other')).toBeUndefined();
    });
});

describe('chaincode packages (persistence.go)', () => {
    const conn = { address: 'upoint-cc:9999', dial_timeout: '10s', tls_required: false };

    it('package id = <label>:hex(SHA-256(package bytes))', () => {
        const pkg = buildCcaasPackage('upoint_1.0', conn);
        const hash = createHash('sha256').update(pkg).digest('hex');
        expect(packageId('upoint_1.0', pkg)).toBe(`upoint_1.0:${hash}`);
        expect(parsePackage(pkg).packageId).toBe(`upoint_1.0:${hash}`);
    });

    it('a built CCaaS package parses back: metadata.json{type ccaas, label} and code.tar.gz{connection.json}', () => {
        const pkg = buildCcaasPackage('upoint_1.0', conn);
        const parsed = parsePackage(pkg);
        expect(parsed.label).toBe('upoint_1.0');
        expect(parsed.type).toBe('ccaas');
        expect(parsed.connection).toEqual(conn);
        const entries = readTar(gunzipSync(pkg));
        expect(entries.map((e) => e.name)).toEqual(['metadata.json', 'code.tar.gz']);
        expect(JSON.parse(Buffer.from(entries[0]?.data ?? []).toString())).toEqual({ type: 'ccaas', label: 'upoint_1.0' });
        const inner = readTar(gunzipSync(entries[1]?.data ?? new Uint8Array()));
        expect(inner.map((e) => e.name)).toEqual(['connection.json']);
    });

    it('is byte-identical when built twice (so every org computes the same package id)', () => {
        const a = buildCcaasPackage('upoint_1.0', conn);
        const b = buildCcaasPackage('upoint_1.0', { ...conn });
        expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
        expect(packageId('upoint_1.0', a)).toBe(packageId('upoint_1.0', b));
        // a different address is a different package
        expect(packageId('upoint_1.0', buildCcaasPackage('upoint_1.0', { ...conn, address: 'other:1' }))).not.toBe(packageId('upoint_1.0', a));
    });

    it('refuses packages without metadata.json or (ccaas) connection.json', () => {
        expect(() => parsePackage(gzipSync(writeTar([{ name: 'code.tar.gz', data: new Uint8Array(1) }])))).toThrow('chaincode package is missing metadata.json');
        const meta = new Uint8Array(Buffer.from(JSON.stringify({ type: 'ccaas', label: 'x' })));
        expect(() => parsePackage(gzipSync(writeTar([{ name: 'metadata.json', data: meta }])))).toThrow('ccaas package is missing code.tar.gz');
        expect(() => parsePackage(new Uint8Array([1, 2, 3]))).toThrow(/^failed to read chaincode package/);
    });
});
