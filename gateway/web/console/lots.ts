/** Lots by state (recalls highlighted) and one lot's full history: its timeline and its ledger versions. */
import { seg } from '../shared/api.js';
import { formatDateTime, formatQuantity, shortHash } from '../shared/format.js';
import { getLang, t, tDynamic } from '../shared/i18n.js';
import { badge, cell, facts, h, heading, link, problemView, table } from './dom.js';
import { tc } from './messages.js';
import { formatRoute } from './route.js';
import { chosen, filterBar, pagedList, type Ctx } from './ui.js';

export const LOT_STATUSES = ['CREATED', 'IN_PROCESS', 'QC_PENDING', 'RELEASED', 'QUARANTINED', 'SHIPPED', 'RECEIVED', 'SOLD_OUT', 'RECALLED'] as const;

interface Lot {
    readonly id: string;
    readonly productId: string;
    readonly owner: string;
    readonly holder: string;
    readonly shippedTo: string | null;
    readonly status: string;
    readonly quantity: string;
    readonly unit: string;
    readonly derivedFrom?: ReadonlyArray<{ readonly lotId: string; readonly quantity: string }>;
    readonly recall: { readonly reason: string; readonly rootLotId: string; readonly by: string; readonly timestamp: string } | null;
    readonly createdAt: string;
}

interface LotEvent {
    readonly eventId: string;
    readonly eventType: string;
    readonly bizStep: string;
    readonly by: string;
    readonly eventTime: string;
    readonly txId: string;
    readonly statusAfter: string;
    readonly quantity: string;
    readonly custody: { readonly from: string; readonly to: string } | null;
    readonly inspection: { readonly result: string } | null;
    readonly bizLocation: { readonly name?: string; readonly id?: string } | null;
    readonly note: string | null;
}

interface Timeline {
    readonly product: { readonly id: string; readonly name: string; readonly sku: string };
    readonly lot: Lot;
    readonly events: readonly LotEvent[];
    readonly ancestors: ReadonlyArray<{ readonly lot: Lot; readonly events: readonly LotEvent[] }>;
}

interface HistoryEntry<T> {
    readonly txId: string;
    readonly timestamp: string;
    readonly isDelete: boolean;
    readonly by: string | null;
    readonly value: T | null;
}

const statusChoices = (): Array<[string, string]> => LOT_STATUSES.map((s) => [s, tDynamic(`status.${s}`, s)]);

/** Row of a lot; a recalled lot is highlighted (class, badge, reason). */
function lotRow(lot: Lot): HTMLTableRowElement {
    const recalled = lot.status === 'RECALLED' || lot.recall !== null;
    const tr = h('tr', { class: recalled ? 'recalled' : null, 'data-testid': 'lot-row', 'data-status': lot.status });
    tr.append(
        cell(link(formatRoute({ view: 'lots', id: lot.id }), lot.id)),
        cell(lot.productId),
        cell(lot.owner),
        cell(lot.holder),
        cell(formatQuantity(lot.quantity, lot.unit)),
        cell(badge('status.', lot.status), recalled && lot.recall !== null ? h('span', { class: 'recall-reason' }, ` ${lot.recall.reason}`) : null),
        cell(formatDateTime(lot.createdAt, getLang())),
    );
    return tr;
}

export async function lotsView(ctx: Ctx, main: HTMLElement): Promise<void> {
    if (ctx.route.id !== null) return lotView(ctx, main, ctx.route.id);
    const fallback = ctx.me.role === 'member' ? { name: 'holder', value: ctx.me.mspId } : { name: 'status', value: 'RECALLED' };
    const current = chosen(ctx.route.query, ['status', 'owner', 'holder'], fallback);
    main.append(heading(tc('lots.title')));
    // one click per state
    main.append(
        h(
            'nav',
            { class: 'chips', 'aria-label': tc('filter.status') },
            ...LOT_STATUSES.map((s) =>
                h('a', { href: formatRoute({ view: 'lots', query: { status: s } }), class: `chip${s === 'RECALLED' ? ' chip-recalled' : ''}`, 'aria-current': current.name === 'status' && current.value === s ? 'page' : null }, tDynamic(`status.${s}`, s)),
            ),
        ),
    );
    main.append(
        filterBar('lots-filter', [
            { name: 'status', label: 'filter.status', choices: statusChoices() },
            { name: 'owner', label: 'filter.owner' },
            { name: 'holder', label: 'filter.holder' },
        ], current, (name, value) => {
            location.hash = formatRoute({ view: 'lots', query: { [name]: value } });
        }),
    );
    const tbody = h('tbody');
    const recalledNote = h('p', { class: 'recall-note', role: 'status', hidden: true });
    const tbl = table(`${tc(`filter.${current.name}` as 'filter.status')}: ${current.name === 'status' ? tDynamic(`status.${current.value}`, current.value) : current.value}`, [tc('col.id'), tc('col.product'), tc('col.owner'), tc('col.holder'), tc('col.quantity'), tc('col.status'), tc('col.created')], []);
    tbl.querySelector('tbody')?.replaceWith(tbody);
    const wrap = h('div', { class: 'table-wrap' }, tbl);
    main.append(recalledNote, wrap);
    let recalled = 0;
    await pagedList<Lot>(ctx, main, '/v1/lots', { [current.name]: current.value }, (items) => {
        for (const lot of items) {
            tbody.append(lotRow(lot));
            if (lot.status === 'RECALLED') recalled += 1;
        }
        recalledNote.hidden = recalled === 0 || (current.name === 'status' && current.value === 'RECALLED');
        recalledNote.textContent = tc('lots.recalledCount', { n: recalled });
    });
}

