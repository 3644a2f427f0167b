// Mirrors core/ledger/kvledger/kv_ledger.go (+ recovery from kv_ledger_provider.go / recoverDBs): one channel's ledger on one peer.
import * as path from 'node:path';
import { ClassicLevel } from 'classic-level';
import type { common } from '@hyperledger/fabric-protos';
import { BlockStore, type StoredTransaction } from './blockstore';
import { LedgerError } from './errors';
import { HistoryDB } from './historydb';
import { deriveTxUpdates } from './rwsetutil';
import { PREFIX_META, StateDB, type BatchOp, type LedgerStateSnapshot, type LevelDB } from './statedb';
import { TX_VALID, txValidationCode } from './txflags';
import type { KeyModification, TxLocation, TxUpdate } from './types';

/** Where the pieces of a ledger live inside its directory. */
export function ledgerPaths(dir: string): { readonly blocks: string; readonly state: string } {
    return { blocks: path.join(dir, 'chains'), state: path.join(dir, 'statedb') };
}

/** qscc GetChainInfo (common.BlockchainInfo) as plain values. */
export interface ChainInfo {
    readonly height: number;
    /** header hash of the last block; empty for an empty ledger */
    readonly currentBlockHash: Uint8Array;
    /** previous_hash of the last block; empty for an empty ledger or when the last block is the genesis block */
    readonly previousBlockHash: Uint8Array;
}

export type BlockListener = (block: common.Block) => void;

const CHANNEL_KEY = Buffer.from([PREFIX_META, ...Buffer.from('channel')]);

interface Waiter<T> {
    readonly resolve: (value: T) => void;
    readonly reject: (err: unknown) => void;
}

/**
 * The ledger of one channel: block file + LevelDB (state, history, savepoint). `commit` appends and fsyncs the block
 * first, then writes state, history and savepoint in one LevelDB batch; `open` replays blocks the state is missing,
 * so a kill -9 at any point loses nothing that `commit` resolved for (and nothing whose block reached the disk).
 * Commits are serialized; snapshots and lookups run concurrently with them.
 */
export class KVLedger {
    readonly #channelId: string;
    readonly #blocks: BlockStore;
    readonly #db: LevelDB;
    readonly #state: StateDB;
    readonly #history: HistoryDB;
    readonly #listeners = new Set<BlockListener>();
    readonly #txWaiters = new Map<string, Set<Waiter<TxLocation>>>();
    readonly #heightWaiters = new Set<{ readonly height: number; readonly waiter: Waiter<void> }>();
    #height: number;
    #commitChain: Promise<void> = Promise.resolve();
    #closed = false;

    private constructor(channelId: string, blocks: BlockStore, db: LevelDB, height: number) {
        this.#channelId = channelId;
        this.#blocks = blocks;
        this.#db = db;
        this.#state = new StateDB(db);
        this.#history = new HistoryDB(db);
        this.#height = height;
    }

