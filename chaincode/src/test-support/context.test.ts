import './quiet-logs';
import { newTestContext, TestLedger, TestStub } from './context';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const str = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

/** Transaction n of a test: id `tn`, timestamp 1_700_000_000 + n seconds and n nanoseconds. */
function txOn(ledger: TestLedger, n: number): TestStub {
    return new TestStub({ ledger, mspId: 'A', fcn: 'f', txId: `t${n}`, timestamp: { seconds: 1_700_000_000n + BigInt(n), nanos: n } });
}

describe('TestStub = devnet TxSimulator over MemState', () => {
    it('hides a transaction its own writes; commit publishes them at the next block; history is newest first', async () => {
        const ledger = new TestLedger();
        const tx1 = txOn(ledger, 1);
        await tx1.putState('k', bytes('v1'));
        expect((await tx1.getState('k')).length).toBe(0);
        await tx1.commit();
        expect(ledger.height).toBe(1n);

        const tx2 = txOn(ledger, 2);
        expect(str(await tx2.getState('k'))).toBe('v1');
        await tx2.deleteState('k');
        expect(str(await tx2.getState('k'))).toBe('v1');
        await tx2.commit();
        expect(await ledger.keys()).toEqual([]);

        const history = [];
        for await (const m of txOn(ledger, 3).getHistoryForKey('k')) history.push(m);
        expect(history).toEqual([
            { txId: 't2', value: Buffer.alloc(0), isDelete: true, timestamp: { seconds: 1_700_000_002, nanos: 2 } },
            { txId: 't1', value: Buffer.from('v1'), isDelete: false, timestamp: { seconds: 1_700_000_001, nanos: 1 } },
        ]);
    });

    it('commits nothing unless asked, and refuses state calls once the simulation has ended', async () => {
        const ledger = new TestLedger();
        const tx = txOn(ledger, 1);
        await tx.putState('k', bytes('v'));
        expect([...tx.writes]).toEqual([['k', bytes('v')]]);
        await tx.done();
        await expect(tx.putState('k2', bytes('v'))).rejects.toThrow('should not be used after calling Done()');
        expect(await ledger.keys()).toEqual([]);
        expect(ledger.height).toBe(0n);
    });

    it('keeps only the last event', () => {
        const stub = txOn(new TestLedger(), 1);
        stub.setEvent('first', bytes('1'));
        stub.setEvent('second', bytes('2'));
        expect(stub.event?.name).toBe('second');
        expect(str(stub.event?.payload ?? new Uint8Array())).toBe('2');
    });

    it('scans composite keys in bytewise UTF-8 order from committed state only, apart from simple keys', async () => {
        const ledger = new TestLedger();
        const setup = txOn(ledger, 1);
        // UTF-16 order would put U+10000 (a surrogate pair) before U+FFFF; UTF-8 order does not.
        for (const attr of ['b', '\u{10000}', 'a', '\uFFFF']) await setup.putState(setup.createCompositeKey('t', [attr]), bytes(attr));
        await setup.putState(setup.createCompositeKey('u', ['a']), bytes('other type'));
        await setup.putState('simple', bytes('simple'));
        await setup.commit();

        const tx = txOn(ledger, 2);
        await tx.putState(tx.createCompositeKey('t', ['c']), bytes('uncommitted'));
        const seen: string[] = [];
        const iterator = await tx.getStateByPartialCompositeKey('t', []);
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) seen.push(str(next.value.value));
        await iterator.close();
        expect(seen).toEqual(['a', 'b', '\uFFFF', '\u{10000}']);

        const viaAsync: string[] = [];
        for await (const kv of tx.getStateByPartialCompositeKey('t', [])) viaAsync.push(tx.splitCompositeKey(kv.key).attributes[0] ?? '');
        expect(viaAsync).toEqual(seen);

        // An empty start key means '\u0001', as in the shim: the composite-key namespace stays out.
        const simple: unknown[] = [];
        for await (const kv of tx.getStateByRange('', '')) simple.push(kv);
        expect(simple).toEqual([{ key: 'simple', value: Buffer.from('simple') }]);
        await expect(tx.getStateByRange('\u0000t', '')).rejects.toThrow(/contains a null character/);
    });

    it('builds and splits composite keys with the shim', () => {
        const stub = txOn(new TestLedger(), 1);
        const key = stub.createCompositeKey('type', ['x', 'y']);
        expect(key).toBe('\u0000type\u0000x\u0000y\u0000');
        expect(stub.splitCompositeKey(key)).toEqual({ objectType: 'type', attributes: ['x', 'y'] });
        expect(() => stub.createCompositeKey('type', [''])).toThrow('object type or attribute not a non-zero length string');
        expect(() => stub.getStateByPartialCompositeKey('', [])).toThrow('object type or attribute not a non-zero length string');
    });

    it('pages in read-only transactions and refuses a paginated query after a write, with devnet’s message', async () => {
        const ledger = new TestLedger();
        const setup = txOn(ledger, 1);
        for (const k of ['a', 'b', 'c']) await setup.putState(k, bytes(k));
        await setup.commit();

        const reader = txOn(ledger, 2);
        const first = await reader.getStateByRangeWithPagination('', '', 2);
        expect(first.metadata).toEqual({ fetchedRecordsCount: 2, bookmark: 'c' });
        const rest = await reader.getStateByRangeWithPagination('', '', 2, first.metadata?.bookmark);
        expect(await rest.iterator.next()).toEqual({ value: { key: 'c', value: Buffer.from('c') }, done: false });
        expect(await rest.iterator.next()).toEqual({ done: true });
        expect(rest.metadata).toEqual({ fetchedRecordsCount: 1, bookmark: '' });
        await expect(reader.putState('z', bytes('z'))).rejects.toThrow(
            'txid [t2]: unsuppored transaction. Transaction has already performed a paginated query. Writes are not allowed',
        );

        const writer = txOn(ledger, 3);
        await writer.putState('d', bytes('d'));
        await expect(writer.getStateByRangeWithPagination('a', '', 10)).rejects.toThrow(
            'txid [t3]: unsuppored transaction. Paginated queries are supported only in a read-only transaction',
        );
    });

    it('keeps a key-level endorsement policy written with its value', async () => {
        const ledger = new TestLedger();
        const tx = txOn(ledger, 1);
        await tx.putState('k', bytes('v'));
        await tx.setStateValidationParameter('k', bytes('policy'));
        await tx.commit();
        const reader = txOn(ledger, 2);
        expect(str((await reader.getStateValidationParameter('k')) ?? new Uint8Array())).toBe('policy');
        expect(await reader.getStateValidationParameter('other')).toBeUndefined();
    });
});

describe('newTestContext', () => {
    it("wires a contract's own context to a TestStub and an identity with the given MSP id", async () => {
        // Imported lazily so this file's stub tests do not load fabric-contract-api.
        await import('./quiet-logs');
        const { MembershipContract } = await import('../contracts/membership');
        const { UPointContext } = await import('../contracts/context');
        const contract = new MembershipContract();
        const { ctx, stub } = newTestContext(contract, { ledger: new TestLedger(), mspId: 'BrandMSP', fcn: 'membership:ListMembers', txId: 'tx-direct' });
        expect(ctx).toBeInstanceOf(UPointContext);
        expect(ctx.stub).toBe(stub);
        expect(ctx.clientIdentity.getMSPID()).toBe('BrandMSP');
        expect(ctx.txId).toBe('tx-direct');
        await expect(contract.beforeTransaction(ctx)).rejects.toThrow(/^FORBIDDEN: BrandMSP is not a member/);
    });
});
