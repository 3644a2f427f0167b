/**
 * One REST operation: its path, the zod schemas that parse its input (and generate its OpenAPI entry), who may
 * call it, and the chaincode call it becomes. Framework-free: app.ts adapts operations to Express.
 */
import { z } from 'zod';
import type { Access, Principal } from './auth';
import { ApiError, type FieldError } from './errors';
import type { EventStart, FabricPort } from './fabric';
import type { LabelSettings } from './labels';

/** What the gateway's configuration gives operations beyond the request (createApp's deps). */
export interface OperationSettings {
    /** QR labels: the HMAC secret and the public URL; absent when GATEWAY_LABEL_SECRET is not set. */
    readonly labels?: LabelSettings;
}

/** A committed write's answer (now, or the original transaction's on a replayed Idempotency-Key). */
export interface WriteAnswer {
    readonly txId: string;
    readonly result: unknown;
    readonly replayed: boolean;
}

/** How a write with `present` answers: a JSON body (instead of `{txId, result}`) or an HTML page. */
export type Presented = { readonly json: unknown; readonly html?: undefined } | { readonly html: string; readonly json?: undefined };

/** What `present` gets from the app besides the answer: whether the caller asked for HTML, and versioned asset paths. */
export interface PresentContext {
    readonly wantsHtml: boolean;
    /** `labels/sheet.css` → `/assets/<build>/labels/sheet.css`. */
    readonly assets: (path: string) => string;
}

/** A chaincode transaction and its arguments (for a write: without the request id, which the gateway adds). */
export interface Call {
    readonly contract: string;
    readonly transaction: string;
    readonly args: readonly string[];
}

export interface Reply {
    readonly status: number;
    readonly body: unknown;
    readonly headers?: Readonly<Record<string, string>>;
}

export type Plan =
    | { readonly kind: 'read'; readonly call: Call }
    | {
          readonly kind: 'write';
          readonly call: Call;
          /** Where the created or changed resource lives, from the chaincode's answer (or the original one on a replay). */
          readonly location?: (result: unknown, txId: string) => string;
          /**
           * Turns the committed answer into the response body (JSON or HTML) instead of `{txId, result}`. Such a write is
           * always synchronous (Prefer: respond-async is ignored): its answer is computed from the committed result.
           */
          readonly present?: (answer: WriteAnswer, context: PresentContext) => Promise<Presented>;
      }
    | { readonly kind: 'custom'; readonly run: (fabric: FabricPort) => Promise<Reply> }
    /** Server-Sent Events of chaincode events from `start` (default: from now), only `types` when given. */
    | { readonly kind: 'stream'; readonly start?: EventStart; readonly types?: ReadonlySet<string> };

export interface RawInput {
    readonly params: unknown;
    readonly query: unknown;
    readonly body: unknown;
    /** The Last-Event-ID header (Server-Sent Events resume). */
    readonly lastEventId?: string;
    /** A write's Idempotency-Key (when valid). */
    readonly idempotencyKey?: string;
}

export interface Operation {
    readonly operationId: string;
    readonly method: 'get' | 'post' | 'delete';
    /** Media type of a successful answer (default application/json). */
    readonly produces?: string;
    /** A write whose `present` answers with its own body (the result schema is the whole body), in these media types. */
    readonly presents?: readonly string[];
    /** OpenAPI style: /v1/receivables/{id} */
    readonly path: string;
    readonly summary: string;
    readonly tag: string;
    readonly access: Access;
    readonly kind: Plan['kind'];
    /** Status of a successful synchronous answer. */
    readonly status: number;
    readonly schemas: { readonly params: z.ZodType; readonly query: z.ZodType; readonly body?: z.ZodType; readonly result?: z.ZodType };
    /** Parses the input (VALIDATION_FAILED listing every bad field) and binds it to what should happen. */
    plan(raw: RawInput, principal: Principal, settings?: OperationSettings): Plan;
}

export interface Input<P, Q, B> {
    readonly params: P;
    readonly query: Q;
    readonly body: B;
    readonly principal: Principal;
    readonly settings: OperationSettings;
    /** A write's Idempotency-Key: what a call derives from it is the same on a replay. */
    readonly idempotencyKey?: string;
}

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

export const NoParams = z.strictObject({});
export const NoQuery = z.object({});

function parseAll<P, Q, B>(
    schemas: { params: z.ZodType<P>; query: z.ZodType<Q>; body: z.ZodType<B, unknown> | undefined },
    raw: RawInput,
): { params: P; query: Q; body: B | undefined } {
    const errors: FieldError[] = [];
    const one = <T>(where: string, schema: z.ZodType<T>, value: unknown): T | undefined => {
        const r = schema.safeParse(value);
        if (r.success) return r.data;
        for (const issue of r.error.issues) errors.push({ path: [where, ...issue.path.map(String)].join('.'), message: issue.message });
        return undefined;
    };
    const params = one('path', schemas.params, raw.params);
    const query = one('query', schemas.query, raw.query);
    const body = schemas.body === undefined ? undefined : one('body', schemas.body, raw.body);
    if (errors.length > 0) throw new ApiError({ code: 'VALIDATION_FAILED', detail: 'the request has invalid fields', errors });
    return { params: params as P, query: query as Q, body };
}

interface Common<P, Q> {
    readonly operationId: string;
    readonly path: string;
    readonly summary: string;
    readonly tag: string;
    readonly params: z.ZodType<P>;
    readonly query?: z.ZodType<Q>;
    readonly result?: z.ZodType;
}

