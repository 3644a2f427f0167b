// Process and port helpers shared by the command lines that start and stop networks (devnet's and native's).
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';

export function readPid(file: string): number | undefined {
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/** Signals a process and, when it leads one, its process group (supervised servers run in their own group). */
export function signalTree(pid: number, sig: NodeJS.Signals): void {
    try {
        process.kill(-pid, sig);
    } catch {
        // not a group leader
    }
    try {
        process.kill(pid, sig);
    } catch {
        // already gone
    }
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
    return new Promise((res) => {
        const s = connect({ port, host });
        s.once('connect', () => {
            s.destroy();
            res(true);
        });
        s.once('error', () => res(false));
    });
}

export function sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
}
