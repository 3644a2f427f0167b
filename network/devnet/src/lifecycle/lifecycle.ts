// Mirrors core/chaincode/lifecycle/lifecycle.go + scc.go: the _lifecycle system chaincode and the
// chaincode definitions it keeps in the `_lifecycle` namespace (namespaces/metadata/<cc>,
// namespaces/fields/<cc>/{Sequence,EndorsementInfo,ValidationInfo,Collections}).
//
// Known difference from Fabric (see README): an org's approval is written to the public `_lifecycle`
// namespace under `devnet/approvals/<cc>/<mspId>` instead of the org's implicit private collection,
// because devnet has no private data. Its value is the approved ApproveChaincodeDefinitionForMyOrgArgs.
import { peer } from '@hyperledger/fabric-protos';

const lc = peer.lifecycle;

export const LIFECYCLE_NS = '_lifecycle';

export interface ChaincodeDefinition {
    readonly name: string;
    readonly sequence: number;
    readonly version: string;
    readonly endorsementPlugin: string;
    readonly validationPlugin: string;
    /** marshalled peer.ApplicationPolicy */
    readonly validationParameter: Uint8Array;
    readonly initRequired: boolean;
}

/** Reads and writes through the transaction simulator (reads recorded, own writes invisible). */
export interface LifecycleState {
    getState(namespace: string, key: string): Promise<Uint8Array | undefined>;
    putState(namespace: string, key: string, value: Uint8Array): void;
}

/** Reads committed state directly (validation, chaincode resolution). */
export interface CommittedReader {
    get(namespace: string, key: string): Promise<Uint8Array | undefined>;
}

export const sequenceKey = (cc: string): string => `namespaces/fields/${cc}/Sequence`;
const metadataKey = (cc: string): string => `namespaces/metadata/${cc}`;
const fieldKey = (cc: string, f: string): string => `namespaces/fields/${cc}/${f}`;
export const APPROVAL_PREFIX = 'devnet/approvals/';
export const approvalKey = (cc: string, mspId: string): string => `${APPROVAL_PREFIX}${cc}/${mspId}`;

function int64(v: number): Uint8Array {
    const d = new lc.StateData();
    d.setInt64(v);
    return d.serializeBinary();
}
function bytesData(v: Uint8Array): Uint8Array {
    const d = new lc.StateData();
    d.setBytes(v);
    return d.serializeBinary();
}

export async function readDefinition(get: (ns: string, key: string) => Promise<Uint8Array | undefined>, cc: string): Promise<ChaincodeDefinition | undefined> {
    const seqBytes = await get(LIFECYCLE_NS, sequenceKey(cc));
    if (!seqBytes || seqBytes.length === 0) return undefined;
    const sequence = lc.StateData.deserializeBinary(seqBytes).getInt64();
    const ei = await get(LIFECYCLE_NS, fieldKey(cc, 'EndorsementInfo'));
    const vi = await get(LIFECYCLE_NS, fieldKey(cc, 'ValidationInfo'));
    if (!ei || !vi) return undefined;
    const endorsement = lc.ChaincodeEndorsementInfo.deserializeBinary(lc.StateData.deserializeBinary(ei).getBytes_asU8());
    const validation = lc.ChaincodeValidationInfo.deserializeBinary(lc.StateData.deserializeBinary(vi).getBytes_asU8());
    return {
        name: cc,
        sequence,
        version: endorsement.getVersion(),
        endorsementPlugin: endorsement.getEndorsementPlugin(),
        validationPlugin: validation.getValidationPlugin(),
        validationParameter: validation.getValidationParameter_asU8(),
        initRequired: endorsement.getInitRequired(),
    };
}

export class LifecycleError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'LifecycleError';
    }
}

