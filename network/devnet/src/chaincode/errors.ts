// Failures of a chaincode execution as the peer reports them, cf. core/chaincode/chaincode_support.go and handler.go.

export const CHAINCODE_ERROR_CODES = [
    /** could not launch chaincode <id>: ... (connection refused, registration refused, startup timeout) */
    'CHAINCODE_LAUNCH_FAILED',
    /** txid: <id>(<channel>) exists */
    'CHAINCODE_TXID_EXISTS',
    /** timeout expired while executing transaction */
    'CHAINCODE_EXECUTE_TIMEOUT',
    /** chaincode stream terminated */
    'CHAINCODE_STREAM_TERMINATED',
    /** transaction returned with failure: <ERROR payload> */
    'CHAINCODE_TRANSACTION_FAILED',
    /** the shim answered with neither COMPLETED nor ERROR, or an unparsable Response */
    'CHAINCODE_BAD_RESPONSE',
] as const;

export type ChaincodeErrorCode = (typeof CHAINCODE_ERROR_CODES)[number];

export interface ChaincodeExecuteErrorProperties {
    readonly code: ChaincodeErrorCode;
    /** The full text Fabric's ChaincodeSupport.Execute would return (the endorser prefixes "error in simulation: "). */
    readonly message: string;
    readonly txId: string;
    readonly cause?: unknown;
}

/** An execution that produced no chaincode Response. A chaincode that throws is NOT this: it COMPLETEs with status 500. */
export class ChaincodeExecuteError extends Error {
    override readonly name = 'ChaincodeExecuteError';
    readonly code: ChaincodeErrorCode;
    readonly txId: string;

    constructor(properties: ChaincodeExecuteErrorProperties) {
        super(properties.message, properties.cause === undefined ? undefined : { cause: properties.cause });
        this.code = properties.code;
        this.txId = properties.txId;
    }
}

export function errorMessage(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}
