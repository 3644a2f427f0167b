import { barChart, bpsToPercent, parseCredit } from './chart';

const body = {
    issuer: 'BrandMSP',
    currencies: [{ currency: 'CNY', onTime: { count: 4, amount: '400000' }, late: { count: 1, amount: '50000' }, overdueUnpaid: { count: 0, amount: '0' } }],
    settlements: 5,
    onTimeBps: 8000,
    entries: [{ issuer: 'BrandMSP', receivableId: 'R.1', rootId: 'R', amount: '50000', currency: 'CNY', maturityDate: '2025-01-01', outcome: 'LATE', paidAt: '2025-01-03T00:00:00.000000000Z', recorded: {} }],
};

describe('credit chart', () => {
    it('parses the record, defaulting what is missing or malformed', () => {
        const c = parseCredit(body);
        expect(c.currencies[0]?.late).toEqual({ count: 1, amount: '50000' });
        expect(c.entries[0]).toMatchObject({ receivableId: 'R.1', outcome: 'LATE' });
        const empty = parseCredit({ issuer: 'X', currencies: [{ currency: 'CNY', onTime: { count: -1, amount: 'x' } }] });
        expect(empty.currencies[0]?.onTime).toEqual({ count: 0, amount: '0' });
        expect(empty.onTimeBps).toBeNull();
        expect(() => parseCredit('nope')).toThrow(TypeError);
    });

    it('scales bars to the largest count, inside the chart, zero counts flat and small counts visible', () => {
        const c = barChart(parseCredit(body).currencies[0]!, 300, 160, 24);
        expect(c.max).toBe(4);
        expect(c.bars.map((b) => [b.outcome, b.count, b.height])).toEqual([
            ['onTime', 4, 160],
            ['late', 1, 40],
            ['overdueUnpaid', 0, 0],
        ]);
        for (const b of c.bars) {
            expect(b.y + b.height).toBe(160);
            expect(b.x).toBeGreaterThanOrEqual(0);
            expect(b.x + b.width).toBeLessThanOrEqual(300);
        }
        const tiny = barChart({ currency: 'CNY', onTime: { count: 1000, amount: '1' }, late: { count: 1, amount: '1' }, overdueUnpaid: { count: 0, amount: '0' } });
        expect(tiny.bars[1]?.height).toBe(2);
    });

    it('formats basis points', () => {
        expect([bpsToPercent(8000), bpsToPercent(9750), bpsToPercent(3333), bpsToPercent(5), bpsToPercent(null)]).toEqual(['80%', '97.5%', '33.33%', '0.05%', null]);
    });
});
