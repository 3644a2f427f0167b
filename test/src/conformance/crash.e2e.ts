// kill -9 under load: every transaction the client saw committed VALID survives the crash, and the restarted
// network serves the same hash chain (devnet as a child process; the chaincode server keeps running and the peers
// re-dial it after the restart).
import { StatusCode, type Contract, type Gateway } from '@hyperledger/fabric-gateway';
import { common } from '@hyperledger/fabric-protos';
import { blockHeaderHash, blockDataHash } from '@upoint/devnet/dist/ledger/blockhash';
import { TestNetwork, testConfig, KVCC } from '../support/network';
import { CHANNEL, chainInfo, processedTx, readBlocksUntil, settle, sleep, utf8 } from '../support/conformance';

const CLIENTS = 20;
const LOAD_MS = 3_000;
const KILL_AFTER_MS = 1_500;
const MEMBERS = ['Brand', 'Supplier', 'Bank'] as const;

interface Acked {
    readonly key: string;
    readonly value: string;
    readonly txId: string;
}

describe('crash: kill -9 mid-load', () => {
    const net = new TestNetwork(testConfig(27000));

    beforeAll(async () => {
        await net.startProcess();
        await net.deploy(KVCC);
    }, 120_000);
    afterAll(() => net.stop());

    it('keeps every acknowledged transaction and an unbroken hash chain across the restart', async () => {
        const gateways: Gateway[] = MEMBERS.map((m) => net.gateway(m, 'User1', { commitStatusMs: 20_000 }));
        const contracts: Contract[] = gateways.map((g) => g.getNetwork(CHANNEL).getContract('upoint', 'kv'));
        const acked: Acked[] = [];
        let sent = 0;
        let failed = 0;
        let invalid = 0;
        let stop = false;

        const worker = async (w: number): Promise<void> => {
            const contract = contracts[w % contracts.length];
            if (!contract) throw new Error('unreachable');
            for (let i = 0; !stop; i++) {
                const key = `load-${w}-${i}`;
                const value = `${w}:${i}:${Math.random().toString(36).slice(2)}`;
                sent++;
                try {
                    const submitted = await contract.submitAsync('Put', { arguments: [key, value] });
                    const status = await submitted.getStatus();
                    if (status.code === StatusCode.VALID) acked.push({ key, value, txId: submitted.getTransactionId() });
                    else invalid++;
                } catch {
                    failed++;
                    await sleep(50);
                }
            }
        };

        const started = Date.now();
        const workers = Array.from({ length: CLIENTS }, (_, w) => worker(w));
        await sleep(KILL_AFTER_MS);
        const ackedBeforeKill = acked.length;
        await net.killProcess();
        const killedAt = Date.now() - started;
        await sleep(Math.max(0, LOAD_MS - (Date.now() - started)));
        stop = true;
        await Promise.all(workers);
        console.log(
            `crash test: sent=${sent} acknowledged=${acked.length} (${ackedBeforeKill} before the kill at ${killedAt} ms) failed=${failed} invalid=${invalid}`,
        );
        expect(ackedBeforeKill).toBeGreaterThan(0);
        expect(invalid).toBe(0); // unique keys, blind writes: nothing can conflict

        await net.startProcess();

        // Fresh connections (the old channels may be in reconnect backoff).
        const brand = net.gateway('Brand').getNetwork(CHANNEL);
        const contract = brand.getContract('upoint', 'kv');
        const pending = [...acked];
        const check = async (): Promise<void> => {
            for (let a = pending.pop(); a; a = pending.pop()) {
                expect({ key: a.key, value: utf8.decode(await contract.evaluateTransaction('Get', a.key)) }).toEqual({ key: a.key, value: a.value });
                expect({ txId: a.txId, code: (await processedTx(brand, a.txId)).getValidationcode() }).toEqual({ txId: a.txId, code: StatusCode.VALID });
            }
        };
        await Promise.all(Array.from({ length: 8 }, () => check()));

        // The chain is unbroken from 0 to height-1, and every peer serves the same one.
        const info = await chainInfo(brand);
        const height = info.getHeight();
        const blocks = await readBlocksUntil(brand, 0n, (b) => b.getHeader()?.getNumber() === height - 1, 30_000);
        expect(blocks).toHaveLength(height);
        let prev: common.BlockHeader | undefined;
        for (const [n, b] of blocks.entries()) {
            const header = b.getHeader();
            const data = b.getData();
            if (!header || !data) throw new Error(`block ${n} without header or data`);
            expect(header.getNumber()).toBe(n);
            expect(Buffer.from(header.getDataHash_asU8())).toEqual(Buffer.from(blockDataHash(data)));
            expect(Buffer.from(header.getPreviousHash_asU8())).toEqual(Buffer.from(prev ? blockHeaderHash(prev) : new Uint8Array()));
            prev = header;
        }
        for (const m of MEMBERS.slice(1)) {
            const other = await chainInfo(net.gateway(m).getNetwork(CHANNEL));
            expect(Buffer.from(other.getCurrentblockhash_asU8())).toEqual(Buffer.from(info.getCurrentblockhash_asU8()));
        }

        // The restarted peers re-dial the still-running chaincode server.
        expect(utf8.decode(await contract.submitTransaction('Put', 'after-restart', 'ok'))).toBe('ok');
        await settle(net);
        expect(utf8.decode(await net.gateway('Bank').getNetwork(CHANNEL).getContract('upoint', 'kv').evaluateTransaction('Get', 'after-restart'))).toBe('ok');
    }, 120_000);
});
