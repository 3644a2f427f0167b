/**
 * The consortium's membership registry: which MSP ids are members, under which name and roles,
 * and how the registry changes (propose → approve → applied on a strict majority).
 *
 * Pure: no Fabric, no clock, no randomness. Callers pass the current registry, the caller's MSP id,
 * the transaction id and timestamp; functions return new values and never mutate their inputs.
 *
 * Voting rule (a decision DESIGN.md §3.0 leaves open): the electorate is every member that does
 * not hold the REGULATOR role. REGULATOR is exclusive — a member holding it holds no other role —
 * because a regulator can call no submit function and so could never propose or approve; counting
 * it would only raise the bar without giving it a voice. A change applies as soon as the number of
 * distinct *current* voters that approved is strictly greater than half the current electorate.
 * Approvals from orgs that have since left the electorate stay recorded but no longer count.
 */
import { z } from 'zod';
import { fail } from './errors';

export const ROLES = ['MANUFACTURER', 'SUPPLIER', 'CUSTODIAN', 'INSPECTOR', 'FINANCIER', 'RETAILER', 'REGULATOR'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/** Fabric MSP ids as we accept them: a safe subset that is always a valid composite-key attribute. */
export const MspIdSchema = z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected an MSP id: letters, digits, ".", "_" or "-", at most 64 characters');

export const OrgNameSchema = z
    .string()
    .min(1)
    .max(128)
    .regex(/^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u, 'expected a name without control characters or surrounding spaces');

/** An ISO-8601 UTC instant with nanoseconds, as rendered from a transaction timestamp. */
export const InstantSchema = z.iso.datetime({ precision: 9 });

/** A Fabric transaction id (hex sha256 on Fabric; any non-empty printable token is accepted). */
export const TxIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'expected a transaction id');

const RolesSchema = z
    .array(RoleSchema)
    .min(1, 'a member needs at least one role')
    .refine((roles) => new Set(roles).size === roles.length, 'roles must not repeat')
    .refine((roles) => !roles.includes('REGULATOR') || roles.length === 1, 'REGULATOR cannot be combined with other roles')
    .transform((roles) => [...roles].sort());

export const MemberSchema = z.strictObject({
    mspId: MspIdSchema,
    name: OrgNameSchema,
    roles: RolesSchema,
});
export type Member = z.infer<typeof MemberSchema>;

export const MembershipChangeSchema = z.discriminatedUnion('action', [
    z.strictObject({ action: z.literal('ADD'), member: MemberSchema }),
    z.strictObject({ action: z.literal('UPDATE'), member: MemberSchema }),
    z.strictObject({ action: z.literal('REMOVE'), mspId: MspIdSchema }),
]);
export type MembershipChange = z.infer<typeof MembershipChangeSchema>;

export const ApprovalSchema = z.strictObject({
    mspId: MspIdSchema,
    txId: TxIdSchema,
    timestamp: InstantSchema,
});
export type Approval = z.infer<typeof ApprovalSchema>;

export const ProposalStatusSchema = z.enum(['PENDING', 'APPLIED']);
export type ProposalStatus = z.infer<typeof ProposalStatusSchema>;

export const ProposalSchema = z.strictObject({
    id: TxIdSchema,
    change: MembershipChangeSchema,
    proposer: MspIdSchema,
    /** In approval order, at most one per org; the proposer's own is the first. */
    approvals: z.array(ApprovalSchema).min(1),
    status: ProposalStatusSchema,
    createdAt: InstantSchema,
    appliedAt: InstantSchema.nullable(),
    appliedTxId: TxIdSchema.nullable(),
});
export type Proposal = z.infer<typeof ProposalSchema>;

/** What applying a change did to the registry. */
export type MembershipEffect =
    | { readonly kind: 'MemberAdded'; readonly member: Member }
    | { readonly kind: 'MemberUpdated'; readonly before: Member; readonly member: Member }
    | { readonly kind: 'MemberRemoved'; readonly member: Member };

/** The facts of the transaction performing a step. */
export interface TxFacts {
    readonly txId: string;
    readonly timestamp: string;
}

export function isRegulator(member: Pick<Member, 'roles'>): boolean {
    return member.roles.includes('REGULATOR');
}

/** MSP ids of the members entitled to vote, sorted. */
export function electorate(members: readonly Member[]): string[] {
    return members
        .filter((m) => !isRegulator(m))
        .map((m) => m.mspId)
        .sort();
}

/** True when the distinct approvers among `voters` are strictly more than half of `voters`. */
export function hasStrictMajority(approvers: Iterable<string>, voters: readonly string[]): boolean {
    const electors = new Set(voters);
    const counted = new Set<string>();
    for (const a of approvers) if (electors.has(a)) counted.add(a);
    return counted.size * 2 > electors.size;
}

/**
 * Check a registry given at bootstrap: at least one member, unique MSP ids, at least one voter,
 * and the bootstrapping org among the voters (so the deployer cannot hand the registry to others).
 */
export function checkBootstrap(members: readonly Member[], caller: string): Member[] {
    if (members.length === 0) throw fail('INVALID_ARGUMENT', 'the initial registry must list at least one member');
    const seen = new Set<string>();
    for (const m of members) {
        if (seen.has(m.mspId)) throw fail('INVALID_ARGUMENT', `member ${m.mspId} is listed twice`);
        seen.add(m.mspId);
    }
    const self = members.find((m) => m.mspId === caller);
    if (self === undefined) throw fail('FORBIDDEN', `the bootstrapping org ${caller} must be listed in the initial registry`);
    if (isRegulator(self)) throw fail('FORBIDDEN', `the bootstrapping org ${caller} must not be a regulator`);
    return sortMembers(members);
}

