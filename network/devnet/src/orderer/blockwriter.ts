// Mirrors orderer/common/multichannel/blockwriter.go and protoutil/blockutils.go: block assembly and signing.
import { common } from '@hyperledger/fabric-protos';
import { randomBytes } from 'node:crypto';
import { blockDataHash, blockHeaderBytes } from '../ledger/blockhash';
import { concat } from '../protoutil';

/** The orderer's signer: enough of a SigningIdentity to sign block metadata. */
export interface BlockSigner {
    serialized(): Uint8Array;
    sign(msg: Uint8Array): Uint8Array;
}

/** Metadata slots (common.BlockMetadataIndex): 0 SIGNATURES, 1 LAST_CONFIG, 2 TRANSACTIONS_FILTER, 3 ORDERER (unused), 4 COMMIT_HASH. */
export const METADATA_SLOTS = 5;

export function newBlock(number: number, previousHash: Uint8Array, envelopes: readonly Uint8Array[]): common.Block {
    const data = new common.BlockData();
    data.setDataList([...envelopes]);
    const header = new common.BlockHeader();
    header.setNumber(number);
    header.setPreviousHash(previousHash);
    header.setDataHash(blockDataHash(data));
    const metadata = new common.BlockMetadata();
    metadata.setMetadataList(Array.from({ length: METADATA_SLOTS }, () => new Uint8Array(0)));
    const block = new common.Block();
    block.setHeader(header);
    block.setData(data);
    block.setMetadata(metadata);
    return block;
}

/**
 * SIGNATURES slot: Metadata{value = OrdererBlockMetadata{last_config}, signatures = [{signature_header,
 * signature over value ‖ signature_header ‖ ASN.1 block header}]}; LAST_CONFIG slot for older clients.
 */
export function signBlock(block: common.Block, signer: BlockSigner, lastConfigIndex: number): void {
    const header = block.getHeader();
    const md = block.getMetadata();
    if (!header || !md) throw new Error('block without header or metadata');
    const lastConfig = new common.LastConfig();
    lastConfig.setIndex(lastConfigIndex);
    const obm = new common.OrdererBlockMetadata();
    obm.setLastConfig(lastConfig);
    const value = obm.serializeBinary();

    const sh = new common.SignatureHeader();
    sh.setCreator(signer.serialized());
    sh.setNonce(randomBytes(24));
    const shBytes = sh.serializeBinary();
    const sig = new common.MetadataSignature();
    sig.setSignatureHeader(shBytes);
    sig.setSignature(signer.sign(concat(value, shBytes, blockHeaderBytes(header))));
    const m = new common.Metadata();
    m.setValue(value);
    m.setSignaturesList([sig]);
    const list = md.getMetadataList_asU8();
    list[common.BlockMetadataIndex.SIGNATURES] = m.serializeBinary();

    const lc = new common.Metadata();
    lc.setValue(lastConfig.serializeBinary());
    list[common.BlockMetadataIndex.LAST_CONFIG] = lc.serializeBinary();
    md.setMetadataList(list);
}
