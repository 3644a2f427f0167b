// Test helper: a client SignedProposal the shim can parse, cf. protoutil/proputils.go (CreateChaincodeProposal).
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { common, msp, peer } from '@hyperledger/fabric-protos';
import { Timestamp } from 'google-protobuf/google/protobuf/timestamp_pb';

x509.cryptoProvider.set(webcrypto);

/** A throwaway self-signed ECDSA P-256 certificate, PEM. */
export async function throwawayCertPem(commonName = 'User1@org1.example.com'): Promise<string> {
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
    const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: '01',
        name: `CN=${commonName}, O=org1.example.com`,
        notBefore: new Date(now - 60_000),
        notAfter: new Date(now + 3_600_000),
        signingAlgorithm: alg,
        keys,
    });
    return cert.toString('pem');
}

export interface TestProposal {
    readonly signedProposal: peer.SignedProposal;
    readonly input: peer.ChaincodeInput;
}

export function newChaincodeInput(args: readonly string[]): peer.ChaincodeInput {
    const input = new peer.ChaincodeInput();
    input.setArgsList(args.map((a) => Buffer.from(a, 'utf8')));
    return input;
}

/** Proposal{header{channel header type 3, signature header{creator, nonce}}, payload ChaincodeProposalPayload}; dummy signature. */
export function newTestProposal(opts: {
    readonly certPem: string;
    readonly mspId: string;
    readonly channelId: string;
    readonly txId: string;
    readonly chaincodeName: string;
    readonly args: readonly string[];
}): TestProposal {
    const input = newChaincodeInput(opts.args);

    const ts = new Timestamp();
    ts.setSeconds(Math.floor(Date.now() / 1000));
    const ch = new common.ChannelHeader();
    ch.setType(common.HeaderType.ENDORSER_TRANSACTION);
    ch.setChannelId(opts.channelId);
    ch.setTxId(opts.txId);
    ch.setTimestamp(ts);

    const creator = new msp.SerializedIdentity();
    creator.setMspid(opts.mspId);
    creator.setIdBytes(Buffer.from(opts.certPem, 'utf8'));
    const sh = new common.SignatureHeader();
    sh.setCreator(creator.serializeBinary());
    sh.setNonce(randomBytes(24));

    const header = new common.Header();
    header.setChannelHeader(ch.serializeBinary());
    header.setSignatureHeader(sh.serializeBinary());

    const ccid = new peer.ChaincodeID();
    ccid.setName(opts.chaincodeName);
    const spec = new peer.ChaincodeSpec();
    spec.setType(peer.ChaincodeSpec.Type.NODE);
    spec.setChaincodeId(ccid);
    spec.setInput(input);
    const cis = new peer.ChaincodeInvocationSpec();
    cis.setChaincodeSpec(spec);
    const ccpp = new peer.ChaincodeProposalPayload();
    ccpp.setInput(cis.serializeBinary());

    const proposal = new peer.Proposal();
    proposal.setHeader(header.serializeBinary());
    proposal.setPayload(ccpp.serializeBinary());

    const signedProposal = new peer.SignedProposal();
    signedProposal.setProposalBytes(proposal.serializeBinary());
    signedProposal.setSignature(Buffer.from('not-a-signature'));
    return { signedProposal, input };
}
