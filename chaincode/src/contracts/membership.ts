/**
 * `membership` — the consortium registry (DESIGN.md §3.0): who is a member, with which roles, and
 * how that changes. Thin: authorization, request ids and the event are handled by BaseContract;
 * the rules live in domain/membership.ts.
 */
import { Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { z } from 'zod';
import {
    approve,
    checkBootstrap,
    MemberSchema,
    type MembershipEffect,
    MembershipChangeSchema,
    MspIdSchema,
    type ProposalOutcome,
    propose,
    TxIdSchema,
} from '../domain/membership';
import { encodeToString } from '../ledger/codec';
import { bootstrapRecord, members, proposals } from '../ledger/registry';
import { Access } from './access';
import { parseArgument, parseJsonArgument } from './arguments';
import { BaseContract } from './base';
import { type ChangeRecord, UPointContext } from './context';

/** At most this many members may be listed at bootstrap. */
export const MAX_INITIAL_MEMBERS = 100;

const InitialMembersSchema = z.array(MemberSchema).min(1).max(MAX_INITIAL_MEMBERS);

@Info({ title: 'membership', description: 'Consortium membership registry: members, roles and majority-approved changes' })
export class MembershipContract extends BaseContract {
    constructor() {
        super('membership');
    }

    @Transaction()
    @Access('bootstrap')
    @Param('membersJson', 'string', 'JSON array of the initial members: [{"mspId","name","roles":[Role…]}]; must list the caller\'s org as a non-regulator')
    @Returns('string')
    async Bootstrap(ctx: UPointContext, membersJson: string): Promise<string> {
        const listed = parseJsonArgument('membersJson', membersJson, InitialMembersSchema);
        const registry = checkBootstrap(listed, ctx.caller.mspId);
        for (const member of registry) await members.put(ctx.ledger, member);
        await bootstrapRecord.put(ctx.ledger, { id: 'bootstrap', by: ctx.caller.mspId, txId: ctx.txId, timestamp: ctx.timestamp });
        ctx.emit({ type: 'RegistryBootstrapped', members: registry });
        return encodeToString(registry);
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('mspId', 'string', 'MSP id of the member')
    @Returns('string')
    async GetMember(ctx: UPointContext, mspId: string): Promise<string> {
        const id = parseArgument('mspId', mspId, MspIdSchema);
        return encodeToString(await members.get(ctx.ledger, [id]));
    }

    @Transaction(false)
    @Access('evaluate')
    @Returns('string')
    async ListMembers(ctx: UPointContext): Promise<string> {
        return encodeToString(await members.list(ctx.ledger));
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', 'client request id, unique per org; a repeat fails with DUPLICATE_REQUEST')
    @Param('changeJson', 'string', 'JSON change: {"action":"ADD"|"UPDATE","member":{…}} or {"action":"REMOVE","mspId"}')
    @Returns('string')
    async ProposeChange(ctx: UPointContext, requestId: string, changeJson: string): Promise<string> {
        void requestId; // claimed by BaseContract.beforeTransaction
        const change = parseJsonArgument('changeJson', changeJson, MembershipChangeSchema);
        const outcome = propose({
            id: ctx.txId,
            change,
            proposer: ctx.caller.mspId,
            members: await members.list(ctx.ledger),
            tx: { txId: ctx.txId, timestamp: ctx.timestamp },
        });
        ctx.emit({ type: 'ProposalCreated', proposal: outcome.proposal });
        await saveOutcome(ctx, outcome);
        return encodeToString(outcome.proposal);
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', 'client request id, unique per org; a repeat fails with DUPLICATE_REQUEST')
    @Param('proposalId', 'string', 'id of the pending proposal (the transaction id that created it)')
    @Returns('string')
    async ApproveChange(ctx: UPointContext, requestId: string, proposalId: string): Promise<string> {
        void requestId; // claimed by BaseContract.beforeTransaction
        const id = parseArgument('proposalId', proposalId, TxIdSchema);
        const outcome = approve({
            proposal: await proposals.get(ctx.ledger, [id]),
            approver: ctx.caller.mspId,
            members: await members.list(ctx.ledger),
            tx: { txId: ctx.txId, timestamp: ctx.timestamp },
        });
        ctx.emit({ type: 'ProposalApproved', proposalId: id, approver: ctx.caller.mspId });
        await saveOutcome(ctx, outcome);
        return encodeToString(outcome.proposal);
    }

    @Transaction(false)
    @Access('evaluate')
    @Param('proposalId', 'string', 'id of the proposal')
    @Returns('string')
    async GetProposal(ctx: UPointContext, proposalId: string): Promise<string> {
        const id = parseArgument('proposalId', proposalId, TxIdSchema);
        return encodeToString(await proposals.get(ctx.ledger, [id]));
    }
}

/** Save the proposal and, when it reached its majority, the registry change it carries. */
async function saveOutcome(ctx: UPointContext, outcome: ProposalOutcome): Promise<void> {
    await proposals.put(ctx.ledger, outcome.proposal);
    if (outcome.applied === null) return;
    const { effect } = outcome.applied;
    await saveEffect(ctx, effect);
    ctx.emit({ type: 'ProposalApplied', proposalId: outcome.proposal.id });
    ctx.emit(effectChange(effect));
}

async function saveEffect(ctx: UPointContext, effect: MembershipEffect): Promise<void> {
    switch (effect.kind) {
        case 'MemberAdded':
        case 'MemberUpdated':
            await members.put(ctx.ledger, effect.member);
            return;
        case 'MemberRemoved':
            await members.delete(ctx.ledger, [effect.member.mspId]);
            return;
    }
}

function effectChange(effect: MembershipEffect): ChangeRecord {
    switch (effect.kind) {
        case 'MemberAdded':
        case 'MemberRemoved':
            return { type: effect.kind, member: effect.member };
        case 'MemberUpdated':
            return { type: effect.kind, before: effect.before, member: effect.member };
    }
}
