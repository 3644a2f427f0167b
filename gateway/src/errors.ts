/**
 * The gateway's one error catalogue: the chaincode's codes (which cross the peer boundary as a `CODE: ` message
 * prefix) plus the gateway's own, one exhaustive code → HTTP status table, and RFC 9457 problem details bodies.
 */
import { CommitError, CommitStatusError, EndorseError, GatewayError as FabricGatewayError, type ErrorDetail } from '@hyperledger/fabric-gateway';
import { ERROR_CODES as CHAINCODE_CATALOGUE } from '@upoint/chaincode/dist/domain/errors';

/** The chaincode's own catalogue (chaincode/src/domain/errors.ts), not a copy: a new chaincode code needs a status here. */
export const CHAINCODE_ERROR_CODES = CHAINCODE_CATALOGUE;

export const ERROR_CODES = [...CHAINCODE_ERROR_CODES, 'VALIDATION_FAILED', 'IDEMPOTENCY_KEY_REUSED', 'RATE_LIMITED', 'UNAVAILABLE', 'TIMEOUT', 'INTERNAL'] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
export type ChaincodeErrorCode = (typeof CHAINCODE_ERROR_CODES)[number];

/** The one table from code to HTTP status: a code without a status does not compile. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
    NOT_FOUND: 404,
    FORBIDDEN: 403,
    INVALID_ARGUMENT: 400,
    INVALID_STATE: 409,
    CONFLICT: 409,
    DUPLICATE_REQUEST: 409,
    INSUFFICIENT_FUNDS: 422,
    UNAUTHENTICATED: 401,
    VALIDATION_FAILED: 400,
    IDEMPOTENCY_KEY_REUSED: 422,
    RATE_LIMITED: 429,
    UNAVAILABLE: 503,
    TIMEOUT: 504,
    INTERNAL: 500,
};

const TITLES: Readonly<Record<ErrorCode, string>> = {
    NOT_FOUND: 'Not found',
    FORBIDDEN: 'Forbidden',
    INVALID_ARGUMENT: 'Invalid argument',
    INVALID_STATE: 'Invalid state',
    CONFLICT: 'Conflict',
    DUPLICATE_REQUEST: 'Duplicate request',
    INSUFFICIENT_FUNDS: 'Insufficient funds',
    UNAUTHENTICATED: 'Unauthenticated',
    VALIDATION_FAILED: 'Validation failed',
    IDEMPOTENCY_KEY_REUSED: 'Idempotency key reused',
    RATE_LIMITED: 'Too many requests',
    UNAVAILABLE: 'Service unavailable',
    TIMEOUT: 'Timeout',
    INTERNAL: 'Internal error',
};

const CHAINCODE_CODES: ReadonlySet<string> = new Set(CHAINCODE_ERROR_CODES);

export interface FieldError {
    readonly path: string;
    readonly message: string;
}

export interface ApiErrorOptions {
    readonly code: ErrorCode;
    /** Safe to show to the caller; never a peer address, certificate or stack. */
    readonly detail: string;
    readonly errors?: readonly FieldError[];
    /** For DUPLICATE_REQUEST: the transaction that first processed the request. */
    readonly originalTxId?: string;
    /** For a failed commit: the transaction id. */
    readonly txId?: string;
    readonly cause?: unknown;
}

export class ApiError extends Error {
    readonly code: ErrorCode;
    readonly detail: string;
    readonly errors: readonly FieldError[] | undefined;
    readonly originalTxId: string | undefined;
    readonly txId: string | undefined;

    constructor(options: Readonly<ApiErrorOptions>) {
        super(`${options.code}: ${options.detail}`, options.cause === undefined ? undefined : { cause: options.cause });
        this.name = 'ApiError';
        this.code = options.code;
        this.detail = options.detail;
        this.errors = options.errors;
        this.originalTxId = options.originalTxId;
        this.txId = options.txId;
    }

    get status(): number {
        return HTTP_STATUS[this.code];
    }
}

