// Tests for committer/txvalidator.ts (mirrors core/committer/txvalidator/v20/validator.go, core/common/validation/msgvalidation.go,
// v20/plugindispatcher/dispatcher.go, core/common/validation/statebased/ and txmgmt/validation/validator.go).
// Raw envelopes: the real client always signs correctly and collects enough endorsements, so these cases need hand-made txs.
import { RangeQueryResultsHelper } from '../chaincode/rangequeryhelper';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { common, ledger as lproto, msp as mspproto, peer } from '@hyperledger/fabric-protos';
import { loadNetworkConfig, type NetworkConfig } from '../config/network';
import { MemState } from '../chaincode/memstate';
import { generateCrypto, nodeMspDir, peerDir, userMspDir } from '../msp/cryptogen';
import { mspManagerFromCrypto, type MspManager } from '../msp/msp';
import { loadSigningIdentity, type SigningIdentity } from '../msp/signer';
import { buildPolicyManager, type PolicyManager } from '../policies/manager';
import { policyFromString } from '../policies/policydsl';
import { newBlock } from '../orderer/blockwriter';
import * as lifecycle from '../lifecycle/lifecycle';
import type { KeyWrite } from '../ledger/types';
import { TxValidationCode, computeTxId, concat, newEndorserTransaction, nowTimestamp, proposalHashFromTx, validationCodeName } from '../protoutil';
import { validateBlock, type BlockValidation, type ValidatorContext } from './txvalidator';

const cfg: NetworkConfig = loadNetworkConfig(join(__dirname, '../../../upoint.network.yaml'));
const CH = cfg.channel;
const CC = cfg.chaincode.name;
let dir: string;
let msps: MspManager;
let policies: PolicyManager;
const state = new MemState();
const ids: Record<string, SigningIdentity> = {};

const id = (name: string): SigningIdentity => {
    const s = ids[name];
    if (s === undefined) throw new Error(`no identity ${name}`);
    return s;
};
const sbePolicy = (dsl: string): Uint8Array => policyFromString(dsl).serializeBinary();
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

/** Writes a chaincode definition through lifecycle.approve + commit over a map-backed LifecycleState, then applies it. */
async function define(name: string, policy: peer.ApplicationPolicy, version: { block: number; tx: number }): Promise<void> {
    const pending = new Map<string, Uint8Array>();
    const snap = state.snapshot();
    const ls: lifecycle.LifecycleState = {
        getState: async (ns, k) => pending.get(`${ns}\u0000${k}`) ?? (await snap.get(ns, k))?.value,
        putState: (ns, k, v) => void pending.set(`${ns}\u0000${k}`, v),
    };
    const approve = new peer.lifecycle.ApproveChaincodeDefinitionForMyOrgArgs();
    approve.setName(name);
    approve.setVersion('1.0');
    approve.setSequence(1);
    approve.setValidationParameter(policy.serializeBinary());
    await lifecycle.approve(ls, 'BrandMSP', approve);
    const commit = new peer.lifecycle.CommitChaincodeDefinitionArgs();
    commit.setName(name);
    commit.setVersion('1.0');
    commit.setSequence(1);
    commit.setValidationParameter(policy.serializeBinary());
    await lifecycle.commit(ls, 'BrandMSP', cfg.orgs.map((o) => o.mspId), commit);
    await snap.close();
    const writes: KeyWrite[] = [...pending].map(([k, value]) => {
        const [namespace = '', key = ''] = k.split('\u0000');
        return { namespace, key, value };
    });
    state.apply(writes, { blockNum: BigInt(version.block), txNum: version.tx });
}

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'devnet-txvalidator-'));
    await generateCrypto(cfg, dir);
    msps = mspManagerFromCrypto(cfg, dir);
    policies = buildPolicyManager(cfg, msps);
    for (const o of cfg.orgs) {
        const p0 = o.peers[0];
        if (p0 === undefined) throw new Error('no peer');
        ids[`${o.name}.peer`] = loadSigningIdentity(o.mspId, nodeMspDir(peerDir(dir, o, p0)));
        ids[`${o.name}.user`] = loadSigningIdentity(o.mspId, userMspDir(dir, o, 'User1'));
    }

    // upoint: the network's 2-of-3 policy; refcc: a reference to /Channel/Application/Endorsement (MAJORITY of 4 orgs).
    const ap = new peer.ApplicationPolicy();
    ap.setSignaturePolicy(policyFromString(cfg.chaincode.endorsementPolicy));
    await define(CC, ap, { block: 1, tx: 0 });
    const ref = new peer.ApplicationPolicy();
    ref.setChannelConfigPolicyReference('/Channel/Application/Endorsement');
    await define('refcc', ref, { block: 1, tx: 1 });

    // Chaincode state at block 2; `sbe` carries a key-level policy (Bank's peer alone).
    state.apply(
        [
            { namespace: CC, key: 'a', value: bytes('1') },
            { namespace: CC, key: 'b', value: bytes('2') },
            { namespace: CC, key: 'r1', value: bytes('r1') },
            { namespace: CC, key: 'r3', value: bytes('r3') },
        ],
        { blockNum: 2n, txNum: 0 },
    );
    state.apply(
        [{ namespace: CC, key: 'sbe', value: bytes('s'), metadata: new Map([['VALIDATION_PARAMETER', sbePolicy("OR('BankMSP.peer')")]]) }],
        { blockNum: 2n, txNum: 1 },
    );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ---- transaction builder ------------------------------------------------------------------------

