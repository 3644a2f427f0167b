/**
 * The web pages: the consumer verification page (rendered server-side from the public verification), its escaping,
 * its pages for no code / rate limited / unavailable, page CSP, assets and the console shell; the dictionaries. The
 * page needs the browser build's dictionaries (gateway/dist/web/i18n.json): `make build` first, as for every unit test.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { BIZ_STEPS, DOCUMENT_TYPES, FEE_KINDS, LOT_STATUSES, SUSPECT_REASONS, VERDICTS } from '@upoint/chaincode/dist/domain/provenance';
import { createApp, type AppDeps } from './app';
import { ERROR_CODES } from './errors';
import { captureLogger, FakeFabric, json, serviceError, testKeys } from './test-support/fakes';
import { defaultWebRoot, escapeHtml, html, PAGE_CSP, raw, WebAssets } from './web';

const H1 = 'a'.repeat(64);
const H2 = 'c'.repeat(64);
const CERT = 'd'.repeat(64);
const T0 = '2026-03-01T08:30:00.000000000Z';

function setup(extra: Partial<AppDeps> = {}): { fabric: FakeFabric; app: ReturnType<typeof createApp>; lines: string[] } {
    const fabric = new FakeFabric();
    const { logger, lines } = captureLogger();
    const app = createApp({ fabric, keys: testKeys(), logger, sleep: () => Promise.resolve(), ...extra });
    return { fabric, app, lines };
}

function event(over: Record<string, unknown>): Record<string, unknown> {
    return {
        lotId: 'L-bottled',
        eventId: 'tx-e',
        eventType: 'OBJECT',
        by: 'BrandMSP',
        eventTime: T0,
        recordedAt: T0,
        txId: 'tx-e',
        bizStep: 'packing',
        disposition: 'active',
        readPoint: null,
        bizLocation: null,
        quantity: '10',
        statusBefore: 'IN_PROCESS',
        statusAfter: 'IN_PROCESS',
        bizTransactions: [],
        fees: [],
        documents: [],
        inputs: [],
        outputs: [],
        custody: null,
        inspection: null,
        note: null,
        ...over,
    };
}

function genuine(over: { product?: Record<string, unknown>; lot?: Record<string, unknown>; events?: unknown[]; verdict?: string; reasons?: string[] } = {}): unknown {
    const lot = { id: 'L-bottled', productId: 'P1', owner: 'BrandMSP', holder: 'SupplierMSP', shippedTo: null, status: 'RECEIVED', quantity: '960', unit: 'bottle', derivedFrom: [], inspection: null, recall: null, ...over.lot };
    return {
        verdict: over.verdict ?? 'GENUINE',
        reasons: over.reasons ?? [],
        serial: 'S1',
        unit: { serial: 'S1', lotId: 'L-bottled', productId: 'P1' },
        scanCount: 1,
        previousScan: null,
        provenance: {
            product: { id: 'P1', owner: 'BrandMSP', sku: 'CHX-750', model: '750ml', name: 'Château X 2024', scanLimit: 5, ...over.product },
            lot,
            events: over.events ?? [
                event({ eventType: 'CREATED', bizStep: 'creating_class_instance', eventTime: '2026-03-01T01:00:00.000000000Z' }),
                event({
                    eventType: 'INSPECTION',
                    bizStep: 'inspecting',
                    eventTime: '2026-03-01T02:00:00.000000000Z',
                    inspection: { inspector: 'SupplierMSP', result: 'CONFORMANT', certificateHash: CERT, txId: 'tx-i', timestamp: T0 },
                }),
                event({
                    eventType: 'CUSTODY',
                    bizStep: 'shipping',
                    eventTime: '2026-03-02T02:00:00.000000000Z',
                    readPoint: 'Bordeaux',
                    custody: { from: 'BrandMSP', to: 'SupplierMSP' },
                    fees: [{ kind: 'FREIGHT', description: 'truck', amount: '30000', currency: 'EUR' }],
                    documents: [{ type: 'BILL_OF_LADING', sha256: H2 }],
                }),
            ],
            ancestors: [
                {
                    lot: { ...lot, id: 'L-must', unit: 'L' },
                    events: [
                        event({
                            lotId: 'L-must',
                            bizStep: 'commissioning',
                            eventTime: '2026-02-01T00:00:00.000000000Z',
                            readPoint: 'vineyard-7',
                            fees: [{ kind: 'TAX', description: 'excise', amount: '12000', currency: 'EUR' }],
                            documents: [{ type: 'INVOICE', sha256: H1, name: 'invoice.pdf' }],
                        }),
                    ],
                },
            ],
        },
    };
}

const verdictOf = (text: string): string | undefined => /data-testid="verdict" data-verdict="([A-Z]+)"/.exec(text)?.[1];
const count = (text: string, needle: string): number => text.split(needle).length - 1;

describe('the consumer verification page', () => {
    it('verifies with the code as transient data (location "web") and renders GENUINE with the provenance, in one answer', async () => {
        const { app, fabric } = setup({ publicMspId: 'BrandMSP' });
        fabric.onSubmit = () => Promise.resolve({ txId: 'tx-scan', result: json(genuine()) });
        const res = await request(app).get('/verify/S1?code=s3cret');
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.headers['content-security-policy']).toBe(PAGE_CSP);
        expect(res.headers['cache-control']).toBe('no-store');
        expect(fabric.submits).toEqual([{ mspId: 'BrandMSP', contract: 'provenance', transaction: 'Verify', args: ['S1', 'web'], transient: { code: 's3cret' } }]);
        expect(verdictOf(res.text)).toBe('GENUINE');
        expect(res.text).toContain('<html lang="zh-CN">');
        expect(res.text).toContain('data-i18n="verdict.GENUINE">正品<');
        // ancestors first, ordered by event time: must commissioning, created, inspection, shipping
        expect([...res.text.matchAll(/data-testid="timeline-event" data-event-type="([A-Z_]+)" data-step="([a-z_]+)"/g)].map((m) => m[2])).toEqual([
            'commissioning',
            'creating_class_instance',
            'inspecting',
            'shipping',
        ]);
        expect(res.text).toContain('Château X 2024');
        expect(res.text).toContain('vineyard-7');
        expect(res.text).toContain('120.00 EUR'); // excise 12000 minor units
        expect(res.text).toContain('420.00 EUR'); // fees total
        expect(res.text).toMatch(/data-i18n="inspection.CONFORMANT"[^>]*>合格</);
        // one file check per document: the invoice, the inspection certificate, the bill of lading
        expect([...res.text.matchAll(/data-testid="doc-check" data-sha256="([0-9a-f]{64})"/g)].map((m) => m[1])).toEqual([H1, CERT, H2]);
        expect(count(res.text, 'data-testid="doc-check-result"')).toBe(3);
        expect(res.text).toContain('data-testid="lang-switch"');
        expect(res.text).toMatch(/<script type="module" src="\/assets\/v-[0-9a-f]{12}\/verify\/page\.js"><\/script>/);
        expect(res.text).toContain('data-i18n="verify.scanNotice"');
    });

    it('uses loc as the scan location and ?lang=en for English', async () => {
        const { app, fabric } = setup();
        fabric.onSubmit = () => Promise.resolve({ txId: 'tx-scan', result: json(genuine()) });
        const res = await request(app).get('/verify/S1?code=c0de&loc=Shanghai&lang=en');
        expect(fabric.submits[0]?.args).toEqual(['S1', 'Shanghai']);
        expect(res.text).toContain('<html lang="en">');
        expect(res.text).toContain('data-i18n="verdict.GENUINE">Genuine<');
    });

    it('renders SUSPECT with each reason, and a recalled lot', async () => {
        const { app, fabric } = setup();
        fabric.onSubmit = () =>
            Promise.resolve({ txId: 'tx-scan', result: json(genuine({ verdict: 'SUSPECT', reasons: ['SCAN_LIMIT_EXCEEDED', 'LOCATION_CHANGED', 'LOT_RECALLED'], lot: { status: 'RECALLED', recall: { rootLotId: 'L-bottled', by: 'BrandMSP', reason: 'contamination', txId: 'tx-r', timestamp: T0 } } })) });
        const res = await request(app).get('/verify/S1?code=c0de');
        expect(verdictOf(res.text)).toBe('SUSPECT');
        const reasons = /<ul class="reasons" data-testid="reasons">(.*?)<\/ul>/.exec(res.text)?.[1] ?? '';
        expect([...reasons.matchAll(/data-reason="([A-Z_]+)"/g)].map((m) => m[1])).toEqual(['SCAN_LIMIT_EXCEEDED', 'LOCATION_CHANGED', 'LOT_RECALLED']);
        expect(reasons).toContain('扫描次数过多');
        expect(res.text).toContain('contamination');
        expect(res.text).toContain('status-recalled');
    });

    it('renders UNKNOWN without any product, lot or timeline', async () => {
        const { app, fabric } = setup();
        fabric.onSubmit = () => Promise.resolve({ txId: 'tx-scan', result: json({ verdict: 'UNKNOWN', serial: 'S9' }) });
        const res = await request(app).get('/verify/S9?code=wrong');
        expect(res.status).toBe(200);
        expect(verdictOf(res.text)).toBe('UNKNOWN');
        expect(res.text).not.toContain('data-testid="timeline"');
        expect(res.text).toContain('<ul class="reasons" data-testid="reasons"></ul>');
    });

    it('escapes every value from the ledger: a hostile product name, lot id, note, place or document name stays text', async () => {
        const { app, fabric } = setup();
        const evil = '<script>alert(1)</script>';
        fabric.onSubmit = () =>
            Promise.resolve({
                txId: 'tx-scan',
                result: json(
                    genuine({
                        product: { name: `${evil}"'&`, owner: '"><img src=x onerror=alert(1)>' },
                        lot: { id: `L${evil}` },
                        events: [event({ lotId: `L${evil}`, note: evil, readPoint: evil, fees: [{ kind: 'FEE', description: evil, amount: '1', currency: 'CNY', payee: evil }], documents: [{ type: 'OTHER', sha256: H1, name: evil }] })],
                        reasons: [evil],
                        verdict: 'SUSPECT',
                    }),
                ),
            });
        const res = await request(app).get(`/verify/S1?code=${encodeURIComponent(evil)}&loc=${encodeURIComponent(evil)}`);
        expect(res.status).toBe(200);
        expect(res.text).not.toContain('<script>alert');
        expect(res.text).not.toContain('<img');
        expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
        // the only script elements: the page's module and its JSON strings (not executed)
        expect([...res.text.matchAll(/<script[^>]*>/g)].map((m) => m[0])).toEqual([expect.stringMatching(/^<script type="module" src="\/assets\//), '<script type="application/json" id="i18n-data">']);
        expect(fabric.submits[0]?.args).toEqual(['S1', evil]);
    });

    it('without a code: a page saying so, 400, and no ledger call', async () => {
        const { app, fabric } = setup();
        for (const url of ['/verify/S1', '/verify/S1?code=', '/verify/S1?lang=en']) {
            const res = await request(app).get(url);
            expect([res.status, /data-kind="([a-zA-Z]+)"/.exec(res.text)?.[1]]).toEqual([400, 'noCode']);
            expect(res.headers['content-security-policy']).toBe(PAGE_CSP);
        }
        expect(fabric.calls).toEqual([]);
    });

    it('a malformed serial or code: an invalid-link page, no ledger call', async () => {
        const { app, fabric } = setup();
        for (const url of ['/verify/..bad?code=x', `/verify/S1?code=${'x'.repeat(257)}`, '/verify/S1?code=x&loc=']) {
            const res = await request(app).get(url);
            expect([res.status, /data-kind="([a-zA-Z]+)"/.exec(res.text)?.[1]]).toEqual([400, 'invalid']);
        }
        expect(fabric.calls).toEqual([]);
    });

    it('shares the public rate limit per address with GET /v1/verify: a friendly localized 429 page', async () => {
        const { app, fabric } = setup({ rateLimits: { public: { perMinute: 60, burst: 2 }, key: { perMinute: 6000 } } });
        fabric.onSubmit = () => Promise.resolve({ txId: 'tx-scan', result: json({ verdict: 'UNKNOWN', serial: 'S1' }) });
        expect((await request(app).get('/v1/verify/S1?code=x&location=Paris')).status).toBe(200);
        expect((await request(app).get('/verify/S1?code=x')).status).toBe(200);
        const res = await request(app).get('/verify/S1?code=x&lang=en');
        expect(res.status).toBe(429);
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.text).toContain('data-kind="rateLimited"');
        expect(res.text).toContain('Too many checks');
        expect(fabric.submits).toHaveLength(2);
    });

    it('the ledger unavailable: an error page with the status, the cause logged without the code', async () => {
        const { app, fabric, lines } = setup();
        fabric.onSubmit = () => Promise.reject(serviceError(14, '14 UNAVAILABLE: connect ECONNREFUSED 127.0.0.1:7051'));
        const res = await request(app).get('/verify/S1?code=TOPSECRETCODE');
        expect(res.status).toBeGreaterThanOrEqual(500);
        expect(res.text).toContain('data-kind="error"');
        expect(lines.join('')).not.toContain('TOPSECRETCODE');
        expect(lines.some((l) => l.includes('"route":"/verify/{serial}"'))).toBe(true);
    });
});

describe('assets and the console shell', () => {
    const web = new WebAssets(defaultWebRoot());

    it('serves built files under /assets: immutable under the build id, revalidated without it', async () => {
        const { app } = setup();
        const v = await request(app).get(`/assets/${web.buildId}/verify/page.js`);
        expect([v.status, v.headers['cache-control']]).toEqual([200, 'public, max-age=31536000, immutable']);
        expect(v.headers['content-type']).toMatch(/javascript/);
        const css = await request(app).get(`/assets/${web.buildId}/verify/page.css`);
        expect([css.status, css.headers['content-type']]).toEqual([200, expect.stringMatching(/^text\/css/)]);
        const plain = await request(app).get('/assets/verify/page.js');
        expect([plain.status, plain.headers['cache-control']]).toEqual([200, 'no-cache']);
        for (const bad of ['/assets/../package.json', '/assets/%2e%2e/dist/main.js', '/assets/i18n.json', '/assets/tsconfig.tsbuildinfo', '/assets/verify/nothing.js', '/assets/.hidden.js']) {
            expect([bad, (await request(app).get(bad)).status]).toEqual([bad, 404]);
        }
    });

    it('keeps the consumer page small: its JS and CSS under 30 kB', () => {
        const files = ['verify/page.js', 'verify/page.css', 'shared/format.js', 'shared/lang.js'];
        const size = files.reduce((n, f) => n + readFileSync(path.join(web.root, f)).length, 0);
        expect(size).toBeLessThan(30_000);
    });

    it('serves the console shell on /console/ and below, with asset URLs of this build and the page CSP', async () => {
        const root = mkdtempSync(path.join(tmpdir(), 'upoint-web-'));
        mkdirSync(path.join(root, 'console'));
        writeFileSync(path.join(root, 'console', 'index.html'), '<!doctype html><link rel="stylesheet" href="/assets/console/app.css"><script type="module" src="/assets/console/app.js"></script>');
        const { app } = setup({ webRoot: root });
        const id = new WebAssets(root).buildId;
        expect((await request(app).get('/console')).headers.location).toBe('/console/');
        for (const url of ['/console/', '/console/lots/L1']) {
            const res = await request(app).get(url);
            expect(res.status).toBe(200);
            expect(res.headers['content-security-policy']).toBe(PAGE_CSP);
            expect(res.text).toContain(`src="/assets/${id}/console/app.js"`);
            expect(res.text).toContain(`href="/assets/${id}/console/app.css"`);
        }
    });

    it('keeps the API CSP on API routes', async () => {
        const { app } = setup();
        expect((await request(app).get('/healthz')).headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    });
});

describe('html templates', () => {
    it('escapes interpolated values, arrays included, and keeps SafeHtml', () => {
        expect(escapeHtml(`<a href="x">'&\``)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#96;');
        const items = ['<b>', 'ok'];
        expect(html`<ul>${items.map((i) => html`<li title="${i}">${i}</li>`)}</ul>${raw('<hr>')}${null}${undefined}${false}${0}`.value).toBe(
            '<ul><li title="&lt;b&gt;">&lt;b&gt;</li><li title="ok">ok</li></ul><hr>0',
        );
    });
});

describe('the dictionaries (web/shared/i18n.ts, built into dist/web/i18n.json)', () => {
    const messages = JSON.parse(readFileSync(path.join(defaultWebRoot(), 'i18n.json'), 'utf8')) as Record<string, Record<string, string>>;

    it('has zh-CN and en with the same keys, none empty', () => {
        expect(Object.keys(messages).sort()).toEqual(['en', 'zh-CN']);
        const zh = messages['zh-CN'] ?? {};
        const en = messages.en ?? {};
        expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
        for (const [k, v] of [...Object.entries(zh), ...Object.entries(en)]) expect([k, v.trim() === '']).toEqual([k, false]);
    });

    it('names every verdict, suspect reason, lot status and problem code the pages may show', () => {
        const zh = messages['zh-CN'] ?? {};
        const keys = [
            ...VERDICTS.flatMap((v) => [`verdict.${v}`, `verdict.${v}.detail`]),
            ...SUSPECT_REASONS.map((r) => `reason.${r}`),
            ...LOT_STATUSES.map((s) => `status.${s}`),
            ...BIZ_STEPS.map((s) => `step.${s}`),
            ...FEE_KINDS.map((k) => `fee.${k}`),
            ...DOCUMENT_TYPES.map((d) => `doc.${d}`),
            ...ERROR_CODES.map((c) => `problem.${c}`),
        ];
        expect(keys.filter((k) => zh[k] === undefined)).toEqual([]);
    });
});
