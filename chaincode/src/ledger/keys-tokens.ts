// Composite-key object types of the tokens family, merged into KEY_TYPES (keys.ts). Each type is named
// 'upoint.tokens.<entity>' and carries a doc comment giving its key attributes and the value stored.
export const TOKEN_KEY_TYPES = {
    /** [lotId] → StockLot */
    stockLot: 'upoint.tokens.lot',
    /** [owner mspId, lotId] → LotRef (index, written once at deposit) */
    stockLotByOwner: 'upoint.tokens.lot.owner',
    /** [custodian mspId, lotId] → LotRef (index, written once at deposit) */
    stockLotByCustodian: 'upoint.tokens.lot.custodian',
    /** [status, lotId] → LotRef (index, moved with the lot's status) */
    stockLotByStatus: 'upoint.tokens.lot.status',
    /** [owner mspId, lotId, outputId] → Output (a token UTXO, UNSPENT or SPENT) */
    tokenOutput: 'upoint.tokens.output',
    /** [lotId, owner mspId] → LotHolder (index of who ever held the lot; blind write, never read in a submit) */
    tokenHolder: 'upoint.tokens.holder',
    /** [pledgeId] → Pledge */
    tokenPledge: 'upoint.tokens.pledge',
    /** [offerId] → Offer */
    tokenOffer: 'upoint.tokens.offer',
    /** [redemptionId] → Redemption */
    tokenRedemption: 'upoint.tokens.redemption',
} as const;
