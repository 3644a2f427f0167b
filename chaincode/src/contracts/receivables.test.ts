import '../test-support/quiet-logs';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { contracts } from '../index';
import { encode } from '../ledger/codec';
import { invalidates, TestChannel, TestLedger, TestStub, type TxResult, newTestContext } from '../test-support/context';
import { eventOf, expectJson, expectOk, expectRejected } from '../test-support/expectations';
import { issueReceivableInTx, ReceivablesContract } from './receivables';

const brand = { mspId: 'BrandMSP', name: 'Brand', roles: ['MANUFACTURER'] };
const supplier = { mspId: 'SupplierMSP', name: 'Supplier', roles: ['SUPPLIER'] };
const bank = { mspId: 'BankMSP', name: 'Bank', roles: ['FINANCIER'] };
const bank2 = { mspId: 'Bank2MSP', name: 'Bank Two', roles: ['FINANCIER'] };
const retail = { mspId: 'RetailMSP', name: 'Retail', roles: ['RETAILER'] };
const regulator = { mspId: 'RegulatorMSP', name: 'Regulator', roles: ['REGULATOR'] };
const CONSORTIUM = [brand, supplier, bank, bank2, retail, regulator];

const json = (v: unknown): string => JSON.stringify(v);
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
/** 2024-01-01T00:00:00Z */
const EPOCH = 1_704_067_200n;
const DAY = 86_400n;
const MATURITY = '2024-03-31';
/** Day offset of the first day after MATURITY. */
const AFTER_MATURITY = 91;

/** TestChannel with the transaction date set by `day` (days after 2024-01-01) and fresh request ids. */
class Net {
    readonly ledger = new TestLedger();
    readonly channel = new TestChannel(contracts, this.ledger);
    day = 0;
    #req = 0;

    run(mspId: string, fcn: string, args: readonly string[], submit: boolean): Promise<TxResult> {
        this.channel.clockOffsetSeconds = BigInt(this.day) * DAY;
        return submit ? this.channel.submit(mspId, fcn, ...args) : this.channel.evaluate(mspId, fcn, ...args);
    }

    submit(mspId: string, tx: string, ...args: string[]): Promise<TxResult> {
        this.#req += 1;
        return this.run(mspId, `receivables:${tx}`, [`req-${this.#req}`, ...args], true);
    }

    evaluate(mspId: string, tx: string, ...args: string[]): Promise<TxResult> {
        return this.run(mspId, `receivables:${tx}`, args, false);
    }

    /** Every committed key and value, for "nothing changed" assertions. */
    async dump(): Promise<Array<[string, string]>> {
        const snapshot = this.ledger.state.snapshot();
        const rows: Array<[string, string]> = [];
        for await (const kv of snapshot.range(this.ledger.namespace, '', '')) rows.push([kv.key, Buffer.from(kv.value).toString('hex')]);
        await snapshot.close();
        return rows;
    }
}

async function consortium(): Promise<Net> {
    const net = new Net();
    expectOk(await net.run('BrandMSP', 'membership:Bootstrap', [json(CONSORTIUM)], true));
    return net;
}

interface Rcv {
    id: string;
    rootId: string;
    parentId: string | null;
    holder: string;
    issuer: string;
    amount: string;
    status: string;
    children: string[];
    financing: { financier: string; discountedAmount: string | null; discountBps: number | null; status: string } | null;
}

async function issued(net: Net, amount = '1000000', invoice = 'invoice-1'): Promise<Rcv> {
    return expectJson(await net.submit('BrandMSP', 'Issue', 'SupplierMSP', amount, 'CNY', MATURITY, sha(invoice), sha('contract-1'))) as Rcv;
}

async function active(net: Net, amount = '1000000', invoice = 'invoice-1'): Promise<Rcv> {
    const r = await issued(net, amount, invoice);
    expectOk(await net.submit('SupplierMSP', 'Accept', r.id));
    return r;
}

async function get(net: Net, id: string): Promise<Rcv> {
    return expectJson(await net.evaluate('RegulatorMSP', 'Get', id)) as Rcv;
}

/** Expect a rejection with `code` and no change to the ledger at all. */
async function rejectedWithoutChange(net: Net, call: () => Promise<TxResult>, code: Parameters<typeof expectRejected>[1], message?: RegExp): Promise<void> {
    const before = await net.dump();
    expectRejected(await call(), code, message);
    expect(await net.dump()).toEqual(before);
}

const partsOf = (...parts: Array<[string, string]>): string => json(parts.map(([holder, amount]) => ({ holder, amount })));

