/**
 * The live feed of chaincode events over GET /v1/events, read with fetch + ReadableStream (EventSource cannot send
 * the Authorization header). On a disconnect it reconnects after a bounded backoff with Last-Event-ID, showing
 * "reconnecting"; frames are deduplicated by id. The feed's state survives leaving the view: coming back resumes
 * after the last event shown, so nothing is lost in between.
 */
import { ApiProblem, problemOf, withQuery } from '../shared/api.js';
import { shortHash } from '../shared/format.js';
import { field, h, heading, link, problemView } from './dom.js';
import { tc } from './messages.js';
import { formatRoute } from './route.js';
import { ResumeState, SseParser } from './sse.js';
import type { Ctx } from './ui.js';

interface ChainEvent {
    readonly blockNumber: string;
    readonly txId: string;
    readonly name: string;
    readonly payload: unknown;
}

type FeedState = 'connecting' | 'open' | 'reconnecting' | 'stopped' | 'failed';

/** Kept across visits of the view (per signed-in key; main.ts calls resetFeed on sign-out). */
let resume = new ResumeState();
let kept: Array<{ id: string; event: ChainEvent }> = [];
const MAX_KEPT = 500;
let options: { fromBlock: string; types: string } = { fromBlock: '', types: '' };

export function resetFeed(): void {
    resume = new ResumeState();
    kept = [];
    options = { fromBlock: '', types: '' };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        const timer = window.setTimeout(resolve, ms);
        signal.addEventListener('abort', () => {
            window.clearTimeout(timer);
            resolve();
        }, { once: true });
    });
}

const RETRYABLE = new Set(['NETWORK', 'UNAVAILABLE', 'TIMEOUT', 'BAD_RESPONSE', 'INTERNAL', 'RATE_LIMITED']);

