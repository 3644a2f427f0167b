/** The consortium registry (chaincode contract `membership`). */
import { z } from 'zod';
import { customOperation, readOperation, writeOperation, type Operation } from '../operation';
import { EmptyBodySchema, MspIdSchema, TxIdSchema } from '../schemas';

const CONTRACT = 'membership';
const TAG = 'members';

const RoleSchema = z.enum(['MANUFACTURER', 'SUPPLIER', 'CUSTODIAN', 'INSPECTOR', 'FINANCIER', 'RETAILER', 'REGULATOR']);
const MemberSchema = z.strictObject({
    mspId: MspIdSchema,
    name: z.string().min(1).max(128),
    roles: z.array(RoleSchema).min(1),
});
export const ChangeBodySchema = z.discriminatedUnion('action', [
    z.strictObject({ action: z.literal('ADD'), member: MemberSchema }),
    z.strictObject({ action: z.literal('UPDATE'), member: MemberSchema }),
    z.strictObject({ action: z.literal('REMOVE'), mspId: MspIdSchema }),
]);
const ProposalParams = z.strictObject({ id: TxIdSchema });
const getProposal = (id: string): { contract: string; transaction: string; args: string[] } => ({ contract: CONTRACT, transaction: 'GetProposal', args: [id] });

export const memberOperations: readonly Operation[] = [
    customOperation({
        operationId: 'whoAmI',
        path: '/v1/me',
        summary: "The caller: its key's name, role (member, regulator, admin) and org",
        tag: TAG,
        params: z.strictObject({}),
        result: z.object({ name: z.string(), role: z.enum(['member', 'regulator', 'admin']), mspId: z.string() }),
        run: ({ principal }) => Promise.resolve({ status: 200, body: { name: principal.name, role: principal.role, mspId: principal.mspId } }),
    }),
    readOperation({
        operationId: 'listMembers',
        path: '/v1/members',
        summary: 'The consortium members and their roles',
        tag: TAG,
        params: z.strictObject({}),
        call: () => ({ contract: CONTRACT, transaction: 'ListMembers', args: [] }),
    }),
    writeOperation({
        operationId: 'proposeMemberChange',
        path: '/v1/members/proposals',
        summary: 'Propose adding, updating or removing a member (applied on a strict majority of voting members)',
        tag: TAG,
        access: 'admin',
        status: 201,
        params: z.strictObject({}),
        body: ChangeBodySchema,
        call: ({ body }) => ({ contract: CONTRACT, transaction: 'ProposeChange', args: [JSON.stringify(body)] }),
        // a proposal's id is the transaction that created it
        location: (_result, txId) => `/v1/members/proposals/${encodeURIComponent(txId)}`,
    }),
    readOperation({
        operationId: 'getMemberProposal',
        path: '/v1/members/proposals/{id}',
        summary: 'One membership proposal and its approvals',
        tag: TAG,
        params: ProposalParams,
        call: ({ params }) => getProposal(params.id),
    }),
    writeOperation({
        operationId: 'approveMemberChange',
        path: '/v1/members/proposals/{id}/approvals',
        summary: "Approve a pending proposal for the caller's org",
        tag: TAG,
        access: 'admin',
        params: ProposalParams,
        body: EmptyBodySchema,
        call: ({ params }) => ({ contract: CONTRACT, transaction: 'ApproveChange', args: [params.id] }),
    }),
];
