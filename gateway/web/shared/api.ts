/**
 * The browser's client of the REST gateway (same origin): adds `Authorization: Bearer <key>`, sends JSON, and turns
 * problem+json answers (RFC 9457, with the gateway's stable `code`) into `ApiProblem` errors. Also reads the
 * Server-Sent Events stream with fetch (EventSource cannot send an Authorization header), resuming with
 * Last-Event-ID. No state beyond the key given to it; nothing is stored.
 */

/** One invalid field of a VALIDATION_FAILED problem. */
export interface FieldError {
    readonly path: string;
    readonly message: string;
}

/** The gateway's problem details body (gateway/src/errors.ts `problemOf`). */
export interface Problem {
    readonly type: string;
    readonly title: string;
    readonly status: number;
    /** NOT_FOUND, FORBIDDEN, INVALID_ARGUMENT, INVALID_STATE, CONFLICT, DUPLICATE_REQUEST, INSUFFICIENT_FUNDS, UNAUTHENTICATED, VALIDATION_FAILED, IDEMPOTENCY_KEY_REUSED, RATE_LIMITED, UNAVAILABLE, TIMEOUT, INTERNAL; NETWORK when the gateway was not reached. */
    readonly code: string;
    readonly detail: string;
    readonly errors?: readonly FieldError[];
    readonly txId?: string;
    readonly instance?: string;
}

/** Codes the client itself produces: the gateway did not answer, or answered something that is not problem+json. */
export const CLIENT_CODES = ['NETWORK', 'BAD_RESPONSE'] as const;

/** A failed API call: what the gateway said (or NETWORK / BAD_RESPONSE when it said nothing usable). */
export class ApiProblem extends Error {
    readonly status: number;
    readonly code: string;
    readonly detail: string;
    readonly errors: readonly FieldError[];
    readonly txId: string | undefined;
    /** Seconds, from Retry-After (RATE_LIMITED). */
    readonly retryAfter: number | undefined;

    constructor(problem: Readonly<Pick<Problem, 'status' | 'code' | 'detail'> & Partial<Problem>>, retryAfter?: number) {
        super(`${problem.code}: ${problem.detail}`);
        this.name = 'ApiProblem';
        this.status = problem.status;
        this.code = problem.code;
        this.detail = problem.detail;
        this.errors = problem.errors ?? [];
        this.txId = problem.txId;
        this.retryAfter = retryAfter;
    }
}

/** A synchronous write's answer: the transaction and the chaincode's result (`replayed` for a repeated Idempotency-Key). */
export interface WriteResult<T = unknown> {
    readonly txId: string;
    readonly result: T;
    readonly replayed?: boolean;
}

/** An asynchronous write's answer (Prefer: respond-async): poll `GET /v1/transactions/{txId}`. */
export interface AcceptedWrite {
    readonly txId: string;
}

/** `GET /v1/transactions/{txId}`. */
export interface TransactionStatus {
    readonly txId: string;
    readonly validationCode: string;
    readonly valid: boolean;
    readonly blockNumber: string;
}

/** A page of a list: `items` and a `bookmark` for the next page (empty when there is none). */
export interface Page<T> {
    readonly items: readonly T[];
    readonly bookmark?: string;
    readonly [more: string]: unknown;
}

/** One `message` of `GET /v1/events`: the SSE id is `<blockNumber>:<txId>`. */
export interface ChainEvent {
    readonly id: string;
    readonly blockNumber: string;
    readonly txId: string;
    /** `<contract>.<transaction>`, e.g. `receivables.Split`. */
    readonly name: string;
    readonly payload: unknown;
}

export type Query = Readonly<Record<string, string | number | undefined>>;

export interface ApiClientOptions {
    /** Default '' (same origin). */
    readonly baseUrl?: string;
    /** The API key (kept in memory by the caller; the console keeps it in sessionStorage at most). */
    readonly key?: string;
    /** For tests. */
    readonly fetch?: typeof fetch;
}

export interface WriteOptions {
    /** Default: a fresh random key. Pass the same key to repeat a request safely. */
    readonly idempotencyKey?: string;
}

/** A new Idempotency-Key (the gateway accepts 1-128 of [A-Za-z0-9._:-]). */
export function newIdempotencyKey(): string {
    return crypto.randomUUID();
}

