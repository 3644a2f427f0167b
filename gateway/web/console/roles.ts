/**
 * What the signed-in caller may do from the console. The gateway decides (a regulator's or admin's write is
 * refused with 403 FORBIDDEN, the chaincode checks the org's business roles); the console only avoids offering
 * controls that cannot work. A regulator gets no write control at all. Pure.
 */

export type Role = 'member' | 'regulator' | 'admin';

/** `GET /v1/me`. */
export interface Me {
    readonly name: string;
    readonly role: Role;
    readonly mspId: string;
}

export function parseMe(body: unknown): Me {
    if (typeof body !== 'object' || body === null) throw new TypeError('me: not an object');
    const o = body as Record<string, unknown>;
    const role = o['role'];
    if (role !== 'member' && role !== 'regulator' && role !== 'admin') throw new TypeError('me: unknown role');
    if (typeof o['name'] !== 'string' || typeof o['mspId'] !== 'string') throw new TypeError('me: name or mspId missing');
    return { name: o['name'], role, mspId: o['mspId'] };
}

export const RECEIVABLE_ACTIONS = ['accept', 'reject', 'transfer', 'requestFinancing', 'finance', 'declineFinancing', 'settle', 'confirmSettlement'] as const;
export type ReceivableAction = (typeof RECEIVABLE_ACTIONS)[number];

/** Actions that exist at all for a role, whatever the record (the console's write surface). */
export function allowedActions(role: Role): ReadonlySet<'issue' | ReceivableAction> {
    if (role !== 'member') return new Set();
    return new Set(['issue', ...RECEIVABLE_ACTIONS]);
}

/** True when the role may see any control that writes. */
export function canWrite(role: Role): boolean {
    return allowedActions(role).size > 0;
}

/** The receivable fields the decision reads (GET /v1/receivables/{id}). */
export interface ReceivableView {
    readonly id: string;
    readonly issuer: string;
    readonly holder: string;
    readonly status: string;
    readonly financing: { readonly financier: string; readonly status: string } | null;
}

/**
 * The state changes `me` can make on `r` now, as the chaincode's state machine allows them
 * (chaincode/src/domain/receivables.ts): the holder accepts or rejects a PENDING one, splits or offers an ACTIVE
 * one for financing, confirms a payment; the requested financier finances or declines; the issuer settles.
 */
export function receivableActions(me: Me, r: ReceivableView): ReceivableAction[] {
    const allowed = allowedActions(me.role);
    const out: ReceivableAction[] = [];
    const holder = me.mspId === r.holder;
    const issuer = me.mspId === r.issuer;
    const requested = r.financing !== null && r.financing.status === 'REQUESTED';
    const financier = requested && r.financing?.financier === me.mspId;
    if (holder && r.status === 'PENDING') out.push('accept', 'reject');
    if (holder && r.status === 'ACTIVE') out.push('transfer', 'requestFinancing');
    if (r.status === 'UNDER_FINANCING' && financier) out.push('finance');
    if (r.status === 'UNDER_FINANCING' && requested && (financier || holder)) out.push('declineFinancing');
    if (issuer && (r.status === 'ACTIVE' || r.status === 'OVERDUE')) out.push('settle');
    if (holder && r.status === 'SETTLEMENT_PENDING') out.push('confirmSettlement');
    return out.filter((a) => allowed.has(a));
}

/** The REST route of each action (POST, relative to /v1/receivables/{id}). */
export const ACTION_PATH: Readonly<Record<ReceivableAction, string>> = {
    accept: 'acceptance',
    reject: 'rejection',
    transfer: 'transfers',
    requestFinancing: 'financing-requests',
    finance: 'financing',
    declineFinancing: 'financing-decline',
    settle: 'settlement',
    confirmSettlement: 'settlement-confirmation',
};

/** The console's views, in navigation order. Every role sees every view (all are reads). */
export const VIEWS = ['lots', 'stock', 'receivables', 'credit', 'tx', 'events'] as const;
export type View = (typeof VIEWS)[number];
