import { z } from 'zod';
import { ChaincodeError } from '../domain/errors';
import { TestLedger, TestStub } from '../test-support/context';
import { Repository } from './repository';

const ThingSchema = z.strictObject({ id: z.string(), size: z.number().int() });
type Thing = z.infer<typeof ThingSchema>;
const things = new Repository<Thing>({ label: 'thing', type: 'member', schema: ThingSchema, keyOf: (t) => [t.id] });

async function expectCode(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
    const err: unknown = await p.then(
        () => undefined,
        (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ChaincodeError);
    expect((err as ChaincodeError).code).toBe(code);
    if (message) expect((err as ChaincodeError).message).toMatch(message);
}

describe('Repository', () => {
    let ledger: TestLedger;
    let n = 0;
    const tx = (): TestStub => new TestStub({ ledger, mspId: 'A', fcn: 'f', txId: `tx${++n}` });
    beforeEach(() => {
        ledger = new TestLedger();
    });

    it('writes canonical JSON under a composite key and reads it back through the schema', async () => {
        const w = tx();
        await things.put(w, { size: 3, id: 'x' });
        expect([...w.writes.keys()]).toEqual(['\u0000upoint.member\u0000x\u0000']);
        expect(Buffer.from(w.writes.get('\u0000upoint.member\u0000x\u0000') ?? []).toString()).toBe('{"id":"x","size":3}');
        await w.commit();
        expect(await things.get(tx(), ['x'])).toEqual({ id: 'x', size: 3 });
        expect(await things.find(tx(), ['y'])).toBeUndefined();
        await expectCode(things.get(tx(), ['y']), 'NOT_FOUND', /^NOT_FOUND: thing y does not exist$/);
    });

    it('reports a stored value that does not parse as INVALID_STATE', async () => {
        const w = tx();
        await w.putState(w.createCompositeKey('upoint.member', ['bad']), new Uint8Array(Buffer.from('{"id":"bad","size":"big"}')));
        await w.commit();
        await expectCode(things.get(tx(), ['bad']), 'INVALID_STATE', /stored thing bad is malformed: size: /);
        await expectCode(things.list(tx()), 'INVALID_STATE');
    });

    it('refuses to write a value its schema rejects', async () => {
        const w = tx();
        await expect(things.put(w, { id: 'x', size: 1.5 })).rejects.toThrow(TypeError);
        expect(w.writes.size).toBe(0);
    });

    it('rejects key attributes Fabric cannot store', async () => {
        await expectCode(things.find(tx(), ['a\u0000b']), 'INVALID_ARGUMENT');
        await expectCode(things.find(tx(), ['']), 'INVALID_ARGUMENT');
        await expectCode(things.find(tx(), ['\uD800']), 'INVALID_ARGUMENT');
        await expectCode(things.list(tx(), ['\u{10FFFF}']), 'INVALID_ARGUMENT');
    });

    it('lists committed entities in key order', async () => {
        const w = tx();
        for (const id of ['b', 'c', 'a']) await things.put(w, { id, size: 1 });
        await w.commit();
        const r = tx();
        await things.put(r, { id: '0', size: 1 }); // not visible to its own transaction
        expect((await things.list(r)).map((t) => t.id)).toEqual(['a', 'b', 'c']);
        await things.delete(r, ['a']);
        await r.commit();
        expect((await things.list(tx())).map((t) => t.id)).toEqual(['0', 'b', 'c']);
    });
});
