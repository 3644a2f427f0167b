/**
 * Typed repositories: one per entity type, each bound to a key type and a zod schema. Every read
 * is parsed back through the schema (the ledger is input like any other: another client, an older
 * chaincode version or a bug may have written it); every write goes through the canonical codec.
 *
 * Fabric semantics the callers must respect: a read does not see the same transaction's writes,
 * and a partial-composite-key scan is re-validated at commit (phantom protection).
 */
import type { z } from 'zod';
import { fail } from '../domain/errors';
import { type CodecValue, decode, DecodeError, encode } from './codec';
import { checkKeyAttributes, compositeKey, KEY_TYPES, keyAttributes, type KeyType } from './keys';
import type { LedgerStub } from './stub';

export interface RepositoryDefinition<T extends CodecValue> {
    /** Entity name used in error messages, e.g. `member`. */
    readonly label: string;
    readonly type: KeyType;
    readonly schema: z.ZodType<T>;
    /** The key attributes that identify `value`. */
    readonly keyOf: (value: T) => readonly string[];
}

export class Repository<T extends CodecValue> {
    readonly #def: RepositoryDefinition<T>;

    constructor(definition: RepositoryDefinition<T>) {
        this.#def = definition;
    }

    get label(): string {
        return this.#def.label;
    }

    key(stub: Pick<LedgerStub, 'createCompositeKey'>, id: readonly string[]): string {
        return compositeKey(stub, this.#def.type, id);
    }

    /** The entity with key attributes `id`, or undefined when absent. */
    async find(stub: LedgerStub, id: readonly string[]): Promise<T | undefined> {
        const key = this.key(stub, id);
        const bytes = await stub.getState(key);
        // The Node shim returns an empty buffer for a missing key.
        if (bytes === undefined || bytes === null || bytes.length === 0) return undefined;
        return this.#decode(bytes, id);
    }

    /** The entity with key attributes `id`; NOT_FOUND when absent. */
    async get(stub: LedgerStub, id: readonly string[]): Promise<T> {
        const found = await this.find(stub, id);
        if (found === undefined) throw fail('NOT_FOUND', `${this.#def.label} ${id.join('/')} does not exist`);
        return found;
    }

    async exists(stub: LedgerStub, id: readonly string[]): Promise<boolean> {
        const bytes = await stub.getState(this.key(stub, id));
        return bytes !== undefined && bytes !== null && bytes.length > 0;
    }

    /** Write `value` (parsed through the schema first, so nothing malformed reaches the ledger). */
    async put(stub: LedgerStub, value: T): Promise<void> {
        const checked = this.#def.schema.safeParse(value);
        if (!checked.success) {
            throw new TypeError(`refusing to write a malformed ${this.#def.label}: ${checked.error.message}`);
        }
        await stub.putState(this.key(stub, this.#def.keyOf(value)), encode(value));
    }

    async delete(stub: LedgerStub, id: readonly string[]): Promise<void> {
        await stub.deleteState(this.key(stub, id));
    }

    /**
     * Every entity whose key starts with the attributes `prefix`, in key order (bytewise UTF-8).
     * Unpaginated: meant for small, bounded sets (the member registry). Large sets need the
     * paginated variant, which Fabric allows in read-only transactions only.
     */
    async list(stub: LedgerStub, prefix: readonly string[] = []): Promise<T[]> {
        checkKeyAttributes(prefix);
        const iterator = await stub.getStateByPartialCompositeKey(KEY_TYPES[this.#def.type], [...prefix]);
        const values: T[] = [];
        try {
            // The shim's iterator ends with `{ done: true }` and no value.
            for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
                const id = keyAttributes(stub, this.#def.type, next.value.key);
                values.push(this.#decode(next.value.value, id));
            }
        } finally {
            await iterator.close();
        }
        return values;
    }

    #decode(bytes: Uint8Array, id: readonly string[]): T {
        try {
            return decode(bytes, this.#def.schema);
        } catch (cause) {
            const reason = cause instanceof DecodeError ? cause.message : String(cause);
            throw fail('INVALID_STATE', `stored ${this.#def.label} ${id.join('/')} is malformed: ${reason}`, cause);
        }
    }
}
