// Tests for endorser/endorser.ts (mirrors core/endorser/endorser.go ProcessProposal/preProcess and core/endorser/msgvalidation.go).
// A real Peer (real MSPs, policies, ACLs and ledger) does the checks; only simulation is replaced, so each
// chaincode status can be produced. Hand-made proposals cover what the real client never sends.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { common, ledger as lproto, msp as mspproto, peer } from '@hyperledger/fabric-protos';
import { loadNetworkConfig, peerHost, type NetworkConfig, type OrgConfig } from '../config/network';
import { generateCrypto, nodeMspDir, peerDir, userMspDir } from '../msp/cryptogen';
import { mspManagerFromCrypto, type MspManager } from '../msp/msp';
import { loadSigningIdentity, type SigningIdentity } from '../msp/signer';
import { buildPolicyManager } from '../policies/manager';
import { Peer } from '../peer/peer';
import { newBlock } from '../orderer/blockwriter';
import { buildProposal } from '../lifecycle/client';
import { computeTxId, concat, newEndorserTransaction, nowTimestamp, proposalHashFromTx, toHex, TxValidationCode } from '../protoutil';
import { processProposal, type EndorserPeer, type EndorserResult, type SimulationOutcome } from './endorser';

const cfg: NetworkConfig = loadNetworkConfig(join(__dirname, '../../../upoint.network.yaml'));
const CH = cfg.channel;
const CC = cfg.chaincode.name;
let dir: string;
let msps: MspManager;
let realPeer: Peer;
const ids: Record<string, SigningIdentity> = {};
const id = (name: string): SigningIdentity => {
    const s = ids[name];
    if (s === undefined) throw new Error(`no identity ${name}`);
    return s;
};
const brand = (): OrgConfig => {
    const o = cfg.orgs.find((x) => x.name === 'Brand');
    if (o === undefined) throw new Error('no Brand');
    return o;
};

/** The outcome the fake simulation returns next, and the proposals it was asked to run. */
let nextOutcome: SimulationOutcome | Error;
let simulated: string[] = [];
/** A committed proposal: its txid is in the peer's ledger (as an invalid tx, which still counts). */
let committed: ReturnType<typeof buildProposal>;

function ep(): EndorserPeer {
    return {
        channelId: realPeer.channelId,
        mspId: realPeer.mspId,
        serializedIdentity: () => realPeer.serializedIdentity(),
        sign: (m) => realPeer.sign(m),
        checkCreator: (p) => realPeer.checkCreator(p),
        txIdExists: (t) => realPeer.txIdExists(t),
        checkAcl: (r, p) => realPeer.checkAcl(r, p),
        simulate: async (p) => {
            simulated.push(p.channelHeader.getTxId());
            if (nextOutcome instanceof Error) throw nextOutcome;
            return nextOutcome;
        },
    };
}

function outcome(status: number, message = '', payload = 'result'): SimulationOutcome {
    const r = new peer.Response();
    r.setStatus(status);
    r.setMessage(message);
    r.setPayload(Buffer.from(payload));
    const ns = new lproto.rwset.NsReadWriteSet();
    ns.setNamespace(CC);
    const kv = new lproto.rwset.kvrwset.KVRWSet();
    const w = new lproto.rwset.kvrwset.KVWrite();
    w.setKey('k');
    w.setValue(Buffer.from('v'));
    kv.setWritesList([w]);
    ns.setRwset(kv.serializeBinary());
    const rw = new lproto.rwset.TxReadWriteSet();
    rw.setNsRwsetList([ns]);
    const ev = new peer.ChaincodeEvent();
    ev.setEventName('Done');
    ev.setPayload(Buffer.from('e'));
    return { response: r, results: rw.serializeBinary(), event: ev, version: '1.0' };
}

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'devnet-endorser-'));
    const crypto = join(dir, 'crypto');
    await generateCrypto(cfg, crypto);
    msps = mspManagerFromCrypto(cfg, crypto);
    const policies = buildPolicyManager(cfg, msps);
    for (const o of cfg.orgs) {
        const p0 = o.peers[0];
        if (p0 === undefined) throw new Error('no peer');
        ids[`${o.name}.peer`] = loadSigningIdentity(o.mspId, nodeMspDir(peerDir(crypto, o, p0)));
        ids[`${o.name}.user`] = loadSigningIdentity(o.mspId, userMspDir(crypto, o, 'User1'));
    }
    ids['Orderer.admin'] = loadSigningIdentity(cfg.orderer.org.mspId, userMspDir(crypto, cfg.orderer.org, 'Admin'));
    const org = brand();
    const p0 = org.peers[0];
    if (p0 === undefined) throw new Error('no peer');
    realPeer = await Peer.open({
        channelId: CH,
        org,
        host: peerHost(org, p0),
        port: p0.port,
        dataDir: join(dir, 'peer'),
        signer: id('Brand.peer'),
        msps,
        policies,
        applicationOrgs: cfg.orgs.map((o) => ({ mspId: o.mspId, name: o.name })),
        acls: cfg.application.acls,
    });
    // Block 0 holds one transaction (invalid: no chaincode is defined) — its txid is used all the same.
    committed = buildProposal(id('Brand.user'), CH, CC, [Buffer.from('fn')]);
    const env = newEndorserTransaction(committed.header, committed.cppBytes, new Uint8Array(), [], id('Brand.user'));
    await realPeer.commitBlock(newBlock(0, new Uint8Array(), [env.serializeBinary()]).serializeBinary());
    expect(realPeer.ledger.getTxLocation(committed.txId)?.validationCode).not.toBe(TxValidationCode.VALID);
});
afterAll(async () => {
    await realPeer.close();
    rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
    nextOutcome = outcome(200);
    simulated = [];
});

