// Mirrors common/policies/policy.go (ManagerImpl, GetPolicy paths) over the channel-config group tree that
// internal/configtxgen/encoder builds: /Channel{,/Application{,/<Org>},/Orderer{,/<OrdererOrg>}}.
import { orgPolicies, type NetworkConfig } from '../config/network';
import type { MspManager } from '../msp/msp';
import { PolicyError } from './errors';
import { newImplicitMetaPolicy, parseImplicitMeta } from './implicitmeta';
import { policyFromString } from './policydsl';
import { newRejectPolicy, newSignaturePolicy, type Policy } from './policy';

export { newSignaturePolicy } from './policy';
/** Loading the channel MSPs belongs to msp/; re-exported here because policy wiring needs both. */
export { mspManagerFromCrypto } from '../msp/msp';
export type { Policy, SignedData } from './policy';

export interface PolicyManager {
    /** A policy by absolute path (`/Channel/Application/Writers`) or path relative to /Channel; undefined if none. */
    getPolicy(path: string): Policy | undefined;
    /** Like getPolicy, but a missing policy is Fabric's reject-all policy (`no such policy: '<path>'`). */
    getPolicyOrReject(path: string): Policy;
    /** Every absolute policy path, in tree order. */
    readonly paths: readonly string[];
}

interface GroupSpec {
    readonly name: string;
    readonly policies: Readonly<Record<string, string>>;
    readonly children: readonly GroupSpec[];
}

const ROOT = 'Channel';

/** A policy string: ImplicitMeta ("MAJORITY Endorsement") over child groups, otherwise the signature-policy DSL. */
function buildGroup(
    spec: GroupSpec,
    parentPath: string,
    msps: MspManager,
    out: Map<string, Policy>,
): ReadonlyMap<string, Policy> {
    const path = `${parentPath}/${spec.name}`;
    const children = spec.children.map((c) => buildGroup(c, path, msps, out));
    const mine = new Map<string, Policy>();
    for (const [name, text] of Object.entries(spec.policies)) {
        const full = `${path}/${name}`;
        let policy: Policy;
        try {
            const meta = parseImplicitMeta(text);
            policy =
                meta === undefined
                    ? newSignaturePolicy(policyFromString(text), msps)
                    : newImplicitMetaPolicy(
                          meta,
                          children.map((c) => c.get(meta.subPolicy) ?? newRejectPolicy(meta.subPolicy)),
                      );
        } catch (err) {
            const why = err instanceof Error ? err.message : String(err);
            throw new PolicyError({ code: 'POLICY_PARSE', message: `cannot build policy ${full}: ${why}`, cause: err });
        }
        mine.set(name, policy);
        out.set(full, policy);
    }
    return mine;
}

/** The channel's group tree as configtxgen writes it for this network (test-network defaults where the file is silent). */
export function channelGroups(cfg: NetworkConfig): GroupSpec {
    const oo = cfg.orderer.org;
    return {
        name: ROOT,
        policies: { Readers: 'ANY Readers', Writers: 'ANY Writers', Admins: 'MAJORITY Admins' },
        children: [
            {
                name: 'Application',
                policies: cfg.application.policies,
                children: cfg.orgs.map((org) => ({ name: org.name, policies: orgPolicies(org), children: [] })),
            },
            {
                name: 'Orderer',
                policies: {
                    Readers: 'ANY Readers',
                    Writers: 'ANY Writers',
                    Admins: 'MAJORITY Admins',
                    BlockValidation: 'ANY Writers',
                },
                children: [
                    {
                        name: oo.name,
                        policies: {
                            Readers: `OR('${oo.mspId}.member')`,
                            Writers: `OR('${oo.mspId}.member')`,
                            Admins: `OR('${oo.mspId}.admin')`,
                        },
                        children: [],
                    },
                ],
            },
        ],
    };
}

class PolicyManagerImpl implements PolicyManager {
    readonly #policies: ReadonlyMap<string, Policy>;

    constructor(policies: ReadonlyMap<string, Policy>) {
        this.#policies = policies;
    }

    get paths(): readonly string[] {
        return [...this.#policies.keys()];
    }

    #absolute(path: string): string {
        return path.startsWith('/') ? path : `/${ROOT}/${path}`;
    }

    getPolicy(path: string): Policy | undefined {
        return this.#policies.get(this.#absolute(path));
    }

    getPolicyOrReject(path: string): Policy {
        return this.getPolicy(path) ?? newRejectPolicy(path);
    }
}

/** Builds every channel policy of `cfg`; throws PolicyError(POLICY_PARSE) naming the path of a bad policy string. */
export function buildPolicyManager(cfg: NetworkConfig, msps: MspManager): PolicyManager {
    const all = new Map<string, Policy>();
    buildGroup(channelGroups(cfg), '', msps, all);
    return new PolicyManagerImpl(all);
}

/** A chaincode endorsement policy from the DSL (e.g. cfg.chaincode.endorsementPolicy). */
export function signaturePolicyFromString(dsl: string, msps: MspManager): Policy {
    return newSignaturePolicy(policyFromString(dsl), msps);
}

