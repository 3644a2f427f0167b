/** What every view gets, and the pieces views share: paged lists, filter bars, write forms. */
import { ApiProblem, type ApiClient, type Page, type WriteResult } from '../shared/api.js';
import { t } from '../shared/i18n.js';
import { announce, field, h, problemView, setFieldError } from './dom.js';
import type { FieldProblem } from './forms.js';
import { fieldOfPath } from './forms.js';
import { tc, type ConsoleKey } from './messages.js';
import { canWrite, type Me } from './roles.js';
import type { Route } from './route.js';

export interface Ctx {
    readonly api: ApiClient;
    readonly me: Me;
    readonly route: Route;
    /** Aborted when the view is left: pending reads and streams stop. */
    readonly signal: AbortSignal;
    /** Re-render the current view (after a write). */
    readonly refresh: () => void;
}

/**
 * A list read page by page (`pageSize`, `bookmark`): renders the first page, then a "load more" button while the
 * gateway returns a bookmark. `rows` turns items into table rows (or any elements).
 */
export async function pagedList<T>(
    ctx: Ctx,
    container: HTMLElement,
    path: string,
    query: Readonly<Record<string, string>>,
    render: (items: readonly T[], first: boolean) => Promise<void> | void,
): Promise<void> {
    const more = h('button', { type: 'button', class: 'more', hidden: true }, t('common.more'));
    const status = h('p', { class: 'list-status', role: 'status' });
    container.append(status, more);
    let count = 0;
    const load = async (bookmark: string | undefined, first: boolean): Promise<void> => {
        more.disabled = true;
        try {
            const page = await ctx.api.get<Page<T>>(path, { ...query, pageSize: '25', bookmark }, ctx.signal);
            const items = Array.isArray(page.items) ? page.items : [];
            count += items.length;
            await render(items, first);
            status.textContent = count === 0 ? tc('list.empty') : tc('list.count', { n: count });
            const next = typeof page.bookmark === 'string' && page.bookmark !== '' && items.length > 0 ? page.bookmark : undefined;
            more.hidden = next === undefined;
            more.onclick = next === undefined ? null : (): void => void load(next, false);
        } catch (err) {
            if (ctx.signal.aborted) return;
            container.append(problemView(err, () => void load(bookmark, first)));
        } finally {
            more.disabled = false;
        }
    };
    await load(undefined, true);
}

