// The orderer's Deliver (common/deliver/deliver.go): a signed SeekInfo, blocks start..stop, then SUCCESS;
// readers must satisfy /Channel/Readers; peers add validation flags, the orderer's blocks have none.
import * as grpc from '@grpc/grpc-js';
import { common, orderer as ord } from '@hyperledger/fabric-protos';
import { readFileSync } from 'node:fs';
import { blockHeaderHash } from '@upoint/devnet/dist/ledger/blockhash';
import { loadSigningIdentity, type SigningIdentity } from '@upoint/devnet/dist/msp/signer';
import { tlsCaCertPath, userMspDir, ordererHost } from '@upoint/devnet/dist/msp/cryptogen';
import { newEnvelope, newHeader } from '@upoint/devnet/dist/protoutil';
import { TestNetwork, testConfig, KVCC, org } from '../support/network';

function seekEnvelope(signer: SigningIdentity, channel: string, start: number, stop: number): common.Envelope {
    const { header } = newHeader(common.HeaderType.DELIVER_SEEK_INFO, channel, signer.serialized());
    const pos = (n: number): ord.SeekPosition => {
        const sp = new ord.SeekSpecified();
        sp.setNumber(n);
        const p = new ord.SeekPosition();
        p.setSpecified(sp);
        return p;
    };
    const seek = new ord.SeekInfo();
    seek.setStart(pos(start));
    seek.setStop(pos(stop));
    seek.setBehavior(ord.SeekInfo.SeekBehavior.BLOCK_UNTIL_READY);
    return newEnvelope(header, seek.serializeBinary(), signer);
}

describe("orderer's Deliver service", () => {
    const net = new TestNetwork(testConfig(36000));
    let client: ord.AtomicBroadcastClient;

    beforeAll(async () => {
        await net.start();
        await net.deploy(KVCC);
        const node = net.cfg.orderer.nodes[0];
        if (!node) throw new Error('no orderer');
        client = new ord.AtomicBroadcastClient(`127.0.0.1:${node.port}`, grpc.credentials.createSsl(readFileSync(tlsCaCertPath(net.cryptoDir, net.cfg.orderer.org))), {
            'grpc.ssl_target_name_override': ordererHost(net.cfg, node),
        });
    }, 120_000);
    afterAll(async () => {
        client.close();
        await net.stop();
    });

    const fetch = (signer: SigningIdentity, start: number, stop: number): Promise<{ blocks: common.Block[]; status: number }> =>
        new Promise((resolve, reject) => {
            const blocks: common.Block[] = [];
            const call = client.deliver();
            call.on('data', (r: ord.DeliverResponse) => {
                if (r.hasBlock()) {
                    const b = r.getBlock();
                    if (b) blocks.push(b);
                } else {
                    resolve({ blocks, status: r.getStatus() });
                    call.end();
                }
            });
            call.on('error', reject);
            call.write(seekEnvelope(signer, 'upoint', start, stop));
        });

    it('streams the chain from the genesis block, hash-chained, then SUCCESS', async () => {
        const user = loadSigningIdentity('SupplierMSP', userMspDir(net.cryptoDir, org(net.cfg, 'Supplier'), 'User1'));
        const height = net.devnet?.orderer.height ?? 0;
        const { blocks, status } = await fetch(user, 0, height - 1);
        expect(status).toBe(common.Status.SUCCESS);
        expect(blocks.map((b) => b.getHeader()?.getNumber())).toEqual(Array.from({ length: height }, (_, i) => i));
        for (let i = 1; i < blocks.length; i++) {
            const prev = blocks[i - 1]?.getHeader();
            if (!prev) throw new Error('missing header');
            expect(Buffer.from(blocks[i]?.getHeader()?.getPreviousHash_asU8() ?? [])).toEqual(Buffer.from(blockHeaderHash(prev)));
        }
        // the orderer's copy carries no validation flags (peers add them at commit)
        expect(blocks[1]?.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER]).toHaveLength(0);
    });

    it('lets the regulator read blocks (Readers) but refuses an orderer-unknown identity', async () => {
        const regulator = loadSigningIdentity('RegulatorMSP', userMspDir(net.cryptoDir, org(net.cfg, 'Regulator'), 'User1'));
        expect((await fetch(regulator, 0, 0)).status).toBe(common.Status.SUCCESS);
        const stranger = new TestNetwork(testConfig(36500));
        await stranger.start(); // a second network: its identities are not members of this channel
        try {
            const foreign = loadSigningIdentity('BrandMSP', userMspDir(stranger.cryptoDir, org(stranger.cfg, 'Brand'), 'User1'));
            const r = await fetch(foreign, 0, 0);
            expect(r.status).toBe(common.Status.FORBIDDEN);
            expect(r.blocks).toHaveLength(0);
        } finally {
            await stranger.stop();
        }
    });
});
