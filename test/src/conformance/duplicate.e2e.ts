// Duplicate transaction ids: the endorser refuses a used txid (core/endorser/endorser.go preProcess), the orderer
// does not check (orderer/common/msgprocessor), and the committer marks a re-ordered copy DUPLICATE_TXID
// (core/committer/txvalidator/v20/validator.go), whether the first copy is in an earlier block or the same one.
import { EndorseError, StatusCode, type Contract, type Gateway, type Network } from '@hyperledger/fabric-gateway';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { TestNetwork, testConfig, KVCC } from '../support/network';
import { CHANNEL, creatorBytes, gatewayRejection, hex, peerAddress, processedTx, readBlocksUntil, rejectionAs, settle, txFilter, txIdsOf, utf8 } from '../support/conformance';

describe('duplicate transaction ids', () => {
    const net = new TestNetwork(testConfig(23000));
    let gw: Gateway;
    let network: Network;
    let contract: Contract;

    beforeAll(async () => {
        await net.start();
        await net.deploy(KVCC);
        gw = net.gateway('Brand');
        network = gw.getNetwork(CHANNEL);
        contract = network.getContract('upoint', 'kv');
    }, 120_000);
    afterAll(() => net.stop());

    const duplicateMessage = (txId: string): string => `duplicate transaction found [${txId}]. Creator [${hex(creatorBytes(gw))}]`;

    it('re-endorsing a committed proposal: EndorseError ABORTED with the endorser detail "duplicate transaction found"', async () => {
        const proposal = contract.newProposal('Put', { arguments: ['dup-1', 'first'] });
        const txId = proposal.getTransactionId();
        const status = await (await (await proposal.endorse()).submit()).getStatus();
        expect(status.code).toBe(StatusCode.VALID);

        const err = await rejectionAs(proposal.endorse(), EndorseError);
        expect(err.code).toBe(GrpcStatus.ABORTED);
        expect(err.message).toBe('10 ABORTED: failed to endorse transaction, see attached details for more info');
        expect(err.transactionId).toBe(txId);
        expect(err.details).toEqual([{ address: peerAddress(net.cfg, 'Brand'), mspId: 'BrandMSP', message: duplicateMessage(txId) }]);
    });

    it('evaluating a committed proposal again: FAILED_PRECONDITION "evaluate call to endorser returned error: duplicate transaction found"', async () => {
        const proposal = contract.newProposal('Put', { arguments: ['dup-2', 'first'] });
        await (await (await proposal.endorse()).submit()).getStatus();

        const err = await gatewayRejection(proposal.evaluate(), 'GatewayError');
        expect(err.code).toBe(GrpcStatus.FAILED_PRECONDITION);
        expect(err.message).toBe(`9 FAILED_PRECONDITION: evaluate call to endorser returned error: ${duplicateMessage(proposal.getTransactionId())}`);
        expect(err.details).toEqual([{ address: peerAddress(net.cfg, 'Brand'), mspId: 'BrandMSP', message: duplicateMessage(proposal.getTransactionId()) }]);
    });

    it('the txid of an invalid transaction is used up as well', async () => {
        await contract.submitTransaction('Put', 'dup-mvcc', '0');
        await settle(net);
        const loser = contract.newProposal('Incr', { arguments: ['dup-mvcc'] });
        const loserTx = await loser.endorse();
        await contract.submitTransaction('Incr', 'dup-mvcc');
        await settle(net);
        expect((await (await loserTx.submit()).getStatus()).code).toBe(StatusCode.MVCC_READ_CONFLICT);

        const err = await rejectionAs(loser.endorse(), EndorseError);
        expect(err.code).toBe(GrpcStatus.ABORTED);
        expect(err.details.map((d) => d.message)).toEqual([duplicateMessage(loser.getTransactionId())]);
    });

    it('re-sending a committed envelope: the orderer accepts it, the copy commits as DUPLICATE_TXID (9); status and qscc report the first', async () => {
        const tx = await contract.newProposal('Put', { arguments: ['dup-3', 'original'] }).endorse();
        const txId = tx.getTransactionId();
        const first = await (await tx.submit()).getStatus();
        expect(first.code).toBe(StatusCode.VALID);
        await contract.submitTransaction('Put', 'dup-3', 'changed since');

        const again = await tx.submit(); // the same signed envelope, through the gateway to the orderer
        const blocks = await readBlocksUntil(network, first.blockNumber + 1n, (b) => txIdsOf(b).includes(txId));
        const copyBlock = blocks[blocks.length - 1];
        if (!copyBlock) throw new Error('unreachable');
        const index = txIdsOf(copyBlock).indexOf(txId);
        expect(Number(copyBlock.getHeader()?.getNumber())).toBeGreaterThan(Number(first.blockNumber));
        expect(txFilter(copyBlock)[index]).toBe(StatusCode.DUPLICATE_TXID);

        // The txid index keeps the first occurrence (commit/finder.go; ledger blkstorage): VALID in the first block.
        const status = await again.getStatus();
        expect(status.code).toBe(StatusCode.VALID);
        expect(status.blockNumber).toBe(first.blockNumber);
        expect((await processedTx(network, txId)).getValidationcode()).toBe(StatusCode.VALID);
        // The copy wrote nothing.
        expect(utf8.decode(await contract.evaluateTransaction('Get', 'dup-3'))).toBe('changed since');
    });

    it('the same envelope twice in one block: the first copy is VALID, the second DUPLICATE_TXID', async () => {
        const tx = await contract.newProposal('Put', { arguments: ['dup-4', 'once'] }).endorse();
        const txId = tx.getTransactionId();
        const a = await tx.submit();
        await tx.submit();
        const status = await a.getStatus();
        expect(status.code).toBe(StatusCode.VALID);

        const [block] = await readBlocksUntil(network, status.blockNumber, () => true);
        if (!block) throw new Error('unreachable');
        const ids = txIdsOf(block);
        const positions = ids.flatMap((id, i) => (id === txId ? [i] : []));
        expect(positions).toHaveLength(2);
        const filter = txFilter(block);
        expect(positions.map((i) => filter[i])).toEqual([StatusCode.VALID, StatusCode.DUPLICATE_TXID]);
        expect(utf8.decode(await contract.evaluateTransaction('Get', 'dup-4'))).toBe('once');
    });
});
