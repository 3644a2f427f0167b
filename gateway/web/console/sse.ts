/**
 * Server-Sent Events over fetch (EventSource cannot send an Authorization header): an incremental frame parser
 * (WHATWG "event stream interpretation") and the bookkeeping that makes a reconnect resume without loss or
 * repeats. Pure: no DOM, no network, no clock — the feed view drives it.
 */

/** One dispatched event. `id` is the stream's last event id when it was dispatched (`<block>:<txId>` here). */
export interface SseFrame {
    readonly event: string;
    readonly data: string;
    readonly id: string;
}

/**
 * Feed text chunks as they arrive (any split, even inside a line or a CRLF); get the complete frames back.
 * Comments (`: keep-alive`) are skipped; `retry:` updates {@link retryMs}; an `id` containing NUL is ignored.
 */
export class SseParser {
    #buffer = '';
    #pendingCR = false;
    #data: string[] = [];
    #event = '';
    #lastId: string;
    #retry: number | null = null;

    constructor(lastEventId = '') {
        this.#lastId = lastEventId;
    }

    /** The last event id seen (set by `id:` lines, even on frames without data). */
    get lastEventId(): string {
        return this.#lastId;
    }

    /** The reconnection delay the server asked for, if any. */
    get retryMs(): number | null {
        return this.#retry;
    }

    push(chunk: string): SseFrame[] {
        const frames: SseFrame[] = [];
        let text = chunk;
        // a CR at the end of the previous chunk followed by LF here is one line break
        if (this.#pendingCR && text.startsWith('\n')) text = text.slice(1);
        this.#pendingCR = false;
        this.#buffer += text;
        for (;;) {
            const m = /\r\n|\r|\n/.exec(this.#buffer);
            if (m === null) break;
            // a trailing CR may be the first half of CRLF: treat it as a line end, but remember to drop a following LF
            if (m[0] === '\r' && m.index === this.#buffer.length - 1) this.#pendingCR = true;
            const line = this.#buffer.slice(0, m.index);
            this.#buffer = this.#buffer.slice(m.index + m[0].length);
            const frame = this.#line(line);
            if (frame !== null) frames.push(frame);
        }
        return frames;
    }

    #line(line: string): SseFrame | null {
        if (line === '') return this.#dispatch();
        if (line.startsWith(':')) return null;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        switch (field) {
            case 'data':
                this.#data.push(value);
                break;
            case 'event':
                this.#event = value;
                break;
            case 'id':
                if (!value.includes('\0')) this.#lastId = value;
                break;
            case 'retry':
                if (/^[0-9]+$/.test(value)) this.#retry = Number(value);
                break;
            default:
                break;
        }
        return null;
    }

    #dispatch(): SseFrame | null {
        const data = this.#data;
        const event = this.#event;
        this.#data = [];
        this.#event = '';
        if (data.length === 0) return null;
        return { event: event === '' ? 'message' : event, data: data.join('\n'), id: this.#lastId };
    }
}

/** `<block>:<txId>` → its parts, or null when the id is not of that form. */
export function parseEventId(id: string): { readonly block: bigint; readonly txId: string } | null {
    const m = /^([0-9]{1,20}):(.+)$/.exec(id);
    if (m === null) return null;
    return { block: BigInt(m[1] as string), txId: m[2] as string };
}

/** Bounded exponential backoff with full jitter: attempt 0 → up to `baseMs`, capped at `maxMs`. */
export function backoffMs(attempt: number, random: number, baseMs = 500, maxMs = 15_000): number {
    const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
    const r = Math.min(Math.max(random, 0), 1);
    // never 0: leave at least a quarter of the ceiling so a flapping server is not hammered
    return Math.round(ceiling / 4 + (ceiling * 3 * r) / 4);
}

/**
 * What to send on reconnect and which frames to show: remembers the last event id delivered and the recent ids
 * (bounded), so a frame that arrives twice — a server replaying the block of Last-Event-ID, a duplicate after a
 * reconnect race — is shown once, and a frame older than the last one delivered is dropped.
 */
export class ResumeState {
    #last = '';
    #lastBlock: bigint | null = null;
    readonly #seen = new Set<string>();
    readonly #order: string[] = [];
    #attempt = 0;

    constructor(private readonly capacity = 1000) {}

    /** The Last-Event-ID header to send, or '' before any event. */
    get lastEventId(): string {
        return this.#last;
    }

    /** Consecutive failed connection attempts since the last frame. */
    get attempt(): number {
        return this.#attempt;
    }

    /** True when the frame is new and should be shown; records it. Frames without an id are always new. */
    accept(frame: Pick<SseFrame, 'id'>): boolean {
        const id = frame.id;
        this.#attempt = 0;
        if (id === '') return true;
        if (this.#seen.has(id)) return false;
        const parsed = parseEventId(id);
        if (parsed !== null && this.#lastBlock !== null && parsed.block < this.#lastBlock) return false;
        this.#seen.add(id);
        this.#order.push(id);
        if (this.#order.length > this.capacity) {
            const old = this.#order.shift();
            if (old !== undefined) this.#seen.delete(old);
        }
        this.#last = id;
        if (parsed !== null) this.#lastBlock = parsed.block;
        return true;
    }

    /** A connection ended or failed: the delay before the next attempt (grows until a frame arrives). */
    failed(random: number, serverRetryMs: number | null = null): number {
        const delay = backoffMs(this.#attempt, random);
        this.#attempt += 1;
        return serverRetryMs !== null && this.#attempt === 1 ? Math.max(serverRetryMs, 250) : delay;
    }

    /** Request headers for the next connection. */
    headers(): Record<string, string> {
        return this.#last === '' ? {} : { 'Last-Event-ID': this.#last };
    }
}