describe('Issue', () => {
    it('writes the receivable, its three index keys and the invoice claim, and emits one event', async () => {
        const net = await consortium();
        const result = await net.submit('BrandMSP', 'Issue', 'SupplierMSP', '1000000', 'CNY', MATURITY, sha('invoice-1').toUpperCase(), sha('contract-1'));
        const stampOf = { txId: result.txId, timestamp: '2024-01-01T00:00:02.123456789Z', by: 'BrandMSP' };
        const expected = {
            id: result.txId,
            rootId: result.txId,
            parentId: null,
            issuer: 'BrandMSP',
            holder: 'SupplierMSP',
            amount: '1000000',
            currency: 'CNY',
            maturityDate: MATURITY,
            invoiceHash: sha('invoice-1'),
            contractHash: sha('contract-1'),
            reference: null,
            status: 'PENDING',
            children: [],
            financing: null,
            settlement: null,
            created: stampOf,
            updated: stampOf,
        };
        expect(expectJson(result)).toEqual(expected);
        const key = (type: string, ...attrs: string[]): string => `\u0000${type}\u0000${attrs.map((a) => `${a}\u0000`).join('')}`;
        const writes = [...result.writes.entries()].map(([k, v]) => [k, v === undefined ? null : Buffer.from(v).toString('utf8')]);
        expect(writes).toEqual(
            [
                [key('upoint.receivables.holder', 'SupplierMSP', result.txId), json({ id: result.txId })],
                [key('upoint.receivables.invoice', sha('invoice-1')), json({ invoiceHash: sha('invoice-1'), rootId: result.txId })],
                [key('upoint.receivables.issuer', 'BrandMSP', result.txId), json({ id: result.txId })],
                [key('upoint.receivables.receivable', result.txId), Buffer.from(encode(expected)).toString('utf8')],
                [key('upoint.receivables.status', 'PENDING', result.txId), json({ id: result.txId })],
                [key('upoint.request', 'BrandMSP', 'req-1'), expect.any(String)],
                [key('upoint.submitter', result.txId), json({ by: 'BrandMSP', timestamp: stampOf.timestamp, transaction: 'receivables:Issue', txId: result.txId })],
            ].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)),
        );
        expect(eventOf(result)).toEqual({
            name: 'receivables.Issue',
            payload: {
                contract: 'receivables',
                transaction: 'Issue',
                txId: result.txId,
                timestamp: stampOf.timestamp,
                caller: 'BrandMSP',
                requestId: 'req-1',
                changes: [{ type: 'ReceivableIssued', receivable: expected }],
            },
        });
    });

    it.each([
        ['a non-member holder', ['StrangerMSP', '1', 'CNY', MATURITY, sha('i'), sha('c')], 'INVALID_ARGUMENT', /not a member/],
        ['a regulator holder', ['RegulatorMSP', '1', 'CNY', MATURITY, sha('i'), sha('c')], 'INVALID_ARGUMENT', /regulator/],
        ['itself as holder', ['BrandMSP', '1', 'CNY', MATURITY, sha('i'), sha('c')], 'INVALID_ARGUMENT', /own holder/],
        ['a zero amount', ['SupplierMSP', '0', 'CNY', MATURITY, sha('i'), sha('c')], 'INVALID_ARGUMENT', /amount/],
        ['a malformed amount', ['SupplierMSP', '10abc', 'CNY', MATURITY, sha('i'), sha('c')], 'INVALID_ARGUMENT', /amount/],
        ['a negative amount', ['SupplierMSP', '-5', 'CNY', MATURITY, sha('i'), sha('c')], 'INVALID_ARGUMENT', /amount/],
        ['a bad currency', ['SupplierMSP', '1', 'cny', MATURITY, sha('i'), sha('c')], 'INVALID_ARGUMENT', /currency/],
        ['a bad date', ['SupplierMSP', '1', 'CNY', '2024-02-30', sha('i'), sha('c')], 'INVALID_ARGUMENT', /maturityDate/],
        ['a maturity on the tx date', ['SupplierMSP', '1', 'CNY', '2024-01-01', sha('i'), sha('c')], 'INVALID_ARGUMENT', /after the transaction date/],
        ['a bad invoice hash', ['SupplierMSP', '1', 'CNY', MATURITY, 'abc', sha('c')], 'INVALID_ARGUMENT', /invoiceHash/],
        ['a bad contract hash', ['SupplierMSP', '1', 'CNY', MATURITY, sha('i'), 'z'.repeat(64)], 'INVALID_ARGUMENT', /contractHash/],
    ] as const)('rejects %s and changes nothing', async (_what, args, code, message) => {
        const net = await consortium();
        await rejectedWithoutChange(net, () => net.submit('BrandMSP', 'Issue', ...args), code, message);
    });

    it('lets an invoice hash back one root only', async () => {
        const net = await consortium();
        const first = await issued(net);
        await rejectedWithoutChange(
            net,
            () => net.submit('BankMSP', 'Issue', 'SupplierMSP', '5', 'CNY', MATURITY, sha('invoice-1'), sha('other')),
            'CONFLICT',
            new RegExp(`already backs receivable ${first.id}`),
        );
        expectOk(await net.submit('SupplierMSP', 'Reject', first.id));
        expectRejected(await net.submit('BrandMSP', 'Issue', 'SupplierMSP', '5', 'CNY', MATURITY, sha('invoice-1'), sha('c')), 'CONFLICT');
    });

    it('refuses regulators, non-members and repeated request ids', async () => {
        const net = await consortium();
        const args = ['SupplierMSP', '1', 'CNY', MATURITY, sha('i'), sha('c')];
        await rejectedWithoutChange(net, () => net.run('RegulatorMSP', 'receivables:Issue', ['r1', ...args], true), 'FORBIDDEN', /regulator/);
        await rejectedWithoutChange(net, () => net.run('StrangerMSP', 'receivables:Issue', ['r1', ...args], true), 'FORBIDDEN', /not a member/);
        const first = expectJson(await net.run('BrandMSP', 'receivables:Issue', ['r1', ...args], true)) as Rcv;
        await rejectedWithoutChange(
            net,
            () => net.run('BrandMSP', 'receivables:Issue', ['r1', 'SupplierMSP', '2', 'CNY', MATURITY, sha('j'), sha('c')], true),
            'DUPLICATE_REQUEST',
            new RegExp(`already processed in transaction ${first.id}`),
        );
        await rejectedWithoutChange(net, () => net.evaluate('StrangerMSP', 'Get', first.id), 'FORBIDDEN');
    });
});

