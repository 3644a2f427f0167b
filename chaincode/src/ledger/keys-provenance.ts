// Composite-key object types of the provenance family, merged into KEY_TYPES (keys.ts). Each type is named
// 'upoint.provenance.<entity>' and carries a doc comment giving its key attributes and the value stored.
export const PROVENANCE_KEY_TYPES = {
    /** [productId] → Product */
    provProduct: 'upoint.provenance.product',
    /** [lotId] → Lot */
    provLot: 'upoint.provenance.lot',
    /** [owner mspId, lotId] → LotRef (index, written once at creation) */
    provLotByOwner: 'upoint.provenance.lot.owner',
    /** [status, lotId] → LotRef (index, moved with the lot's status) */
    provLotByStatus: 'upoint.provenance.lot.status',
    /** [holder mspId, lotId] → LotRef (index, moved with custody) */
    provLotByHolder: 'upoint.provenance.lot.holder',
    /** [lotId, eventId] → LotEvent (append-only) */
    provEvent: 'upoint.provenance.event',
    /** [parentLotId, childLotId] → LotLink (derivedFrom index, written once by Transform) */
    provChild: 'upoint.provenance.child',
    /** [serial] → SerialUnit (written once by CommissionUnits) */
    provUnit: 'upoint.provenance.unit',
    /** [lotId, serial] → UnitRef (index of a lot's units) */
    provUnitByLot: 'upoint.provenance.unit.lot',
    /** [serial, scanTxId] → Scan (one per consumer verification; no counter) */
    provScan: 'upoint.provenance.scan',
} as const;
