// Concurrency as a correctness property (issue #9): on devnet through the real fabric-gateway client, 50 concurrent
// token transfers from one holder of one lot, each naming its own input, and 50 concurrent split-transfers of one
// holder's 50 receivables all commit VALID — no MVCC_READ_CONFLICT, no PHANTOM_READ_CONFLICT — and tokens and
// receivables are conserved afterwards. All 50 proposals of a burst are endorsed on the same committed state before
// any is submitted (the worst case). No timing is asserted; test/src/bench/conflicts.ts prints the figures.
import {
    burst,
    prepareReceivables,
    prepareTokens,
    receivableConservation,
    splits,
    tokenConservation,
    transfersWithInputs,
    type ReceivableJson,
    type TokenSetup,
    UPoint,
} from '../bench/conflicts';

const N = 50;

describe('concurrent spends and splits from one holder (devnet, real client)', () => {
    let u: UPoint;
    let tokens: TokenSetup;
    let rcv: string[];

    beforeAll(async () => {
        u = await UPoint.start(62000);
        tokens = await prepareTokens(u, N);
        rcv = await prepareReceivables(u, N);
    }, 180_000);
    afterAll(() => u?.stop());

    it(`${N} concurrent transfers with disjoint explicit inputs all commit VALID, and the lot is conserved`, async () => {
        const before = await u.evaluate<{ total: string }>('Bank', 'tokens', 'Balance', 'BankMSP', tokens.lotId);
        const o = await burst(transfersWithInputs(u, tokens));
        expect(o.endorseFailures).toEqual([]);
        expect(o.codes).toEqual({ VALID: N });
        const after = await u.evaluate<{ total: string }>('Bank', 'tokens', 'Balance', 'BankMSP', tokens.lotId);
        expect(BigInt(before.total) - BigInt(after.total)).toBe(BigInt(N) * (tokens.quantity / 2n));
        const { ok, supply } = await tokenConservation(u, tokens.lotId);
        expect(ok).toBe(true);
        expect(supply.redeemed).toBe('0');
    }, 120_000);

    it(`${N} concurrent split-transfers of one holder's receivables all commit VALID, and every tree is conserved`, async () => {
        const o = await burst(splits(u, rcv));
        expect(o.endorseFailures).toEqual([]);
        expect(o.codes).toEqual({ VALID: N });
        for (const r of o.results as Array<{ parent: ReceivableJson; children: ReceivableJson[] }>) {
            expect(r.parent.status).toBe('SPLIT');
            expect(r.children.map((c) => c.holder)).toEqual(['SupplierMSP', 'BankMSP']);
        }
        expect(await receivableConservation(u, rcv)).toBe(true);
    }, 120_000);
});