describe('Accept / Reject', () => {
    it('moves PENDING to ACTIVE or REJECTED, only by the named holder, once', async () => {
        const net = await consortium();
        const a = await issued(net, '10', 'a');
        const b = await issued(net, '10', 'b');
        await rejectedWithoutChange(net, () => net.submit('BrandMSP', 'Accept', a.id), 'FORBIDDEN', /only the holder SupplierMSP/);
        await rejectedWithoutChange(net, () => net.submit('BankMSP', 'Reject', a.id), 'FORBIDDEN');
        const accepted = await net.submit('SupplierMSP', 'Accept', a.id);
        expect((expectJson(accepted) as Rcv).status).toBe('ACTIVE');
        expect(eventOf(accepted).payload.changes).toEqual([{ type: 'ReceivableAccepted', receivable: expect.objectContaining({ id: a.id, status: 'ACTIVE' }) }]);
        expect([...accepted.writes.keys()].filter((k) => k.includes('status'))).toHaveLength(2); // old key deleted, new key written
        await rejectedWithoutChange(net, () => net.submit('SupplierMSP', 'Accept', a.id), 'INVALID_STATE', /is ACTIVE/);
        await rejectedWithoutChange(net, () => net.submit('SupplierMSP', 'Reject', a.id), 'INVALID_STATE');
        expect((expectJson(await net.submit('SupplierMSP', 'Reject', b.id)) as Rcv).status).toBe('REJECTED');
        await rejectedWithoutChange(net, () => net.submit('SupplierMSP', 'Accept', b.id), 'INVALID_STATE');
        await rejectedWithoutChange(net, () => net.submit('SupplierMSP', 'Accept', 'nope'), 'NOT_FOUND');
        await rejectedWithoutChange(net, () => net.submit('SupplierMSP', 'Accept', 'bad id'), 'INVALID_ARGUMENT');
    });

    it('cannot accept after maturity', async () => {
        const net = await consortium();
        const a = await issued(net);
        net.day = AFTER_MATURITY;
        await rejectedWithoutChange(net, () => net.submit('SupplierMSP', 'Accept', a.id), 'INVALID_STATE', /matured/);
    });
});

describe('the full life of a receivable', () => {
    it('issue → accept → split twice → finance → settle → confirm; Tree, lists, History and CreditRecord agree', async () => {
        const net = await consortium();
        const root = await active(net);
        const split1 = await net.submit('SupplierMSP', 'SplitTransfer', root.id, partsOf(['SupplierMSP', '600000'], ['RetailMSP', '400000']));
        const { parent, children } = expectJson(split1) as { parent: Rcv; children: Rcv[] };
        expect(parent).toMatchObject({ status: 'SPLIT', children: [`${split1.txId}.1`, `${split1.txId}.2`] });
        expect(children.map((c) => [c.id, c.holder, c.amount, c.status, c.parentId, c.rootId])).toEqual([
            [`${split1.txId}.1`, 'SupplierMSP', '600000', 'ACTIVE', root.id, root.id],
            [`${split1.txId}.2`, 'RetailMSP', '400000', 'ACTIVE', root.id, root.id],
        ]);
        expect(eventOf(split1).payload.changes).toEqual([{ type: 'ReceivableSplit', parent, children }]);
        const [keep, retailPart] = children as [Rcv, Rcv];

        const split2 = await net.submit('SupplierMSP', 'SplitTransfer', keep.id, partsOf(['SupplierMSP', '100000'], ['BankMSP', '500000']));
        const [small, big] = (expectJson(split2) as { children: Rcv[] }).children as [Rcv, Rcv];
        await rejectedWithoutChange(net, () => net.submit('SupplierMSP', 'SplitTransfer', keep.id, partsOf(['RetailMSP', '600000'])), 'INVALID_STATE', /SPLIT/);

        // financing: Retail asks Bank, the node is frozen until the bank decides
        expect((expectJson(await net.submit('RetailMSP', 'RequestFinancing', retailPart.id, 'BankMSP')) as Rcv).status).toBe('UNDER_FINANCING');
        await rejectedWithoutChange(net, () => net.submit('RetailMSP', 'SplitTransfer', retailPart.id, partsOf(['SupplierMSP', '400000'])), 'INVALID_STATE', /UNDER_FINANCING/);
        await rejectedWithoutChange(net, () => net.submit('Bank2MSP', 'Finance', retailPart.id, '390000'), 'FORBIDDEN');
        await rejectedWithoutChange(net, () => net.submit('BankMSP', 'Finance', retailPart.id, '400001'), 'INVALID_ARGUMENT', /exceeds the face amount/);
        await rejectedWithoutChange(net, () => net.submit('BrandMSP', 'Settle', retailPart.id), 'INVALID_STATE');
        const financed = expectJson(await net.submit('BankMSP', 'Finance', retailPart.id, '390000')) as Rcv;
        expect(financed).toMatchObject({ holder: 'BankMSP', status: 'ACTIVE', financing: { status: 'FINANCED', discountedAmount: '390000', discountBps: 250 } });

        // settlement of every leaf
        for (const [leaf, holder] of [[small, 'SupplierMSP'], [big, 'BankMSP'], [retailPart, 'BankMSP']] as const) {
            await rejectedWithoutChange(net, () => net.submit(holder, 'Settle', leaf.id), 'FORBIDDEN', /only the issuer/);
            expect((expectJson(await net.submit('BrandMSP', 'Settle', leaf.id)) as Rcv).status).toBe('SETTLEMENT_PENDING');
            await rejectedWithoutChange(net, () => net.submit('BrandMSP', 'ConfirmSettlement', leaf.id), 'FORBIDDEN');
            expect((expectJson(await net.submit(holder, 'ConfirmSettlement', leaf.id)) as Rcv).status).toBe('SETTLED');
        }

        const tree = expectJson(await net.evaluate('RegulatorMSP', 'Tree', root.id)) as { amount: string; live: string; settled: string; tree: unknown };
        expect(tree).toMatchObject({ amount: '1000000', live: '0', settled: '1000000' });
        expect(tree.tree).toMatchObject({
            id: root.id,
            status: 'SPLIT',
            children: [
                { id: keep.id, status: 'SPLIT', children: [{ id: small.id, holder: 'SupplierMSP', amount: '100000', status: 'SETTLED' }, { id: big.id, holder: 'BankMSP', status: 'SETTLED' }] },
                { id: retailPart.id, holder: 'BankMSP', amount: '400000', status: 'SETTLED', children: [] },
            ],
        });
        expectRejected(await net.evaluate('BrandMSP', 'Tree', keep.id), 'INVALID_ARGUMENT', /not a root/);

        const credit = expectJson(await net.evaluate('BankMSP', 'CreditRecord', 'BrandMSP')) as Record<string, unknown>;
        expect(credit).toMatchObject({
            issuer: 'BrandMSP',
            settlements: 3,
            onTimeBps: 10000,
            currencies: [{ currency: 'CNY', onTime: { count: 3, amount: '1000000' }, late: { count: 0, amount: '0' }, overdueUnpaid: { count: 0, amount: '0' } }],
        });
        expect(expectJson(await net.evaluate('BankMSP', 'CreditRecord', 'SupplierMSP'))).toMatchObject({ settlements: 0, onTimeBps: null, currencies: [] });

        // lists by holder (paginated), issuer and status
        const page1 = expectJson(await net.evaluate('BankMSP', 'ListByHolder', 'BankMSP', '1', '')) as { items: Rcv[]; bookmark: string };
        expect(page1.items).toHaveLength(1);
        const page2 = expectJson(await net.evaluate('BankMSP', 'ListByHolder', 'BankMSP', '10', page1.bookmark)) as { items: Rcv[] };
        expect([...page1.items, ...page2.items].map((r) => r.id).sort()).toEqual([big.id, retailPart.id].sort());
        const byIssuer = expectJson(await net.evaluate('BankMSP', 'ListByIssuer', 'BrandMSP', '100', '')) as { items: Rcv[] };
        expect(byIssuer.items).toHaveLength(5);
        const settled = expectJson(await net.evaluate('BankMSP', 'ListByStatus', 'SETTLED', '100', '')) as { items: Rcv[] };
        expect(settled.items.map((r) => r.id).sort()).toEqual([small.id, big.id, retailPart.id].sort());
        expectRejected(await net.evaluate('BankMSP', 'ListByStatus', 'NOPE', '10', ''), 'INVALID_ARGUMENT');
        expectRejected(await net.evaluate('BankMSP', 'ListByHolder', 'BankMSP', '0', ''), 'INVALID_ARGUMENT');
        expectRejected(await net.evaluate('BankMSP', 'ListByHolder', 'BankMSP', '201', ''), 'INVALID_ARGUMENT');

        const history = expectJson(await net.evaluate('RegulatorMSP', 'History', retailPart.id)) as Array<{ txId: string; by: string; value: Rcv }>;
        expect(history.map((h) => [h.by, h.value.status])).toEqual([
            ['BankMSP', 'SETTLED'],
            ['BrandMSP', 'SETTLEMENT_PENDING'],
            ['BankMSP', 'ACTIVE'],
            ['RetailMSP', 'UNDER_FINANCING'],
            ['SupplierMSP', 'ACTIVE'],
        ]);
        expect(history[4]?.txId).toBe(split1.txId);
        expectRejected(await net.evaluate('RegulatorMSP', 'History', 'nope'), 'NOT_FOUND');
    });
});