type Ver = readonly [number, number];
interface NsSpec {
    readonly ns: string;
    readonly reads?: ReadonlyArray<{ readonly key: string; readonly version?: Ver }>;
    readonly writes?: ReadonlyArray<{ readonly key: string; readonly value?: string; readonly isDelete?: boolean }>;
    readonly ranges?: ReadonlyArray<{
        readonly start: string;
        readonly end: string;
        readonly exhausted: boolean;
        readonly reads: ReadonlyArray<{ readonly key: string; readonly version: Ver }>;
        /** Record the reads as a Merkle summary of this degree (as the simulator does past 50 reads). */
        readonly merkleDegree?: number;
    }>;
}

interface TxOpts {
    readonly creator?: SigningIdentity;
    /** serialized creator override (e.g. an unknown MSP id with a valid cert) */
    readonly creatorBytes?: Uint8Array;
    readonly channelId?: string;
    /** chaincode named in the ChannelHeader extension */
    readonly chaincode?: string;
    /** chaincode named in the ChaincodeAction (defaults to `chaincode`) */
    readonly actionChaincode?: string;
    readonly version?: string;
    readonly rwset?: readonly NsSpec[];
    readonly endorsers?: readonly SigningIdentity[];
    /** indexes of endorsements whose signature is corrupted */
    readonly badEndorsements?: readonly number[];
    readonly eventChaincode?: string;
    readonly txId?: string;
    readonly nonce?: Uint8Array;
    readonly badEnvelopeSignature?: boolean;
    readonly badProposalHash?: boolean;
    readonly twoActions?: boolean;
}

interface BuiltTx {
    readonly txId: string;
    readonly bytes: Uint8Array;
}

function kvVersion(v: Ver): lproto.rwset.kvrwset.Version {
    const out = new lproto.rwset.kvrwset.Version();
    out.setBlockNum(v[0]);
    out.setTxNum(v[1]);
    return out;
}

function kvRead(r: { readonly key: string; readonly version?: Ver }): lproto.rwset.kvrwset.KVRead {
    const out = new lproto.rwset.kvrwset.KVRead();
    out.setKey(r.key);
    if (r.version) out.setVersion(kvVersion(r.version));
    return out;
}

function rwsetBytes(spec: readonly NsSpec[]): Uint8Array {
    const tx = new lproto.rwset.TxReadWriteSet();
    tx.setDataModel(lproto.rwset.TxReadWriteSet.DataModel.KV);
    tx.setNsRwsetList(
        spec.map((s) => {
            const kv = new lproto.rwset.kvrwset.KVRWSet();
            kv.setReadsList((s.reads ?? []).map(kvRead));
            kv.setWritesList(
                (s.writes ?? []).map((w) => {
                    const kw = new lproto.rwset.kvrwset.KVWrite();
                    kw.setKey(w.key);
                    kw.setIsDelete(w.isDelete ?? false);
                    if (w.value !== undefined) kw.setValue(bytes(w.value));
                    return kw;
                }),
            );
            kv.setRangeQueriesInfoList(
                (s.ranges ?? []).map((r) => {
                    const rq = new lproto.rwset.kvrwset.RangeQueryInfo();
                    rq.setStartKey(r.start);
                    rq.setEndKey(r.end);
                    rq.setItrExhausted(r.exhausted);
                    if (r.merkleDegree !== undefined) {
                        const helper = new RangeQueryResultsHelper(r.merkleDegree);
                        for (const read of r.reads) helper.add(kvRead(read));
                        helper.fill(rq);
                        return rq;
                    }
                    const qr = new lproto.rwset.kvrwset.QueryReads();
                    qr.setKvReadsList(r.reads.map(kvRead));
                    rq.setRawReads(qr);
                    return rq;
                }),
            );
            const ns = new lproto.rwset.NsReadWriteSet();
            ns.setNamespace(s.ns);
            ns.setRwset(kv.serializeBinary());
            return ns;
        }),
    );
    return tx.serializeBinary();
}

