/** The OpenAPI 3.1 document, generated from the operations' zod schemas (zod's own JSON Schema output). */
import { z } from 'zod';
import { ERROR_CODES } from './errors';
import type { Operation } from './operation';

export interface OpenApiDocument {
    readonly openapi: '3.1.0';
    readonly info: { readonly title: string; readonly version: string; readonly description: string };
    readonly paths: Record<string, Record<string, unknown>>;
    readonly components: Record<string, Record<string, unknown>>;
    readonly security: ReadonlyArray<Record<string, readonly string[]>>;
}

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType): JsonSchema {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
    return rest;
}

function parameters(where: 'path' | 'query', schema: z.ZodType): unknown[] {
    const s = jsonSchema(schema);
    const props = (s.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((s.required ?? []) as string[]);
    return Object.entries(props).map(([name, p]) => ({ name, in: where, required: where === 'path' || required.has(name), schema: p }));
}

const problem = { $ref: '#/components/schemas/Problem' };
const problemResponse = (description: string): unknown => ({ description, content: { 'application/problem+json': { schema: problem } } });

const SYSTEM_PATHS: Record<string, Record<string, unknown>> = {
    '/healthz': { get: { operationId: 'healthz', summary: 'Liveness: the process answers', tags: ['system'], security: [], responses: { '200': { description: 'alive' } } } },
    '/readyz': {
        get: {
            operationId: 'readyz',
            summary: 'Readiness: a peer is reachable and the chaincode answers',
            tags: ['system'],
            security: [],
            responses: { '200': { description: 'ready' }, '503': problemResponse('not ready') },
        },
    },
    '/metrics': { get: { operationId: 'metrics', summary: 'Prometheus metrics', tags: ['system'], security: [], responses: { '200': { description: 'metrics in the Prometheus text format' } } } },
    '/v1/openapi.json': { get: { operationId: 'openapi', summary: 'This document', tags: ['system'], security: [], responses: { '200': { description: 'OpenAPI 3.1' } } } },
    '/docs': { get: { operationId: 'docs', summary: 'A page listing the operations', tags: ['system'], security: [], responses: { '200': { description: 'HTML' } } } },
};

export function buildOpenApi(operations: readonly Operation[], version: string): OpenApiDocument {
    const paths: Record<string, Record<string, unknown>> = { ...SYSTEM_PATHS };
    for (const op of operations) {
        const params = [...parameters('path', op.schemas.params), ...parameters('query', op.schemas.query)];
        const result = op.schemas.result !== undefined ? jsonSchema(op.schemas.result) : {};
        const responses: Record<string, unknown> = {};
        if (op.kind === 'write') {
            params.push(
                { name: 'Idempotency-Key', in: 'header', required: true, description: 'becomes the chaincode request id; a replay answers with the original transaction', schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' } },
            );
            if (op.presents === undefined) params.push({ name: 'Prefer', in: 'header', required: false, description: '`respond-async`: answer 202 once ordered, without waiting for commit', schema: { type: 'string' } });
            if (op.presents !== undefined) {
                // the operation answers with its own body (always synchronous)
                responses[String(op.status)] = {
                    description: 'committed',
                    content: Object.fromEntries(op.presents.map((type) => [type, { schema: type === 'application/json' ? result : { type: 'string' } }])),
                };
            } else responses[String(op.status)] = {
                description: 'committed',
                content: { 'application/json': { schema: { type: 'object', required: ['txId', 'result'], properties: { txId: { type: 'string' }, result: result, replayed: { type: 'boolean' } } } } },
            };
            if (op.presents === undefined) responses['202'] = {
                description: 'accepted (Prefer: respond-async); poll the Location',
                headers: { Location: { schema: { type: 'string' } } },
                content: { 'application/json': { schema: { type: 'object', required: ['txId'], properties: { txId: { type: 'string' } } } } },
            };
        } else if (op.kind === 'stream') {
            params.push({
                name: 'Last-Event-ID',
                in: 'header',
                required: false,
                description: 'resume just after this event (`<block>:<txId>`, the `id` of the last event received)',
                schema: { type: 'string', pattern: '^[0-9]{1,20}:[A-Za-z0-9._:-]{1,128}$' },
            });
            responses['200'] = {
                description: 'Server-Sent Events: each `data` is one chaincode event as JSON, each `id` is `<block>:<txId>`',
                content: { [op.produces ?? 'text/event-stream']: { schema: { type: 'string' } } },
                // OpenAPI 3.1 has no item schema for streams (3.2's itemSchema): an extension carries each event's data
                'x-event-data': result,
            };
        } else {
            responses['200'] = { description: 'OK', content: { [op.produces ?? 'application/json']: { schema: result } } };
        }
        responses['429'] = problemResponse('rate limited (Retry-After says when to try again)');
        responses.default = problemResponse('an error, as RFC 9457 problem details with a stable code');
        const entry: Record<string, unknown> = {
            operationId: op.operationId,
            summary: op.summary,
            tags: [op.tag],
            'x-access': op.access,
            parameters: params,
            responses,
        };
        if (op.access === 'public') entry.security = [];
        if (op.schemas.body !== undefined) entry.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(op.schemas.body) } } };
        paths[op.path] = { ...(paths[op.path] ?? {}), [op.method]: entry };
    }
    return {
        openapi: '3.1.0',
        info: {
            title: 'U-Point gateway',
            version,
            description: 'REST gateway over the U-Point chaincode. Authenticate with `Authorization: Bearer <API key>`. Errors are RFC 9457 problem details with a stable `code`.',
        },
        paths,
        components: {
            securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'an API key' } },
            schemas: {
                Problem: {
                    type: 'object',
                    required: ['type', 'title', 'status', 'code', 'detail'],
                    properties: {
                        type: { type: 'string' },
                        title: { type: 'string' },
                        status: { type: 'integer' },
                        code: { type: 'string', enum: [...ERROR_CODES] },
                        detail: { type: 'string' },
                        txId: { type: 'string' },
                        errors: { type: 'array', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } },
                    },
                },
            },
        },
        security: [{ apiKey: [] }],
    };
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A static page listing the operations (no scripts, no CDN). */
export function docsPage(doc: OpenApiDocument): string {
    const rows: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(methods)) {
            const o = op as { summary?: string; 'x-access'?: string };
            rows.push(`<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escapeHtml(path)}</code></td><td>${escapeHtml(o['x-access'] ?? 'public')}</td><td>${escapeHtml(o.summary ?? '')}</td></tr>`);
        }
    }
    return [
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>U-Point gateway API</title></head><body>',
        `<h1>${escapeHtml(doc.info.title)} ${escapeHtml(doc.info.version)}</h1>`,
        `<p>${escapeHtml(doc.info.description)} The machine-readable document is <a href="/v1/openapi.json">/v1/openapi.json</a>.</p>`,
        '<table><thead><tr><th>method</th><th>path</th><th>access</th><th>summary</th></tr></thead><tbody>',
        ...rows,
        '</tbody></table></body></html>',
    ].join('\n');
}
