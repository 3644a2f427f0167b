// devnet's gRPC surface fuzzed (issue #9, bad input): devnet as its own process with the kv fixture chaincode;
// malformed and wrongly signed messages, built by mutating valid ones (fast-check), sent to the peer's
// Endorser.ProcessProposal, Gateway Evaluate/Endorse/Submit/CommitStatus and Deliver, and to the orderer's Broadcast
// and Deliver; plus undecodable bytes to every method. Each must be answered with an error (a gRPC error, a
// ProposalResponse status >= 400, a Broadcast/Deliver status other than SUCCESS); devnet never crashes (pid alive,
// /healthz 200) and nothing is committed (every peer's height unchanged). FUZZ_GRPC_RUNS (default 40) cases per
// target and mutation family.
import * as grpc from '@grpc/grpc-js';
import { common, gateway as gwp, orderer as ord, peer as pb } from '@hyperledger/fabric-protos';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { peerHost } from '@upoint/devnet/dist/config/network';
import { buildProposal } from '@upoint/devnet/dist/lifecycle/client';
import { ordererHost, tlsCaCertPath, userMspDir } from '@upoint/devnet/dist/msp/cryptogen';
import { loadSigningIdentity, type SigningIdentity } from '@upoint/devnet/dist/msp/signer';
import { newEnvelope, newHeader } from '@upoint/devnet/dist/protoutil';
import { CHANNEL } from '../support/conformance';
import { KVCC, TestNetwork, org, testConfig } from '../support/network';
import { alive, answers, settledHeights } from './support';

const RUNS = Number(process.env.FUZZ_GRPC_RUNS ?? '40');
const utf8 = new TextEncoder();
const args = (...a: string[]): Uint8Array[] => a.map((s) => utf8.encode(s));

