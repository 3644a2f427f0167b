// Types for the test fixture ccserver.js (a fabric-contract-api chaincode served by fabric-shim).
export interface RunningChaincodeServer {
    readonly address: string;
    /** SIGKILL the server process (the peer sees the stream end). */
    kill(): void;
    stop(): Promise<void>;
}
/** Listen on `address` (default: a free 127.0.0.1 port) as chaincode `ccid`. */
export function startChaincodeServer(ccid: string, address?: string): Promise<RunningChaincodeServer>;
