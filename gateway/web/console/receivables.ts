/**
 * Receivables by holder / issuer / status, one receivable with its split tree drawn as a tree (nested boxes: the
 * DOM nests each node inside its parent), and a member's actions on it (issue, accept, split-transfer, financing,
 * settle) through the REST API.
 */
import { seg } from '../shared/api.js';
import { formatAmount, minorDigits, shortHash } from '../shared/format.js';
import { getLang, t } from '../shared/i18n.js';
import { badge, cell, facts, field, h, heading, link, problemView, table } from './dom.js';
import { validateFinance, validateFinancingRequest, validateIssue, validateSplit } from './forms.js';
import { historyTable } from './lots.js';
import { tc, tcDynamic } from './messages.js';
import { ACTION_PATH, allowedActions, receivableActions, type ReceivableAction } from './roles.js';
import { formatRoute } from './route.js';
import { flattenTree, holdingsByHolder, parseTree, treeInconsistencies, treeKeyTarget, type ReceivableTree, type TreeNode } from './tree.js';
import { chosen, filterBar, pagedList, todayUtc, writeButton, writeForm, type Ctx } from './ui.js';

export const RECEIVABLE_STATUSES = ['PENDING', 'ACTIVE', 'REJECTED', 'SPLIT', 'UNDER_FINANCING', 'SETTLEMENT_PENDING', 'SETTLED', 'OVERDUE'] as const;

interface Receivable {
    readonly id: string;
    readonly rootId: string;
    readonly parentId: string | null;
    readonly issuer: string;
    readonly holder: string;
    readonly amount: string;
    readonly currency: string;
    readonly maturityDate: string;
    readonly invoiceHash: string | null;
    readonly contractHash: string | null;
    readonly reference: string | null;
    readonly status: string;
    readonly children: readonly string[];
    readonly financing: { readonly financier: string; readonly status: string; readonly discountedAmount: string | null } | null;
    readonly settlement: { readonly onTime: boolean } | null;
}

const money = (amount: string, currency: string): string => formatAmount(amount, currency, getLang());

export async function receivablesView(ctx: Ctx, main: HTMLElement): Promise<void> {
    if (ctx.route.id !== null) return receivableView(ctx, main, ctx.route.id);
    const fallback = ctx.me.role === 'member' ? { name: 'holder', value: ctx.me.mspId } : { name: 'status', value: 'ACTIVE' };
    const current = chosen(ctx.route.query, ['holder', 'issuer', 'status'], fallback);
    main.append(heading(tc('rec.title')));
    main.append(
        filterBar('rec-filter', [
            { name: 'holder', label: 'filter.holder' },
            { name: 'issuer', label: 'filter.issuer' },
            { name: 'status', label: 'filter.status', choices: RECEIVABLE_STATUSES.map((s) => [s, tcDynamic(`rec.status.${s}`, s)]) },
        ], current, (name, value) => {
            location.hash = formatRoute({ view: 'receivables', query: { [name]: value } });
        }),
    );
    const issue = issueForm(ctx);
    if (issue !== null) main.append(h('details', { class: 'write-panel', 'data-write': '' }, h('summary', { 'data-write': '' }, tc('action.issue')), issue));
    const tbody = h('tbody');
    const tbl = table(tc('rec.title'), [tc('col.id'), tc('col.issuer'), tc('col.holder'), tc('col.amount'), tc('col.maturity'), tc('col.status')], []);
    tbl.querySelector('tbody')?.replaceWith(tbody);
    main.append(h('div', { class: 'table-wrap' }, tbl));
    await pagedList<Receivable>(ctx, main, '/v1/receivables', { [current.name]: current.value }, (items) => {
        for (const r of items) {
            tbody.append(
                h(
                    'tr',
                    { class: r.status === 'OVERDUE' ? 'recalled' : null, 'data-testid': 'receivable-row', 'data-id': r.id },
                    cell(link(formatRoute({ view: 'receivables', id: r.id }), shortHash(r.id, 12, 6), r.id)),
                    cell(r.issuer),
                    cell(r.holder),
                    cell(h('span', { class: 'num' }, money(r.amount, r.currency))),
                    cell(r.maturityDate),
                    cell(badge('rec.status.', r.status)),
                ),
            );
        }
    });
}

