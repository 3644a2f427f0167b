// Composite-key object types of the receivables family, merged into KEY_TYPES (keys.ts). Each type is named
// 'upoint.receivables.<entity>' and carries a doc comment giving its key attributes and the value stored.
export const RECEIVABLE_KEY_TYPES = {
    /** [receivableId] → Receivable */
    receivable: 'upoint.receivables.receivable',
    /** [holder mspId, receivableId] → ReceivableRef (index, moved with the holder) */
    receivableByHolder: 'upoint.receivables.holder',
    /** [issuer mspId, receivableId] → ReceivableRef (index, written once at issue/split) */
    receivableByIssuer: 'upoint.receivables.issuer',
    /** [status, receivableId] → ReceivableRef (index, moved with the status) */
    receivableByStatus: 'upoint.receivables.status',
    /** [invoiceHash] → InvoiceClaim (the one root an invoice backs; written once, never deleted) */
    receivableInvoice: 'upoint.receivables.invoice',
    /** [issuer mspId, receivableId] → SettlementEntry (credit record: one entry per overdue/settled node) */
    receivableSettlement: 'upoint.receivables.settlement',
} as const;
