// Types for the parts of fabric-shim's contract SPI that tests and the metadata script drive
// directly: ChaincodeFromContract is what `fabric-chaincode-node server` wraps the contracts in.
declare module 'fabric-shim/lib/contract-spi/chaincodefromcontract' {
    import type { ChaincodeResponse } from 'fabric-shim-api';
    import type { Contract, JSONSerializer } from 'fabric-contract-api';

    namespace ChaincodeFromContract {
        interface Serializers {
            transaction: string;
            serializers: Record<string, new () => JSONSerializer>;
        }
        interface TransactionMetadata {
            name: string;
            tag?: string[];
            parameters?: Array<{ name: string; description?: string; schema: Record<string, unknown> }>;
            returns?: Record<string, unknown>;
        }
        interface ContractMetadata {
            $schema: string;
            info: { title: string; version: string };
            contracts: Record<string, { name: string; transactions: TransactionMetadata[]; info: Record<string, unknown> }>;
            components: { schemas: Record<string, unknown> };
        }
        /** What the shim itself calls on the stub while dispatching. */
        interface DispatchStub {
            getBufferArgs(): Uint8Array[];
            getTxID(): string;
            getChannelID(): string;
            getCreator(): { mspid: string; idBytes: Uint8Array };
        }
    }

    class ChaincodeFromContract {
        constructor(
            contractClasses: Array<new () => Contract>,
            serializers: ChaincodeFromContract.Serializers,
            metadata?: object,
            title?: string,
            version?: string,
        );
        readonly metadata: ChaincodeFromContract.ContractMetadata;
        Invoke(stub: ChaincodeFromContract.DispatchStub): Promise<ChaincodeResponse>;
    }

    export = ChaincodeFromContract;
}
