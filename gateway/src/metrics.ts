/** Prometheus metrics of one app instance (its own registry, so several apps can live in one process). */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
    readonly registry: Registry;
    readonly requests: Counter<'method' | 'route' | 'status'>;
    readonly latency: Histogram<'method' | 'route'>;
    /** Fabric calls by kind (evaluate, submit, submit-async) and outcome (ok or an error code). */
    readonly fabricCalls: Counter<'kind' | 'outcome'>;
    readonly fabricRetries: Counter<'reason'>;
    readonly rateLimited: Counter<'scope'>;
    /** Open Server-Sent Events streams. */
    readonly eventStreams: Gauge;
}

export function newMetrics(options: Readonly<{ defaultMetrics?: boolean }> = {}): Metrics {
    const registry = new Registry();
    if (options.defaultMetrics === true) collectDefaultMetrics({ register: registry });
    return {
        registry,
        requests: new Counter({ name: 'upoint_gateway_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [registry] }),
        latency: new Histogram({
            name: 'upoint_gateway_http_request_duration_seconds',
            help: 'HTTP request latency by route',
            labelNames: ['method', 'route'],
            buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            registers: [registry],
        }),
        fabricCalls: new Counter({ name: 'upoint_gateway_fabric_calls_total', help: 'Fabric calls by kind and outcome', labelNames: ['kind', 'outcome'], registers: [registry] }),
        fabricRetries: new Counter({ name: 'upoint_gateway_fabric_retries_total', help: 'Submits retried with a fresh proposal, by reason', labelNames: ['reason'], registers: [registry] }),
        rateLimited: new Counter({ name: 'upoint_gateway_rate_limited_total', help: 'Requests refused by a rate limit, by scope (public, key, auth)', labelNames: ['scope'], registers: [registry] }),
        eventStreams: new Gauge({ name: 'upoint_gateway_event_streams', help: 'Open Server-Sent Events streams', registers: [registry] }),
    };
}
