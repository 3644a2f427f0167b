/**
 * The base of every U-Point contract. It owns the cross-cutting rules of DESIGN.md §3.0 so that
 * transactions stay thin (parse → load → domain → save → emit):
 *
 * - authorization, derived centrally from each transaction's `@Access` rule (see access.ts);
 * - exactly-once requests: the first argument of every `submit` transaction is the client's
 *   request id, claimed here before the transaction runs;
 * - one event per submit: transactions `ctx.emit(...)` their changes, and `afterTransaction` sets
 *   a single chaincode event (Fabric keeps only the last `setEvent`) in canonical JSON;
 * - unknown transactions fail with INVALID_ARGUMENT.
 *
 * fabric-contract-api exposes only `@Transaction`-decorated methods once a class has any — but a
 * class with none exposes *every* public method. To rule that trap out, the constructor checks
 * that each method of a concrete contract is a decorated transaction with an access rule, so
 * helpers have to live outside the class (module functions).
 */
import 'reflect-metadata';
import { Contract } from 'fabric-contract-api';
import { fail } from '../domain/errors';
import { isRegulator, MspIdSchema } from '../domain/membership';
import { encode } from '../ledger/codec';
import { isBootstrapped, members } from '../ledger/registry';
import { claimRequest, recordSubmitter } from '../ledger/requests';
import { type AccessMode, accessModeOf, isWriteMode, ownAccessRules } from './access';
import { UPointContext } from './context';

/** The transaction part of `contract:Transaction` (as fabric-shim splits it: at the first colon). */
export function transactionName(fcn: string): string {
    const colon = fcn.indexOf(':');
    return colon < 0 ? fcn : fcn.slice(colon + 1);
}

export abstract class BaseContract extends Contract {
    protected constructor(name: string) {
        super(name);
        checkContractShape(new.target.prototype);
    }

    override createContext(): UPointContext {
        return new UPointContext();
    }

    override async beforeTransaction(ctx: UPointContext): Promise<void> {
        const { fcn, params } = ctx.stub.getFunctionAndParameters();
        const transaction = transactionName(fcn);
        const mode = accessModeOf(this, transaction);
        if (mode === undefined) throw fail('FORBIDDEN', `transaction ${transaction} has no access rule`);
        const mspId = ctx.clientIdentity.getMSPID();
        const base = { contract: this.getName(), transaction, mode } as const;

        if (mode === 'public' || mode === 'public-submit') {
            if (mode === 'public-submit') await recordSubmitter(ctx.ledger, { mspId, transaction: `${base.contract}:${transaction}`, timestamp: ctx.timestamp });
            ctx.begin({ ...base, caller: { mspId, member: null }, requestId: null });
            return;
        }
        if (mode === 'bootstrap') {
            if (await isBootstrapped(ctx.ledger)) throw fail('INVALID_STATE', 'the membership registry is already bootstrapped');
            await recordSubmitter(ctx.ledger, { mspId, transaction: `${base.contract}:${transaction}`, timestamp: ctx.timestamp });
            ctx.begin({ ...base, caller: { mspId, member: null }, requestId: null });
            return;
        }

        const member = MspIdSchema.safeParse(mspId).success ? await members.find(ctx.ledger, [mspId]) : undefined;
        if (member === undefined) throw fail('FORBIDDEN', `${mspId} is not a member of the consortium`);
        if (mode === 'evaluate') {
            ctx.begin({ ...base, caller: { mspId, member }, requestId: null });
            return;
        }

        if (isRegulator(member)) throw fail('FORBIDDEN', `${mspId} is a regulator and cannot submit ${transaction}`);
        const requestId = params[0];
        if (requestId === undefined) throw fail('INVALID_ARGUMENT', `${transaction} needs a requestId`);
        const claimed = await claimRequest(ctx.ledger, {
            mspId,
            requestId,
            transaction: `${base.contract}:${transaction}`,
            timestamp: ctx.timestamp,
        });
        ctx.begin({ ...base, caller: { mspId, member }, requestId: claimed.requestId });
    }

