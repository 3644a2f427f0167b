/**
 * `createApp(deps)`: the Express app (no listen). Each operation runs authenticate → authorize → parse → call →
 * map errors; writes add idempotency, retries and async answers. Logs carry allow-listed fields only.
 */
import { randomUUID } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { authorize, type KeyStore, type Principal } from './auth';
import { ApiError, fromFabricError, PROBLEM_CONTENT_TYPE, problemOf, safeCause, type FieldError } from './errors';
import type { FabricPort, Submitted } from './fabric';
import { newMetrics, type Metrics } from './metrics';
import { buildOpenApi, docsPage } from './openapi';
import type { Call, Operation, Plan } from './operation';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry';
import { memberOperations } from './routes/members';
import { receivableOperations } from './routes/receivables';
import { transactionOperations } from './routes/transactions';
import { IdempotencyKeySchema } from './schemas';

export const OPERATIONS: readonly Operation[] = [...memberOperations, ...receivableOperations, ...transactionOperations];

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
}

interface Locals {
    reqId: string;
    route: string;
    principal?: Principal;
    code?: string;
}

const locals = (res: Response): Locals => res.locals as Locals;

const utf8 = new TextDecoder();

/** The chaincode's answer as JSON (every U-Point transaction returns JSON text). */
export function decodeResult(bytes: Uint8Array): unknown {
    const text = utf8.decode(bytes);
    if (text === '') return null;
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return text;
    }
}

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
    const docs = docsPage(doc);

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

    const app = express();
    app.disable('x-powered-by');
    app.set('query parser', 'simple');
    app.set('etag', false);

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

    for (const op of OPERATIONS) {
        app[op.method](toExpressPath(op.path), (req: Request, res: Response, next: NextFunction) => {
            locals(res).route = op.path;
            run(op, req, res).catch(next);
        });
    }

    async function run(op: Operation, req: Request, res: Response): Promise<void> {
        // (public operations, e.g. consumer verification, will get their own rate-limited path)
        const principal = keys.authenticate(req.get('authorization'));
        locals(res).principal = principal;
        authorize(principal, op.access); // before parsing: a refused caller learns nothing and Fabric sees nothing
        const body: unknown = req.body;
        const raw = { params: req.params, query: req.query, body: body ?? {} };
        let idempotencyKey: string | undefined;
        let plan: Plan;
        if (op.kind === 'write') {
            const errors: FieldError[] = [];
            const key = IdempotencyKeySchema.safeParse(req.get('idempotency-key'));
            if (key.success) idempotencyKey = key.data;
            else errors.push({ path: 'header.Idempotency-Key', message: req.get('idempotency-key') === undefined ? 'required for writes' : (key.error.issues[0]?.message ?? 'invalid') });
            try {
                plan = op.plan(raw, principal);
            } catch (err) {
                if (err instanceof ApiError && err.code === 'VALIDATION_FAILED') throw new ApiError({ code: 'VALIDATION_FAILED', detail: err.detail, errors: [...errors, ...(err.errors ?? [])] });
                throw err;
            }
            if (errors.length > 0) throw new ApiError({ code: 'VALIDATION_FAILED', detail: 'the request has invalid fields', errors });
        } else {
            plan = op.plan(raw, principal);
        }

        switch (plan.kind) {
            case 'read':
                res.status(200).json(await evaluate(principal.mspId, plan.call));
                return;
            case 'custom': {
                const reply = await plan.run(fabric);
                if (reply.headers !== undefined) res.set(reply.headers);
                res.status(reply.status).json(reply.body);
                return;
            }
            case 'write':
                await write(op, plan, principal, idempotencyKey ?? '', req, res);
                return;
        }
    }

    async function write(op: Operation, plan: Extract<Plan, { kind: 'write' }>, principal: Principal, key: string, req: Request, res: Response): Promise<void> {
        const request = { mspId: principal.mspId, contract: plan.call.contract, transaction: plan.call.transaction, args: [key, ...plan.call.args] };
        const respondAsync = /(^|[\s,;])respond-async([\s,;]|$)/.test(req.get('prefer') ?? '');
        let submitted: Submitted;
        try {
            submitted = respondAsync
                ? await track('submit-async', () => fabric.submitAsync(request))
                : await track('submit', () =>
                      withRetry(() => fabric.submit(request), retry, {
                          ...(deps.sleep !== undefined ? { sleep: deps.sleep } : {}),
                          onRetry: (reason) => {
                              metrics.fabricRetries.inc({ reason });
                              logger.info({ reqId: locals(res).reqId, reason }, 'retrying with a fresh proposal');
                          },
                      }),
                  );
        } catch (err) {
            const e = fromFabricError(err);
            if (e.code !== 'DUPLICATE_REQUEST' || e.originalTxId === undefined) throw e;
            // a replay: the request was processed by transaction originalTxId; answer with the resource as it is now
            const result = await evaluate(principal.mspId, plan.replay(e.originalTxId));
            res.set('Idempotent-Replayed', 'true');
            if (plan.location !== undefined) res.set('Location', plan.location(result, e.originalTxId));
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
        res.status(op.status).json({ txId: submitted.txId, result });
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