/** RFC 9457 problem details, with our stable `code`. */
export interface Problem {
    readonly type: string;
    readonly title: string;
    readonly status: number;
    readonly code: ErrorCode;
    readonly detail: string;
    readonly errors?: readonly FieldError[];
    readonly txId?: string;
    readonly instance?: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemOf(err: ApiError, instance?: string): Problem {
    return {
        type: `urn:upoint:error:${err.code.toLowerCase().replace(/_/g, '-')}`,
        title: TITLES[err.code],
        status: err.status,
        code: err.code,
        detail: err.detail,
        ...(err.errors !== undefined && err.errors.length > 0 ? { errors: err.errors } : {}),
        ...(err.txId !== undefined ? { txId: err.txId } : {}),
        ...(instance !== undefined ? { instance } : {}),
    };
}

const CHAINCODE_RESPONSE_PREFIX = /^chaincode response \d+, /;
const CODE_PREFIX = /^([A-Z_]+): /;
/** The chaincode's DUPLICATE_REQUEST text ends with the original transaction id (chaincode ledger/requests.ts). */
const ORIGINAL_TX_SUFFIX = / in transaction ([A-Za-z0-9._:-]{1,128})$/;

/** The chaincode code and text a peer's error detail carries, if it is a chaincode error from our catalogue. */
export function chaincodeErrorOf(detail: Pick<ErrorDetail, 'message'>): { code: ChaincodeErrorCode; text: string } | undefined {
    const message = detail.message.replace(CHAINCODE_RESPONSE_PREFIX, '');
    if (message === detail.message) return undefined;
    const match = CODE_PREFIX.exec(message);
    const code = match?.[1];
    if (code === undefined || !CHAINCODE_CODES.has(code)) return undefined;
    return { code: code as ChaincodeErrorCode, text: message.slice(code.length + 2) };
}

/** gRPC status codes the gateway treats as transient. */
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_ABORTED = 10;
const GRPC_RESOURCE_EXHAUSTED = 8;

/**
 * Translate whatever the Fabric layer threw into an ApiError. Chaincode errors keep their code (taken from the
 * per-peer details' `CODE:` prefix) and their text; everything else keeps only a generic detail — peer addresses,
 * certificates and stacks stay in `cause` for the log.
 */
export function fromFabricError(err: unknown): ApiError {
    if (err instanceof ApiError) return err;
    if (err instanceof FabricGatewayError) {
        for (const d of err.details) {
            const cc = chaincodeErrorOf(d);
            if (cc === undefined) continue;
            const original = cc.code === 'DUPLICATE_REQUEST' ? ORIGINAL_TX_SUFFIX.exec(cc.text)?.[1] : undefined;
            return new ApiError({ code: cc.code, detail: cc.text, cause: err, ...(original !== undefined ? { originalTxId: original } : {}) });
        }
        const txId = err instanceof EndorseError ? err.transactionId : undefined;
        const withTx = txId !== undefined ? { txId } : {};
        if (err.code === GRPC_DEADLINE_EXCEEDED || err instanceof CommitStatusError) {
            return new ApiError({ code: 'TIMEOUT', detail: 'the network did not answer in time', cause: err, ...withTx });
        }
        if (err.code === GRPC_UNAVAILABLE || err.code === GRPC_RESOURCE_EXHAUSTED || err.code === GRPC_ABORTED) {
            return new ApiError({ code: 'UNAVAILABLE', detail: 'the network is unavailable, retry later', cause: err, ...withTx });
        }
        return new ApiError({ code: 'INTERNAL', detail: 'the network refused the request', cause: err, ...withTx });
    }
    if (err instanceof CommitError) {
        return new ApiError({ code: 'CONFLICT', detail: `transaction invalidated at commit (validation code ${err.code})`, txId: err.transactionId, cause: err });
    }
    return new ApiError({ code: 'INTERNAL', detail: 'internal error', cause: err });
}

const ADDRESS = /\b[A-Za-z0-9.-]+:\d{2,5}\b/g;
const redact = (s: string): string => s.replace(ADDRESS, '<address>').slice(0, 500);

/**
 * What may be logged about a failure: names, codes and chaincode texts — never stacks, certificates or peer
 * addresses (an ErrorDetail's `address` is dropped, host:port in messages is redacted).
 */
export function safeCause(err: unknown): Record<string, unknown> {
    if (err instanceof ApiError) return { name: err.name, code: err.code, ...(err.cause !== undefined ? { cause: safeCause(err.cause) } : {}) };
    if (err instanceof FabricGatewayError) {
        return { name: err.name, grpcCode: err.code, message: redact(err.message), details: err.details.map((d) => ({ mspId: d.mspId, message: redact(d.message) })) };
    }
    if (err instanceof CommitError) return { name: err.name, validationCode: err.code, txId: err.transactionId };
    if (err instanceof Error) return { name: err.name, message: redact(err.message) };
    return { type: typeof err };
}
