'use strict';
// Get-by-id: an evaluate (no ordering) of one stock lot Brand deposited at set-up.
const { UPointWorkload } = require('./lib');

class GetById extends UPointWorkload {
    async initializeWorkloadModule(...args) {
        await super.initializeWorkloadModule(...args);
        const lot = await this.must('BrandMSP', 'tokens:Deposit', [
            JSON.stringify({ batchLotId: `LOT-${this.tag}`, sku: 'WINE-750', unit: 'bottle', quantity: '10', unitValuation: { amount: '2500', currency: 'CNY' }, custodian: 'SupplierMSP' }),
        ]);
        this.lotId = lot.id;
    }

    async submitTransaction() {
        await this.evaluate('BankMSP', 'tokens:GetStockLot', [this.lotId]);
    }
}

module.exports.createWorkloadModule = () => new GetById();
