/**
 * Who may call which transaction, declared once per transaction with `@Access(mode)` and enforced
 * centrally by `BaseContract.beforeTransaction` — never by code inside a transaction.
 *
 * | mode        | who may call                                   | kind     |
 * |-------------|------------------------------------------------|----------|
 * | `public`    | anyone on the channel, members or not          | evaluate |
 * | `evaluate`  | any registered member, regulators included     | evaluate |
 * | `submit`    | registered members without the REGULATOR role; | submit   |
 * |             | first argument is the request id, claimed once |          |
 * | `bootstrap` | anyone, only while the registry is empty; the  | submit   |
 * |             | transaction itself checks the caller is listed |          |
 * | `public-submit` | anyone on the channel, members or not (and | submit   |
 * |             | regulators); no request id: each call is its   |          |
 * |             | own record keyed by the tx id (consumer scans) |          |
 *
 * A transaction without a rule is refused (deny by default), and `BaseContract` refuses to even
 * construct a contract whose methods and rules disagree (see `checkContractShape`).
 */
export const ACCESS_MODES = ['public', 'evaluate', 'submit', 'bootstrap', 'public-submit'] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];

/** Modes whose transactions change the ledger (and are tagged SUBMIT in the metadata). */
export function isWriteMode(mode: AccessMode): boolean {
    return mode === 'submit' || mode === 'bootstrap' || mode === 'public-submit';
}

const RULES = new WeakMap<object, Map<string, AccessMode>>();

/** Method decorator: the access rule of one transaction. */
export function Access(mode: AccessMode): (target: object, propertyKey: string | symbol) => void {
    return (target, propertyKey) => {
        if (typeof propertyKey !== 'string') throw new TypeError('@Access needs a string-named method');
        let rules = RULES.get(target);
        if (rules === undefined) {
            rules = new Map();
            RULES.set(target, rules);
        }
        if (rules.has(propertyKey)) throw new TypeError(`@Access given twice on ${propertyKey}`);
        rules.set(propertyKey, mode);
    };
}

/** The access rule of transaction `name` on `contract`, looking up its prototype chain. */
export function accessModeOf(contract: object, name: string): AccessMode | undefined {
    for (let proto: unknown = Object.getPrototypeOf(contract); proto !== null && typeof proto === 'object'; proto = Object.getPrototypeOf(proto)) {
        const mode = RULES.get(proto)?.get(name);
        if (mode !== undefined) return mode;
    }
    return undefined;
}

/** The rules declared directly on one prototype. */
export function ownAccessRules(prototype: object): ReadonlyMap<string, AccessMode> {
    return RULES.get(prototype) ?? new Map();
}
