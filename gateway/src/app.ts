/**
 * `createApp(deps)`: the Express app (no listen). Each operation runs authenticate → authorize → parse → call →
 * map errors; writes add idempotency, retries and async answers. Logs carry allow-listed fields only.
 */
import { randomUUID } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { authorize, type KeyStore, type Principal } from './auth';
import { ApiError, fromFabricError, PROBLEM_CONTENT_TYPE, problemOf, safeCause, type FieldError } from './errors';
import type { FabricPort, SubmitRequest, Submitted } from './fabric';
import { newMetrics, type Metrics } from './metrics';
import { buildOpenApi, docsPage } from './openapi';
import { decodeResult, type Call, type Operation, type OperationSettings, type Plan, type WriteAnswer } from './operation';
import { RateLimiter, type Decision, type RateLimit } from './ratelimit';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry';
import { memberOperations } from './routes/members';
import { provenanceOperations } from './routes/provenance';
import { receivableOperations } from './routes/receivables';
import { tokenOperations } from './routes/tokens';
import { transactionOperations } from './routes/transactions';
import { IdempotencyKeySchema } from './schemas';
import type { LabelSettings } from './labels';
import { defaultWebRoot, mountWeb, PAGE_CSP, WebAssets } from './web';

export const OPERATIONS: readonly Operation[] = [...memberOperations, ...provenanceOperations, ...tokenOperations, ...receivableOperations, ...transactionOperations];

export interface AppDeps {
    readonly fabric: FabricPort;
    readonly keys: KeyStore;
    readonly logger: Logger;
    readonly metrics?: Metrics;
    /** Largest JSON body accepted (default 100kb). */
    readonly bodyLimit?: string;
    readonly retry?: RetryPolicy;
    readonly sleep?: (ms: number) => Promise<void>;
    readonly version?: string;
    /** Per client address on public routes (and for failed authentications); per API key elsewhere. */
    readonly rateLimits?: { readonly public: RateLimit; readonly key: RateLimit };
    /** The org whose identity submits public requests (consumer scans); default the first served org. */
    readonly publicMspId?: string;
    /** Express's `trust proxy` (e.g. 1 behind one reverse proxy), so that client addresses are the real ones. */
    readonly trustProxy?: boolean | number | string;
    /** Comment lines on open event streams, so idle proxies keep them (default 15 s). */
    readonly heartbeatMs?: number;
    /** Aborted at shutdown: open event streams end (clients resume elsewhere with Last-Event-ID). */
    readonly shutdown?: AbortSignal;
    /** QR labels (POST /v1/lots/{id}/labels): the HMAC secret and the public URL; the route answers 503 without. */
    readonly labels?: LabelSettings;
    /** The browser build (default gateway/dist/web): assets, the consumer page's strings, the console shell. */
    readonly webRoot?: string;
}

export const DEFAULT_RATE_LIMITS = { public: { perMinute: 60, burst: 20 }, key: { perMinute: 6000, burst: 500 } } as const;

interface Locals {
    reqId: string;
    route: string;
    principal?: Principal;
    code?: string;
}

const locals = (res: Response): Locals => res.locals as Locals;

const toExpressPath = (path: string): string => path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
};

