'use strict';
// Receivable split-transfer: Brand issues one large receivable to Supplier, Supplier accepts it and splits it into 50
// parts it keeps (the initial pool); each transaction then splits one free ACTIVE receivable of Supplier into two
// halves (the second to `roundArguments.to`), returning the half Supplier keeps to the pool. After a failure the
// receivable is read back (Get): still ACTIVE → reused; SPLIT (the transaction committed after all) → its kept child.
const crypto = require('node:crypto');
const { UPointWorkload, Pool } = require('./lib');

const sha = (s) => crypto.createHash('sha256').update(s).digest('hex');
const PARTS = 50;

class Split extends UPointWorkload {
    async initializeWorkloadModule(...args) {
        await super.initializeWorkloadModule(...args);
        this.to = this.roundArguments.to || 'SupplierMSP';
        const part = 2n ** 50n;
        const amount = part * BigInt(PARTS);
        const root = await this.must('BrandMSP', 'receivables:Issue', ['SupplierMSP', String(amount), 'CNY', '2099-12-31', sha(`${this.tag}-invoice`), sha(`${this.tag}-contract`)]);
        await this.must('SupplierMSP', 'receivables:Accept', [root.id]);
        const parts = Array.from({ length: PARTS }, () => ({ holder: 'SupplierMSP', amount: String(part) }));
        const split = await this.must('SupplierMSP', 'receivables:SplitTransfer', [root.id, JSON.stringify(parts)]);
        this.pool = new Pool(split.children.map((c) => ({ id: c.id, amount: BigInt(c.amount) })));
    }

    async submitTransaction() {
        const r = await this.pool.take();
        if (r === undefined) return;
        const half = r.amount / 2n;
        const parts = [
            { holder: 'SupplierMSP', amount: String(r.amount - half) },
            { holder: this.to, amount: String(half) },
        ];
        const out = await this.submit('SupplierMSP', 'receivables:SplitTransfer', [r.id, JSON.stringify(parts)]);
        const children = out === undefined ? await this.recover(r) : out.children || [];
        for (const c of children) if (c.holder === 'SupplierMSP' && c.status === 'ACTIVE' && BigInt(c.amount) >= 2n) this.pool.put({ id: c.id, amount: BigInt(c.amount) });
    }

    /** After a failed split: the receivable itself if still ACTIVE, else its children (if it was split after all). */
    async recover(r) {
        const now = await this.evaluate('SupplierMSP', 'receivables:Get', [r.id]);
        if (now === undefined) return [];
        if (now.status !== 'SPLIT') return [now];
        const children = [];
        for (const id of now.children || []) {
            const c = await this.evaluate('SupplierMSP', 'receivables:Get', [id]);
            if (c !== undefined) children.push(c);
        }
        return children;
    }
}

module.exports.createWorkloadModule = () => new Split();
