// Our own configtx.yaml, generated from the network file (the input of `configtxgen -outputBlock`).
// The shape is configtxgen's (internal/configtxgen/genesisconfig/config.go): one profile holding the channel,
// its orderer (etcdraft, every node a consenter) and its application orgs.
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { NetworkConfig, OrgConfig } from '@upoint/devnet/dist/config/network';
import { orgPolicies } from '@upoint/devnet/dist/config/network';
import { nodeTlsDir, orderersOf, orgMspDir, ordererDir } from './layout';

export const PROFILE = 'UpointChannel';

interface PolicyEntry {
    readonly Type: 'ImplicitMeta' | 'Signature';
    readonly Rule: string;
}

/** "ANY Readers" / "MAJORITY Endorsement" are ImplicitMeta rules; anything else is the signature policy DSL. */
export function policyEntry(rule: string): PolicyEntry {
    return { Type: /^(ANY|ALL|MAJORITY) [A-Za-z]+$/.test(rule.trim()) ? 'ImplicitMeta' : 'Signature', Rule: rule.trim() };
}

function policies(map: Readonly<Record<string, string>>): Record<string, PolicyEntry> {
    return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, policyEntry(v)]));
}

/**
 * Channel-scoped defaults of core/aclmgmt/defaultaclprovider.go for the resources the lifecycle, qscc, the
 * gateway and deliver use, written out so the channel config says what it enforces; the network file's ACLs
 * override them. Resources not listed here still fall back to Fabric's defaults.
 */
const DEFAULT_ACLS: Readonly<Record<string, string>> = {
    '_lifecycle/CheckCommitReadiness': '/Channel/Application/Writers',
    '_lifecycle/CommitChaincodeDefinition': '/Channel/Application/Writers',
    '_lifecycle/QueryChaincodeDefinition': '/Channel/Application/Writers',
    '_lifecycle/QueryChaincodeDefinitions': '/Channel/Application/Writers',
    'qscc/GetChainInfo': '/Channel/Application/Readers',
    'qscc/GetBlockByNumber': '/Channel/Application/Readers',
    'qscc/GetBlockByHash': '/Channel/Application/Readers',
    'qscc/GetTransactionByID': '/Channel/Application/Readers',
    'qscc/GetBlockByTxID': '/Channel/Application/Readers',
    'cscc/GetConfigBlock': '/Channel/Application/Readers',
    'cscc/GetChannelConfig': '/Channel/Application/Readers',
    'peer/Propose': '/Channel/Application/Writers',
    'peer/ChaincodeToChaincode': '/Channel/Application/Writers',
    'event/Block': '/Channel/Application/Readers',
    'event/FilteredBlock': '/Channel/Application/Readers',
    'gateway/CommitStatus': '/Channel/Application/Readers',
    'gateway/ChaincodeEvents': '/Channel/Application/Readers',
};

function applicationOrg(cryptoDir: string, org: OrgConfig): Record<string, unknown> {
    return {
        Name: org.mspId,
        ID: org.mspId,
        MSPDir: orgMspDir(cryptoDir, org),
        Policies: policies(orgPolicies(org)),
        AnchorPeers: org.peers.slice(0, 1).map((p) => ({ Host: '127.0.0.1', Port: p.port })),
    };
}

/** The configtx.yaml document for `cfg` with absolute paths into `cryptoDir`. */
export function configtxDocument(cfg: NetworkConfig, cryptoDir: string): Record<string, unknown> {
    const o = cfg.orderer.org;
    const m = o.mspId;
    const nodes = orderersOf(cfg);
    const ordererOrg = {
        Name: m,
        ID: m,
        MSPDir: orgMspDir(cryptoDir, o),
        Policies: policies({ Readers: `OR('${m}.member')`, Writers: `OR('${m}.member')`, Admins: `OR('${m}.admin')` }),
        OrdererEndpoints: nodes.map((n) => `127.0.0.1:${n.port}`),
    };
    const b = cfg.orderer.batch;
    return {
        Profiles: {
            [PROFILE]: {
                Policies: policies({ Readers: 'ANY Readers', Writers: 'ANY Writers', Admins: 'MAJORITY Admins' }),
                Capabilities: { V2_0: true },
                Orderer: {
                    OrdererType: 'etcdraft',
                    BatchTimeout: `${b.timeoutMs}ms`,
                    BatchSize: { MaxMessageCount: b.maxMessageCount, AbsoluteMaxBytes: b.absoluteMaxBytes, PreferredMaxBytes: b.preferredMaxBytes },
                    EtcdRaft: {
                        Consenters: nodes.map((n) => {
                            const tls = nodeTlsDir(ordererDir(cryptoDir, cfg, n));
                            return { Host: '127.0.0.1', Port: n.port, ClientTLSCert: join(tls, 'server.crt'), ServerTLSCert: join(tls, 'server.crt') };
                        }),
                        Options: { TickInterval: '500ms', ElectionTick: 10, HeartbeatTick: 1, MaxInflightBlocks: 5, SnapshotIntervalSize: '16 MB' },
                    },
                    Organizations: [ordererOrg],
                    Policies: policies({ Readers: 'ANY Readers', Writers: 'ANY Writers', Admins: 'MAJORITY Admins', BlockValidation: 'ANY Writers' }),
                    Capabilities: { V2_0: true },
                },
                Application: {
                    Organizations: cfg.orgs.map((org) => applicationOrg(cryptoDir, org)),
                    Policies: policies(cfg.application.policies),
                    ACLs: { ...DEFAULT_ACLS, ...cfg.application.acls },
                    Capabilities: { V2_5: true },
                },
            },
        },
    };
}

export function configtxYaml(cfg: NetworkConfig, cryptoDir: string): string {
    return `# Generated by @upoint/native from the network file ${cfg.name}; do not edit.\n${stringify(configtxDocument(cfg, cryptoDir))}`;
}