async function receivableView(ctx: Ctx, main: HTMLElement, id: string): Promise<void> {
    main.append(heading(tc('rec.detail', { id: shortHash(id, 16, 8) })));
    let r: Receivable;
    try {
        r = await ctx.api.get<Receivable>(`/v1/receivables/${seg(id)}`, undefined, ctx.signal);
    } catch (err) {
        main.append(problemView(err, ctx.refresh));
        return;
    }
    const [tree, hist] = await Promise.allSettled([
        ctx.api.get<unknown>(`/v1/receivables/${seg(r.rootId)}/tree`, undefined, ctx.signal).then(parseTree),
        ctx.api.get<Array<{ txId: string; timestamp: string; isDelete: boolean; by: string | null; value: Receivable | null }>>(`/v1/history/receivable/${seg(id)}`, undefined, ctx.signal),
    ]);
    main.append(
        h(
            'section',
            { class: 'card', 'data-testid': 'receivable', 'data-id': r.id, 'data-status': r.status },
            facts([
                [tc('col.id'), h('code', { class: 'id' }, r.id)],
                [tc('col.issuer'), r.issuer],
                [tc('col.holder'), r.holder],
                [tc('col.amount'), money(r.amount, r.currency)],
                [tc('col.maturity'), r.maturityDate],
                [tc('col.status'), badge('rec.status.', r.status)],
                [tc('rec.financier'), r.financing === null ? null : `${r.financing.financier} (${r.financing.status}${r.financing.discountedAmount !== null ? `, ${money(r.financing.discountedAmount, r.currency)}` : ''})`],
                [tc('form.invoiceHash'), r.invoiceHash === null ? null : h('code', { class: 'id' }, r.invoiceHash)],
                ...(r.parentId === null ? [] : ([[tc('rec.openRoot'), link(formatRoute({ view: 'receivables', id: r.rootId }), shortHash(r.rootId, 16, 8), r.rootId)]] as const)),
            ]),
        ),
    );
    const actions = actionsPanel(ctx, r);
    if (actions !== null) main.append(actions);
    main.append(h('h2', {}, tc('rec.tree')));
    if (tree.status === 'rejected') main.append(problemView(tree.reason));
    else main.append(treeView(tree.value, r.id));
    main.append(h('h2', {}, tc('lot.history')));
    if (hist.status === 'rejected') main.append(problemView(hist.reason));
    else main.append(historyTable(hist.value, (v) => (v === null ? '' : `${tcDynamic(`rec.status.${v.status}`, v.status)} · ${v.holder}`)));
}

/** The split tree as nested boxes: `[data-testid=receivable-tree]` (role tree) → `[data-testid=tree-node]` items nested by parent. */
export function treeView(tree: ReceivableTree, currentId: string): HTMLElement {
    const flat = flattenTree(tree.root);
    const byId = new Map(flat.map((f) => [f.node.id, f]));
    const items = new Map<string, HTMLLIElement>();
    const node = (n: TreeNode, level: number): HTMLLIElement => {
        const f = byId.get(n.id);
        const financed = n.financier !== null ? ` · ${tc('rec.financier')} ${n.financier}` : '';
        const paid = n.paidOnTime === null ? '' : ` · ${n.paidOnTime ? tc('rec.onTime') : tc('rec.late')}`;
        const li = h(
            'li',
            {
                role: 'treeitem',
                'data-testid': 'tree-node',
                'data-id': n.id,
                'data-holder': n.holder,
                'data-amount': n.amount,
                'data-status': n.status,
                'aria-level': level,
                'aria-posinset': f?.position ?? 1,
                'aria-setsize': f?.siblings ?? 1,
                'aria-expanded': n.children.length > 0 ? 'true' : null,
                'aria-current': n.id === currentId ? 'true' : null,
                class: `tree-node node-${n.status.toLowerCase()}${n.id === currentId ? ' current' : ''}`,
                tabindex: n.id === currentId ? '0' : '-1',
            },
            h(
                'div',
                { class: 'node-box' },
                h('span', { class: 'node-amount num' }, money(n.amount, tree.currency)),
                h('span', { class: 'node-holder' }, n.holder),
                badge('rec.status.', n.status),
                h('a', { class: 'node-id', href: formatRoute({ view: 'receivables', id: n.id }), title: n.id, tabindex: '-1' }, shortHash(n.id, 10, 6)),
                financed !== '' || paid !== '' ? h('span', { class: 'node-extra' }, `${financed}${paid}`) : null,
            ),
        );
        items.set(n.id, li);
        if (n.children.length > 0) li.append(h('ul', { role: 'group', class: 'tree-children' }, ...n.children.map((c) => node(c, level + 1))));
        return li;
    };
    const root = node(tree.root, 1);
    if (!items.has(currentId)) root.setAttribute('tabindex', '0');
    const ul = h('ul', { class: 'tree', role: 'tree', 'data-testid': 'receivable-tree', 'data-root': tree.rootId, 'aria-label': tc('rec.treeLabel', { id: tree.rootId }) }, root);
    ul.addEventListener('keydown', (e) => {
        const from = (e.target as HTMLElement).closest<HTMLElement>('[role=treeitem]');
        if (from === null) return;
        if (e.key === 'Enter') {
            e.preventDefault();
            location.hash = formatRoute({ view: 'receivables', id: from.dataset.id ?? '' });
            return;
        }
        const target = treeKeyTarget(flat, from.dataset.id ?? '', e.key);
        if (target === null) return;
        e.preventDefault();
        const to = items.get(target);
        if (to === undefined) return;
        from.setAttribute('tabindex', '-1');
        to.setAttribute('tabindex', '0');
        to.focus();
    });
    const bad = treeInconsistencies(tree.root);
    const holdings = holdingsByHolder(tree.root);
    return h(
        'div',
        { class: 'tree-wrap' },
        h('p', { class: 'tree-totals' }, `${tc('col.amount')} ${money(tree.amount, tree.currency)} · ${tc('rec.live')} ${money(tree.live, tree.currency)} · ${tc('rec.settled')} ${money(tree.settled, tree.currency)}`),
        bad.length > 0 ? h('p', { class: 'warning', role: 'alert' }, tc('rec.inconsistent', { ids: bad.join(', ') })) : null,
        h('div', { class: 'tree-scroll' }, ul),
        holdings.length > 0
            ? h('div', { class: 'table-wrap' }, table(tc('rec.holdings'), [tc('col.holder'), tc('rec.live')], holdings.map((x) => h('tr', {}, cell(x.holder), cell(h('span', { class: 'num' }, money(x.amount, tree.currency)))))))
            : null,
    );
}

