'use strict';
// Provenance event append: Brand creates a product and `lots` lots; each transaction records an EPCIS object event
// (bizStep sampling) on one free lot, which goes back to the pool when committed (an event rewrites its lot).
const { UPointWorkload, Pool } = require('./lib');

class ProvenanceEvent extends UPointWorkload {
    async initializeWorkloadModule(...args) {
        await super.initializeWorkloadModule(...args);
        const lots = Number(this.roundArguments.lots || 20);
        const product = `p-${this.tag}`;
        await this.must('BrandMSP', 'provenance:CreateProduct', [JSON.stringify({ id: product, sku: 'RES-2023', model: '750ml', name: 'Reserve 2023' })]);
        const ids = [];
        for (let i = 0; i < lots; i++) {
            const id = `${product}-l${i}`;
            await this.must('BrandMSP', 'provenance:CreateLot', [JSON.stringify({ id, productId: product, quantity: '1000', unit: 'bottle' })]);
            ids.push(id);
        }
        this.pool = new Pool(ids);
    }

    async submitTransaction() {
        const lotId = await this.pool.take();
        if (lotId === undefined) return;
        try {
            await this.submit('BrandMSP', 'provenance:RecordEvent', [
                JSON.stringify({ lots: [{ lotId, quantity: '1000' }], bizStep: 'sampling', disposition: 'in_progress', eventTime: '2024-05-01T08:00:00.000000000Z' }),
            ]);
        } finally {
            this.pool.put(lotId);
        }
    }
}

module.exports.createWorkloadModule = () => new ProvenanceEvent();
