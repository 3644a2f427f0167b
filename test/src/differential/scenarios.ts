// Differential scenarios: the behaviours of the devnet conformance suite (test/src/conformance) and the U-Point
// end-to-end smoke, written once against a DiffTarget so the same steps run on devnet and on real Fabric. Each
// step records what the client observes (see observe.ts); nothing here asserts: the runner compares.
import * as grpc from '@grpc/grpc-js';
import { checkpointers, connect, GatewayError, hash, signers, type ChaincodeEvent, type ChaincodeEventsOptions, type Contract, type Transaction } from '@hyperledger/fabric-gateway';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { common, gateway as gwproto, ledger, msp, peer } from '@hyperledger/fabric-protos';
import { createPrivateKey } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { peerHost } from '@upoint/devnet/dist/config/network';
import { tlsCaCertPath, userMspDir } from '@upoint/devnet/dist/msp/cryptogen';
import { blockHeaderHash } from '@upoint/devnet/dist/ledger/blockhash';
import { REPO, org } from '../support/network';
import { CHANNEL, readChaincodeEvents, blockByNumber, chainInfo, creatorBytes, processedTx, qscc, sleep, txFilter, txIdsOf, utf8 } from '../support/conformance';
import type { Json, Run, Scenario } from './observe';

const MEMBERS = ['Brand', 'Supplier', 'Bank'] as const;
const UPOINT_CC = 'upointcc';
export const UPOINT_CHAINCODE_DIR = join(REPO, 'chaincode');
const MEMBERS_JSON = readFileSync(join(REPO, 'network/members.json'), 'utf8');

/** Endorses every proposal first (all simulate on the same committed state), then orders them in this order. */
async function endorseAllThenSubmit(r: Run, ...txs: Array<{ contract: Contract; name: string; args: string[] }>): Promise<Array<{ tx: string; code: number; block: number }>> {
    await r.settle();
    const endorsed: Transaction[] = await Promise.all(txs.map((t) => t.contract.newProposal(t.name, { arguments: t.args }).endorse()));
    const submitted = [];
    for (const t of endorsed) submitted.push(await t.submit());
    const statuses = await Promise.all(submitted.map((s) => s.getStatus()));
    return statuses.map((s) => ({ tx: r.tx(s.transactionId), code: s.code, block: r.block(s.blockNumber) }));
}

/** Submits and waits for the commit status; records nothing, returns the tx name, code and block offset. */
async function submitStatus(r: Run, c: Contract, fn: string, ...args: string[]): Promise<{ tx: string; code: number; block: number; txId: string; blockNumber: bigint }> {
    const s = await c.submitAsync(fn, { arguments: args });
    const st = await s.getStatus();
    return { tx: r.tx(s.getTransactionId()), code: st.code, block: r.block(st.blockNumber), txId: s.getTransactionId(), blockNumber: st.blockNumber };
}

async function get(r: Run, key: string, orgName = 'Brand', cc = 'upoint'): Promise<string> {
    return utf8.decode(await r.contract(orgName, 'User1', cc).evaluateTransaction('Get', key));
}

function readEvents(
    r: Run,
    options: ChaincodeEventsOptions,
    until: (events: readonly ChaincodeEvent[]) => boolean,
    timeoutMs?: number,
    onEvent?: (e: ChaincodeEvent) => Promise<void>,
): Promise<ChaincodeEvent[]> {
    return readChaincodeEvents(r.network(), 'upoint', options, until, timeoutMs, onEvent);
}

const eventObs = (r: Run, e: ChaincodeEvent): Json => ({ cc: e.chaincodeName, name: e.eventName, payload: utf8.decode(e.payload), tx: r.tx(e.transactionId), block: r.block(e.blockNumber) });

async function blocksFrom(r: Run, start: bigint, count: number, timeoutMs = 15_000, until: (b: common.Block) => boolean = () => false): Promise<common.Block[]> {
    const out: common.Block[] = [];
    if (count <= 0) return out;
    const blocks = await r.network().getBlockEvents({ startBlock: start });
    const timer = setTimeout(() => blocks.close(), timeoutMs);
    try {
        for await (const b of blocks) {
            out.push(b);
            if (out.length >= count || until(b)) break;
        }
    } catch (err) {
        if (!(err instanceof GatewayError && err.code === Number(GrpcStatus.CANCELLED))) throw err;
    } finally {
        clearTimeout(timer);
        blocks.close();
    }
    return out;
}

function blockShape(r: Run, b: common.Block): Json {
    const envs = b.getData()?.getDataList_asU8() ?? [];
    const md = b.getMetadata()?.getMetadataList_asU8() ?? [];
    const sigs = common.Metadata.deserializeBinary(md[common.BlockMetadataIndex.SIGNATURES] ?? new Uint8Array());
    const sig = sigs.getSignaturesList()[0];
    const signer = sig ? msp.SerializedIdentity.deserializeBinary(common.SignatureHeader.deserializeBinary(sig.getSignatureHeader_asU8()).getCreator_asU8()).getMspid() : '';
    const lastConfig = sigs.getValue_asU8().length > 0 ? common.OrdererBlockMetadata.deserializeBinary(sigs.getValue_asU8()).getLastConfig()?.getIndex() ?? null : null;
    return {
        number: r.block(b.getHeader()?.getNumber() ?? 0),
        types: envs.map((env) => {
            const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(env).getPayload_asU8());
            return common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array()).getType();
        }),
        txs: txIdsOf(b).map((id) => r.tx(id)),
        filter: [...txFilter(b)],
        metadataSlots: md.length,
        signatures: sigs.getSignaturesList().length,
        signer,
        lastConfig,
    };
}

