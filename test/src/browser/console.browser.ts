/// <reference lib="dom" />
// The console in a real headless Chromium: a receivable split twice drawn as a tree that equals the ledger's tree;
// the regulator sees no write control on any view and a write forged from the page is refused (403 FORBIDDEN,
// chain height unchanged); the live feed shows an event another client made, and after its connection is cut it
// resumes with the event made meanwhile exactly once; a member accepts a pending receivable from the console and
// the ledger shows it. A screenshot of each.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Page } from 'playwright-core';
import { attrs, BrowserHarness, describeBrowser, pageLog, quiet } from './harness';

const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const VIEWS = ['lots', 'stock', 'receivables', 'credit', 'tx', 'events'] as const;

interface Receivable {
    id: string;
    issuer: string;
    holder: string;
    amount: string;
    status: string;
}
interface LedgerNode {
    id: string;
    holder: string;
    amount: string;
    status: string;
    children: LedgerNode[];
}
interface LedgerTree {
    rootId: string;
    tree: LedgerNode;
}
/** A tree node as the page draws it: its attributes and the id of the tree-node it is nested in. */
interface DrawnNode {
    id: string | null;
    holder: string | null;
    amount: string | null;
    status: string | null;
    parent: string | null;
}

function flatten(node: LedgerNode, parent: string | null, out: DrawnNode[] = []): DrawnNode[] {
    out.push({ id: node.id, holder: node.holder, amount: node.amount, status: node.status, parent });
    for (const c of node.children) flatten(c, node.id, out);
    return out;
}

const byId = (a: DrawnNode, b: DrawnNode): number => ((a.id ?? '') < (b.id ?? '') ? -1 : (a.id ?? '') > (b.id ?? '') ? 1 : 0);

/** Every `[data-testid=tree-node]` with its data attributes and the nearest enclosing tree-node (its parent). */
function drawnTree(page: Page): Promise<DrawnNode[]> {
    return page.$$eval('[data-testid=receivable-tree] [data-testid=tree-node]', (els) =>
        els.map((e) => ({
            id: e.getAttribute('data-id'),
            holder: e.getAttribute('data-holder'),
            amount: e.getAttribute('data-amount'),
            status: e.getAttribute('data-status'),
            parent: e.parentElement?.closest('[data-testid=tree-node]')?.getAttribute('data-id') ?? null,
        })),
    );
}

