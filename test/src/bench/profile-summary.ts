// Where a CPU profile's time goes: self time by function and by module (a node_modules package, a workspace file,
// node's internals), from a .cpuprofile written by `bench.js --profile devnet|gateway`.
// Usage: node test/dist/bench/profile-summary.js <file.cpuprofile> [--top 25]
import { readFileSync } from 'node:fs';
import { parseFlags } from '@upoint/devnet/dist/tools/flags';

interface Node {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface Profile {
    readonly nodes: readonly Node[];
    readonly samples: readonly number[];
    readonly timeDeltas: readonly number[];
}

function moduleOf(url: string, fn: string): string {
    if (url === '') return fn === '(garbage collector)' || fn === '(idle)' || fn === '(program)' ? fn : '(native)';
    const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (nm?.[1]) return nm[1];
    if (url.startsWith('node:')) return 'node:internal';
    const ws = /\/work\/[^/]+\/(.*)$/.exec(url) ?? /main\/(.*)$/.exec(url);
    return ws?.[1]?.replace(/\/dist\//, '/').split('/').slice(0, 3).join('/') ?? url;
}

function main(): void {
    const { flags, rest } = parseFlags(process.argv.slice(2));
    const file = rest[0];
    if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [--top 25]');
    const top = Number(flags.top ?? 25);
    const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const byId = new Map(p.nodes.map((n) => [n.id, n] as const));
    const selfUs = new Map<number, number>();
    p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
    const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
    const byFn = new Map<string, number>();
    const byModule = new Map<string, number>();
    for (const [id, us] of selfUs) {
        const n = byId.get(id);
        if (!n) continue;
        const { functionName, url, lineNumber } = n.callFrame;
        const mod = moduleOf(url, functionName);
        const key = `${functionName || '(anonymous)'}  ${mod}${url ? `:${lineNumber + 1}` : ''}`;
        byFn.set(key, (byFn.get(key) ?? 0) + us);
        byModule.set(mod, (byModule.get(mod) ?? 0) + us);
    }
    const print = (title: string, m: Map<string, number>): void => {
        process.stdout.write(`\n${title} (of ${(total / 1e6).toFixed(1)} s sampled)\n`);
        for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${((100 * us) / total).toFixed(1).padStart(5)} %  ${k}\n`);
    };
    print('self time by module', byModule);
    print('self time by function', byFn);
}

main();