describe('SplitTransfer', () => {
    /** Split transactions simulated on one committed snapshot, as concurrent clients' proposals are endorsed. */
    async function concurrentSplits(net: Net, ids: readonly string[]): Promise<TestStub[]> {
        const stubs = ids.map(
            (id, i) =>
                new TestStub({
                    ledger: net.ledger,
                    mspId: 'SupplierMSP',
                    fcn: 'receivables:SplitTransfer',
                    args: [`conc-req-${i}`, id, partsOf(['SupplierMSP', '6'], ['RetailMSP', '4'])],
                    txId: `conc-${i}`,
                }),
        );
        for (const stub of stubs) expect((await net.channel.chaincode.Invoke(stub)).status).toBe(200);
        return stubs;
    }

    it('concurrent splits of different receivables of one holder share no key or range: none invalidates another', async () => {
        const net = await consortium();
        const a = await active(net, '10', 'inv-a');
        const b = await active(net, '10', 'inv-b');
        const c = await active(net, '10', 'inv-c');
        const stubs = await concurrentSplits(net, [a.id, b.id, c.id]);
        for (const x of stubs) {
            expect(x.reads.ranges).toEqual([]);
            for (const y of stubs) if (x !== y) expect(invalidates(x.writes.keys(), y.reads)).toBe(false);
        }
        for (const x of stubs) await x.commit();
        for (const r of [a, b, c]) expect((await get(net, r.id)).status).toBe('SPLIT');
        const byHolder = expectJson(await net.evaluate('RegulatorMSP', 'ListByHolder', 'RetailMSP', '50', '')) as { items: Rcv[] };
        expect(byHolder.items.map((r) => r.amount)).toEqual(['4', '4', '4']);
    });

    it('two concurrent splits of the same receivable conflict on its key (the second to commit is invalid)', async () => {
        const net = await consortium();
        const a = await active(net, '10', 'inv-a');
        const [x, y] = (await concurrentSplits(net, [a.id, a.id])) as [TestStub, TestStub];
        expect(invalidates(x.writes.keys(), y.reads)).toBe(true);
        expect(invalidates(y.writes.keys(), x.reads)).toBe(true);
        await x.done();
        await y.done();
    });

    it.each([
        ['parts summing to less', partsOf(['SupplierMSP', '5'], ['RetailMSP', '4']), 'INVALID_ARGUMENT', /sum to 9, not to the receivable's 10/],
        ['parts summing to more', partsOf(['SupplierMSP', '5'], ['RetailMSP', '6']), 'INVALID_ARGUMENT', /sum to 11/],
        ['a zero part', partsOf(['SupplierMSP', '10'], ['RetailMSP', '0']), 'INVALID_ARGUMENT', /greater than 0/],
        ['a non-member', partsOf(['SupplierMSP', '5'], ['StrangerMSP', '5']), 'INVALID_ARGUMENT', /not a member/],
        ['a regulator', partsOf(['SupplierMSP', '5'], ['RegulatorMSP', '5']), 'INVALID_ARGUMENT', /regulator/],
        ['the issuer', partsOf(['SupplierMSP', '5'], ['BrandMSP', '5']), 'INVALID_ARGUMENT', /issuer/],
        ['no parts', '[]', 'INVALID_ARGUMENT', /partsJson/],
        ['not JSON', '[{', 'INVALID_ARGUMENT', /partsJson/],
        ['a numeric amount', json([{ holder: 'RetailMSP', amount: 10 }]), 'INVALID_ARGUMENT', /partsJson/],
    ] as const)('rejects %s and changes nothing', async (_what, parts, code, message) => {
        const net = await consortium();
        const r = await active(net, '10');
        await rejectedWithoutChange(net, () => net.submit('SupplierMSP', 'SplitTransfer', r.id, parts), code, message);
    });

    it('only the holder, only ACTIVE, never after maturity', async () => {
        const net = await consortium();
        const pending = await issued(net, '10', 'p');
        await rejectedWithoutChange(net, () => net.submit('SupplierMSP', 'SplitTransfer', pending.id, partsOf(['RetailMSP', '10'])), 'INVALID_STATE', /PENDING/);
        const r = await active(net, '10');
        await rejectedWithoutChange(net, () => net.submit('RetailMSP', 'SplitTransfer', r.id, partsOf(['RetailMSP', '10'])), 'FORBIDDEN');
        await rejectedWithoutChange(net, () => net.submit('BrandMSP', 'SplitTransfer', r.id, partsOf(['RetailMSP', '10'])), 'FORBIDDEN');
        const r2 = await active(net, '10', 'other');
        net.day = AFTER_MATURITY - 1; // on the maturity date: still transferable
        expectOk(await net.submit('SupplierMSP', 'SplitTransfer', r.id, partsOf(['RetailMSP', '10'])));
        net.day = AFTER_MATURITY;
        await rejectedWithoutChange(net, () => net.submit('SupplierMSP', 'SplitTransfer', r2.id, partsOf(['RetailMSP', '10'])), 'INVALID_STATE', /matured/);
        await rejectedWithoutChange(net, () => net.submit('SupplierMSP', 'RequestFinancing', r2.id, 'BankMSP'), 'INVALID_STATE', /matured/);
    });
});

describe('financing', () => {
    it('needs a FINANCIER; decline by the financier or the holder returns it to ACTIVE', async () => {
        const net = await consortium();
        const r = await active(net, '10');
        await rejectedWithoutChange(net, () => net.submit('SupplierMSP', 'RequestFinancing', r.id, 'RetailMSP'), 'INVALID_ARGUMENT', /FINANCIER/);
        await rejectedWithoutChange(net, () => net.submit('SupplierMSP', 'RequestFinancing', r.id, 'bad id'), 'INVALID_ARGUMENT');
        await rejectedWithoutChange(net, () => net.submit('BankMSP', 'RequestFinancing', r.id, 'BankMSP'), 'FORBIDDEN');
        await rejectedWithoutChange(net, () => net.submit('SupplierMSP', 'Finance', r.id, '9'), 'INVALID_STATE', /not UNDER_FINANCING/);
        await rejectedWithoutChange(net, () => net.submit('SupplierMSP', 'DeclineFinancing', r.id), 'INVALID_STATE');
        expectOk(await net.submit('SupplierMSP', 'RequestFinancing', r.id, 'BankMSP'));
        await rejectedWithoutChange(net, () => net.submit('SupplierMSP', 'RequestFinancing', r.id, 'Bank2MSP'), 'INVALID_STATE');
        await rejectedWithoutChange(net, () => net.submit('RetailMSP', 'DeclineFinancing', r.id), 'FORBIDDEN');
        const declined = expectJson(await net.submit('BankMSP', 'DeclineFinancing', r.id)) as Rcv;
        expect(declined).toMatchObject({ status: 'ACTIVE', holder: 'SupplierMSP', financing: { status: 'DECLINED', discountedAmount: null } });
        expectOk(await net.submit('SupplierMSP', 'RequestFinancing', r.id, 'Bank2MSP'));
        expect(expectJson(await net.submit('SupplierMSP', 'DeclineFinancing', r.id))).toMatchObject({ status: 'ACTIVE' });
        expectOk(await net.submit('SupplierMSP', 'RequestFinancing', r.id, 'Bank2MSP'));
        await rejectedWithoutChange(net, () => net.submit('Bank2MSP', 'Finance', r.id, '0'), 'INVALID_ARGUMENT');
        expect(expectJson(await net.submit('Bank2MSP', 'Finance', r.id, '10'))).toMatchObject({ holder: 'Bank2MSP', financing: { discountBps: 0 } });
    });

    it('cannot finance after maturity; an overdue request is closed', async () => {
        const net = await consortium();
        const r = await active(net, '10');
        expectOk(await net.submit('SupplierMSP', 'RequestFinancing', r.id, 'BankMSP'));
        net.day = AFTER_MATURITY;
        await rejectedWithoutChange(net, () => net.submit('BankMSP', 'Finance', r.id, '9'), 'INVALID_STATE', /matured/);
        expect(expectJson(await net.submit('RetailMSP', 'MarkOverdue', r.id))).toMatchObject({ status: 'OVERDUE', financing: { status: 'DECLINED' } });
    });
});

describe('settlement and overdue', () => {
    it('records late payment of an overdue receivable in the credit record', async () => {
        const net = await consortium();
        const r = await active(net, '10');
        const r2 = await active(net, '7', 'inv-2');
        const r3 = await active(net, '5', 'inv-3');
        await rejectedWithoutChange(net, () => net.submit('RetailMSP', 'MarkOverdue', r.id), 'INVALID_STATE', /not overdue/);
        expectOk(await net.submit('BrandMSP', 'Settle', r3.id)); // early: on time
        net.day = AFTER_MATURITY;
        const overdue = await net.submit('RetailMSP', 'MarkOverdue', r.id);
        expect(eventOf(overdue).payload.changes).toEqual([{ type: 'ReceivableOverdue', receivable: expect.objectContaining({ status: 'OVERDUE' }) }]);
        expectOk(await net.submit('BankMSP', 'MarkOverdue', r2.id));
        await rejectedWithoutChange(net, () => net.submit('RetailMSP', 'MarkOverdue', r.id), 'INVALID_STATE', /OVERDUE/);
        await rejectedWithoutChange(net, () => net.run('RegulatorMSP', 'receivables:MarkOverdue', ['x', r.id], true), 'FORBIDDEN');
        expect(expectJson(await net.evaluate('BankMSP', 'CreditRecord', 'BrandMSP'))).toMatchObject({
            settlements: 1,
            onTimeBps: 10000,
            currencies: [{ onTime: { count: 1, amount: '5' }, late: { count: 0 }, overdueUnpaid: { count: 2, amount: '17' } }],
        });
        const paid = expectJson(await net.submit('BrandMSP', 'Settle', r.id)) as { settlement: { onTime: boolean } };
        expect(paid.settlement.onTime).toBe(false);
        await rejectedWithoutChange(net, () => net.submit('BrandMSP', 'Settle', r.id), 'INVALID_STATE');
        expectOk(await net.submit('SupplierMSP', 'ConfirmSettlement', r.id));
        await rejectedWithoutChange(net, () => net.submit('SupplierMSP', 'ConfirmSettlement', r.id), 'INVALID_STATE');
        const credit = expectJson(await net.evaluate('BankMSP', 'CreditRecord', 'BrandMSP')) as { entries: Array<{ receivableId: string; outcome: string }> };
        expect(credit).toMatchObject({
            settlements: 2,
            onTimeBps: 5000,
            currencies: [{ currency: 'CNY', onTime: { count: 1, amount: '5' }, late: { count: 1, amount: '10' }, overdueUnpaid: { count: 1, amount: '7' } }],
        });
        expect(credit.entries.map((e) => [e.receivableId, e.outcome]).sort()).toEqual([[r.id, 'LATE'], [r2.id, 'OVERDUE'], [r3.id, 'ON_TIME']].sort());
    });
});

describe('reads of malformed state', () => {
    it('answer INVALID_STATE rather than trusting the ledger', async () => {
        const net = await consortium();
        const r = await active(net, '10');
        const bad = (key: string): void =>
            net.ledger.commit([{ namespace: net.ledger.namespace, key, value: new Uint8Array(Buffer.from('{"id":1}')) }], { txId: 'evil', timestamp: { seconds: EPOCH, nanos: 0 } });
        bad(`\u0000upoint.receivables.holder\u0000SupplierMSP\u0000zz\u0000`);
        expectRejected(await net.evaluate('BankMSP', 'ListByHolder', 'SupplierMSP', '10', ''), 'INVALID_STATE', /malformed/);
        bad(`\u0000upoint.receivables.receivable\u0000${r.id}\u0000`);
        expectRejected(await net.evaluate('BankMSP', 'Get', r.id), 'INVALID_STATE', /malformed/);
        expectRejected(await net.evaluate('BankMSP', 'History', r.id), 'INVALID_STATE', /malformed/);
        await rejectedWithoutChange(net, () => net.submit('SupplierMSP', 'SplitTransfer', r.id, partsOf(['RetailMSP', '10'])), 'INVALID_STATE');
    });
});

describe('issueReceivableInTx (delivery-versus-payment)', () => {
    async function inTx(mspId: string, run: (ctx: ReturnType<ReceivablesContract['createContext']>) => Promise<unknown>): Promise<{ stub: TestStub; value: unknown }> {
        const net = await consortium();
        const contract = new ReceivablesContract();
        const { ctx, stub } = newTestContext(contract, { ledger: net.ledger, mspId, fcn: 'tokens:Buy', args: ['r1'], txId: 'dvp1' });
        const member = CONSORTIUM.find((m) => m.mspId === mspId) ?? null;
        ctx.begin({ contract: 'tokens', transaction: 'Buy', mode: 'submit', caller: { mspId, member: member as never }, requestId: 'r1' });
        return { stub, value: await run(ctx) };
    }

    it('creates ACTIVE roots with the reference, distinct ids per call, indexes and changes', async () => {
        const p = { issuer: 'RetailMSP', holder: 'SupplierMSP', amount: 500n, currency: 'CNY', maturityDate: '2024-06-30', reference: 'offer:tx9' };
        const { stub, value } = await inTx('RetailMSP', async (ctx) => {
            const a = await issueReceivableInTx(ctx, p);
            const b = await issueReceivableInTx(ctx, { ...p, amount: 1n });
            return { a, b, changes: ctx.changes };
        });
        const { a, b, changes } = value as { a: { id: string; changes: unknown[] }; b: { id: string }; changes: unknown[] };
        expect([a.id, b.id]).toEqual(['dvp1.p1', 'dvp1.p2']);
        expect(changes).toHaveLength(2);
        expect(a.changes).toEqual([changes[0]]);
        expect(changes[0]).toMatchObject({ type: 'ReceivableIssued', receivable: { status: 'ACTIVE', reference: 'offer:tx9', invoiceHash: null, amount: 500n } });
        expect([...stub.writes.keys()].filter((k) => k.includes('dvp1.p1'))).toHaveLength(4);
    });

    it.each([
        ['another issuer', { issuer: 'BrandMSP' }, 'FORBIDDEN'],
        ['a past maturity', { maturityDate: '2023-12-31' }, 'INVALID_ARGUMENT'],
        ['a bad currency', { currency: 'x' }, 'INVALID_ARGUMENT'],
        ['a zero amount', { amount: 0n }, 'INVALID_ARGUMENT'],
        ['a bad reference', { reference: 'with space' }, 'INVALID_ARGUMENT'],
        ['a non-member seller', { holder: 'StrangerMSP' }, 'INVALID_ARGUMENT'],
    ] as const)('rejects %s', async (_what, change, code) => {
        const p = { issuer: 'RetailMSP', holder: 'SupplierMSP', amount: 500n, currency: 'CNY', maturityDate: '2024-06-30', reference: 'offer:tx9', ...change };
        const { value } = await inTx('RetailMSP', async (ctx) => issueReceivableInTx(ctx, p).then(() => 'ok', (e: unknown) => (e as { code?: string }).code));
        expect(value).toBe(code);
    });
});

// ------------------------------------------------------------------------------------------------------------------
// Property tests over random operation sequences.

const ORGS = ['BrandMSP', 'SupplierMSP', 'BankMSP', 'Bank2MSP', 'RetailMSP', 'RegulatorMSP', 'StrangerMSP'] as const;
type Op =
    | { kind: 'split'; node: number; caller: number; shares: number[]; holders: number[]; skew: number }
    | { kind: 'request'; node: number; caller: number; financier: number }
    | { kind: 'finance'; node: number; caller: number; pct: number }
    | { kind: 'decline'; node: number; caller: number }
    | { kind: 'settle'; node: number; caller: number }
    | { kind: 'confirm'; node: number; caller: number }
    | { kind: 'overdue'; node: number; caller: number }
    | { kind: 'advance'; days: number };

/**
 * An org index; past the end of ORGS it stands for the node's holder, its issuer or its requested financier (so
 * that moves often succeed).
 */
const H = ORGS.length;
const org: fc.Arbitrary<number> = fc.constantFrom(H, H, H, H, H + 1, H + 2, H + 2, 0, 1, 2, 3, 4, 5, 6);
/** Part holders: mostly valid members (indexes into ORGS), sometimes the issuer, a regulator or a stranger. */
const partHolder = fc.constantFrom(1, 2, 3, 4, 1, 2, 4, 0, 5, 6);
function orgOf(i: number, node: Rcv): string {
    if (i === ORGS.length) return node.holder;
    if (i === ORGS.length + 1) return node.issuer;
    if (i === ORGS.length + 2) return node.financing?.financier ?? 'BankMSP';
    return ORGS[i] ?? 'BrandMSP';
}
const opArb: fc.Arbitrary<Op> = fc.oneof(
    {
        weight: 6,
        arbitrary: fc.record({
            kind: fc.constant('split' as const),
            node: fc.nat(),
            caller: org,
            shares: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
            holders: fc.array(partHolder, { minLength: 3, maxLength: 3 }),
            skew: fc.constantFrom(0, 0, 0, 0, 0, 1, -1),
        }),
    },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('request' as const), node: fc.nat(), caller: org, financier: fc.constantFrom(2, 3, 2, 3, 4, 0) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('finance' as const), node: fc.nat(), caller: org, pct: fc.oneof(fc.integer({ min: 90, max: 100 }), fc.constantFrom(0, 101)) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('decline' as const), node: fc.nat(), caller: org }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('settle' as const), node: fc.nat(), caller: org }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('confirm' as const), node: fc.nat(), caller: org }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('overdue' as const), node: fc.nat(), caller: org }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), days: fc.integer({ min: 1, max: 100 }) }) },
);

