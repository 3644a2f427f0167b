// Recording and normalising what a client observes, for the differential suite: every outcome becomes plain JSON
// (results, error class / gRPC code / message / per-peer details, validation codes, block offsets, events), and
// whatever must differ between two networks (tx ids, hashes, certificates, timestamps, peer addresses) is replaced
// by a placeholder before the two recordings are compared.
import { CommitError, GatewayError, type Contract, type Network } from '@hyperledger/fabric-gateway';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { peerHost } from '@upoint/devnet/dist/config/network';
import type { UserName } from '@upoint/devnet/dist/msp/cryptogen';
import type { DiffTarget } from '../support/difftarget';
import { CHANNEL, chainInfo, sleep, utf8 } from '../support/conformance';

export type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };
export interface Observation {
    readonly step: string;
    readonly [k: string]: Json;
}

const GRPC_NAMES = new Map<number, string>(Object.entries(GrpcStatus).filter((e): e is [string, number] => typeof e[1] === 'number').map(([k, v]) => [v, k]));

/** One scenario's recording on one target. */
export class Run {
    readonly t: DiffTarget;
    readonly observations: Observation[] = [];
    readonly #txids = new Map<string, string>();
    /** Chain height when the scenario began: block numbers are recorded relative to it. */
    base = 0n;

    constructor(t: DiffTarget) {
        this.t = t;
    }

    network(org = 'Brand', user: UserName = 'User1'): Network {
        return this.t.gateway(org, user).getNetwork(CHANNEL);
    }

    contract(org = 'Brand', user: UserName = 'User1', chaincode = 'upoint', name = 'kv'): Contract {
        return this.network(org, user).getContract(chaincode, name);
    }

    async begin(): Promise<void> {
        await this.settle();
        this.base = BigInt((await chainInfo(this.network())).getHeight());
    }

    /** Names a transaction id in this scenario (`<tx:1>`, `<tx:2>`, ... in first-seen order) and returns the name. */
    tx(id: string): string {
        let n = this.#txids.get(id);
        if (!n) {
            n = `<tx:${this.#txids.size + 1}>`;
            this.#txids.set(id, n);
        }
        return n;
    }

    /** A block number relative to the scenario's first block. */
    block(n: bigint | number): number {
        return Number(BigInt(n) - this.base);
    }

    record(step: string, value: { readonly [k: string]: Json }): void {
        this.observations.push({ step, ...value });
    }

    /** Records the payload of a successful call or the error it threw. */
    async outcome(step: string, p: Promise<Uint8Array>): Promise<Uint8Array | undefined> {
        try {
            const r = await p;
            this.record(step, { result: utf8.decode(r) });
            return r;
        } catch (err) {
            this.record(step, { error: this.error(err) });
            return undefined;
        }
    }

    /** Records the error `p` rejects with (or that it resolved). */
    async failure(step: string, p: Promise<unknown>): Promise<void> {
        try {
            const r = await p;
            this.record(step, { unexpectedSuccess: r instanceof Uint8Array ? utf8.decode(r) : String(r) });
        } catch (err) {
            this.record(step, { error: this.error(err) });
        }
    }

    error(err: unknown): Json {
        if (err instanceof GatewayError) {
            const txId = (err as { transactionId?: unknown }).transactionId;
            if (typeof txId === 'string') this.tx(txId);
            const details = err.details.map((d) => ({ mspId: d.mspId, message: d.message })).sort((a, b) => (a.mspId + a.message).localeCompare(b.mspId + b.message));
            return { class: err.name, code: err.code, grpc: GRPC_NAMES.get(err.code) ?? '?', message: err.message, details };
        }
        if (err instanceof CommitError) {
            this.tx(err.transactionId);
            return { class: err.name, code: err.code, message: err.message };
        }
        if (err instanceof Error) return { class: err.name, message: err.message };
        return { class: typeof err, message: String(err) };
    }