/** An endorser transaction as the gateway assembles it: proposal headers, one action, endorsements over prp ‖ endorser. */
function tx(o: TxOpts = {}): BuiltTx {
    const creator = o.creator ?? id('Brand.user');
    const creatorBytes = o.creatorBytes ?? creator.serialized();
    const chaincode = o.chaincode ?? CC;
    const nonce = o.nonce ?? new Uint8Array(randomBytes(24));
    const txId = o.txId ?? computeTxId(nonce, creatorBytes);

    const ccid = new peer.ChaincodeID();
    ccid.setName(chaincode);
    const ext = new peer.ChaincodeHeaderExtension();
    ext.setChaincodeId(ccid);
    const chdr = new common.ChannelHeader();
    chdr.setType(common.HeaderType.ENDORSER_TRANSACTION);
    chdr.setChannelId(o.channelId ?? CH);
    chdr.setTxId(txId);
    chdr.setTimestamp(nowTimestamp(1_700_000_000_000));
    chdr.setExtension$(ext.serializeBinary());
    const shdr = new common.SignatureHeader();
    shdr.setCreator(creatorBytes);
    shdr.setNonce(nonce);
    const header = new common.Header();
    header.setChannelHeader(chdr.serializeBinary());
    header.setSignatureHeader(shdr.serializeBinary());

    const input = new peer.ChaincodeInput();
    input.setArgsList([bytes('fn'), bytes(txId)]);
    const spec = new peer.ChaincodeSpec();
    spec.setChaincodeId(ccid);
    spec.setInput(input);
    const cis = new peer.ChaincodeInvocationSpec();
    cis.setChaincodeSpec(spec);
    const cpp = new peer.ChaincodeProposalPayload();
    cpp.setInput(cis.serializeBinary());
    const cppBytes = cpp.serializeBinary();

    const action = new peer.ChaincodeAction();
    action.setResults(rwsetBytes(o.rwset ?? [{ ns: CC, writes: [{ key: 'new', value: 'v' }] }]));
    const response = new peer.Response();
    response.setStatus(200);
    action.setResponse(response);
    const actionId = new peer.ChaincodeID();
    actionId.setName(o.actionChaincode ?? chaincode);
    actionId.setVersion(o.version ?? '1.0');
    action.setChaincodeId(actionId);
    if (o.eventChaincode !== undefined) {
        const ev = new peer.ChaincodeEvent();
        ev.setChaincodeId(o.eventChaincode);
        ev.setTxId(txId);
        ev.setEventName('Event');
        action.setEvents(ev.serializeBinary());
    }
    const prp = new peer.ProposalResponsePayload();
    const hash = proposalHashFromTx(header, cppBytes);
    if (o.badProposalHash) hash[0] = (hash[0] ?? 0) ^ 0xff;
    prp.setProposalHash(hash);
    prp.setExtension$(action.serializeBinary());
    const prpBytes = prp.serializeBinary();

    const endorsements = (o.endorsers ?? [id('Brand.peer'), id('Supplier.peer')]).map((e, i) => {
        const en = new peer.Endorsement();
        en.setEndorser(e.serialized());
        const sig = e.sign(concat(prpBytes, e.serialized()));
        if (o.badEndorsements?.includes(i)) en.setSignature(e.sign(bytes('something else')));
        else en.setSignature(sig);
        return en;
    });
    let env = newEndorserTransaction(header, cppBytes, prpBytes, endorsements, creator);
    if (o.twoActions) {
        const payload = common.Payload.deserializeBinary(env.getPayload_asU8());
        const t = peer.Transaction.deserializeBinary(payload.getData_asU8());
        const first = t.getActionsList()[0];
        if (!first) throw new Error('no action');
        t.setActionsList([first, first]);
        payload.setData(t.serializeBinary());
        env = new common.Envelope();
        env.setPayload(payload.serializeBinary());
        env.setSignature(creator.sign(env.getPayload_asU8()));
    }
    if (o.badEnvelopeSignature) env.setSignature(creator.sign(bytes('not the payload')));
    return { txId, bytes: env.serializeBinary() };
}

function context(committed: ReadonlySet<string> = new Set()): ValidatorContext {
    return {
        channelId: CH,
        msps,
        policies,
        orgName: (m) => cfg.orgs.find((o) => o.mspId === m)?.name,
        snapshot: state.snapshot(),
        txIdCommitted: async (t) => committed.has(t),
    };
}