export const SCENARIOS: readonly Scenario[] = [
    {
        name: 'gateway: every member submits and evaluates through its own gateway',
        async run(r) {
            for (const o of MEMBERS) {
                await r.outcome(`${o} submit Put`, r.contract(o).submitTransaction('Put', `member-${o}`, `value of ${o}`));
                await r.settle();
                for (const other of [...MEMBERS, 'Regulator']) await r.outcome(`${other} evaluate Get member-${o}`, r.contract(other).evaluateTransaction('Get', `member-${o}`));
            }
            for (const o of [...MEMBERS, 'Regulator']) await r.outcome(`${o} evaluate Creator`, r.contract(o).evaluateTransaction('Creator'));
            await r.outcome('Supplier submit Creator', r.contract('Supplier').submitTransaction('Creator'));
            const absent = await r.contract('Regulator').evaluateTransaction('Get', 'never-written');
            r.record('evaluate of an absent key', { length: absent.length });
        },
    },
    {
        name: 'gateway: chaincode errors on submit and evaluate',
        async run(r) {
            await r.failure('Brand submit Fail', r.contract('Brand').submitTransaction('Fail', 'boom on purpose'));
            await r.failure('Bank submit Fail', r.contract('Bank').submitTransaction('Fail', 'bank says no'));
            await r.failure('Supplier evaluate Fail', r.contract('Supplier').evaluateTransaction('Fail', 'evaluate boom'));
            await r.failure('Brand evaluate NoSuchFunction', r.contract('Brand').evaluateTransaction('NoSuchFunction'));
            await r.failure('Brand submit NoSuchFunction', r.contract('Brand').submitTransaction('NoSuchFunction'));
        },
    },
    {
        name: 'gateway: non-deterministic chaincode',
        async run(r) {
            await r.settle();
            const before = await get(r, 'nondet');
            try {
                await r.contract('Brand').submitTransaction('NonDeterministic');
                r.record('submit NonDeterministic', { unexpectedSuccess: true });
            } catch (err) {
                const e = r.error(err) as { readonly [k: string]: Json };
                const details = (err instanceof GatewayError ? err.details : []).map((d) => ({ memberOrg: ['SupplierMSP', 'BankMSP'].includes(d.mspId), message: d.message }));
                // Which non-local member the gateway asks (and how many it tries) is its own choice: record the set.
                r.record('submit NonDeterministic', { class: e.class ?? null, code: e.code ?? null, message: e.message ?? null, details: [...new Set(details.map((d) => JSON.stringify(d)))].sort() });
            }
            r.record('state unchanged', { same: (await get(r, 'nondet')) === before });
        },
    },
    {
        name: 'gateway: explicit endorsing organizations',
        async run(r) {
            await r.failure('Fail on SupplierMSP+BankMSP', r.contract('Brand').submit('Fail', { arguments: ['named orgs fail'], endorsingOrganizations: ['SupplierMSP', 'BankMSP'] }));
            await r.failure('Put on NoSuchMSP', r.contract('Brand').submit('Put', { arguments: ['k', 'v'], endorsingOrganizations: ['NoSuchMSP'] }));
            await r.settle();
            await r.outcome('Put on SupplierMSP+BankMSP', r.contract('Brand').submit('Put', { arguments: ['named-orgs', 'ok'], endorsingOrganizations: ['SupplierMSP', 'BankMSP'] }));
            await r.outcome('Get named-orgs', r.contract('Brand').evaluateTransaction('Get', 'named-orgs'));
        },
    },
    {
        name: 'gateway: read-only regulator (User1 refused at the orderer, Admin allowed)',
        async run(r) {
            await r.outcome('Brand Put reg-key', r.contract('Brand').submitTransaction('Put', 'reg-key', 'brand value'));
            const before = (await chainInfo(r.network())).getHeight();
            await r.failure('Regulator User1 submit', r.contract('Regulator').submitTransaction('Put', 'reg-key', 'regulator value'));
            await sleep(r.t.cfg.orderer.batch.timeoutMs * 4);
            r.record('height unchanged', { delta: (await chainInfo(r.network())).getHeight() - before });
            await r.outcome('Get reg-key', r.contract('Brand').evaluateTransaction('Get', 'reg-key'));
            await r.outcome('Regulator Admin submit', r.contract('Regulator', 'Admin').submitTransaction('Put', 'reg-admin-key', 'by regulator admin'));
            await r.settle();
            await r.outcome('Bank Get reg-admin-key', r.contract('Bank').evaluateTransaction('Get', 'reg-admin-key'));
            await r.outcome('Regulator Admin evaluate Creator', r.contract('Regulator', 'Admin').evaluateTransaction('Creator'));
        },
    },
    {
        name: 'gateway: commit status',
        async run(r) {
            const g = r.t.gateway('Brand');
            const commitFor = (txId: string) => {
                const req = new gwproto.CommitStatusRequest();
                req.setChannelId(CHANNEL);
                req.setTransactionId(txId);
                req.setIdentity(creatorBytes(g));
                const signed = new gwproto.SignedCommitStatusRequest();
                signed.setRequest(req.serializeBinary());
                return g.newCommit(signed.serializeBinary());
            };
            const never = await r.contract().newProposal('Put', { arguments: ['never-ordered', 'x'] }).endorse();
            r.tx(never.getTransactionId());
            await r.failure('status of a never-ordered tx (1 s deadline)', commitFor(never.getTransactionId()).getStatus({ deadline: Date.now() + 1_000 }));
            const tx = await r.contract().newProposal('Put', { arguments: ['waited-for', 'y'] }).endorse();
            const pending = commitFor(tx.getTransactionId()).getStatus();
            await sleep(300);
            await tx.submit();
            const st = await pending;
            r.record('status requested before submit', { tx: r.tx(st.transactionId), code: st.code, successful: st.successful, sameTx: st.transactionId === tx.getTransactionId() });
        },
    },
    {
        name: 'mvcc: read conflicts',
        async run(r) {
            const brand = r.contract('Brand');
            const supplier = r.contract('Supplier');
            await r.outcome('Put counter-a 10', brand.submitTransaction('Put', 'counter-a', '10'));
            r.record('two Incr in one block', {
                statuses: await endorseAllThenSubmit(r, { contract: brand, name: 'Incr', args: ['counter-a'] }, { contract: supplier, name: 'Incr', args: ['counter-a'] }),
            });
            await r.outcome('Get counter-a', brand.evaluateTransaction('Get', 'counter-a'));
            await r.outcome('Put counter-b 0', brand.submitTransaction('Put', 'counter-b', '0'));
            await r.settle();
            const results = await Promise.allSettled([brand.submitTransaction('Incr', 'counter-b'), supplier.submitTransaction('Incr', 'counter-b')]);
            r.record('concurrent submitTransaction Incr', {
                ok: results.flatMap((x) => (x.status === 'fulfilled' ? [utf8.decode(x.value)] : [])),
                errors: results.flatMap((x) => (x.status === 'rejected' ? [r.error(x.reason)] : [])),
            });
            await r.outcome('Get counter-b', brand.evaluateTransaction('Get', 'counter-b'));
            r.record('absent key read vs in-block insert', {
                statuses: await endorseAllThenSubmit(r, { contract: brand, name: 'Incr', args: ['fresh-counter'] }, { contract: brand, name: 'Incr', args: ['fresh-counter'] }),
            });
            await r.outcome('Put counter-c 5', brand.submitTransaction('Put', 'counter-c', '5'));
            await r.settle();
            const stale = await brand.newProposal('Incr', { arguments: ['counter-c'] }).endorse();
            await r.outcome('Supplier Put counter-c 100', supplier.submitTransaction('Put', 'counter-c', '100'));
            const st = await (await stale.submit()).getStatus();
            r.record('stale read committed later', { tx: r.tx(st.transactionId), code: st.code });
            await r.outcome('Get counter-c', brand.evaluateTransaction('Get', 'counter-c'));
            r.record('blind writes in one block', {
                statuses: await endorseAllThenSubmit(r, { contract: brand, name: 'Put', args: ['blind', 'first'] }, { contract: supplier, name: 'Put', args: ['blind', 'second'] }),
            });
            await r.outcome('Get blind', brand.evaluateTransaction('Get', 'blind'));
            const proc = await processedTx(r.network(), stale.getTransactionId());
            r.record('qscc GetTransactionByID of the stale tx', { code: proc.getValidationcode() });
        },
    },
    {
        name: 'mvcc: phantom reads',
        async run(r) {
            const brand = r.contract('Brand');
            const supplier = r.contract('Supplier');
            await r.outcome('Put range-b', brand.submitTransaction('Put', 'range-b', '1'));
            await r.outcome('Put range-d', brand.submitTransaction('Put', 'range-d', '1'));
            r.record('insert in range before the reader', {
                statuses: await endorseAllThenSubmit(r, { contract: supplier, name: 'Put', args: ['range-c', '1'] }, { contract: brand, name: 'CountRange', args: ['range-a', 'range-z', 'count-1'] }),
            });
            r.record('count-1 length', { length: (await brand.evaluateTransaction('Get', 'count-1')).length });
            await r.outcome('CountRange evaluate', brand.evaluateTransaction('CountRange', 'range-a', 'range-z', 'unused'));
            r.record('insert after the reader', {
                statuses: await endorseAllThenSubmit(r, { contract: brand, name: 'CountRange', args: ['range-a', 'range-z', 'count-2'] }, { contract: supplier, name: 'Put', args: ['range-e', '1'] }),
            });
            await r.outcome('Get count-2', brand.evaluateTransaction('Get', 'count-2'));
            r.record('insert outside the range', {
                statuses: await endorseAllThenSubmit(r, { contract: supplier, name: 'Put', args: ['rangf-outside', '1'] }, { contract: brand, name: 'CountRange', args: ['range-a', 'range-z', 'count-3'] }),
            });
            await r.outcome('Get count-3', brand.evaluateTransaction('Get', 'count-3'));
            await r.settle();
            const stale = await brand.newProposal('CountRange', { arguments: ['range-a', 'range-z', 'count-4'] }).endorse();
            await r.outcome('Supplier Del range-e', supplier.submitTransaction('Del', 'range-e'));
            const st = await (await stale.submit()).getStatus();
            r.record('delete in range committed earlier', { tx: r.tx(st.transactionId), code: st.code });
            r.record('update in range in the same block', {
                statuses: await endorseAllThenSubmit(r, { contract: supplier, name: 'Put', args: ['range-b', '2'] }, { contract: brand, name: 'CountRange', args: ['range-a', 'range-z', 'count-5'] }),
            });
            await r.outcome('Range evaluate', brand.evaluateTransaction('Range', '', ''));
        },
    },
    {
        // past 50 keys a range read is recorded as a Merkle summary (maxDegreeQueryReadsHashing) and the committer
        // re-hashes committed state to validate it (validation/rangequery_validator.go)
        name: 'mvcc: ranges over more than 50 keys (Merkle-summarised reads)',
        async run(r) {
            const brand = r.contract('Brand');
            const supplier = r.contract('Supplier');
            await r.outcome('PutMany 80', brand.submitTransaction('PutMany', 'big-', '80', '[]'));
            await r.settle();
            await r.outcome('CountRange alone', brand.submitTransaction('CountRange', 'big-', 'big-~', 'big-count-1'));
            r.record('update in range before the reader', {
                statuses: await endorseAllThenSubmit(r, { contract: supplier, name: 'Put', args: ['big-040', 'x'] }, { contract: brand, name: 'CountRange', args: ['big-', 'big-~', 'big-count-2'] }),
            });
            r.record('insert in range before the reader', {
                statuses: await endorseAllThenSubmit(r, { contract: supplier, name: 'Put', args: ['big-040a', 'x'] }, { contract: brand, name: 'CountRange', args: ['big-', 'big-~', 'big-count-3'] }),
            });
            r.record('insert outside the range', {
                statuses: await endorseAllThenSubmit(r, { contract: supplier, name: 'Put', args: ['bigz-outside', 'x'] }, { contract: brand, name: 'CountRange', args: ['big-', 'big-~', 'big-count-4'] }),
            });
            await r.outcome('Get big-count-4', brand.evaluateTransaction('Get', 'big-count-4'));
        },
    },
    {
        name: 'duplicate transaction ids',
        async run(r) {
            const contract = r.contract('Brand');
            const p1 = contract.newProposal('Put', { arguments: ['dup-1', 'first'] });
            r.tx(p1.getTransactionId());
            const s1 = await (await (await p1.endorse()).submit()).getStatus();
            r.record('first commit', { code: s1.code });
            await r.failure('re-endorse a committed proposal', p1.endorse());
            const p2 = contract.newProposal('Put', { arguments: ['dup-2', 'first'] });
            r.tx(p2.getTransactionId());
            await (await (await p2.endorse()).submit()).getStatus();
            await r.failure('re-evaluate a committed proposal', p2.evaluate());

            await r.outcome('Put dup-mvcc 0', contract.submitTransaction('Put', 'dup-mvcc', '0'));
            await r.settle();
            const loser = contract.newProposal('Incr', { arguments: ['dup-mvcc'] });
            r.tx(loser.getTransactionId());
            const loserTx = await loser.endorse();
            await r.outcome('Incr dup-mvcc', contract.submitTransaction('Incr', 'dup-mvcc'));
            await r.settle();
            r.record('loser commit', { code: (await (await loserTx.submit()).getStatus()).code });
            await r.failure('re-endorse an invalid tx', loser.endorse());

            const tx = await contract.newProposal('Put', { arguments: ['dup-3', 'original'] }).endorse();
            const txId = tx.getTransactionId();
            r.tx(txId);
            const first = await (await tx.submit()).getStatus();
            await r.outcome('Put dup-3 changed', contract.submitTransaction('Put', 'dup-3', 'changed since'));
            const again = await tx.submit();
            const h = BigInt((await chainInfo(r.network())).getHeight());
            let copy: Json = null;
            for (const b of await blocksFrom(r, first.blockNumber + 1n, 6, 15_000, (x) => txIdsOf(x).includes(txId))) {
                const i = txIdsOf(b).indexOf(txId);
                if (i >= 0) {
                    copy = { block: r.block(b.getHeader()?.getNumber() ?? 0), code: txFilter(b)[i] ?? null };
                    break;
                }
            }
            const againStatus = await again.getStatus();
            r.record('re-broadcast committed envelope', {
                first: { code: first.code, block: r.block(first.blockNumber) },
                copy,
                heightBeforeCopyWasRead: r.block(h),
                statusAfter: { code: againStatus.code, block: r.block(againStatus.blockNumber) },
                qsccCode: (await processedTx(r.network(), txId)).getValidationcode(),
            });
            await r.outcome('Get dup-3', contract.evaluateTransaction('Get', 'dup-3'));

            const tx4 = await contract.newProposal('Put', { arguments: ['dup-4', 'once'] }).endorse();
            r.tx(tx4.getTransactionId());
            const a = await tx4.submit();
            await tx4.submit();
            const st4 = await a.getStatus();
            const [block] = await blocksFrom(r, st4.blockNumber, 1);
            r.record('same envelope twice in one block', { code: st4.code, block: block ? blockShape(r, block) : null });
            await r.outcome('Get dup-4', contract.evaluateTransaction('Get', 'dup-4'));
        },
    },
    {
        name: 'chaincode events: replay, resume, last event only, valid only',
        async run(r) {
            const contract = r.contract('Brand');
            const supplier = r.contract('Supplier');
            const emit = async (c: Contract, name: string, payload: string) => {
                const s = await submitStatus(r, c, 'Emit', name, payload);
                return s;
            };
            const a = await emit(contract, 'created', 'one');
            await emit(supplier, 'updated', 'two');
            const burst = await Promise.all(['burst-1', 'burst-2', 'burst-3', 'burst-4'].map((n) => contract.newProposal('Emit', { arguments: [n, `payload of ${n}`] }).endorse()));
            const submitted = [];
            for (const t of burst) submitted.push(await t.submit());
            const burstStatus = await Promise.all(submitted.map((s) => s.getStatus()));
            r.record('burst', { statuses: burstStatus.map((s) => ({ tx: r.tx(s.transactionId), code: s.code, block: r.block(s.blockNumber) })) });
            const c = await emit(contract, 'closed', 'three');
            const total = 7;
            const all = await readEvents(r, { startBlock: a.blockNumber }, (es) => es.length >= total);
            r.record('replay from the first block', { events: all.map((e) => eventObs(r, e)) });

            const checkpointer = checkpointers.inMemory();
            const part1 = await readEvents(r, { startBlock: a.blockNumber, checkpoint: checkpointer }, (es) => es.length >= 4, 10_000, (e) => checkpointer.checkpointChaincodeEvent(e));
            const cpTx = checkpointer.getTransactionId();
            const part2 = await readEvents(r, { checkpoint: checkpointer }, (es) => es.length >= total - 4);
            r.record('checkpointer resume mid-block', { checkpointTx: cpTx ? r.tx(cpTx) : null, part1: part1.map((e) => eventObs(r, e)), part2: part2.map((e) => eventObs(r, e)) });

            const cp2 = checkpointers.inMemory();
            await cp2.checkpointBlock(c.blockNumber - 1n);
            r.record('resume from a checkpointed block', { events: (await readEvents(r, { checkpoint: cp2 }, (es) => es.length >= 1)).map((e) => eventObs(r, e)) });

            const pending = readEvents(r, {}, (es) => es.length >= 1);
            await sleep(500);
            await emit(contract, 'live', 'now');
            r.record('live events only', { events: (await pending).map((e) => eventObs(r, e)) });

            await r.outcome('Put ev-counter', contract.submitTransaction('Put', 'ev-counter', '0'));
            await r.settle();
            const [winner, loser] = await Promise.all([
                contract.newProposal('IncrEmit', { arguments: ['ev-counter', 'incremented'] }).endorse(),
                supplier.newProposal('IncrEmit', { arguments: ['ev-counter', 'incremented'] }).endorse(),
            ]);
            if (!winner || !loser) throw new Error('unreachable');
            r.tx(winner.getTransactionId());
            r.tx(loser.getTransactionId());
            const sw = await winner.submit();
            const sl = await loser.submit();
            const [ws, ls] = await Promise.all([sw.getStatus(), sl.getStatus()]);
            r.record('IncrEmit pair', { codes: [ws.code, ls.code], blocks: [r.block(ws.blockNumber), r.block(ls.blockNumber)] });
            const emitTx = await contract.newProposal('Emit', { arguments: ['once', 'only once'] }).endorse();
            r.tx(emitTx.getTransactionId());
            await (await emitTx.submit()).getStatus();
            await emitTx.submit();
            await emit(contract, 'sentinel', 'end');
            r.record('invalid and duplicate txs deliver no events', {
                events: (await readEvents(r, { startBlock: ws.blockNumber }, (es) => es.some((e) => e.eventName === 'sentinel'))).map((e) => eventObs(r, e)),
            });

            const put = await contract.submitAsync('Put', { arguments: ['no-event', 'x'] });
            r.tx(put.getTransactionId());
            const putStatus = await put.getStatus();
            const cp3 = checkpointers.inMemory();
            await cp3.checkpointTransaction(putStatus.blockNumber, put.getTransactionId());
            const pending3 = readEvents(r, { checkpoint: cp3 }, () => true, 3_000);
            await emit(contract, 'after-put', 'not delivered');
            r.record('resume after a tx without event', { events: (await pending3).map((e) => eventObs(r, e)) });
        },
    },
    {
        name: 'blocks, deliver and qscc',
        async run(r) {
            const network = r.network();
            const contract = r.contract('Brand');
            const supplier = r.contract('Supplier');
            const info0 = await chainInfo(network);
            r.record('chain info at start', { heightIsBase: BigInt(info0.getHeight()) === r.base });
            for (let i = 0; i < 3; i++) await r.outcome(`Put blk-${i}`, contract.submitTransaction('Put', `blk-${i}`, String(i)));
            await r.settle();
            const [a, b] = await Promise.all([
                contract.newProposal('IncrEmit', { arguments: ['blk-counter', 'bumped'] }).endorse(),
                supplier.newProposal('IncrEmit', { arguments: ['blk-counter', 'bumped'] }).endorse(),
            ]);
            if (!a || !b) throw new Error('unreachable');
            r.tx(a.getTransactionId());
            r.tx(b.getTransactionId());
            const sa = await a.submit();
            const sb = await b.submit();
            const [st1, st2] = await Promise.all([sa.getStatus(), sb.getStatus()]);
            r.record('IncrEmit pair', { codes: [st1.code, st2.code], blocks: [r.block(st1.blockNumber), r.block(st2.blockNumber)] });
            await r.settle();
            const info = await chainInfo(network);
            const height = BigInt(info.getHeight());
            const blocks = await blocksFrom(r, r.base, Number(height - r.base));
            r.record('deliver from the scenario start', { blocks: blocks.map((x) => blockShape(r, x)), height: r.block(height) });
            const last = blocks[blocks.length - 1]?.getHeader();
            r.record('chain info hashes', {
                current: last ? Buffer.from(info.getCurrentblockhash_asU8()).equals(Buffer.from(blockHeaderHash(last))) : false,
                previous: last ? Buffer.from(info.getPreviousblockhash_asU8()).equals(Buffer.from(last.getPreviousHash_asU8())) : false,
            });
            // Whole chain: shapes from block 0 (the genesis and the deploys before the scenarios).
            const genesis = (await blocksFrom(r, 0n, 1))[0];
            r.record('genesis block', { types: genesis ? (blockShape(r, genesis) as { types: Json }).types : null, number: genesis?.getHeader()?.getNumber() ?? null });

            const delivered = blocks.find((x) => BigInt(x.getHeader()?.getNumber() ?? 0) === st1.blockNumber);
            const queried = await blockByNumber(network, st1.blockNumber);
            r.record('GetBlockByNumber equals Deliver', { equal: delivered ? Buffer.from(queried.serializeBinary()).equals(Buffer.from(delivered.serializeBinary())) : false });
            const missing = height + 5n;
            try {
                await qscc(network).evaluateTransaction('GetBlockByNumber', CHANNEL, String(missing));
                r.record('GetBlockByNumber past the end', { unexpectedSuccess: true });
            } catch (err) {
                r.record('GetBlockByNumber past the end', { error: JSON.parse(JSON.stringify(r.error(err)).split(String(missing)).join('<n>')) as Json });
            }
            const ok = await processedTx(network, st1.transactionId);
            const bad = await processedTx(network, st2.transactionId);
            r.record('GetTransactionByID', { valid: ok.getValidationcode(), conflicted: bad.getValidationcode() });
            await r.failure('GetTransactionByID unknown', qscc(network).evaluateTransaction('GetTransactionByID', CHANNEL, 'f'.repeat(64)));
            const byTx = common.Block.deserializeBinary(await qscc(network).evaluateTransaction('GetBlockByTxID', CHANNEL, st2.transactionId));
            const header = byTx.getHeader();
            if (!header) throw new Error('no header');
            const byHash = common.Block.deserializeBinary(await qscc(network).newProposal('GetBlockByHash', { arguments: [new TextEncoder().encode(CHANNEL), blockHeaderHash(header)] }).evaluate());
            r.record('GetBlockByTxID / GetBlockByHash', { byTx: r.block(header.getNumber()), byHash: r.block(byHash.getHeader()?.getNumber() ?? 0) });
            await r.failure('GetBlockByTxID unknown', qscc(network).evaluateTransaction('GetBlockByTxID', CHANNEL, 'e'.repeat(64)));
            await r.failure('qscc unknown function', qscc(network).evaluateTransaction('NoSuchQuery', CHANNEL));

            // A non-Reader (the orderer org admin) on Brand's peer.
            const o = r.t.cfg.orderer.org;
            const brand = org(r.t.cfg, 'Brand');
            const p = brand.peers[0];
            if (!p) throw new Error('unreachable');
            const client = new grpc.Client(`127.0.0.1:${p.port}`, grpc.credentials.createSsl(readFileSync(tlsCaCertPath(r.t.cryptoDir, brand))), { 'grpc.ssl_target_name_override': peerHost(brand, p) });
            const mspDir = userMspDir(r.t.cryptoDir, o, 'Admin');
            const file = (dir: string): Buffer => readFileSync(join(mspDir, dir, readdirSync(join(mspDir, dir))[0] ?? ''));
            const stranger = connect({ client, identity: { mspId: o.mspId, credentials: file('signcerts') }, signer: signers.newPrivateKeySigner(createPrivateKey(file('keystore'))), hash: hash.sha256 });
            try {
                await r.failure('qscc GetChainInfo by the orderer admin', qscc(stranger.getNetwork(CHANNEL)).evaluateTransaction('GetChainInfo', CHANNEL));
                await r.failure('kv evaluate by the orderer admin', stranger.getNetwork(CHANNEL).getContract('upoint', 'kv').evaluateTransaction('Get', 'blk-0'));
                await r.failure('kv submit by the orderer admin', stranger.getNetwork(CHANNEL).getContract('upoint', 'kv').submitTransaction('Put', 'stranger', 'x'));
            } finally {
                stranger.close();
                client.close();
            }

            const fbs = await network.getFilteredBlockEvents({ startBlock: st1.blockNumber });
            let fb: peer.FilteredBlock | undefined;
            try {
                for await (const x of fbs) {
                    fb = x;
                    break;
                }
            } finally {
                fbs.close();
            }
            r.record('filtered block', {
                number: fb ? r.block(fb.getNumber()) : null,
                channel: fb?.getChannelId() ?? null,
                txs: (fb?.getFilteredTransactionsList() ?? []).map((t) => ({
                    tx: r.tx(t.getTxid()),
                    type: t.getType(),
                    code: t.getTxValidationCode(),
                    events: (t.getTransactionActions()?.getChaincodeActionsList() ?? []).map((x) => {
                        const e = x.getChaincodeEvent();
                        return { cc: e?.getChaincodeId() ?? null, name: e?.getEventName() ?? null, tx: r.tx(e?.getTxId() ?? ''), payloadLength: e?.getPayload_asU8().length ?? null };
                    }),
                })),
            });
            const block = await blockByNumber(network, st2.blockNumber);
            const i = txIdsOf(block).indexOf(st2.transactionId);
            const env = common.Envelope.deserializeBinary(block.getData()?.getDataList_asU8()[i] ?? new Uint8Array());
            const tx = peer.Transaction.deserializeBinary(common.Payload.deserializeBinary(env.getPayload_asU8()).getData_asU8());
            const cap = peer.ChaincodeActionPayload.deserializeBinary(tx.getActionsList()[0]?.getPayload_asU8() ?? new Uint8Array());
            const prp = peer.ProposalResponsePayload.deserializeBinary(cap.getAction()?.getProposalResponsePayload_asU8() ?? new Uint8Array());
            const action = peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8());
            const event = peer.ChaincodeEvent.deserializeBinary(action.getEvents_asU8());
            const resp = action.getResponse();
            r.record('invalid tx in the full block', {
                filterCode: txFilter(block)[i] ?? null,
                event: { cc: event.getChaincodeId(), name: event.getEventName(), tx: r.tx(event.getTxId()), payload: utf8.decode(event.getPayload_asU8()) },
                chaincodeId: { name: action.getChaincodeId()?.getName() ?? null, version: action.getChaincodeId()?.getVersion() ?? null, path: action.getChaincodeId()?.getPath() ?? null },
                response: { status: resp?.getStatus() ?? null, message: resp?.getMessage() ?? null, payload: utf8.decode(resp?.getPayload_asU8() ?? new Uint8Array()) },
                endorsements: cap.getAction()?.getEndorsementsList().length ?? null,
                rwsetNamespaces: ledger.rwset.TxReadWriteSet.deserializeBinary(action.getResults_asU8()).getNsRwsetList().map((n) => n.getNamespace()),
            });
        },
    },
    {
        name: 'history: newest first, valid only, deletes flagged',
        async run(r) {
            const contract = r.contract('Brand');
            const supplier = r.contract('Supplier');
            const history = async (step: string, key: string) => {
                const raw = JSON.parse(utf8.decode(await contract.evaluateTransaction('History', key))) as Array<{ txId: string; isDelete: boolean; value: string; seconds: string; nanos: number }>;
                r.record(step, { entries: raw.map((m) => ({ tx: r.tx(m.txId), isDelete: m.isDelete, value: m.value, hasTimestamp: Number(m.seconds) > 0 })) });
                return raw;
            };
            await submitStatus(r, contract, 'Put', 'h-1', 'one');
            await submitStatus(r, supplier, 'Put', 'h-1', 'two');
            await submitStatus(r, contract, 'Del', 'h-1');
            await history('Put, Put, Del', 'h-1');
            const t = await submitStatus(r, contract, 'Put', 'h-2', 'stamped');
            const [entry] = await history('one Put', 'h-2');
            const ts = (await processedTx(r.network(), t.txId)).getTransactionenvelope();
            const chdr = ts ? common.ChannelHeader.deserializeBinary(common.Payload.deserializeBinary(ts.getPayload_asU8()).getHeader()?.getChannelHeader_asU8() ?? new Uint8Array()) : undefined;
            r.record('timestamp is the channel header time', { equal: entry?.seconds === String(chdr?.getTimestamp()?.getSeconds()) && entry?.nanos === chdr?.getTimestamp()?.getNanos() });
            await submitStatus(r, contract, 'Put', 'h-3', '0');
            await r.settle();
            const [a, b] = await Promise.all([contract.newProposal('Incr', { arguments: ['h-3'] }).endorse(), supplier.newProposal('Incr', { arguments: ['h-3'] }).endorse()]);
            if (!a || !b) throw new Error('unreachable');
            r.tx(a.getTransactionId());
            r.tx(b.getTransactionId());
            const sa = await a.submit();
            const sb = await b.submit();
            r.record('Incr pair', { codes: [(await sa.getStatus()).code, (await sb.getStatus()).code] });
            await submitStatus(r, contract, 'Del', 'h-3');
            await history('invalid tx leaves no history', 'h-3');
            await history('never written', 'h-never');
            await submitStatus(r, contract, 'Put', 'h-4', 'a');
            await submitStatus(r, contract, 'Del', 'h-4');
            await submitStatus(r, contract, 'Put', 'h-4', 'b');
            await history('write after delete', 'h-4');
            await r.settle();
            const [x, y] = await Promise.all([contract.newProposal('Put', { arguments: ['h-5', 'first'] }).endorse(), supplier.newProposal('Put', { arguments: ['h-5', 'second'] }).endorse()]);
            if (!x || !y) throw new Error('unreachable');
            r.tx(x.getTransactionId());
            r.tx(y.getTransactionId());
            const sx = await x.submit();
            const sy = await y.submit();
            const [stx, sty] = [await sx.getStatus(), await sy.getStatus()];
            r.record('two writes in one block', { blocks: [r.block(stx.blockNumber), r.block(sty.blockNumber)] });
            await history('two writes in one block', 'h-5');
        },
    },
    {
        name: 'undefined chaincode',
        async run(r) {
            await r.failure('Brand evaluate nosuchcc', r.network('Brand').getContract('nosuchcc').evaluateTransaction('Get', 'x'));
            await r.failure('Brand submit nosuchcc', r.network('Brand').getContract('nosuchcc').submitTransaction('Put', 'x', 'y'));
            await r.failure('Regulator evaluate nosuchcc', r.network('Regulator').getContract('nosuchcc').evaluateTransaction('Get', 'x'));
        },
    },
    {
        name: 'chaincode-to-chaincode on one channel',
        async run(r) {
            await r.settle();
            await r.outcome('CallPut other', r.contract('Brand').submitTransaction('CallPut', 'other', 'c2c-key', 'c2c-value'));
            await r.settle();
            r.record('reads', {
                callee: await get(r, 'c2c-key', 'Brand', 'other'),
                callerMarker: await get(r, 'called~c2c-key'),
                calleeMarker: await get(r, 'called~c2c-key', 'Brand', 'other'),
                callerKey: await get(r, 'c2c-key'),
            });
            await r.failure('CallPut missing', r.contract('Bank').submitTransaction('CallPut', 'missing', 'k', 'v'));
        },
    },
    {
        name: 'shim API: ranges, pagination, rich queries, composite keys, key-level policies, transient data, empty values',
        async run(r) {
            const brand = r.contract('Brand');
            const extra = ['bat-z', 'bat-\u00e9', 'bat-\uffff', 'bat-\u{1F600}'];
            await r.settle();
            await r.outcome('PutMany 150 + UTF-8 keys', brand.submitTransaction('PutMany', 'bat-', '150', JSON.stringify(extra)));
            await r.settle();
            const range = await brand.evaluateTransaction('RangeKeys', 'bat-', 'bat.');
            const parsed = JSON.parse(utf8.decode(range)) as { count: number; keys: string[] };
            r.record('range of 154 keys (batches of 100), bytewise order', { count: parsed.count, first: parsed.keys.slice(0, 2), last: parsed.keys.slice(-5) });
            await r.outcome('range with end before start', brand.evaluateTransaction('RangeKeys', 'bat-9', 'bat-0'));
            const page1 = await r.outcome('page 1 (40)', brand.evaluateTransaction('PagedRange', 'bat-', 'bat.', '40', ''));
            const bookmark = page1 ? (JSON.parse(utf8.decode(page1)) as { bookmark: string }).bookmark : '';
            await r.outcome('page 2 from the bookmark', brand.evaluateTransaction('PagedRange', 'bat-', 'bat.', '40', bookmark));
            await r.outcome('last page', brand.evaluateTransaction('PagedRange', 'bat-', 'bat.', '200', 'bat-149'));
            await r.failure('paginated query after a write (evaluate)', brand.evaluateTransaction('PagedAfterWrite', 'paged-w'));
            await r.failure('write after a paginated query (submit)', brand.submitTransaction('WriteAfterPaged', 'paged-w'));
            await r.failure('rich query on LevelDB', brand.evaluateTransaction('RichQuery', '{"selector":{}}'));
            await r.outcome('own writes invisible', brand.evaluateTransaction('PutThenGet', 'ptg', 'mine'));
            for (const [attrs, v] of [[['red', '1'], 'r1'], [['red', '2'], 'r2'], [['blue', '1'], 'b1']] as const) {
                await r.outcome(`PutComposite ${attrs.join('/')}`, brand.submitTransaction('PutComposite', 'color', JSON.stringify(attrs), v));
            }
            await r.settle();
            await r.outcome('partial composite color/red', brand.evaluateTransaction('PartialComposite', 'color', JSON.stringify(['red'])));
            await r.outcome('partial composite color', brand.evaluateTransaction('PartialComposite', 'color', '[]'));
            await r.outcome('simple range does not show composite keys', brand.evaluateTransaction('RangeKeys', '', 'bat-'));

            await r.outcome('Put sbe-key', brand.submitTransaction('Put', 'sbe-key', 'v0'));
            await r.settle();
            await r.outcome('SetKeyPolicy sbe-key BankMSP', brand.submitTransaction('SetKeyPolicy', 'sbe-key', JSON.stringify(['BankMSP'])));
            await r.settle();
            await r.outcome('GetKeyPolicyOrgs sbe-key', brand.evaluateTransaction('GetKeyPolicyOrgs', 'sbe-key'));
            await r.failure('Put sbe-key endorsed by Brand+Supplier', brand.submit('Put', { arguments: ['sbe-key', 'v1'], endorsingOrganizations: ['BrandMSP', 'SupplierMSP'] }));
            await r.settle();
            await r.outcome('Put sbe-key, gateway picks endorsers', brand.submitTransaction('Put', 'sbe-key', 'v2'));
            await r.settle();
            await r.outcome('Get sbe-key', brand.evaluateTransaction('Get', 'sbe-key'));
            await r.outcome('GetKeyPolicyOrgs after a put', brand.evaluateTransaction('GetKeyPolicyOrgs', 'sbe-key'));

            await r.outcome('evaluate with transient data', brand.evaluate('Transient', { transientData: { secret: 'hidden' } }));
            await r.outcome('Supplier evaluate with transient data', r.contract('Supplier').evaluate('Transient', { transientData: { secret: 'x' } }));
            await r.outcome('submit with transient data', brand.submit('Transient', { transientData: { secret: 'hidden' } }));
            await r.outcome('history inside an update', brand.submitTransaction('PutThenHistory', 'pth', 'v'));
            await r.failure('private data without a collection', brand.submitTransaction('PrivatePut', 'nocoll', 'k', 'v'));
            await r.outcome('arguments', brand.evaluateTransaction('Args', 'a', '', '\u00fc'));

            await r.outcome('Put empty-key x', brand.submitTransaction('Put', 'empty-key', 'x'));
            await r.outcome('Put empty-key empty value', brand.submitTransaction('Put', 'empty-key', ''));
            await r.settle();
            await r.outcome('Get empty-key', brand.evaluateTransaction('Get', 'empty-key'));
            const h = JSON.parse(utf8.decode(await brand.evaluateTransaction('History', 'empty-key'))) as Array<{ isDelete: boolean; value: string }>;
            r.record('history of empty-key', { entries: h.map((m) => ({ isDelete: m.isDelete, value: m.value })) });
        },
    },
    {
        name: 'U-Point chaincode smoke (membership)',
        async run(r) {
            const membership = (o: string, user: 'Admin' | 'User1' = 'User1') => r.contract(o, user, UPOINT_CC, 'membership');
            await r.outcome('Brand Admin Bootstrap', membership('Brand', 'Admin').submitTransaction('Bootstrap', MEMBERS_JSON));
            await r.settle();
            for (const o of [...MEMBERS, 'Regulator']) await r.outcome(`${o} ListMembers`, membership(o).evaluateTransaction('ListMembers'));
            await r.failure('second Bootstrap', membership('Brand', 'Admin').submitTransaction('Bootstrap', MEMBERS_JSON));
            await r.failure('Regulator ProposeChange', membership('Regulator').submitTransaction('ProposeChange', 'reg-1', JSON.stringify({ action: 'REMOVE', mspId: 'BankMSP' })));
            const change = JSON.stringify({ action: 'UPDATE', member: { mspId: 'BankMSP', name: 'Bank', roles: ['FINANCIER', 'RETAILER'] } });
            const submitted = await (await membership('Brand').newProposal('ProposeChange', { arguments: ['req-42', change] }).endorse()).submit();
            r.tx(submitted.getTransactionId());
            const st = await submitted.getStatus();
            const proposal = JSON.parse(utf8.decode(submitted.getResult())) as { id: string; status: string };
            r.record('ProposeChange req-42', { code: st.code, result: utf8.decode(submitted.getResult()) });
            await r.settle();
            await r.failure('duplicate request id', membership('Brand').submitTransaction('ProposeChange', 'req-42', change));
            await r.outcome('Supplier ApproveChange', membership('Supplier').submitTransaction('ApproveChange', 'req-43', proposal.id));
            await r.settle();
            await r.outcome('Regulator GetMember BankMSP', membership('Regulator').evaluateTransaction('GetMember', 'BankMSP'));
            await r.outcome('GetProposal', membership('Bank').evaluateTransaction('GetProposal', proposal.id));
            await r.failure('GetMember unknown', membership('Bank').evaluateTransaction('GetMember', 'NoSuchMSP'));
        },
    },
];

export { UPOINT_CC };