interface Crafted {
    readonly signed: peer.SignedProposal;
    readonly txId: string;
    readonly header: common.Header;
    readonly cppBytes: Uint8Array;
}

/** A SignedProposal like the client's, with the knobs the real client never turns. */
function craft(
    o: {
        readonly signer?: SigningIdentity;
        readonly creatorBytes?: Uint8Array;
        readonly channelId?: string;
        readonly chaincode?: string;
        readonly txId?: string;
        readonly epoch?: number;
        readonly type?: number;
        readonly badSignature?: boolean;
        readonly transient?: Readonly<Record<string, string>>;
    } = {},
): Crafted {
    const signer = o.signer ?? id('Brand.user');
    const creator = o.creatorBytes ?? signer.serialized();
    const nonce = new Uint8Array(randomBytes(24));
    const txId = o.txId ?? computeTxId(nonce, creator);
    const ccid = new peer.ChaincodeID();
    ccid.setName(o.chaincode ?? CC);
    const ext = new peer.ChaincodeHeaderExtension();
    ext.setChaincodeId(ccid);
    const chdr = new common.ChannelHeader();
    chdr.setType(o.type ?? common.HeaderType.ENDORSER_TRANSACTION);
    chdr.setChannelId(o.channelId ?? CH);
    chdr.setTxId(txId);
    chdr.setEpoch(o.epoch ?? 0);
    chdr.setTimestamp(nowTimestamp());
    chdr.setExtension$(ext.serializeBinary());
    const shdr = new common.SignatureHeader();
    shdr.setCreator(creator);
    shdr.setNonce(nonce);
    const header = new common.Header();
    header.setChannelHeader(chdr.serializeBinary());
    header.setSignatureHeader(shdr.serializeBinary());
    const input = new peer.ChaincodeInput();
    input.setArgsList([Buffer.from('fn'), Buffer.from('arg')]);
    const spec = new peer.ChaincodeSpec();
    spec.setChaincodeId(ccid);
    spec.setInput(input);
    const cis = new peer.ChaincodeInvocationSpec();
    cis.setChaincodeSpec(spec);
    const cpp = new peer.ChaincodeProposalPayload();
    cpp.setInput(cis.serializeBinary());
    const cppBytes = cpp.serializeBinary();
    for (const [k, v] of Object.entries(o.transient ?? {})) cpp.getTransientmapMap().set(k, Buffer.from(v));
    const proposal = new peer.Proposal();
    proposal.setHeader(header.serializeBinary());
    proposal.setPayload(cpp.serializeBinary());
    const bytes = proposal.serializeBinary();
    const signed = new peer.SignedProposal();
    signed.setProposalBytes(bytes);
    signed.setSignature(signer.sign(o.badSignature ? Buffer.from('something else') : bytes));
    return { signed, txId, header, cppBytes };
}

function unknownMspCreator(): Uint8Array {
    const sid = new mspproto.SerializedIdentity();
    sid.setMspid('NoSuchMSP');
    sid.setIdBytes(Buffer.from(id('Brand.user').certPem));
    return sid.serializeBinary();
}

/** A Fabric pre-processing failure: Response{500, msg} only, and the same text as the Go error. */
function expectFailure(r: EndorserResult, message: string): void {
    expect(r.error).toBe(message);
    expect(r.response.getResponse()?.getStatus()).toBe(500);
    expect(r.response.getResponse()?.getMessage()).toBe(message);
    expect(r.response.getPayload_asU8()).toHaveLength(0);
    expect(r.response.hasEndorsement()).toBe(false);
    expect(simulated).toEqual([]);
}

