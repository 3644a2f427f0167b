// The declarative network file: orgs, peers, ports, channel, policies, ACLs, batch settings.
// One file drives devnet, the native network and deploy. The shape is ours; the policy
// strings use Fabric's policy DSL (common/policydsl) and ImplicitMeta syntax ("ANY Readers").
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const port = z.number().int().min(1).max(65535);
const policyMap = z.record(z.string(), z.string());

const peerSchema = z.object({
    name: z.string().regex(/^[a-z0-9-]+$/),
    port,
    chaincodePort: port,
    operationsPort: port,
});

const orgSchema = z.object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/),
    mspId: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/),
    domain: z.string().regex(/^[a-z0-9.-]+$/),
    readOnly: z.boolean().default(false),
    peers: z.array(peerSchema).min(1),
    /** Overrides of the org's Readers/Writers/Admins/Endorsement policies. */
    policies: policyMap.optional(),
});

const networkSchema = z.object({
    name: z.string(),
    channel: z.string().regex(/^[a-z][a-z0-9.-]*$/),
    orderer: z.object({
        org: z.object({ name: z.string(), mspId: z.string(), domain: z.string() }),
        nodes: z.array(z.object({ name: z.string(), port, adminPort: port, operationsPort: port })).min(1),
        batch: z.object({
            timeoutMs: z.number().int().positive(),
            maxMessageCount: z.number().int().positive(),
            absoluteMaxBytes: z.number().int().positive(),
            preferredMaxBytes: z.number().int().positive(),
        }),
    }),
    orgs: z.array(orgSchema).min(1),
    application: z.object({
        policies: policyMap,
        acls: z.record(z.string(), z.string()).default({}),
    }),
    chaincode: z.object({
        name: z.string().regex(/^[A-Za-z0-9_-]+$/),
        version: z.string(),
        endorsementPolicy: z.string(),
        serverPort: port,
    }),
    devnet: z.object({ operationsPort: port }),
});

export type NetworkConfig = z.infer<typeof networkSchema>;
export type OrgConfig = z.infer<typeof orgSchema>;
export type PeerConfig = z.infer<typeof peerSchema>;

export class NetworkConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'NetworkConfigError';
    }
}

export function parseNetworkConfig(input: unknown): NetworkConfig {
    const parsed = networkSchema.safeParse(input);
    if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
        throw new NetworkConfigError(`invalid network file:\n  ${problems.join('\n  ')}`);
    }
    const cfg = parsed.data;
    const ports = new Map<number, string>();
    const claim = (p: number, what: string): void => {
        const prior = ports.get(p);
        if (prior !== undefined) throw new NetworkConfigError(`invalid network file: port ${p} used by ${prior} and ${what}`);
        ports.set(p, what);
    };
    for (const n of cfg.orderer.nodes) {
        claim(n.port, `${n.name}`);
        claim(n.adminPort, `${n.name} admin`);
        claim(n.operationsPort, `${n.name} operations`);
    }
    for (const o of cfg.orgs) {
        for (const p of o.peers) {
            claim(p.port, `${p.name}.${o.domain}`);
            claim(p.chaincodePort, `${p.name}.${o.domain} chaincode`);
            claim(p.operationsPort, `${p.name}.${o.domain} operations`);
        }
    }
    claim(cfg.chaincode.serverPort, 'chaincode server');
    claim(cfg.devnet.operationsPort, 'devnet operations');
    const ids = new Set<string>();
    for (const o of [...cfg.orgs.map((x) => x.mspId), cfg.orderer.org.mspId]) {
        if (ids.has(o)) throw new NetworkConfigError(`invalid network file: duplicate MSP id ${o}`);
        ids.add(o);
    }
    return cfg;
}

export function loadNetworkConfig(path: string): NetworkConfig {
    let text: string;
    try {
        text = readFileSync(path, 'utf8');
    } catch (err) {
        throw new NetworkConfigError(`cannot read network file ${path}: ${(err as Error).message}`);
    }
    return parseNetworkConfig(parseYaml(text));
}

/** Fabric's default org policies for an application org (test-network shape); a readOnly org's Writers is its admin only. */
export function orgPolicies(org: OrgConfig): Record<'Readers' | 'Writers' | 'Admins' | 'Endorsement', string> {
    const m = org.mspId;
    return {
        Readers: `OR('${m}.admin','${m}.peer','${m}.client')`,
        Writers: org.readOnly ? `OR('${m}.admin')` : `OR('${m}.admin','${m}.client')`,
        Admins: `OR('${m}.admin')`,
        Endorsement: `OR('${m}.peer')`,
        ...(org.policies ?? {}),
    };
}

/** Host name of a peer, cryptogen style: peer0.brand.upoint.example */
export function peerHost(org: OrgConfig, peer: PeerConfig): string {
    return `${peer.name}.${org.domain}`;
}
