// Mirrors internal/pkg/gateway/apiutils.go newRpcError/errorDetail: gRPC status with gateway.ErrorDetail
// entries packed into the grpc-status-details-bin trailer as a google.rpc.Status.
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { gateway, google } from '@hyperledger/fabric-protos';
import { Any } from 'google-protobuf/google/protobuf/any_pb';

export interface Detail {
    readonly address: string;
    readonly mspId: string;
    readonly message: string;
}

export class RpcError extends Error implements Partial<ServiceError> {
    readonly code: GrpcStatus;
    readonly details: string;
    readonly metadata: Metadata;

    constructor(code: GrpcStatus, message: string, details: readonly Detail[] = []) {
        super(message);
        this.name = 'RpcError';
        this.code = code;
        this.details = message;
        this.metadata = new Metadata();
        if (details.length > 0) {
            const st = new google.rpc.Status();
            st.setCode(code);
            st.setMessage(message);
            st.setDetailsList(
                details.map((d) => {
                    const ed = new gateway.ErrorDetail();
                    ed.setAddress(d.address);
                    ed.setMspId(d.mspId);
                    ed.setMessage(d.message);
                    const any = new Any();
                    any.pack(ed.serializeBinary(), 'gateway.ErrorDetail');
                    return any;
                }),
            );
            this.metadata.set('grpc-status-details-bin', Buffer.from(st.serializeBinary()));
        }
    }
}

export { GrpcStatus };
