/**
 * The per-transaction context every U-Point transaction receives. fabric-contract-api creates one
 * per invocation (`createContext`), then injects the stub and client identity; `beforeTransaction`
 * fills in who is calling; transactions read tx facts from it and record their changes with
 * `emit`, and `afterTransaction` turns those into the transaction's single event.
 */
import { Context } from 'fabric-contract-api';
import { fail } from '../domain/errors';
import type { Member } from '../domain/membership';
import type { CodecValue } from '../ledger/codec';
import { type AccessMode, isWriteMode } from './access';
import { type LedgerStub, txInstant } from '../ledger/stub';

/** One change carried in the transaction's event. */
export type ChangeRecord = { readonly type: string } & { readonly [key: string]: CodecValue };

export interface Caller {
    readonly mspId: string;
    /** The caller's registry entry; null for non-members (public and bootstrap transactions). */
    readonly member: Member | null;
}

export interface Invocation {
    readonly contract: string;
    readonly transaction: string;
    readonly mode: AccessMode;
    readonly caller: Caller;
    /** The claimed request id of a submit; null for other transactions. */
    readonly requestId: string | null;
}

export class UPointContext extends Context {
    #invocation: Invocation | undefined;
    #timestamp: string | undefined;
    readonly #changes: ChangeRecord[] = [];

    /** The stub, narrowed to what the ledger layer may use. */
    get ledger(): LedgerStub {
        return this.stub;
    }

    get txId(): string {
        return this.stub.getTxID();
    }

    /** The transaction timestamp as an ISO-8601 instant (see `txInstant`). */
    get timestamp(): string {
        this.#timestamp ??= txInstant(this.stub);
        return this.#timestamp;
    }

    get invocation(): Invocation {
        if (this.#invocation === undefined) throw new Error('transaction context used before authorization');
        return this.#invocation;
    }

    get caller(): Caller {
        return this.invocation.caller;
    }

    /** Set once by the base contract's authorization step. */
    begin(invocation: Invocation): void {
        if (this.#invocation !== undefined) throw new Error('transaction context already started');
        this.#invocation = invocation;
    }

    /** Record a change for this transaction's event. */
    emit(change: ChangeRecord): void {
        const { mode, transaction } = this.invocation;
        if (!isWriteMode(mode)) {
            throw fail('INVALID_STATE', `read-only transaction ${transaction} cannot emit changes`);
        }
        this.#changes.push(change);
    }

    get changes(): readonly ChangeRecord[] {
        return this.#changes;
    }
}