async function validate(envs: ReadonlyArray<BuiltTx | Uint8Array>, committed?: ReadonlySet<string>): Promise<BlockValidation> {
    const ctx = context(committed);
    try {
        return await validateBlock(ctx, newBlock(3, new Uint8Array(32), envs.map((e) => (e instanceof Uint8Array ? e : e.bytes))));
    } finally {
        await ctx.snapshot.close();
    }
}

/** The codes of a block, by name for readable failures. */
async function codes(envs: ReadonlyArray<BuiltTx | Uint8Array>, committed?: ReadonlySet<string>): Promise<string[]> {
    return (await validate(envs, committed)).codes.map(validationCodeName);
}

const name = validationCodeName;

// ---- tests --------------------------------------------------------------------------------------

describe('envelope and header checks (msgvalidation.go)', () => {
    it('a well-formed tx endorsed by 2 of the 3 member orgs is VALID and its writes are the update', async () => {
        const t = tx({ rwset: [{ ns: CC, reads: [{ key: 'a', version: [2, 0] }], writes: [{ key: 'a', value: 'x' }, { key: 'gone', isDelete: true }] }] });
        const v = await validate([t]);
        expect(v.codes).toEqual([TxValidationCode.VALID]);
        expect(v.txIds).toEqual([t.txId]);
        expect(v.updates).toHaveLength(1);
        const u = v.updates[0];
        expect(u?.txNum).toBe(0);
        expect(u?.txId).toBe(t.txId);
        expect(u?.timestamp).toEqual({ seconds: 1_700_000_000n, nanos: 0 });
        expect(u?.writes).toEqual([
            expect.objectContaining({ namespace: CC, key: 'a', value: bytes('x') }),
            expect.objectContaining({ namespace: CC, key: 'gone', value: undefined }),
        ]);
    });

    it('an empty data entry is BAD_COMMON_HEADER (3): it unmarshals to an empty Envelope, as in Go', async () => {
        expect(await codes([new Uint8Array(0)])).toEqual([name(TxValidationCode.BAD_COMMON_HEADER)]);
        expect(TxValidationCode.BAD_COMMON_HEADER).toBe(3);
    });

    it('bytes that are not an Envelope are INVALID_OTHER_REASON (255)', async () => {
        expect(await codes([Uint8Array.from([0xff, 0xff, 0xff])])).toEqual([name(TxValidationCode.INVALID_OTHER_REASON)]);
    });

    it('a payload that does not unmarshal is BAD_PAYLOAD (2)', async () => {
        const env = new common.Envelope();
        env.setPayload(Uint8Array.from([0x0a, 0x05, 0x01]));
        env.setSignature(Uint8Array.from([1]));
        expect(await codes([env.serializeBinary()])).toEqual([name(TxValidationCode.BAD_PAYLOAD)]);
        expect(TxValidationCode.BAD_PAYLOAD).toBe(2);
    });

    it('an envelope signature over other bytes is BAD_CREATOR_SIGNATURE (4)', async () => {
        expect(await codes([tx({ badEnvelopeSignature: true })])).toEqual([name(TxValidationCode.BAD_CREATOR_SIGNATURE)]);
        expect(TxValidationCode.BAD_CREATOR_SIGNATURE).toBe(4);
    });

    it('a creator of an MSP unknown to the channel is BAD_CREATOR_SIGNATURE (4)', async () => {
        const sid = new mspproto.SerializedIdentity();
        sid.setMspid('NoSuchMSP');
        sid.setIdBytes(Buffer.from(id('Brand.user').certPem));
        expect(await codes([tx({ creatorBytes: sid.serializeBinary() })])).toEqual([name(TxValidationCode.BAD_CREATOR_SIGNATURE)]);
    });

    it('a txid that is not hex(SHA-256(nonce ‖ creator)) is BAD_PROPOSAL_TXID (8)', async () => {
        expect(await codes([tx({ txId: 'f'.repeat(64) })])).toEqual([name(TxValidationCode.BAD_PROPOSAL_TXID)]);
        expect(TxValidationCode.BAD_PROPOSAL_TXID).toBe(8);
    });

    it('a proposal hash that does not match the headers and payload is INVALID_ENDORSER_TRANSACTION (5)', async () => {
        expect(await codes([tx({ badProposalHash: true })])).toEqual([name(TxValidationCode.INVALID_ENDORSER_TRANSACTION)]);
        expect(TxValidationCode.INVALID_ENDORSER_TRANSACTION).toBe(5);
    });

    it('a transaction with two actions is INVALID_ENDORSER_TRANSACTION (5)', async () => {
        expect(await codes([tx({ twoActions: true })])).toEqual([name(TxValidationCode.INVALID_ENDORSER_TRANSACTION)]);
    });

    it('a tx for another channel is TARGET_CHAIN_NOT_FOUND (14)', async () => {
        expect(await codes([tx({ channelId: 'otherchannel' })])).toEqual([name(TxValidationCode.TARGET_CHAIN_NOT_FOUND)]);
        expect(TxValidationCode.TARGET_CHAIN_NOT_FOUND).toBe(14);
    });
});

