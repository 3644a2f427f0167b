/**
 * The gateway's configuration: read from the environment once, typed, and refused at start-up naming every
 * missing or invalid variable at once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { loadNetworkConfig, type NetworkConfig, type OrgConfig } from '@upoint/devnet/dist/config/network';
import type { RateLimit } from './ratelimit';

export type CallKind = 'evaluate' | 'endorse' | 'submit' | 'commitStatus';

export interface Timeouts {
    readonly evaluate: number;
    readonly endorse: number;
    readonly submit: number;
    readonly commitStatus: number;
}

export interface GatewayConfig {
    readonly listen: { readonly host: string; readonly port: number };
    readonly networkFile: string;
    readonly network: NetworkConfig;
    readonly cryptoDir: string;
    /** The orgs (from the network file) this process holds identities for. */
    readonly orgs: readonly OrgConfig[];
    readonly apiKeysFile: string;
    readonly timeouts: Timeouts;
    readonly bodyLimit: string;
    readonly logLevel: string;
    /** Requests per minute (and burst): per client address on public routes, per API key elsewhere. */
    readonly rateLimits: { readonly public: RateLimit; readonly key: RateLimit };
    /** The served org whose identity submits public requests (consumer scans). */
    readonly publicMspId: string;
    /** Express `trust proxy`: hops of reverse proxies in front (0 = none, client addresses are the sockets'). */
    readonly trustProxy: number;
    /** Where consumers reach this gateway (QR labels' verification URLs), without a trailing slash. */
    readonly publicUrl: string;
    /** The HMAC key QR labels' codes are derived with; undefined: the labels route answers 503. */
    readonly labelSecret: string | undefined;
}

export class ConfigError extends Error {
    readonly problems: readonly string[];

    constructor(properties: Readonly<{ problems: readonly string[] }>) {
        super(`invalid gateway configuration:\n  ${properties.problems.join('\n  ')}`);
        this.name = 'ConfigError';
        this.problems = properties.problems;
    }
}

const ListenSchema = z
    .string()
    .regex(/^[A-Za-z0-9.:[\]-]+:[0-9]{1,5}$/, 'expected host:port')
    .transform((s) => {
        const i = s.lastIndexOf(':');
        return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
    })
    .refine((l) => l.port <= 65535, 'port out of range');
const MillisSchema = z.string().regex(/^[1-9][0-9]{0,6}$/, 'expected milliseconds, 1-9999999').transform(Number);
const BodyLimitSchema = z.string().regex(/^[1-9][0-9]{0,4}(b|kb|mb)$/, 'expected a size such as 100kb');
/** `<perMinute>` or `<perMinute>/<burst>`. */
const RateSchema = z
    .string()
    .regex(/^[1-9][0-9]{0,6}(\/[1-9][0-9]{0,6})?$/, 'expected <requests per minute>[/<burst>], e.g. 60/20')
    .transform((s): RateLimit => {
        const [perMinute, burst] = s.split('/');
        return { perMinute: Number(perMinute), ...(burst !== undefined ? { burst: Number(burst) } : {}) };
    });
