/**
 * Transaction lookup: GET /v1/transactions/{txId} (status, block, validation code), then the key history of the
 * records it created or changed. The gateway has no read/write-set route: records whose id is the txId (lots,
 * stock lots, receivables, offers, pledges and redemptions are keyed by their creating transaction) are tried,
 * and any record can be looked up by kind and id.
 */
import { ApiProblem, seg } from '../shared/api.js';
import { shortHash } from '../shared/format.js';
import { badge, facts, field, h, heading, link, problemView } from './dom.js';
import { historyTable } from './lots.js';
import { tc, tcDynamic } from './messages.js';
import { formatRoute } from './route.js';
import type { Ctx } from './ui.js';

interface TxStatus {
    readonly txId: string;
    readonly status?: string;
    readonly valid?: boolean;
    readonly validationCode: string;
    readonly blockNumber: string;
    /** Proposed server addition: the chaincode function the transaction invoked, e.g. `receivables:SplitTransfer`. */
    readonly function?: string;
    /** Proposed server addition: the records its write set touched, as history kinds and ids. */
    readonly writes?: ReadonlyArray<{ readonly kind: string; readonly id: string; readonly isDelete?: boolean }>;
}

export const HISTORY_KINDS = ['lot', 'stock-lot', 'receivable', 'product', 'unit', 'offer', 'pledge', 'redemption'] as const;
/** Kinds whose records are keyed by the id of the transaction that created them. */
const KEYED_BY_TX = ['receivable', 'stock-lot', 'offer', 'pledge', 'redemption'] as const;

type Entry = { txId: string; timestamp: string; isDelete: boolean; by: string | null; value: Record<string, unknown> | null };

const summary = (v: Record<string, unknown> | null): string => {
    if (v === null) return '';
    const status = typeof v['status'] === 'string' ? v['status'] : '';
    const who = typeof v['holder'] === 'string' ? v['holder'] : typeof v['owner'] === 'string' ? v['owner'] : '';
    return [status !== '' ? tcDynamic(`rec.status.${status}`, tcDynamic(`status.${status}`, status)) : '', who].filter((x) => x !== '').join(' · ');
};

export async function txView(ctx: Ctx, main: HTMLElement): Promise<void> {
    main.append(heading(tc('tx.title')));
    const txId = ctx.route.id ?? '';
    const input = h('input', { type: 'text', name: 'txId', value: txId, required: true, autocomplete: 'off', spellcheck: 'false', class: 'wide' });
    const form = h('form', { class: 'filter', role: 'search' }, field('tx-id', tc('tx.id'), input), h('button', { type: 'submit' }, tc('tx.lookup')));
    form.addEventListener('submit', (e) => {
        e.preventDefault();
        const v = input.value.trim();
        if (/^[A-Za-z0-9._:-]{1,128}$/.test(v)) location.hash = formatRoute({ view: 'tx', id: v });
    });
    main.append(form);
    if (txId === '') return;
    let status: TxStatus;
    try {
        status = await ctx.api.get<TxStatus>(`/v1/transactions/${seg(txId)}`, undefined, ctx.signal);
    } catch (err) {
        if (!ctx.signal.aborted) main.append(problemView(err, ctx.refresh));
        return;
    }
    const st = status.status ?? (status.valid === false ? 'INVALID' : 'VALID');
    main.append(
        h(
            'section',
            { class: 'card', 'data-testid': 'tx', 'data-status': st },
            facts([
                [tc('tx.id'), h('code', { class: 'id' }, status.txId)],
                [tc('tx.status'), badge('tx.', st)],
                [tc('tx.block'), status.blockNumber],
                [tc('tx.code'), h('code', {}, status.validationCode)],
                ...(typeof status.function === 'string' ? ([[tc('tx.function'), h('code', {}, status.function)]] as const) : []),
            ]),
        ),
    );
    main.append(h('h2', {}, tc('tx.keys')));
    const rawWrites: unknown = status.writes;
    const writes = Array.isArray(rawWrites)
        ? (rawWrites as Array<Record<string, unknown> | null>).flatMap((w) =>
              w !== null && typeof w['kind'] === 'string' && typeof w['id'] === 'string' && (HISTORY_KINDS as readonly string[]).includes(w['kind']) ? [{ kind: w['kind'], id: w['id'] }] : [],
          )
        : null;
    if (writes === null) main.append(h('p', { class: 'muted' }, tc('tx.keysHint')));
    // with the write set (proposed addition) the records are known; without it, try the kinds keyed by the creating txId
    // (a split's first child is `<txId>.1`)
    const targets: ReadonlyArray<{ kind: string; id: string }> = writes ?? [...KEYED_BY_TX.map((kind) => ({ kind, id: txId })), { kind: 'receivable', id: `${txId}.1` }];
    const found = await Promise.all(
        targets.map(async ({ kind, id }) => {
            try {
                return { kind, id, entries: await ctx.api.get<Entry[]>(`/v1/history/${seg(kind)}/${seg(id)}`, undefined, ctx.signal) };
            } catch (err) {
                if (err instanceof ApiProblem && (err.code === 'NOT_FOUND' || err.code === 'INVALID_ARGUMENT' || err.code === 'VALIDATION_FAILED')) return null;
                return { kind, id, error: err };
            }
        }),
    );
    for (const f of found) {
        // a kind with no version of that key answers an empty history: nothing touched there
        if (f === null || (Array.isArray(f.entries) && f.entries.length === 0)) continue;
        const view = f.kind === 'receivable' ? 'receivables' : f.kind === 'stock-lot' ? 'stock' : f.kind === 'lot' ? 'lots' : null;
        main.append(h('h3', {}, `${tcDynamic(`history.kind.${f.kind}`, f.kind)} `, view === null ? h('code', {}, f.id) : link(formatRoute({ view, id: f.id }), shortHash(f.id, 16, 8), f.id)));
        if ('error' in f) main.append(problemView(f.error));
        else main.append(historyTable(f.entries, summary));
    }
    // any record by kind and id
    const kind = h('select', { name: 'kind' }, ...HISTORY_KINDS.map((k) => h('option', { value: k }, tcDynamic(`history.kind.${k}`, k))));
    const rid = h('input', { type: 'text', name: 'id', required: true, autocomplete: 'off', spellcheck: 'false' });
    const out = h('div', { 'aria-live': 'polite' });
    const hf = h('form', { class: 'filter' }, field('hist-kind', tc('tx.kind'), kind), field('hist-id', tc('tx.recordId'), rid), h('button', { type: 'submit' }, tc('tx.historyOf')));
    hf.addEventListener('submit', (e) => {
        e.preventDefault();
        out.replaceChildren();
        ctx.api
            .get<Entry[]>(`/v1/history/${seg(kind.value)}/${seg(rid.value.trim())}`, undefined, ctx.signal)
            .then((entries) => out.replaceChildren(historyTable(entries, summary)))
            .catch((err: unknown) => out.replaceChildren(problemView(err)));
    });
    main.append(hf, out);
}