describe('duplicate txids (validator.go checkTxIdDupsLedger, markTXIdDuplicates)', () => {
    it('a txid already in the ledger is DUPLICATE_TXID (9)', async () => {
        const t = tx();
        expect(await codes([t], new Set([t.txId]))).toEqual([name(TxValidationCode.DUPLICATE_TXID)]);
        expect(TxValidationCode.DUPLICATE_TXID).toBe(9);
    });

    it('the same tx twice in one block: the first is VALID, the second DUPLICATE_TXID, and only the first writes', async () => {
        const t = tx();
        const v = await validate([t, t]);
        expect(v.codes.map(name)).toEqual([name(TxValidationCode.VALID), name(TxValidationCode.DUPLICATE_TXID)]);
        expect(v.updates.map((u) => u.txNum)).toEqual([0]);
    });

    it('an invalid first occurrence does not make a later valid one a duplicate', async () => {
        const nonce = new Uint8Array(randomBytes(24));
        const bad = tx({ nonce, endorsers: [id('Brand.peer')] });
        const good = tx({ nonce });
        expect(bad.txId).toBe(good.txId);
        expect(await codes([bad, good])).toEqual([name(TxValidationCode.ENDORSEMENT_POLICY_FAILURE), name(TxValidationCode.VALID)]);
    });

    it('duplicates are marked before MVCC: a winner that then conflicts still makes the copy a duplicate', async () => {
        const t = tx({ rwset: [{ ns: CC, reads: [{ key: 'a', version: [1, 0] }], writes: [{ key: 'a', value: 'x' }] }] });
        expect(await codes([t, t])).toEqual([name(TxValidationCode.MVCC_READ_CONFLICT), name(TxValidationCode.DUPLICATE_TXID)]);
    });
});

describe('endorsement policy (dispatcher.go, builtin v20 plugin)', () => {
    it('one of the 2-of-3 orgs is ENDORSEMENT_POLICY_FAILURE (10)', async () => {
        expect(await codes([tx({ endorsers: [id('Brand.peer')] })])).toEqual([name(TxValidationCode.ENDORSEMENT_POLICY_FAILURE)]);
        expect(TxValidationCode.ENDORSEMENT_POLICY_FAILURE).toBe(10);
    });

    it('any two of the three member orgs pass', async () => {
        expect(await codes([tx({ endorsers: [id('Supplier.peer'), id('Bank.peer')] }), tx({ endorsers: [id('Bank.peer'), id('Brand.peer')] })])).toEqual([
            name(TxValidationCode.VALID),
            name(TxValidationCode.VALID),
        ]);
    });

    it("a regulator peer's endorsement does not count", async () => {
        expect(await codes([tx({ endorsers: [id('Brand.peer'), id('Regulator.peer')] })])).toEqual([name(TxValidationCode.ENDORSEMENT_POLICY_FAILURE)]);
    });

    it('client identities do not satisfy a .peer policy', async () => {
        expect(await codes([tx({ endorsers: [id('Brand.user'), id('Supplier.user')] })])).toEqual([name(TxValidationCode.ENDORSEMENT_POLICY_FAILURE)]);
    });

    it('an endorsement with a bad signature is dropped', async () => {
        expect(await codes([tx({ badEndorsements: [1] })])).toEqual([name(TxValidationCode.ENDORSEMENT_POLICY_FAILURE)]);
        // the same org twice counts once
        expect(await codes([tx({ endorsers: [id('Brand.peer'), id('Brand.peer')] })])).toEqual([name(TxValidationCode.ENDORSEMENT_POLICY_FAILURE)]);
    });

    it('a read-only invoke is still checked against the invoked chaincode policy', async () => {
        const ro: NsSpec[] = [{ ns: CC, reads: [{ key: 'a', version: [2, 0] }] }];
        expect(await codes([tx({ rwset: ro, endorsers: [id('Brand.peer')] }), tx({ rwset: ro })])).toEqual([
            name(TxValidationCode.ENDORSEMENT_POLICY_FAILURE),
            name(TxValidationCode.VALID),
        ]);
    });

    it('a channel policy reference is resolved (MAJORITY Endorsement of 4 orgs needs 3)', async () => {
        const w: NsSpec[] = [{ ns: 'refcc', writes: [{ key: 'k', value: 'v' }] }];
        expect(
            await codes([
                tx({ chaincode: 'refcc', rwset: w }),
                tx({ chaincode: 'refcc', rwset: w, endorsers: [id('Brand.peer'), id('Supplier.peer'), id('Regulator.peer')] }),
            ]),
        ).toEqual([name(TxValidationCode.ENDORSEMENT_POLICY_FAILURE), name(TxValidationCode.VALID)]);
    });

    it("every written namespace's policy applies, not only the invoked chaincode's", async () => {
        // invoked upoint (2 of 3 satisfied) also writes refcc (needs 3 of 4)
        const rw: NsSpec[] = [
            { ns: CC, writes: [{ key: 'k', value: 'v' }] },
            { ns: 'refcc', writes: [{ key: 'k', value: 'v' }] },
        ];
        expect(await codes([tx({ rwset: rw })])).toEqual([name(TxValidationCode.ENDORSEMENT_POLICY_FAILURE)]);
        expect(await codes([tx({ rwset: rw, endorsers: [id('Brand.peer'), id('Supplier.peer'), id('Bank.peer')] })])).toEqual([name(TxValidationCode.VALID)]);
    });

    describe('state-based endorsement (statebased/validator_keylevel.go)', () => {
        const writeSbe: NsSpec[] = [{ ns: CC, writes: [{ key: 'sbe', value: 'new' }] }];

        it("a key with VALIDATION_PARAMETER passes with the key policy's org alone", async () => {
            expect(await codes([tx({ rwset: writeSbe, endorsers: [id('Bank.peer')] })])).toEqual([name(TxValidationCode.VALID)]);
        });

        it('the chaincode policy does not stand in for the key policy', async () => {
            expect(await codes([tx({ rwset: writeSbe, endorsers: [id('Brand.peer'), id('Supplier.peer')] })])).toEqual([
                name(TxValidationCode.ENDORSEMENT_POLICY_FAILURE),
            ]);
        });

        it('a tx writing an SBE key and a plain key needs both policies', async () => {
            const both: NsSpec[] = [{ ns: CC, writes: [{ key: 'sbe', value: 'n' }, { key: 'plain', value: 'p' }] }];
            expect(await codes([tx({ rwset: both, endorsers: [id('Bank.peer')] })])).toEqual([name(TxValidationCode.ENDORSEMENT_POLICY_FAILURE)]);
            expect(await codes([tx({ rwset: both, endorsers: [id('Bank.peer'), id('Brand.peer')] })])).toEqual([name(TxValidationCode.VALID)]);
        });
    });
});

