// Blocks as a client reads them: Deliver / DeliverFiltered (common/deliver/deliver.go, core/peer/deliverevents.go),
// the hash chain and signatures (protoutil/blockutils.go, orderer/common/multichannel/blockwriter.go) and qscc
// (core/scc/qscc/query.go).
import { StatusCode, type Contract, type Network } from '@hyperledger/fabric-gateway';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers } from '@hyperledger/fabric-gateway';
import { createPrivateKey, verify, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { peerHost } from '@upoint/devnet/dist/config/network';
import { tlsCaCertPath, userMspDir } from '@upoint/devnet/dist/msp/cryptogen';
import { blockDataHash, blockHeaderBytes, blockHeaderHash } from '@upoint/devnet/dist/ledger/blockhash';
import { TestNetwork, testConfig, KVCC, org } from '../support/network';
import {
    CHANNEL,
    blockByNumber,
    chainInfo,
    channelHeaderOf,
    gatewayRejection,
    processedTx,
    qscc,
    readBlocksUntil,
    txFilter,
    txIdsOf,
} from '../support/conformance';

describe('blocks: deliver, hash chain, qscc', () => {
    const net = new TestNetwork(testConfig(25000));
    let network: Network;
    let contract: Contract;
    let valid: { txId: string; block: bigint };
    let conflicted: { txId: string; block: bigint };

    beforeAll(async () => {
        await net.start();
        await net.deploy(KVCC);
        network = net.gateway('Brand').getNetwork(CHANNEL);
        contract = network.getContract('upoint', 'kv');
        const supplier = net.gateway('Supplier').getNetwork(CHANNEL).getContract('upoint', 'kv');
        for (let i = 0; i < 3; i++) await contract.submitTransaction('Put', `blk-${i}`, String(i));
        // One block with a VALID and an MVCC_READ_CONFLICT transaction, both emitting an event.
        const [a, b] = await Promise.all([
            contract.newProposal('IncrEmit', { arguments: ['blk-counter', 'bumped'] }).endorse(),
            supplier.newProposal('IncrEmit', { arguments: ['blk-counter', 'bumped'] }).endorse(),
        ]);
        if (!a || !b) throw new Error('unreachable');
        const sa = await a.submit();
        const sb = await b.submit();
        const [st1, st2] = await Promise.all([sa.getStatus(), sb.getStatus()]);
        expect([st1.code, st2.code]).toEqual([StatusCode.VALID, StatusCode.MVCC_READ_CONFLICT]);
        valid = { txId: st1.transactionId, block: st1.blockNumber };
        conflicted = { txId: st2.transactionId, block: st2.blockNumber };
    }, 120_000);
    afterAll(() => net.stop());

    async function allBlocks(): Promise<common.Block[]> {
        const height = (await chainInfo(network)).getHeight();
        return readBlocksUntil(network, 0n, (b) => b.getHeader()?.getNumber() === height - 1);
    }

    it('Deliver from block 0: consecutive numbers, previous_hash = SHA-256(previous header DER), data_hash = SHA-256(envelopes)', async () => {
        const blocks = await allBlocks();
        expect(blocks.length).toBeGreaterThanOrEqual(8); // genesis, lifecycle (4 approvals + commit), 3 puts, the pair
        blocks.forEach((b, n) => {
            const header = b.getHeader();
            const data = b.getData();
            if (!header || !data) throw new Error(`block ${n} without header or data`);
            expect(header.getNumber()).toBe(n);
            expect(Buffer.from(header.getDataHash_asU8())).toEqual(Buffer.from(blockDataHash(data)));
            const prev = blocks[n - 1]?.getHeader();
            if (n === 0) expect(header.getPreviousHash_asU8()).toHaveLength(0);
            else if (prev) expect(Buffer.from(header.getPreviousHash_asU8())).toEqual(Buffer.from(blockHeaderHash(prev)));
            else throw new Error('unreachable');
        });
    });

    it('GetChainInfo: height, current and previous block hashes match the delivered chain', async () => {
        const blocks = await allBlocks();
        const info = await chainInfo(network);
        const last = blocks[blocks.length - 1]?.getHeader();
        if (!last) throw new Error('unreachable');
        expect(info.getHeight()).toBe(blocks.length);
        expect(Buffer.from(info.getCurrentblockhash_asU8())).toEqual(Buffer.from(blockHeaderHash(last)));
        expect(Buffer.from(info.getPreviousblockhash_asU8())).toEqual(Buffer.from(last.getPreviousHash_asU8()));
    });

    it('block 0 is a CONFIG block; the others carry endorser transactions; every block has 5 metadata slots and one filter byte per tx', async () => {
        const blocks = await allBlocks();
        blocks.forEach((b, n) => {
            const envs = b.getData()?.getDataList_asU8() ?? [];
            const md = b.getMetadata()?.getMetadataList_asU8() ?? [];
            expect(md).toHaveLength(5);
            expect(txFilter(b)).toHaveLength(envs.length);
            for (const env of envs) {
                const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(env).getPayload_asU8());
                const chdr = common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array());
                expect(chdr.getChannelId()).toBe(CHANNEL);
                expect(chdr.getType()).toBe(n === 0 ? common.HeaderType.CONFIG : common.HeaderType.ENDORSER_TRANSACTION);
            }
        });
    });

    it('every block is signed by the orderer over value ‖ signature_header ‖ header DER', async () => {
        const blocks = await allBlocks();
        for (const b of blocks) {
            const header = b.getHeader();
            if (!header) throw new Error('unreachable');
            const md = common.Metadata.deserializeBinary(b.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.SIGNATURES] ?? new Uint8Array());
            const [sig] = md.getSignaturesList();
            if (!sig) throw new Error(`block ${header.getNumber()} has no orderer signature`);
            const shdr = common.SignatureHeader.deserializeBinary(sig.getSignatureHeader_asU8());
            const creator = msp.SerializedIdentity.deserializeBinary(shdr.getCreator_asU8());
            expect(creator.getMspid()).toBe('OrdererMSP');
            const cert = new X509Certificate(Buffer.from(creator.getIdBytes_asU8()));
            const signed = Buffer.concat([md.getValue_asU8(), sig.getSignatureHeader_asU8(), blockHeaderBytes(header)]);
            expect(verify('sha256', signed, cert.publicKey, sig.getSignature_asU8())).toBe(true);
            const obm = common.OrdererBlockMetadata.deserializeBinary(md.getValue_asU8());
            expect(obm.getLastConfig()?.getIndex()).toBe(0);
        }
    });

    it('qscc GetBlockByNumber returns the block Deliver returned', async () => {
        const [delivered] = await readBlocksUntil(network, valid.block, () => true);
        if (!delivered) throw new Error('unreachable');
        const queried = await blockByNumber(network, valid.block);
        expect(Buffer.from(queried.serializeBinary())).toEqual(Buffer.from(delivered.serializeBinary()));
    });

    it('qscc GetBlockByNumber past the end: UNKNOWN "Failed to get block number N, error no such block number [N] in index"', async () => {
        const n = (await chainInfo(network)).getHeight() + 5;
        const err = await gatewayRejection(qscc(network).evaluateTransaction('GetBlockByNumber', CHANNEL, String(n)), 'GatewayError');
        expect(err.code).toBe(GrpcStatus.UNKNOWN);
        expect(err.message).toBe(`2 UNKNOWN: evaluate call to endorser returned error: chaincode response 500, Failed to get block number ${n}, error no such block number [${n}] in index`);
    });

    it('qscc GetTransactionByID returns the envelope and its validation code (VALID and MVCC_READ_CONFLICT)', async () => {
        const ok = await processedTx(network, valid.txId);
        expect(ok.getValidationcode()).toBe(StatusCode.VALID);
        expect(channelHeaderOf(ok).getTxId()).toBe(valid.txId);
        const bad = await processedTx(network, conflicted.txId);
        expect(bad.getValidationcode()).toBe(StatusCode.MVCC_READ_CONFLICT);
        expect(channelHeaderOf(bad).getTxId()).toBe(conflicted.txId);
    });

    it('qscc GetTransactionByID of an unknown txid: "no such transaction ID [<id>] in index"', async () => {
        const id = 'f'.repeat(64);
        const err = await gatewayRejection(qscc(network).evaluateTransaction('GetTransactionByID', CHANNEL, id), 'GatewayError');
        expect(err.code).toBe(GrpcStatus.UNKNOWN);
        expect(err.message).toBe(`2 UNKNOWN: evaluate call to endorser returned error: chaincode response 500, Failed to get transaction with id ${id}, error no such transaction ID [${id}] in index`);
    });

    it('qscc GetBlockByTxID and GetBlockByHash find the same block', async () => {
        const byTx = common.Block.deserializeBinary(await qscc(network).evaluateTransaction('GetBlockByTxID', CHANNEL, conflicted.txId));
        expect(byTx.getHeader()?.getNumber()).toBe(Number(conflicted.block));
        expect(txIdsOf(byTx)).toContain(conflicted.txId);
        const header = byTx.getHeader();
        if (!header) throw new Error('unreachable');
        const proposal = qscc(network).newProposal('GetBlockByHash', { arguments: [new TextEncoder().encode(CHANNEL), blockHeaderHash(header)] });
        const byHash = common.Block.deserializeBinary(await proposal.evaluate());
        expect(byHash.getHeader()?.getNumber()).toBe(Number(conflicted.block));
    });

    it('qscc by a non-Reader (the orderer org admin): access denied from the qscc ACL, UNKNOWN at the gateway', async () => {
        const o = net.cfg.orderer.org;
        const brand = org(net.cfg, 'Brand');
        const p = brand.peers[0];
        if (!p) throw new Error('unreachable');
        const client = new grpc.Client(`127.0.0.1:${p.port}`, grpc.credentials.createSsl(readFileSync(tlsCaCertPath(net.cryptoDir, brand))), {
            'grpc.ssl_target_name_override': peerHost(brand, p),
        });
        const mspDir = userMspDir(net.cryptoDir, o, 'Admin');
        const file = (dir: string): Buffer => readFileSync(join(mspDir, dir, readdirSync(join(mspDir, dir))[0] ?? ''));
        const stranger = connect({
            client,
            identity: { mspId: o.mspId, credentials: file('signcerts') },
            signer: signers.newPrivateKeySigner(createPrivateKey(file('keystore'))),
            hash: hash.sha256,
        });
        try {
            const err = await gatewayRejection(qscc(stranger.getNetwork(CHANNEL)).evaluateTransaction('GetChainInfo', CHANNEL), 'GatewayError');
            expect(err.code).toBe(GrpcStatus.UNKNOWN);
            expect(err.message).toBe(
                "2 UNKNOWN: evaluate call to endorser returned error: chaincode response 500, access denied for [GetChainInfo][upoint]: [failed evaluating policy on signed data during check policy [/Channel/Application/Readers]: [implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 of the 'Readers' sub-policies to be satisfied]]",
            );
        } finally {
            stranger.close();
            client.close();
        }
    });

    it('filtered blocks carry each transaction id, type, validation code and event name without payload', async () => {
        const fbs = await network.getFilteredBlockEvents({ startBlock: valid.block });
        let fb: peer.FilteredBlock | undefined;
        try {
            for await (const b of fbs) {
                fb = b;
                break;
            }
        } finally {
            fbs.close();
        }
        if (!fb) throw new Error('no filtered block');
        expect(fb.getChannelId()).toBe(CHANNEL);
        expect(fb.getNumber()).toBe(Number(valid.block));
        const txs = fb.getFilteredTransactionsList().map((t) => ({
            txId: t.getTxid(),
            type: t.getType(),
            code: t.getTxValidationCode(),
            events: (t.getTransactionActions()?.getChaincodeActionsList() ?? []).map((a) => {
                const e = a.getChaincodeEvent();
                return { cc: e?.getChaincodeId(), name: e?.getEventName(), tx: e?.getTxId(), payload: e?.getPayload_asU8().length };
            }),
        }));
        expect(txs).toEqual([
            { txId: valid.txId, type: common.HeaderType.ENDORSER_TRANSACTION, code: StatusCode.VALID, events: [{ cc: 'upoint', name: 'bumped', tx: valid.txId, payload: 0 }] },
            { txId: conflicted.txId, type: common.HeaderType.ENDORSER_TRANSACTION, code: StatusCode.MVCC_READ_CONFLICT, events: [{ cc: 'upoint', name: 'bumped', tx: conflicted.txId, payload: 0 }] },
        ]);
    });

    it('full blocks carry the invalid transaction with its event payload and its code in TRANSACTIONS_FILTER', async () => {
        const block = await blockByNumber(network, conflicted.block);
        const i = txIdsOf(block).indexOf(conflicted.txId);
        expect(i).toBeGreaterThanOrEqual(0);
        expect(txFilter(block)[i]).toBe(StatusCode.MVCC_READ_CONFLICT);
        const env = common.Envelope.deserializeBinary(block.getData()?.getDataList_asU8()[i] ?? new Uint8Array());
        const tx = peer.Transaction.deserializeBinary(common.Payload.deserializeBinary(env.getPayload_asU8()).getData_asU8());
        const cap = peer.ChaincodeActionPayload.deserializeBinary(tx.getActionsList()[0]?.getPayload_asU8() ?? new Uint8Array());
        const prp = peer.ProposalResponsePayload.deserializeBinary(cap.getAction()?.getProposalResponsePayload_asU8() ?? new Uint8Array());
        const event = peer.ChaincodeEvent.deserializeBinary(peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8()).getEvents_asU8());
        expect(event.getEventName()).toBe('bumped');
        expect(new TextDecoder().decode(event.getPayload_asU8())).toBe(conflicted.txId);
        expect(event.getTxId()).toBe(conflicted.txId);
        expect(event.getChaincodeId()).toBe('upoint');
    });
});