function input(name: string, attrs: Readonly<Record<string, string | boolean>> = {}): HTMLInputElement {
    return h('input', { name, type: 'text', autocomplete: 'off', spellcheck: 'false', 'data-write': '', ...attrs });
}

const valueOf = (form: ParentNode, id: string): string => form.querySelector<HTMLInputElement>(`#${CSS.escape(id)}`)?.value ?? '';

/** SHA-256 of a chosen file into a hash input (so a member need not compute it by hand). */
function hashPicker(targetId: string, label: string): HTMLElement {
    const file = h('input', { type: 'file', 'data-write': '' });
    file.addEventListener('change', () => {
        const f = file.files?.[0];
        if (f === undefined || crypto.subtle === undefined) return;
        void f
            .arrayBuffer()
            .then((b) => crypto.subtle.digest('SHA-256', b))
            .then((d) => {
                const target = document.getElementById(targetId) as HTMLInputElement | null;
                if (target !== null) target.value = [...new Uint8Array(d)].map((x) => x.toString(16).padStart(2, '0')).join('');
            });
    });
    return field(`${targetId}-file`, label, file);
}

function issueForm(ctx: Ctx): HTMLElement | null {
    if (!allowedActions(ctx.me.role).has('issue')) return null;
    const id = 'issue';
    return writeForm(ctx, {
        id,
        title: tc('action.issue'),
        submitLabel: tc('action.issue'),
        fields: [
            field(`${id}-holder`, tc('form.holder'), input('holder', { required: true })),
            field(`${id}-amount`, tc('col.amount'), input('amount', { required: true, inputmode: 'decimal' })),
            field(`${id}-currency`, tc('form.currency'), input('currency', { value: 'CNY', maxlength: '3' })),
            field(`${id}-maturityDate`, tc('form.maturity'), input('maturityDate', { type: 'date', required: true, min: todayUtc() })),
            field(`${id}-invoiceHash`, tc('form.invoiceHash'), input('invoiceHash', { required: true, maxlength: '64' })),
            hashPicker(`${id}-invoiceHash`, tc('form.fileHash')),
            field(`${id}-contractHash`, tc('form.contractHash'), input('contractHash', { required: true, maxlength: '64' })),
            hashPicker(`${id}-contractHash`, tc('form.fileHash')),
        ],
        path: () => '/v1/receivables',
        validate: () => {
            const f = document.getElementById(id) as HTMLFormElement;
            return validateIssue(
                {
                    holder: valueOf(f, `${id}-holder`),
                    amount: valueOf(f, `${id}-amount`),
                    currency: valueOf(f, `${id}-currency`),
                    maturityDate: valueOf(f, `${id}-maturityDate`),
                    invoiceHash: valueOf(f, `${id}-invoiceHash`),
                    contractHash: valueOf(f, `${id}-contractHash`),
                },
                ctx.me.mspId,
                todayUtc(),
                minorDigits,
            );
        },
        done: (res) => {
            location.hash = formatRoute({ view: 'receivables', id: res.txId });
        },
    });
}