describe('dispatcher checks (plugindispatcher/dispatcher.go)', () => {
    it('duplicate namespace in the rwset is ILLEGAL_WRITESET (23)', async () => {
        const rw: NsSpec[] = [
            { ns: CC, writes: [{ key: 'k1', value: 'v' }] },
            { ns: CC, writes: [{ key: 'k2', value: 'v' }] },
        ];
        expect(await codes([tx({ rwset: rw })])).toEqual([name(TxValidationCode.ILLEGAL_WRITESET)]);
        expect(TxValidationCode.ILLEGAL_WRITESET).toBe(23);
    });

    it('a chaincode without a definition is INVALID_CHAINCODE (25)', async () => {
        expect(await codes([tx({ chaincode: 'nosuchcc', rwset: [{ ns: 'nosuchcc', writes: [{ key: 'k', value: 'v' }] }] })])).toEqual([
            name(TxValidationCode.INVALID_CHAINCODE),
        ]);
        // also when a defined chaincode writes to an undefined namespace
        expect(await codes([tx({ rwset: [{ ns: 'nosuchcc', writes: [{ key: 'k', value: 'v' }] }] })])).toEqual([name(TxValidationCode.INVALID_CHAINCODE)]);
        expect(TxValidationCode.INVALID_CHAINCODE).toBe(25);
    });

    it('a ChaincodeAction naming another chaincode than the header is INVALID_CHAINCODE (25)', async () => {
        expect(await codes([tx({ actionChaincode: 'refcc' })])).toEqual([name(TxValidationCode.INVALID_CHAINCODE)]);
    });

    it('an empty chaincode version is INVALID_CHAINCODE (25)', async () => {
        expect(await codes([tx({ version: '' })])).toEqual([name(TxValidationCode.INVALID_CHAINCODE)]);
    });

    it('an event naming another chaincode is INVALID_OTHER_REASON (255)', async () => {
        expect(await codes([tx({ eventChaincode: 'refcc' }), tx({ eventChaincode: CC })])).toEqual([
            name(TxValidationCode.INVALID_OTHER_REASON),
            name(TxValidationCode.VALID),
        ]);
        expect(TxValidationCode.INVALID_OTHER_REASON).toBe(255);
    });
});

