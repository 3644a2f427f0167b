// Helpers shared by the devnet conformance suite: typed rejections, qscc queries and block reads through the
// real fabric-gateway client, so each test states the exact surface Fabric gives a client.
import { GatewayError, type ChaincodeEvent, type ChaincodeEventsOptions, type Contract, type Gateway, type Network } from '@hyperledger/fabric-gateway';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import { peerHost, type NetworkConfig } from '@upoint/devnet/dist/config/network';
import { org, type TestNetwork } from './network';

export const utf8 = new TextDecoder();
export const CHANNEL = 'upoint';

/** The value a promise rejects with; fails the test if it resolves. */
export async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
    try {
        await p;
    } catch (err) {
        return err;
    }
    throw new Error('expected a rejection, but the promise resolved');
}

/** The rejection, checked to be an instance of `cls` (GatewayError, EndorseError, CommitError, ...). */
export async function rejectionAs<E extends Error>(p: Promise<unknown>, cls: abstract new (...args: never[]) => E): Promise<E> {
    const err = await rejectionOf(p);
    if (!(err instanceof cls)) throw new Error(`expected ${cls.name}, got ${String(err)}`);
    return err;
}

/** A GatewayError subclass by name (SubmitError is exported as a type only). */
export async function gatewayRejection(p: Promise<unknown>, name: 'GatewayError' | 'EndorseError' | 'SubmitError' | 'CommitStatusError'): Promise<GatewayError> {
    const err = await rejectionAs(p, GatewayError);
    expect(err.name).toBe(name);
    return err;
}

/** "<host>:<port>" of an org's first peer, as the gateway names it in ErrorDetail.address. */
export function peerAddress(cfg: NetworkConfig, orgName: string): string {
    const o = org(cfg, orgName);
    const p = o.peers[0];
    if (!p) throw new Error(`org ${orgName} has no peer`);
    return `${peerHost(o, p)}:${p.port}`;
}

/** The SerializedIdentity bytes a gateway's client signs with (the proposal's creator). */
export function creatorBytes(gw: Gateway): Uint8Array {
    const id = gw.getIdentity();
    const si = new msp.SerializedIdentity();
    si.setMspid(id.mspId);
    si.setIdBytes(id.credentials);
    return si.serializeBinary();
}

export function hex(b: Uint8Array): string {
    return Buffer.from(b).toString('hex');
}

export function qscc(network: Network): Contract {
    return network.getContract('qscc');
}

export async function chainInfo(network: Network): Promise<common.BlockchainInfo> {
    return common.BlockchainInfo.deserializeBinary(await qscc(network).evaluateTransaction('GetChainInfo', CHANNEL));
}

export async function blockByNumber(network: Network, n: number | bigint): Promise<common.Block> {
    return common.Block.deserializeBinary(await qscc(network).evaluateTransaction('GetBlockByNumber', CHANNEL, String(n)));
}

export async function processedTx(network: Network, txId: string): Promise<peer.ProcessedTransaction> {
    return peer.ProcessedTransaction.deserializeBinary(await qscc(network).evaluateTransaction('GetTransactionByID', CHANNEL, txId));
}

/** TRANSACTIONS_FILTER of a committed block: one validation code per transaction. */
export function txFilter(block: common.Block): Uint8Array {
    return block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER] ?? new Uint8Array();
}

/** Transaction ids of a block's envelopes, in block order. */
export function txIdsOf(block: common.Block): string[] {
    return (block.getData()?.getDataList_asU8() ?? []).map((env) => {
        const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(env).getPayload_asU8());
        return common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array()).getTxId();
    });
}

/** The channel header of a processed transaction's envelope. */
export function channelHeaderOf(pt: peer.ProcessedTransaction): common.ChannelHeader {
    const env = pt.getTransactionenvelope();
    if (!env) throw new Error('processed transaction without envelope');
    const payload = common.Payload.deserializeBinary(env.getPayload_asU8());
    return common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array());
}

/** Reads blocks from `start` until `until(block)` holds (Deliver through the client), then closes the stream. */
export async function readBlocksUntil(network: Network, start: bigint, until: (b: common.Block) => boolean, timeoutMs = 15_000): Promise<common.Block[]> {
    const out: common.Block[] = [];
    const blocks = await network.getBlockEvents({ startBlock: start });
    const timer = setTimeout(() => blocks.close(), timeoutMs);
    try {
        for await (const b of blocks) {
            out.push(b);
            if (until(b)) return out;
        }
    } catch (err) {
        throw new Error(`block stream ended after ${out.length} blocks: ${String(err)}`);
    } finally {
        clearTimeout(timer);
        blocks.close();
    }
    throw new Error(`no matching block within ${timeoutMs} ms (read ${out.length})`);
}

const everyPeer = new WeakMap<TestNetwork, Network[]>();

/**
 * Waits until every org's peer has committed as many blocks as the most advanced one. Peers commit each block
 * independently (as in Fabric): right after a commit status from one peer, another may still be on the previous
 * block, so a multi-peer endorsement would see different state ("ProposalResponsePayloads do not match").
 */
export async function settle(net: TestNetwork, timeoutMs = 10_000): Promise<void> {
    let networks = everyPeer.get(net);
    if (!networks) {
        networks = net.cfg.orgs.map((o) => net.gateway(o.name).getNetwork(CHANNEL));
        everyPeer.set(net, networks);
    }
    const until = Date.now() + timeoutMs;
    let target = 0;
    for (;;) {
        const heights = await Promise.all(networks.map(async (n) => (await chainInfo(n)).getHeight()));
        target = Math.max(target, ...heights);
        if (heights.every((h) => h >= target)) return;
        if (Date.now() > until) throw new Error(`peers did not reach height ${target}: ${heights.join(', ')}`);
        await sleep(10);
    }
}

export function sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
}

/**
 * Reads chaincode events of `chaincode` until `until` holds or `timeoutMs` passes (the stream is then closed, which
 * the client reports as CANCELLED); `onEvent` runs per event, e.g. a checkpointer.
 */
export async function readChaincodeEvents(
    network: Network,
    chaincode: string,
    options: ChaincodeEventsOptions,
    until: (events: readonly ChaincodeEvent[]) => boolean,
    timeoutMs = 10_000,
    onEvent: (e: ChaincodeEvent) => Promise<void> = async () => undefined,
): Promise<ChaincodeEvent[]> {
    const out: ChaincodeEvent[] = [];
    const events = await network.getChaincodeEvents(chaincode, options);
    const timer = setTimeout(() => events.close(), timeoutMs);
    try {
        for await (const e of events) {
            out.push(e);
            await onEvent(e);
            if (until(out)) break;
        }
    } catch (err) {
        if (!(err instanceof GatewayError && err.code === Number(GrpcStatus.CANCELLED))) throw err;
    } finally {
        clearTimeout(timer);
        events.close();
    }
    return out;
}
