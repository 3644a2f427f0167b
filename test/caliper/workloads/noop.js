'use strict';
// The ceiling: kvcc's Noop (test/fixtures/kvcc, deployed as chaincode `kvcc` on the same channel) — a submit that
// reads and writes nothing, so its TPS is what the network itself can commit.
const { UPointWorkload } = require('./lib');

class Noop extends UPointWorkload {
    async submitTransaction() {
        await this.submit(this.roundArguments.mspId || 'BrandMSP', 'Noop', [], { contractId: 'kvcc', requestId: false });
    }
}

module.exports.createWorkloadModule = () => new Noop();
