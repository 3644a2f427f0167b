/// <reference lib="dom" />
// The consumer verification page in a real headless Chromium on a phone-sized viewport: units commissioned through
// the QR labels endpoint (POST /v1/lots/{id}/labels), a label's link `/verify/<serial>?code=<code>` opened with
// `&loc=<place>` as a consumer would — GENUINE the first time, SUSPECT (with the reason shown) from another place,
// UNKNOWN with a wrong code; the provenance timeline lists the lot's events; the language switch toggles
// zh-CN ↔ en; the document check hashes a file in the browser and says match for the recorded document and no match
// for another file; the printable label sheet renders its QR codes. A screenshot of each.
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { BrowserHarness, describeBrowser, MOBILE, pageLog } from './harness';

const sha = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');
const AT = '2024-05-01T08:00:00.000000000Z';

/** The document recorded on the lot (its SHA-256 goes on the ledger) and another file that is not it. */
const CERTIFICATE = Buffer.from('Certificate of analysis — lot B-1 — ethanol 53 % vol — conformant\n', 'utf8');
const OTHER_FILE = Buffer.from('a forged certificate\n', 'utf8');

/** QR labels: the gateway derives each unit's code (HMAC with this secret) and never stores it. */
const LABELS = { secret: 'browser-test-label-secret-0123456789', publicUrl: 'https://verify.upoint.example' };

interface Label {
    serial: string;
    code: string;
    url: string;
    svg: string;
}

interface Timeline {
    events: Array<{ bizStep: string; documents: Array<{ sha256: string }> }>;
    ancestors: Array<{ events: unknown[] }>;
}

