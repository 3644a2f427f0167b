/**
 * One REST operation: its path, the zod schemas that parse its input (and generate its OpenAPI entry), who may
 * call it, and the chaincode call it becomes. Framework-free: app.ts adapts operations to Express.
 */
import { z } from 'zod';
import type { Access, Principal } from './auth';
import { ApiError, type FieldError } from './errors';
import type { FabricPort } from './fabric';

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
          /** The read that answers a replayed request (DUPLICATE_REQUEST) with the resource's current state. */
          readonly replay: (originalTxId: string) => Call;
          readonly location?: (result: unknown, txId: string) => string;
      }
    | { readonly kind: 'custom'; readonly run: (fabric: FabricPort) => Promise<Reply> };

export interface RawInput {
    readonly params: unknown;
    readonly query: unknown;
    readonly body: unknown;
}

export interface Operation {
    readonly operationId: string;
    readonly method: 'get' | 'post' | 'delete';
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
    plan(raw: RawInput, principal: Principal): Plan;
}

export interface Input<P, Q, B> {
    readonly params: P;
    readonly query: Q;
    readonly body: B;
    readonly principal: Principal;
}

export const NoParams = z.strictObject({});
export const NoQuery = z.object({});

function parseAll<P, Q, B>(
    schemas: { params: z.ZodType<P>; query: z.ZodType<Q>; body: z.ZodType<B> | undefined },
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
        plan(raw, principal) {
            const p = parseAll({ params: spec.params, query, body: undefined }, raw);
            return { kind: 'read', call: spec.call({ params: p.params, query: p.query, body: undefined, principal }) };
        },
    };
}

/** A chaincode submit: Idempotency-Key required, 201/200 with {txId, result} or 202 with Prefer: respond-async. */
export function writeOperation<P, B>(
    spec: Common<P, unknown> & {
        readonly method?: 'post' | 'delete';
        readonly access?: 'write' | 'admin';
        readonly status?: 200 | 201;
        readonly body: z.ZodType<B>;
        readonly call: (input: Input<P, unknown, B>) => Call;
        readonly replay: (input: Input<P, unknown, B>, originalTxId: string) => Call;
        readonly location?: (result: unknown, txId: string, input: Input<P, unknown, B>) => string;
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
        schemas: { params: spec.params, query: NoQuery, body: spec.body, ...(spec.result !== undefined ? { result: spec.result } : {}) },
        plan(raw, principal) {
            const p = parseAll({ params: spec.params, query: NoQuery, body: spec.body }, raw);
            const input: Input<P, unknown, B> = { params: p.params, query: p.query, body: p.body as B, principal };
            const location = spec.location;
            return {
                kind: 'write',
                call: spec.call(input),
                replay: (originalTxId) => spec.replay(input, originalTxId),
                ...(location !== undefined ? { location: (result: unknown, txId: string) => location(result, txId, input) } : {}),
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
        plan(raw, principal) {
            const p = parseAll({ params: spec.params, query, body: undefined }, raw);
            const input: Input<P, Q, undefined> = { params: p.params, query: p.query, body: undefined, principal };
            return { kind: 'custom', run: (fabric) => spec.run(input, fabric) };
        },
    };
}
