// Chaincode deployment as a consortium admin does it with `peer lifecycle chaincode` (install on every peer,
// approve for every org, commit once), for a chaincode-as-a-service package. An upgrade is sequence + 1 with
// a new package; the caller stops the old chaincode server only after the new definition is committed.
import { readFileSync } from 'node:fs';
import { peer as pb } from '@hyperledger/fabric-protos';
import type { NetworkConfig, OrgConfig } from '../config/network';
import { peerHost } from '../config/network';
import { tlsCaCertPath, userMspDir, ordererHost } from '../msp/cryptogen';
import { loadSigningIdentity } from '../msp/signer';
import { policyFromString } from '../policies/policydsl';
import { buildCcaasPackage, packageId as computePackageId } from './package';
import { commitStatus, query, submit, LifecycleClientError, type Endpoint, type Signer } from './client';

export interface DeployOptions {
    readonly config: NetworkConfig;
    readonly cryptoDir: string;
    /** Host the network's ports are reached on (default 127.0.0.1). */
    readonly host?: string;
    readonly name: string;
    /** Definition version; a new version means a new sequence. */
    readonly version: string;
    /** Package label (letters, digits, _ . + -). */
    readonly label: string;
    /** host:port the peers dial to reach the chaincode server. */
    readonly chaincodeAddress: string;
    readonly endorsementPolicy: string;
    readonly log?: (msg: string) => void;
}

export interface DeployPlan {
    readonly packageBytes: Uint8Array;
    readonly packageId: string;
}

export function planPackage(o: Pick<DeployOptions, 'label' | 'chaincodeAddress'>): DeployPlan {
    const packageBytes = buildCcaasPackage(o.label, { address: o.chaincodeAddress, dial_timeout: '10s', tls_required: false });
    return { packageBytes, packageId: computePackageId(o.label, packageBytes) };
}

export interface CommittedDefinition {
    readonly sequence: number;
    readonly version: string;
    readonly approvals: Record<string, boolean>;
}

export function peerEndpoint(o: Pick<DeployOptions, 'config' | 'cryptoDir' | 'host'>, org: OrgConfig): Endpoint {
    const p = org.peers[0];
    if (!p) throw new Error(`org ${org.name} has no peer`);
    return { address: `${o.host ?? '127.0.0.1'}:${p.port}`, tlsRootCert: readFileSync(tlsCaCertPath(o.cryptoDir, org)), hostOverride: peerHost(org, p) };
}

/** Every orderer node of the network, first node first. */
export function ordererEndpoints(o: Pick<DeployOptions, 'config' | 'cryptoDir' | 'host'>): Endpoint[] {
    const tlsRootCert = readFileSync(tlsCaCertPath(o.cryptoDir, o.config.orderer.org));
    const nodes = o.config.orderer.nodes.map((n) => ({ address: `${o.host ?? '127.0.0.1'}:${n.port}`, tlsRootCert, hostOverride: ordererHost(o.config, n) }));
    if (nodes.length === 0) throw new Error('no orderer node');
    return nodes;
}

export function adminSigner(cryptoDir: string, org: OrgConfig): Signer {
    return loadSigningIdentity(org.mspId, userMspDir(cryptoDir, org, 'Admin'));
}

export async function queryCommitted(o: Pick<DeployOptions, 'config' | 'cryptoDir' | 'host'>, name: string): Promise<CommittedDefinition | undefined> {
    const org = o.config.orgs[0];
    if (!org) throw new Error('no orgs');
    const args = new pb.lifecycle.QueryChaincodeDefinitionArgs();
    args.setName(name);
    try {
        const payload = await query(peerEndpoint(o, org), adminSigner(o.cryptoDir, org), o.config.channel, '_lifecycle', [
            Buffer.from('QueryChaincodeDefinition'),
            args.serializeBinary(),
        ]);
        const r = pb.lifecycle.QueryChaincodeDefinitionResult.deserializeBinary(payload);
        const approvals: Record<string, boolean> = {};
        r.getApprovalsMap().forEach((v, k) => {
            approvals[k] = v;
        });
        return { sequence: r.getSequence(), version: r.getVersion(), approvals };
    } catch (err) {
        if (err instanceof LifecycleClientError && /is not defined|not found/.test(err.message)) return undefined;
        throw err;
    }
}

