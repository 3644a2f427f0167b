// Raw reads or Merkle summary of a range query's results, cf. core/ledger/kvledger/txmgmt/rwsetutil/query_results_helper.go.
import { createHash } from 'node:crypto';
import { ledger } from '@hyperledger/fabric-protos';

type KVRead = ledger.rwset.kvrwset.KVRead;

/** Fabric's maxDegreeQueryReadsHashing (txmgr/query_executor.go): up to this many reads are kept raw. */
export const MAX_DEGREE_QUERY_READS_HASHING = 50;

function sha256(data: Uint8Array): Uint8Array {
    return createHash('sha256').update(data).digest();
}

function combine(hashes: readonly Uint8Array[]): Uint8Array {
    return sha256(Buffer.concat(hashes.map((h) => Buffer.from(h))));
}

/**
 * A bounded-degree Merkle tree built bottom-up as leaf hashes arrive: whenever a level holds more
 * than `maxDegree` hashes they are combined into one hash on the next level.
 */
class MerkleTree {
    readonly #levels = new Map<number, Uint8Array[]>();
    #maxLevel = 1;

    constructor(readonly maxDegree: number) {}

    isEmpty(): boolean {
        return this.#maxLevel === 1 && (this.#levels.get(1)?.length ?? 0) === 0;
    }

    #push(level: number, hash: Uint8Array): void {
        const list = this.#levels.get(level) ?? [];
        list.push(hash);
        this.#levels.set(level, list);
    }

    addLeaf(hash: Uint8Array): void {
        this.#push(1, hash);
        let level = 1;
        for (;;) {
            const hashes = this.#levels.get(level) ?? [];
            if (hashes.length <= this.maxDegree) return;
            this.#levels.delete(level);
            level++;
            this.#push(level, combine(hashes));
            if (level > this.#maxLevel) this.#maxLevel = level;
        }
    }

    /** Fold every lower level up into the top one; the top level keeps at most maxDegree hashes. */
    finish(): void {
        for (let level = 1; level < this.#maxLevel; level++) {
            const hashes = this.#levels.get(level) ?? [];
            if (hashes.length === 0) continue;
            const h = hashes.length === 1 ? hashes[0] : combine(hashes);
            this.#levels.delete(level);
            if (h !== undefined) this.#push(level + 1, h);
        }
        const top = this.#levels.get(this.#maxLevel) ?? [];
        if (top.length > this.maxDegree) {
            this.#levels.delete(this.#maxLevel);
            this.#maxLevel++;
            this.#levels.set(this.#maxLevel, [combine(top)]);
        }
    }

    summary(): ledger.rwset.kvrwset.QueryReadsMerkleSummary {
        const s = new ledger.rwset.kvrwset.QueryReadsMerkleSummary();
        s.setMaxDegree(this.maxDegree);
        s.setMaxLevel(this.#maxLevel);
        s.setMaxLevelHashesList([...(this.#levels.get(this.#maxLevel) ?? [])]);
        return s;
    }
}

/** Collects the KVReads a range iterator pulled; past `maxDegree` reads it switches to hashing. */
export class RangeQueryResultsHelper {
    #pending: KVRead[] = [];
    readonly #tree: MerkleTree;

    constructor(maxDegree: number = MAX_DEGREE_QUERY_READS_HASHING) {
        if (maxDegree < 2) throw new Error(`maxDegree [${maxDegree}] should not be less than 2 in the merkle tree`);
        this.#tree = new MerkleTree(maxDegree);
    }

    add(read: KVRead): void {
        this.#pending.push(read);
        if (this.#pending.length > this.#tree.maxDegree) this.#hashPending();
    }

    #hashPending(): void {
        const reads = new ledger.rwset.kvrwset.QueryReads();
        reads.setKvReadsList(this.#pending);
        this.#pending = [];
        this.#tree.addLeaf(sha256(reads.serializeBinary()));
    }

    /** Set raw reads or the Merkle summary on `info` (neither when nothing was pulled). */
    fill(info: ledger.rwset.kvrwset.RangeQueryInfo): void {
        if (this.#tree.isEmpty()) {
            if (this.#pending.length > 0) {
                const raw = new ledger.rwset.kvrwset.QueryReads();
                raw.setKvReadsList([...this.#pending]);
                info.setRawReads(raw);
            }
            return;
        }
        if (this.#pending.length > 0) this.#hashPending();
        this.#tree.finish();
        info.setReadsMerkleHashes(this.#tree.summary());
    }
}