describeBrowser('consumer verification page in Chromium (mobile)', () => {
    const h = new BrowserHarness(102000);
    let timeline: Timeline;
    let labels: Label[] = [];
    /** The sheet of labels as the gateway renders it for printing (Accept: text/html). */
    let sheet = '';

    const verdictOf = async (page: Page): Promise<string> => {
        const v = page.locator('[data-testid=verdict]');
        await v.waitFor({ state: 'visible' });
        await page.waitForFunction(() => {
            const d = document.querySelector('[data-testid=verdict]')?.getAttribute('data-verdict');
            return d === 'GENUINE' || d === 'SUSPECT' || d === 'UNKNOWN';
        });
        return (await v.getAttribute('data-verdict')) ?? '';
    };

    const label = (i: number): Label => {
        const l = labels[i];
        if (l === undefined) throw new Error(`no label ${i}`);
        return l;
    };

    /** Opens a label's verification link (its path and query on this gateway) as scanned at `loc`. */
    const open = async (label: Label, loc: string, code = label.code): Promise<Page> => {
        const url = new URL(label.url);
        expect(url.origin).toBe(LABELS.publicUrl);
        url.searchParams.set('code', code);
        url.searchParams.set('loc', loc);
        const page = await h.page(MOBILE);
        const res = await page.goto(`${h.base}${url.pathname}${url.search}`);
        expect(res?.status()).toBe(200);
        expect(res?.headers()['content-type']).toMatch(/^text\/html/);
        return page;
    };

    beforeAll(async () => {
        await h.start({ labels: LABELS });
        const { gw } = h;
        await gw.write('POST', '/v1/products', 'BrandMSP', 'v-prod', { id: 'baijiu-53', sku: 'BJ-53-500', model: '500ml', name: 'Baijiu 53% 500 ml' });
        await gw.write('POST', '/v1/lots', 'BrandMSP', 'v-lot', { id: 'lot-b1', productId: 'baijiu-53', quantity: '100', unit: 'bottle' });
        await gw.write('POST', '/v1/lots/lot-b1/events', 'BrandMSP', 'v-ev-1', {
            quantity: '100',
            bizStep: 'commissioning',
            disposition: 'active',
            eventTime: AT,
            readPoint: 'distillery-maotai-3',
            fees: [{ kind: 'TAX', description: 'consumption tax', amount: '150000', currency: 'CNY' }],
            documents: [{ type: 'CERTIFICATE', sha256: sha(CERTIFICATE) }],
        });
        await gw.write('POST', '/v1/lots/lot-b1/events', 'BrandMSP', 'v-ev-2', { quantity: '100', bizStep: 'sampling', disposition: 'in_progress', eventTime: AT });
        await gw.write('POST', '/v1/lots/lot-b1/inspections', 'SupplierMSP', 'v-insp', { result: 'CONFORMANT', certificateHash: sha('lab-report-b1') });
        await gw.write('POST', '/v1/lots/lot-b1/shipments', 'BrandMSP', 'v-ship', {
            receiver: 'SupplierMSP',
            context: { eventTime: AT, fees: [{ kind: 'FREIGHT', description: 'truck', amount: '30000', currency: 'CNY' }] },
        });
        await gw.write('POST', '/v1/lots/lot-b1/receipts', 'SupplierMSP', 'v-recv', { context: { eventTime: AT, bizLocation: 'store-shanghai-1' } });
        // QR labels: the gateway makes serials and codes and commissions the units with the codes' SHA-256 only
        const made = await gw.write<unknown>('POST', '/v1/lots/lot-b1/labels', 'BrandMSP', 'v-labels', { count: 3, serialPrefix: 'BRW-' });
        labels = (made as unknown as { labels: Label[] }).labels;
        expect(labels.map((l) => l.serial)).toEqual(['BRW-1', 'BRW-2', 'BRW-3']);
        for (const l of labels) {
            expect(l.svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
            expect(l.url).toBe(`${LABELS.publicUrl}/verify/${l.serial}?code=${encodeURIComponent(l.code)}`);
        }
        // the same Idempotency-Key again, asking for the printable sheet: the same units, no new transaction
        const again = await gw.call('POST', '/v1/lots/lot-b1/labels', 'BrandMSP', { idem: 'v-labels', body: { count: 3, serialPrefix: 'BRW-' }, headers: { Accept: 'text/html' } });
        expect([again.status, again.headers.get('content-type'), again.headers.get('idempotent-replayed')]).toEqual([201, expect.stringMatching(/^text\/html/), 'true']);
        sheet = String(again.body);
        for (const l of labels) expect(sheet).toContain(l.code);
        await h.settle();
        timeline = await gw.get<Timeline>('/v1/lots/lot-b1/events', 'regulator');
    }, 240_000);
    afterAll(() => h.stop(), 60_000);

    it('GENUINE on the first scan, with the product, the lot and the timeline of every event', async () => {
        const page = await open(label(0), 'Shanghai');
        expect(await verdictOf(page)).toBe('GENUINE');
        expect(await page.locator('[data-testid=verdict]').innerText()).not.toBe('');
        const body = await page.locator('body').innerText();
        expect(body).toContain('lot-b1');
        // one timeline entry per event of the lot (and of its ancestors, none here)
        const expected = timeline.events.length + timeline.ancestors.reduce((n, a) => n + a.events.length, 0);
        await page.locator('[data-testid=timeline]').waitFor({ state: 'visible' });
        expect(await page.locator('[data-testid=timeline-event]').count()).toBe(expected);
        // the recorded document's SHA-256 is shown
        expect(await page.locator('[data-testid=timeline]').innerText()).toContain(sha(CERTIFICATE));
        await h.shot(page, 'consumer page, GENUINE verdict (zh-CN, phone viewport), product, lot and timeline');
        expect(pageLog(page).errors).toEqual([]);
    }, 120_000);

    it('SUSPECT with the reason shown when the same unit is scanned from another place', async () => {
        const page = await open(label(0), 'Chengdu');
        expect(await verdictOf(page)).toBe('SUSPECT');
        const reasons = page.locator('[data-testid=reasons]');
        await reasons.waitFor({ state: 'visible' });
        expect((await reasons.innerText()).trim()).not.toBe('');
        expect(await reasons.locator('li').count()).toBeGreaterThanOrEqual(1);
        await h.shot(page, 'consumer page, SUSPECT verdict with its reason (scanned from another place)');
        expect(pageLog(page).errors).toEqual([]);
    }, 120_000);

    it('UNKNOWN for a wrong code', async () => {
        const page = await open(label(1), 'Shanghai', 'WRONGCODE2345678');
        expect(await verdictOf(page)).toBe('UNKNOWN');
        // a wrong code learns nothing about the unit's provenance
        expect(await page.locator('[data-testid=timeline]').count()).toBe(0);
        expect(await page.locator('body').innerText()).not.toContain('lot-b1');
        await h.shot(page, 'consumer page, UNKNOWN verdict (wrong code)');
        expect(pageLog(page).errors).toEqual([]);
    }, 120_000);

    it('switches language zh-CN ↔ en', async () => {
        const page = await open(label(2), 'Shanghai');
        expect(await verdictOf(page)).toBe('GENUINE');
        const verdict = page.locator('[data-testid=verdict]');
        expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
        const zh = await verdict.innerText();
        await page.locator('[data-testid=lang-switch]').click();
        await page.waitForFunction(() => document.documentElement.lang === 'en');
        const en = await verdict.innerText();
        expect(en).not.toBe(zh);
        expect(en).toMatch(/genuine/i);
        // the verdict itself does not change, only its words
        expect(await verdict.getAttribute('data-verdict')).toBe('GENUINE');
        await h.shot(page, 'consumer page in English after the language switch (GENUINE)');
        await page.locator('[data-testid=lang-switch]').click();
        await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
        expect(await verdict.innerText()).toBe(zh);
    }, 120_000);

    it('checks a file against a document SHA-256 in the browser: match, then no match', async () => {
        const page = await open(label(2), 'Shanghai');
        await verdictOf(page);
        // the file input of the recorded certificate (one per document shown), and its result
        const input = page.locator(`[data-testid=doc-check][data-sha256="${sha(CERTIFICATE)}"]`);
        expect(await input.count()).toBe(1);
        const resultId = await input.getAttribute('aria-describedby');
        const result = page.locator(`[data-testid=doc-check-result][id="${resultId ?? ''}"]`);
        expect(await result.count()).toBe(1);
        const settled = async (): Promise<{ state: string | null; text: string }> => {
            await page.waitForFunction((id) => {
                const m = document.getElementById(id)?.getAttribute('data-match');
                return m !== null && m !== undefined && m !== '' && m !== 'pending';
            }, resultId ?? '');
            return { state: await result.getAttribute('data-match'), text: (await result.innerText()).trim() };
        };
        await input.setInputFiles({ name: 'certificate.txt', mimeType: 'text/plain', buffer: CERTIFICATE });
        const match = await settled();
        expect(match.state).toBe('match');
        expect(match.text).not.toBe('');
        await h.shot(page, 'consumer page, document check: the recorded certificate matches its SHA-256');
        await input.setInputFiles({ name: 'forged.txt', mimeType: 'text/plain', buffer: OTHER_FILE });
        await page.waitForFunction((id) => document.getElementById(id)?.getAttribute('data-match') !== 'match', resultId ?? '');
        const noMatch = await settled();
        expect(noMatch.state).toBe('no-match');
        expect(noMatch.text).not.toBe(match.text);
        await h.shot(page, 'consumer page, document check: another file does not match', 'no-match');
        expect(pageLog(page).errors).toEqual([]);
    }, 120_000);

    it('renders the printable sheet of QR labels', async () => {
        // the sheet is the answer to a POST: serve that answer at a GET of the same origin, so its assets load
        const page = await h.page({ viewport: { width: 1240, height: 1754 }, locale: 'zh-CN' });
        await page.route(`${h.base}/test-only/labels-sheet`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: sheet }));
        await page.goto(`${h.base}/test-only/labels-sheet`);
        const figures = page.locator('figure.label');
        expect(await figures.count()).toBe(labels.length);
        expect(await figures.evaluateAll((els) => els.map((e) => e.getAttribute('data-serial')))).toEqual(labels.map((l) => l.serial));
        expect(await page.locator('figure.label svg').count()).toBe(labels.length);
        await h.shot(page, 'printable A4 sheet of QR labels for the lot (QR code, serial and code per unit)');
        expect(pageLog(page).errors).toEqual([]);
    }, 120_000);
});