/** Installs, approves and commits; returns the committed sequence. Does nothing if `version` is already committed. */
export async function deployChaincode(o: DeployOptions): Promise<{ packageId: string; sequence: number; upgraded: boolean; unchanged: boolean }> {
    const log = o.log ?? ((): void => undefined);
    const cfg = o.config;
    const { packageBytes, packageId } = planPackage(o);
    const current = await queryCommitted(o, o.name);
    if (current && current.version === o.version) {
        log(`chaincode ${o.name} version ${o.version} is already committed at sequence ${current.sequence}`);
        return { packageId, sequence: current.sequence, upgraded: false, unchanged: true };
    }
    const sequence = (current?.sequence ?? 0) + 1;
    const orderers = ordererEndpoints(o);

    const install = new pb.lifecycle.InstallChaincodeArgs();
    install.setChaincodeInstallPackage(packageBytes);
    for (const org of cfg.orgs) {
        await query(peerEndpoint(o, org), adminSigner(o.cryptoDir, org), '', '_lifecycle', [Buffer.from('InstallChaincode'), install.serializeBinary()]);
        log(`installed ${packageId} on ${org.name}`);
    }

    const policy = new pb.ApplicationPolicy();
    policy.setSignaturePolicy(policyFromString(o.endorsementPolicy));
    const validationParameter = policy.serializeBinary();

    let lastApproval = '';
    for (const org of cfg.orgs) {
        const a = new pb.lifecycle.ApproveChaincodeDefinitionForMyOrgArgs();
        a.setName(o.name);
        a.setVersion(o.version);
        a.setSequence(sequence);
        a.setValidationParameter(validationParameter);
        const local = new pb.lifecycle.ChaincodeSource.Local();
        local.setPackageId(packageId);
        const src = new pb.lifecycle.ChaincodeSource();
        src.setLocalPackage(local);
        a.setSource(src);
        const endpoint = peerEndpoint(o, org);
        const approved = await submit({ peers: [endpoint], orderers, commitPeer: endpoint, signer: adminSigner(o.cryptoDir, org), channelId: cfg.channel }, '_lifecycle', [
            Buffer.from('ApproveChaincodeDefinitionForMyOrg'),
            a.serializeBinary(),
        ]);
        lastApproval = approved.txId;
        log(`approved ${o.name} sequence ${sequence} for ${org.name}`);
    }
    // Peers commit each block independently: wait until every peer has the last approval, or the commit's
    // endorsements would simulate on different states (the CLI then fails "ProposalResponsePayloads do not match").
    await Promise.all(cfg.orgs.map((org) => commitStatus(peerEndpoint(o, org), adminSigner(o.cryptoDir, org), cfg.channel, lastApproval)));

    const c = new pb.lifecycle.CommitChaincodeDefinitionArgs();
    c.setName(o.name);
    c.setVersion(o.version);
    c.setSequence(sequence);
    c.setValidationParameter(validationParameter);
    const committer = cfg.orgs[0];
    if (!committer) throw new Error('no orgs');
    const peers = cfg.orgs.map((org) => peerEndpoint(o, org));
    const r = await submit({ peers, orderers, commitPeer: peerEndpoint(o, committer), signer: adminSigner(o.cryptoDir, committer), channelId: cfg.channel }, '_lifecycle', [
        Buffer.from('CommitChaincodeDefinition'),
        c.serializeBinary(),
    ]);
    log(`committed ${o.name} version ${o.version} sequence ${sequence} in block ${r.blockNumber}`);
    return { packageId, sequence, upgraded: current !== undefined, unchanged: false };
}
