/**
 * The gateway process: configuration, logger, Fabric connections, listen; SIGTERM/SIGINT stop accepting, end the
 * event streams, drain the requests in flight, then close the gateways and the gRPC clients.
 */
import { pino } from 'pino';
import { loadKeyStore } from './auth';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { connectFabric } from './fabric';
import { newMetrics } from './metrics';

function main(): void {
    let config;
    try {
        config = loadConfig();
    } catch (err) {
        process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`);
        process.exit(2);
    }
    const logger = pino({ level: config.logLevel, base: { service: 'upoint-gateway' }, redact: ['req.headers.authorization'] });
    const fabric = connectFabric({ network: config.network, cryptoDir: config.cryptoDir, orgs: config.orgs, timeouts: config.timeouts });
    const shutdown = new AbortController();
    const app = createApp({
        fabric,
        keys: loadKeyStore(config.apiKeysFile),
        logger,
        metrics: newMetrics({ defaultMetrics: true }),
        bodyLimit: config.bodyLimit,
        rateLimits: config.rateLimits,
        publicMspId: config.publicMspId,
        trustProxy: config.trustProxy,
        shutdown: shutdown.signal,
        ...(config.labelSecret !== undefined ? { labels: { secret: config.labelSecret, publicUrl: config.publicUrl } } : {}),
    });
    const server = app.listen(config.listen.port, config.listen.host, () => {
        logger.info({ listen: `${config.listen.host}:${config.listen.port}`, orgs: fabric.mspIds, publicUrl: config.publicUrl, labels: config.labelSecret !== undefined }, 'gateway listening');
    });
    let stopping = false;
    const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'stopping: draining requests');
        shutdown.abort(); // event streams end now; requests in flight finish
        const force = setTimeout(() => {
            logger.warn('drain timed out; closing connections');
            server.closeAllConnections();
        }, 10_000);
        force.unref();
        server.close(() => {
            fabric.close();
            logger.info('stopped');
            process.exit(0);
        });
        server.closeIdleConnections();
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
}

main();
