// The devnet process: one orderer and one peer per org endpoint, assembled from the network file.
// Mirrors what internal/peer/node/start.go and cmd/orderer do for a node, for every node at once.
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { common, gateway as gw, msp, orderer as ord, peer as pb } from '@hyperledger/fabric-protos';
import type { ServerDuplexStream, ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkConfig } from './config/network';
import { peerHost } from './config/network';
import { generateCrypto, nodeMspDir, nodeTlsDir, ordererDir, peerDir, orgMspDir } from './msp/cryptogen';
import { loadSigningIdentity } from './msp/signer';
import { mspManagerFromCrypto, buildPolicyManager, type PolicyManager } from './policies/manager';
import type { MspManager } from './msp/msp';
import { BlockStore } from './ledger/blockstore';
import { Orderer } from './orderer/orderer';
import { newBlock, signBlock } from './orderer/blockwriter';
import { Peer } from './peer/peer';
import { GatewayServer } from './gateway/gateway';
import { DeliverServer, handleDeliverStream, serveSeek } from './deliver/deliver';
import { RpcError, GrpcStatus } from './gateway/errors';
import { OpsServer } from './ops/ops';
import { newEnvelope, newHeader } from './protoutil';

export interface DevnetOptions {
    readonly config: NetworkConfig;
    /** Root of everything devnet writes: crypto/, orderer/, peers/. */
    readonly dir: string;
    /** Host to bind servers to (default 127.0.0.1). */
    readonly bindHost?: string;
    readonly log?: (msg: string) => void;
}

export class Devnet {
    readonly config: NetworkConfig;
    readonly cryptoDir: string;
    readonly orderer: Orderer;
    readonly peers: readonly Peer[];
    readonly msps: MspManager;
    readonly policies: PolicyManager;
    readonly #servers: Server[];
    readonly #ops: OpsServer;

    private constructor(a: {
        config: NetworkConfig; cryptoDir: string; orderer: Orderer; peers: Peer[]; msps: MspManager; policies: PolicyManager; servers: Server[]; ops: OpsServer;
    }) {
        this.config = a.config;
        this.cryptoDir = a.cryptoDir;
        this.orderer = a.orderer;
        this.peers = a.peers;
        this.msps = a.msps;
        this.policies = a.policies;
        this.#servers = a.servers;
        this.#ops = a.ops;
    }

    static async start(o: DevnetOptions): Promise<Devnet> {
        const cfg = o.config;
        const log = o.log ?? ((): void => undefined);
        const host = o.bindHost ?? '127.0.0.1';
        const cryptoDir = join(o.dir, 'crypto');
        await generateCrypto(cfg, cryptoDir);
        const msps = mspManagerFromCrypto(cfg, cryptoDir);
        const policies = buildPolicyManager(cfg, msps);

        const node = cfg.orderer.nodes[0];
        if (!node) throw new Error('network file has no orderer node');
        const oDir = ordererDir(cryptoDir, cfg, node);
        const ordererSigner = loadSigningIdentity(cfg.orderer.org.mspId, nodeMspDir(oDir));
        const ordererDataDir = join(o.dir, 'orderer');
        mkdirSync(ordererDataDir, { recursive: true });
        const store = await BlockStore.open(join(ordererDataDir, 'chains'));
        const orderer = await Orderer.start({
            channelId: cfg.channel,
            batch: cfg.orderer.batch,
            store,
            signer: ordererSigner,
            msps,
            policies,
            genesis: () => genesisBlock(cfg, cryptoDir, ordererSigner),
        });

        const applicationOrgs = cfg.orgs.map((x) => ({ mspId: x.mspId, name: x.name }));
        const peers: Peer[] = [];
        for (const org of cfg.orgs) {
            for (const pc of org.peers) {
                const h = peerHost(org, pc);
                const dir = peerDir(cryptoDir, org, pc);
                peers.push(
                    await Peer.open({
                        channelId: cfg.channel,
                        org,
                        host: h,
                        port: pc.port,
                        dataDir: join(o.dir, 'peers', h),
                        signer: loadSigningIdentity(org.mspId, nodeMspDir(dir)),
                        msps,
                        policies,
                        applicationOrgs,
                        acls: cfg.application.acls,
                    }),
                );
            }
        }
        // Catch every peer up with the orderer's chain (after a crash the peers may lag), then follow it.
        for (const p of peers) {
            for (let n = p.height; n < orderer.height; n++) {
                const b = await orderer.getBlockByNumber(n);
                if (!b) throw new Error(`orderer has no block ${n}`);
                await p.commitBlock(b.serializeBinary());
            }
        }
        orderer.on('block', (b) => {
            const bytes = b.serializeBinary();
            for (const p of peers) {
                p.commitBlock(bytes).catch((err: unknown) => log(`peer ${p.address} failed to commit block ${b.getHeader()?.getNumber()}: ${(err as Error).message}`));
            }
        });

        const servers: Server[] = [];
        try {
            for (const org of cfg.orgs) {
                for (const pc of org.peers) {
                    const p = peers.find((x) => x.address === `${peerHost(org, pc)}:${pc.port}`);
                    if (!p) throw new Error('unreachable: peer not found');
                    const tls = nodeTlsDir(peerDir(cryptoDir, org, pc));
                    const server = new Server({ 'grpc.max_receive_message_length': 100 * 1024 * 1024, 'grpc.max_send_message_length': 100 * 1024 * 1024 });
                    server.addService(gw.GatewayService, new GatewayServer({ local: p, peers, orderer, msps, policies }).service());
                    server.addService(pb.DeliverService, new DeliverServer(p, msps).service());
                    server.addService(pb.EndorserService, {
                        processProposal: (call: ServerUnaryCall<pb.SignedProposal, pb.ProposalResponse>, cb: sendUnaryData<pb.ProposalResponse>) => {
                            p.processProposal(call.request).then(
                                (r) => (r.error !== undefined ? cb(new RpcError(GrpcStatus.UNKNOWN, r.error)) : cb(null, r.response)),
                                (err: unknown) => cb(new RpcError(GrpcStatus.INTERNAL, (err as Error).message)),
                            );
                        },
                    });
                    await bind(server, `${host}:${pc.port}`, tlsCredentials(tls));
                    servers.push(server);
                    log(`peer ${p.address} (${org.mspId}) listening on ${host}:${pc.port}`);
                }
            }
            const oServer = new Server({ 'grpc.max_receive_message_length': 100 * 1024 * 1024 });
            oServer.addService(ord.AtomicBroadcastService, {
                broadcast: (call: ServerDuplexStream<common.Envelope, ord.BroadcastResponse>) => {
                    call.on('data', (env: common.Envelope) => {
                        const r = orderer.broadcast(env.serializeBinary());
                        const resp = new ord.BroadcastResponse();
                        resp.setStatus(r.status);
                        resp.setInfo(r.info);
                        call.write(resp);
                    });
                    call.on('end', () => call.end());
                },
                // The orderer's Deliver (common/deliver): its own chain, without peer validation flags; /Channel/Readers.
                deliver: (call: ServerDuplexStream<common.Envelope, ord.DeliverResponse>) =>
                    handleDeliverStream(call, (env, signal, write) =>
                        serveSeek(orderer.deliverSource(policies), msps, env, 'full', signal, async (item) => {
                            const r = new ord.DeliverResponse();
                            if ('status' in item) r.setStatus(item.status);
                            else r.setBlock(item.block);
                            await write(r);
                        }),
                    ),
            });
            await bind(oServer, `${host}:${node.port}`, tlsCredentials(nodeTlsDir(oDir)));
            servers.push(oServer);
            log(`orderer listening on ${host}:${node.port}`);
        } catch (err) {
            for (const s of servers) s.forceShutdown();
            throw err;
        }
        const ops = await OpsServer.start({ host, port: cfg.devnet.operationsPort, peers, orderer });
        log(`operations endpoint on http://${host}:${cfg.devnet.operationsPort} (/healthz, /metrics)`);
        return new Devnet({ config: cfg, cryptoDir, orderer, peers, msps, policies, servers, ops });
    }

