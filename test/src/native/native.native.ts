// The native network: real Fabric v2.5 binaries (FABRIC_BIN) started by network/native from the project's
// network file, the conformance chaincode deployed by devnet's lifecycle code through `native deploy`
// (supervised CCaaS server, our external builder), and the real @hyperledger/fabric-gateway client.
// Runs only as the jest project `native` (`make test-native`); without FABRIC_BIN it fails and says why.
import { status as GrpcStatus } from '@grpc/grpc-js';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkConfig } from '@upoint/devnet/dist/config/network';
import { TestNetwork, testConfig, KVCC, REPO } from '../support/network';
import { CHANNEL, gatewayRejection, utf8 } from '../support/conformance';

const NATIVE_CLI = join(REPO, 'network/native/dist/cli.js');
const SHIM = join(REPO, 'node_modules/fabric-shim/cli.js');
/** testConfig offsets of their own (private port blocks no devnet suite uses), one per orderer count. */
const OFFSETS = { 1: 50000, 3: 50500 } as const;

/** The test network file with `count` Raft nodes, the extra ones inside the same private port block. */
function nativeConfig(count: 1 | 3): NetworkConfig {
    const cfg = testConfig(OFFSETS[count]);
    const first = cfg.orderer.nodes[0];
    if (!first) throw new Error('no orderer node');
    const nodes = Array.from({ length: count }, (_, i) => ({ name: `orderer${i}`, port: first.port + i * 3, adminPort: first.port + i * 3 + 1, operationsPort: first.port + i * 3 + 2 }));
    return { ...cfg, orderer: { ...cfg.orderer, nodes } };
}

function fabricBin(): string {
    const bin = process.env.FABRIC_BIN;
    if (!bin) throw new Error('FABRIC_BIN is not set: point it at a folder with peer, orderer, configtxgen, osnadmin and config/');
    for (const b of ['peer', 'orderer', 'configtxgen', 'osnadmin']) if (!existsSync(join(bin, b))) throw new Error(`FABRIC_BIN ${bin} lacks ${b}`);
    return bin;
}

function native(args: readonly string[]): Promise<string> {
    return new Promise((res, rej) => {
        execFile(process.execPath, [NATIVE_CLI, ...args], { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
            if (err) rej(new Error(`native ${args[0] ?? ''} failed: ${stderr}${stdout}`));
            else res(stdout);
        });
    });
}

describe.each([1, 3] as const)('native Fabric with %i Raft orderer(s): up, deploy, fabric-gateway submit/evaluate, read-only regulator', (orderers) => {
    const cfg = nativeConfig(orderers);
    const dir = mkdtempSync(join(tmpdir(), 'native-test-'));
    const net = new TestNetwork(cfg, dir);
    const contract = (orgName: string, user: 'User1' | 'Admin' = 'User1') => net.gateway(orgName, user).getNetwork(CHANNEL).getContract(cfg.chaincode.name, 'kv');
    const timings: Record<string, number> = {};

    beforeAll(async () => {
        const bin = fabricBin();
        const networkFile = join(dir, 'test.network.json');
        writeFileSync(networkFile, JSON.stringify(cfg));
        let t = Date.now();
        await native(['up', '--network', networkFile, '--dir', dir, '--bin', bin, '--orderers', String(orderers)]);
        timings.up = Date.now() - t;
        t = Date.now();
        await native(['deploy', '--dir', dir, '--version', '1.0', '--server-cmd', `${process.execPath} ${SHIM} server --module-path ${KVCC}`]);
        timings.deploy = Date.now() - t;
    }, 300_000);

    afterAll(async () => {
        await net.stop();
        await native(['down', '--dir', dir]);
        process.stdout.write(`native (${orderers} orderer(s)) timings (ms): ${JSON.stringify(timings)}; logs were in ${join(dir, 'logs')}\n`);
    }, 60_000);

    it('status reports every process healthy, every peer on the channel and the committed definition', async () => {
        const out = await native(['status', '--dir', dir]);
        expect(out.match(/^orderer .*health OK, raft leader$/gm)).toHaveLength(1);
        expect(out.match(/^orderer .*health OK, raft follower$/gm) ?? []).toHaveLength(orderers - 1);
        expect(out.match(/^peer .*health OK, height \d+, peers known 3$/gm)).toHaveLength(4);
        expect(out).toMatch(/chaincode upoint: version 1\.0, sequence 1, approvals BankMSP=true, BrandMSP=true, RegulatorMSP=true, SupplierMSP=true/);
    });

    it("submits and evaluates through Brand's peer gateway", async () => {
        const t = Date.now();
        const r = await contract('Brand').submitTransaction('Put', 'native-k1', 'native-v1');
        timings.firstSubmit = Date.now() - t;
        expect(utf8.decode(r)).toBe('native-v1');
        expect(utf8.decode(await contract('Brand').evaluateTransaction('Get', 'native-k1'))).toBe('native-v1');
        expect(utf8.decode(await contract('Regulator').evaluateTransaction('Get', 'native-k1'))).toBe('native-v1');
    });

    it('a regulator User1 submit is refused at the orderer: ABORTED, FORBIDDEN by /Channel/Writers', async () => {
        const err = await gatewayRejection(contract('Regulator').submitTransaction('Put', 'native-reg', 'regulator value'), 'SubmitError');
        expect(err.code).toBe(GrpcStatus.ABORTED);
        expect(err.message).toBe(
            "10 ABORTED: received unsuccessful response from orderer: status=FORBIDDEN, info=implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 of the 'Writers' sub-policies to be satisfied: permission denied",
        );
        expect(err.details).toEqual([]);
        expect(utf8.decode(await contract('Brand').evaluateTransaction('Get', 'native-reg'))).toBe('');
    });

    it('the regulator Admin satisfies its org Writers: the transaction commits VALID', async () => {
        const r = await contract('Regulator', 'Admin').submitTransaction('Put', 'native-reg-admin', 'by regulator admin');
        expect(utf8.decode(r)).toBe('by regulator admin');
        expect(utf8.decode(await contract('Bank').evaluateTransaction('Get', 'native-reg-admin'))).toBe('by regulator admin');
    });
});
