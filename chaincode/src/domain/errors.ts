/**
 * The chaincode's one error catalogue.
 *
 * Across the peer → gateway → client boundary `instanceof` is lost: Fabric carries only the
 * message string. Every error therefore renders as `<CODE>: <text>` and a client maps the prefix
 * (see `parseErrorCode`) without reading the prose.
 */
export const ERROR_CODES = [
    'NOT_FOUND',
    'FORBIDDEN',
    'INVALID_ARGUMENT',
    'INVALID_STATE',
    'CONFLICT',
    'DUPLICATE_REQUEST',
    'INSUFFICIENT_FUNDS',
    'UNAUTHENTICATED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ChaincodeErrorOptions {
    readonly code: ErrorCode;
    /** Human-readable text, without the code prefix. */
    readonly message: string;
    readonly cause?: unknown;
}

export class ChaincodeError extends Error {
    readonly code: ErrorCode;
    /** The message without the `<CODE>: ` prefix. */
    readonly text: string;

    constructor(options: Readonly<ChaincodeErrorOptions>) {
        super(`${options.code}: ${options.message}`, options.cause === undefined ? undefined : { cause: options.cause });
        this.name = 'ChaincodeError';
        this.code = options.code;
        this.text = options.message;
    }
}

const CODE_SET: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(value: string): value is ErrorCode {
    return CODE_SET.has(value);
}

/** The catalogue code an error message starts with, if any (`"NOT_FOUND: member X"` → `NOT_FOUND`). */
export function parseErrorCode(message: string): ErrorCode | undefined {
    const match = /^([A-Z_]+): /.exec(message);
    const code = match?.[1];
    return code !== undefined && isErrorCode(code) ? code : undefined;
}

/** Shorthand for `new ChaincodeError({ code, message })`. */
export function fail(code: ErrorCode, message: string, cause?: unknown): ChaincodeError {
    return new ChaincodeError({ code, message, cause });
}