/** The split form: one row per part (holder, amount), rows added and removed; the parts must sum to the amount. */
function transferForm(ctx: Ctx, r: Receivable): HTMLElement | null {
    const id = 'transfer';
    const digits = minorDigits(r.currency);
    const rows = h('fieldset', { class: 'parts' }, h('legend', {}, tc('action.transfer')));
    let n = 0;
    const addRow = (holder: string, amount: string): void => {
        const i = n;
        n += 1;
        const remove = h('button', { type: 'button', class: 'link', 'data-write': '', 'aria-label': `${tc('action.removePart')} ${i + 1}` }, '×');
        const row = h(
            'div',
            { class: 'part', 'data-part': String(i) },
            field(`${id}-parts-${i}-holder`, tc('form.partHolder', { n: i + 1 }), input(`holder${i}`, { value: holder })),
            field(`${id}-parts-${i}-amount`, tc('form.partAmount', { n: i + 1 }), input(`amount${i}`, { value: amount, inputmode: 'decimal' })),
            remove,
        );
        remove.addEventListener('click', () => {
            if (rows.querySelectorAll('.part').length > 1) row.remove();
        });
        rows.append(row);
    };
    addRow(ctx.me.mspId, '');
    addRow('', '');
    const add = h('button', { type: 'button', 'data-write': '' }, tc('action.addPart'));
    add.addEventListener('click', () => addRow('', ''));
    return writeForm(ctx, {
        id,
        title: `${tc('action.transfer')} · ${money(r.amount, r.currency)}`,
        submitLabel: tc('action.transfer'),
        fields: [rows, add],
        path: () => `/v1/receivables/${seg(r.id)}/${ACTION_PATH.transfer}`,
        validate: () => {
            const parts = [...rows.querySelectorAll<HTMLElement>('.part')].map((p) => {
                const i = p.dataset.part ?? '0';
                return { i, holder: valueOf(p, `${id}-parts-${i}-holder`), amount: valueOf(p, `${id}-parts-${i}-amount`) };
            });
            const v = validateSplit(parts, r.amount, digits);
            // the validator numbers parts by position; map back to the rows' ids
            if (!v.ok) return { ok: false, problems: v.problems.map((p) => ({ ...p, field: p.field.replace(/^parts\.([0-9]+)\./, (_m, k: string) => `parts.${parts[Number(k)]?.i ?? k}.`) })) };
            return v;
        },
        done: ctx.refresh,
    });
}

function actionsPanel(ctx: Ctx, r: Receivable): HTMLElement | null {
    if (allowedActions(ctx.me.role).size === 0) return null;
    const actions = receivableActions(ctx.me, r);
    const panel = h('section', { class: 'actions', 'aria-label': t('common.submit') });
    if (actions.length === 0) {
        panel.append(h('p', { class: 'muted' }, tc('action.none')));
        return panel;
    }
    const simple: readonly ReceivableAction[] = ['accept', 'reject', 'declineFinancing', 'settle', 'confirmSettlement'];
    const buttons = h('div', { class: 'action-buttons' });
    for (const a of actions) {
        if (simple.includes(a)) {
            const b = writeButton(ctx, tc(`action.${a}`), `/v1/receivables/${seg(r.id)}/${ACTION_PATH[a]}`, ctx.refresh);
            if (b !== null) buttons.append(b);
        }
    }
    panel.append(buttons);
    if (actions.includes('transfer')) {
        const f = transferForm(ctx, r);
        if (f !== null) panel.append(f);
    }
    if (actions.includes('requestFinancing')) {
        const id = 'finreq';
        const f = writeForm(ctx, {
            id,
            title: tc('action.requestFinancing'),
            submitLabel: tc('action.requestFinancing'),
            fields: [field(`${id}-financier`, tc('form.financier'), input('financier', { required: true }))],
            path: () => `/v1/receivables/${seg(r.id)}/${ACTION_PATH.requestFinancing}`,
            validate: () => validateFinancingRequest(valueOf(document, `${id}-financier`), ctx.me.mspId),
            done: ctx.refresh,
        });
        if (f !== null) panel.append(f);
    }
    if (actions.includes('finance')) {
        const id = 'finance';
        const f = writeForm(ctx, {
            id,
            title: tc('action.finance'),
            submitLabel: tc('action.finance'),
            fields: [field(`${id}-discountedAmount`, `${tc('form.discounted')} (${r.currency})`, input('discountedAmount', { required: true, inputmode: 'decimal' }))],
            path: () => `/v1/receivables/${seg(r.id)}/${ACTION_PATH.finance}`,
            validate: () => validateFinance(valueOf(document, `${id}-discountedAmount`), r.amount, minorDigits(r.currency)),
            done: ctx.refresh,
        });
        if (f !== null) panel.append(f);
    }
    return panel;
}