/**
 * Apply `change` to `members` (which is not modified). Throws NOT_FOUND / CONFLICT /
 * INVALID_ARGUMENT when the change does not fit the registry.
 */
export function applyChange(
    members: readonly Member[],
    change: MembershipChange,
): { readonly members: Member[]; readonly effect: MembershipEffect } {
    const byId = new Map(members.map((m) => [m.mspId, m] as const));
    let effect: MembershipEffect;
    switch (change.action) {
        case 'ADD': {
            if (byId.has(change.member.mspId)) throw fail('CONFLICT', `member ${change.member.mspId} already exists`);
            byId.set(change.member.mspId, change.member);
            effect = { kind: 'MemberAdded', member: change.member };
            break;
        }
        case 'UPDATE': {
            const before = byId.get(change.member.mspId);
            if (before === undefined) throw fail('NOT_FOUND', `member ${change.member.mspId} does not exist`);
            if (sameMember(before, change.member)) throw fail('INVALID_ARGUMENT', `the update leaves member ${before.mspId} unchanged`);
            byId.set(change.member.mspId, change.member);
            effect = { kind: 'MemberUpdated', before, member: change.member };
            break;
        }
        case 'REMOVE': {
            const before = byId.get(change.mspId);
            if (before === undefined) throw fail('NOT_FOUND', `member ${change.mspId} does not exist`);
            byId.delete(change.mspId);
            effect = { kind: 'MemberRemoved', member: before };
            break;
        }
    }
    const next = sortMembers([...byId.values()]);
    if (electorate(next).length === 0) {
        throw fail('INVALID_ARGUMENT', 'the change would leave the consortium without a voting member');
    }
    return { members: next, effect };
}

export interface ProposalOutcome {
    readonly proposal: Proposal;
    /** Set when this step reached the majority and the change was applied. */
    readonly applied: { readonly members: Member[]; readonly effect: MembershipEffect } | null;
}

/**
 * Open a proposal. The proposer must be a voter; its proposal counts as its approval, so with a
 * single voter the change applies at once. The id is supplied by the caller (derived from the tx id).
 */
export function propose(input: {
    readonly id: string;
    readonly change: MembershipChange;
    readonly proposer: string;
    readonly members: readonly Member[];
    readonly tx: TxFacts;
}): ProposalOutcome {
    const { id, change, proposer, members, tx } = input;
    requireVoter(members, proposer, 'propose a membership change');
    applyChange(members, change); // reject now what could never apply
    const proposal: Proposal = {
        id,
        change,
        proposer,
        approvals: [{ mspId: proposer, txId: tx.txId, timestamp: tx.timestamp }],
        status: 'PENDING',
        createdAt: tx.timestamp,
        appliedAt: null,
        appliedTxId: null,
    };
    return settle(proposal, members, tx);
}

/** Record `approver`'s approval of a pending proposal and apply the change on a strict majority. */
export function approve(input: {
    readonly proposal: Proposal;
    readonly approver: string;
    readonly members: readonly Member[];
    readonly tx: TxFacts;
}): ProposalOutcome {
    const { proposal, approver, members, tx } = input;
    if (proposal.status !== 'PENDING') {
        throw fail('INVALID_STATE', `proposal ${proposal.id} is ${proposal.status}, not PENDING`);
    }
    requireVoter(members, approver, 'approve a membership change');
    if (proposal.approvals.some((a) => a.mspId === approver)) {
        throw fail('CONFLICT', `${approver} has already approved proposal ${proposal.id}`);
    }
    const approved: Proposal = {
        ...proposal,
        approvals: [...proposal.approvals, { mspId: approver, txId: tx.txId, timestamp: tx.timestamp }],
    };
    return settle(approved, members, tx);
}

function settle(proposal: Proposal, members: readonly Member[], tx: TxFacts): ProposalOutcome {
    const voters = electorate(members);
    if (!hasStrictMajority(proposal.approvals.map((a) => a.mspId), voters)) {
        return { proposal, applied: null };
    }
    let applied: { members: Member[]; effect: MembershipEffect };
    try {
        applied = applyChange(members, proposal.change);
    } catch (cause) {
        const reason = cause instanceof Error ? cause.message : String(cause);
        throw fail('INVALID_STATE', `proposal ${proposal.id} reached a majority but no longer applies (${reason})`, cause);
    }
    return {
        proposal: { ...proposal, status: 'APPLIED', appliedAt: tx.timestamp, appliedTxId: tx.txId },
        applied,
    };
}

function requireVoter(members: readonly Member[], mspId: string, what: string): void {
    const member = members.find((m) => m.mspId === mspId);
    if (member === undefined) throw fail('FORBIDDEN', `${mspId} is not a member and cannot ${what}`);
    if (isRegulator(member)) throw fail('FORBIDDEN', `${mspId} is a regulator and cannot ${what}`);
}

function sameMember(a: Member, b: Member): boolean {
    const ra = [...a.roles].sort();
    const rb = [...b.roles].sort();
    return a.mspId === b.mspId && a.name === b.name && ra.length === rb.length && ra.every((r, i) => rb[i] === r);
}

function sortMembers(members: readonly Member[]): Member[] {
    return [...members].sort((a, b) => (a.mspId < b.mspId ? -1 : a.mspId > b.mspId ? 1 : 0));
}
