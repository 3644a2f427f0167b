'use strict';
// Token transfer: Brand deposits a lot (custodian Supplier attests it), mints `chains` outputs, and each transaction
// transfers 1 token to Supplier naming one free output as its input (`inputs`), so concurrent transfers of the same
// holder and lot never conflict; the change output goes back to the pool. After a failure the output's fate is
// unknown to the client (the transaction may still have committed), so the pool is rebuilt from the ledger
// (ListOutputs: the holder's UNSPENT, unlocked outputs of the lot not in flight).
const { UPointWorkload, Pool } = require('./lib');

class Transfer extends UPointWorkload {
    async initializeWorkloadModule(...args) {
        await super.initializeWorkloadModule(...args);
        const chains = Number(this.roundArguments.chains || 20);
        const perChain = 1000000;
        const total = String(chains * perChain);
        const lot = await this.must('BrandMSP', 'tokens:Deposit', [
            JSON.stringify({ batchLotId: `LOT-${this.tag}`, sku: 'WINE-750', unit: 'bottle', quantity: total, unitValuation: { amount: '2500', currency: 'CNY' }, custodian: 'SupplierMSP' }),
        ]);
        this.lotId = lot.id;
        await this.must('SupplierMSP', 'tokens:Attest', [lot.id, total]);
        const outputs = [];
        for (let i = 0; i < chains; i++) outputs.push((await this.must('BrandMSP', 'tokens:Mint', [lot.id, String(perChain)])).id);
        this.pool = new Pool(outputs);
        this.inFlight = new Set();
        this.refreshing = undefined;
    }

    async submitTransaction() {
        const input = await this.pool.take();
        if (input === undefined) return;
        this.inFlight.add(input);
        const r = await this.submit('BrandMSP', 'tokens:Transfer', [JSON.stringify({ lotId: this.lotId, quantity: '1', to: 'SupplierMSP', inputs: [input] })]);
        this.inFlight.delete(input);
        if (r === undefined) {
            await this.refresh();
            return;
        }
        const change = (r.created || []).find((o) => o.owner === 'BrandMSP');
        if (change) this.pool.put(change.id);
    }

    /** Put back every UNSPENT, unlocked output of Brand in the lot that is neither free nor in flight (one refresh at a time). */
    refresh() {
        if (this.refreshing === undefined) {
            this.refreshing = (async () => {
                let bookmark = '';
                do {
                    const page = await this.evaluate('BrandMSP', 'tokens:ListOutputs', ['BrandMSP', this.lotId, '200', bookmark]);
                    if (page === undefined) break;
                    for (const o of page.items || []) {
                        if (o.status === 'UNSPENT' && o.lock === null && !this.inFlight.has(o.id) && !this.pool.has((id) => id === o.id)) this.pool.put(o.id);
                    }
                    bookmark = page.bookmark || '';
                } while (bookmark !== '');
            })().finally(() => {
                this.refreshing = undefined;
            });
        }
        return this.refreshing;
    }
}

module.exports.createWorkloadModule = () => new Transfer();