describe('proposal checks (msgvalidation.go Validate, endorser.go preProcess)', () => {
    it('a creator of an MSP unknown to the channel: creator org unknown, creator is malformed', async () => {
        const r = await processProposal(ep(), craft({ creatorBytes: unknownMspCreator() }).signed);
        expectFailure(r, `error validating proposal: access denied: channel [${CH}] creator org unknown, creator is malformed`);
    });

    it('a creator that is not a SerializedIdentity: creator org unknown, creator is malformed', async () => {
        const r = await processProposal(ep(), craft({ creatorBytes: Uint8Array.from([0xff, 0xff, 0xff]) }).signed);
        expectFailure(r, `error validating proposal: access denied: channel [${CH}] creator org unknown, creator is malformed`);
    });

    it('a bad signature: access denied naming the creator org', async () => {
        const r = await processProposal(ep(), craft({ badSignature: true }).signed);
        expectFailure(r, `error validating proposal: access denied: channel [${CH}] creator org [BrandMSP]`);
    });

    it('a txid that is not hex(SHA-256(nonce ‖ creator))', async () => {
        const bad = 'ab'.repeat(32);
        const c = craft({ txId: bad });
        const shdr = common.SignatureHeader.deserializeBinary(c.header.getSignatureHeader_asU8());
        const expected = computeTxId(shdr.getNonce_asU8(), shdr.getCreator_asU8());
        const r = await processProposal(ep(), c.signed);
        expectFailure(r, `error validating proposal: incorrectly computed txid '${bad}' -- expected '${expected}'`);
    });

    it('the txid is checked before the creator and its signature', async () => {
        const r = await processProposal(ep(), craft({ txId: 'cd'.repeat(32), badSignature: true }).signed);
        expect(r.error).toMatch(/^error validating proposal: incorrectly computed txid 'cdcd/);
    });

    it('a non-zero epoch and a foreign header type are refused', async () => {
        expectFailure(await processProposal(ep(), craft({ epoch: 3 }).signed), 'error validating proposal: epoch is non-zero');
        expectFailure(await processProposal(ep(), craft({ type: common.HeaderType.MESSAGE }).signed), 'error validating proposal: invalid header type MESSAGE');
    });

    it('a txid already in the ledger (even an invalid tx): duplicate transaction found, with the creator in hex', async () => {
        const r = await processProposal(ep(), committed.signed);
        const creator = id('Brand.user').serialized();
        expectFailure(r, `duplicate transaction found [${committed.txId}]. Creator [${toHex(creator)}]`);
    });

    it('a creator outside peer/Propose (here /Channel/Application/Readers) fails the ACL check', async () => {
        const r = await processProposal(ep(), craft({ signer: id('Orderer.admin') }).signed);
        expectFailure(
            r,
            'failed evaluating policy on signed data during check policy [/Channel/Application/Readers]: ' +
                "[implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 of the 'Readers' sub-policies to be satisfied]",
        );
    });

    it('system chaincodes skip the peer/Propose ACL', async () => {
        const c = craft({ signer: id('Orderer.admin'), chaincode: 'qscc' });
        const r = await processProposal(ep(), c.signed);
        expect(r.error).toBeUndefined();
        expect(simulated).toEqual([c.txId]);
    });

    it("another channel: Response{500, channel 'x' not found} and no error", async () => {
        const r = await processProposal(ep(), craft({ channelId: 'x' }).signed);
        expect(r.error).toBeUndefined();
        expect(r.response.getResponse()?.getStatus()).toBe(500);
        expect(r.response.getResponse()?.getMessage()).toBe("channel 'x' not found");
        expect(r.response.hasEndorsement()).toBe(false);
        expect(simulated).toEqual([]);
    });

    it('the channel is checked before anything else about the proposal', async () => {
        const r = await processProposal(ep(), craft({ channelId: 'x', badSignature: true, txId: 'ee'.repeat(32) }).signed);
        expect(r.error).toBeUndefined();
        expect(r.response.getResponse()?.getMessage()).toBe("channel 'x' not found");
    });
});

describe('response shapes (endorser.go ProcessProposalSuccessfullyOrError)', () => {
    function prpOf(r: EndorserResult): { prp: peer.ProposalResponsePayload; action: peer.ChaincodeAction } {
        const prp = peer.ProposalResponsePayload.deserializeBinary(r.response.getPayload_asU8());
        return { prp, action: peer.ChaincodeAction.deserializeBinary(prp.getExtension_asU8()) };
    }

    it('status < 400: Response, payload and an endorsement whose signature verifies over prp ‖ endorser', async () => {
        const c = craft();
        const r = await processProposal(ep(), c.signed);
        expect(r.error).toBeUndefined();
        const pr = r.response;
        expect(pr.getVersion()).toBe(1);
        expect(pr.getResponse()?.getStatus()).toBe(200);
        expect(Buffer.from(pr.getResponse()?.getPayload_asU8() ?? []).toString()).toBe('result');
        const e = pr.getEndorsement();
        expect(e).toBeDefined();
        if (!e) return;
        expect(e.getEndorser_asU8()).toEqual(id('Brand.peer').serialized());
        const endorser = msps.deserializeIdentity(e.getEndorser_asU8());
        expect(endorser.verify(concat(pr.getPayload_asU8(), e.getEndorser_asU8()), e.getSignature_asU8())).toBe(true);
        expect(endorser.verify(pr.getPayload_asU8(), e.getSignature_asU8())).toBe(false);

        const { prp, action } = prpOf(r);
        expect(prp.getProposalHash_asU8()).toEqual(proposalHashFromTx(c.header, c.cppBytes));
        expect(action.getChaincodeId()?.getName()).toBe(CC);
        expect(action.getChaincodeId()?.getVersion()).toBe('1.0');
        expect(action.getResponse()?.getStatus()).toBe(200);
        expect(action.getResults_asU8()).toEqual(outcome(200).results);
        expect(peer.ChaincodeEvent.deserializeBinary(action.getEvents_asU8()).getEventName()).toBe('Done');
    });

    it('a status in 300–399 is still endorsed', async () => {
        nextOutcome = outcome(302);
        const r = await processProposal(ep(), craft().signed);
        expect(r.response.getResponse()?.getStatus()).toBe(302);
        expect(r.response.hasEndorsement()).toBe(true);
    });

    it('the proposal hash leaves out the TransientMap', async () => {
        const c = craft({ transient: { secret: 'x' } });
        const r = await processProposal(ep(), c.signed);
        const { prp } = prpOf(r);
        // c.cppBytes is the payload without the TransientMap: SHA-256(chdr ‖ shdr ‖ CPP{input})
        expect(prp.getProposalHash_asU8()).toEqual(proposalHashFromTx(c.header, c.cppBytes));
        const withTransient = peer.Proposal.deserializeBinary(c.signed.getProposalBytes_asU8()).getPayload_asU8();
        expect(withTransient).not.toEqual(c.cppBytes);
        expect(prp.getProposalHash_asU8()).not.toEqual(proposalHashFromTx(c.header, withTransient));
    });

    it('status 400–499: Response only (no payload, no endorsement)', async () => {
        nextOutcome = outcome(404, 'not found');
        const r = await processProposal(ep(), craft().signed);
        expect(r.error).toBeUndefined();
        expect(r.response.getResponse()?.getStatus()).toBe(404);
        expect(r.response.getResponse()?.getMessage()).toBe('not found');
        expect(r.response.getPayload_asU8()).toHaveLength(0);
        expect(r.response.hasEndorsement()).toBe(false);
        expect(r.response.getVersion()).toBe(0);
    });

    it('status ≥ 500 from chaincode: Response and payload (prp), no endorsement', async () => {
        nextOutcome = outcome(500, 'chaincode says no');
        const c = craft();
        const r = await processProposal(ep(), c.signed);
        expect(r.error).toBeUndefined();
        expect(r.response.getResponse()?.getStatus()).toBe(500);
        expect(r.response.getResponse()?.getMessage()).toBe('chaincode says no');
        expect(r.response.hasEndorsement()).toBe(false);
        expect(r.response.getVersion()).toBe(0);
        const { prp, action } = prpOf(r);
        expect(prp.getProposalHash_asU8()).toEqual(proposalHashFromTx(c.header, c.cppBytes));
        expect(action.getResponse()?.getStatus()).toBe(500);
    });

    it('a peer-side simulation failure: Response{500, msg} only and no error', async () => {
        nextOutcome = new Error(`make sure the chaincode ${CC} has been successfully defined on channel ${CH} and try again: chaincode ${CC} not found`);
        const r = await processProposal(ep(), craft().signed);
        expect(r.error).toBeUndefined();
        expect(r.response.getResponse()?.getStatus()).toBe(500);
        expect(r.response.getResponse()?.getMessage()).toBe(nextOutcome.message);
        expect(r.response.getPayload_asU8()).toHaveLength(0);
        expect(r.response.hasEndorsement()).toBe(false);
    });

    it('a proposal built by lifecycle/client buildProposal is accepted as is', async () => {
        const p = buildProposal(id('Supplier.user'), CH, CC, [Buffer.from('fn')]);
        const r = await processProposal(ep(), p.signed);
        expect(r.error).toBeUndefined();
        expect(r.response.hasEndorsement()).toBe(true);
        expect(simulated).toEqual([p.txId]);
    });
});