/** `/v1/lots` + {status: 'ACTIVE', pageSize: 50} → `/v1/lots?status=ACTIVE&pageSize=50` (undefined values left out). */
export function withQuery(path: string, query?: Query): string {
    if (query === undefined) return path;
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
    const s = q.toString();
    return s === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${s}`;
}

/** A path segment, encoded: `/v1/lots/${seg(id)}`. */
export function seg(value: string): string {
    return encodeURIComponent(value);
}

const PROBLEM_TYPE = /^application\/(problem\+)?json/i;

/** The ApiProblem a non-2xx response stands for. */
export async function problemOf(res: Response): Promise<ApiProblem> {
    const retry = res.headers.get('retry-after');
    const retryAfter = retry !== null && /^[0-9]+$/.test(retry) ? Number(retry) : undefined;
    if (PROBLEM_TYPE.test(res.headers.get('content-type') ?? '')) {
        try {
            const body = (await res.json()) as Partial<Problem> | null;
            if (body !== null && typeof body === 'object' && typeof body.code === 'string') {
                return new ApiProblem({ ...body, status: res.status, code: body.code, detail: typeof body.detail === 'string' ? body.detail : '' }, retryAfter);
            }
        } catch {
            // not JSON after all: below
        }
    }
    return new ApiProblem({ status: res.status, code: 'BAD_RESPONSE', detail: `HTTP ${res.status} ${res.statusText}` }, retryAfter);
}

export class ApiClient {
    readonly #baseUrl: string;
    readonly #fetch: typeof fetch;
    #key: string | undefined;

    constructor(options: Readonly<ApiClientOptions> = {}) {
        this.#baseUrl = options.baseUrl ?? '';
        this.#key = options.key;
        this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    }

    get signedIn(): boolean {
        return this.#key !== undefined;
    }

    setKey(key: string | undefined): void {
        this.#key = key === '' ? undefined : key;
    }

    /** GET a JSON resource. */
    get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
        return this.request<T>('GET', withQuery(path, query), undefined, {}, signal);
    }

    /** POST a write: Idempotency-Key added; answers `{txId, result}` (201/200). */
    post<T = unknown>(path: string, body: unknown, options: WriteOptions = {}): Promise<WriteResult<T>> {
        return this.request<WriteResult<T>>('POST', path, body ?? {}, { 'Idempotency-Key': options.idempotencyKey ?? newIdempotencyKey() });
    }

    /** POST with Prefer: respond-async: answers 202 `{txId}` at once. */
    postAsync(path: string, body: unknown, options: WriteOptions = {}): Promise<AcceptedWrite> {
        return this.request<AcceptedWrite>('POST', path, body ?? {}, { 'Idempotency-Key': options.idempotencyKey ?? newIdempotencyKey(), Prefer: 'respond-async' });
    }

    /** DELETE (a write: Idempotency-Key added). */
    delete<T = unknown>(path: string, options: WriteOptions = {}): Promise<WriteResult<T>> {
        return this.request<WriteResult<T>>('DELETE', path, undefined, { 'Idempotency-Key': options.idempotencyKey ?? newIdempotencyKey() });
    }

    /** Any call; resolves with the JSON body of a 2xx answer, rejects with an ApiProblem otherwise. */
    async request<T>(method: string, path: string, body?: unknown, headers: Readonly<Record<string, string>> = {}, signal?: AbortSignal): Promise<T> {
        const h: Record<string, string> = { Accept: 'application/json', ...headers };
        if (this.#key !== undefined) h.Authorization = `Bearer ${this.#key}`;
        if (body !== undefined) h['Content-Type'] = 'application/json';
        let res: Response;
        try {
            res = await this.#fetch(this.#baseUrl + path, { method, headers: h, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), ...(signal !== undefined ? { signal } : {}), credentials: 'omit', cache: 'no-store' });
        } catch (err) {
            if (signal?.aborted === true) throw err;
            throw new ApiProblem({ status: 0, code: 'NETWORK', detail: err instanceof Error ? err.message : 'the gateway did not answer' });
        }
        if (!res.ok) throw await problemOf(res);
        const text = await res.text();
        return (text === '' ? null : JSON.parse(text)) as T;
    }

    /**
     * Follows `GET /v1/events` until `signal` aborts, calling `onEvent` for each chaincode event. When the stream
     * breaks (network, peer restart, `event: error`), it reconnects after `retryMs` with Last-Event-ID = the last
     * event seen, so nothing is lost or repeated. `onState` reports 'open' | 'reconnecting'. Problems other than
     * NETWORK / UNAVAILABLE / TIMEOUT (e.g. UNAUTHENTICATED) end it: the returned promise rejects with them.
     */
    async followEvents(options: Readonly<FollowOptions>): Promise<void> {
        let lastEventId = options.lastEventId;
        const retryMs = options.retryMs ?? 2000;
        const { signal } = options;
        while (!signal.aborted) {
            try {
                const h: Record<string, string> = { Accept: 'text/event-stream' };
                if (this.#key !== undefined) h.Authorization = `Bearer ${this.#key}`;
                if (lastEventId !== undefined) h['Last-Event-ID'] = lastEventId;
                const path = withQuery('/v1/events', { types: options.types?.join(','), ...(lastEventId === undefined && options.fromBlock !== undefined ? { fromBlock: options.fromBlock } : {}) });
                const res = await this.#fetch(this.#baseUrl + path, { headers: h, signal, credentials: 'omit', cache: 'no-store' });
                if (!res.ok) throw await problemOf(res);
                if (res.body === null) throw new ApiProblem({ status: res.status, code: 'BAD_RESPONSE', detail: 'no stream' });
                options.onState?.('open');
                for await (const frame of sseFrames(res.body)) {
                    if (frame.event === 'error') break;
                    if (frame.event !== 'message' || frame.data === '') continue;
                    const data = JSON.parse(frame.data) as Omit<ChainEvent, 'id'>;
                    const id = frame.id ?? `${data.blockNumber}:${data.txId}`;
                    lastEventId = id;
                    options.onEvent({ ...data, id });
                }
            } catch (err) {
                if (signal.aborted) return;
                if (err instanceof ApiProblem && !['NETWORK', 'UNAVAILABLE', 'TIMEOUT', 'BAD_RESPONSE'].includes(err.code)) throw err;
            }
            if (signal.aborted) return;
            options.onState?.('reconnecting');
            await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, retryMs);
                signal.addEventListener('abort', () => {
                    clearTimeout(timer);
                    resolve();
                }, { once: true });
            });
        }
    }
}