    static async open(dir: string, channelId: string): Promise<KVLedger> {
        const paths = ledgerPaths(dir);
        const blocks = await BlockStore.open(paths.blocks);
        const db: LevelDB = new ClassicLevel<Buffer, Buffer>(paths.state, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
        try {
            await db.open();
            const stored = await db.get(CHANNEL_KEY);
            if (stored === undefined) {
                await db.put(CHANNEL_KEY, Buffer.from(channelId, 'utf8'), { sync: true });
            } else if (stored.toString('utf8') !== channelId) {
                throw new LedgerError({
                    code: 'LEDGER_CHANNEL_MISMATCH',
                    message: `ledger at ${dir} belongs to channel ${stored.toString('utf8')}, not ${channelId}`,
                });
            }
            const state = new StateDB(db);
            const history = new HistoryDB(db);
            const savepoint = await state.savepoint();
            if (savepoint > blocks.height) {
                throw new LedgerError({
                    code: 'LEDGER_STATE_AHEAD_OF_BLOCKS',
                    message: `state is at height ${savepoint} but the block store has only ${blocks.height} blocks`,
                });
            }
            // Crash between the block append and the state batch: re-derive the missing updates from the blocks.
            for (let n = savepoint; n < blocks.height; n++) {
                const block = await blocks.getBlockByNumber(n);
                if (block === undefined) throw new LedgerError({ code: 'LEDGER_MALFORMED', message: `block ${n} missing during recovery` });
                await db.batch(await applyOps(state, history, n, deriveTxUpdates(block)));
            }
            return new KVLedger(channelId, blocks, db, blocks.height);
        } catch (err) {
            await db.close().catch(() => undefined);
            await blocks.close().catch(() => undefined);
            throw err;
        }
    }

    get channelId(): string {
        return this.#channelId;
    }

    /** Blocks committed (block and state); the next block number. */
    get height(): number {
        return this.#height;
    }

    /**
     * Commits block number `height`. `updates` are the valid txs' writes in block order (the committer's MVCC output);
     * when omitted they are derived from the block (VALID txs per TRANSACTIONS_FILTER), exactly as recovery does.
     * Resolves once the block is fsynced and state/history/savepoint are written; then notifies listeners and waiters.
     */
    commit(block: common.Block, updates?: readonly TxUpdate[]): Promise<void> {
        const run = this.#commitChain.then(() => this.#commit(block, updates ?? deriveTxUpdates(block)));
        this.#commitChain = run.catch(() => undefined);
        return run;
    }

    async #commit(block: common.Block, updates: readonly TxUpdate[]): Promise<void> {
        this.#assertOpen();
        const number = block.getHeader()?.getNumber();
        if (number !== this.#height) {
            throw new LedgerError({
                code: 'LEDGER_UNEXPECTED_BLOCK_NUMBER',
                message: `block number should have been ${this.#height} but was ${String(number)}`,
            });
        }
        const txCount = block.getData()?.getDataList_asU8().length ?? 0;
        for (const u of updates) {
            if (!Number.isInteger(u.txNum) || u.txNum < 0 || u.txNum >= txCount || txValidationCode(block, u.txNum) !== TX_VALID) {
                throw new LedgerError({
                    code: 'LEDGER_INVALID_UPDATE',
                    message: `block ${number}: update for tx ${u.txNum}, which is not a VALID tx of the block`,
                });
            }
        }
        // Build first (reads only), so a bad update fails before anything is written.
        const ops = await applyOps(this.#state, this.#history, number, updates);
        await this.#blocks.append(block);
        await this.#db.batch(ops);
        this.#height = number + 1;
        this.#notify(block);
    }

    #notify(block: common.Block): void {
        for (const listener of this.#listeners) {
            try {
                listener(block);
            } catch {
                // A listener's failure is its own; the block is committed regardless.
            }
        }
        // The block store index already holds every tx of this block (first occurrences).
        for (const [txId, waiters] of this.#txWaiters) {
            const loc = this.#blocks.getTxLocation(txId);
            if (loc === undefined) continue;
            this.#txWaiters.delete(txId);
            for (const w of waiters) w.resolve(loc);
        }
        for (const entry of this.#heightWaiters) {
            if (this.#height >= entry.height) {
                this.#heightWaiters.delete(entry);
                entry.waiter.resolve(undefined);
            }
        }
    }

    /** A consistent read-only view of committed state (one per simulation or validation); close it when done. */
    snapshot(): LedgerStateSnapshot {
        this.#assertOpen();
        return this.#state.snapshot();
    }

    /** Valid writes of a key, newest first. */
    getHistoryForKey(namespace: string, key: string): AsyncIterableIterator<KeyModification> {
        this.#assertOpen();
        return this.#history.getHistoryForKey(namespace, key);
    }

    /** Async to match qscc's ledger interface; answers from memory. */
    async getChainInfo(): Promise<ChainInfo> {
        return {
            height: this.#height,
            currentBlockHash: this.#height === 0 ? new Uint8Array(0) : this.#blocks.lastBlockHash,
            previousBlockHash: this.#height === 0 ? new Uint8Array(0) : this.#blocks.lastBlockPreviousHash,
        };
    }

    getBlockByNumber(n: number | bigint): Promise<common.Block | undefined> {
        return this.#blocks.getBlockByNumber(n);
    }