describeBrowser('console in Chromium', () => {
    const h = new BrowserHarness(102500);
    let n = 0;
    const idem = (what: string): string => `c-${what}-${++n}`;

    /** Issued by Brand to Supplier (PENDING), with the issuing transaction's id. */
    const issue = async (invoice: string, amount = '1000000'): Promise<Receivable & { txId: string }> => {
        const w = await h.gw.write<Receivable>('POST', '/v1/receivables', 'BrandMSP', idem('issue'), {
            holder: 'SupplierMSP',
            amount,
            currency: 'CNY',
            maturityDate: '2099-12-31',
            invoiceHash: sha(invoice),
            contractHash: sha(`contract-${invoice}`),
        });
        return { ...w.result, txId: w.txId };
    };

    /** Waits until the receivable tree is drawn with `count` nodes. */
    const treeDrawn = async (page: Page, count: number): Promise<void> => {
        await page.locator('[data-testid=receivable-tree]').waitFor({ state: 'visible' });
        await page.waitForFunction((c) => document.querySelectorAll('[data-testid=receivable-tree] [data-testid=tree-node]').length === c, count);
    };

    /** Opens a receivable's page in the console: from the receivables view through its link, or by its route. */
    const openReceivable = async (page: Page, id: string): Promise<void> => {
        await h.openView(page, 'receivables');
        const link = page.locator(`a[href$="#/receivables/${encodeURIComponent(id)}"]`).first();
        if ((await link.count()) > 0) await link.click();
        else await page.evaluate((rid) => (window.location.hash = `#/receivables/${encodeURIComponent(rid)}`), id);
        await quiet(page);
    };

    beforeAll(() => h.start(), 240_000);
    afterAll(() => h.stop(), 60_000);

    it('draws the split tree of a receivable split twice exactly as the ledger has it', async () => {
        const root = await issue('invoice-tree-1');
        await h.gw.write('POST', `/v1/receivables/${root.id}/acceptance`, 'SupplierMSP', idem('accept'));
        const first = await h.gw.write<{ children: Receivable[] }>('POST', `/v1/receivables/${root.id}/transfers`, 'SupplierMSP', idem('split'), {
            parts: [
                { holder: 'SupplierMSP', amount: '600000' },
                { holder: 'BankMSP', amount: '400000' },
            ],
        });
        const kept = first.result.children[0] as Receivable;
        await h.gw.write('POST', `/v1/receivables/${kept.id}/transfers`, 'SupplierMSP', idem('split'), {
            parts: [
                { holder: 'SupplierMSP', amount: '250000' },
                { holder: 'BankMSP', amount: '350000' },
            ],
        });
        await h.settle();
        const ledger = await h.gw.get<LedgerTree>(`/v1/receivables/${root.id}/tree`, 'BrandMSP');
        const expected = flatten(ledger.tree, null).sort(byId);
        expect(expected).toHaveLength(5);

        const page = await h.page();
        await h.signIn(page, 'BrandMSP');
        expect(await page.locator('[data-testid=role]').innerText()).toMatch(/member|成员/i);
        expect(await page.locator('[data-testid=role]').innerText()).toContain('BrandMSP');
        await openReceivable(page, root.id);
        await treeDrawn(page, expected.length);
        expect((await drawnTree(page)).sort(byId)).toEqual(expected);
        await h.shot(page, 'console, receivable split twice: the tree (ids, holders, amounts, statuses) as on the ledger');
        expect(pageLog(page).errors).toEqual([]);
    }, 180_000);

    it('shows the regulator no write control on any view, and refuses a write forged from the page', async () => {
        const pending = await issue('invoice-regulator-1', '5000');
        await h.settle();
        const page = await h.page();
        await h.signIn(page, 'regulator');
        expect(await page.locator('[data-testid=role]').innerText()).toMatch(/regulator|监管/i);
        const writes: Record<string, number> = {};
        const count = (): Promise<number> => page.evaluate(() => document.querySelectorAll('[data-write]').length);
        writes['sign-in'] = await count();
        for (const view of VIEWS) {
            await h.openView(page, view);
            writes[view] = await count();
        }
        // the records too: a receivable with its tree (a pending one: its holder could accept it), a credit record
        await openReceivable(page, pending.id);
        await page.locator('[data-testid=receivable-tree]').waitFor({ state: 'visible' });
        writes[`receivables/${pending.id}`] = await count();
        await h.shot(page, 'console signed in as the regulator: a pending receivable with its tree, no action offered', 'receivable');
        await page.evaluate(() => (window.location.hash = '#/credit/BrandMSP'));
        await quiet(page);
        writes['credit/BrandMSP'] = await count();
        await page.evaluate((tx) => (window.location.hash = `#/tx/${tx}`), pending.txId);
        await quiet(page);
        writes[`tx/${pending.txId}`] = await count();
        expect(writes).toEqual(Object.fromEntries(Object.keys(writes).map((k) => [k, 0])));
        await h.shot(page, 'console signed in as the regulator: no write control (transaction view)');

        // the key lives in sessionStorage only, never in localStorage
        const key = h.gw.key('regulator');
        const stored = await page.evaluate(() => ({
            session: Object.keys(sessionStorage).map((k) => sessionStorage.getItem(k) ?? ''),
            local: Object.keys(localStorage).map((k) => localStorage.getItem(k) ?? ''),
        }));
        expect(stored.session.some((v) => v.includes(key))).toBe(true);
        expect(stored.local.some((v) => v.includes(key))).toBe(false);

        // a write forged from the page with the regulator's key is refused before it reaches Fabric
        const before = await h.height();
        const forged = await page.evaluate(async (invoiceHash) => {
            let k = '';
            for (const name of Object.keys(sessionStorage)) {
                const v = sessionStorage.getItem(name) ?? '';
                const m = /upk_[A-Za-z0-9_-]+/.exec(v);
                if (m !== null) k = m[0];
            }
            const res = await fetch('/v1/receivables', {
                method: 'POST',
                headers: { Authorization: `Bearer ${k}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'forged-by-regulator-1' },
                body: JSON.stringify({ holder: 'SupplierMSP', amount: '1', currency: 'CNY', maturityDate: '2099-12-31', invoiceHash, contractHash: invoiceHash }),
            });
            return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as { code?: string } };
        }, sha('forged-invoice'));
        expect(forged.status).toBe(403);
        expect(forged.type).toMatch(/^application\/problem\+json/);
        expect(forged.body.code).toBe('FORBIDDEN');
        expect(await h.height()).toBe(before);
        expect(pageLog(page).errors).toEqual([]);
    }, 180_000);

    it('live feed: shows an event another client made, and after a cut connection the one made meanwhile exactly once', async () => {
        const main = h.gw.main;
        if (main === undefined) throw new Error('no gateway');
        // the sockets of the event streams the gateway serves (to cut them server-side, as a lost connection would)
        const streams = new Set<Socket>();
        const onRequest = (req: IncomingMessage): void => {
            if ((req.url ?? '').startsWith('/v1/events')) streams.add(req.socket);
        };
        main.server.on('request', onRequest);
        const page = await h.page();
        await h.signIn(page, 'SupplierMSP');
        // the feed's stream is open when the gateway has answered GET /v1/events
        const streamOpen = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/events' && r.status() === 200, { timeout: 60_000 });
        await page.locator('[data-testid=nav-events]').click();
        await page.locator('[data-testid=event-feed]').waitFor({ state: 'attached' });
        await streamOpen;

        const shown = (txId: string): Promise<number> => page.locator(`[data-testid=event-feed] [data-testid=event][data-txid="${txId}"]`).count();
        const appears = async (txId: string): Promise<void> => {
            await page.locator(`[data-testid=event-feed] [data-testid=event][data-txid="${txId}"]`).first().waitFor({ state: 'attached', timeout: 60_000 });
        };

        // another client (this test, over REST) writes; the feed shows it
        const firstTx = (await issue('invoice-feed-1', '100')).txId;
        await appears(firstTx);
        expect(await shown(firstTx)).toBe(1);

        // cut the page's connection: further reconnects fail until released, and the open stream is dropped
        const isStream = (url: URL): boolean => url.pathname === '/v1/events';
        await page.route(isStream, (route) => route.abort('internetdisconnected'));
        expect(streams.size).toBeGreaterThanOrEqual(1);
        for (const socket of streams) socket.destroy();
        streams.clear();
        const second = await issue('invoice-feed-2', '200');
        const reopened = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/events' && r.status() === 200, { timeout: 90_000 });
        await page.unroute(isStream);
        // it resumes after the last event it showed
        expect((await reopened).request().headers()['last-event-id']).toMatch(new RegExp(`^[0-9]+:${firstTx}$`));
        await appears(second.txId);
        // a later event arrives too: the stream is live again, and the one made while cut is there exactly once
        const third = await issue('invoice-feed-3', '300');
        await appears(third.txId);
        expect([await shown(firstTx), await shown(second.txId), await shown(third.txId)]).toEqual([1, 1, 1]);
        main.server.off('request', onRequest);
        await h.shot(page, 'console live feed: events made by another client, one of them while the connection was cut, each shown once');
        expect(pageLog(page).errors).toEqual([]);
    }, 240_000);

    it('a member accepts a pending receivable from the console and the ledger shows it', async () => {
        const pending = await issue('invoice-accept-1', '777700');
        await h.settle();
        const page = await h.page();
        page.on('dialog', (d) => void d.accept());
        await h.signIn(page, 'SupplierMSP');
        await openReceivable(page, pending.id);
        const accept = page.locator('[data-write][data-action=accept], [data-write]:is(button, input[type=submit]):text-matches("accept|接受|承兑|签收", "i")').first();
        await accept.waitFor({ state: 'visible' });
        const answered = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/v1/receivables/${pending.id}/acceptance`, { timeout: 60_000 });
        await accept.click();
        // a confirmation step, if the console asks for one
        const confirm = page.locator('dialog[open] [data-write], [role=dialog] [data-write]').first();
        if (await confirm.isVisible().catch(() => false)) await confirm.click();
        const res = await answered;
        expect(res.status()).toBeLessThan(300);
        expect(res.request().headers()['idempotency-key']).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
        await h.settle();
        expect(await h.gw.get<Receivable>(`/v1/receivables/${pending.id}`, 'regulator')).toMatchObject({ id: pending.id, holder: 'SupplierMSP', status: 'ACTIVE' });
        // the page shows the new state
        await page.waitForFunction(
            (id) => document.querySelector(`[data-testid=tree-node][data-id="${id}"]`)?.getAttribute('data-status') === 'ACTIVE',
            pending.id,
            { timeout: 60_000 },
        );
        expect(await attrs(page, `[data-testid=tree-node][data-id="${pending.id}"]`, ['data-status'])).toEqual([{ 'data-status': 'ACTIVE' }]);
        await h.shot(page, 'console, signed in as SupplierMSP: a pending receivable accepted from the page, now ACTIVE');
        expect(pageLog(page).errors).toEqual([]);
    }, 180_000);
});
