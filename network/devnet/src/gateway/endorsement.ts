// Mirrors internal/pkg/gateway/endorsement.go (plan: endorsers, processEndorsement, nextPeerInGroup,
// abandonGroupRemoveLayouts) over layouts as discovery computes them (discovery/endorsement/endorsement.go
// computeLayouts). devnet's groups are orgs: a layout is a minimal {org: quantity} whose peers satisfy the policy.
import type { peer as pb } from '@hyperledger/fabric-protos';
import { bytesEqual } from '../protoutil';
import type { Detail } from './errors';

export interface PlanPeer {
    readonly mspId: string;
    readonly address: string;
}

export type Layout = ReadonlyMap<string, number>;

export type EndorseOutcome = { readonly response: pb.ProposalResponse } | { readonly error: string };

export interface Endorsed<P> {
    readonly peer: P;
    readonly response: pb.ProposalResponse;
}

/** Discovery's layouts: every minimal set of candidate peers satisfying the policy, as org quantities (deduplicated). */
export function computeLayouts<P extends PlanPeer>(candidates: readonly P[], satisfiedBy: (peers: readonly P[]) => boolean): Layout[] {
    const n = Math.min(candidates.length, 16);
    const masks: number[] = [];
    for (let m = 1; m < 1 << n; m++) masks.push(m);
    masks.sort((a, b) => popcount(a) - popcount(b) || a - b);
    const minimal: number[] = [];
    for (const m of masks) {
        if (minimal.some((k) => (k & m) === k)) continue;
        if (satisfiedBy(candidates.filter((_, i) => (m & (1 << i)) !== 0))) minimal.push(m);
    }
    const seen = new Set<string>();
    const out: Layout[] = [];
    for (const m of minimal) {
        const layout = new Map<string, number>();
        candidates.forEach((c, i) => {
            if ((m & (1 << i)) !== 0) layout.set(c.mspId, (layout.get(c.mspId) ?? 0) + 1);
        });
        const key = [...layout].map(([o, q]) => `${o}=${q}`).sort().join(',');
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(layout);
    }
    return out;
}

function popcount(m: number): number {
    let c = 0;
    for (let v = m; v > 0; v &= v - 1) c++;
    return c;
}

/** One endorsement plan: untried peers per org, layouts still possible, endorsements collected so far. */
export class EndorsementPlan<P extends PlanPeer> {
    #layouts: Array<Layout | undefined> = [];
    readonly #untried: Map<string, P[]>;
    readonly #endorsed = new Map<string, Array<Endorsed<P>>>();
    readonly #details: Detail[];
    #payload: Uint8Array | undefined;

    constructor(candidates: readonly P[], details: Detail[]) {
        this.#untried = new Map();
        for (const c of candidates) {
            const list = this.#untried.get(c.mspId) ?? [];
            list.push(c);
            this.#untried.set(c.mspId, list);
        }
        this.#details = details;
    }

    /** The layouts to try, in order (discovery's answer, preferred ones first). */
    useLayouts(layouts: readonly Layout[]): void {
        this.#layouts = [...layouts];
    }

    /** endorse.go planFromFirstEndorser step 2: the org's peers in turn until one succeeds. */
    async endorseFirst(org: string, endorse: (peer: P) => Promise<EndorseOutcome>): Promise<Endorsed<P> | undefined> {
        for (let peer = this.#next(org); peer; peer = this.#next(org)) {
            const r = await endorse(peer);
            if ('error' in r) {
                this.#details.push({ address: peer.address, mspId: peer.mspId, message: r.error });
                continue;
            }
            this.#process(peer, r.response);
            return { peer, response: r.response };
        }
        return undefined;
    }

    /** Layouts in turn until one is complete; a group (org) without peers left abandons every layout using it. */
    async run(endorse: (peer: P) => Promise<EndorseOutcome>): Promise<Array<Endorsed<P>> | undefined> {
        for (let i = 0; i < this.#layouts.length; i++) {
            const layout = this.#layouts[i];
            if (!layout) continue;
            const needs = [...layout].map(([org, qty]) => [org, qty - (this.#endorsed.get(org)?.length ?? 0)] as const).filter(([, k]) => k > 0);
            const exhausted = await Promise.all(
                needs.map(async ([org, k]) => {
                    let got = 0;
                    while (got < k) {
                        const peer = this.#next(org);
                        if (!peer) return org;
                        const r = await endorse(peer);
                        if ('error' in r) {
                            this.#details.push({ address: peer.address, mspId: peer.mspId, message: r.error });
                        } else if (this.#process(peer, r.response)) {
                            got++;
                        }
                    }
                    return undefined;
                }),
            );
            if ([...layout].every(([org, qty]) => (this.#endorsed.get(org)?.length ?? 0) >= qty)) {
                return [...layout].flatMap(([org, qty]) => (this.#endorsed.get(org) ?? []).slice(0, qty));
            }
            for (const org of exhausted) {
                if (org === undefined) continue;
                for (let j = i + 1; j < this.#layouts.length; j++) if (this.#layouts[j]?.has(org)) this.#layouts[j] = undefined;
            }
        }
        return undefined;
    }

    #next(org: string): P | undefined {
        return this.#untried.get(org)?.shift();
    }

    /** processEndorsement: later payloads must be byte-equal to the first one. */
    #process(peer: P, response: pb.ProposalResponse): boolean {
        const payload = response.getPayload_asU8();
        if (this.#payload === undefined) {
            this.#payload = payload;
        } else if (!bytesEqual(this.#payload, payload)) {
            this.#details.push({ address: peer.address, mspId: peer.mspId, message: 'ProposalResponsePayloads do not match' });
            return false;
        }
        const list = this.#endorsed.get(peer.mspId) ?? [];
        list.push({ peer, response });
        this.#endorsed.set(peer.mspId, list);
        return true;
    }
}
