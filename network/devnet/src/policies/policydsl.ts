// Mirrors common/policydsl/policyparser.go (FromString) and policydsl_builder.go: Fabric's signature-policy DSL.
import { common, msp } from '@hyperledger/fabric-protos';
import { PolicyError } from './errors';

/*
 * Grammar:  gate := NAME '(' arg (',' arg)* ')'    NAME ∈ And/and/AND, Or/or/OR, OutOf/outof/OUTOF
 *           arg  := gate | 'MSP.role' | "MSP.role" | integer (first argument of OutOf only)
 *
 * Identity numbering follows Fabric's evaluator exactly: a gate's nested gates are built before the gate's own
 * principals are numbered (post-order), and every principal occurrence gets its own entry: Fabric's policydsl
 * does not de-duplicate principals, and byte-equal envelopes matter (lifecycle compares validation parameters).
 */

const ROLES = {
    member: msp.MSPRole.MSPRoleType.MEMBER,
    admin: msp.MSPRole.MSPRoleType.ADMIN,
    client: msp.MSPRole.MSPRoleType.CLIENT,
    peer: msp.MSPRole.MSPRoleType.PEER,
    orderer: msp.MSPRole.MSPRoleType.ORDERER,
} as const;
type RoleName = keyof typeof ROLES;

const PRINCIPAL = /^([A-Za-z0-9.-]+)\.(admin|member|client|peer|orderer)$/;
const GATES: Readonly<Record<string, 'and' | 'or' | 'outof'>> = {
    And: 'and',
    and: 'and',
    AND: 'and',
    Or: 'or',
    or: 'or',
    OR: 'or',
    OutOf: 'outof',
    outof: 'outof',
    OUTOF: 'outof',
};

type Token =
    | { readonly kind: 'name'; readonly text: string; readonly pos: number }
    | { readonly kind: 'string'; readonly text: string; readonly pos: number }
    | { readonly kind: 'number'; readonly text: string; readonly pos: number }
    | { readonly kind: '(' | ')' | ','; readonly pos: number };

type Node =
    | { readonly kind: 'gate'; readonly gate: 'and' | 'or' | 'outof'; readonly name: string; readonly args: readonly Node[]; readonly pos: number }
    | { readonly kind: 'string'; readonly text: string; readonly pos: number }
    | { readonly kind: 'number'; readonly value: number; readonly pos: number };

function parseError(dsl: string, why: string): never {
    throw new PolicyError({ code: 'POLICY_PARSE', message: `invalid policy string '${dsl}': ${why}` });
}

function tokenize(dsl: string): Token[] {
    const out: Token[] = [];
    let i = 0;
    while (i < dsl.length) {
        const c = dsl.charAt(i);
        if (/\s/.test(c)) {
            i++;
        } else if (c === '(' || c === ')' || c === ',') {
            out.push({ kind: c, pos: i });
            i++;
        } else if (c === "'" || c === '"') {
            const end = dsl.indexOf(c, i + 1);
            if (end < 0) parseError(dsl, `unterminated string at position ${i}`);
            out.push({ kind: 'string', text: dsl.slice(i + 1, end), pos: i });
            i = end + 1;
        } else if (/[0-9]/.test(c)) {
            const m = /^[0-9]+/.exec(dsl.slice(i));
            const text = m?.[0] ?? c;
            out.push({ kind: 'number', text, pos: i });
            i += text.length;
        } else if (/[A-Za-z_]/.test(c)) {
            const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(dsl.slice(i));
            const text = m?.[0] ?? c;
            out.push({ kind: 'name', text, pos: i });
            i += text.length;
        } else {
            parseError(dsl, `unexpected character '${c}' at position ${i}`);
        }
    }
    return out;
}

