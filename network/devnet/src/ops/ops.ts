// Mirrors core/operations/system.go: the operations endpoint (/healthz, /metrics in Prometheus text format).
import { createServer, type Server } from 'node:http';
import { common } from '@hyperledger/fabric-protos';
import type { Peer } from '../peer/peer';
import type { Orderer } from '../orderer/orderer';
import { validationCodeName } from '../protoutil';

export interface OpsOptions {
    readonly host: string;
    readonly port: number;
    readonly peers: readonly Peer[];
    readonly orderer: Orderer;
}

/** Counters fed by block commits; no hot path work beyond a map increment per transaction. */
/** A Prometheus summary without quantiles: count and sum, enough for rates and mean latency. */
class Summary {
    count = 0;
    sum = 0;
    observe(v: number): void {
        this.count += 1;
        this.sum += v;
    }
    lines(name: string, help: string, labels: string): string[] {
        return [`# HELP ${name} ${help}`, `# TYPE ${name} summary`, `${name}_count{${labels}} ${this.count}`, `${name}_sum{${labels}} ${this.sum}`];
    }
}

class Metrics {
    readonly txs = new Map<string, number>();
    readonly endorse = new Summary();
    readonly commit = new Summary();
    blocks = 0;

    observe(block: common.Block): void {
        this.blocks += 1;
        const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
        for (const code of filter) {
            const name = validationCodeName(code);
            this.txs.set(name, (this.txs.get(name) ?? 0) + 1);
        }
    }
}

export class OpsServer {
    readonly #server: Server;

    private constructor(server: Server) {
        this.#server = server;
    }

    static async start(o: OpsOptions): Promise<OpsServer> {
        const first = o.peers[0];
        const metrics = new Metrics();
        first?.on('block', (b) => metrics.observe(b));
        first?.on('committed', (sec) => metrics.commit.observe(sec));
        for (const p of o.peers) p.on('endorsed', (sec) => metrics.endorse.observe(sec));
        const server = createServer((req, res) => {
            if (req.url === '/healthz') {
                const heights = o.peers.map((p) => p.height);
                const ok = heights.every((h) => h > 0) && o.orderer.height > 0;
                res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
                res.end(JSON.stringify({ status: ok ? 'OK' : 'Service Unavailable', time: new Date().toISOString(), ordererHeight: o.orderer.height, peers: o.peers.map((p) => ({ address: p.address, mspId: p.mspId, height: p.height })) }));
                return;
            }
            if (req.url === '/metrics') {
                const lines: string[] = [
                    '# HELP ledger_blockchain_height Height of the chain in blocks.',
                    '# TYPE ledger_blockchain_height gauge',
                    ...o.peers.map((p) => `ledger_blockchain_height{channel="${p.channelId}",peer="${p.address}"} ${p.height}`),
                    '# HELP consensus_blocks_written Blocks written by the orderer.',
                    '# TYPE consensus_blocks_written counter',
                    `consensus_blocks_written{channel="${o.peers[0]?.channelId ?? ''}"} ${o.orderer.height}`,
                    '# HELP ledger_transaction_count Transactions committed, by validation code (first peer).',
                    '# TYPE ledger_transaction_count counter',
                    ...[...metrics.txs].map(([code, n]) => `ledger_transaction_count{validation_code="${code}"} ${n}`),
                    ...metrics.endorse.lines('endorser_proposal_duration_seconds', 'Time to process a proposal, all peers.', `channel="${o.peers[0]?.channelId ?? ''}"`),
                    ...metrics.commit.lines('ledger_block_processing_time_seconds', 'Time to validate and commit a block (first peer).', `channel="${o.peers[0]?.channelId ?? ''}"`),
                ];
                res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
                res.end(`${lines.join('\n')}\n`);
                return;
            }
            res.writeHead(404);
            res.end();
        });
        await new Promise<void>((resolve, reject) => {
            server.once('error', reject);
            server.listen(o.port, o.host, () => resolve());
        });
        return new OpsServer(server);
    }

    close(): Promise<void> {
        return new Promise((res) => this.#server.close(() => res()));
    }
}