    /** Waits until every org's peer reached the highest height (peers commit independently, in Fabric as in devnet). */
    async settle(timeoutMs = 20_000): Promise<void> {
        const networks = this.t.cfg.orgs.map((o) => this.network(o.name));
        const until = Date.now() + timeoutMs;
        let target = 0;
        for (;;) {
            const heights = await Promise.all(networks.map(async (n) => (await chainInfo(n)).getHeight()));
            target = Math.max(target, ...heights);
            if (heights.every((h) => h >= target)) return;
            if (Date.now() > until) throw new Error(`peers did not reach height ${target}: ${heights.join(', ')}`);
            await sleep(20);
        }
    }

    /** The recording with every run-specific value replaced by a placeholder. */
    normalized(): Observation[] {
        const peers: Array<[string, string]> = [];
        for (const o of this.t.cfg.orgs) {
            for (const p of o.peers) {
                for (const a of [`${peerHost(o, p)}:${p.port}`, `127.0.0.1:${p.port}`, `localhost:${p.port}`, `0.0.0.0:${p.port}`]) peers.push([a, `<peer:${o.mspId}>`]);
            }
        }
        for (const n of this.t.cfg.orderer.nodes) {
            for (const a of [`127.0.0.1:${n.port}`, `localhost:${n.port}`]) peers.push([a, `<orderer:${n.name}>`]);
        }
        const str = (s: string): string => {
            let out = s;
            for (const [id, name] of this.#txids) out = out.split(id).join(name);
            for (const [a, name] of peers) out = out.split(a).join(name);
            // grpc-js's client-side deadline text carries its own timings (`after 1.001s,LB pick: 0.001s`).
            out = out.replace(/Deadline exceeded after [\d.]+s(,LB pick: [\d.]+s)?/g, 'Deadline exceeded after <duration>');
            out = out.replace(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----\n?/g, '<cert>');
            out = out.replace(/[0-9a-fA-F]{65,}/g, '<hex>');
            out = out.replace(/\b[0-9a-f]{64}\b/g, '<txid>');
            out = out.replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z| ?[+-]\d{2}:?\d{2})?( UTC)?/g, '<ts>');
            return out;
        };
        const walk = (v: Json): Json => {
            if (typeof v === 'string') return str(v);
            if (Array.isArray(v)) return (v as readonly Json[]).map(walk);
            if (v !== null && typeof v === 'object') {
                const o: Record<string, Json> = {};
                for (const [k, x] of Object.entries(v as { readonly [k: string]: Json })) o[k] = walk(x);
                return o;
            }
            return v;
        };
        return this.observations.map((o) => walk(o) as Observation);
    }
}

export interface Scenario {
    readonly name: string;
    readonly run: (r: Run) => Promise<void>;
}

/** Runs one scenario; an exception is an observation too (it is compared like every other outcome). */
export async function observe(t: DiffTarget, s: Scenario): Promise<{ observations: Observation[]; ms: number }> {
    const r = new Run(t);
    const t0 = Date.now();
    try {
        await r.begin();
        await s.run(r);
    } catch (err) {
        r.record('scenario aborted', { error: r.error(err) });
    }
    return { observations: r.normalized(), ms: Date.now() - t0 };
}

/** The first differences between two recordings, one line each, for a readable failure message. */
export function diff(a: Json, b: Json, path = '', out: string[] = []): string[] {
    if (out.length >= 40) return out;
    if (JSON.stringify(a) === JSON.stringify(b)) return out;
    if (Array.isArray(a) && Array.isArray(b)) {
        const n = Math.max(a.length, b.length);
        for (let i = 0; i < n; i++) diff((a as readonly Json[])[i] ?? null, (b as readonly Json[])[i] ?? null, `${path}[${i}]`, out);
        if (a.length !== b.length) out.push(`${path}: length ${a.length} != ${b.length}`);
        return out;
    }
    if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
        const ao = a as { readonly [k: string]: Json };
        const bo = b as { readonly [k: string]: Json };
        for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) diff(ao[k] ?? null, bo[k] ?? null, `${path}.${k}`, out);
        return out;
    }
    out.push(`${path}: devnet ${JSON.stringify(a)}\n${' '.repeat(path.length)}  native ${JSON.stringify(b)}`);
    return out;
}
