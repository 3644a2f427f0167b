// Where a native network keeps its files under DIR, and which orderer nodes it runs.
import { join } from 'node:path';
import { parseNetworkConfig, peerHost, type NetworkConfig, type OrgConfig, type PeerConfig } from '@upoint/devnet/dist/config/network';
import { nodeMspDir, nodeTlsDir, ordererDir, ordererHost, orgMspDir, peerDir, tlsCaCertPath, userMspDir, userTlsDir } from '@upoint/devnet/dist/msp/cryptogen';

export { nodeMspDir, nodeTlsDir, ordererDir, ordererHost, orgMspDir, peerDir, peerHost, tlsCaCertPath, userMspDir, userTlsDir };

export type OrdererNode = NetworkConfig['orderer']['nodes'][number];

/** Port step between the orderer nodes `--orderers 3` adds after the network file's first node. */
export const ORDERER_PORT_STEP = 100;

export function orderersOf(cfg: NetworkConfig): readonly OrdererNode[] {
    return cfg.orderer.nodes;
}

/**
 * The network file with exactly `count` orderer nodes: the file's own nodes first, then orderer<i> on the
 * first node's ports + i * ORDERER_PORT_STEP. Re-validated, so a collision with another port is reported.
 */
export function withOrderers(cfg: NetworkConfig, count: number): NetworkConfig {
    const first = cfg.orderer.nodes[0];
    if (!first) throw new Error('the network file has no orderer node');
    const nodes: OrdererNode[] = [];
    for (let i = 0; i < count; i++) {
        const own = cfg.orderer.nodes[i];
        const step = i * ORDERER_PORT_STEP;
        nodes.push(own ?? { name: `orderer${i}`, port: first.port + step, adminPort: first.adminPort + step, operationsPort: first.operationsPort + step });
    }
    return parseNetworkConfig({ ...cfg, orderer: { ...cfg.orderer, nodes } });
}

export interface Layout {
    readonly dir: string;
    readonly networkFile: string;
    readonly cryptoDir: string;
    readonly configDir: string;
    readonly channelBlock: string;
    readonly runDir: string;
    readonly logDir: string;
}

export function layout(dir: string, channel = 'channel'): Layout {
    return {
        dir,
        networkFile: join(dir, 'network.json'),
        cryptoDir: join(dir, 'crypto'),
        configDir: join(dir, 'config'),
        channelBlock: join(dir, 'channel', `${channel}.block`),
        runDir: join(dir, 'run'),
        logDir: join(dir, 'logs'),
    };
}

export function ordererDataDir(dir: string, cfg: NetworkConfig, node: OrdererNode): string {
    return join(dir, 'orderers', ordererHost(cfg, node));
}

export function peerDataDir(dir: string, org: OrgConfig, peer: PeerConfig): string {
    return join(dir, 'peers', peerHost(org, peer));
}