/** A filter bar: choose one filter (select) and its value (select of `choices` or a text input), then navigate. */
export function filterBar(
    id: string,
    filters: ReadonlyArray<{ readonly name: string; readonly label: ConsoleKey; readonly choices?: ReadonlyArray<readonly [string, string]> }>,
    current: { readonly name: string; readonly value: string },
    go: (name: string, value: string) => void,
): HTMLFormElement {
    const by = h('select', { name: 'by' }, ...filters.map((f) => h('option', { value: f.name, selected: f.name === current.name }, tc(f.label))));
    const valueSlot = h('div', { class: 'filter-value' });
    const makeValue = (name: string, value: string): void => {
        const f = filters.find((x) => x.name === name);
        let input: HTMLInputElement | HTMLSelectElement;
        if (f?.choices !== undefined) input = h('select', { name: 'value' }, ...f.choices.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
        else input = h('input', { name: 'value', type: 'text', value, required: true, autocomplete: 'off', spellcheck: 'false' });
        valueSlot.replaceChildren(field(`${id}-value`, tc('filter.value'), input));
    };
    makeValue(current.name, current.value);
    by.addEventListener('change', () => makeValue(by.value, ''));
    const form = h('form', { class: 'filter', role: 'search' }, field(`${id}-by`, tc('filter.by'), by), valueSlot, h('button', { type: 'submit' }, tc('filter.apply')));
    form.addEventListener('submit', (e) => {
        e.preventDefault();
        const v = form.querySelector<HTMLInputElement | HTMLSelectElement>('[name=value]')?.value.trim() ?? '';
        if (v !== '') go(by.value, v);
    });
    return form;
}

/** The one filter a route's query carries among `names`, else the default. */
export function chosen(query: Readonly<Record<string, string>>, names: readonly string[], fallback: { name: string; value: string }): { name: string; value: string } {
    for (const n of names) {
        const v = query[n];
        if (v !== undefined && v !== '') return { name: n, value: v };
    }
    return fallback;
}

/**
 * A write form: only for roles that can write (a regulator never gets one), marked `data-write`. On submit it
 * validates (`validate` returns the body or field problems), POSTs with a fresh Idempotency-Key (one per
 * submission), shows the transaction or the problem (with the gateway's VALIDATION_FAILED fields on the inputs).
 */
export function writeForm<B>(
    ctx: Ctx,
    options: {
        readonly id: string;
        readonly title: string;
        readonly fields: readonly HTMLElement[];
        readonly submitLabel: string;
        readonly path: () => string;
        readonly validate: () => { ok: true; value: B } | { ok: false; problems: readonly FieldProblem[] };
        readonly done?: (result: WriteResult) => void;
    },
): HTMLElement | null {
    if (!canWrite(ctx.me.role)) return null;
    const result = h('div', { class: 'write-result', 'aria-live': 'polite' });
    const submit = h('button', { type: 'submit', 'data-write': '' }, options.submitLabel);
    const form = h('form', { class: 'write', id: options.id, 'data-write': '', novalidate: true }, options.title !== '' ? h('h3', {}, options.title) : null, ...options.fields, submit, result);
    const fieldId = (name: string): string => `${options.id}-${name.replace(/\./g, '-')}`;
    const clearErrors = (): void => {
        for (const el of form.querySelectorAll<HTMLElement>('[aria-invalid]')) setFieldError(form, el.id, null);
    };
    form.addEventListener('submit', (e) => {
        e.preventDefault();
        clearErrors();
        result.replaceChildren();
        const v = options.validate();
        if (!v.ok) {
            for (const p of v.problems) setFieldError(form, fieldId(p.field), tc(p.key as ConsoleKey));
            const first = v.problems[0];
            if (first !== undefined) form.querySelector<HTMLElement>(`#${CSS.escape(fieldId(first.field))}`)?.focus();
            result.append(h('p', { class: 'form-errors', role: 'alert' }, tc('form.errors'), ' ', v.problems.map((p) => tc(p.key as ConsoleKey)).join('；')));
            return;
        }
        submit.disabled = true;
        result.append(h('p', { role: 'status' }, tc('action.sending')));
        const idempotencyKey = crypto.randomUUID();
        ctx.api
            .post(options.path(), v.value, { idempotencyKey })
            .then((r) => {
                const msg = `${tc('action.done', { txId: r.txId })}${r.replayed === true ? ` ${tc('action.replayed')}` : ''}`;
                result.replaceChildren(h('p', { class: 'ok', role: 'status', 'data-testid': 'write-result', 'data-txid': r.txId }, h('a', { href: `#/tx/${encodeURIComponent(r.txId)}` }, msg)));
                announce(msg);
                setFlash(msg, r.txId);
                options.done?.(r);
            })
            .catch((err: unknown) => {
                if (err instanceof ApiProblem) for (const fe of err.errors) setFieldError(form, fieldId(fieldOfPath(fe.path)), fe.message);
                const view = problemView(err);
                result.replaceChildren(view);
                view.focus();
            })
            .finally(() => {
                submit.disabled = false;
            });
    });
    return form;
}

/** A button that performs a body-less write (accept, reject, settle…), same rules as writeForm. */
export function writeButton(ctx: Ctx, label: string, path: string, done?: (r: WriteResult) => void): HTMLElement | null {
    return writeForm<Record<string, never>>(ctx, { id: `w-${path.replace(/[^A-Za-z0-9]/g, '-')}`, title: '', fields: [], submitLabel: label, path: () => path, validate: () => ({ ok: true, value: {} }), ...(done !== undefined ? { done } : {}) });
}

let flash: { readonly text: string; readonly txId: string } | null = null;

/** A write's outcome to show once after the view re-renders (the form that showed it is gone). */
export function setFlash(text: string, txId: string): void {
    flash = { text, txId };
}

/** The pending flash message as an element (taken: shown once), or null. */
export function takeFlash(): HTMLElement | null {
    const f = flash;
    flash = null;
    if (f === null) return null;
    return h('p', { class: 'ok flash', role: 'status', 'data-testid': 'write-result', 'data-txid': f.txId }, h('a', { href: `#/tx/${encodeURIComponent(f.txId)}` }, f.text));
}

/** Today in UTC, YYYY-MM-DD (the chaincode compares maturity dates with the transaction's UTC date). */
export function todayUtc(): string {
    return new Date().toISOString().slice(0, 10);
}
