import { formatRoute, parseRoute } from './route';

describe('hash routes', () => {
    it.each([
        ['', { view: 'lots', id: null, query: {} }],
        ['#/', { view: 'lots', id: null, query: {} }],
        ['#/lots?status=RECALLED', { view: 'lots', id: null, query: { status: 'RECALLED' } }],
        ['#/receivables/tx1.2', { view: 'receivables', id: 'tx1.2', query: {} }],
        ['#/credit/BrandMSP', { view: 'credit', id: 'BrandMSP', query: {} }],
        ['#/tx/abc?x=', { view: 'tx', id: 'abc', query: {} }],
        ['#/nope/x', { view: 'lots', id: null, query: {} }],
        ['#/lots/%3Cscript%3E', { view: 'lots', id: null, query: {} }],
        ['#/lots/%E0%A4%A', { view: 'lots', id: null, query: {} }],
        ['#main', { view: 'lots', id: null, query: {} }],
    ])('%s', (hash, route) => {
        expect(parseRoute(hash)).toEqual(route);
    });

    it('formats what it parses', () => {
        const r = { view: 'stock' as const, id: 'a:b', query: { owner: 'BrandMSP', status: undefined } };
        expect(formatRoute(r)).toBe('#/stock/a%3Ab?owner=BrandMSP');
        expect(parseRoute(formatRoute(r))).toEqual({ view: 'stock', id: 'a:b', query: { owner: 'BrandMSP' } });
        expect(formatRoute({ view: 'events' })).toBe('#/events');
    });
});
