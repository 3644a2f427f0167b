/** Typed fakes of the Fabric layer and helpers for the gateway's unit tests. */
import type { ServiceError } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import { EndorseError, type ErrorDetail } from '@hyperledger/fabric-gateway';
import { pino, type Logger } from 'pino';
import { hashKey, newKeyStore, type KeyStore } from '../auth';
import type { ChaincodeEventInfo, EventStart, EventStream, FabricPort, SubmitRequest, Submitted, TransactionInfo } from '../fabric';

export type FabricCall =
    | { readonly kind: 'evaluate'; readonly mspId: string; readonly contract: string; readonly transaction: string; readonly args: readonly string[] }
    | { readonly kind: 'submit' | 'submitAsync'; readonly request: SubmitRequest }
    | { readonly kind: 'transaction'; readonly mspId: string; readonly txId: string }
    | { readonly kind: 'chaincodeEvents'; readonly mspId: string; readonly start: EventStart | undefined };

const utf8 = new TextEncoder();
export const json = (value: unknown): Uint8Array => utf8.encode(JSON.stringify(value));

/** A FabricPort whose answers the test sets; records every call. */
export class FakeFabric implements FabricPort {
    readonly mspIds: readonly string[] = ['BrandMSP', 'SupplierMSP', 'BankMSP', 'RegulatorMSP'];
    readonly calls: FabricCall[] = [];
    onEvaluate: (mspId: string, contract: string, transaction: string, args: readonly string[]) => Promise<Uint8Array> = () => Promise.resolve(json(null));
    onSubmit: (request: SubmitRequest, attempt: number) => Promise<Submitted> = () => Promise.resolve({ txId: 'tx-1', result: json({}) });
    onTransaction: (txId: string) => Promise<TransactionInfo> = (txId) => Promise.resolve({ txId, validationCode: 'VALID', valid: true, blockNumber: '7', result: json({}), invocation: [], writes: [] });
    /**
     * The channel's chaincode events, in ledger order; a stream replays them from its start the way the peer does
     * (from a block; after a transaction of that block when resuming), then ends — or fails with `streamError`.
     */
    ledgerEvents: ChaincodeEventInfo[] = [];
    streamError: Error | undefined;
    streamsClosed = 0;
    closed = false;

    get submits(): SubmitRequest[] {
        return this.calls.flatMap((c) => (c.kind === 'submit' || c.kind === 'submitAsync' ? [c.request] : []));
    }

    evaluate(mspId: string, contract: string, transaction: string, args: readonly string[]): Promise<Uint8Array> {
        this.calls.push({ kind: 'evaluate', mspId, contract, transaction, args });
        return this.onEvaluate(mspId, contract, transaction, args);
    }

    submit(request: SubmitRequest): Promise<Submitted> {
        this.calls.push({ kind: 'submit', request });
        return this.onSubmit(request, this.submits.length);
    }

    submitAsync(request: SubmitRequest): Promise<Submitted> {
        this.calls.push({ kind: 'submitAsync', request });
        return this.onSubmit(request, this.submits.length);
    }

    transaction(mspId: string, txId: string): Promise<TransactionInfo> {
        this.calls.push({ kind: 'transaction', mspId, txId });
        return this.onTransaction(txId);
    }

    chaincodeEvents(mspId: string, start?: EventStart): Promise<EventStream> {
        this.calls.push({ kind: 'chaincodeEvents', mspId, start });
        const from = start?.blockNumber ?? (this.ledgerEvents.at(-1)?.blockNumber ?? -1n) + 1n;
        let skipping = start?.afterTxId !== undefined;
        const selected = this.ledgerEvents.filter((e) => {
            if (e.blockNumber < from) return false;
            if (skipping && e.blockNumber === from) {
                if (e.txId === start?.afterTxId) skipping = false;
                return false;
            }
            return true;
        });
        const error = this.streamError;
        return Promise.resolve({
            close: () => {
                this.streamsClosed += 1;
            },
            async *[Symbol.asyncIterator]() {
                for (const e of selected) yield await Promise.resolve(e);
                if (error !== undefined) throw error;
            },
        });
    }

    close(): void {
        this.closed = true;
    }
}

export const KEYS = {
    brand: 'brand-key',
    supplier: 'supplier-key',
    bank: 'bank-key',
    regulator: 'regulator-key',
    admin: 'admin-brand-key',
} as const;

export function testKeys(): KeyStore {
    return newKeyStore([
        { name: 'BrandMSP', sha256: hashKey(KEYS.brand), role: 'member', mspId: 'BrandMSP' },
        { name: 'SupplierMSP', sha256: hashKey(KEYS.supplier), role: 'member', mspId: 'SupplierMSP' },
        { name: 'BankMSP', sha256: hashKey(KEYS.bank), role: 'member', mspId: 'BankMSP' },
        { name: 'regulator', sha256: hashKey(KEYS.regulator), role: 'regulator', mspId: 'RegulatorMSP' },
        { name: 'admin:BrandMSP', sha256: hashKey(KEYS.admin), role: 'admin', mspId: 'BrandMSP' },
    ]);
}

/** A logger writing its JSON lines into `lines`. */
export function captureLogger(): { logger: Logger; lines: string[] } {
    const lines: string[] = [];
    return { logger: pino({ level: 'info' }, { write: (s: string) => void lines.push(s) }), lines };
}

export function serviceError(code: number, message: string): ServiceError {
    return Object.assign(new Error(message), { code, details: message, metadata: new Metadata() });
}

/** What fabric-gateway throws when an endorser's chaincode refused: one detail per peer. */
export function endorseError(chaincodeMessage: string, options: { grpcCode?: number; txId?: string; details?: ErrorDetail[] } = {}): EndorseError {
    const code = options.grpcCode ?? 10;
    return new EndorseError({
        code,
        details: options.details ?? [{ address: 'peer0.brand.upoint.example:7051', mspId: 'BrandMSP', message: `chaincode response 500, ${chaincodeMessage}` }],
        cause: serviceError(code, '10 ABORTED: failed to endorse transaction, see attached details for more info'),
        transactionId: options.txId ?? 'tx-endorse',
        message: '10 ABORTED: failed to endorse transaction, see attached details for more info',
    });
}