function payloadText(p: unknown): string {
    let text: string;
    try {
        text = typeof p === 'string' ? p : JSON.stringify(p);
    } catch {
        text = String(p);
    }
    return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

function eventItem(id: string, e: ChainEvent): HTMLLIElement {
    return h(
        'li',
        { class: 'feed-event', 'data-testid': 'event', 'data-txid': e.txId, 'data-id': id, 'data-name': e.name },
        h('span', { class: 'feed-name' }, e.name),
        ' ',
        h('span', { class: 'muted' }, `#${e.blockNumber}`),
        ' ',
        link(formatRoute({ view: 'tx', id: e.txId }), shortHash(e.txId), e.txId),
        h('code', { class: 'feed-payload' }, payloadText(e.payload)),
    );
}

export function eventsView(ctx: Ctx, main: HTMLElement, authorization: () => Record<string, string>): void {
    main.append(heading(tc('events.title')));
    const stateEl = h('p', { class: 'feed-state', 'data-testid': 'feed-state', 'data-state': 'connecting', role: 'status' }, tc('events.state.connecting'));
    const counter = h('p', { class: 'muted' });
    const problemSlot = h('div', { 'aria-live': 'assertive' });
    const list = h('ol', { class: 'feed', 'data-testid': 'event-feed', 'aria-live': 'polite', 'aria-relevant': 'additions', reversed: true });
    const fromBlock = h('input', { type: 'text', inputmode: 'numeric', name: 'fromBlock', value: options.fromBlock, pattern: '[0-9]{1,20}', autocomplete: 'off' });
    const types = h('input', { type: 'text', name: 'types', value: options.types, autocomplete: 'off', spellcheck: 'false' });
    const startBtn = h('button', { type: 'submit' }, tc('events.start'));
    const stopBtn = h('button', { type: 'button' }, tc('events.pause'));
    const clearBtn = h('button', { type: 'button' }, tc('events.clear'));
    const form = h('form', { class: 'filter' }, field('feed-from', tc('events.fromBlock'), fromBlock), field('feed-types', tc('events.types'), types), startBtn, stopBtn, clearBtn);
    main.append(form, stateEl, counter, problemSlot, list);

    const setState = (s: FeedState, vars: Record<string, string | number> = {}): void => {
        stateEl.dataset.state = s;
        stateEl.textContent = tc(`events.state.${s}`, vars);
        stopBtn.textContent = s === 'stopped' || s === 'failed' ? tc('events.resume') : tc('events.pause');
    };
    const updateCount = (): void => {
        counter.textContent = `${tc('events.count', { n: kept.length })}${resume.lastEventId !== '' ? ` · ${tc('events.last', { id: resume.lastEventId })}` : ''}`;
    };
    for (const k of kept) list.prepend(eventItem(k.id, k.event));
    updateCount();

    let run: AbortController | null = null;
    const stop = (): void => {
        run?.abort();
        run = null;
    };
    ctx.signal.addEventListener('abort', stop, { once: true });

    const follow = async (signal: AbortSignal): Promise<void> => {
        while (!signal.aborted) {
            const parser = new SseParser(resume.lastEventId);
            setState(resume.attempt === 0 ? 'connecting' : 'reconnecting', { s: 0 });
            try {
                const query = { types: options.types === '' ? undefined : options.types, fromBlock: resume.lastEventId === '' && options.fromBlock !== '' ? options.fromBlock : undefined };
                const res = await fetch(withQuery('/v1/events', query), {
                    headers: { Accept: 'text/event-stream', ...authorization(), ...resume.headers() },
                    signal,
                    credentials: 'omit',
                    cache: 'no-store',
                });
                if (!res.ok) throw await problemOf(res);
                if (res.body === null) throw new ApiProblem({ status: res.status, code: 'BAD_RESPONSE', detail: 'no stream' });
                setState('open');
                problemSlot.replaceChildren();
                const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
                try {
                    let broken = false;
                    while (!broken) {
                        const { value, done } = await reader.read();
                        if (done) break;
                        for (const frame of parser.push(value)) {
                            if (frame.event === 'error') {
                                broken = true; // the server lost its peer: reconnect and resume
                                break;
                            }
                            if (frame.event !== 'message') continue;
                            let e: ChainEvent;
                            try {
                                e = JSON.parse(frame.data) as ChainEvent;
                            } catch {
                                continue;
                            }
                            const id = frame.id !== '' ? frame.id : `${e.blockNumber}:${e.txId}`;
                            if (!resume.accept({ id })) continue;
                            kept.push({ id, event: e });
                            if (kept.length > MAX_KEPT) kept.shift();
                            list.prepend(eventItem(id, e));
                            while (list.children.length > MAX_KEPT) list.lastElementChild?.remove();
                            updateCount();
                        }
                    }
                } finally {
                    reader.cancel().catch(() => undefined);
                }
            } catch (err) {
                if (signal.aborted) return;
                const code = err instanceof ApiProblem ? err.code : 'NETWORK';
                if (!RETRYABLE.has(code)) {
                    setState('failed', { code });
                    problemSlot.replaceChildren(problemView(err));
                    return;
                }
            }
            if (signal.aborted) return;
            const delay = resume.failed(Math.random(), parser.retryMs);
            setState('reconnecting', { s: Math.ceil(delay / 1000) });
            await sleep(delay, signal);
        }
    };

    const start = (): void => {
        stop();
        run = new AbortController();
        void follow(run.signal);
    };
    form.addEventListener('submit', (e) => {
        e.preventDefault();
        const fb = fromBlock.value.trim();
        const ty = types.value.trim();
        const changed = fb !== options.fromBlock || ty !== options.types;
        options = { fromBlock: /^[0-9]{1,20}$/.test(fb) ? fb : '', types: ty };
        if (changed) {
            // a new query: a fresh stream (the old resume point belongs to the old filter)
            resume = new ResumeState();
            kept = [];
            list.replaceChildren();
            updateCount();
        }
        start();
    });
    stopBtn.addEventListener('click', () => {
        if (run === null) start();
        else {
            stop();
            setState('stopped');
        }
    });
    clearBtn.addEventListener('click', () => {
        kept = [];
        list.replaceChildren();
        updateCount();
    });
    start();
}