describe('MVCC and phantom reads in block order (txmgmt/validation/validator.go)', () => {
    it('a stale read version is MVCC_READ_CONFLICT (11)', async () => {
        expect(await codes([tx({ rwset: [{ ns: CC, reads: [{ key: 'a', version: [1, 0] }], writes: [{ key: 'a', value: 'x' }] }] })])).toEqual([
            name(TxValidationCode.MVCC_READ_CONFLICT),
        ]);
        expect(TxValidationCode.MVCC_READ_CONFLICT).toBe(11);
    });

    it('a read of an absent key conflicts when the key now exists', async () => {
        expect(await codes([tx({ rwset: [{ ns: CC, reads: [{ key: 'a' }], writes: [{ key: 'a', value: 'x' }] }] })])).toEqual([
            name(TxValidationCode.MVCC_READ_CONFLICT),
        ]);
        // and is fine while it is still absent
        expect(await codes([tx({ rwset: [{ ns: CC, reads: [{ key: 'never' }], writes: [{ key: 'never', value: 'x' }] }] })])).toEqual([
            name(TxValidationCode.VALID),
        ]);
    });

    it('a read of an existing key recorded with a version conflicts when the key is gone', async () => {
        expect(await codes([tx({ rwset: [{ ns: CC, reads: [{ key: 'missing', version: [2, 0] }] }] })])).toEqual([name(TxValidationCode.MVCC_READ_CONFLICT)]);
    });

    it('a key written by an earlier valid tx of the same block conflicts, even when the read version is current', async () => {
        const w = tx({ rwset: [{ ns: CC, writes: [{ key: 'b', value: 'new' }] }] });
        const r = tx({ rwset: [{ ns: CC, reads: [{ key: 'b', version: [2, 0] }], writes: [{ key: 'c', value: 'x' }] }] });
        const v = await validate([w, r]);
        expect(v.codes.map(name)).toEqual([name(TxValidationCode.VALID), name(TxValidationCode.MVCC_READ_CONFLICT)]);
        expect(v.updates.map((u) => u.txNum)).toEqual([0]);
        // a delete by an earlier tx conflicts too
        const d = tx({ rwset: [{ ns: CC, writes: [{ key: 'b', isDelete: true }] }] });
        expect(await codes([d, r])).toEqual([name(TxValidationCode.VALID), name(TxValidationCode.MVCC_READ_CONFLICT)]);
    });

    it('a range whose raw reads differ from committed state is PHANTOM_READ_CONFLICT (12)', async () => {
        const range = (reads: ReadonlyArray<{ key: string; version: Ver }>): NsSpec[] => [{ ns: CC, ranges: [{ start: 'r0', end: 'r9', exhausted: true, reads }] }];
        expect(
            await codes([
                tx({ rwset: range([{ key: 'r1', version: [2, 0] }, { key: 'r3', version: [2, 0] }]) }),
                tx({ rwset: range([{ key: 'r1', version: [2, 0] }]) }),
                tx({ rwset: range([{ key: 'r1', version: [2, 0] }, { key: 'r3', version: [1, 5] }]) }),
                tx({ rwset: range([{ key: 'r1', version: [2, 0] }, { key: 'r2', version: [2, 0] }, { key: 'r3', version: [2, 0] }]) }),
            ]),
        ).toEqual([name(TxValidationCode.VALID), name(TxValidationCode.PHANTOM_READ_CONFLICT), name(TxValidationCode.PHANTOM_READ_CONFLICT), name(TxValidationCode.PHANTOM_READ_CONFLICT)]);
        expect(TxValidationCode.PHANTOM_READ_CONFLICT).toBe(12);
    });

    it('a range recorded as a Merkle summary is re-hashed from committed state (validation/rangequery_validator.go)', async () => {
        const all: ReadonlyArray<{ key: string; version: Ver }> = [
            { key: 'a', version: [2, 0] },
            { key: 'b', version: [2, 0] },
            { key: 'r1', version: [2, 0] },
            { key: 'r3', version: [2, 0] },
            { key: 'sbe', version: [2, 1] },
        ];
        const summarized = (reads: ReadonlyArray<{ key: string; version: Ver }>): NsSpec[] => [{ ns: CC, ranges: [{ start: 'a', end: 'z', exhausted: true, reads, merkleDegree: 2 }] }];
        const unchanged = tx({ rwset: summarized(all) });
        expect(
            await codes([
                unchanged,
                tx({ rwset: summarized(all.filter((r) => r.key !== 'r3')) }),
                tx({ rwset: summarized(all.map((r) => (r.key === 'b' ? { key: 'b', version: [1, 9] as Ver } : r))) }),
            ]),
        ).toEqual([name(TxValidationCode.VALID), name(TxValidationCode.PHANTOM_READ_CONFLICT), name(TxValidationCode.PHANTOM_READ_CONFLICT)]);
        // a key inserted into the range by an earlier tx of the block
        const ins = tx({ rwset: [{ ns: CC, writes: [{ key: 'm', value: 'new' }] }] });
        expect(await codes([ins, tx({ rwset: summarized(all) })])).toEqual([name(TxValidationCode.VALID), name(TxValidationCode.PHANTOM_READ_CONFLICT)]);
    });

    it('a range not exhausted includes its end key', async () => {
        // the iterator stopped at r3 (not exhausted): r3 is in range, so a range that omits it is a phantom
        const rq = (exhausted: boolean, reads: ReadonlyArray<{ key: string; version: Ver }>): NsSpec[] => [{ ns: CC, ranges: [{ start: 'r0', end: 'r3', exhausted, reads }] }];
        expect(
            await codes([
                tx({ rwset: rq(true, [{ key: 'r1', version: [2, 0] }]) }),
                tx({ rwset: rq(false, [{ key: 'r1', version: [2, 0] }, { key: 'r3', version: [2, 0] }]) }),
                tx({ rwset: rq(false, [{ key: 'r1', version: [2, 0] }]) }),
            ]),
        ).toEqual([name(TxValidationCode.VALID), name(TxValidationCode.VALID), name(TxValidationCode.PHANTOM_READ_CONFLICT)]);
    });

    it('a key inserted into the range by an earlier tx of the block is a phantom', async () => {
        const ins = tx({ rwset: [{ ns: CC, writes: [{ key: 'r2', value: 'x' }] }] });
        const rng = tx({ rwset: [{ ns: CC, ranges: [{ start: 'r0', end: 'r9', exhausted: true, reads: [{ key: 'r1', version: [2, 0] }, { key: 'r3', version: [2, 0] }] }] }] });
        expect(await codes([ins, rng])).toEqual([name(TxValidationCode.VALID), name(TxValidationCode.PHANTOM_READ_CONFLICT)]);
        // a write outside the range does not disturb it
        const out = tx({ rwset: [{ ns: CC, writes: [{ key: 's1', value: 'x' }] }] });
        expect(await codes([out, rng])).toEqual([name(TxValidationCode.VALID), name(TxValidationCode.VALID)]);
    });

    it("an invalid tx's writes are not applied and do not conflict a later reader", async () => {
        const invalid = tx({ endorsers: [id('Brand.peer')], rwset: [{ ns: CC, writes: [{ key: 'a', value: 'bad' }, { key: 'r2', value: 'bad' }] }] });
        const reader = tx({
            rwset: [
                {
                    ns: CC,
                    reads: [{ key: 'a', version: [2, 0] }],
                    ranges: [{ start: 'r0', end: 'r9', exhausted: true, reads: [{ key: 'r1', version: [2, 0] }, { key: 'r3', version: [2, 0] }] }],
                    writes: [{ key: 'a', value: 'good' }],
                },
            ],
        });
        const v = await validate([invalid, reader]);
        expect(v.codes.map(name)).toEqual([name(TxValidationCode.ENDORSEMENT_POLICY_FAILURE), name(TxValidationCode.VALID)]);
        expect(v.updates).toHaveLength(1);
        expect(v.updates[0]?.txId).toBe(reader.txId);
        expect(v.updates[0]?.writes).toEqual([expect.objectContaining({ namespace: CC, key: 'a', value: bytes('good') })]);
    });

    it('the version of a valid write is its tx index in the block, invalid txs included', async () => {
        const v = await validate([
            tx({ badEnvelopeSignature: true }),
            tx({ rwset: [{ ns: CC, writes: [{ key: 'k1', value: '1' }] }] }),
            new Uint8Array(0),
            tx({ rwset: [{ ns: CC, reads: [{ key: 'a', version: [1, 0] }] }] }),
            tx({ rwset: [{ ns: CC, writes: [{ key: 'k2', value: '2' }] }] }),
        ]);
        expect(v.codes.map(name)).toEqual([
            name(TxValidationCode.BAD_CREATOR_SIGNATURE),
            name(TxValidationCode.VALID),
            name(TxValidationCode.BAD_COMMON_HEADER),
            name(TxValidationCode.MVCC_READ_CONFLICT),
            name(TxValidationCode.VALID),
        ]);
        expect(v.updates.map((u) => [u.txNum, u.writes.map((w) => w.key)])).toEqual([
            [1, ['k1']],
            [4, ['k2']],
        ]);
    });
});
