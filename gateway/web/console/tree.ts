/**
 * The split tree of a receivable as GET /v1/receivables/{id}/tree returns it (chaincode receivables.Tree):
 * `{rootId, amount, currency, live, settled, tree: {id, holder, amount, status, financing, settlement, children}}`,
 * amounts as decimal strings of minor units. Pure: parsing, checks, flattening (for keyboard navigation and the
 * table view) and a layered layout (for the SVG drawing).
 */

export interface TreeNode {
    readonly id: string;
    readonly holder: string;
    /** Minor units, decimal string. */
    readonly amount: string;
    readonly status: string;
    readonly financier: string | null;
    readonly financingStatus: string | null;
    readonly paidOnTime: boolean | null;
    readonly children: readonly TreeNode[];
}

export interface ReceivableTree {
    readonly rootId: string;
    readonly amount: string;
    readonly currency: string;
    readonly live: string;
    readonly settled: string;
    readonly root: TreeNode;
}

const DIGITS = /^(?:0|[1-9][0-9]*)$/;

function str(v: unknown, what: string): string {
    if (typeof v !== 'string') throw new TypeError(`tree: ${what} is not a string`);
    return v;
}

function units(v: unknown, what: string): string {
    const s = str(v, what);
    if (!DIGITS.test(s)) throw new TypeError(`tree: ${what} is not an amount`);
    return s;
}

function obj(v: unknown, what: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TypeError(`tree: ${what} is not an object`);
    return v as Record<string, unknown>;
}

function parseNode(v: unknown, depth: number): TreeNode {
    if (depth > 64) throw new TypeError('tree: too deep');
    const o = obj(v, 'node');
    const fin = o['financing'] === null || o['financing'] === undefined ? null : obj(o['financing'], 'financing');
    const set = o['settlement'] === null || o['settlement'] === undefined ? null : obj(o['settlement'], 'settlement');
    const kids = o['children'] ?? [];
    if (!Array.isArray(kids)) throw new TypeError('tree: children is not an array');
    return {
        id: str(o['id'], 'id'),
        holder: str(o['holder'], 'holder'),
        amount: units(o['amount'], 'amount'),
        status: str(o['status'], 'status'),
        financier: fin === null ? null : str(fin['financier'], 'financier'),
        financingStatus: fin === null ? null : str(fin['status'], 'financing status'),
        paidOnTime: set === null ? null : set['onTime'] === true,
        children: kids.map((c) => parseNode(c, depth + 1)),
    };
}

/** Validates the API's answer (it is data from the network: never trusted for shape). */
export function parseTree(body: unknown): ReceivableTree {
    const o = obj(body, 'answer');
    return {
        rootId: str(o['rootId'], 'rootId'),
        amount: units(o['amount'], 'amount'),
        currency: str(o['currency'], 'currency'),
        live: units(o['live'] ?? '0', 'live'),
        settled: units(o['settled'] ?? '0', 'settled'),
        root: parseNode(o['tree'], 0),
    };
}

export interface FlatNode {
    readonly node: TreeNode;
    readonly depth: number;
    readonly parentId: string | null;
    /** 1-based position among its siblings, and how many siblings (aria-posinset / aria-setsize). */
    readonly position: number;
    readonly siblings: number;
    readonly leaf: boolean;
}

/** Depth-first, parents before children, children in split order. */
export function flattenTree(root: TreeNode): FlatNode[] {
    const out: FlatNode[] = [];
    const walk = (node: TreeNode, depth: number, parentId: string | null, position: number, siblings: number): void => {
        out.push({ node, depth, parentId, position, siblings, leaf: node.children.length === 0 });
        node.children.forEach((c, i) => walk(c, depth + 1, node.id, i + 1, node.children.length));
    };
    walk(root, 0, null, 1, 1);
    return out;
}

/** A SPLIT node is consumed: its leaves carry the value. Sum of the leaves' amounts (equals the root's). */
export function leafTotal(node: TreeNode): bigint {
    if (node.children.length === 0) return BigInt(node.amount);
    return node.children.reduce((s, c) => s + leafTotal(c), 0n);
}

/** Problems a reader should see: a split whose parts do not add up to the parent. */
export function treeInconsistencies(root: TreeNode): string[] {
    const bad: string[] = [];
    for (const f of flattenTree(root)) {
        const n = f.node;
        if (n.children.length === 0) continue;
        const sum = n.children.reduce((s, c) => s + BigInt(c.amount), 0n);
        if (sum !== BigInt(n.amount)) bad.push(n.id);
    }
    return bad;
}

/** Leaves by holder: what each org holds of the root (live leaves only unless `all`). */
export function holdingsByHolder(root: TreeNode, all = false): Array<{ holder: string; amount: string }> {
    const sums = new Map<string, bigint>();
    for (const f of flattenTree(root)) {
        if (!f.leaf) continue;
        if (!all && (f.node.status === 'SETTLED' || f.node.status === 'SETTLEMENT_PENDING' || f.node.status === 'REJECTED')) continue;
        sums.set(f.node.holder, (sums.get(f.node.holder) ?? 0n) + BigInt(f.node.amount));
    }
    return [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([holder, amount]) => ({ holder, amount: amount.toString() }));
}

export interface PlacedNode {
    readonly node: TreeNode;
    readonly depth: number;
    /** Column (leaves get consecutive columns; a parent is centred over its children). */
    readonly x: number;
    readonly parentId: string | null;
}

export interface TreeLayout {
    readonly nodes: readonly PlacedNode[];
    readonly edges: ReadonlyArray<{ readonly from: string; readonly to: string }>;
    /** Columns (number of leaves) and rows (depth + 1). */
    readonly width: number;
    readonly height: number;
}

/** A tidy layered layout: rows by depth, leaves left to right in split order, parents centred above. */
export function layoutTree(root: TreeNode): TreeLayout {
    const nodes: PlacedNode[] = [];
    const edges: Array<{ from: string; to: string }> = [];
    let next = 0;
    let height = 0;
    const place = (node: TreeNode, depth: number, parentId: string | null): number => {
        height = Math.max(height, depth + 1);
        let x: number;
        const index = nodes.length;
        nodes.push({ node, depth, x: 0, parentId });
        if (node.children.length === 0) {
            x = next;
            next += 1;
        } else {
            const xs = node.children.map((c) => {
                edges.push({ from: node.id, to: c.id });
                return place(c, depth + 1, node.id);
            });
            x = ((xs[0] as number) + (xs[xs.length - 1] as number)) / 2;
        }
        nodes[index] = { node, depth, x, parentId };
        return x;
    };
    place(root, 0, null);
    return { nodes, edges, width: next, height };
}

/** Keyboard navigation in the flattened tree (WAI-ARIA tree pattern, all nodes expanded). */
export function treeKeyTarget(flat: readonly FlatNode[], currentId: string, key: string): string | null {
    const i = flat.findIndex((f) => f.node.id === currentId);
    if (i === -1) return flat[0]?.node.id ?? null;
    const cur = flat[i] as FlatNode;
    switch (key) {
        case 'ArrowDown':
            return flat[i + 1]?.node.id ?? null;
        case 'ArrowUp':
            return i > 0 ? (flat[i - 1] as FlatNode).node.id : null;
        case 'ArrowLeft':
            return cur.parentId;
        case 'ArrowRight':
            return cur.node.children[0]?.id ?? null;
        case 'Home':
            return flat[0]?.node.id ?? null;
        case 'End':
            return flat[flat.length - 1]?.node.id ?? null;
        default:
            return null;
    }
}
