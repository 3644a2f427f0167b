'use strict';
// Shared helpers of the U-Point Caliper workloads (Caliper 0.6, fabric connector with the fabric-gateway binding).
// Every U-Point submit takes a client request id first, unique per org: `rid()` makes one per worker and run.
// Workloads that consume something (an output, a receivable, a lot) take it from a Pool so that concurrent
// transactions of a worker never touch the same ledger key: the benchmark measures throughput, not conflicts.
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');

const CHAINCODE = 'upoint';
const CHANNEL = 'upoint';

class UPointWorkload extends WorkloadModuleBase {
    async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
        await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
        this.tag = `cal-${Date.now().toString(36)}-r${roundIndex}-w${workerIndex}`;
        this.seq = 0;
    }

    rid() {
        this.seq += 1;
        return `${this.tag}-${this.seq}`;
    }

    /** Send one U-Point submit as `mspId`'s User1; resolves to the parsed JSON result, or undefined when it failed. */
    async submit(mspId, fcn, args, { contractId = CHAINCODE, requestId = true } = {}) {
        const status = await this.sutAdapter.sendRequests({
            contractId,
            contractFunction: fcn,
            contractArguments: requestId ? [this.rid(), ...args] : args,
            invokerIdentity: 'User1',
            invokerMspId: mspId,
            channel: CHANNEL,
            readOnly: false,
        });
        return parsed(status);
    }

    async evaluate(mspId, fcn, args, { contractId = CHAINCODE } = {}) {
        const status = await this.sutAdapter.sendRequests({
            contractId,
            contractFunction: fcn,
            contractArguments: args,
            invokerIdentity: 'User1',
            invokerMspId: mspId,
            channel: CHANNEL,
            readOnly: true,
        });
        return parsed(status);
    }

    /**
     * Like submit, but retried and then thrown when it keeps failing (for set-up steps). A retry is needed: an
     * endorsing peer may not have committed the previous set-up transaction yet (then the endorsements differ:
     * "ProposalResponsePayloads do not match").
     */
    async must(mspId, fcn, args, attempts = 5) {
        for (let i = 1; i <= attempts; i++) {
            const r = await this.submit(mspId, fcn, args);
            if (r !== undefined) return r;
            await new Promise((resolve) => setTimeout(resolve, 500 * i));
        }
        throw new Error(`set-up step ${fcn} failed ${attempts} times for ${mspId} (see the Caliper log)`);
    }
}

function parsed(status) {
    const s = Array.isArray(status) ? status[0] : status;
    if (!s || s.GetStatus() !== 'success') return undefined;
    const result = s.GetResult();
    if (result === undefined || result === null || result.length === 0) return {};
    try {
        return JSON.parse(Buffer.from(result).toString('utf8'));
    } catch {
        return {};
    }
}

/** Items (ledger ids) handed to one transaction at a time; `take` waits while none is free. */
class Pool {
    constructor(items = []) {
        this.items = [...items];
        this.waiting = [];
    }
    put(item) {
        const w = this.waiting.shift();
        if (w) w(item);
        else this.items.push(item);
    }
    has(pred) {
        return this.items.some(pred);
    }
    /** The next free item; undefined after `timeoutMs` without one (the caller then sends nothing this time). */
    take(timeoutMs = 5000) {
        const item = this.items.shift();
        if (item !== undefined) return Promise.resolve(item);
        return new Promise((resolve) => {
            const waiter = (it) => {
                clearTimeout(timer);
                resolve(it);
            };
            const timer = setTimeout(() => {
                this.waiting = this.waiting.filter((w) => w !== waiter);
                resolve(undefined);
            }, timeoutMs);
            this.waiting.push(waiter);
        });
    }
}

module.exports = { UPointWorkload, Pool, CHAINCODE, CHANNEL };
