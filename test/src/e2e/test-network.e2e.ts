// NETWORK=test-network without Docker: network/test-network/adapter.sh and the Makefile in dry-run mode against a
// fake fabric-samples checkout whose network.sh records any call. Asserts the exact command lines the adapter would
// run (network.sh flags, channel, CCaaS flags, the chaincode server's environment and supervisor, the membership
// bootstrap invoke), that nothing is executed, and that a missing FABRIC_SAMPLES or Docker fails with a clear message.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../support/network';

const ADAPTER = join(REPO, 'network/test-network/adapter.sh');

interface Result {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

function exec(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Result> {
    return new Promise((res) => {
        execFile(cmd, args, { cwd: REPO, env, timeout: 60_000 }, (err, stdout, stderr) => {
            const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
            res({ code, stdout, stderr });
        });
    });
}

/** The environment without anything that would steer the adapter or make from outside the test. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ['FABRIC_SAMPLES', 'DRY_RUN', 'NETWORK', 'MAKEFLAGS', 'MAKELEVEL', 'MFLAGS', 'CCAAS_RELAY_IMAGE']) delete env[k];
    return { ...env, ...extra };
}

const commands = (out: string): string[] => out.split('\n').filter((l) => l.startsWith('+ '));

describe('NETWORK=test-network (dry run, no Docker needed)', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'upoint-tn-'));
    const samples = join(tmp, 'fabric-samples');
    const tn = join(samples, 'test-network');
    const called = join(tmp, 'network.sh-was-called');
    const state = join(tmp, 'state');
    mkdirSync(tn, { recursive: true });
    writeFileSync(join(tn, 'network.sh'), `#!/bin/sh\necho "$@" >> '${called}'\nexit 3\n`);
    chmodSync(join(tn, 'network.sh'), 0o755);

    const org = (n: 1 | 2): string => `${tn}/organizations/peerOrganizations/org${n}.example.com`;
    const tlsca = (n: 1 | 2): string => `${org(n)}/tlsca/tlsca.org${n}.example.com-cert.pem`;
    const org1Env = [
        `env FABRIC_CFG_PATH=${samples}/config CORE_PEER_TLS_ENABLED=true CORE_PEER_LOCALMSPID=Org1MSP`,
        `CORE_PEER_TLS_ROOTCERT_FILE=${tlsca(1)} CORE_PEER_MSPCONFIGPATH=${org(1)}/users/Admin@org1.example.com/msp`,
        `CORE_PEER_ADDRESS=localhost:7051 ${samples}/bin/peer`,
    ].join(' ');
    const getinfo = `+ ${org1Env} channel getinfo -c upoint`;
    const relays = (verb: 'deploy' | 'down'): string[] =>
        ['peer0org1', 'peer0org2'].flatMap((p) => [
            `+ docker rm -f ${p}_upoint_ccaas`,
            ...(verb === 'deploy'
                ? [
                      `+ docker run -d --rm --name ${p}_upoint_ccaas --network fabric_test --add-host host.docker.internal:host-gateway ` +
                          `alpine/socat TCP-LISTEN:9999,fork,reuseaddr TCP:host.docker.internal:9999`,
                  ]
                : []),
        ]);
    const members = JSON.parse(readFileSync(join(REPO, 'network/test-network/members.json'), 'utf8')) as unknown;
    const bootstrapCall = JSON.stringify({ function: 'membership:Bootstrap', Args: [JSON.stringify(members)] });
    const serverCmd = `node ${REPO}/node_modules/fabric-shim/cli.js server --module-path ${REPO}/chaincode`;
    const expected = {
        up: [getinfo, `+ ${tn}/network.sh up createChannel -c upoint -ca`],
        deploy: (version: string, dir: string): string[] => [
            `+ ${tn}/network.sh deployCCAAS -c upoint -ccn upoint -ccp ${REPO}/chaincode -ccv ${version} -ccs auto ` +
                `-ccep "AND('Org1MSP.peer','Org2MSP.peer')" -ccaasdocker false`,
            `+ env FABRIC_CFG_PATH=${samples}/config ${samples}/bin/peer lifecycle chaincode calculatepackageid ${tn}/upoint.tar.gz`,
            ...relays('deploy'),
            `+ env 'CORE_CHAINCODE_ID=<package-id>' CORE_CHAINCODE_ADDRESS=0.0.0.0:9999 node ${REPO}/network/devnet/dist/cli.js ` +
                `supervise --pidfile ${dir}/run/chaincode.pid -- /bin/sh -c 'exec ${serverCmd}' >>${dir}/logs/chaincode.log 2>&1 &`,
            `+ ${org1Env} chaincode query -C upoint -n upoint -c '{"function":"membership:ListMembers","Args":[]}'`,
            `+ ${org1Env} chaincode invoke -o localhost:7050 --ordererTLSHostnameOverride orderer.example.com --tls ` +
                `--cafile ${tn}/organizations/ordererOrganizations/example.com/tlsca/tlsca.example.com-cert.pem -C upoint -n upoint ` +
                `--peerAddresses localhost:7051 --tlsRootCertFiles ${tlsca(1)} --peerAddresses localhost:9051 --tlsRootCertFiles ${tlsca(2)} ` +
                `--waitForEvent -c '${bootstrapCall}'`,
        ],
        status: [
            `+ docker ps --filter label=service=hyperledger-fabric --format '{{.Names}}\\t{{.Status}}'`,
            `+ docker ps --filter name=_upoint_ccaas --format '{{.Names}}\\t{{.Status}}'`,
            getinfo,
            `+ ${org1Env} lifecycle chaincode querycommitted -C upoint -n upoint`,
        ],
        down: [...relays('down'), `+ ${tn}/network.sh down`],
    };
    const adapter = (verb: string, ...flags: string[]): Promise<Result> =>
        exec('bash', [ADAPTER, verb, '--dry-run', '--fabric-samples', samples, '--dir', state, ...flags], cleanEnv());
    const make = (target: string, vars: Record<string, string>, env: NodeJS.ProcessEnv = {}): Promise<Result> =>
        exec(
            'make',
            // -o build: the e2e run comes after the build; the targets' own recipes are what is under test.
            // A network file that does not exist: should make ever fall back to devnet, it fails instead of starting one.
            [
                ...['-o', 'build', '--no-print-directory', target, 'NETWORK=test-network'],
                ...[`NETWORK_FILE=${join(tmp, 'none.yaml')}`, `DEVNET_DIR=${join(tmp, 'devnet')}`],
                ...Object.entries(vars).map(([k, v]) => `${k}=${v}`),
            ],
            cleanEnv(env),
        );

    afterEach(() => {
        // Nothing may have been run: the fake network.sh records every call.
        expect(existsSync(called) ? readFileSync(called, 'utf8') : '').toBe('');
        expect(existsSync(state)).toBe(false);
    });
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    it('up: starts test-network with CAs and creates channel upoint (unless it exists)', async () => {
        const r = await adapter('up');
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(commands(r.stdout)).toEqual(expected.up);
    });

    it('deploy: deployCCAAS without Docker images, a supervised server with the package id, the bootstrap invoke', async () => {
        const r = await adapter('deploy', '--version', '1.0-test');
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(commands(r.stdout)).toEqual(expected.deploy('1.0-test', state));
        // The bootstrap argument is network/test-network/members.json: Org1 and Org2, no regulator.
        const ids = (members as Array<{ mspId: string; roles: string[] }>).map((m) => [m.mspId, m.roles.includes('REGULATOR')]);
        expect(ids).toEqual([
            ['Org1MSP', false],
            ['Org2MSP', false],
        ]);
    });

    it('status: containers, relays, channel height, committed definition, our server', async () => {
        const r = await adapter('status');
        expect(r.code).toBe(0);
        expect(commands(r.stdout)).toEqual(expected.status);
        expect(r.stdout).toContain('chaincode server: not running');
    });

    it('down: stops our supervised server by its recorded pid, the relays, then network.sh down', async () => {
        const r0 = await adapter('down');
        expect(r0.code).toBe(0);
        expect(commands(r0.stdout)).toEqual(expected.down);
        // A recorded, live pid (this test process: a dry run only prints the kill).
        const dir = join(tmp, 'down-state');
        mkdirSync(join(dir, 'run'), { recursive: true });
        writeFileSync(join(dir, 'run/chaincode.pid'), `${process.pid}\n`);
        const r = await exec('bash', [ADAPTER, 'down', '--dry-run', '--fabric-samples', samples, '--dir', dir], cleanEnv());
        expect(r.code).toBe(0);
        expect(commands(r.stdout)).toEqual([`+ kill -TERM ${process.pid}`, ...expected.down]);
        expect(readFileSync(join(dir, 'run/chaincode.pid'), 'utf8')).toBe(`${process.pid}\n`);
        rmSync(dir, { recursive: true });
    });

    it('make NETWORK=test-network DRY_RUN=1: network-up, deploy, status, network-down run the adapter', async () => {
        const vars = { FABRIC_SAMPLES: samples, DRY_RUN: '1' };
        const dir = join(REPO, '.test-network');
        const hadDir = existsSync(dir);
        const up = await make('network-up', vars);
        expect(up.stderr).toBe('');
        expect(commands(up.stdout)).toEqual(expected.up);
        const deploy = await make('deploy', vars);
        expect(deploy.stderr).toBe('');
        expect(deploy.code).toBe(0);
        const lines = commands(deploy.stdout);
        const version = /-ccv (\S+)/.exec(lines[0] ?? '')?.[1] ?? '';
        expect(version).toMatch(/^1\.0-[0-9a-f]{12}$/); // the Makefile's content-hash version
        expect(lines).toEqual(expected.deploy(version, dir));
        expect(deploy.stdout).not.toContain('membership registry'); // devnet's bootstrap script is not run
        expect(commands((await make('status', vars)).stdout)).toEqual(expected.status);
        const down = await make('network-down', vars);
        expect(down.code).toBe(0);
        expect(commands(down.stdout)).toEqual(expected.down);
        expect(existsSync(dir)).toBe(hadDir); // a dry run creates no state
    });

    it('fails clearly without FABRIC_SAMPLES, without test-network in it, and without Docker', async () => {
        const noSamples = await exec('bash', [ADAPTER, 'up', '--dry-run'], cleanEnv());
        expect(noSamples.code).not.toBe(0);
        expect(noSamples.stderr).toContain("NETWORK=test-network needs FABRIC_SAMPLES=<fabric-samples checkout>; see README 'test-network (Docker)'");
        expect(noSamples.stdout).toBe('');

        const viaMake = await make('network-up', { DRY_RUN: '1' });
        expect(viaMake.code).not.toBe(0);
        expect(viaMake.stderr).toContain('NETWORK=test-network needs FABRIC_SAMPLES=');

        const wrongDir = await make('deploy', { DRY_RUN: '1', FABRIC_SAMPLES: tmp });
        expect(wrongDir.code).not.toBe(0);
        expect(wrongDir.stderr).toContain(`FABRIC_SAMPLES=${tmp} has no test-network/network.sh`);

        // Not a dry run, and no docker on PATH: refused before network.sh runs (afterEach checks it never ran).
        const bin = join(tmp, 'bin-without-docker');
        mkdirSync(bin);
        for (const tool of ['bash', 'dirname', 'date', 'cat']) {
            const found = await exec('bash', ['-c', `command -v ${tool}`], cleanEnv());
            symlinkSync(found.stdout.trim(), join(bin, tool));
        }
        const noDocker = await exec(join(bin, 'bash'), [ADAPTER, 'up', '--fabric-samples', samples, '--dir', state], cleanEnv({ PATH: bin }));
        expect(noDocker.code).not.toBe(0);
        expect(noDocker.stderr).toContain('NETWORK=test-network needs Docker (docker on PATH); DRY_RUN=1 prints the commands without it');
    });
});
