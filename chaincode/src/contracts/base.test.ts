import '../test-support/quiet-logs';
import { Param, Returns, Transaction } from 'fabric-contract-api';
import { encode } from '../ledger/codec';
import { TestChannel, TestLedger } from '../test-support/context';
import { eventOf, expectJson, expectOk, expectRejected } from '../test-support/expectations';
import { Access } from './access';
import { BaseContract } from './base';
// A value import: the parameter type must exist at runtime for decorator metadata.
import { UPointContext } from './context';
import { MembershipContract } from './membership';

/** A contract exercising every access mode. */
class ProbeContract extends BaseContract {
    constructor() {
        super('probe');
    }

    @Transaction(false)
    @Access('public')
    @Returns('string')
    async Verify(ctx: UPointContext): Promise<string> {
        return `verified for ${ctx.caller.mspId}`;
    }

    @Transaction(false)
    @Access('evaluate')
    @Returns('string')
    async WhoAmI(ctx: UPointContext): Promise<string> {
        return ctx.caller.member?.name ?? 'nobody';
    }

    @Transaction(false)
    @Access('evaluate')
    @Returns('string')
    async SneakyRead(ctx: UPointContext): Promise<string> {
        ctx.emit({ type: 'Sneaky' });
        return 'unreachable';
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', 'request id')
    @Param('value', 'string', 'a value to store')
    @Returns('string')
    async Write(ctx: UPointContext, requestId: string, value: string): Promise<string> {
        void requestId;
        await ctx.ledger.putState(ctx.ledger.createCompositeKey('probe', [value]), encode({ value }));
        ctx.emit({ type: 'First', value });
        ctx.emit({ type: 'Second', value });
        return value;
    }

    @Transaction()
    @Access('submit')
    @Param('requestId', 'string', 'request id')
    @Returns('string')
    async Silent(ctx: UPointContext, requestId: string): Promise<string> {
        void requestId;
        await ctx.ledger.putState(ctx.ledger.createCompositeKey('probe', ['silent']), encode({}));
        return 'done';
    }
}

const CONSORTIUM = [
    { mspId: 'BrandMSP', name: 'Brand', roles: ['MANUFACTURER'] },
    { mspId: 'SupplierMSP', name: 'Supplier', roles: ['SUPPLIER', 'CUSTODIAN'] },
    { mspId: 'BankMSP', name: 'Bank', roles: ['FINANCIER'] },
    { mspId: 'RegulatorMSP', name: 'Regulator', roles: ['REGULATOR'] },
];

async function bootstrapped(): Promise<{ channel: TestChannel; ledger: TestLedger }> {
    const ledger = new TestLedger();
    const channel = new TestChannel([MembershipContract, ProbeContract], ledger);
    expectOk(await channel.submit('BrandMSP', 'membership:Bootstrap', JSON.stringify(CONSORTIUM)));
    return { channel, ledger };
}

describe('central authorization', () => {
    it('forbids the regulator every submit and leaves the ledger untouched', async () => {
        const { channel, ledger } = await bootstrapped();
        const before = await ledger.keys();
        expectRejected(await channel.submit('RegulatorMSP', 'probe:Write', 'r1', 'x'), 'FORBIDDEN', /RegulatorMSP is a regulator/);
        expectRejected(
            await channel.submit('RegulatorMSP', 'membership:ProposeChange', 'r2', JSON.stringify({ action: 'REMOVE', mspId: 'BankMSP' })),
            'FORBIDDEN',
        );
        expect(await ledger.keys()).toEqual(before);
        // …and its request id was not consumed either
        expectRejected(await channel.submit('RegulatorMSP', 'probe:Write', 'r1', 'x'), 'FORBIDDEN');
    });

    it('lets the regulator evaluate', async () => {
        const { channel } = await bootstrapped();
        expect(expectOk(await channel.evaluate('RegulatorMSP', 'probe:WhoAmI'))).toBe('Regulator');
        expect(expectJson(await channel.evaluate('RegulatorMSP', 'membership:ListMembers'))).toHaveLength(4);
    });

    it('lets an org outside the registry call public transactions only', async () => {
        const { channel, ledger } = await bootstrapped();
        const before = await ledger.keys();
        expect(expectOk(await channel.evaluate('StrangerMSP', 'probe:Verify'))).toBe('verified for StrangerMSP');
        expectRejected(await channel.evaluate('StrangerMSP', 'probe:WhoAmI'), 'FORBIDDEN', /StrangerMSP is not a member/);
        expectRejected(await channel.evaluate('StrangerMSP', 'membership:ListMembers'), 'FORBIDDEN');
        expectRejected(await channel.submit('StrangerMSP', 'probe:Write', 'r1', 'x'), 'FORBIDDEN');
        expectRejected(await channel.submit('StrangerMSP', 'membership:ApproveChange', 'r1', 'tx0001'), 'FORBIDDEN');
        expect(await ledger.keys()).toEqual(before);
    });

    it('treats every org as a stranger before bootstrap', async () => {
        const channel = new TestChannel([MembershipContract, ProbeContract]);
        expectRejected(await channel.evaluate('BrandMSP', 'probe:WhoAmI'), 'FORBIDDEN');
        expect(expectOk(await channel.evaluate('BrandMSP', 'probe:Verify'))).toBe('verified for BrandMSP');
    });

    it('rejects an unknown transaction with INVALID_ARGUMENT', async () => {
        const { channel } = await bootstrapped();
        expectRejected(await channel.submit('BrandMSP', 'probe:DropTables', 'r1'), 'INVALID_ARGUMENT', /contract probe has no transaction DropTables/);
        expectRejected(await channel.submit('BrandMSP', 'membership:beforeTransaction'), 'INVALID_ARGUMENT');
    });
});

describe('exactly-once requests and events', () => {
    it('emits exactly one event per submit, carrying every change', async () => {
        const { channel } = await bootstrapped();
        const result = await channel.submit('SupplierMSP', 'probe:Write', 'req-7', 'x');
        expect(result.payload).toBe('x');
        expect(eventOf(result)).toEqual({
            name: 'probe.Write',
            payload: {
                contract: 'probe',
                transaction: 'Write',
                txId: result.txId,
                timestamp: '2024-01-01T00:00:02.123456789Z',
                caller: 'SupplierMSP',
                requestId: 'req-7',
                changes: [
                    { type: 'First', value: 'x' },
                    { type: 'Second', value: 'x' },
                ],
            },
        });
        // canonical JSON on the wire
        expect(Buffer.from(result.event?.payload ?? []).toString()).toMatch(/^\{"caller":"SupplierMSP","changes":\[\{"type":"First","value":"x"\}/);
    });

    it('rejects a repeated request id naming the original transaction, with no effect', async () => {
        const { channel, ledger } = await bootstrapped();
        const first = await channel.submit('BankMSP', 'probe:Write', 'pay-1', 'x');
        expectOk(first);
        const before = await ledger.keys();
        expectRejected(
            await channel.submit('BankMSP', 'probe:Write', 'pay-1', 'y'),
            'DUPLICATE_REQUEST',
            new RegExp(`^DUPLICATE_REQUEST: request pay-1 already processed in transaction ${first.txId}$`),
        );
        expect(await ledger.keys()).toEqual(before);
        // another org may use the same id; an evaluated (never committed) submit does not consume one
        expectOk(await channel.submit('BrandMSP', 'probe:Write', 'pay-1', 'z'));
        expectOk(await channel.evaluate('SupplierMSP', 'probe:Write', 'pay-2', 'w'));
        expectOk(await channel.submit('SupplierMSP', 'probe:Write', 'pay-2', 'w'));
    });

    it('rejects a malformed request id', async () => {
        const { channel } = await bootstrapped();
        expectRejected(await channel.submit('BankMSP', 'probe:Write', 'has space', 'x'), 'INVALID_ARGUMENT', /requestId/);
    });

    it('fails a submit that records no change and a read that tries to emit', async () => {
        const { channel } = await bootstrapped();
        const silent = await channel.submit('BankMSP', 'probe:Silent', 's-1');
        expect(silent.status).toBe(500);
        expect(silent.message).toMatch(/probe:Silent completed without recording a change/);
        expect(silent.committed).toBe(false);
        expectRejected(await channel.evaluate('BankMSP', 'probe:SneakyRead'), 'INVALID_STATE');
    });

    it('leaves a wrong argument count to the shim (no code prefix, nothing committed)', async () => {
        const { channel } = await bootstrapped();
        const result = await channel.submit('BankMSP', 'probe:Write', 'only-request-id');
        expect(result.status).toBe(500);
        expect(result.message).toBe('Expected 2 parameters, but 1 have been supplied');
        expect(result.committed).toBe(false);
    });
});

describe('contract shape', () => {
    it('exposes exactly the decorated transactions, not the hooks', () => {
        const channel = new TestChannel([MembershipContract, ProbeContract]);
        const names = (contract: string): string[] =>
            (channel.chaincode.metadata.contracts[contract]?.transactions ?? []).map((t) => t.name).sort();
        expect(names('probe')).toEqual(['Silent', 'SneakyRead', 'Verify', 'WhoAmI', 'Write']);
        expect(names('membership')).toEqual(['ApproveChange', 'Bootstrap', 'GetMember', 'GetProposal', 'ListMembers', 'ProposeChange']);
    });

    it('refuses an undecorated helper method', () => {
        class Leaky extends BaseContract {
            constructor() {
                super('leaky');
            }
            @Transaction(false)
            @Access('evaluate')
            @Returns('string')
            async Read(): Promise<string> {
                return 'x';
            }
            async helper(): Promise<void> {}
        }
        expect(() => new Leaky()).toThrow(/Leaky.helper is not a decorated transaction/);
    });

    it('refuses a contract with no transactions at all (fabric would expose every method)', () => {
        class Bare extends BaseContract {
            constructor() {
                super('bare');
            }
            async Anything(): Promise<void> {}
        }
        expect(() => new Bare()).toThrow(/Bare.Anything is not a decorated transaction/);
    });

    it('refuses disagreeing tags, missing @Param/@Returns and a submit without requestId first', () => {
        class Wrong extends BaseContract {
            constructor() {
                super('wrong');
            }
            @Transaction(false)
            @Access('submit')
            @Param('requestId', 'string', 'id')
            @Returns('string')
            async A(_ctx: UPointContext, requestId: string): Promise<string> {
                return requestId;
            }
            @Transaction()
            @Access('submit')
            @Returns('string')
            async B(_ctx: UPointContext, value: string): Promise<string> {
                return value;
            }
            @Transaction(false)
            @Access('evaluate')
            async C(): Promise<string> {
                return '';
            }
        }
        const error = ((): string => {
            try {
                new Wrong();
                return '';
            } catch (e) {
                return String(e);
            }
        })();
        expect(error).toMatch(/Wrong.A: @Access\('submit'\) disagrees with @Transaction\(false\)/);
        expect(error).toMatch(/Wrong.B: parameter value has no @Param/);
        expect(error).toMatch(/Wrong.B: a submit transaction takes requestId as its first parameter/);
        expect(error).toMatch(/Wrong.C: missing @Returns/);
    });
});