function eventItem(e: LotEvent): HTMLLIElement {
    const what = tDynamic(`step.${e.bizStep}`, tDynamic(`event.${e.eventType}`, e.eventType));
    const details: string[] = [];
    if (e.custody !== null) details.push(`${t('field.from')} ${e.custody.from} → ${t('field.to')} ${e.custody.to}`);
    if (e.inspection !== null) details.push(`${t('field.inspection')}: ${tDynamic(`inspection.${e.inspection.result}`, e.inspection.result)}`);
    const place = e.bizLocation?.name ?? e.bizLocation?.id;
    if (place !== undefined) details.push(`${t('field.place')}: ${place}`);
    if (e.note !== null && e.note !== '') details.push(e.note);
    return h(
        'li',
        { class: `tl-event tl-${e.eventType.toLowerCase()}`, 'data-testid': 'timeline-event' },
        h('time', { datetime: e.eventTime }, formatDateTime(e.eventTime, getLang())),
        ' ',
        h('strong', {}, what),
        ' ',
        badge('status.', e.statusAfter),
        ' ',
        h('span', { class: 'muted' }, `${t('field.by')} ${e.by}`),
        details.length > 0 ? h('div', { class: 'tl-details' }, details.join(' · ')) : null,
        h('div', { class: 'tl-tx' }, link(formatRoute({ view: 'tx', id: e.txId }), shortHash(e.txId), e.txId)),
    );
}

async function lotView(ctx: Ctx, main: HTMLElement, id: string): Promise<void> {
    main.append(heading(tc('lot.title', { id })));
    const [tl, hist] = await Promise.allSettled([
        ctx.api.get<Timeline>(`/v1/lots/${seg(id)}/events`, undefined, ctx.signal),
        ctx.api.get<Array<HistoryEntry<Lot>>>(`/v1/history/lot/${seg(id)}`, undefined, ctx.signal),
    ]);
    if (tl.status === 'rejected') {
        main.append(problemView(tl.reason, ctx.refresh));
        return;
    }
    const { lot, product, events, ancestors } = tl.value;
    const recalled = lot.status === 'RECALLED';
    main.append(
        h(
            'section',
            { class: `card${recalled ? ' recalled' : ''}` },
            recalled && lot.recall !== null ? h('p', { class: 'recall-banner', role: 'note' }, `${tc('lots.recalled')}: ${lot.recall.reason} (${lot.recall.by}, ${formatDateTime(lot.recall.timestamp, getLang())})`) : null,
            facts([
                [tc('lot.product'), `${product.name} (${product.sku})`],
                [tc('col.owner'), lot.owner],
                [tc('col.holder'), lot.holder],
                [tc('lot.shippedTo'), lot.shippedTo],
                [tc('col.quantity'), formatQuantity(lot.quantity, lot.unit)],
                [tc('col.status'), badge('status.', lot.status)],
                [tc('lot.derivedFrom'), lot.derivedFrom !== undefined && lot.derivedFrom.length > 0 ? h('span', {}, ...lot.derivedFrom.flatMap((d, i) => [i > 0 ? ', ' : '', link(formatRoute({ view: 'lots', id: d.lotId }), d.lotId)])) : null],
            ]),
        ),
    );
    main.append(h('h2', {}, tc('lot.timeline')), h('ol', { class: 'timeline', 'data-testid': 'timeline' }, ...events.map(eventItem)));
    if (ancestors.length > 0) {
        main.append(h('h2', {}, tc('lot.ancestors')));
        for (const a of ancestors) {
            main.append(h('h3', {}, link(formatRoute({ view: 'lots', id: a.lot.id }), a.lot.id), ' ', badge('status.', a.lot.status)), h('ol', { class: 'timeline' }, ...a.events.map(eventItem)));
        }
    }
    main.append(h('h2', {}, tc('lot.history')));
    if (hist.status === 'rejected') main.append(problemView(hist.reason));
    else main.append(historyTable(hist.value, (v) => (v === null ? '' : tDynamic(`status.${v.status}`, v.status))));
}

/** The key history of any record (newest first): time, transaction, submitter, the status it had. */
export function historyTable<T>(entries: ReadonlyArray<HistoryEntry<T>>, summary: (v: T | null) => string | Node): HTMLElement {
    const rows = entries.map((e) =>
        h(
            'tr',
            { class: e.isDelete ? 'deleted' : null },
            cell(formatDateTime(e.timestamp, getLang())),
            cell(link(formatRoute({ view: 'tx', id: e.txId }), shortHash(e.txId), e.txId)),
            cell(e.by ?? '—'),
            cell(e.isDelete ? tc('col.deleted') : summary(e.value)),
        ),
    );
    return h('div', { class: 'table-wrap' }, table(tc('lot.history'), [tc('col.time'), tc('col.tx'), tc('col.by'), tc('col.status')], rows, true));
}
