import { MemoryBackend, newTestContext, TestStub } from './context';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const str = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

describe('TestStub (Fabric simulation semantics)', () => {
    it('does not let a transaction read its own writes; commit publishes them', async () => {
        const backend = new MemoryBackend();
        const tx1 = new TestStub({ backend, mspId: 'A', fcn: 'f' });
        await tx1.putState('k', bytes('v1'));
        expect((await tx1.getState('k')).length).toBe(0);
        await tx1.commit();
        const tx2 = new TestStub({ backend, mspId: 'A', fcn: 'f' });
        expect(str(await tx2.getState('k'))).toBe('v1');
        await tx2.deleteState('k');
        expect(str(await tx2.getState('k'))).toBe('v1');
        await tx2.commit();
        expect(backend.keys()).toEqual([]);
    });

    it('keeps only the last event', () => {
        const stub = new TestStub({ backend: new MemoryBackend(), mspId: 'A', fcn: 'f' });
        stub.setEvent('first', bytes('1'));
        stub.setEvent('second', bytes('2'));
        expect(stub.event?.name).toBe('second');
        expect(str(stub.event?.payload ?? new Uint8Array())).toBe('2');
    });

    it('scans composite keys in bytewise UTF-8 order from committed state only', async () => {
        const backend = new MemoryBackend();
        const setup = new TestStub({ backend, mspId: 'A', fcn: 'f' });
        // UTF-16 order would put U+10000 (a surrogate pair) before U+FFFF; UTF-8 order does not.
        for (const attr of ['b', '\u{10000}', 'a', '\uFFFF']) await setup.putState(setup.createCompositeKey('t', [attr]), bytes(attr));
        await setup.putState(setup.createCompositeKey('u', ['a']), bytes('other type'));
        await setup.commit();

        const tx = new TestStub({ backend, mspId: 'A', fcn: 'f' });
        await tx.putState(tx.createCompositeKey('t', ['c']), bytes('uncommitted'));
        const seen: string[] = [];
        const iterator = await tx.getStateByPartialCompositeKey('t', []);
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) seen.push(str(next.value.value));
        await iterator.close();
        expect(seen).toEqual(['a', 'b', '\uFFFF', '\u{10000}']);

        const viaAsync: string[] = [];
        for await (const kv of tx.getStateByPartialCompositeKey('t', [])) viaAsync.push(tx.splitCompositeKey(kv.key).attributes[0] ?? '');
        expect(viaAsync).toEqual(seen);
    });

    it('builds and splits composite keys like the shim', () => {
        const stub = new TestStub({ backend: new MemoryBackend(), mspId: 'A', fcn: 'f' });
        const key = stub.createCompositeKey('type', ['x', 'y']);
        expect(key).toBe('\u0000type\u0000x\u0000y\u0000');
        expect(stub.splitCompositeKey(key)).toEqual({ objectType: 'type', attributes: ['x', 'y'] });
        expect(() => stub.createCompositeKey('type', [''])).toThrow();
    });
});

describe('newTestContext', () => {
    it("wires a contract's own context to a TestStub and an identity with the given MSP id", async () => {
        // Imported lazily so this file's stub tests do not load fabric-contract-api.
        await import('./quiet-logs');
        const { MembershipContract } = await import('../contracts/membership');
        const { UPointContext } = await import('../contracts/context');
        const contract = new MembershipContract();
        const { ctx, stub } = newTestContext(contract, { backend: new MemoryBackend(), mspId: 'BrandMSP', fcn: 'membership:ListMembers', txId: 'tx-direct' });
        expect(ctx).toBeInstanceOf(UPointContext);
        expect(ctx.stub).toBe(stub);
        expect(ctx.clientIdentity.getMSPID()).toBe('BrandMSP');
        expect(ctx.txId).toBe('tx-direct');
        await expect(contract.beforeTransaction(ctx)).rejects.toThrow(/^FORBIDDEN: BrandMSP is not a member/);
    });
});
