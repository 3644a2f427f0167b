// Command-line flags (`--name value`, `--name=value`, `--switch`, then `--` and the rest) and timestamped logging,
// shared by devnet's and native's command lines.
export interface Flags {
    readonly [k: string]: string | undefined;
}

export function parseFlags(argv: readonly string[]): { flags: Flags; rest: string[] } {
    const flags: Record<string, string> = {};
    const rest: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i] ?? '';
        if (a === '--') {
            rest.push(...argv.slice(i + 1));
            break;
        }
        if (a.startsWith('--')) {
            const eq = a.indexOf('=');
            if (eq > 0) flags[a.slice(2, eq)] = a.slice(eq + 1);
            else if (argv[i + 1] !== undefined && !(argv[i + 1] ?? '').startsWith('--')) flags[a.slice(2)] = argv[++i] ?? '';
            else flags[a.slice(2)] = 'true';
        } else rest.push(a);
    }
    return { flags, rest };
}

export function need(flags: Flags, name: string): string {
    const v = flags[name];
    if (v === undefined || v === '') throw new Error(`missing --${name}`);
    return v;
}

export function log(msg: string): void {
    process.stdout.write(`${new Date().toISOString()} ${msg}\n`);
}
