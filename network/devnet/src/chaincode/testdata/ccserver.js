// Test fixture: a fabric-contract-api chaincode served as CCaaS by the real fabric-shim 2.5.8 (cf. fabric-shim lib/contract-spi/bootstrap.js).
'use strict';

const net = require('node:net');
const { fork } = require('node:child_process');
// fabric-shim and fabric-contract-api are loaded only in the child process (see startChaincodeServer).
const isServerProcess = require.main === module;
const { Contract, JSONSerializer } = isServerProcess ? require('fabric-contract-api') : { Contract: class {}, JSONSerializer: undefined };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class TestContract extends Contract {
    constructor() {
        super('test');
    }

    async put(ctx, key, value) {
        await ctx.stub.putState(key, Buffer.from(value));
        return 'ok';
    }

    async get(ctx, key) {
        const v = await ctx.stub.getState(key);
        return JSON.stringify({ found: v.length > 0, value: Buffer.from(v).toString() });
    }

    async del(ctx, key) {
        await ctx.stub.deleteState(key);
        return 'ok';
    }

    async emptyPut(ctx, key) {
        await ctx.stub.putState(key, Buffer.alloc(0));
        return 'ok';
    }

    async putMany(ctx, json) {
        for (const [k, v] of JSON.parse(json)) {
            await ctx.stub.putState(k, Buffer.from(v));
        }
        return 'ok';
    }

    /** put, then read the key and a range back: own writes must be invisible */
    async putThenRead(ctx, key, value) {
        await ctx.stub.putState(key, Buffer.from(value));
        const v = await ctx.stub.getState(key);
        const keys = [];
        for await (const kv of ctx.stub.getStateByRange('', '')) keys.push(kv.key);
        return JSON.stringify({ value: Buffer.from(v).toString(), keys });
    }

    /** consume at most `limit` keys of [start, end) */
    async range(ctx, start, end, limit) {
        const max = Number(limit);
        const keys = [];
        const iterator = await ctx.stub.getStateByRange(start, end);
        for (;;) {
            if (keys.length >= max) break;
            const r = await iterator.next();
            if (r.value) keys.push(r.value.key);
            if (r.done) break;
        }
        await iterator.close();
        return JSON.stringify(keys);
    }

    async page(ctx, start, end, pageSize, bookmark) {
        const { iterator, metadata } = await ctx.stub.getStateByRangeWithPagination(start, end, Number(pageSize), bookmark);
        const keys = [];
        for (;;) {
            const r = await iterator.next();
            if (r.value) keys.push(r.value.key);
            if (r.done) break;
        }
        await iterator.close();
        return JSON.stringify({ keys, bookmark: metadata.bookmark, count: metadata.fetchedRecordsCount });
    }

    async putThenPage(ctx) {
        await ctx.stub.putState('w', Buffer.from('1'));
        await ctx.stub.getStateByRangeWithPagination('', '', 5, '');
        return 'unreachable';
    }

    async pageThenPut(ctx) {
        await ctx.stub.getStateByRangeWithPagination('', '', 5, '');
        await ctx.stub.putState('w', Buffer.from('1'));
        return 'unreachable';
    }

    async richQuery(ctx) {
        await ctx.stub.getQueryResult('{"selector":{}}');
        return 'unreachable';
    }

    async privateGet(ctx) {
        await ctx.stub.getPrivateData('coll', 'k');
        return 'unreachable';
    }

    async event(ctx) {
        ctx.stub.setEvent('first', Buffer.from('one'));
        ctx.stub.setEvent('second', Buffer.from('two'));
        return 'ok';
    }

    async throwing() {
        throw new Error('boom');
    }

    async history(ctx, key) {
        const iterator = await ctx.stub.getHistoryForKey(key);
        const out = [];
        for (;;) {
            const r = await iterator.next();
            if (r.value) {
                out.push({
                    txId: r.value.txId,
                    value: Buffer.from(r.value.value).toString(),
                    isDelete: r.value.isDelete,
                    seconds: Number(r.value.timestamp.seconds),
                });
            }
            if (r.done) break;
        }
        await iterator.close();
        return JSON.stringify(out);
    }

    async setEp(ctx, key, ep) {
        await ctx.stub.setStateValidationParameter(key, Buffer.from(ep));
        return 'ok';
    }

    async getEp(ctx, key) {
        const ep = await ctx.stub.getStateValidationParameter(key);
        return Buffer.from(ep).toString();
    }

    async whoami(ctx) {
        return JSON.stringify({ mspid: ctx.clientIdentity.getMSPID(), tx: ctx.stub.getTxID(), ch: ctx.stub.getChannelID() });
    }

    async slow(ctx, ms, key) {
        await sleep(Number(ms));
        const v = await ctx.stub.getState(key);
        return Buffer.from(v).toString();
    }

    async callOther(ctx, name, arg) {
        const r = await ctx.stub.invokeChaincode(name, ['get', arg], '');
        return JSON.stringify({ status: r.status, payload: Buffer.from(r.payload).toString() });
    }
}

function freePort() {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.on('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const { port } = s.address();
            s.close(() => resolve(port));
        });
    });
}

/** In the child process: serve the contract and tell the parent where. */
async function serve(ccid, address) {
    const shim = require('fabric-shim');
    const ChaincodeFromContract = require('fabric-shim/lib/contract-spi/chaincodefromcontract');
    const serializers = { transaction: 'jsonSerializer', serializers: { jsonSerializer: JSONSerializer } };
    const chaincode = new ChaincodeFromContract([TestContract], serializers, {}, 'devnet-test', '0.0.1');
    const server = shim.server(chaincode, { ccid, address });
    await server.start();
    process.send({ address });
}

/**
 * Run the chaincode server in its own process, as CCaaS does: the shim bundles an older
 * @hyperledger/fabric-protos, and two copies of google-protobuf generated code in one process share
 * the global `proto` namespace and break each other's gRPC serializers.
 */
async function startChaincodeServer(ccid, address) {
    if (address === undefined) address = `127.0.0.1:${await freePort()}`;
    const child = fork(__filename, [ccid, address], {
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        env: { ...process.env, CORE_CHAINCODE_LOGGING_LEVEL: 'ERROR' },
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise((resolve, reject) => {
        child.once('message', resolve);
        child.once('exit', (code) => reject(new Error(`chaincode server exited with ${code}`)));
    });
    return {
        address,
        kill: () => {
            child.kill('SIGKILL');
        },
        stop: async () => {
            child.kill('SIGTERM');
            await exited;
        },
    };
}

if (isServerProcess) {
    serve(process.argv[2], process.argv[3]).catch((err) => {
        console.error(err);
        process.exit(1);
    });
}

module.exports = { startChaincodeServer };
