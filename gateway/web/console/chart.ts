/**
 * An issuer's credit record (GET /v1/credit/{mspId}, chaincode receivables.CreditRecord) as bar-chart geometry:
 * per currency, three bars — paid on time, paid late, overdue and unpaid — by count, with their amounts. Pure: the
 * view turns the geometry into inline SVG.
 */

export const OUTCOMES = ['onTime', 'late', 'overdueUnpaid'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface CreditTotals {
    readonly count: number;
    /** Minor units. */
    readonly amount: string;
}

export interface CreditRow {
    readonly currency: string;
    readonly onTime: CreditTotals;
    readonly late: CreditTotals;
    readonly overdueUnpaid: CreditTotals;
}

export interface CreditRecord {
    readonly issuer: string;
    readonly currencies: readonly CreditRow[];
    readonly settlements: number;
    /** On-time share of paid settlements in basis points; null before any payment. */
    readonly onTimeBps: number | null;
    readonly entries: ReadonlyArray<{ readonly receivableId: string; readonly amount: string; readonly currency: string; readonly maturityDate: string; readonly outcome: string; readonly paidAt: string | null }>;
}

function totals(v: unknown): CreditTotals {
    const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
    const count = typeof o['count'] === 'number' && Number.isInteger(o['count']) && o['count'] >= 0 ? o['count'] : 0;
    const amount = typeof o['amount'] === 'string' && /^(0|[1-9][0-9]*)$/.test(o['amount']) ? o['amount'] : '0';
    return { count, amount };
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

export function parseCredit(body: unknown): CreditRecord {
    if (typeof body !== 'object' || body === null) throw new TypeError('credit: not an object');
    const o = body as Record<string, unknown>;
    const rows = Array.isArray(o['currencies']) ? (o['currencies'] as unknown[]) : [];
    const entries = Array.isArray(o['entries']) ? (o['entries'] as unknown[]) : [];
    return {
        issuer: text(o['issuer']),
        currencies: rows.map((r) => {
            const x = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
            return { currency: text(x['currency']), onTime: totals(x['onTime']), late: totals(x['late']), overdueUnpaid: totals(x['overdueUnpaid']) };
        }),
        settlements: typeof o['settlements'] === 'number' ? o['settlements'] : 0,
        onTimeBps: typeof o['onTimeBps'] === 'number' ? o['onTimeBps'] : null,
        entries: entries.map((e) => {
            const x = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
            return {
                receivableId: text(x['receivableId']),
                amount: text(x['amount']),
                currency: text(x['currency']),
                maturityDate: text(x['maturityDate']),
                outcome: text(x['outcome']),
                paidAt: typeof x['paidAt'] === 'string' ? x['paidAt'] : null,
            };
        }),
    };
}

export interface Bar {
    readonly outcome: Outcome;
    readonly count: number;
    readonly amount: string;
    /** Geometry in the chart's user units (viewBox 0 0 width height). */
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
}

export interface BarChart {
    readonly currency: string;
    readonly width: number;
    readonly height: number;
    /** The count the full height stands for (≥ 1). */
    readonly max: number;
    readonly bars: readonly Bar[];
}

/** Bar geometry for one currency row: heights proportional to counts, a bar of count > 0 at least 2 units tall. */
export function barChart(row: CreditRow, width = 300, height = 160, gap = 24): BarChart {
    const max = Math.max(1, row.onTime.count, row.late.count, row.overdueUnpaid.count);
    const barWidth = (width - gap * (OUTCOMES.length + 1)) / OUTCOMES.length;
    const bars = OUTCOMES.map((outcome, i) => {
        const t = row[outcome];
        const h = t.count === 0 ? 0 : Math.max(2, Math.round((t.count / max) * height));
        return { outcome, count: t.count, amount: t.amount, x: gap + i * (barWidth + gap), y: height - h, width: barWidth, height: h };
    });
    return { currency: row.currency, width, height, max, bars };
}

/** 9750 basis points → "97.5%"; null → null. */
export function bpsToPercent(bps: number | null): string | null {
    if (bps === null) return null;
    const whole = Math.floor(bps / 100);
    const frac = bps % 100;
    return frac === 0 ? `${whole}%` : `${whole}.${String(frac).padStart(2, '0').replace(/0$/, '')}%`;
}
