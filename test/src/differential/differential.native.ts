// Differential conformance: the same scenarios (scenarios.ts: the devnet conformance areas and the U-Point smoke)
// run on devnet and on real Fabric v2.5 (network/native, FABRIC_BIN), one network after the other; every observable
// outcome is recorded, normalised (tx ids, hashes, certificates, timestamps, addresses) and compared field by field.
// Recordings go to test/results/differential-{devnet,native}.json. A difference is either fixed in devnet or listed
// in KNOWN below with the README's reason ("Known differences from Fabric") and the exact difference it allows.
// Runs only as the jest project `native`: FABRIC_BIN=/path npx jest --selectProjects native --runInBand test/src/differential
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DevnetTarget, NativeTarget, fabricBin, type DiffTarget } from '../support/difftarget';
import { KVCC, REPO } from '../support/network';
import { diff, observe, type Observation } from './observe';
import { SCENARIOS, UPOINT_CC, UPOINT_CHAINCODE_DIR } from './scenarios';

interface Recording {
    readonly target: string;
    readonly setupMs: number;
    readonly scenarios: Record<string, { readonly ms: number; readonly observations: Observation[] }>;
}

/**
 * Documented differences (README, "Known differences from Fabric"): scenario -> the README reason and the exact
 * difference lines (as `diff` prints them) it allows. Anything else that differs fails.
 */
const KNOWN: Record<string, { readonly reason: string; readonly differences: readonly string[] }> = {};

async function record(t: DiffTarget): Promise<Recording> {
    const t0 = Date.now();
    await t.start();
    await t.deploy(KVCC, { name: 'upoint' });
    await t.deploy(KVCC, { name: 'other', port: t.cfg.chaincode.serverPort + 3 });
    await t.deploy(UPOINT_CHAINCODE_DIR, { name: UPOINT_CC, port: t.cfg.chaincode.serverPort + 6 });
    const setupMs = Date.now() - t0;
    const scenarios: Record<string, { ms: number; observations: Observation[] }> = {};
    try {
        for (const s of SCENARIOS) {
            scenarios[s.name] = await observe(t, s);
            process.stdout.write(`differential ${t.name}: ${s.name} in ${scenarios[s.name]?.ms ?? 0} ms\n`);
        }
    } finally {
        await t.stop();
    }
    return { target: t.name, setupMs, scenarios };
}

describe('differential conformance: devnet against Fabric v2.5 (FABRIC_BIN)', () => {
    const recordings: { devnet?: Recording; native?: Recording } = {};
    const out = join(REPO, 'test/results');

    beforeAll(async () => {
        fabricBin();
        mkdirSync(out, { recursive: true });
        const t0 = Date.now();
        recordings.devnet = await record(new DevnetTarget(60500));
        writeFileSync(join(out, 'differential-devnet.json'), `${JSON.stringify(recordings.devnet, null, 2)}\n`);
        const t1 = Date.now();
        recordings.native = await record(new NativeTarget(60000));
        writeFileSync(join(out, 'differential-native.json'), `${JSON.stringify(recordings.native, null, 2)}\n`);
        process.stdout.write(`differential: devnet ${t1 - t0} ms, native ${Date.now() - t1} ms\n`);
    }, 1_200_000);

    it.each(SCENARIOS.map((s) => s.name))('%s', (name) => {
        const a = recordings.devnet?.scenarios[name]?.observations;
        const b = recordings.native?.scenarios[name]?.observations;
        if (!a || !b) throw new Error(`scenario ${name} was not recorded on both networks`);
        const differences = diff(a, b);
        const known = KNOWN[name];
        if (known) {
            expect(known.reason).not.toBe('');
            expect(differences).toEqual(known.differences);
            return;
        }
        if (differences.length > 0) throw new Error(`devnet and Fabric differ in "${name}":\n${differences.join('\n')}`);
    });
});
