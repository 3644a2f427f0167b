/** Stock lots (tokenized warehouse goods) with their token supply: minted, unspent, pledged/offered, redeemed. */
import { seg } from '../shared/api.js';
import { formatAmount, formatDateTime, formatQuantity } from '../shared/format.js';
import { getLang, t } from '../shared/i18n.js';
import { badge, cell, facts, h, heading, link, problemView, table } from './dom.js';
import { historyTable } from './lots.js';
import { tc, tcDynamic } from './messages.js';
import { formatRoute } from './route.js';
import { chosen, filterBar, pagedList, type Ctx } from './ui.js';

export const STOCK_STATUSES = ['DEPOSITED', 'ATTESTED', 'TOKENIZED', 'PARTIALLY_REDEEMED', 'FULLY_REDEEMED', 'CLOSED'] as const;

interface StockLot {
    readonly id: string;
    readonly owner: string;
    readonly custodian: string;
    readonly batchLotId: string;
    readonly sku: string;
    readonly unit: string;
    readonly quantity: string;
    readonly unitValuation: { readonly amount: string; readonly currency: string } | string | null;
    readonly status: string;
    readonly attested: string;
    readonly minted: string;
    readonly redeemed: string;
    readonly frozen: boolean;
    readonly impaired: { readonly reason: string } | null;
    readonly createdAt: string;
}

/** GET /v1/stock-lots/{id}/supply (chaincode tokens.GetSupply). `pledged`/`offered` when the gateway splits `locked`. */
export interface Supply {
    readonly lotId: string;
    readonly available: string;
    readonly locked: string;
    readonly total: string;
    readonly minted: string;
    readonly redeemed: string;
    readonly attested: string;
    readonly pledged?: string;
    readonly offered?: string;
    readonly holders: ReadonlyArray<{ readonly mspId: string; readonly available: string; readonly locked: string; readonly total: string; readonly pledged?: string; readonly offered?: string }>;
}

/** The four quantities shown for a lot: minted, unspent (= available + locked), pledged (or locked), redeemed. */
export function supplyFigures(s: Supply): Array<{ key: 'stock.minted' | 'stock.unspent' | 'stock.pledged' | 'stock.locked' | 'stock.offered' | 'stock.redeemed'; value: string }> {
    const out: Array<{ key: 'stock.minted' | 'stock.unspent' | 'stock.pledged' | 'stock.locked' | 'stock.offered' | 'stock.redeemed'; value: string }> = [
        { key: 'stock.minted', value: s.minted },
        { key: 'stock.unspent', value: s.total },
    ];
    if (s.pledged !== undefined) {
        out.push({ key: 'stock.pledged', value: s.pledged });
        if (s.offered !== undefined) out.push({ key: 'stock.offered', value: s.offered });
    } else out.push({ key: 'stock.locked', value: s.locked });
    out.push({ key: 'stock.redeemed', value: s.redeemed });
    return out;
}

function supplyCells(s: Supply | null, unit: string): HTMLTableCellElement[] {
    if (s === null) return [cell('—'), cell('—'), cell('—'), cell('—')];
    return supplyFigures(s)
        .filter((f) => f.key !== 'stock.offered')
        .map((f) => cell(formatQuantity(f.value, unit)));
}

