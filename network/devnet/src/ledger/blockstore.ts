// Mirrors common/ledger/blkstorage/blockfile_mgr.go and blockindex.go: an append-only block file with in-memory indexes.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { common } from '@hyperledger/fabric-protos';
import { blockHeaderHash } from './blockhash';
import { crc32 } from './crc32';
import { LedgerError } from './errors';
import { parseChannelHeader } from './rwsetutil';
import { txValidationCode } from './txflags';
import type { TxLocation } from './types';

/** Record = u32 BE length ‖ u32 BE CRC-32 of the block bytes ‖ serialized common.Block. */
const RECORD_HEADER = 8;
export const BLOCK_FILE = 'blockfile';

export interface StoredTransaction {
    /** the Envelope bytes exactly as they are in the block */
    readonly envelope: Uint8Array;
    /** peer.TxValidationCode */
    readonly validationCode: number;
}

interface IndexedBlock {
    readonly offset: number;
    readonly length: number;
}

/**
 * The blocks of one channel in one file. `append` is serialized (one writer) and resolves after fsync; reads run
 * concurrently and only ever see fully written, fsynced blocks. Opening truncates a torn or corrupt tail.
 */
export class BlockStore {
    readonly #file: fsp.FileHandle;
    readonly #blocks: IndexedBlock[] = [];
    readonly #byHash = new Map<string, number>();
    readonly #byTxId = new Map<string, TxLocation>();
    #size = 0;
    #lastHash: Uint8Array = new Uint8Array(0);
    #lastPreviousHash: Uint8Array = new Uint8Array(0);
    #writeChain: Promise<void> = Promise.resolve();
    #closed = false;

    private constructor(file: fsp.FileHandle) {
        this.#file = file;
    }

    /** Opens (creating if needed) the block file in dir, scanning it to rebuild the indexes. */
    static async open(dir: string): Promise<BlockStore> {
        await fsp.mkdir(dir, { recursive: true });
        const file = path.join(dir, BLOCK_FILE);
        let created = false;
        try {
            await fsp.access(file);
        } catch {
            await fsp.writeFile(file, new Uint8Array(0), { flag: 'a' });
            created = true;
        }
        if (created) await fsyncDir(dir);
        const store = new BlockStore(await fsp.open(file, 'r+'));
        try {
            await store.#scan();
        } catch (err) {
            await store.#file.close();
            throw err;
        }
        return store;
    }

    async #scan(): Promise<void> {
        const { size } = await this.#file.stat();
        const head = Buffer.alloc(RECORD_HEADER);
        let offset = 0;
        while (offset < size) {
            if (size - offset < RECORD_HEADER) break;
            await this.#readFully(head, offset);
            const length = head.readUInt32BE(0);
            const crc = head.readUInt32BE(4);
            if (length > size - offset - RECORD_HEADER) break;
            const bytes = Buffer.alloc(length);
            await this.#readFully(bytes, offset + RECORD_HEADER);
            if (crc32(bytes) !== crc) break;
            let block: common.Block;
            try {
                block = common.Block.deserializeBinary(bytes);
            } catch {
                break;
            }
            if (block.getHeader()?.getNumber() !== this.#blocks.length) break;
            this.#index(block, offset, length);
            offset += RECORD_HEADER + length;
        }
        if (offset < size) {
            // A torn write (kill -9 mid-append) or corruption: nothing after the last good record was ever acknowledged.
            await this.#file.truncate(offset);
            await this.#file.sync();
        }
        this.#size = offset;
    }

    #index(block: common.Block, offset: number, length: number): void {
        const header = block.getHeader();
        if (header === undefined) throw new LedgerError({ code: 'LEDGER_MALFORMED', message: 'block has no header' });
        const blockNum = this.#blocks.length;
        this.#blocks.push({ offset, length });
        this.#lastHash = blockHeaderHash(header);
        this.#lastPreviousHash = header.getPreviousHash_asU8();
        this.#byHash.set(Buffer.from(this.#lastHash).toString('hex'), blockNum);
        const envelopes = block.getData()?.getDataList_asU8() ?? [];
        envelopes.forEach((env, txNum) => {
            const txId = parseChannelHeader(env)?.getTxId() ?? '';
            if (txId === '' || this.#byTxId.has(txId)) return; // lookups return the first occurrence
            this.#byTxId.set(txId, { blockNum: BigInt(blockNum), txNum, validationCode: txValidationCode(block, txNum) });
        });
    }

    /** Number of blocks stored (= the next block number). */
    get height(): number {
        return this.#blocks.length;
    }

    /** Header hash of the last block; empty when there is none. */
    get lastBlockHash(): Uint8Array {
        return this.#lastHash;
    }