    override async afterTransaction(ctx: UPointContext, _result: unknown): Promise<void> {
        const { contract, transaction, mode, caller, requestId } = ctx.invocation;
        if (!isWriteMode(mode)) return;
        if (ctx.changes.length === 0) throw new Error(`${contract}:${transaction} completed without recording a change`);
        const payload = encode({
            contract,
            transaction,
            txId: ctx.txId,
            timestamp: ctx.timestamp,
            caller: caller.mspId,
            requestId,
            changes: [...ctx.changes],
        });
        ctx.stub.setEvent(`${contract}.${transaction}`, payload);
    }

    override async unknownTransaction(ctx: UPointContext): Promise<void> {
        const { fcn } = ctx.stub.getFunctionAndParameters();
        throw fail('INVALID_ARGUMENT', `contract ${this.getName()} has no transaction ${transactionName(fcn)}`);
    }
}

interface TransactionMetadata {
    readonly name: string;
    readonly tag?: readonly string[];
    readonly parameters?: ReadonlyArray<{ readonly name: string; readonly description?: string }>;
    readonly returns?: unknown;
}

/**
 * Refuse a contract class whose shape would silently misbehave under fabric-contract-api: every
 * method must be an `@Transaction` with an `@Access` rule, `@Returns` and an `@Param` for each
 * parameter; SUBMIT-tagged transactions must be write modes and vice versa; a `submit` takes the
 * request id first.
 */
export function checkContractShape(prototype: object): void {
    const problems: string[] = [];
    for (let proto: object = prototype; proto !== BaseContract.prototype; ) {
        const className = (proto as { constructor: { name: string } }).constructor.name;
        const rules = ownAccessRules(proto);
        const declared: readonly TransactionMetadata[] = (Reflect.getOwnMetadata('fabric:transactions', proto) as TransactionMetadata[] | undefined) ?? [];
        const byName = new Map(declared.map((t) => [t.name, t] as const));
        for (const name of Object.getOwnPropertyNames(proto)) {
            if (name === 'constructor') continue;
            const descriptor = Object.getOwnPropertyDescriptor(proto, name);
            if (descriptor === undefined || typeof descriptor.value !== 'function') continue;
            const tx = byName.get(name);
            const mode = rules.get(name);
            if (tx === undefined || mode === undefined) {
                problems.push(`${className}.${name} is not a decorated transaction with an access rule (move helpers out of the class)`);
                continue;
            }
            problems.push(...transactionProblems(`${className}.${name}`, tx, mode));
        }
        for (const name of rules.keys()) {
            if (!byName.has(name)) problems.push(`${className}.${name} has @Access but no @Transaction`);
        }
        const parent: unknown = Object.getPrototypeOf(proto);
        if (parent === null || typeof parent !== 'object') throw new TypeError(`${className} does not extend BaseContract`);
        proto = parent;
    }
    if (problems.length > 0) throw new TypeError(`invalid contract:\n  ${problems.join('\n  ')}`);
}

function transactionProblems(where: string, tx: TransactionMetadata, mode: AccessMode): string[] {
    const problems: string[] = [];
    const submit = tx.tag?.includes('SUBMIT') ?? false;
    if (submit !== isWriteMode(mode)) {
        problems.push(`${where}: @Access('${mode}') disagrees with @Transaction(${submit ? '' : 'false'})`);
    }
    if (tx.returns === undefined) problems.push(`${where}: missing @Returns`);
    const parameters = tx.parameters ?? [];
    for (const p of parameters) {
        if (p.description === undefined || p.description === '') problems.push(`${where}: parameter ${p.name} has no @Param`);
    }
    if (mode === 'submit' && parameters[0]?.name !== 'requestId') {
        problems.push(`${where}: a submit transaction takes requestId as its first parameter`);
    }
    return problems;
}