const HopsSchema = z.string().regex(/^[0-9]{1,2}$/, 'expected a number of proxy hops, 0-99').transform(Number);
const LevelSchema = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const PublicUrlSchema = z
    .string()
    .regex(/^https?:\/\/[A-Za-z0-9.:[\]-]+(\/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?$/, 'expected an http(s) URL without query, e.g. https://verify.example.com')
    .transform((s) => s.replace(/\/+$/, ''));
const LabelSecretSchema = z.string().min(32, 'expected at least 32 characters').max(4096).regex(/^[\x21-\x7E]+$/, 'expected printable ASCII without spaces');

/** http://host:port for a listen address (a wildcard host is reached through the loopback address). */
export function urlOfListen(listen: { host: string; port: number }): string {
    const host = listen.host === '0.0.0.0' || listen.host === '' ? '127.0.0.1' : listen.host === '::' || listen.host === '[::]' ? '[::1]' : listen.host;
    return `http://${host}:${listen.port}`;
}

const DEFAULTS = {
    GATEWAY_LISTEN: '127.0.0.1:3000',
    GATEWAY_TIMEOUT_EVALUATE_MS: '10000',
    GATEWAY_TIMEOUT_ENDORSE_MS: '15000',
    GATEWAY_TIMEOUT_SUBMIT_MS: '10000',
    GATEWAY_TIMEOUT_COMMIT_STATUS_MS: '30000',
    GATEWAY_BODY_LIMIT: '100kb',
    GATEWAY_RATE_PUBLIC: '60/20',
    GATEWAY_RATE_KEY: '6000/500',
    GATEWAY_TRUST_PROXY: '0',
    LOG_LEVEL: 'info',
} as const;

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads: GATEWAY_LISTEN (host:port, default 127.0.0.1:3000), NETWORK_FILE, CRYPTO_DIR, GATEWAY_ORGS (comma
 * separated org names or MSP ids; default every org of the network file), API_KEYS_FILE,
 * GATEWAY_TIMEOUT_{EVALUATE,ENDORSE,SUBMIT,COMMIT_STATUS}_MS, GATEWAY_BODY_LIMIT, GATEWAY_RATE_PUBLIC and GATEWAY_RATE_KEY
 * (`<per minute>[/<burst>]`), GATEWAY_PUBLIC_ORG (org name or MSP id submitting consumer scans; default the
 * first served org), GATEWAY_TRUST_PROXY (reverse-proxy hops), LOG_LEVEL, GATEWAY_PUBLIC_URL (the consumers' URL of
 * this gateway; default http://<listen>), GATEWAY_LABEL_SECRET or GATEWAY_LABEL_SECRET_FILE (QR labels' HMAC key, ≥ 32
 * printable characters; the file's content, trimmed).
 */
export function loadConfig(env: Env = process.env): GatewayConfig {
    const problems: string[] = [];
    const value = (name: keyof typeof DEFAULTS): string => {
        const v = env[name];
        return v === undefined || v === '' ? DEFAULTS[name] : v;
    };
    const parse = <T>(name: string, raw: string, schema: z.ZodType<T, string>): T | undefined => {
        const r = schema.safeParse(raw);
        if (r.success) return r.data;
        problems.push(`${name}: ${r.error.issues.map((i) => i.message).join('; ')}`);
        return undefined;
    };
    const requiredPath = (name: string): string | undefined => {
        const v = env[name];
        if (v === undefined || v === '') {
            problems.push(`${name}: missing`);
            return undefined;
        }
        if (!existsSync(v)) {
            problems.push(`${name}: ${v} does not exist`);
            return undefined;
        }
        return v;
    };

    const listen = parse('GATEWAY_LISTEN', value('GATEWAY_LISTEN'), ListenSchema);
    const networkFile = requiredPath('NETWORK_FILE');
    const cryptoDir = requiredPath('CRYPTO_DIR');
    const apiKeysFile = requiredPath('API_KEYS_FILE');
    const evaluate = parse('GATEWAY_TIMEOUT_EVALUATE_MS', value('GATEWAY_TIMEOUT_EVALUATE_MS'), MillisSchema);
    const endorse = parse('GATEWAY_TIMEOUT_ENDORSE_MS', value('GATEWAY_TIMEOUT_ENDORSE_MS'), MillisSchema);
    const submit = parse('GATEWAY_TIMEOUT_SUBMIT_MS', value('GATEWAY_TIMEOUT_SUBMIT_MS'), MillisSchema);
    const commitStatus = parse('GATEWAY_TIMEOUT_COMMIT_STATUS_MS', value('GATEWAY_TIMEOUT_COMMIT_STATUS_MS'), MillisSchema);
    const bodyLimit = parse('GATEWAY_BODY_LIMIT', value('GATEWAY_BODY_LIMIT'), BodyLimitSchema);
    const logLevel = parse('LOG_LEVEL', value('LOG_LEVEL'), LevelSchema);
    const ratePublic = parse('GATEWAY_RATE_PUBLIC', value('GATEWAY_RATE_PUBLIC'), RateSchema);
    const rateKey = parse('GATEWAY_RATE_KEY', value('GATEWAY_RATE_KEY'), RateSchema);
    const trustProxy = parse('GATEWAY_TRUST_PROXY', value('GATEWAY_TRUST_PROXY'), HopsSchema);
    const rawPublicUrl = env.GATEWAY_PUBLIC_URL ?? '';
    const publicUrl = rawPublicUrl === '' ? (listen !== undefined ? urlOfListen(listen) : undefined) : parse('GATEWAY_PUBLIC_URL', rawPublicUrl, PublicUrlSchema);
    let labelSecret: string | undefined;
    const secretValue = env.GATEWAY_LABEL_SECRET ?? '';
    const secretFile = env.GATEWAY_LABEL_SECRET_FILE ?? '';
    if (secretValue !== '' && secretFile !== '') problems.push('GATEWAY_LABEL_SECRET: set either it or GATEWAY_LABEL_SECRET_FILE, not both');
    else if (secretValue !== '') labelSecret = parse('GATEWAY_LABEL_SECRET', secretValue, LabelSecretSchema);
    else if (secretFile !== '') {
        if (!existsSync(secretFile)) problems.push(`GATEWAY_LABEL_SECRET_FILE: ${secretFile} does not exist`);
        else labelSecret = parse('GATEWAY_LABEL_SECRET_FILE', readFileSync(secretFile, 'utf8').trim(), LabelSecretSchema);
    }

    let network: NetworkConfig | undefined;
    if (networkFile !== undefined) {
        try {
            network = loadNetworkConfig(networkFile);
        } catch (err) {
            problems.push(`NETWORK_FILE: ${err instanceof Error ? err.message : String(err)}`);
        }
    }
    let orgs: OrgConfig[] | undefined;
    if (network !== undefined) {
        const wanted = (env.GATEWAY_ORGS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
        if (wanted.length === 0) orgs = network.orgs;
        else {
            const found = wanted.map((w) => network?.orgs.find((o) => o.name === w || o.mspId === w));
            const unknown = wanted.filter((_, i) => found[i] === undefined);
            if (unknown.length > 0) problems.push(`GATEWAY_ORGS: not in the network file: ${unknown.join(', ')}`);
            else orgs = found.filter((o): o is OrgConfig => o !== undefined);
        }
    }
    let publicMspId: string | undefined;
    if (orgs !== undefined) {
        const wanted = env.GATEWAY_PUBLIC_ORG ?? '';
        const org = wanted === '' ? orgs[0] : orgs.find((o) => o.name === wanted || o.mspId === wanted);
        if (org === undefined) problems.push(`GATEWAY_PUBLIC_ORG: ${wanted === '' ? 'no org served' : `${wanted} is not one of the served orgs`}`);
        else publicMspId = org.mspId;
    }

    if (
        problems.length > 0 ||
        listen === undefined ||
        networkFile === undefined ||
        network === undefined ||
        cryptoDir === undefined ||
        apiKeysFile === undefined ||
        orgs === undefined ||
        evaluate === undefined ||
        endorse === undefined ||
        submit === undefined ||
        commitStatus === undefined ||
        bodyLimit === undefined ||
        logLevel === undefined ||
        ratePublic === undefined ||
        rateKey === undefined ||
        trustProxy === undefined ||
        publicMspId === undefined ||
        publicUrl === undefined
    ) {
        throw new ConfigError({ problems });
    }
    return {
        listen,
        networkFile,
        network,
        cryptoDir,
        orgs,
        apiKeysFile,
        timeouts: { evaluate, endorse, submit, commitStatus },
        bodyLimit,
        logLevel,
        rateLimits: { public: ratePublic, key: rateKey },
        publicMspId,
        trustProxy,
        publicUrl,
        labelSecret,
    };
}
