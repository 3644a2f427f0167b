/**
 * What one asset family offers another inside the same transaction. Delivery-versus-payment (DESIGN.md §3.2):
 * the buyer of stock tokens pays by issuing a receivable to the seller in the same transaction, so the token
 * transfer and the payment commitment commit or fail together.
 */
import type { ChangeRecord, UPointContext } from './context';

export interface IssueReceivableInTx {
    /** Debtor: the buyer's org (the caller). */
    readonly issuer: string;
    /** Creditor: the seller's org, holder of the new receivable. */
    readonly holder: string;
    readonly amount: bigint;
    readonly currency: string;
    /** ISO date YYYY-MM-DD, after the transaction's date. */
    readonly maturityDate: string;
    /** What the receivable pays for, e.g. `offer:<offerId>`; recorded on the receivable. */
    readonly reference: string;
}

export interface IssuedReceivable {
    readonly id: string;
    /** The change records the issuing side emitted (already passed to ctx.emit). */
    readonly changes: readonly ChangeRecord[];
}

/**
 * Implemented by the receivables family (contracts/receivables.ts exports `issueReceivableInTx`): creates a root
 * receivable already ACCEPTED (the seller's offer is its acceptance), saves it and emits its change.
 */
export type IssueReceivableInTxFn = (ctx: UPointContext, p: IssueReceivableInTx) => Promise<IssuedReceivable>;