function parse(dsl: string): Node {
    const tokens = tokenize(dsl);
    let at = 0;
    const peek = (): Token | undefined => tokens[at];
    const where = (t: Token | undefined): string => (t === undefined ? 'end of input' : `position ${t.pos}`);

    const parseArg = (): Node => {
        const t = peek();
        if (t === undefined) parseError(dsl, 'unexpected end of input');
        if (t.kind === 'string') {
            at++;
            return { kind: 'string', text: t.text, pos: t.pos };
        }
        if (t.kind === 'number') {
            at++;
            return { kind: 'number', value: Number(t.text), pos: t.pos };
        }
        if (t.kind === 'name') return parseGate();
        return parseError(dsl, `unexpected '${t.kind}' at ${where(t)}`);
    };

    const parseGate = (): Node => {
        const t = peek();
        if (t === undefined || t.kind !== 'name') return parseError(dsl, `expected AND, OR or OutOf at ${where(t)}`);
        const gate = GATES[t.text];
        if (gate === undefined) parseError(dsl, `unrecognized token '${t.text}' in policy string`);
        at++;
        const open = peek();
        if (open?.kind !== '(') parseError(dsl, `expected '(' after ${t.text} at ${where(open)}`);
        at++;
        const args: Node[] = [];
        if (peek()?.kind !== ')') {
            for (;;) {
                args.push(parseArg());
                const sep = peek();
                if (sep?.kind === ',') {
                    at++;
                    continue;
                }
                if (sep?.kind === ')') break;
                parseError(dsl, `expected ',' or ')' at ${where(sep)}`);
            }
        }
        at++; // ')'
        return { kind: 'gate', gate, name: t.text, args, pos: t.pos };
    };

    const root = parseGate();
    if (at !== tokens.length) parseError(dsl, `unexpected trailing input at ${where(peek())}`);
    return root;
}

function rolePrincipal(mspId: string, role: RoleName): msp.MSPPrincipal {
    const r = new msp.MSPRole();
    r.setMspIdentifier(mspId);
    r.setRole(ROLES[role]);
    const p = new msp.MSPPrincipal();
    p.setPrincipalClassification(msp.MSPPrincipal.Classification.ROLE);
    p.setPrincipal(r.serializeBinary());
    return p;
}

export function signedBy(index: number): common.SignaturePolicy {
    const p = new common.SignaturePolicy();
    p.setSignedBy(index);
    return p;
}

export function nOutOf(n: number, rules: readonly common.SignaturePolicy[]): common.SignaturePolicy {
    const g = new common.SignaturePolicy.NOutOf();
    g.setN(n);
    g.setRulesList([...rules]);
    const p = new common.SignaturePolicy();
    p.setNOutOf(g);
    return p;
}

/** Parses Fabric's policy DSL, e.g. `OutOf(2,'BrandMSP.peer','SupplierMSP.peer','BankMSP.peer')`. */
export function policyFromString(dsl: string): common.SignaturePolicyEnvelope {
    const root = parse(dsl);
    const principals: msp.MSPPrincipal[] = [];

    const build = (node: Node & { kind: 'gate' }): common.SignaturePolicy => {
        let threshold: number;
        let rest: readonly Node[];
        if (node.gate === 'outof') {
            const first = node.args[0];
            if (node.args.length < 2) parseError(dsl, `expected at least two arguments to NOutOf. Given ${node.args.length}`);
            if (first?.kind === 'number') threshold = first.value;
            else if (first?.kind === 'string' && /^[0-9]+$/.test(first.text)) threshold = Number(first.text);
            else return parseError(dsl, `the first argument of ${node.name} must be a number`);
            rest = node.args.slice(1);
        } else {
            if (node.args.length < 1) parseError(dsl, `expected at least two arguments to NOutOf. Given 1`);
            threshold = node.gate === 'and' ? node.args.length : 1;
            rest = node.args;
        }
        if (threshold > rest.length + 1) parseError(dsl, `invalid t-out-of-n predicate, t ${threshold}, n ${rest.length}`);
        // Nested gates first (Fabric evaluates function arguments before the gate itself).
        const nested = new Map<Node, common.SignaturePolicy>();
        for (const arg of rest) if (arg.kind === 'gate') nested.set(arg, build(arg));
        const rules = rest.map((arg): common.SignaturePolicy => {
            if (arg.kind === 'gate') {
                const rule = nested.get(arg);
                if (rule === undefined) throw new Error('unreachable: nested gate not built');
                return rule;
            }
            if (arg.kind === 'number') return parseError(dsl, `unexpected number at position ${arg.pos}`);
            const m = PRINCIPAL.exec(arg.text);
            if (!m?.[1] || !m[2]) return parseError(dsl, `error parsing principal ${arg.text}`);
            principals.push(rolePrincipal(m[1], m[2] as RoleName));
            return signedBy(principals.length - 1);
        });
        return nOutOf(threshold, rules);
    };

    if (root.kind !== 'gate') return parseError(dsl, 'expected AND, OR or OutOf');
    const rule = build(root);
    const env = new common.SignaturePolicyEnvelope();
    env.setVersion(0);
    env.setRule(rule);
    env.setIdentitiesList(principals);
    return env;
}
