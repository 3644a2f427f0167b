import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KVLedger } from './kvledger';

// A child process commits blocks in a loop (each sets cc/counter = n and cc/k<n>) and prints n after each commit
// resolves; the parent SIGKILLs it at an arbitrary point. Every acknowledged block must survive, state must match.
const CHILD = `
const ts = require('typescript');
const fs = require('fs');
require.extensions['.ts'] = (m, filename) => {
    const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
        fileName: filename,
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    m._compile(out.outputText, filename);
};
const [dir, src] = process.argv.slice(1);
const { KVLedger } = require(src + '/kvledger.ts');
const { makeBlock, endorserTx, configTx } = require(src + '/testing.ts');
(async () => {
    const ledger = await KVLedger.open(dir, 'mychannel');
    for (;;) {
        const info = await ledger.getChainInfo();
        const n = info.height;
        const env = n === 0 ? configTx('genesis') : endorserTx({ txId: 'tx' + n, namespaces: [{ namespace: 'cc',
            writes: [{ key: 'counter', value: String(n) }, { key: 'k' + n, value: 'x'.repeat(2000) }] }] });
        await ledger.commit(makeBlock(n, info.currentBlockHash, [env]));
        process.stdout.write(n + '\\n');
    }
})();
`;

function runAndKill(dir: string, acksBeforeKill: number): Promise<number> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['-e', CHILD, dir, __dirname], { cwd: path.resolve(__dirname, '../../../..'), stdio: ['ignore', 'pipe', 'pipe'] });
        let last = -1;
        let acks = 0;
        let buffered = '';
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => {
            stderr += d.toString();
        });
        child.stdout.on('data', (d: Buffer) => {
            buffered += d.toString();
            const lines = buffered.split('\n');
            buffered = lines.pop() ?? '';
            for (const l of lines) {
                last = Number(l);
                acks++;
            }
            if (acks >= acksBeforeKill) child.kill('SIGKILL');
        });
        child.on('exit', (_code, signal) => {
            if (signal === 'SIGKILL') resolve(last);
            else reject(new Error(`child exited without kill: ${stderr}`));
        });
    });
}

describe('kill -9 during commits', () => {
    it('loses no acknowledged block and keeps state consistent with the blocks', async () => {
        const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'devnet-crash-'));
        try {
            for (const acks of [15, 7, 23]) {
                const lastAcked = await runAndKill(dir, acks);
                const ledger = await KVLedger.open(dir, 'mychannel');
                try {
                    expect(ledger.height).toBeGreaterThanOrEqual(lastAcked + 1);
                    const top = ledger.height - 1;
                    const snap = ledger.snapshot();
                    const counter = await snap.get('cc', 'counter');
                    expect(Buffer.from(counter?.value ?? []).toString()).toBe(String(top));
                    expect(counter?.version).toEqual({ blockNum: BigInt(top), txNum: 0 });
                    let keys = 0;
                    for await (const kv of snap.range('cc', 'k', 'l')) {
                        expect(kv.value.length).toBe(2000);
                        keys++;
                    }
                    expect(keys).toBe(top);
                    expect(await snap.height()).toBe(ledger.height);
                    await snap.close();
                    let history = 0;
                    for await (const m of ledger.getHistoryForKey('cc', 'counter')) {
                        expect(Buffer.from(m.value).toString()).toBe(String(top - history));
                        history++;
                    }
                    expect(history).toBe(top);
                } finally {
                    await ledger.close();
                }
            }
        } finally {
            await fsp.rm(dir, { recursive: true, force: true });
        }
    }, 60_000);
});
