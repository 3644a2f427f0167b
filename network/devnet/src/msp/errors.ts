// Mirrors the error returns of msp/mspimpl.go, msp/mspimplvalidate.go and msp/mspmgrimpl.go as one typed error.

/** Stable codes for MSP failures; the message keeps Fabric's wording where Fabric has one. */
export type MspErrorCode =
    | 'MSP_CONFIG' // an MSP folder that cannot be loaded
    | 'MSP_UNKNOWN' // a SerializedIdentity naming an MSP the channel does not have
    | 'MSP_MALFORMED_IDENTITY' // bytes that are not a SerializedIdentity / PEM X.509 certificate
    | 'MSP_INVALID_IDENTITY' // a certificate that does not validate against the MSP
    | 'MSP_PRINCIPAL_UNSATISFIED'; // a valid identity that does not satisfy the principal

export interface MspErrorOptions {
    readonly code: MspErrorCode;
    readonly message: string;
    readonly cause?: unknown;
}

export class MspError extends Error {
    readonly code: MspErrorCode;

    constructor(options: Readonly<MspErrorOptions>) {
        super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
        this.name = 'MspError';
        this.code = options.code;
    }
}