function sameDefinition(a: peer.lifecycle.ApproveChaincodeDefinitionForMyOrgArgs, d: {
    sequence: number; name?: string; version: string; endorsementPlugin: string; validationPlugin: string; validationParameter: Uint8Array; initRequired: boolean;
}): boolean {
    return (
        a.getSequence() === d.sequence &&
        a.getVersion() === d.version &&
        a.getEndorsementPlugin() === d.endorsementPlugin &&
        a.getValidationPlugin() === d.validationPlugin &&
        Buffer.from(a.getValidationParameter_asU8()).equals(Buffer.from(d.validationParameter)) &&
        a.getInitRequired() === d.initRequired
    );
}

/** The first differing field, worded as core/chaincode/lifecycle/lifecycle.go ChaincodeParameters.Equal words it. */
function parameterDifference(d: ChaincodeDefinition, a: peer.lifecycle.ApproveChaincodeDefinitionForMyOrgArgs): string {
    const diff = (field: string, expected: string, passed: string): string => `expected ${field} '${expected}' does not match passed ${field} '${passed}'`;
    if (d.version !== a.getVersion()) return diff('Version', d.version, a.getVersion());
    if (d.endorsementPlugin !== a.getEndorsementPlugin()) return diff('EndorsementPlugin', d.endorsementPlugin, a.getEndorsementPlugin());
    if (d.initRequired !== a.getInitRequired()) return diff('InitRequired', String(d.initRequired), String(a.getInitRequired()));
    if (d.validationPlugin !== a.getValidationPlugin()) return diff('ValidationPlugin', d.validationPlugin, a.getValidationPlugin());
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
    return diff('ValidationParameter', hex(d.validationParameter), hex(a.getValidationParameter_asU8()));
}

function defaults(plugin: string, fallback: string): string {
    return plugin === '' ? fallback : plugin;
}

/** ApproveChaincodeDefinitionForMyOrg: sequence must be the current one (same definition) or current + 1. */
export async function approve(state: LifecycleState, mspId: string, args: peer.lifecycle.ApproveChaincodeDefinitionForMyOrgArgs): Promise<void> {
    const name = args.getName();
    if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new LifecycleError(`invalid chaincode name '${name}'`);
    if (args.getInitRequired()) throw new LifecycleError('devnet: init_required definitions are not supported (the gateway cannot send init)');
    const seqBytes = await state.getState(LIFECYCLE_NS, sequenceKey(name));
    const current = seqBytes && seqBytes.length > 0 ? lc.StateData.deserializeBinary(seqBytes).getInt64() : 0;
    const requested = args.getSequence();
    if (requested > current + 1) {
        throw new LifecycleError(`requested sequence ${requested} is larger than the next available sequence number ${current + 1}`);
    }
    if (requested < current) {
        throw new LifecycleError(`currently defined sequence ${current} is larger than requested sequence ${requested}`);
    }
    // Compare with the plugin defaults applied, as they are stored in the committed definition (escc/vscc):
    // re-approving the committed definition with empty plugin names is the same definition.
    const stored = args.cloneMessage();
    stored.setEndorsementPlugin(defaults(args.getEndorsementPlugin(), 'escc'));
    stored.setValidationPlugin(defaults(args.getValidationPlugin(), 'vscc'));
    if (requested === current) {
        const def = await readDefinition((ns, k) => state.getState(ns, k), name);
        if (def && !sameDefinition(stored, def)) {
            // core/chaincode/lifecycle/lifecycle.go ApproveChaincodeDefinitionForOrg + ChaincodeParameters.Equal
            throw new LifecycleError(
                `attempted to redefine the current committed sequence (${current}) for namespace ${name} with different parameters: ${parameterDifference(def, stored)}`,
            );
        }
    }
    state.putState(LIFECYCLE_NS, approvalKey(name, mspId), stored.serializeBinary());
}