    /** previous_hash of the last block; empty when there is none. */
    get lastBlockPreviousHash(): Uint8Array {
        return this.#lastPreviousHash;
    }

    /**
     * Appends block number `height`, whose previous_hash must be the last block's header hash (not checked for block 0),
     * and resolves once it is fsynced and indexed.
     */
    append(block: common.Block): Promise<void> {
        const run = this.#writeChain.then(() => this.#append(block));
        this.#writeChain = run.catch(() => undefined);
        return run;
    }

    async #append(block: common.Block): Promise<void> {
        this.#assertOpen();
        const header = block.getHeader();
        if (header === undefined) throw new LedgerError({ code: 'LEDGER_MALFORMED', message: 'block has no header' });
        const number = header.getNumber();
        if (number !== this.height) {
            throw new LedgerError({
                code: 'LEDGER_UNEXPECTED_BLOCK_NUMBER',
                message: `block number should have been ${this.height} but was ${number}`,
            });
        }
        const previousHash = header.getPreviousHash_asU8();
        if (number > 0 && !Buffer.from(previousHash).equals(this.#lastHash)) {
            throw new LedgerError({
                code: 'LEDGER_PREVIOUS_HASH_MISMATCH',
                message:
                    `unexpected Previous block hash. Expected PreviousHash = [${Buffer.from(this.#lastHash).toString('hex')}], ` +
                    `PreviousHash referred in the latest block= [${Buffer.from(previousHash).toString('hex')}]`,
            });
        }
        const bytes = block.serializeBinary();
        const record = Buffer.alloc(RECORD_HEADER + bytes.length);
        record.writeUInt32BE(bytes.length, 0);
        record.writeUInt32BE(crc32(bytes), 4);
        record.set(bytes, RECORD_HEADER);
        try {
            let written = 0;
            while (written < record.length) {
                const { bytesWritten } = await this.#file.write(record, written, record.length - written, this.#size + written);
                written += bytesWritten;
            }
            await this.#file.sync();
        } catch (err) {
            // Leave no partial record behind for this process; a crash here is handled by the scan on open.
            await this.#file.truncate(this.#size).catch(() => undefined);
            throw err;
        }
        this.#index(block, this.#size, bytes.length);
        this.#size += record.length;
    }

    async getBlockByNumber(n: number | bigint): Promise<common.Block | undefined> {
        this.#assertOpen();
        const entry = typeof n === 'bigint' ? (n < 0n || n >= BigInt(this.#blocks.length) ? undefined : this.#blocks[Number(n)]) : this.#blocks[n];
        if (entry === undefined) return undefined;
        const bytes = Buffer.alloc(entry.length);
        await this.#readFully(bytes, entry.offset + RECORD_HEADER);
        return common.Block.deserializeBinary(bytes);
    }

    async getBlockByHash(hash: Uint8Array): Promise<common.Block | undefined> {
        const n = this.#byHash.get(Buffer.from(hash).toString('hex'));
        return n === undefined ? undefined : this.getBlockByNumber(n);
    }

    /** Where the first transaction with this id sits (valid or not); undefined if never committed. */
    getTxLocation(txId: string): TxLocation | undefined {
        return this.#byTxId.get(txId);
    }

    async getBlockByTxId(txId: string): Promise<common.Block | undefined> {
        const loc = this.#byTxId.get(txId);
        return loc === undefined ? undefined : this.getBlockByNumber(loc.blockNum);
    }

    async getTransactionByTxId(txId: string): Promise<StoredTransaction | undefined> {
        const loc = this.#byTxId.get(txId);
        if (loc === undefined) return undefined;
        const block = await this.getBlockByNumber(loc.blockNum);
        const envelope = block?.getData()?.getDataList_asU8()[loc.txNum];
        return envelope === undefined ? undefined : { envelope, validationCode: loc.validationCode };
    }

    /** Waits for an append in progress, then closes the file. Safe to call twice. */
    async close(): Promise<void> {
        if (this.#closed) return;
        this.#closed = true;
        await this.#writeChain;
        await this.#file.close();
    }

    #assertOpen(): void {
        if (this.#closed) throw new LedgerError({ code: 'LEDGER_CLOSED', message: 'block store is closed' });
    }

    async #readFully(buf: Buffer, position: number): Promise<void> {
        let read = 0;
        while (read < buf.length) {
            const { bytesRead } = await this.#file.read(buf, read, buf.length - read, position + read);
            if (bytesRead === 0) throw new LedgerError({ code: 'LEDGER_MALFORMED', message: `block file ends early at ${position + read}` });
            read += bytesRead;
        }
    }
}

async function fsyncDir(dir: string): Promise<void> {
    const handle = await fsp.open(dir, 'r');
    try {
        await handle.sync();
    } finally {
        await handle.close();
    }
}