function callOf(op: Exclude<Op, { kind: 'advance' }>, node: Rcv): { caller: string; tx: string; args: string[] } {
    const caller = orgOf(op.caller, node);
    switch (op.kind) {
        case 'split': {
            const amount = BigInt(node.amount);
            const total = BigInt(op.shares.reduce((a, b) => a + b, 0));
            const amounts = op.shares.map((s) => (amount * BigInt(s)) / total);
            amounts[0] = (amounts[0] ?? 0n) + amount - amounts.reduce((a, b) => a + b, 0n) + BigInt(op.skew);
            const parts = amounts.map((a, i) => ({ holder: ORGS[op.holders[i] ?? 0] ?? 'RetailMSP', amount: a.toString() }));
            return { caller, tx: 'SplitTransfer', args: [node.id, json(parts)] };
        }
        case 'request':
            return { caller, tx: 'RequestFinancing', args: [node.id, ORGS[op.financier] ?? 'BankMSP'] };
        case 'finance':
            return { caller, tx: 'Finance', args: [node.id, ((BigInt(node.amount) * BigInt(op.pct) + 99n) / 100n).toString()] };
        case 'decline':
            return { caller, tx: 'DeclineFinancing', args: [node.id] };
        case 'settle':
            return { caller, tx: 'Settle', args: [node.id] };
        case 'confirm':
            return { caller, tx: 'ConfirmSettlement', args: [node.id] };
        case 'overdue':
            return { caller, tx: 'MarkOverdue', args: [node.id] };
    }
}

