// Gateway service conformance (internal/pkg/gateway/{evaluate,endorse,submit}.go as seen by fabric-gateway 1.11):
// per-org submit/evaluate, chaincode errors, non-determinism, the read-only regulator, undefined chaincodes.
import { EndorseError, GatewayError, StatusCode, type Gateway } from '@hyperledger/fabric-gateway';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { gateway } from '@hyperledger/fabric-protos';
import { TestNetwork, testConfig, KVCC } from '../support/network';
import { CHANNEL, chainInfo, creatorBytes, gatewayRejection, peerAddress, rejectionAs, settle, sleep, utf8 } from '../support/conformance';

const MEMBERS = ['Brand', 'Supplier', 'Bank'] as const;

describe('gateway: submit, evaluate and their errors', () => {
    const net = new TestNetwork(testConfig(21000));
    const gw = new Map<string, Gateway>();
    const contract = (orgName: string, user: 'User1' | 'Admin' = 'User1') => {
        const key = `${orgName}/${user}`;
        let g = gw.get(key);
        if (!g) {
            g = net.gateway(orgName, user);
            gw.set(key, g);
        }
        return g.getNetwork(CHANNEL).getContract('upoint', 'kv');
    };
    const network = (orgName: string) => {
        contract(orgName);
        const g = gw.get(`${orgName}/User1`);
        if (!g) throw new Error('unreachable');
        return g.getNetwork(CHANNEL);
    };

    beforeAll(async () => {
        await net.start();
        await net.deploy(KVCC);
    }, 120_000);
    afterAll(() => net.stop());

    describe('1. every member org submits and evaluates through its own gateway', () => {
        it.each(MEMBERS)('%s: submit returns the result and the value is readable from every org', async (orgName) => {
            const key = `member-${orgName}`;
            const result = await contract(orgName).submitTransaction('Put', key, `value of ${orgName}`);
            expect(utf8.decode(result)).toBe(`value of ${orgName}`);
            await settle(net);
            for (const other of [...MEMBERS, 'Regulator']) {
                expect(utf8.decode(await contract(other).evaluateTransaction('Get', key))).toBe(`value of ${orgName}`);
            }
        });

        it.each([...MEMBERS, 'Regulator'])('%s: Creator returns the caller MSP', async (orgName) => {
            expect(utf8.decode(await contract(orgName).evaluateTransaction('Creator'))).toBe(`${orgName}MSP`);
        });

        it('submitted Creator is the submitting org', async () => {
            expect(utf8.decode(await contract('Supplier').submitTransaction('Creator'))).toBe('SupplierMSP');
        });

        it('evaluate of an absent key returns an empty payload', async () => {
            expect(await contract('Regulator').evaluateTransaction('Get', 'never-written')).toEqual(new Uint8Array());
        });
    });

    describe('2. chaincode errors', () => {
        it('submit: EndorseError ABORTED with the local peer detail "chaincode response 500, <msg>"', async () => {
            const err = await rejectionAs(contract('Brand').submitTransaction('Fail', 'boom on purpose'), EndorseError);
            expect(err.code).toBe(GrpcStatus.ABORTED);
            expect(err.message).toBe('10 ABORTED: failed to endorse transaction, see attached details for more info');
            expect(err.details).toEqual([{ address: peerAddress(net.cfg, 'Brand'), mspId: 'BrandMSP', message: 'chaincode response 500, boom on purpose' }]);
            expect(err.transactionId).toMatch(/^[0-9a-f]{64}$/);
        });

        it('the detail names the gateway org peer (Bank)', async () => {
            const err = await rejectionAs(contract('Bank').submitTransaction('Fail', 'bank says no'), EndorseError);
            expect(err.details).toEqual([{ address: peerAddress(net.cfg, 'Bank'), mspId: 'BankMSP', message: 'chaincode response 500, bank says no' }]);
        });

        it('evaluate: GatewayError UNKNOWN "evaluate call to endorser returned error: chaincode response 500, <msg>"', async () => {
            const err = await gatewayRejection(contract('Supplier').evaluateTransaction('Fail', 'evaluate boom'), 'GatewayError');
            expect(err.code).toBe(GrpcStatus.UNKNOWN);
            expect(err.message).toBe('2 UNKNOWN: evaluate call to endorser returned error: chaincode response 500, evaluate boom');
            expect(err.details).toEqual([{ address: peerAddress(net.cfg, 'Supplier'), mspId: 'SupplierMSP', message: 'chaincode response 500, evaluate boom' }]);
        });

        it('an unknown transaction function is a chaincode error too', async () => {
            const err = await gatewayRejection(contract('Brand').evaluateTransaction('NoSuchFunction'), 'GatewayError');
            expect(err.code).toBe(GrpcStatus.UNKNOWN);
            expect(err.message).toMatch(/^2 UNKNOWN: evaluate call to endorser returned error: chaincode response 500, /);
            expect(err.message).toContain('NoSuchFunction');
        });
    });

    describe('3. non-determinism', () => {
        it('different payloads from two endorsers fail endorsement with "ProposalResponsePayloads do not match"', async () => {
            const before = utf8.decode(await contract('Brand').evaluateTransaction('Get', 'nondet'));
            const err = await rejectionAs(contract('Brand').submitTransaction('NonDeterministic'), EndorseError);
            expect(err.code).toBe(GrpcStatus.ABORTED);
            expect(err.message).toBe('10 ABORTED: failed to collect enough transaction endorsements, see attached details for more info');
            expect(err.details.length).toBeGreaterThanOrEqual(1);
            for (const d of err.details) {
                expect(d.message).toBe('ProposalResponsePayloads do not match');
                expect(['SupplierMSP', 'BankMSP']).toContain(d.mspId);
                expect(d.address).toBe(peerAddress(net.cfg, d.mspId.replace(/MSP$/, '')));
            }
            expect(utf8.decode(await contract('Brand').evaluateTransaction('Get', 'nondet'))).toBe(before);
        });
    });

    describe('explicit endorsing organizations', () => {
        it('a chaincode error on the named orgs: ABORTED "failed to collect enough transaction endorsements" with one detail per org', async () => {
            const err = await rejectionAs(
                contract('Brand').submit('Fail', { arguments: ['named orgs fail'], endorsingOrganizations: ['SupplierMSP', 'BankMSP'] }),
                EndorseError,
            );
            expect(err.code).toBe(GrpcStatus.ABORTED);
            expect(err.message).toBe('10 ABORTED: failed to collect enough transaction endorsements, see attached details for more info');
            expect([...err.details].sort((a, b) => a.mspId.localeCompare(b.mspId))).toEqual([
                { address: peerAddress(net.cfg, 'Bank'), mspId: 'BankMSP', message: 'chaincode response 500, named orgs fail' },
                { address: peerAddress(net.cfg, 'Supplier'), mspId: 'SupplierMSP', message: 'chaincode response 500, named orgs fail' },
            ]);
        });

        it('an org without a peer for the chaincode: UNAVAILABLE "failed to find any endorsing peers for org(s): <org>"', async () => {
            const err = await rejectionAs(contract('Brand').submit('Put', { arguments: ['k', 'v'], endorsingOrganizations: ['NoSuchMSP'] }), EndorseError);
            expect(err.code).toBe(GrpcStatus.UNAVAILABLE);
            expect(err.message).toBe('14 UNAVAILABLE: failed to find any endorsing peers for org(s): NoSuchMSP');
        });

        it('the named orgs endorse and the transaction commits', async () => {
            const r = await contract('Brand').submit('Put', { arguments: ['named-orgs', 'ok'], endorsingOrganizations: ['SupplierMSP', 'BankMSP'] });
            expect(utf8.decode(r)).toBe('ok');
            expect(utf8.decode(await contract('Brand').evaluateTransaction('Get', 'named-orgs'))).toBe('ok');
        });
    });

    describe('4. the read-only regulator', () => {
        it('User1 endorses but the orderer refuses: SubmitError ABORTED FORBIDDEN, no details, ledger unchanged', async () => {
            await contract('Brand').submitTransaction('Put', 'reg-key', 'brand value');
            // Brand's peer has committed that block (its commit status said so); the others may lag by a moment.
            const heightBefore = (await chainInfo(network('Brand'))).getHeight();

            const err = await gatewayRejection(contract('Regulator').submitTransaction('Put', 'reg-key', 'regulator value'), 'SubmitError');
            expect(err.code).toBe(GrpcStatus.ABORTED);
            expect(err.message).toBe(
                "10 ABORTED: received unsuccessful response from orderer: status=FORBIDDEN, info=implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 of the 'Writers' sub-policies to be satisfied: permission denied",
            );
            expect(err.details).toEqual([]);

            await sleep(net.cfg.orderer.batch.timeoutMs * 3); // a block would have been cut by now
            expect((await chainInfo(network('Brand'))).getHeight()).toBe(heightBefore);
            expect(utf8.decode(await contract('Brand').evaluateTransaction('Get', 'reg-key'))).toBe('brand value');
        });

        it('the regulator Admin satisfies its org Writers: the transaction commits VALID', async () => {
            const result = await contract('Regulator', 'Admin').submitTransaction('Put', 'reg-admin-key', 'by regulator admin');
            expect(utf8.decode(result)).toBe('by regulator admin');
            await settle(net);
            expect(utf8.decode(await contract('Bank').evaluateTransaction('Get', 'reg-admin-key'))).toBe('by regulator admin');
            expect(utf8.decode(await contract('Regulator', 'Admin').evaluateTransaction('Creator'))).toBe('RegulatorMSP');
        });
    });

    describe('commit status (commitstatus.go: blocks until the transaction commits)', () => {
        /** A Commit for a transaction that was endorsed but not (yet) submitted, through the offline-signing API. */
        function commitFor(orgName: string, txId: string) {
            const g = gw.get(`${orgName}/User1`);
            if (!g) throw new Error('no gateway');
            const req = new gateway.CommitStatusRequest();
            req.setChannelId(CHANNEL);
            req.setTransactionId(txId);
            req.setIdentity(creatorBytes(g));
            const signed = new gateway.SignedCommitStatusRequest();
            signed.setRequest(req.serializeBinary());
            return g.newCommit(signed.serializeBinary());
        }

        it('a transaction never ordered: CommitStatusError DEADLINE_EXCEEDED at the client deadline', async () => {
            const tx = await contract('Brand').newProposal('Put', { arguments: ['never-ordered', 'x'] }).endorse();
            const err = await gatewayRejection(commitFor('Brand', tx.getTransactionId()).getStatus({ deadline: Date.now() + 1_000 }), 'CommitStatusError');
            expect(err.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
        });

        it('a status request made before the submit resolves once the transaction commits', async () => {
            const tx = await contract('Brand').newProposal('Put', { arguments: ['waited-for', 'y'] }).endorse();
            const pending = commitFor('Brand', tx.getTransactionId()).getStatus();
            await sleep(300);
            await tx.submit();
            const status = await pending;
            expect(status.code).toBe(StatusCode.VALID);
            expect(status.transactionId).toBe(tx.getTransactionId());
        });
    });

    describe('11. undefined chaincode', () => {
        it('evaluate: FAILED_PRECONDITION "no peers available to evaluate chaincode <cc> in channel upoint"', async () => {
            const err = await gatewayRejection(network('Brand').getContract('nosuchcc').evaluateTransaction('Get', 'x'), 'GatewayError');
            expect(err.code).toBe(GrpcStatus.FAILED_PRECONDITION);
            expect(err.message).toBe('9 FAILED_PRECONDITION: no peers available to evaluate chaincode nosuchcc in channel upoint');
            expect(err.details).toEqual([]);
        });

        it('submit: EndorseError FAILED_PRECONDITION from discovery (no metadata for the chaincode)', async () => {
            const err = await rejectionAs(network('Brand').getContract('nosuchcc').submitTransaction('Put', 'x', 'y'), EndorseError);
            expect(err.code).toBe(GrpcStatus.FAILED_PRECONDITION);
            expect(err.message).toBe(
                '9 FAILED_PRECONDITION: no combination of peers can be derived which satisfy the endorsement policy: No metadata was found for chaincode nosuchcc in channel upoint',
            );
            expect(err.details).toEqual([]);
        });

        it('the regulator gets the same evaluate error', async () => {
            const err = await rejectionAs(network('Regulator').getContract('nosuchcc').evaluateTransaction('Get', 'x'), GatewayError);
            expect(err.code).toBe(GrpcStatus.FAILED_PRECONDITION);
        });
    });
});
