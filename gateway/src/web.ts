/**
 * The web pages the gateway serves besides the API: static assets of the browser build (gateway/dist/web) under
 * /assets, the consumer verification page /verify/{serial}?code=… rendered server-side in one round trip, and the
 * console's single-page shell under /console/. Pages get their own Content-Security-Policy (scripts and styles from
 * this origin only, no inline code). Every value put into HTML goes through `html`, which escapes it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Express, NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ApiError, fromFabricError, safeCause } from './errors';

export const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// ---------------------------------------------------------------------------------------------
// HTML templates

/** Markup that is already safe (escaped or trusted); everything else interpolated into `html` is escaped. */
export class SafeHtml {
    constructor(readonly value: string) {}

    toString(): string {
        return this.value;
    }
}

export type HtmlValue = string | number | bigint | boolean | null | undefined | SafeHtml | readonly HtmlValue[];

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(text: string): string {
    return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

/** Trusted markup (our own templates, the QR library's SVG): never for data. */
export function raw(markup: string): SafeHtml {
    return new SafeHtml(markup);
}

function interpolate(value: HtmlValue): string {
    if (value === null || value === undefined || value === false) return '';
    if (value instanceof SafeHtml) return value.value;
    if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(interpolate).join('');
    return escapeHtml(String(value));
}

/** A tagged template: html`<p title="${t}">${text}</p>` escapes `t` and `text` (attributes must be quoted). */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
    let out = strings[0] ?? '';
    values.forEach((v, i) => {
        out += interpolate(v) + (strings[i + 1] ?? '');
    });
    return new SafeHtml(out);
}