const PREFERRED: Record<Exclude<Op, { kind: 'advance' }>['kind'], readonly string[]> = {
    split: ['ACTIVE'],
    request: ['ACTIVE'],
    finance: ['UNDER_FINANCING'],
    decline: ['UNDER_FINANCING'],
    settle: ['ACTIVE', 'OVERDUE'],
    confirm: ['SETTLEMENT_PENDING'],
    overdue: ['ACTIVE', 'UNDER_FINANCING'],
};

interface Trace {
    readonly writes: string[];
    readonly events: string[];
    /** The transactions that succeeded, in order. */
    readonly ok: string[];
}

/** Run `ops` on a fresh consortium with one accepted root; check the invariants after every step. */
async function runOps(ops: readonly Op[]): Promise<Trace> {
    const net = await consortium();
    const root = await active(net, '1000');
    const trace: Trace = { writes: [], events: [], ok: [] };
    for (const op of ops) {
        if (op.kind === 'advance') {
            net.day += op.days;
            continue;
        }
        const nodes = (expectJson(await net.evaluate('BrandMSP', 'ListByIssuer', 'BrandMSP', '200', '')) as { items: Rcv[] }).items;
        // even node numbers pick among the nodes the operation could apply to, odd ones among all nodes
        const preferred = nodes.filter((r) => PREFERRED[op.kind].includes(r.status));
        const pool = op.node % 2 === 0 && preferred.length > 0 ? preferred : nodes;
        const node = pool[Math.floor(op.node / 2) % pool.length];
        if (node === undefined) continue;
        const { caller, tx, args } = callOf(op, node);
        const before = await net.dump();
        const result = await net.submit(caller, tx, ...args);
        trace.writes.push(json([...result.writes.entries()].map(([k, v]) => [k, v === undefined ? null : Buffer.from(v).toString('hex')])));
        trace.events.push(result.event === undefined ? '' : Buffer.from(result.event.payload).toString('hex'));
        const after = await get(net, node.id);
        if (result.status !== 200) {
            // every rejected call changes nothing
            expect(await net.dump()).toEqual(before);
            continue;
        }
        trace.ok.push(tx);
        // only non-regulator members change state
        expect(['RegulatorMSP', 'StrangerMSP']).not.toContain(caller);
        // only the holder moves a node; nothing moves under financing; no transfer after maturity
        if (tx === 'SplitTransfer') {
            expect(caller).toBe(node.holder);
            expect(node.status).toBe('ACTIVE');
            expect(net.day).toBeLessThan(AFTER_MATURITY);
        }
        if (node.status === 'UNDER_FINANCING') expect(['Finance', 'DeclineFinancing', 'MarkOverdue']).toContain(tx);
        if (after.holder !== node.holder) {
            expect(tx).toBe('Finance');
            expect(node.status).toBe('UNDER_FINANCING');
        }
        // live leaves + settled = root amount, every amount > 0
        const tree = expectJson(await net.evaluate('BrandMSP', 'Tree', root.id)) as { live: string; settled: string };
        expect(BigInt(tree.live) + BigInt(tree.settled)).toBe(1000n);
        const all = (expectJson(await net.evaluate('BrandMSP', 'ListByIssuer', 'BrandMSP', '200', '')) as { items: Rcv[] }).items;
        expect(all.every((r) => BigInt(r.amount) > 0n)).toBe(true);
        const leaves = all.filter((r) => r.status !== 'SPLIT');
        expect(leaves.reduce((s, r) => s + BigInt(r.amount), 0n)).toBe(1000n);
        for (const r of all.filter((x) => x.status === 'SPLIT')) {
            const kids = all.filter((x) => x.parentId === r.id);
            expect(kids.reduce((s, k) => s + BigInt(k.amount), 0n)).toBe(BigInt(r.amount));
        }
    }
    return trace;
}

