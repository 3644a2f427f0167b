/** Where the membership registry lives on the ledger: one key per member, per proposal. */
import { z } from 'zod';
import { InstantSchema, MemberSchema, type Member, MspIdSchema, ProposalSchema, type Proposal, TxIdSchema } from '../domain/membership';
import { Repository } from './repository';
import type { LedgerStub } from './stub';

export const members = new Repository<Member>({
    label: 'member',
    type: 'member',
    schema: MemberSchema,
    keyOf: (m) => [m.mspId],
});

export const proposals = new Repository<Proposal>({
    label: 'proposal',
    type: 'membershipProposal',
    schema: ProposalSchema,
    keyOf: (p) => [p.id],
});

export const BootstrapRecordSchema = z.strictObject({
    id: z.literal('bootstrap'),
    by: MspIdSchema,
    txId: TxIdSchema,
    timestamp: InstantSchema,
});
export type BootstrapRecord = z.infer<typeof BootstrapRecordSchema>;

/** Written once by Bootstrap; read only by Bootstrap's guard, so never a hot key. */
export const bootstrapRecord = new Repository<BootstrapRecord>({
    label: 'registry bootstrap record',
    type: 'registry',
    schema: BootstrapRecordSchema,
    keyOf: (r) => [r.id],
});

export async function isBootstrapped(stub: LedgerStub): Promise<boolean> {
    return bootstrapRecord.exists(stub, ['bootstrap']);
}