/** A chaincode read (evaluate) answered with 200 and the chaincode's JSON. */
export function readOperation<P, Q>(
    spec: Common<P, Q> & { readonly access?: 'read' | 'public'; readonly call: (input: Input<P, Q, undefined>) => Call },
): Operation {
    const query = spec.query ?? (NoQuery as unknown as z.ZodType<Q>);
    return {
        operationId: spec.operationId,
        method: 'get',
        path: spec.path,
        summary: spec.summary,
        tag: spec.tag,
        access: spec.access ?? 'read',
        kind: 'read',
        status: 200,
        schemas: { params: spec.params, query, ...(spec.result !== undefined ? { result: spec.result } : {}) },
        plan(raw, principal, settings = {}) {
            const p = parseAll({ params: spec.params, query, body: undefined }, raw);
            return { kind: 'read', call: spec.call({ params: p.params, query: p.query, body: undefined, principal, settings }) };
        },
    };
}

/**
 * A chaincode submit: Idempotency-Key required, 201/200 with {txId, result} or 202 with Prefer: respond-async. A
 * replayed key is answered with the original transaction's id and result, read back from the ledger.
 */
export function writeOperation<P, B>(
    spec: Common<P, unknown> & {
        readonly method?: 'post' | 'delete';
        readonly access?: 'write' | 'admin';
        readonly status?: 200 | 201;
        /**
         * Validates the body. The call gets the body as sent (the schema's input type), not the parsed output: the
         * chaincode parses its own arguments, so schemas shared with it (amounts as strings → bigint) stay JSON.
         */
        readonly body: z.ZodType<unknown, B>;
        readonly call: (input: Input<P, unknown, B>) => Call;
        readonly location?: (result: unknown, txId: string, input: Input<P, unknown, B>) => string;
        /** Answers with its own body (see Plan's `present`) in these media types, the first the default. */
        readonly produces?: readonly string[];
        readonly present?: (answer: WriteAnswer, context: Input<P, unknown, B> & PresentContext) => Promise<Presented>;
    },
): Operation {
    return {
        operationId: spec.operationId,
        method: spec.method ?? 'post',
        path: spec.path,
        summary: spec.summary,
        tag: spec.tag,
        access: spec.access ?? 'write',
        kind: 'write',
        status: spec.status ?? 200,
        ...(spec.present !== undefined ? { presents: spec.produces ?? ['application/json'] } : {}),
        schemas: { params: spec.params, query: NoQuery, body: spec.body, ...(spec.result !== undefined ? { result: spec.result } : {}) },
        plan(raw, principal, settings = {}) {
            const p = parseAll({ params: spec.params, query: NoQuery, body: spec.body }, raw);
            // valid, so the body as sent has the schema's input type
            const input: Input<P, unknown, B> = { params: p.params, query: p.query, body: raw.body as B, principal, settings, ...(raw.idempotencyKey !== undefined ? { idempotencyKey: raw.idempotencyKey } : {}) };
            const { location, present } = spec;
            return {
                kind: 'write',
                call: spec.call(input),
                ...(location !== undefined ? { location: (result: unknown, txId: string) => location(result, txId, input) } : {}),
                ...(present !== undefined ? { present: (answer: WriteAnswer, context: PresentContext) => present(answer, { ...input, ...context }) } : {}),
            };
        },
    };
}

/** Anything else (transaction status, …): its own handler over the Fabric port. */
export function customOperation<P, Q>(
    spec: Common<P, Q> & { readonly access?: Access; readonly run: (input: Input<P, Q, undefined>, fabric: FabricPort) => Promise<Reply> },
): Operation {
    const query = spec.query ?? (NoQuery as unknown as z.ZodType<Q>);
    return {
        operationId: spec.operationId,
        method: 'get',
        path: spec.path,
        summary: spec.summary,
        tag: spec.tag,
        access: spec.access ?? 'read',
        kind: 'custom',
        status: 200,
        schemas: { params: spec.params, query, ...(spec.result !== undefined ? { result: spec.result } : {}) },
        plan(raw, principal, settings = {}) {
            const p = parseAll({ params: spec.params, query, body: undefined }, raw);
            const input: Input<P, Q, undefined> = { params: p.params, query: p.query, body: undefined, principal, settings };
            return { kind: 'custom', run: (fabric) => spec.run(input, fabric) };
        },
    };
}

/** GET answered with a text/event-stream of chaincode events; `plan` turns the request into where to start. */
export function streamOperation<Q>(
    spec: Omit<Common<Record<string, never>, Q>, 'params'> & {
        readonly query: z.ZodType<Q>;
        readonly start: (input: Input<Record<string, never>, Q, undefined>, lastEventId: string | undefined) => { start?: EventStart; types?: ReadonlySet<string> };
    },
): Operation {
    const params = NoParams as unknown as z.ZodType<Record<string, never>>;
    return {
        operationId: spec.operationId,
        method: 'get',
        path: spec.path,
        summary: spec.summary,
        tag: spec.tag,
        access: 'read',
        kind: 'stream',
        status: 200,
        produces: 'text/event-stream',
        schemas: { params, query: spec.query, ...(spec.result !== undefined ? { result: spec.result } : {}) },
        plan(raw, principal, settings = {}) {
            const p = parseAll({ params, query: spec.query, body: undefined }, raw);
            return { kind: 'stream', ...spec.start({ params: p.params, query: p.query, body: undefined, principal, settings }, raw.lastEventId) };
        },
    };
}
