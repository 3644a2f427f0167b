// Mirrors the error returns of common/ledger/blkstorage/blockfile_mgr.go and core/ledger/kvledger/kv_ledger.go, as codes.

export type LedgerErrorCode =
    /** append/commit of a block whose number is not the current height */
    | 'LEDGER_UNEXPECTED_BLOCK_NUMBER'
    /** block.header.previous_hash is not the header hash of the last block */
    | 'LEDGER_PREVIOUS_HASH_MISMATCH'
    /** a state update names a tx that is missing from the block or not VALID */
    | 'LEDGER_INVALID_UPDATE'
    /** the state savepoint is above the block store height (block file lost or swapped) */
    | 'LEDGER_STATE_AHEAD_OF_BLOCKS'
    /** the ledger directory belongs to another channel */
    | 'LEDGER_CHANNEL_MISMATCH'
    /** operation on a closed ledger / store */
    | 'LEDGER_CLOSED'
    /** a block without header, data or a malformed stored value */
    | 'LEDGER_MALFORMED';

export class LedgerError extends Error {
    override readonly name = 'LedgerError';
    readonly code: LedgerErrorCode;

    constructor(props: { readonly code: LedgerErrorCode; readonly message: string; readonly cause?: unknown }) {
        super(props.message, props.cause === undefined ? undefined : { cause: props.cause });
        this.code = props.code;
    }
}
