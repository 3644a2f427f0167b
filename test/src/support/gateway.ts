// Test harness for the REST gateway over HTTP: the Express app from createApp over the real Fabric layer
// (connectFabric, real gRPC) listening on an ephemeral port, a small fetch client that sends API keys and
// Idempotency-Keys, and a Server-Sent Events reader that parses the frames itself (node:http, no EventSource).
import { request as httpRequest, type ClientRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { Express } from 'express';
import { createApp, type AppDeps } from '@upoint/gateway/dist/app';
import { newKeyStore } from '@upoint/gateway/dist/auth';
import { generateDevKeys } from '@upoint/gateway/dist/dev-keys';
import { connectFabric, type FabricPort } from '@upoint/gateway/dist/fabric';
import type { TestNetwork } from './network';

export interface Reply<T = unknown> {
    readonly status: number;
    readonly body: T;
    readonly headers: Headers;
}

export interface CallOptions {
    readonly body?: unknown;
    /** Sent as is (a string body is not JSON-encoded). */
    readonly rawBody?: string;
    readonly idem?: string;
    readonly prefer?: string;
    readonly headers?: Readonly<Record<string, string>>;
}

/** One app instance listening on 127.0.0.1:<ephemeral>. */
export interface Listening {
    readonly base: string;
    readonly app: Express;
    readonly server: Server;
    close(): Promise<void>;
}

/** The gateway over a TestNetwork: one Fabric connection set, any number of app instances over it. */
export class GatewayHarness {
    readonly keys: Readonly<Record<string, string>>;
    readonly #entries: ReturnType<typeof generateDevKeys>['entries'];
    fabric: FabricPort | undefined;
    readonly #apps: Listening[] = [];
    base = '';
    /** The main app instance (what `base` serves). */
    main: Listening | undefined;

    constructor(readonly net: TestNetwork) {
        const { keys, entries } = generateDevKeys(net.cfg);
        this.keys = keys;
        this.#entries = entries;
    }

    key(name: string): string {
        const k = this.keys[name];
        if (k === undefined) throw new Error(`no dev key ${name}`);
        return k;
    }

    /** Connects to the peers (short deadlines: a dead peer answers within seconds) and starts the main app. */
    async start(extra: Partial<AppDeps> = {}, timeouts = { evaluate: 15_000, endorse: 15_000, submit: 15_000, commitStatus: 30_000 }): Promise<void> {
        this.fabric = connectFabric({ network: this.net.cfg, cryptoDir: this.net.cryptoDir, orgs: this.net.cfg.orgs, timeouts });
        this.main = await this.listen(extra);
        this.base = this.main.base;
    }

    /** Another app instance over the same Fabric connections (e.g. with other rate limits). */
    async listen(extra: Partial<AppDeps> = {}): Promise<Listening> {
        const fabric = this.fabric;
        if (fabric === undefined) throw new Error('start() first');
        const app = createApp({ fabric, keys: newKeyStore(this.#entries), logger: pino({ level: 'silent' }), ...extra });
        const server = await new Promise<Server>((res) => {
            const s = app.listen(0, '127.0.0.1', () => res(s));
        });
        const listening: Listening = {
            app,
            base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
            server,
            close: () =>
                new Promise<void>((res) => {
                    server.closeAllConnections();
                    server.close(() => res());
                }),
        };
        this.#apps.push(listening);
        return listening;
    }

    async stop(): Promise<void> {
        for (const a of this.#apps.splice(0)) await a.close();
        this.main = undefined;
        this.fabric?.close();
        this.fabric = undefined;
    }

    /** `as` names a dev key ("BrandMSP", "regulator", …); undefined sends no Authorization header. */
    async call<T = unknown>(method: string, path: string, as: string | undefined, options: CallOptions = {}, base = this.base): Promise<Reply<T>> {
        const headers: Record<string, string> = { ...(options.headers ?? {}) };
        if (as !== undefined) headers.Authorization = `Bearer ${this.key(as)}`;
        const body = options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
        if (body !== undefined) headers['Content-Type'] = 'application/json';
        if (options.idem !== undefined) headers['Idempotency-Key'] = options.idem;
        if (options.prefer !== undefined) headers.Prefer = options.prefer;
        const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
        const text = await res.text();
        let parsed: unknown = null;
        if (text !== '') {
            try {
                parsed = JSON.parse(text) as unknown;
            } catch {
                parsed = text;
            }
        }
        return { status: res.status, body: parsed as T, headers: res.headers };
    }

    /** GET that must answer 200. */
    async get<T = unknown>(path: string, as: string): Promise<T> {
        const r = await this.call<T>('GET', path, as);
        if (r.status !== 200) throw new Error(`GET ${path} → ${r.status} ${JSON.stringify(r.body)}`);
        return r.body;
    }

    /** A write that must succeed (2xx): its {txId, result}. */
    async write<T = unknown>(method: 'POST' | 'DELETE', path: string, as: string, idem: string, body: unknown = {}): Promise<{ txId: string; result: T; status: number; headers: Headers }> {
        const r = await this.call<{ txId: string; result: T }>(method, path, as, { body, idem });
        if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path} as ${as} → ${r.status} ${JSON.stringify(r.body)}`);
        return { ...r.body, status: r.status, headers: r.headers };
    }
}

// ---------------------------------------------------------------------------------------------
// Server-Sent Events

export interface SseEvent {
    readonly id?: string;
    readonly event?: string;
    readonly data: string;
}

/**
 * An open text/event-stream response, parsed frame by frame: `id:`, `event:`, `data:` lines, a blank line ends an
 * event; comment lines (`: keep-alive`) and frames without data (`retry:`) are skipped.
 */
export class SseStream {
    readonly events: SseEvent[] = [];
    ended = false;
    status = 0;
    contentType = '';
    #buffer = '';
    #req: ClientRequest | undefined;
    #res: IncomingMessage | undefined;
    #endWaiters: Array<() => void> = [];

    static open(url: string, headers: Readonly<Record<string, string>>): Promise<SseStream> {
        const s = new SseStream();
        return new Promise((resolve, reject) => {
            const req = httpRequest(url, { method: 'GET', headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
                s.#res = res;
                s.status = res.statusCode ?? 0;
                s.contentType = String(res.headers['content-type'] ?? '');
                res.setEncoding('utf8');
                res.on('data', (chunk: string) => s.#feed(chunk));
                const done = (): void => s.#finish();
                res.on('end', done);
                res.on('close', done);
                res.on('error', done);
                resolve(s);
            });
            req.on('error', (err) => {
                if (s.status === 0) reject(err);
                else s.#finish();
            });
            s.#req = req;
            req.end();
        });
    }

    /** The body so far when the answer is not a stream (e.g. a problem+json 400). */
    raw = '';

    #feed(chunk: string): void {
        this.raw += chunk;
        this.#buffer += chunk.replace(/\r\n?/g, '\n');
        for (let i = this.#buffer.indexOf('\n\n'); i >= 0; i = this.#buffer.indexOf('\n\n')) {
            const frame = this.#buffer.slice(0, i);
            this.#buffer = this.#buffer.slice(i + 2);
            let id: string | undefined;
            let event: string | undefined;
            const data: string[] = [];
            for (const line of frame.split('\n')) {
                if (line === '' || line.startsWith(':')) continue;
                const colon = line.indexOf(':');
                const field = colon < 0 ? line : line.slice(0, colon);
                const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
                if (field === 'id') id = value;
                else if (field === 'event') event = value;
                else if (field === 'data') data.push(value);
            }
            if (data.length === 0 && event === undefined) continue;
            this.events.push({ ...(id !== undefined ? { id } : {}), ...(event !== undefined ? { event } : {}), data: data.join('\n') });
        }
    }

    #finish(): void {
        if (this.ended) return;
        this.ended = true;
        for (const w of this.#endWaiters.splice(0)) w();
    }

    /** Waits (bounded) until `pred(events)` holds; throws with what arrived otherwise. */
    async until(what: string, pred: (events: readonly SseEvent[]) => boolean, timeoutMs = 30_000): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        while (!pred(this.events)) {
            if (Date.now() > deadline || (this.ended && !pred(this.events))) {
                throw new Error(`${what}: not seen within ${timeoutMs} ms (ended=${this.ended}); got ${JSON.stringify(this.events.map((e) => e.id ?? e.event))}`);
            }
            await new Promise((r) => setTimeout(r, 50));
        }
    }

    /** Resolves when the server ends the response (bounded). */
    async end(timeoutMs = 30_000): Promise<void> {
        if (this.ended) return;
        await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`stream did not end within ${timeoutMs} ms; got ${JSON.stringify(this.events)}`)), timeoutMs);
            this.#endWaiters.push(() => {
                clearTimeout(timer);
                resolve();
            });
        });
    }

    /** The client disconnects. */
    close(): void {
        this.#res?.destroy();
        this.#req?.destroy();
        this.#finish();
    }
}

/** The chaincode events of a stream (frames with an id), decoded. */
export interface StreamedEvent {
    readonly id: string;
    readonly blockNumber: string;
    readonly txId: string;
    readonly name: string;
    readonly payload: unknown;
}

export function messages(events: readonly SseEvent[]): StreamedEvent[] {
    return events
        .filter((e) => e.event === undefined || e.event === 'message')
        .map((e) => ({ id: e.id ?? '', ...(JSON.parse(e.data) as Omit<StreamedEvent, 'id'>) }));
}

/** Every `method path` an Express 4 app routes, in OpenAPI notation (`:id` → `{id}`). */
export function routesOf(app: Express): string[] {
    const stack = (app as unknown as { _router?: { stack: Array<{ route?: { path: string | RegExp; methods: Record<string, boolean> } }> } })._router?.stack ?? [];
    const out: string[] = [];
    for (const layer of stack) {
        // pattern routes (e.g. the console shell's) are pages, not API paths
        if (layer.route === undefined || typeof layer.route.path !== 'string') continue;
        const path = layer.route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
        for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') out.push(`${m} ${path}`);
    }
    return out;
}
