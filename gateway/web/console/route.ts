/**
 * Hash routes of the console: `#/<view>[/<id>][?k=v…]`, e.g. `#/lots?status=RECALLED`, `#/receivables/tx1.2`,
 * `#/credit/BrandMSP`, `#/tx/<txId>`. Pure: parse and format, unknown views fall back to the first one.
 */

export const ROUTE_VIEWS = ['lots', 'stock', 'receivables', 'credit', 'tx', 'events'] as const;
export type RouteView = (typeof ROUTE_VIEWS)[number];

export interface Route {
    readonly view: RouteView;
    /** The record shown (lot id, stock lot id, receivable id, MSP id, txId), or null for the list. */
    readonly id: string | null;
    readonly query: Readonly<Record<string, string>>;
}

const ID = /^[A-Za-z0-9._:-]{1,160}$/;

export function parseRoute(hash: string): Route {
    const raw = hash.startsWith('#') ? hash.slice(1) : hash;
    const q = raw.indexOf('?');
    const path = q === -1 ? raw : raw.slice(0, q);
    const search = q === -1 ? '' : raw.slice(q + 1);
    const parts = path.split('/').filter((p) => p !== '');
    const first = parts[0] ?? '';
    const view: RouteView = (ROUTE_VIEWS as readonly string[]).includes(first) ? (first as RouteView) : 'lots';
    let id: string | null = null;
    if (view === first && parts.length >= 2) {
        let decoded: string;
        try {
            decoded = decodeURIComponent(parts.slice(1).join('/'));
        } catch {
            decoded = '';
        }
        id = ID.test(decoded) ? decoded : null;
    }
    const query: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(search)) if (v !== '' && /^[A-Za-z]{1,32}$/.test(k)) query[k] = v;
    return { view, id, query };
}

export function formatRoute(route: { readonly view: RouteView; readonly id?: string | null; readonly query?: Readonly<Record<string, string | undefined>> }): string {
    let s = `#/${route.view}`;
    if (route.id !== undefined && route.id !== null && route.id !== '') s += `/${encodeURIComponent(route.id)}`;
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(route.query ?? {})) if (v !== undefined && v !== '') q.set(k, v);
    const qs = q.toString();
    return qs === '' ? s : `${s}?${qs}`;
}