export async function stockView(ctx: Ctx, main: HTMLElement): Promise<void> {
    if (ctx.route.id !== null) return stockLotView(ctx, main, ctx.route.id);
    const fallback = ctx.me.role === 'member' ? { name: 'owner', value: ctx.me.mspId } : { name: 'status', value: 'TOKENIZED' };
    const current = chosen(ctx.route.query, ['owner', 'custodian', 'status'], fallback);
    main.append(heading(tc('stock.title')));
    main.append(
        filterBar('stock-filter', [
            { name: 'owner', label: 'filter.owner' },
            { name: 'custodian', label: 'filter.custodian' },
            { name: 'status', label: 'filter.status', choices: STOCK_STATUSES.map((s) => [s, tcDynamic(`stock.status.${s}`, s)]) },
        ], current, (name, value) => {
            location.hash = formatRoute({ view: 'stock', query: { [name]: value } });
        }),
    );
    const tbody = h('tbody');
    const tbl = table(tc('stock.title'), [tc('col.id'), tc('col.sku'), tc('col.owner'), tc('col.custodian'), tc('col.status'), tc('col.quantity'), tc('stock.minted'), tc('stock.unspent'), tc('stock.locked'), tc('stock.redeemed')], []);
    tbl.querySelector('tbody')?.replaceWith(tbody);
    main.append(h('div', { class: 'table-wrap' }, tbl));
    await pagedList<StockLot>(ctx, main, '/v1/stock-lots', { [current.name]: current.value }, async (items) => {
        const supplies = await Promise.all(items.map((l) => ctx.api.get<Supply>(`/v1/stock-lots/${seg(l.id)}/supply`, undefined, ctx.signal).catch(() => null)));
        items.forEach((l, i) => {
            tbody.append(
                h(
                    'tr',
                    { class: l.impaired !== null ? 'recalled' : null, 'data-testid': 'stock-row' },
                    cell(link(formatRoute({ view: 'stock', id: l.id }), l.id)),
                    cell(l.sku),
                    cell(l.owner),
                    cell(l.custodian),
                    cell(badge('stock.status.', l.status), l.frozen ? h('span', { class: 'badge status-frozen' }, tc('stock.frozen')) : null),
                    cell(formatQuantity(l.quantity, l.unit)),
                    ...supplyCells(supplies[i] ?? null, l.unit),
                ),
            );
        });
    });
}

async function stockLotView(ctx: Ctx, main: HTMLElement, id: string): Promise<void> {
    main.append(heading(id));
    const [lot, supply, hist] = await Promise.allSettled([
        ctx.api.get<StockLot>(`/v1/stock-lots/${seg(id)}`, undefined, ctx.signal),
        ctx.api.get<Supply>(`/v1/stock-lots/${seg(id)}/supply`, undefined, ctx.signal),
        ctx.api.get<Array<{ txId: string; timestamp: string; isDelete: boolean; by: string | null; value: StockLot | null }>>(`/v1/history/stock-lot/${seg(id)}`, undefined, ctx.signal),
    ]);
    if (lot.status === 'rejected') {
        main.append(problemView(lot.reason, ctx.refresh));
        return;
    }
    const l = lot.value;
    const valuation = typeof l.unitValuation === 'object' && l.unitValuation !== null ? formatAmount(l.unitValuation.amount, l.unitValuation.currency, getLang()) : String(l.unitValuation ?? '—');
    main.append(
        h(
            'section',
            { class: 'card' },
            facts([
                [tc('col.sku'), l.sku],
                [tc('col.owner'), l.owner],
                [tc('col.custodian'), l.custodian],
                [tc('col.status'), badge('stock.status.', l.status)],
                [tc('col.quantity'), formatQuantity(l.quantity, l.unit)],
                [tc('stock.attested'), formatQuantity(l.attested, l.unit)],
                [tc('stock.valuation'), valuation],
                [t('field.lot'), link(formatRoute({ view: 'lots', id: l.batchLotId }), l.batchLotId)],
                [tc('col.created'), formatDateTime(l.createdAt, getLang())],
            ]),
        ),
    );
    main.append(h('h2', {}, tc('stock.supply')));
    if (supply.status === 'rejected') main.append(problemView(supply.reason));
    else {
        const s = supply.value;
        main.append(
            h('dl', { class: 'figures', 'data-testid': 'supply' }, ...supplyFigures(s).flatMap((f) => [h('dt', {}, tc(f.key)), h('dd', { 'data-figure': f.key.slice(6) }, formatQuantity(f.value, l.unit))])),
            h(
                'div',
                { class: 'table-wrap' },
                table(tc('stock.holders'), [tc('col.holder'), tc('stock.unspent'), tc('stock.locked')], s.holders.map((x) => h('tr', {}, cell(x.mspId), cell(formatQuantity(x.total, l.unit)), cell(formatQuantity(x.locked, l.unit))))),
            ),
        );
    }
    if (hist.status === 'rejected') main.append(problemView(hist.reason));
    else main.append(h('h2', {}, tc('lot.history')), historyTable(hist.value, (v) => (v === null ? '' : tcDynamic(`stock.status.${v.status}`, v.status))));
}
