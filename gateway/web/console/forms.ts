/**
 * Validation of the console's write forms before they reach the gateway (which validates again: its
 * VALIDATION_FAILED field errors are shown the same way). Messages are i18n keys (`v.*`). Amounts are typed in
 * major units ("1250.50") and sent as integer minor units ("125050"). Pure.
 */

export interface FieldProblem {
    readonly field: string;
    /** An i18n key, e.g. `v.amount`. */
    readonly key: string;
}

export type Validated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly FieldProblem[] };

const MSP = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SHA256 = /^[0-9a-fA-F]{64}$/;
const CURRENCY = /^[A-Z]{3}$/;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
/** The gateway's limit on amounts: at most 30 digits of minor units. */
const MAX_DIGITS = 30;

/** Fraction digits of a currency (shared/format.ts `minorDigits`, passed in so this module stays import-free). */
export type DigitsOf = (currency: string) => number;

/**
 * "1,250.5" with 2 fraction digits → "125050"; null when not a positive amount with at most `digits` fraction
 * digits. Accepts digits, one decimal point, and thousands separators (`,`, `_`, spaces, the full-width comma).
 */
export function toMinorUnits(input: string, digits: number): string | null {
    const s = input.trim().replace(/[,_\s，]/g, '');
    const m = /^([0-9]+)(?:\.([0-9]*))?$/.exec(s);
    if (m === null) return null;
    const whole = m[1] as string;
    const frac = m[2] ?? '';
    if (frac.length > digits) return null;
    const minor = (whole + frac.padEnd(digits, '0')).replace(/^0+/, '');
    if (minor === '' || minor.length > MAX_DIGITS) return null;
    return minor;
}

export function isMspId(s: string): boolean {
    return MSP.test(s);
}

/** A real calendar date YYYY-MM-DD. */
export function isDate(s: string): boolean {
    const m = DATE.exec(s);
    if (m === null) return false;
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return d.toISOString().slice(0, 10) === s;
}

export interface IssueInput {
    readonly holder: string;
    readonly amount: string;
    readonly currency: string;
    readonly maturityDate: string;
    readonly invoiceHash: string;
    readonly contractHash: string;
}

export interface IssueBody {
    readonly holder: string;
    readonly amount: string;
    readonly currency: string;
    readonly maturityDate: string;
    readonly invoiceHash: string;
    readonly contractHash: string;
}

/** POST /v1/receivables. `me` is the issuer (it cannot be its own holder); `today` YYYY-MM-DD. */
export function validateIssue(input: IssueInput, me: string, today: string, digitsOf: DigitsOf): Validated<IssueBody> {
    const problems: FieldProblem[] = [];
    const holder = input.holder.trim();
    const currency = input.currency.trim().toUpperCase();
    if (!isMspId(holder)) problems.push({ field: 'holder', key: 'v.msp' });
    else if (holder === me) problems.push({ field: 'holder', key: 'v.selfHolder' });
    if (!CURRENCY.test(currency)) problems.push({ field: 'currency', key: 'v.currency' });
    const amount = CURRENCY.test(currency) ? toMinorUnits(input.amount, digitsOf(currency)) : null;
    if (amount === null) problems.push({ field: 'amount', key: 'v.amount' });
    const maturityDate = input.maturityDate.trim();
    if (!isDate(maturityDate)) problems.push({ field: 'maturityDate', key: 'v.date' });
    else if (maturityDate < today) problems.push({ field: 'maturityDate', key: 'v.pastDate' });
    const invoiceHash = input.invoiceHash.trim().toLowerCase();
    const contractHash = input.contractHash.trim().toLowerCase();
    if (!SHA256.test(invoiceHash)) problems.push({ field: 'invoiceHash', key: 'v.sha256' });
    if (!SHA256.test(contractHash)) problems.push({ field: 'contractHash', key: 'v.sha256' });
    if (problems.length > 0 || amount === null) return { ok: false, problems };
    return { ok: true, value: { holder, amount, currency, maturityDate, invoiceHash, contractHash } };
}

export interface PartInput {
    readonly holder: string;
    readonly amount: string;
}

/**
 * POST /v1/receivables/{id}/transfers: the parts (the holder's own kept part included) must sum exactly to the
 * receivable's amount (`total`, minor units). Fields are `parts.<i>.holder` / `parts.<i>.amount`, or `parts`.
 */
export function validateSplit(parts: readonly PartInput[], total: string, digits: number): Validated<{ parts: Array<{ holder: string; amount: string }> }> {
    const problems: FieldProblem[] = [];
    const out: Array<{ holder: string; amount: string }> = [];
    if (parts.length === 0 || parts.length > 50) problems.push({ field: 'parts', key: 'v.partsCount' });
    let sum = 0n;
    parts.forEach((p, i) => {
        const holder = p.holder.trim();
        const amount = toMinorUnits(p.amount, digits);
        if (!isMspId(holder)) problems.push({ field: `parts.${i}.holder`, key: 'v.msp' });
        if (amount === null) problems.push({ field: `parts.${i}.amount`, key: 'v.amount' });
        else sum += BigInt(amount);
        out.push({ holder, amount: amount ?? '' });
    });
    if (problems.length === 0 && sum !== BigInt(total)) problems.push({ field: 'parts', key: 'v.partsSum' });
    if (problems.length > 0) return { ok: false, problems };
    return { ok: true, value: { parts: out } };
}

/** POST …/financing-requests. */
export function validateFinancingRequest(financier: string, me: string): Validated<{ financier: string }> {
    const f = financier.trim();
    if (!isMspId(f)) return { ok: false, problems: [{ field: 'financier', key: 'v.msp' }] };
    if (f === me) return { ok: false, problems: [{ field: 'financier', key: 'v.selfFinancier' }] };
    return { ok: true, value: { financier: f } };
}

/** POST …/financing: the price, at most the face amount. */
export function validateFinance(discounted: string, face: string, digits: number): Validated<{ discountedAmount: string }> {
    const amount = toMinorUnits(discounted, digits);
    if (amount === null) return { ok: false, problems: [{ field: 'discountedAmount', key: 'v.amount' }] };
    if (BigInt(amount) > BigInt(face)) return { ok: false, problems: [{ field: 'discountedAmount', key: 'v.overFace' }] };
    return { ok: true, value: { discountedAmount: amount } };
}

/** The gateway's VALIDATION_FAILED paths (`body.parts.0.amount`) → the form's field names (`parts.0.amount`). */
export function fieldOfPath(path: string): string {
    return path.replace(/^(body|query|params|header)\./, '');
}