    async stop(): Promise<void> {
        await Promise.all(this.#servers.map((s) => new Promise<void>((res) => s.tryShutdown(() => res()))));
        await this.#ops.close();
        await this.orderer.close();
        for (const p of this.peers) await p.close();
    }
}

function tlsCredentials(tlsDir: string): ServerCredentials {
    return ServerCredentials.createSsl(
        readFileSync(join(tlsDir, 'ca.crt')),
        [{ private_key: readFileSync(join(tlsDir, 'server.key')), cert_chain: readFileSync(join(tlsDir, 'server.crt')) }],
        false,
    );
}

function bind(server: Server, address: string, creds: ServerCredentials): Promise<void> {
    return new Promise((resolve, reject) => {
        server.bindAsync(address, creds, (err) => (err ? reject(new Error(`cannot listen on ${address}: ${err.message}`)) : resolve()));
    });
}

/**
 * Block 0: a CONFIG envelope whose Config carries each org's MSP (root and TLS root certs) under the
 * Application and Orderer groups. devnet reads its policies from the network file, not from this block.
 */
function genesisBlock(cfg: NetworkConfig, cryptoDir: string, signer: { serialized(): Uint8Array; sign(m: Uint8Array): Uint8Array }): common.Block {
    const mspGroup = (mspId: string, mspDir: string): common.ConfigGroup => {
        const fabricMsp = new msp.FabricMSPConfig();
        fabricMsp.setName(mspId);
        fabricMsp.setRootCertsList(readDirPems(join(mspDir, 'cacerts')));
        fabricMsp.setTlsRootCertsList(readDirPems(join(mspDir, 'tlscacerts')));
        const mc = new msp.MSPConfig();
        mc.setType(0);
        mc.setConfig(fabricMsp.serializeBinary());
        const v = new common.ConfigValue();
        v.setValue(mc.serializeBinary());
        v.setModPolicy('Admins');
        const g = new common.ConfigGroup();
        g.getValuesMap().set('MSP', v);
        g.setModPolicy('Admins');
        return g;
    };
    const app = new common.ConfigGroup();
    for (const org of cfg.orgs) app.getGroupsMap().set(org.name, mspGroup(org.mspId, orgMspDir(cryptoDir, org)));
    app.setModPolicy('Admins');
    const ordGroup = new common.ConfigGroup();
    ordGroup.getGroupsMap().set(cfg.orderer.org.name, mspGroup(cfg.orderer.org.mspId, orgMspDir(cryptoDir, cfg.orderer.org)));
    ordGroup.setModPolicy('Admins');
    const root = new common.ConfigGroup();
    root.getGroupsMap().set('Application', app);
    root.getGroupsMap().set('Orderer', ordGroup);
    root.setModPolicy('Admins');
    const config = new common.Config();
    config.setSequence(0);
    config.setChannelGroup(root);
    const ce = new common.ConfigEnvelope();
    ce.setConfig(config);

    const { header } = newHeader(common.HeaderType.CONFIG, cfg.channel, signer.serialized());
    const env = newEnvelope(header, ce.serializeBinary(), signer);
    const block = newBlock(0, new Uint8Array(0), [env.serializeBinary()]);
    signBlock(block, signer, 0);
    return block;
}

function readDirPems(dir: string): Uint8Array[] {
    return readdirSync(dir)
        .sort()
        .map((f) => new Uint8Array(readFileSync(join(dir, f))));
}