/** A whole document: mobile viewport, no referrer, the given stylesheets and module scripts (paths from `assets`). */
export function page(options: { lang: string; title: string; styles?: readonly string[]; scripts?: readonly string[]; bodyClass?: string; body: SafeHtml }): string {
    return `<!doctype html>\n${
        html`<html lang="${options.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><meta name="color-scheme" content="light"><title>${options.title}</title>${(options.styles ?? []).map((s) => html`<link rel="stylesheet" href="${s}">`)}${(options.scripts ?? []).map((s) => html`<script type="module" src="${s}"></script>`)}</head><body class="${options.bodyClass ?? ''}">${options.body}</body></html>`.value
    }\n`;
}

// ---------------------------------------------------------------------------------------------
// The browser build

export type Lang = 'zh-CN' | 'en';
export type Messages = Readonly<Record<Lang, Readonly<Record<string, string>>>>;

/** gateway/dist/web, from gateway/src (ts-jest) and from gateway/dist (node) alike. */
export function defaultWebRoot(): string {
    return path.resolve(__dirname, '..', 'dist', 'web');
}

const SERVED = /\.(js|css|svg|png|ico|html|webmanifest|txt)$/;

/** The built browser files: their build id (a content hash, part of asset URLs so they can be cached for good) and the dictionaries. */
export class WebAssets {
    readonly root: string;
    #buildId: string | undefined;
    #messages: Messages | undefined;

    constructor(root: string) {
        this.root = path.resolve(root);
    }

    /** `v-` and 12 hex digits of a hash over every served file (computed once). */
    get buildId(): string {
        if (this.#buildId === undefined) {
            const hash = createHash('sha256');
            const walk = (dir: string): void => {
                if (!existsSync(dir)) return;
                for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
                    const p = path.join(dir, e.name);
                    if (e.isDirectory()) walk(p);
                    else if (SERVED.test(e.name) || e.name === 'i18n.json') hash.update(path.relative(this.root, p)).update('\0').update(readFileSync(p));
                }
            };
            walk(this.root);
            this.#buildId = `v-${hash.digest('hex').slice(0, 12)}`;
        }
        return this.#buildId;
    }

    /** `verify/page.js` → `/assets/v-…/verify/page.js` (immutable: a new build has a new id). */
    asset(relative: string): string {
        return `/assets/${this.buildId}/${relative}`;
    }

    /** The dictionaries of web/shared/i18n.ts (dist/web/i18n.json, written by the build). */
    messages(): Messages {
        if (this.#messages === undefined) {
            const file = path.join(this.root, 'i18n.json');
            if (!existsSync(file)) throw new ApiError({ code: 'UNAVAILABLE', detail: 'the web pages are not built (make build)' });
            this.#messages = JSON.parse(readFileSync(file, 'utf8')) as Messages;
        }
        return this.#messages;
    }

    /** t(key) in `lang` with `{name}` placeholders; the key itself when missing. */
    t(lang: Lang, key: string, vars?: Readonly<Record<string, string | number>>): string {
        const m = this.messages();
        const text = m[lang][key] ?? m['zh-CN'][key] ?? key;
        return vars === undefined ? text : text.replace(/\{([A-Za-z0-9_]+)\}/g, (s, name: string) => (name in vars ? String(vars[name]) : s));
    }
}

// ---------------------------------------------------------------------------------------------
// Display formats (the server's side of web/shared/format.ts: the same output)

export function groupDigits(digits: string): string {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const ZERO_DIGIT_CURRENCIES = new Set(['JPY', 'KRW', 'VND', 'CLP', 'ISK']);

/** ('12000', 'EUR') → '120.00 EUR': exact, from the decimal string. */
export function amountText(minor: string, currency: string): string {
    if (!/^(0|[1-9][0-9]*)$/.test(minor)) return `${minor} ${currency}`;
    const d = ZERO_DIGIT_CURRENCIES.has(currency) ? 0 : 2;
    const padded = minor.padStart(d + 1, '0');
    const whole = groupDigits(padded.slice(0, padded.length - d));
    return `${d === 0 ? whole : `${whole}.${padded.slice(padded.length - d)}`} ${currency}`;
}

/** An ISO instant as 'YYYY-MM-DD HH:mm' in Asia/Shanghai (the page's script re-renders it in the phone's zone). */
export function dateTimeText(iso: string, timeZone = 'Asia/Shanghai'): string {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    const parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).formatToParts(date);
    const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
    return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

// ---------------------------------------------------------------------------------------------
// The verification result (chaincode provenance:Verify), read leniently: an unexpected shape shows less, never fails

const Str = z.string().catch('');
const NStr = z.string().nullable().optional().catch(null);
const FeeView = z.object({ kind: Str, description: Str, amount: z.union([z.string(), z.number()]).transform(String).catch(''), currency: Str, payee: NStr }).loose();
const DocView = z.object({ type: Str, sha256: Str, name: NStr }).loose();
const InspectionView = z.object({ inspector: Str, result: Str, certificateHash: Str, timestamp: Str }).loose();
const LotQtyView = z.object({ lotId: Str, quantity: z.union([z.string(), z.number()]).transform(String).catch('') }).loose();
const EventView = z
    .object({
        lotId: Str,
        eventId: Str,
        eventType: Str,
        by: Str,
        eventTime: Str,
        recordedAt: Str,
        bizStep: Str,
        readPoint: NStr,
        bizLocation: NStr,
        statusAfter: Str,
        fees: z.array(FeeView).catch([]),
        documents: z.array(DocView).catch([]),
        inputs: z.array(LotQtyView).catch([]),
        custody: z.object({ from: Str, to: Str }).nullable().catch(null),
        inspection: InspectionView.nullable().catch(null),
        note: NStr,
    })
    .loose();
const LotView = z
    .object({
        id: Str,
        productId: Str,
        owner: Str,
        holder: Str,
        status: Str,
        quantity: z.union([z.string(), z.number()]).transform(String).catch(''),
        unit: Str,
        inspection: InspectionView.nullable().catch(null),
        recall: z.object({ reason: Str, timestamp: Str, rootLotId: Str }).loose().nullable().catch(null),
    })
    .loose();
const ProductView = z.object({ id: Str, owner: Str, sku: Str, model: Str, name: Str }).loose();
export const VerifyResultView = z
    .object({
        verdict: z.enum(['GENUINE', 'SUSPECT', 'UNKNOWN']).catch('UNKNOWN'),
        reasons: z.array(z.string()).catch([]),
        serial: Str,
        scanCount: z.number().optional().catch(undefined),
        previousScan: z.object({ timestamp: Str, location: Str }).loose().nullable().optional().catch(null),
        provenance: z
            .object({
                product: ProductView,
                lot: LotView,
                events: z.array(EventView).catch([]),
                ancestors: z.array(z.object({ lot: LotView, events: z.array(EventView).catch([]) }).loose()).catch([]),
            })
            .loose()
            .optional()
            .catch(undefined),
    })
    .loose();
export type VerifyView = z.infer<typeof VerifyResultView>;
type EventViewT = z.infer<typeof EventView>;

// ---------------------------------------------------------------------------------------------
// Consumer pages

const VERDICT_MARK = { GENUINE: '✓', SUSPECT: '!', UNKNOWN: '?' } as const;
/** Event types with their own title; the rest are named by their EPCIS business step. */
const TYPED_EVENTS = new Set(['COMMISSION_UNITS', 'RECALL', 'INSPECTION', 'TRANSFORMATION']);

/** A translated leaf element: the text in `lang`, `data-i18n` so that the page's script can switch languages. */
function tx(web: WebAssets, lang: Lang, key: string, vars?: Readonly<Record<string, string | number>>, tag = 'span', attrs: SafeHtml = raw('')): SafeHtml {
    const v = vars === undefined ? undefined : Object.fromEntries(Object.entries(vars).map(([k, x]) => [k, String(x)]));
    return html`${raw(`<${tag}`)} data-i18n="${key}"${v !== undefined ? html` data-i18n-vars="${JSON.stringify(v)}"` : ''}${attrs}>${web.t(lang, key, vars)}${raw(`</${tag}>`)}`;
}

function when(iso: string): SafeHtml {
    return html`<time datetime="${iso}">${dateTimeText(iso)}</time>`;
}

function header(web: WebAssets, lang: Lang): SafeHtml {
    return html`<header class="bar"><span class="brand">U-Point</span>${tx(web, lang, 'verify.title', undefined, 'span', raw(' class="title"'))}<button type="button" class="lang" data-testid="lang-switch" data-i18n="lang.switch" data-i18n-attr="aria-label:lang.switch.label" aria-label="${web.t(lang, 'lang.switch.label')}">${web.t(lang, 'lang.switch')}</button></header>`;
}

/** Key prefixes of the consumer pages' strings: both languages of these travel with the page for the switch. */
const PAGE_KEYS = /^(verify|verdict|reason|section|field|inspection|event|step|status|fee|doc|lang)\./;

/** The consumer pages' strings as a JSON data block (not executed; `<` escaped so it cannot end the element). */
export function pageStrings(web: WebAssets): SafeHtml {
    const m = web.messages();
    const pick = (d: Readonly<Record<string, string>>): Record<string, string> => Object.fromEntries(Object.entries(d).filter(([k]) => PAGE_KEYS.test(k)));
    const json = JSON.stringify({ 'zh-CN': pick(m['zh-CN']), en: pick(m.en) }).replace(/</g, '\\u003c');
    return raw(`<script type="application/json" id="i18n-data">${json}</script>`);
}

function shell(web: WebAssets, lang: Lang, titleKey: string, bodyClass: string, main: SafeHtml): string {
    return page({
        lang,
        title: `${web.t(lang, titleKey)} · U-Point`,
        styles: [web.asset('verify/page.css')],
        scripts: [web.asset('verify/page.js')],
        bodyClass,
        body: html`${header(web, lang)}<main>${main}</main>${pageStrings(web)}`,
    });
}

/** A page with one message (no code, rate limited, unavailable, bad link). */
export function renderMessagePage(web: WebAssets, lang: Lang, kind: 'noCode' | 'rateLimited' | 'error' | 'invalid', vars?: Readonly<Record<string, string | number>>): string {
    return shell(
        web,
        lang,
        `verify.${kind}.title`,
        `message message-${kind}`,
        html`<section class="notice" data-testid="message" data-kind="${kind}" role="alert">${tx(web, lang, `verify.${kind}.title`, undefined, 'h1')}${tx(web, lang, `verify.${kind}.body`, vars, 'p')}</section>`,
    );
}

function field(web: WebAssets, lang: Lang, key: string, value: HtmlValue): SafeHtml {
    return html`<div class="field">${tx(web, lang, key, undefined, 'dt')}<dd>${value}</dd></div>`;
}

interface DocCounter {
    n: number;
}

function docCheck(web: WebAssets, lang: Lang, counter: DocCounter, kind: string, sha256: string, name: string | null | undefined): SafeHtml {
    const i = counter.n++;
    return html`<li class="doc" data-sha256="${sha256}">${tx(web, lang, `doc.${kind}`, undefined, 'span', raw(' class="doc-type"'))}${name ? html` <span class="doc-name">${name}</span>` : ''}<code class="hash">${sha256}</code><label class="doc-check" for="doc-${i}">${tx(web, lang, 'doc.check')}<input type="file" id="doc-${i}" data-testid="doc-check" data-sha256="${sha256}" aria-describedby="doc-r-${i}"></label><output id="doc-r-${i}" for="doc-${i}" data-testid="doc-check-result" aria-live="polite"></output></li>`;
}

function eventItem(web: WebAssets, lang: Lang, e: EventViewT, unitLot: string, docs: DocCounter): SafeHtml {
    const key = TYPED_EVENTS.has(e.eventType) ? `event.${e.eventType}` : `step.${e.bizStep}`;
    const place = e.readPoint ?? e.bizLocation ?? null;
    const rows: SafeHtml[] = [];
    if (e.lotId !== unitLot) rows.push(field(web, lang, 'field.lot', e.lotId));
    if (place !== null && place !== '') rows.push(field(web, lang, 'field.place', place));
    rows.push(field(web, lang, 'field.by', e.by));
    if (e.custody !== null) rows.push(field(web, lang, 'field.from', e.custody.from), field(web, lang, 'field.to', e.custody.to));
    if (e.inputs.length > 0) rows.push(field(web, lang, 'field.inputs', e.inputs.map((x, i) => html`${i > 0 ? ', ' : ''}${x.lotId} × ${groupDigits(x.quantity)}`)));
    if (e.inspection !== null) rows.push(field(web, lang, 'field.result', tx(web, lang, `inspection.${e.inspection.result}`, undefined, 'span', raw(` class="inspection ${e.inspection.result === 'CONFORMANT' ? 'ok' : 'bad'}"`))));
    if (e.note !== null && e.note !== undefined && e.note !== '') rows.push(field(web, lang, 'field.note', e.note));
    const fees = e.fees.map(
        (f) => html`<li class="fee">${tx(web, lang, `fee.${f.kind}`, undefined, 'span', raw(' class="fee-kind"'))} <span class="fee-desc">${f.description}</span> <span class="amount">${amountText(f.amount, f.currency)}</span>${f.payee ? html` <span class="payee">→ ${f.payee}</span>` : ''}</li>`,
    );
    const documents = [
        ...(e.inspection !== null && /^[0-9a-f]{64}$/.test(e.inspection.certificateHash) ? [docCheck(web, lang, docs, 'CERTIFICATE', e.inspection.certificateHash, null)] : []),
        ...e.documents.filter((d) => /^[0-9a-f]{64}$/.test(d.sha256)).map((d) => docCheck(web, lang, docs, d.type, d.sha256, d.name)),
    ];
    return html`<li class="event" data-testid="timeline-event" data-event-type="${e.eventType}" data-step="${e.bizStep}" data-lot="${e.lotId}"><div class="event-head">${tx(web, lang, key, undefined, 'h3')}${when(e.eventTime)}</div><dl>${rows}</dl>${fees.length > 0 ? html`${tx(web, lang, 'field.fees', undefined, 'h4')}<ul class="fees">${fees}</ul>` : ''}${documents.length > 0 ? html`${tx(web, lang, 'field.documents', undefined, 'h4')}<ul class="docs">${documents}</ul>` : ''}</li>`;
}

/** The verification page for one scan's result. */
export function renderVerifyPage(web: WebAssets, lang: Lang, view: VerifyView, serial: string): string {
    const v = view.verdict;
    const reasons = v === 'SUSPECT' ? view.reasons.map((r) => tx(web, lang, `reason.${r}`, undefined, 'li', html` data-reason="${r}"`)) : [];
    const facts: SafeHtml[] = [];
    if (view.scanCount !== undefined && v !== 'UNKNOWN') facts.push(tx(web, lang, 'verify.scanCount', { n: view.scanCount }, 'p', raw(' class="fact"')));
    if (view.previousScan !== null && view.previousScan !== undefined && v !== 'UNKNOWN') {
        facts.push(tx(web, lang, 'verify.previousScan', { time: dateTimeText(view.previousScan.timestamp), place: view.previousScan.location }, 'p', raw(' class="fact"')));
    }
    const verdict = html`<section class="verdict verdict-${v.toLowerCase()}" data-testid="verdict" data-verdict="${v}" role="status"><div class="mark" aria-hidden="true">${VERDICT_MARK[v]}</div>${tx(web, lang, `verdict.${v}`, undefined, 'h1')}${tx(web, lang, `verdict.${v}.detail`, undefined, 'p', raw(' class="detail"'))}<ul class="reasons" data-testid="reasons">${reasons}</ul><p class="serial">${tx(web, lang, 'verify.serial')} <code>${view.serial || serial}</code></p>${facts}</section>`;

    const sections: SafeHtml[] = [verdict];
    const prov = v === 'UNKNOWN' ? undefined : view.provenance;
    if (prov !== undefined) {
        const { product, lot } = prov;
        sections.push(
            html`<section class="card product">${tx(web, lang, 'section.product', undefined, 'h2')}<dl>${field(web, lang, 'field.name', product.name)}${field(web, lang, 'field.sku', product.sku)}${field(web, lang, 'field.model', product.model)}${field(web, lang, 'field.manufacturer', product.owner)}</dl></section>`,
        );
        sections.push(
            html`<section class="card lot">${tx(web, lang, 'section.lot', undefined, 'h2')}<dl>${field(web, lang, 'field.lot', lot.id)}${field(web, lang, 'field.quantity', `${groupDigits(lot.quantity)} ${lot.unit}`)}${field(web, lang, 'field.status', tx(web, lang, `status.${lot.status}`, undefined, 'span', raw(` class="status status-${lot.status.toLowerCase()}"`)))}${field(web, lang, 'field.holder', lot.holder)}${lot.recall !== null ? field(web, lang, 'field.recall', lot.recall.reason) : ''}</dl></section>`,
        );
        const all = [...prov.ancestors.flatMap((a) => a.events), ...prov.events];
        const ordered = all.map((e, i) => ({ e, i })).sort((a, b) => (a.e.eventTime < b.e.eventTime ? -1 : a.e.eventTime > b.e.eventTime ? 1 : a.i - b.i));
        const docs: DocCounter = { n: 0 };
        const totals = new Map<string, bigint>();
        for (const e of all) for (const f of e.fees) if (/^[0-9]+$/.test(f.amount)) totals.set(f.currency, (totals.get(f.currency) ?? 0n) + BigInt(f.amount));
        sections.push(
            html`<section class="card timeline">${tx(web, lang, 'section.timeline', undefined, 'h2')}<ol data-testid="timeline">${ordered.map(({ e }) => eventItem(web, lang, e, lot.id, docs))}</ol>${
                totals.size > 0
                    ? html`<div class="totals">${tx(web, lang, 'section.fees', undefined, 'h3')}<ul>${[...totals].map(([c, a]) => html`<li class="amount">${amountText(a.toString(), c)}</li>`)}</ul></div>`
                    : ''
            }</section>`,
        );
    }
    sections.push(tx(web, lang, 'verify.scanNotice', undefined, 'p', raw(' class="small"')));
    return shell(web, lang, `verdict.${v}`, `verdict-page verdict-page-${v.toLowerCase()}`, html`${sections}`);
}

// ---------------------------------------------------------------------------------------------
// Express wiring

export interface WebDeps {
    readonly web: WebAssets;
    readonly logger: Logger;
    /** Names the route for metrics and logs. */
    readonly route: (res: Response, route: string) => void;
    /**
     * The public verification `GET /v1/verify/{serial}` performs (its rate limit per address included): the
     * chaincode's answer, or an ApiError.
     */
    readonly verify: (req: Request, res: Response, serial: string, code: string, location: string) => Promise<unknown>;
}

const SerialParam = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/);
const DEFAULT_SCAN_LOCATION = 'web';

const one = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Mounts /assets, /verify/{serial} and /console/ on the app (before its 404 handler). */
export function mountWeb(app: Express, deps: Readonly<WebDeps>): void {
    const { web, logger } = deps;
    const pageHeaders = (res: Response, cache = 'no-store'): void => {
        res.set({ 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': cache });
        res.type('html');
    };

    app.get(/^\/assets\/(.+)$/, (req: Request, res: Response, next: NextFunction) => {
        deps.route(res, '/assets/*');
        let rel = (req.params as Record<string, string>)[0] ?? '';
        let versioned = false;
        const m = /^(v-[0-9a-f]{12})\/(.+)$/.exec(rel);
        if (m?.[1] !== undefined && m[2] !== undefined) {
            versioned = m[1] === web.buildId;
            rel = m[2];
        }
        if (!SERVED.test(rel) || /\.test\.js$/.test(rel) || rel.split('/').some((s) => s === '' || s === '..' || s.startsWith('.'))) {
            next(new ApiError({ code: 'NOT_FOUND', detail: 'no such asset' }));
            return;
        }
        // a versioned URL of this build never changes; anything else revalidates
        res.set('Cache-Control', versioned ? 'public, max-age=31536000, immutable' : 'no-cache');
        res.sendFile(rel, { root: web.root, dotfiles: 'deny', cacheControl: false, etag: true, lastModified: true }, (err?: Error) => {
            if (err !== undefined && !res.headersSent) next(new ApiError({ code: 'NOT_FOUND', detail: 'no such asset' }));
        });
    });

    app.get('/verify/:serial', (req: Request, res: Response, next: NextFunction) => {
        deps.route(res, '/verify/{serial}');
        const lang: Lang = one(req.query.lang) === 'en' ? 'en' : 'zh-CN';
        const serial = req.params.serial ?? '';
        const code = one(req.query.code) ?? '';
        const loc = one(req.query.loc);
        (async () => {
            pageHeaders(res);
            if (!SerialParam.safeParse(serial).success || code.length > 256 || (loc !== undefined && (loc === '' || loc.length > 256))) {
                res.status(400).send(renderMessagePage(web, lang, 'invalid'));
                return;
            }
            if (code === '') {
                res.status(400).send(renderMessagePage(web, lang, 'noCode'));
                return;
            }
            let result: unknown;
            try {
                result = await deps.verify(req, res, serial, code, loc ?? DEFAULT_SCAN_LOCATION);
            } catch (err) {
                const e = fromFabricError(err);
                (res.locals as { code?: string }).code = e.code;
                pageHeaders(res);
                if (e.code === 'RATE_LIMITED') {
                    res.status(429).send(renderMessagePage(web, lang, 'rateLimited', { seconds: res.get('Retry-After') ?? '60' }));
                } else if (e.code === 'VALIDATION_FAILED' || e.code === 'INVALID_ARGUMENT') {
                    res.status(400).send(renderMessagePage(web, lang, 'invalid'));
                } else {
                    logger.error({ reqId: (res.locals as { reqId?: string }).reqId, code: e.code, cause: safeCause(e.cause ?? err) }, 'verification page failed');
                    res.status(e.status).send(renderMessagePage(web, lang, 'error'));
                }
                return;
            }
            res.status(200).send(renderVerifyPage(web, lang, VerifyResultView.parse(result ?? {}), serial));
        })().catch(next);
    });

    app.get(/^\/console$/, (_req: Request, res: Response) => {
        deps.route(res, '/console/');
        res.redirect(301, '/console/');
    });
    app.get(/^\/console\/.*$/, (_req: Request, res: Response, next: NextFunction) => {
        deps.route(res, '/console/');
        const file = path.join(web.root, 'console', 'index.html');
        if (!existsSync(file)) {
            next(new ApiError({ code: 'NOT_FOUND', detail: 'the console is not built (make build)' }));
            return;
        }
        // asset URLs in the shell get this build's id, so they may be cached for good
        const shellHtml = readFileSync(file, 'utf8').replace(/(src|href)="\/assets\/(?!v-[0-9a-f]{12}\/)/g, `$1="/assets/${web.buildId}/`);
        pageHeaders(res, 'no-cache');
        res.status(200).send(shellHtml);
    });
}