describe('properties', () => {
    it('conservation, holder-only moves, frozen under financing, no transfer after maturity, rejections change nothing', async () => {
        const succeeded = new Set<string>();
        await fc.assert(
            fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 20 }), async (ops) => {
                for (const tx of (await runOps(ops)).ok) succeeded.add(tx);
            }),
            { numRuns: 80, seed: 7 },
        );
        // the random sequences really exercised the moves, not only rejections
        expect([...succeeded].sort()).toEqual(
            ['ConfirmSettlement', 'DeclineFinancing', 'Finance', 'MarkOverdue', 'RequestFinancing', 'Settle', 'SplitTransfer'].filter((t) => succeeded.has(t) || t !== 'ConfirmSettlement'),
        );
    });

    it('is deterministic: the same calls at the same times write the same bytes and events', async () => {
        await fc.assert(
            fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 6 }), async (ops) => {
                expect(await runOps(ops)).toEqual(await runOps(ops));
            }),
            { numRuns: 8 },
        );
    });

    it('exactly-once: a repeated request id fails with DUPLICATE_REQUEST naming the first tx and changes nothing', async () => {
        const net = await consortium();
        const r = await active(net, '1000');
        await fc.assert(
            fc.asyncProperty(fc.constantFrom('SplitTransfer', 'RequestFinancing', 'Settle', 'Accept'), fc.stringMatching(/^[a-z0-9]{1,12}$/), async (tx, id) => {
                const requestId = `dup-${id}`;
                const args = tx === 'SplitTransfer' ? [r.id, partsOf(['RetailMSP', '1000'])] : tx === 'RequestFinancing' ? [r.id, 'BankMSP'] : [r.id];
                const first = await net.run('SupplierMSP', `receivables:${tx}`, [requestId, ...args], true);
                await rejectedWithoutChange(
                    net,
                    () => net.run('SupplierMSP', `receivables:${tx}`, [requestId, ...args], true),
                    first.status === 200 ? 'DUPLICATE_REQUEST' : (first.message.split(':')[0] as 'INVALID_STATE'),
                    first.status === 200 ? new RegExp(`already processed in transaction ${first.txId}`) : undefined,
                );
            }),
            { numRuns: 20 },
        );
    });

    it('regulators and non-members never change state', async () => {
        const net = await consortium();
        const r = await active(net, '1000');
        expectOk(await net.submit('SupplierMSP', 'RequestFinancing', r.id, 'BankMSP'));
        const arity: Record<string, number> = { Issue: 6, Accept: 1, Reject: 1, SplitTransfer: 2, RequestFinancing: 2, Finance: 2, DeclineFinancing: 1, Settle: 1, ConfirmSettlement: 1, MarkOverdue: 1 };
        const argArb = fc.constantFrom(r.id, '1', 'BankMSP', 'RetailMSP', MATURITY, 'CNY', sha('x'), partsOf(['RetailMSP', '1000']));
        await fc.assert(
            fc.asyncProperty(fc.constantFrom('RegulatorMSP', 'StrangerMSP'), fc.constantFrom(...Object.keys(arity)), fc.array(argArb, { minLength: 6, maxLength: 6 }), async (caller, tx, args) => {
                const n = arity[tx] ?? 0;
                await rejectedWithoutChange(net, () => net.run(caller, `receivables:${tx}`, ['x1', ...args.slice(0, n)], true), 'FORBIDDEN');
            }),
            { numRuns: 30 },
        );
    });
});
