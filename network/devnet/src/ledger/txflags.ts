// Mirrors core/ledger/util/txflags/validation_flags.go: one peer.TxValidationCode byte per tx in metadata slot TRANSACTIONS_FILTER.
import { common, peer } from '@hyperledger/fabric-protos';

export const TX_VALID: number = peer.TxValidationCode.VALID;

/**
 * The validation code of tx i. A block whose TRANSACTIONS_FILTER is absent or too short (an orderer's copy, never
 * validated) counts its txs as VALID, as Fabric's block index does for an empty filter.
 */
export function txValidationCode(block: common.Block, txIndex: number): number {
    const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER];
    if (filter === undefined || txIndex >= filter.length) return TX_VALID;
    return filter[txIndex] ?? TX_VALID;
}