/** Approvals of every org for a proposed definition: mspId → approved. */
export async function approvals(
    state: LifecycleState,
    orgs: readonly string[],
    d: { name: string; sequence: number; version: string; endorsementPlugin: string; validationPlugin: string; validationParameter: Uint8Array; initRequired: boolean },
): Promise<Map<string, boolean>> {
    const out = new Map<string, boolean>();
    for (const org of orgs) {
        const raw = await state.getState(LIFECYCLE_NS, approvalKey(d.name, org));
        out.set(org, raw !== undefined && raw.length > 0 && sameDefinition(lc.ApproveChaincodeDefinitionForMyOrgArgs.deserializeBinary(raw), d));
    }
    return out;
}

export function definitionFromCommitArgs(args: peer.lifecycle.CommitChaincodeDefinitionArgs | peer.lifecycle.CheckCommitReadinessArgs): ChaincodeDefinition {
    return {
        name: args.getName(),
        sequence: args.getSequence(),
        version: args.getVersion(),
        endorsementPlugin: defaults(args.getEndorsementPlugin(), 'escc'),
        validationPlugin: defaults(args.getValidationPlugin(), 'vscc'),
        validationParameter: args.getValidationParameter_asU8(),
        initRequired: args.getInitRequired(),
    };
}

/**
 * CommitChaincodeDefinition on one endorsing peer: sequence must be current + 1 and this peer's own
 * org must have approved it. Whether enough orgs agree is decided at validation, by the
 * LifecycleEndorsement policy over the endorsements.
 */
export async function commit(state: LifecycleState, myMspId: string, orgs: readonly string[], args: peer.lifecycle.CommitChaincodeDefinitionArgs): Promise<Map<string, boolean>> {
    const d = definitionFromCommitArgs(args);
    const seqBytes = await state.getState(LIFECYCLE_NS, sequenceKey(d.name));
    const current = seqBytes && seqBytes.length > 0 ? lc.StateData.deserializeBinary(seqBytes).getInt64() : 0;
    if (d.sequence !== current + 1) {
        throw new LifecycleError(`requested sequence is ${d.sequence}, but new definition must be sequence ${current + 1}`);
    }
    const approved = await approvals(state, orgs, d);
    if (!approved.get(myMspId)) throw new LifecycleError(`chaincode definition not agreed to by this org (${myMspId})`);
    const meta = new lc.StateMetadata();
    meta.setDatatype('ChaincodeDefinition');
    meta.setFieldsList(['EndorsementInfo', 'ValidationInfo', 'Collections']);
    const ei = new lc.ChaincodeEndorsementInfo();
    ei.setVersion(d.version);
    ei.setInitRequired(d.initRequired);
    ei.setEndorsementPlugin(d.endorsementPlugin);
    const vi = new lc.ChaincodeValidationInfo();
    vi.setValidationPlugin(d.validationPlugin);
    vi.setValidationParameter(d.validationParameter);
    state.putState(LIFECYCLE_NS, metadataKey(d.name), meta.serializeBinary());
    state.putState(LIFECYCLE_NS, sequenceKey(d.name), int64(d.sequence));
    state.putState(LIFECYCLE_NS, fieldKey(d.name, 'EndorsementInfo'), bytesData(ei.serializeBinary()));
    state.putState(LIFECYCLE_NS, fieldKey(d.name, 'ValidationInfo'), bytesData(vi.serializeBinary()));
    state.putState(LIFECYCLE_NS, fieldKey(d.name, 'Collections'), bytesData(new peer.CollectionConfigPackage().serializeBinary()));
    return approved;
}

/** The package id an org approved for the committed sequence, read from committed state. */
export async function approvedPackageId(reader: CommittedReader, cc: string, mspId: string, sequence: number): Promise<string | undefined> {
    const raw = await reader.get(LIFECYCLE_NS, approvalKey(cc, mspId));
    if (!raw || raw.length === 0) return undefined;
    const a = lc.ApproveChaincodeDefinitionForMyOrgArgs.deserializeBinary(raw);
    if (a.getSequence() !== sequence) return undefined;
    return a.getSource()?.getLocalPackage()?.getPackageId() || undefined;
}
