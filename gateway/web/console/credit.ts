/** An issuer's credit record as inline SVG bars (on time / late / overdue unpaid) per currency, with the entries. */
import { seg } from '../shared/api.js';
import { formatAmount, formatDateTime } from '../shared/format.js';
import { getLang } from '../shared/i18n.js';
import { cell, field, h, heading, link, problemView, s, table } from './dom.js';
import { barChart, bpsToPercent, parseCredit, type CreditRecord, type CreditRow } from './chart.js';
import { isMspId } from './forms.js';
import { tc } from './messages.js';
import { formatRoute } from './route.js';
import type { Ctx } from './ui.js';

function chart(row: CreditRow): SVGSVGElement {
    const c = barChart(row);
    const label = tc('credit.chart', { currency: row.currency, onTime: row.onTime.count, late: row.late.count, overdue: row.overdueUnpaid.count });
    const top = 20;
    const bottom = 36;
    const svg = s('svg', { viewBox: `0 0 ${c.width} ${c.height + top + bottom}`, role: 'img', 'aria-label': label, class: 'chart', 'data-testid': 'credit-chart', 'data-currency': row.currency }, s('title', {}, label));
    svg.append(s('line', { x1: 0, x2: c.width, y1: top + c.height, y2: top + c.height, class: 'axis' }));
    for (const b of c.bars) {
        const g = s('g', { class: `bar bar-${b.outcome}`, 'data-outcome': b.outcome, 'data-count': b.count, 'data-amount': b.amount });
        g.append(
            s('rect', { x: b.x, y: top + b.y, width: b.width, height: b.height }),
            s('text', { x: b.x + b.width / 2, y: top + b.y - 4, 'text-anchor': 'middle', class: 'bar-value' }, String(b.count)),
            s('text', { x: b.x + b.width / 2, y: top + c.height + 16, 'text-anchor': 'middle', class: 'bar-label' }, tc(`credit.${b.outcome}`)),
            s('text', { x: b.x + b.width / 2, y: top + c.height + 30, 'text-anchor': 'middle', class: 'bar-amount' }, formatAmount(b.amount, row.currency, getLang())),
        );
        svg.append(g);
    }
    return svg;
}

function recordView(rec: CreditRecord): HTMLElement {
    const pct = bpsToPercent(rec.onTimeBps);
    const box = h('section', { class: 'card', 'data-testid': 'credit', 'data-issuer': rec.issuer });
    box.append(h('p', {}, pct === null ? tc('credit.noPayments') : tc('credit.share', { pct, n: rec.settlements })));
    const charts = h('div', { class: 'charts' });
    for (const row of rec.currencies) charts.append(h('figure', {}, chart(row), h('figcaption', {}, row.currency)));
    box.append(charts);
    if (rec.entries.length > 0) {
        box.append(
            h(
                'div',
                { class: 'table-wrap' },
                table(
                    tc('credit.entries'),
                    [tc('col.id'), tc('col.amount'), tc('col.maturity'), tc('col.outcome'), tc('col.paidAt')],
                    rec.entries.map((e) =>
                        h(
                            'tr',
                            { class: e.outcome === 'OVERDUE' ? 'recalled' : null },
                            cell(link(formatRoute({ view: 'receivables', id: e.receivableId }), e.receivableId)),
                            cell(h('span', { class: 'num' }, formatAmount(e.amount, e.currency, getLang()))),
                            cell(e.maturityDate),
                            cell(tc(e.outcome === 'ON_TIME' ? 'credit.onTime' : e.outcome === 'LATE' ? 'credit.late' : 'credit.overdueUnpaid')),
                            cell(e.paidAt === null ? '—' : formatDateTime(e.paidAt, getLang())),
                        ),
                    ),
                ),
            ),
        );
    }
    return box;
}

export async function creditView(ctx: Ctx, main: HTMLElement): Promise<void> {
    main.append(heading(tc('credit.title')));
    const issuer = ctx.route.id ?? (ctx.me.role === 'member' ? ctx.me.mspId : '');
    const input = h('input', { type: 'text', name: 'issuer', value: issuer, required: true, autocomplete: 'off', spellcheck: 'false' });
    const form = h('form', { class: 'filter', role: 'search' }, field('credit-issuer', tc('credit.issuer'), input), h('button', { type: 'submit' }, tc('credit.show')));
    form.addEventListener('submit', (e) => {
        e.preventDefault();
        const v = input.value.trim();
        if (isMspId(v)) location.hash = formatRoute({ view: 'credit', id: v });
    });
    main.append(form);
    if (issuer === '') return;
    try {
        main.append(recordView(parseCredit(await ctx.api.get<unknown>(`/v1/credit/${seg(issuer)}`, undefined, ctx.signal))));
    } catch (err) {
        if (!ctx.signal.aborted) main.append(problemView(err, ctx.refresh));
    }
}