export function createApp(deps: Readonly<AppDeps>): Express {
    const { fabric, keys, logger } = deps;
    const metrics = deps.metrics ?? newMetrics();
    const retry = deps.retry ?? DEFAULT_RETRY;
    const doc = buildOpenApi(OPERATIONS, deps.version ?? '0.1.0');
    const limits = deps.rateLimits ?? DEFAULT_RATE_LIMITS;
    const publicLimiter = new RateLimiter(limits.public);
    const keyLimiter = new RateLimiter(limits.key);
    const heartbeatMs = deps.heartbeatMs ?? 15_000;
    const docs = docsPage(doc);
    const settings: OperationSettings = deps.labels !== undefined ? { labels: deps.labels } : {};
    const web = new WebAssets(deps.webRoot ?? defaultWebRoot());

    const track = async <T>(kind: string, fn: () => Promise<T>): Promise<T> => {
        try {
            const r = await fn();
            metrics.fabricCalls.inc({ kind, outcome: 'ok' });
            return r;
        } catch (err) {
            metrics.fabricCalls.inc({ kind, outcome: fromFabricError(err).code });
            throw err;
        }
    };
    const evaluate = async (mspId: string, call: Call): Promise<unknown> =>
        decodeResult(await track('evaluate', () => fabric.evaluate(mspId, call.contract, call.transaction, call.args)));

    const submitWithRetry = (request: SubmitRequest, reqId: string): Promise<Submitted> =>
        track('submit', () =>
            withRetry(() => fabric.submit(request), retry, {
                ...(deps.sleep !== undefined ? { sleep: deps.sleep } : {}),
                onRetry: (reason) => {
                    metrics.fabricRetries.inc({ reason });
                    logger.info({ reqId, reason }, 'retrying with a fresh proposal');
                },
            }),
        );

    const app = express();
    app.disable('x-powered-by');
    app.set('query parser', 'simple');
    app.set('etag', false);
    if (deps.trustProxy !== undefined) app.set('trust proxy', deps.trustProxy);

    app.use((req: Request, res: Response, next: NextFunction) => {
        const incoming = req.get('x-request-id');
        const reqId = incoming !== undefined && /^[A-Za-z0-9._-]{1,64}$/.test(incoming) ? incoming : randomUUID();
        const l: Locals = { reqId, route: 'unmatched' };
        res.locals = l;
        res.set('X-Request-Id', reqId);
        res.set(SECURITY_HEADERS);
        const started = process.hrtime.bigint();
        res.on('finish', () => {
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            metrics.requests.inc({ method: req.method, route: l.route, status: String(res.statusCode) });
            metrics.latency.observe({ method: req.method, route: l.route }, seconds);
            logger.info(
                {
                    reqId,
                    method: req.method,
                    route: l.route,
                    status: res.statusCode,
                    ms: Math.round(seconds * 1000),
                    ...(l.principal !== undefined ? { caller: l.principal.name, mspId: l.principal.mspId, role: l.principal.role } : {}),
                    ...(l.code !== undefined ? { code: l.code } : {}),
                },
                'request',
            );
        });
        next();
    });
    app.use(express.json({ limit: deps.bodyLimit ?? '100kb', type: ['application/json', 'application/*+json'] }));

    const system = (path: string, handler: (req: Request, res: Response) => Promise<void> | void): void => {
        app.get(path, (req, res, next) => {
            locals(res).route = path;
            Promise.resolve(handler(req, res)).catch(next);
        });
    };
    system('/healthz', (_req, res) => {
        res.json({ status: 'ok' });
    });
    system('/readyz', async (_req, res) => {
        const mspId = fabric.mspIds[0];
        try {
            if (mspId === undefined) throw new ApiError({ code: 'UNAVAILABLE', detail: 'no org configured' });
            await evaluate(mspId, { contract: 'membership', transaction: 'ListMembers', args: [] });
            res.json({ status: 'ready' });
        } catch (err) {
            logger.warn({ reqId: locals(res).reqId, cause: safeCause(err) }, 'not ready');
            throw new ApiError({ code: 'UNAVAILABLE', detail: 'the peer or the chaincode does not answer' });
        }
    });
    system('/metrics', async (_req, res) => {
        res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
    system('/v1/openapi.json', (_req, res) => {
        res.json(doc);
    });
    system('/docs', (_req, res) => {
        res.type('html').send(docs);
    });

    // pages: /assets/*, /verify/{serial} (the same public verification as GET /v1/verify/{serial}), /console/
    const verifyOp = OPERATIONS.find((o) => o.operationId === 'verifyUnit');
    mountWeb(app, {
        web,
        logger,
        route: (res, route) => {
            locals(res).route = route;
        },
        verify: async (req, res, serial, code, location) => {
            if (verifyOp === undefined) throw new ApiError({ code: 'INTERNAL', detail: 'no verification operation' });
            const principal = caller(verifyOp, req, res);
            const plan = verifyOp.plan({ params: { serial }, query: { code, location }, body: {} }, principal, settings);
            if (plan.kind !== 'custom') throw new ApiError({ code: 'INTERNAL', detail: 'unexpected verification plan' });
            return (await plan.run(withRetryingSubmit(locals(res).reqId))).body;
        },
    });

    for (const op of OPERATIONS) {
        app[op.method](toExpressPath(op.path), (req: Request, res: Response, next: NextFunction) => {
            locals(res).route = op.path;
            run(op, req, res).catch(next);
        });
    }

    /** Takes one request from a bucket; 429 RATE_LIMITED with Retry-After when it is empty. */
    function limit(limiter: RateLimiter, caller: string, scope: string, res: Response): void {
        const d: Decision = limiter.take(caller);
        res.set({ 'RateLimit-Limit': String(d.limit), 'RateLimit-Remaining': String(d.remaining) });
        if (d.allowed) return;
        metrics.rateLimited.inc({ scope });
        res.set('Retry-After', String(d.retryAfterSeconds));
        throw new ApiError({ code: 'RATE_LIMITED', detail: `too many requests; retry after ${d.retryAfterSeconds} s` });
    }

    function caller(op: Operation, req: Request, res: Response): Principal {
        const address = `ip:${req.ip ?? 'unknown'}`;
        if (op.access === 'public') {
            limit(publicLimiter, address, 'public', res);
            const mspId = deps.publicMspId ?? fabric.mspIds[0];
            if (mspId === undefined) throw new ApiError({ code: 'UNAVAILABLE', detail: 'no org configured for public requests' });
            return { role: 'public', mspId, name: 'public' };
        }
        let principal: Principal;
        try {
            principal = keys.authenticate(req.get('authorization'));
        } catch (err) {
            // failed authentications spend the address's public budget: guessing keys is throttled
            limit(publicLimiter, address, 'auth', res);
            throw err;
        }
        limit(keyLimiter, principal.name, 'key', res);
        return principal;
    }

    async function run(op: Operation, req: Request, res: Response): Promise<void> {
        const principal = caller(op, req, res);
        locals(res).principal = principal;
        authorize(principal, op.access); // before parsing: a refused caller learns nothing and Fabric sees nothing
        const body: unknown = req.body;
        const lastEventId = req.get('last-event-id');
        const raw = { params: req.params, query: req.query, body: body ?? {}, ...(lastEventId !== undefined ? { lastEventId } : {}) };
        let idempotencyKey: string | undefined;
        let plan: Plan;
        if (op.kind === 'write') {
            const errors: FieldError[] = [];
            const key = IdempotencyKeySchema.safeParse(req.get('idempotency-key'));
            if (key.success) idempotencyKey = key.data;
            else errors.push({ path: 'header.Idempotency-Key', message: req.get('idempotency-key') === undefined ? 'required for writes' : (key.error.issues[0]?.message ?? 'invalid') });
            try {
                plan = op.plan({ ...raw, ...(idempotencyKey !== undefined ? { idempotencyKey } : {}) }, principal, settings);
            } catch (err) {
                if (err instanceof ApiError && err.code === 'VALIDATION_FAILED') throw new ApiError({ code: 'VALIDATION_FAILED', detail: err.detail, errors: [...errors, ...(err.errors ?? [])] });
                throw err;
            }
            if (errors.length > 0) throw new ApiError({ code: 'VALIDATION_FAILED', detail: 'the request has invalid fields', errors });
        } else {
            plan = op.plan(raw, principal, settings);
        }

        switch (plan.kind) {
            case 'read':
                res.status(200).json(await evaluate(principal.mspId, plan.call));
                return;
            case 'custom': {
                const reply = await plan.run(withRetryingSubmit(locals(res).reqId));
                if (reply.headers !== undefined) res.set(reply.headers);
                res.status(reply.status).json(reply.body);
                return;
            }
            case 'write':
                await write(op, plan, principal, idempotencyKey ?? '', req, res);
                return;
            case 'stream':
                await stream(plan, principal, req, res);
                return;
        }
    }

    /** The port as custom operations see it: submits are retried like the writes' are. */
    function withRetryingSubmit(reqId: string): FabricPort {
        return {
            mspIds: fabric.mspIds,
            evaluate: (mspId, contract, transaction, args) => track('evaluate', () => fabric.evaluate(mspId, contract, transaction, args)),
            submitAsync: (request) => track('submit-async', () => fabric.submitAsync(request)),
            submit: (request) => submitWithRetry(request, reqId),
            transaction: (mspId, txId) => track('transaction', () => fabric.transaction(mspId, txId)),
            chaincodeEvents: (mspId, start) => fabric.chaincodeEvents(mspId, start),
            close: () => undefined,
        };
    }

    /**
     * Server-Sent Events: one `message` per chaincode event, `id: <block>:<txId>` so that a reconnecting client's
     * Last-Event-ID resumes just after it. A broken Fabric stream ends the response (after an `error` event); the
     * client reconnects and resumes — nothing is lost or repeated.
     */
    async function stream(plan: Extract<Plan, { kind: 'stream' }>, principal: Principal, req: Request, res: Response): Promise<void> {
        const events = await track('events', () => fabric.chaincodeEvents(principal.mspId, plan.start));
        let closed = false;
        res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
        res.flushHeaders();
        res.write('retry: 2000\n\n');
        metrics.eventStreams.inc();
        const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
        heartbeat.unref();
        const close = (): void => {
            if (closed) return;
            closed = true;
            clearInterval(heartbeat);
            events.close();
            metrics.eventStreams.dec();
        };
        req.on('close', close);
        const onShutdown = (): void => {
            close();
            res.end();
        };
        deps.shutdown?.addEventListener('abort', onShutdown, { once: true });
        try {
            for await (const e of events) {
                if (plan.types !== undefined && !plan.types.has(e.name)) continue;
                const data = { blockNumber: e.blockNumber.toString(), txId: e.txId, name: e.name, payload: decodeResult(e.payload) };
                res.write(`id: ${e.blockNumber.toString()}:${e.txId}\ndata: ${JSON.stringify(data)}\n\n`);
            }
        } catch (err) {
            if (!closed) {
                const e = fromFabricError(err);
                logger.warn({ reqId: locals(res).reqId, code: e.code, cause: safeCause(err) }, 'event stream broken');
                res.write(`event: error\ndata: ${JSON.stringify({ code: e.code, detail: e.detail })}\n\n`);
            }
        } finally {
            deps.shutdown?.removeEventListener('abort', onShutdown);
            close();
            res.end();
        }
    }

    async function write(op: Operation, plan: Extract<Plan, { kind: 'write' }>, principal: Principal, key: string, req: Request, res: Response): Promise<void> {
        const request = { mspId: principal.mspId, contract: plan.call.contract, transaction: plan.call.transaction, args: [key, ...plan.call.args] };
        // a write that presents its own answer needs the committed result: always synchronous
        const respondAsync = plan.present === undefined && /(^|[\s,;])respond-async([\s,;]|$)/.test(req.get('prefer') ?? '');
        let submitted: Submitted;
        try {
            submitted = respondAsync ? await track('submit-async', () => fabric.submitAsync(request)) : await submitWithRetry(request, locals(res).reqId);
        } catch (err) {
            const e = fromFabricError(err);
            if (e.code !== 'DUPLICATE_REQUEST' || e.originalTxId === undefined) throw e;
            // a replay: transaction originalTxId processed this request; answer with what it answered then
            const original = await track('transaction', () => fabric.transaction(principal.mspId, e.originalTxId ?? ''));
            const sent = [`${request.contract}:${request.transaction}`, ...request.args];
            if (original.invocation.length !== sent.length || original.invocation.some((a, i) => a !== sent[i])) {
                // the key was used for another request: its outcome is not this request's
                throw new ApiError({ code: 'IDEMPOTENCY_KEY_REUSED', detail: `Idempotency-Key ${key} was used for a different request (transaction ${original.txId})` });
            }
            const result = decodeResult(original.result);
            res.set('Idempotent-Replayed', 'true');
            if (plan.location !== undefined) res.set('Location', plan.location(result, e.originalTxId));
            if (plan.present !== undefined) return present(plan, op, { txId: e.originalTxId, result, replayed: true }, req, res);
            res.status(op.status).json({ txId: e.originalTxId, result, replayed: true });
            return;
        }
        if (respondAsync) {
            res.set('Location', `/v1/transactions/${encodeURIComponent(submitted.txId)}`);
            res.set('Preference-Applied', 'respond-async');
            res.status(202).json({ txId: submitted.txId });
            return;
        }
        const result = decodeResult(submitted.result);
        if (plan.location !== undefined) res.set('Location', plan.location(result, submitted.txId));
        if (plan.present !== undefined) return present(plan, op, { txId: submitted.txId, result, replayed: false }, req, res);
        res.status(op.status).json({ txId: submitted.txId, result });
    }

    /** A write's own answer (QR labels): JSON, or an HTML page when the caller accepts text/html before JSON. */
    async function present(plan: Extract<Plan, { kind: 'write' }>, op: Operation, answer: WriteAnswer, req: Request, res: Response): Promise<void> {
        if (plan.present === undefined) return;
        const wantsHtml = (op.presents ?? []).includes('text/html') && req.accepts(['application/json', 'text/html']) === 'text/html';
        const out = await plan.present(answer, { wantsHtml, assets: (p) => web.asset(p) });
        if (answer.replayed) res.set('Idempotent-Replayed', 'true');
        if (out.html !== undefined) {
            res.status(op.status).set('Content-Security-Policy', PAGE_CSP).type('html').send(out.html);
            return;
        }
        res.status(op.status).json(out.json);
    }

    app.use((_req: Request, _res: Response, next: NextFunction) => {
        next(new ApiError({ code: 'NOT_FOUND', detail: 'no such route' }));
    });
    // Express recognises an error handler by its four parameters.
    app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
        const e = fromHttpError(err);
        const l = locals(res);
        l.code = e.code;
        if (e.code === 'INTERNAL' || e.code === 'UNAVAILABLE' || e.code === 'TIMEOUT') logger.error({ reqId: l.reqId, code: e.code, cause: safeCause(e.cause ?? err) }, 'request failed');
        res.status(e.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problemOf(e, req.originalUrl.split('?')[0])));
    });
    return app;
}

/** body-parser's errors carry a `type`; the rest goes through the Fabric mapping. */
function fromHttpError(err: unknown): ApiError {
    if (typeof err === 'object' && err !== null && 'type' in err && typeof err.type === 'string' && !(err instanceof ApiError)) {
        if (err.type === 'entity.too.large') return new ApiError({ code: 'VALIDATION_FAILED', detail: 'request body too large', errors: [{ path: 'body', message: 'too large' }] });
        if (err.type === 'entity.parse.failed') return new ApiError({ code: 'VALIDATION_FAILED', detail: 'request body is not valid JSON', errors: [{ path: 'body', message: 'not valid JSON' }] });
        if (err.type.startsWith('encoding.') || err.type.startsWith('charset.')) return new ApiError({ code: 'VALIDATION_FAILED', detail: 'unsupported body encoding' });
    }
    return fromFabricError(err);
}
