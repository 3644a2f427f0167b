import { peer as pb } from '@hyperledger/fabric-protos';
import { computeLayouts, EndorsementPlan, type EndorseOutcome, type PlanPeer } from './endorsement';
import type { Detail } from './errors';

const A: PlanPeer = { mspId: 'A', address: 'a:1' };
const B: PlanPeer = { mspId: 'B', address: 'b:1' };
const C: PlanPeer = { mspId: 'C', address: 'c:1' };
const R: PlanPeer = { mspId: 'R', address: 'r:1' };

/** 2 of A, B, C (R never counts). */
const twoOfABC = (peers: readonly PlanPeer[]): boolean => new Set(peers.map((p) => p.mspId).filter((m) => m !== 'R')).size >= 2;

function response(payload: string): pb.ProposalResponse {
    const r = new pb.ProposalResponse();
    r.setPayload(new TextEncoder().encode(payload));
    return r;
}

describe('computeLayouts', () => {
    it('returns the minimal org sets, leaving out peers the policy never needs', () => {
        const layouts = computeLayouts([A, B, C, R], twoOfABC).map((l) => [...l.keys()].sort().join('+'));
        expect(layouts.sort()).toEqual(['A+B', 'A+C', 'B+C']);
    });

    it('is empty when the candidates cannot satisfy the policy', () => {
        expect(computeLayouts([A, R], twoOfABC)).toEqual([]);
    });
});

describe('EndorsementPlan', () => {
    it('does not count a first endorser outside every layout, and never asks the others for it', async () => {
        const details: Detail[] = [];
        const plan = new EndorsementPlan([R, A, B, C], details);
        const asked: string[] = [];
        const endorse = async (p: PlanPeer): Promise<EndorseOutcome> => {
            asked.push(p.mspId);
            return { response: response('same') };
        };
        expect((await plan.endorseFirst('R', endorse))?.peer).toBe(R);
        plan.useLayouts(computeLayouts([A, B, C, R], twoOfABC));
        const done = await plan.run(endorse);
        expect(done?.map((e) => e.peer.mspId).sort()).toEqual(['A', 'B']);
        expect(asked).toEqual(['R', 'A', 'B']);
        expect(details).toEqual([]);
    });

    it('a mismatching payload abandons that org and every layout using it', async () => {
        const details: Detail[] = [];
        const plan = new EndorsementPlan([A, B, C], details);
        const endorse = async (p: PlanPeer): Promise<EndorseOutcome> => ({ response: response(p.mspId === 'A' ? 'x' : `y-${p.mspId}`) });
        await plan.endorseFirst('A', endorse);
        plan.useLayouts(computeLayouts([A, B, C], twoOfABC));
        expect(await plan.run(endorse)).toBeUndefined();
        expect(details.map((d) => [d.mspId, d.message])).toEqual([
            ['B', 'ProposalResponsePayloads do not match'],
            ['C', 'ProposalResponsePayloads do not match'],
        ]);
    });

    it('a failing org is skipped for a layout without it', async () => {
        const details: Detail[] = [];
        const plan = new EndorsementPlan([A, B, C], details);
        const endorse = async (p: PlanPeer): Promise<EndorseOutcome> => (p.mspId === 'B' ? { error: 'chaincode response 500, no' } : { response: response('ok') });
        await plan.endorseFirst('A', endorse);
        plan.useLayouts(computeLayouts([A, B, C], twoOfABC));
        expect((await plan.run(endorse))?.map((e) => e.peer.mspId)).toEqual(['A', 'C']);
        expect(details).toEqual([{ address: 'b:1', mspId: 'B', message: 'chaincode response 500, no' }]);
    });
});