    getBlockByHash(hash: Uint8Array): Promise<common.Block | undefined> {
        return this.#blocks.getBlockByHash(hash);
    }

    getBlockByTxId(txId: string): Promise<common.Block | undefined> {
        return this.#blocks.getBlockByTxId(txId);
    }

    getTransactionByTxId(txId: string): Promise<StoredTransaction | undefined> {
        return this.#blocks.getTransactionByTxId(txId);
    }

    /** First occurrence of a txid in the ledger, valid or not (DUPLICATE_TXID checks, commit status). */
    getTxLocation(txId: string): TxLocation | undefined {
        return this.#blocks.getTxLocation(txId);
    }

    /** Called after each block is fully committed, in block order. Returns an unsubscribe function. */
    onBlock(listener: BlockListener): () => void {
        this.#listeners.add(listener);
        return () => {
            this.#listeners.delete(listener);
        };
    }

    /** Resolves with the tx's location once a block containing it is committed (at once if it already is). */
    waitForTx(txId: string, signal?: AbortSignal): Promise<TxLocation> {
        const known = this.#blocks.getTxLocation(txId);
        if (known !== undefined && known.blockNum < BigInt(this.#height)) return Promise.resolve(known);
        return this.#wait<TxLocation>(signal, (waiter) => {
            const set = this.#txWaiters.get(txId) ?? new Set<Waiter<TxLocation>>();
            set.add(waiter);
            this.#txWaiters.set(txId, set);
            return () => {
                set.delete(waiter);
                if (set.size === 0 && this.#txWaiters.get(txId) === set) this.#txWaiters.delete(txId);
            };
        });
    }

    /** Resolves once at least `height` blocks are committed. */
    async waitForHeight(height: number, signal?: AbortSignal): Promise<void> {
        if (this.#height >= height) return;
        await this.#wait<void>(signal, (waiter) => {
            const entry = { height, waiter };
            this.#heightWaiters.add(entry);
            return () => {
                this.#heightWaiters.delete(entry);
            };
        });
    }

    #wait<T>(signal: AbortSignal | undefined, register: (waiter: Waiter<T>) => () => void): Promise<T> {
        if (this.#closed) return Promise.reject(closedError());
        if (signal?.aborted === true) return Promise.reject(abortReason(signal));
        return new Promise<T>((resolve, reject) => {
            const onAbort = (): void => {
                unregister();
                reject(abortReason(signal));
            };
            const unregister = register({
                resolve: (loc) => {
                    signal?.removeEventListener('abort', onAbort);
                    resolve(loc);
                },
                reject: (err) => {
                    signal?.removeEventListener('abort', onAbort);
                    reject(err instanceof Error ? err : new Error(String(err)));
                },
            });
            signal?.addEventListener('abort', onAbort, { once: true });
        });
    }

    /** Waits for a commit in progress, rejects pending waiters, closes files. Open snapshots are closed by LevelDB. */
    async close(): Promise<void> {
        if (this.#closed) return;
        this.#closed = true;
        await this.#commitChain;
        const err = closedError();
        for (const waiters of this.#txWaiters.values()) for (const w of waiters) w.reject(err);
        this.#txWaiters.clear();
        for (const { waiter } of this.#heightWaiters) waiter.reject(err);
        this.#heightWaiters.clear();
        this.#listeners.clear();
        await this.#db.close();
        await this.#blocks.close();
    }

    #assertOpen(): void {
        if (this.#closed) throw closedError();
    }
}

async function applyOps(state: StateDB, history: HistoryDB, blockNum: number, updates: readonly TxUpdate[]): Promise<BatchOp[]> {
    return [...(await state.prepare(blockNum, updates)), ...history.prepare(blockNum, updates), state.savepointOp(blockNum + 1)];
}

function closedError(): LedgerError {
    return new LedgerError({ code: 'LEDGER_CLOSED', message: 'ledger is closed' });
}

function abortReason(signal: AbortSignal | undefined): Error {
    const reason: unknown = signal?.reason;
    return reason instanceof Error ? reason : new Error('aborted');
}
