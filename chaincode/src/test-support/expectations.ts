import type { ErrorCode } from '../domain/errors';
import type { TxResult } from './context';

/** The transaction failed with `code`, committed nothing and emitted nothing. */
export function expectRejected(result: TxResult, code: ErrorCode, message?: RegExp): void {
    expect({ status: result.status, prefix: result.message.slice(0, code.length + 2) }).toEqual({ status: 500, prefix: `${code}: ` });
    if (message !== undefined) expect(result.message).toMatch(message);
    expect(result.committed).toBe(false);
    expect(result.event).toBeUndefined();
}

/** The transaction succeeded; returns its payload text. */
export function expectOk(result: TxResult): string {
    expect({ status: result.status, message: result.message }).toEqual({ status: 200, message: '' });
    return result.payload;
}

/** The transaction succeeded; returns its payload parsed as JSON. */
export function expectJson(result: TxResult): unknown {
    return JSON.parse(expectOk(result)) as unknown;
}

/** The transaction's single event, with its payload parsed. */
export function eventOf(result: TxResult): { name: string; payload: Record<string, unknown> } {
    if (result.event === undefined) throw new Error(`transaction ${result.txId} emitted no event`);
    return { name: result.event.name, payload: JSON.parse(Buffer.from(result.event.payload).toString('utf8')) as Record<string, unknown> };
}
