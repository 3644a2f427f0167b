/**
 * DOM building without HTML parsing: every element from createElement, every text from textContent (data never
 * becomes markup), attributes by setAttribute. Also the problem (error) view and the polite announcer.
 */
import { ApiProblem } from '../shared/api.js';
import { t, tDynamic } from '../shared/i18n.js';
import { tc, tcDynamic } from './messages.js';

type Child = Node | string | null | undefined | false;
type Attrs = Readonly<Record<string, string | number | boolean | null | undefined>>;

function attrs(el: Element, a: Attrs): void {
    for (const [k, v] of Object.entries(a)) {
        if (v === null || v === undefined || v === false) continue;
        el.setAttribute(k, v === true ? '' : String(v));
    }
}

function append(el: Element, children: readonly Child[]): void {
    for (const c of children) {
        if (c === null || c === undefined || c === false) continue;
        el.append(typeof c === 'string' ? document.createTextNode(c) : c);
    }
}

/** `h('a', {href: '#/lots'}, 'Lots')`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, a: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
    const el = document.createElement(tag);
    attrs(el, a);
    append(el, children);
    return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s<K extends keyof SVGElementTagNameMap>(tag: K, a: Attrs = {}, ...children: Child[]): SVGElementTagNameMap[K] {
    const el = document.createElementNS(SVG_NS, tag);
    attrs(el, a);
    append(el, children);
    return el;
}

export function clear(el: Element): void {
    el.replaceChildren();
}

/** A labelled input: `<label for>` + input + a slot for its validation message (aria-describedby). */
export function field(id: string, label: string, input: HTMLInputElement | HTMLSelectElement): HTMLDivElement {
    input.id = id;
    const msg = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
    input.setAttribute('aria-describedby', `${id}-error`);
    return h('div', { class: 'field' }, h('label', { for: id }, label), input, msg);
}

/** Shows (or clears with null) a field's validation message, marking the input aria-invalid. */
export function setFieldError(root: ParentNode, id: string, message: string | null): void {
    const input = root.querySelector<HTMLElement>(`#${CSS.escape(id)}`);
    const msg = root.querySelector<HTMLElement>(`#${CSS.escape(`${id}-error`)}`);
    if (input !== null) {
        if (message === null) input.removeAttribute('aria-invalid');
        else input.setAttribute('aria-invalid', 'true');
    }
    if (msg !== null) {
        msg.textContent = message ?? '';
        msg.hidden = message === null;
    }
}

/** The problem code of anything thrown: ApiProblem's code, else BAD_RESPONSE (a malformed answer) or INTERNAL. */
export function codeOf(err: unknown): string {
    if (err instanceof ApiProblem) return err.code;
    if (err instanceof TypeError || err instanceof SyntaxError) return 'BAD_RESPONSE';
    return 'INTERNAL';
}

/**
 * The error view for a problem: `[data-testid=problem][data-code]`, the localized title of its code, the
 * gateway's detail, field errors, the txId to look up (TIMEOUT) and Retry-After (RATE_LIMITED). role=alert.
 */
export function problemView(err: unknown, onRetry?: () => void): HTMLElement {
    const code = codeOf(err);
    const p = err instanceof ApiProblem ? err : null;
    const box = h('section', { class: 'problem', 'data-testid': 'problem', 'data-code': code, role: 'alert', tabindex: '-1' });
    box.append(h('h2', { class: 'problem-title' }, tDynamic(`problem.${code}`, t('problem.title'))));
    const detail = p !== null ? p.detail : err instanceof Error ? err.message : '';
    if (detail !== '') box.append(h('p', { class: 'problem-detail' }, detail));
    if (p !== null && p.errors.length > 0) box.append(h('ul', { class: 'problem-fields' }, ...p.errors.map((e) => h('li', {}, h('code', {}, e.path), ' ', e.message))));
    if (p?.txId !== undefined) box.append(h('p', {}, h('a', { href: `#/tx/${encodeURIComponent(p.txId)}` }, p.txId)));
    if (p?.retryAfter !== undefined) box.append(h('p', {}, t('verify.rateLimited.body', { seconds: p.retryAfter })));
    box.append(h('p', { class: 'problem-code' }, h('code', {}, code)));
    if (onRetry !== undefined) {
        const b = h('button', { type: 'button' }, t('common.retry'));
        b.addEventListener('click', onRetry);
        box.append(b);
    }
    return box;
}

/** Politely announces a short message to screen readers (the shell's aria-live region). */
export function announce(message: string): void {
    const region = document.getElementById('announcer');
    if (region === null) return;
    region.textContent = '';
    // a new text node after a tick so the same message is announced again
    window.setTimeout(() => {
        region.textContent = message;
    }, 50);
}

/** A table with a caption and header cells (scope=col). */
export function table(caption: string, headers: readonly string[], rows: readonly HTMLTableRowElement[], hideCaption = false): HTMLTableElement {
    return h(
        'table',
        {},
        h('caption', { class: hideCaption ? 'sr-only' : null }, caption),
        h('thead', {}, h('tr', {}, ...headers.map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, ...rows),
    );
}

export function cell(...children: Child[]): HTMLTableCellElement {
    return h('td', {}, ...children);
}

/** A status badge: text localized from `prefix + status`, class `badge status-<status>`. */
export function badge(prefix: string, status: string): HTMLSpanElement {
    return h('span', { class: `badge status-${status.toLowerCase().replace(/[^a-z0-9_-]/g, '')}`, 'data-status': status }, tcDynamic(`${prefix}${status}`, status));
}

/** A link to another console view. */
export function link(href: string, text: string, title?: string): HTMLAnchorElement {
    return h('a', { href, ...(title !== undefined ? { title } : {}) }, text);
}

/** The "loading" placeholder, announced politely. */
export function loading(): HTMLElement {
    return h('p', { class: 'loading', role: 'status' }, t('common.loading'));
}

/** A definition list of label → value pairs. */
export function facts(pairs: ReadonlyArray<readonly [string, Child]>): HTMLDListElement {
    const dl = h('dl', { class: 'facts' });
    for (const [k, v] of pairs) dl.append(h('dt', {}, k), h('dd', {}, v ?? t('common.none')));
    return dl;
}

/** Heading of a view, focused on view change (tabindex -1) so keyboard and screen-reader users land on it. */
export function heading(text: string): HTMLHeadingElement {
    return h('h1', { tabindex: '-1', class: 'view-title' }, text);
}

export { tc };