type Bytes = Uint8Array;
/** Mutations of serialized bytes: none keeps a valid signature over the original. */
const byteMutation = fc.oneof(
    fc.record({ kind: fc.constant('random' as const), data: fc.uint8Array({ minLength: 0, maxLength: 512 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 0.999, noNaN: true }) }),
    fc.record({ kind: fc.constant('flip' as const), at: fc.double({ min: 0, max: 0.999, noNaN: true }), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('append' as const), data: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
);
type ByteMutation = typeof byteMutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(b: Bytes, m: ByteMutation): Bytes {
    switch (m.kind) {
        case 'random':
            return m.data;
        case 'truncate':
            return b.slice(0, Math.floor(b.length * m.at));
        case 'flip': {
            const out = b.slice();
            const i = Math.floor(b.length * m.at);
            out[i] = (out[i] ?? 0) ^ (1 << m.bit);
            return out;
        }
        case 'append':
            return Uint8Array.from([...b, ...m.data]);
    }
}

/** The high-S twin of a low-S DER ECDSA signature (s → n − s): valid maths, refused by Fabric's low-S rule. */
function highS(der: Bytes): Bytes {
    const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
    const rLen = der[3] ?? 0;
    const r = der.slice(4, 4 + rLen);
    const sLen = der[5 + rLen] ?? 0;
    const s = BigInt(`0x${Buffer.from(der.slice(6 + rLen, 6 + rLen + sLen)).toString('hex')}`);
    let hs = (n - s).toString(16);
    if (hs.length % 2) hs = `0${hs}`;
    let sb = Buffer.from(hs, 'hex');
    if ((sb[0] ?? 0) & 0x80) sb = Buffer.concat([Buffer.from([0]), sb]);
    const body = Buffer.concat([Buffer.from([2, r.length]), r, Buffer.from([2, sb.length]), sb]);
    return Uint8Array.from(Buffer.concat([Buffer.from([0x30, body.length]), body]));
}

describe("devnet's gRPC surface fuzzed with malformed and wrongly signed messages", () => {
    const net = new TestNetwork(testConfig(111000, { timeoutMs: 50 }));
    const clients: grpc.Client[] = [];
    let cases = 0;
    let brand: SigningIdentity;
    let bankUser: SigningIdentity;
    let endorser: pb.EndorserClient;
    let gateway: gwp.GatewayClient;
    let deliver: pb.DeliverClient;
    let broadcaster: ord.AtomicBroadcastClient;
    let raw: grpc.Client;
    let rawOrderer: grpc.Client;
    const deadline = (ms = 5000): grpc.CallOptions => ({ deadline: Date.now() + ms });

    beforeAll(async () => {
        await net.startProcess();
        await net.deploy(KVCC, { name: 'kv', policy: "OutOf(1,'BrandMSP.peer','SupplierMSP.peer','BankMSP.peer')" });
        // one committed write, whose envelope and proposal are replayed below
        await net.gateway('Brand').getNetwork(CHANNEL).getContract('kv').submitTransaction('Put', 'seed', 'v');
        const o = org(net.cfg, 'Brand');
        const p = o.peers[0];
        if (p === undefined) throw new Error('no peer');
        brand = loadSigningIdentity(o.mspId, userMspDir(net.cryptoDir, o, 'User1'));
        bankUser = loadSigningIdentity('BankMSP', userMspDir(net.cryptoDir, org(net.cfg, 'Bank'), 'User1'));
        const peerCreds = grpc.credentials.createSsl(readFileSync(tlsCaCertPath(net.cryptoDir, o)));
        const peerOpts = { 'grpc.ssl_target_name_override': peerHost(o, p), 'grpc.max_send_message_length': 64 * 1024 * 1024 };
        const node = net.cfg.orderer.nodes[0];
        if (node === undefined) throw new Error('no orderer');
        const ordCreds = grpc.credentials.createSsl(readFileSync(tlsCaCertPath(net.cryptoDir, net.cfg.orderer.org)));
        const ordOpts = { 'grpc.ssl_target_name_override': ordererHost(net.cfg, node), 'grpc.max_send_message_length': 64 * 1024 * 1024 };
        endorser = new pb.EndorserClient(`127.0.0.1:${p.port}`, peerCreds, peerOpts);
        gateway = new gwp.GatewayClient(`127.0.0.1:${p.port}`, peerCreds, peerOpts);
        deliver = new pb.DeliverClient(`127.0.0.1:${p.port}`, peerCreds, peerOpts);
        raw = new grpc.Client(`127.0.0.1:${p.port}`, peerCreds, peerOpts);
        broadcaster = new ord.AtomicBroadcastClient(`127.0.0.1:${node.port}`, ordCreds, ordOpts);
        rawOrderer = new grpc.Client(`127.0.0.1:${node.port}`, ordCreds, ordOpts);
        clients.push(endorser, gateway, deliver, raw, broadcaster, rawOrderer);
    }, 240_000);

    afterAll(async () => {
        console.log(`fuzz-grpc: ${cases} cases in total`);
        for (const c of clients) c.close();
        await net.stop();
    }, 60_000);

    // --- calls: each resolves to "error" or to a description of an acceptance -------------------------------

    const processProposal = (sp: pb.SignedProposal): Promise<string> =>
        new Promise((res) => {
            endorser.processProposal(sp, deadline(), (err, r) => {
                if (err) return res('error');
                const s = r?.getResponse()?.getStatus() ?? 0;
                res(s >= 400 || s < 200 ? 'error' : `ProcessProposal accepted with status ${s}`);
            });
        });
    const unaryError = (fn: (cb: (err: grpc.ServiceError | null) => void) => void, what: string): Promise<string> =>
        new Promise((res) => fn((err) => res(err ? 'error' : `${what} accepted`)));
    const evaluate = (sp: pb.SignedProposal, txId: string, channel = CHANNEL): Promise<string> => {
        const req = new gwp.EvaluateRequest();
        req.setTransactionId(txId);
        req.setChannelId(channel);
        req.setProposedTransaction(sp);
        return unaryError((cb) => gateway.evaluate(req, deadline(), (e) => cb(e)), 'Evaluate');
    };
    const endorse = (sp: pb.SignedProposal, txId: string, channel = CHANNEL): Promise<string> => {
        const req = new gwp.EndorseRequest();
        req.setTransactionId(txId);
        req.setChannelId(channel);
        req.setProposedTransaction(sp);
        return unaryError((cb) => gateway.endorse(req, deadline(), (e) => cb(e)), 'Endorse');
    };
    const submit = (env: common.Envelope, txId: string, channel = CHANNEL): Promise<string> => {
        const req = new gwp.SubmitRequest();
        req.setTransactionId(txId);
        req.setChannelId(channel);
        req.setPreparedTransaction(env);
        return unaryError((cb) => gateway.submit(req, deadline(), (e) => cb(e)), 'Submit');
    };
    const commitStatus = (req: gwp.SignedCommitStatusRequest): Promise<string> =>
        unaryError((cb) => gateway.commitStatus(req, deadline(3000), (e) => cb(e)), 'CommitStatus');
    const broadcast = (env: common.Envelope): Promise<string> =>
        new Promise((res) => {
            const call = broadcaster.broadcast(deadline());
            let done = false;
            const finish = (v: string): void => {
                if (done) return;
                done = true;
                call.cancel();
                res(v);
            };
            call.on('data', (r: ord.BroadcastResponse) => finish(r.getStatus() === common.Status.SUCCESS ? 'Broadcast accepted' : 'error'));
            call.on('error', () => finish('error'));
            call.on('end', () => finish('error'));
            call.write(env);
        });
    /** Deliver (peer or orderer): the first answer; a block means the request was served. */
    const seek = (env: common.Envelope, on: 'peer' | 'orderer'): Promise<string> =>
        new Promise((res) => {
            const call = on === 'peer' ? deliver.deliver(deadline()) : broadcaster.deliver(deadline());
            let done = false;
            const finish = (v: string): void => {
                if (done) return;
                done = true;
                call.cancel();
                res(v);
            };
            call.on('data', (r: pb.DeliverResponse | ord.DeliverResponse) => {
                const s = r.getStatus();
                finish(r.hasBlock() || s === common.Status.SUCCESS ? `Deliver (${on}) served` : 'error');
            });
            call.on('error', () => finish('error'));
            call.on('end', () => finish('error'));
            call.write(env);
        });
    /** Arbitrary bytes as the request of any method (the server must fail to decode, not fall over). */
    const rawUnary = (client: grpc.Client, method: string, bytes: Bytes): Promise<string> =>
        new Promise((res) => {
            client.makeUnaryRequest(
                method,
                (b: Bytes) => Buffer.from(b),
                (b: Buffer) => b,
                bytes,
                deadline(),
                (err) => res(err ? 'error' : `${method} accepted random bytes`),
            );
        });
    const rawStream = (client: grpc.Client, method: string, bytes: Bytes): Promise<string> =>
        new Promise((res) => {
            const call = client.makeBidiStreamRequest(method, (b: Bytes) => Buffer.from(b), (b: Buffer) => b, deadline());
            let done = false;
            const finish = (v: string): void => {
                if (done) return;
                done = true;
                call.cancel();
                res(v);
            };
            call.on('data', (b: Buffer) => {
                // a status answer (BroadcastResponse / DeliverResponse) other than SUCCESS is an error answer
                try {
                    const r = method.includes('Broadcast') ? ord.BroadcastResponse.deserializeBinary(b) : pb.DeliverResponse.deserializeBinary(b);
                    finish(r.getStatus() !== common.Status.SUCCESS && !(r instanceof pb.DeliverResponse && r.hasBlock()) ? 'error' : `${method} accepted random bytes`);
                } catch {
                    finish(`${method} answered undecodable bytes`);
                }
            });
            call.on('error', () => finish('error'));
            call.on('end', () => finish('error'));
            call.write(bytes);
        });

    // --- valid messages to mutate -------------------------------------------------------------------------

    const proposal = (signer = brand, a = args('Put', `k${cases}`, 'v'), channel = CHANNEL): ReturnType<typeof buildProposal> => buildProposal(signer, channel, 'kv', a);
    const signedProposal = (bytes: Bytes, signature: Bytes): pb.SignedProposal => {
        const sp = new pb.SignedProposal();
        sp.setProposalBytes(bytes);
        sp.setSignature(signature);
        return sp;
    };
    /** A prepared transaction endorsed through the Gateway and signed: valid for Submit and Broadcast. */
    const prepared = async (): Promise<{ env: common.Envelope; txId: string }> => {
        const p = proposal();
        const req = new gwp.EndorseRequest();
        req.setTransactionId(p.txId);
        req.setChannelId(CHANNEL);
        req.setProposedTransaction(p.signed);
        const r = await new Promise<gwp.EndorseResponse>((res, rej) => gateway.endorse(req, deadline(), (e, v) => (e || !v ? rej(e ?? new Error('no response')) : res(v))));
        const env = r.getPreparedTransaction();
        if (!env) throw new Error('no prepared transaction');
        env.setSignature(brand.sign(env.getPayload_asU8()));
        return { env, txId: p.txId };
    };
    const envelope = (payload: Bytes, signature: Bytes): common.Envelope => {
        const env = new common.Envelope();
        env.setPayload(payload);
        env.setSignature(signature);
        return env;
    };
    const seekEnvelope = (signer: SigningIdentity = brand, channel = CHANNEL): common.Envelope => {
        const pos = new ord.SeekPosition();
        pos.setOldest(new ord.SeekOldest());
        const stop = new ord.SeekPosition();
        stop.setNewest(new ord.SeekNewest());
        const info = new ord.SeekInfo();
        info.setStart(pos);
        info.setStop(stop);
        info.setBehavior(ord.SeekInfo.SeekBehavior.FAIL_IF_NOT_READY);
        const { header } = newHeader(common.HeaderType.DELIVER_SEEK_INFO, channel, signer.serialized());
        return newEnvelope(header, info.serializeBinary(), signer);
    };

    async function expectRejected(label: string, outcome: Promise<string>): Promise<void> {
        cases++;
        const r = await outcome;
        if (r !== 'error') throw new Error(`${label}: ${r}`);
    }

    /** Structured proposal faults: each is a bad proposal, whatever the service. */
    const badProposals = (): Array<{ label: string; sp: pb.SignedProposal; txId: string; channel?: string }> => {
        const p = proposal();
        const bytes = p.signed.getProposalBytes_asU8();
        const sig = p.signed.getSignature_asU8();
        const other = proposal(bankUser);
        const wrongChannel = proposal(brand, undefined, 'nochannel');
        // creator says Bank, signature is Brand's
        const header = common.Header.deserializeBinary(pb.Proposal.deserializeBinary(bytes).getHeader_asU8());
        const shdr = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
        shdr.setCreator(bankUser.serialized());
        header.setSignatureHeader(shdr.serializeBinary());
        const prop = pb.Proposal.deserializeBinary(bytes);
        prop.setHeader(header.serializeBinary());
        const wrongCreator = prop.serializeBinary();
        // a txid that is not SHA-256(nonce ‖ creator)
        const chdr = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
        chdr.setTxId('0'.repeat(64));
        const h2 = common.Header.deserializeBinary(pb.Proposal.deserializeBinary(bytes).getHeader_asU8());
        h2.setChannelHeader(chdr.serializeBinary());
        const p2 = pb.Proposal.deserializeBinary(bytes);
        p2.setHeader(h2.serializeBinary());
        const wrongTxId = p2.serializeBinary();
        // a huge channel id (1 MiB)
        const huge = proposal(brand, undefined, 'c'.repeat(1 << 20));
        // no header at all
        const headless = new pb.Proposal();
        headless.setPayload(pb.Proposal.deserializeBinary(bytes).getPayload_asU8());
        const headlessBytes = headless.serializeBinary();
        return [
            { label: 'unsigned', sp: signedProposal(bytes, new Uint8Array()), txId: p.txId },
            { label: 'signature by another identity', sp: signedProposal(bytes, bankUser.sign(bytes)), txId: p.txId },
            { label: 'high-S signature', sp: signedProposal(bytes, highS(sig)), txId: p.txId },
            { label: "another proposal's signature", sp: signedProposal(bytes, other.signed.getSignature_asU8()), txId: p.txId },
            { label: 'creator not the signer', sp: signedProposal(wrongCreator, brand.sign(wrongCreator)), txId: p.txId },
            { label: 'txid not SHA-256(nonce‖creator)', sp: signedProposal(wrongTxId, brand.sign(wrongTxId)), txId: '0'.repeat(64) },
            { label: 'unknown channel', sp: wrongChannel.signed, txId: wrongChannel.txId, channel: 'nochannel' },
            { label: 'huge channel id', sp: huge.signed, txId: huge.txId, channel: 'c'.repeat(1 << 20) },
            { label: 'no header', sp: signedProposal(headlessBytes, brand.sign(headlessBytes)), txId: p.txId },
            { label: 'empty proposal', sp: signedProposal(new Uint8Array(), brand.sign(new Uint8Array())), txId: p.txId },
        ];
    };

    let before: Awaited<ReturnType<typeof settledHeights>>;
    let replayed: { env: common.Envelope; txId: string; sp: pb.SignedProposal };

    it('records the heights and a committed transaction to replay', async () => {
        const p = proposal();
        const req = new gwp.EndorseRequest();
        req.setTransactionId(p.txId);
        req.setChannelId(CHANNEL);
        req.setProposedTransaction(p.signed);
        const r = await new Promise<gwp.EndorseResponse>((res, rej) => gateway.endorse(req, deadline(), (e, v) => (e || !v ? rej(e ?? new Error('none')) : res(v))));
        const env = r.getPreparedTransaction() ?? new common.Envelope();
        env.setSignature(brand.sign(env.getPayload_asU8()));
        const s = new gwp.SubmitRequest();
        s.setTransactionId(p.txId);
        s.setChannelId(CHANNEL);
        s.setPreparedTransaction(env);
        await new Promise<void>((res, rej) => gateway.submit(s, deadline(), (e) => (e ? rej(e) : res())));
        replayed = { env, txId: p.txId, sp: p.signed };
        before = await settledHeights(net);
    }, 60_000);

    it('Endorser.ProcessProposal, Gateway Evaluate and Endorse: structured faults, mutated bytes and a replayed txid are errors', async () => {
        for (const bad of badProposals()) {
            await expectRejected(`ProcessProposal ${bad.label}`, processProposal(bad.sp));
            await expectRejected(`Evaluate ${bad.label}`, evaluate(bad.sp, bad.txId, bad.channel));
            await expectRejected(`Endorse ${bad.label}`, endorse(bad.sp, bad.txId, bad.channel));
        }
        // the committed transaction's proposal again: duplicate txid
        await expectRejected('ProcessProposal replayed txid', processProposal(replayed.sp));
        await expectRejected('Endorse replayed txid', endorse(replayed.sp, replayed.txId));
        await fc.assert(
            fc.asyncProperty(byteMutation, fc.boolean(), async (m, mutateSignature) => {
                const p = proposal();
                const bytes = p.signed.getProposalBytes_asU8();
                const sig = p.signed.getSignature_asU8();
                const sp = mutateSignature ? signedProposal(bytes, mutate(sig, m)) : signedProposal(mutate(bytes, m), sig);
                await expectRejected(`ProcessProposal ${JSON.stringify(m)} sig=${mutateSignature}`, processProposal(sp));
                await expectRejected(`Endorse ${JSON.stringify(m)} sig=${mutateSignature}`, endorse(sp, p.txId));
                await expectRejected(`Evaluate ${JSON.stringify(m)} sig=${mutateSignature}`, evaluate(sp, p.txId));
            }),
            { numRuns: RUNS },
        );
    }, 300_000);

    it('Gateway Submit and the orderer Broadcast: mutated, re-addressed and wrongly signed envelopes are errors', async () => {
        const { env, txId } = await prepared();
        const payload = env.getPayload_asU8();
        const sig = env.getSignature_asU8();
        const structured: Array<[string, common.Envelope, string?]> = [
            ['unsigned', envelope(payload, new Uint8Array())],
            ['signature by another identity', envelope(payload, bankUser.sign(payload))],
            ['high-S signature', envelope(payload, highS(sig))],
            ['empty envelope', envelope(new Uint8Array(), new Uint8Array())],
            ['huge garbage payload (4 MiB)', envelope(new Uint8Array(randomBytes(4 << 20)), sig)],
        ];
        for (const [label, e] of structured) {
            await expectRejected(`Submit ${label}`, submit(e, txId));
            await expectRejected(`Broadcast ${label}`, broadcast(e));
        }
        await fc.assert(
            fc.asyncProperty(byteMutation, fc.boolean(), async (m, mutateSignature) => {
                const e = mutateSignature ? envelope(payload, mutate(sig, m)) : envelope(mutate(payload, m), sig);
                await expectRejected(`Submit ${JSON.stringify(m)} sig=${mutateSignature}`, submit(e, txId));
                await expectRejected(`Broadcast ${JSON.stringify(m)} sig=${mutateSignature}`, broadcast(e));
            }),
            { numRuns: RUNS },
        );
    }, 300_000);

    it('Gateway CommitStatus: unsigned, wrongly signed and mutated requests are errors', async () => {
        const req = new gwp.CommitStatusRequest();
        req.setTransactionId(replayed.txId);
        req.setChannelId(CHANNEL);
        req.setIdentity(brand.serialized());
        const bytes = req.serializeBinary();
        const signed = (b: Bytes, s: Bytes): gwp.SignedCommitStatusRequest => {
            const r = new gwp.SignedCommitStatusRequest();
            r.setRequest(b);
            r.setSignature(s);
            return r;
        };
        await expectRejected('CommitStatus unsigned', commitStatus(signed(bytes, new Uint8Array())));
        await expectRejected('CommitStatus signed by another identity', commitStatus(signed(bytes, bankUser.sign(bytes))));
        await fc.assert(
            fc.asyncProperty(byteMutation, async (m) => {
                await expectRejected(`CommitStatus ${JSON.stringify(m)}`, commitStatus(signed(mutate(bytes, m), brand.sign(bytes))));
            }),
            { numRuns: RUNS },
        );
    }, 300_000);

    it('Deliver (peer and orderer): mutated and wrongly signed seek envelopes are errors', async () => {
        const good = seekEnvelope();
        // the valid request is served (the harness itself is sound)
        expect(await seek(good, 'peer')).toBe('Deliver (peer) served');
        const payload = good.getPayload_asU8();
        const sig = good.getSignature_asU8();
        const structured: Array<[string, common.Envelope]> = [
            ['unsigned', envelope(payload, new Uint8Array())],
            ['signature by another identity', envelope(payload, bankUser.sign(payload))],
            ['unknown channel', seekEnvelope(brand, 'nochannel')],
            ['empty envelope', envelope(new Uint8Array(), new Uint8Array())],
        ];
        for (const [label, e] of structured) {
            await expectRejected(`peer Deliver ${label}`, seek(e, 'peer'));
            await expectRejected(`orderer Deliver ${label}`, seek(e, 'orderer'));
        }
        await fc.assert(
            fc.asyncProperty(byteMutation, fc.boolean(), async (m, mutateSignature) => {
                const e = mutateSignature ? envelope(payload, mutate(sig, m)) : envelope(mutate(payload, m), sig);
                await expectRejected(`peer Deliver ${JSON.stringify(m)} sig=${mutateSignature}`, seek(e, 'peer'));
                await expectRejected(`orderer Deliver ${JSON.stringify(m)} sig=${mutateSignature}`, seek(e, 'orderer'));
            }),
            { numRuns: RUNS },
        );
    }, 300_000);

    it('undecodable bytes to every method are errors', async () => {
        const unary = ['/protos.Endorser/ProcessProposal', '/gateway.Gateway/Evaluate', '/gateway.Gateway/Endorse', '/gateway.Gateway/Submit', '/gateway.Gateway/CommitStatus'];
        const streams: Array<[grpc.Client, string]> = [
            [raw, '/protos.Deliver/Deliver'],
            [raw, '/protos.Deliver/DeliverFiltered'],
            [rawOrderer, '/orderer.AtomicBroadcast/Broadcast'],
            [rawOrderer, '/orderer.AtomicBroadcast/Deliver'],
        ];
        // invalid wire format: a field with wire type 7, a length running past the end, a truncated varint
        const garbage = fc.oneof(
            fc.uint8Array({ minLength: 1, maxLength: 256 }).map((b) => Uint8Array.from([0x0f, ...b])),
            fc.uint8Array({ minLength: 0, maxLength: 16 }).map((b) => Uint8Array.from([0x0a, 0xff, 0xff, 0x03, ...b])),
            fc.constant(Uint8Array.from([0x08, 0xff])),
        );
        await fc.assert(
            fc.asyncProperty(garbage, async (b) => {
                for (const method of unary) await expectRejected(`${method} garbage`, rawUnary(raw, method, b));
                for (const [client, method] of streams) await expectRejected(`${method} garbage`, rawStream(client, method, b));
            }),
            { numRuns: RUNS },
        );
    }, 300_000);

    it('nothing was committed and devnet is alive', async () => {
        const after = await settledHeights(net);
        console.log(`fuzz-grpc: ${cases} bad messages, every one answered with an error; heights ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
        expect(after).toEqual(before);
        expect(net.devnetProcess?.exitCode).toBeNull();
        expect(alive(net.devnetProcess?.pid)).toBe(true);
        expect(await answers(`http://127.0.0.1:${net.cfg.devnet.operationsPort}/healthz`)).toBe(200);
        expect(cases).toBeGreaterThan(100);
    }, 60_000);

    // Fabric's gateway takes the orderers from the request's channel (internal/pkg/gateway/submit.go), so a request
    // addressed to a channel that does not exist fails before anything is broadcast. Runs last.
    it('Gateway Submit addressed to an unknown channel is refused, nothing committed', async () => {
        const { env, txId } = await prepared();
        const height = await settledHeights(net);
        await expectRejected('Submit to an unknown channel', submit(env, txId, 'nochannel'));
        expect(await settledHeights(net)).toEqual(height);
    }, 60_000);
});