export interface FollowOptions {
    readonly signal: AbortSignal;
    readonly onEvent: (event: ChainEvent) => void;
    readonly onState?: (state: 'open' | 'reconnecting') => void;
    /** Resume just after this event id (`<block>:<txId>`). */
    readonly lastEventId?: string;
    /** Replay from this block (first connection only). */
    readonly fromBlock?: string;
    /** Only these event names (`provenance.Ship`, …). */
    readonly types?: readonly string[];
    readonly retryMs?: number;
}

export interface SseFrame {
    readonly event: string;
    readonly data: string;
    readonly id: string | undefined;
}

/** Parses a text/event-stream body into frames (comments and `retry:` skipped). */
export async function* sseFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<SseFrame> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
        for (;;) {
            const { value, done } = await reader.read();
            if (done) return;
            buffer += decoder.decode(value, { stream: true });
            let end: number;
            while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
                const block = buffer.slice(0, end);
                buffer = buffer.slice(end + (buffer[end] === '\r' ? 4 : 2));
                const frame = parseSseBlock(block);
                if (frame !== undefined) yield frame;
            }
        }
    } finally {
        reader.releaseLock();
    }
}

/** One event block (lines up to a blank line) → a frame, or undefined for comments / retry only. */
export function parseSseBlock(block: string): SseFrame | undefined {
    let event = 'message';
    let id: string | undefined;
    const data: string[] = [];
    let any = false;
    for (const line of block.split(/\r?\n/)) {
        if (line === '' || line.startsWith(':')) continue;
        const i = line.indexOf(':');
        const field = i < 0 ? line : line.slice(0, i);
        const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
        else if (field === 'id') id = value;
        else continue;
        any = true;
    }
    return any ? { event, data: data.join('\n'), id } : undefined;
}
