import { flattenTree, holdingsByHolder, layoutTree, leafTotal, parseTree, treeInconsistencies, treeKeyTarget } from './tree';

/** What GET /v1/receivables/R/tree answers for a root split twice: R → R.1, R.2; R.2 → R.2.1, R.2.2. */
const answer = {
    rootId: 'R',
    amount: '1000000',
    currency: 'CNY',
    live: '700000',
    settled: '300000',
    tree: {
        id: 'R',
        holder: 'SupplierMSP',
        amount: '1000000',
        status: 'SPLIT',
        financing: null,
        settlement: null,
        children: [
            { id: 'R.1', holder: 'SupplierMSP', amount: '300000', status: 'SETTLED', financing: null, settlement: { onTime: true, paid: {}, confirmed: null }, children: [] },
            {
                id: 'R.2',
                holder: 'LogisticsMSP',
                amount: '700000',
                status: 'SPLIT',
                financing: null,
                settlement: null,
                children: [
                    { id: 'R.2.1', holder: 'BankMSP', amount: '400000', status: 'ACTIVE', financing: { financier: 'BankMSP', status: 'FINANCED' }, settlement: null, children: [] },
                    { id: 'R.2.2', holder: 'LogisticsMSP', amount: '300000', status: 'UNDER_FINANCING', financing: { financier: 'BankMSP', status: 'REQUESTED' }, settlement: null, children: [] },
                ],
            },
        ],
    },
};

describe('parseTree', () => {
    it('keeps ids, holders, amounts (strings of minor units), statuses, financing and settlement facts', () => {
        const t = parseTree(answer);
        expect(t.rootId).toBe('R');
        expect(t.root.children.map((c) => c.id)).toEqual(['R.1', 'R.2']);
        expect(t.root.children[0]?.paidOnTime).toBe(true);
        expect(t.root.children[1]?.children[0]).toMatchObject({ id: 'R.2.1', holder: 'BankMSP', amount: '400000', financier: 'BankMSP', financingStatus: 'FINANCED' });
    });

    it('refuses answers of the wrong shape (data from the network is never trusted)', () => {
        expect(() => parseTree(null)).toThrow(TypeError);
        expect(() => parseTree({ ...answer, tree: { ...answer.tree, amount: 12 } })).toThrow(/amount/);
        expect(() => parseTree({ ...answer, tree: { ...answer.tree, amount: '1e6' } })).toThrow(/amount/);
        expect(() => parseTree({ ...answer, tree: { ...answer.tree, children: 'x' } })).toThrow(/children/);
    });
});

describe('flattenTree', () => {
    it('lists parents before children in split order with depth, parent and position among siblings', () => {
        const flat = flattenTree(parseTree(answer).root);
        expect(flat.map((f) => [f.node.id, f.depth, f.parentId, f.position, f.siblings, f.leaf])).toEqual([
            ['R', 0, null, 1, 1, false],
            ['R.1', 1, 'R', 1, 2, true],
            ['R.2', 1, 'R', 2, 2, false],
            ['R.2.1', 2, 'R.2', 1, 2, true],
            ['R.2.2', 2, 'R.2', 2, 2, true],
        ]);
    });
});

describe('totals and checks', () => {
    it('the leaves add up to the root, and every split adds up', () => {
        const root = parseTree(answer).root;
        expect(leafTotal(root)).toBe(1000000n);
        expect(treeInconsistencies(root)).toEqual([]);
        const bad = parseTree({ ...answer, tree: { ...answer.tree, amount: '999999' } }).root;
        expect(treeInconsistencies(bad)).toEqual(['R']);
    });

    it('sums the outstanding leaves by holder (settled leaves left out unless asked)', () => {
        const root = parseTree(answer).root;
        expect(holdingsByHolder(root)).toEqual([
            { holder: 'BankMSP', amount: '400000' },
            { holder: 'LogisticsMSP', amount: '300000' },
        ]);
        expect(holdingsByHolder(root, true)).toContainEqual({ holder: 'SupplierMSP', amount: '300000' });
    });
});

describe('layoutTree', () => {
    it('puts leaves in consecutive columns and each parent centred over its children', () => {
        const l = layoutTree(parseTree(answer).root);
        const x = Object.fromEntries(l.nodes.map((n) => [n.node.id, [n.x, n.depth]]));
        expect(x).toEqual({ R: [0.75, 0], 'R.1': [0, 1], 'R.2': [1.5, 1], 'R.2.1': [1, 2], 'R.2.2': [2, 2] });
        expect(l.width).toBe(3);
        expect(l.height).toBe(3);
        expect(l.edges).toEqual([
            { from: 'R', to: 'R.1' },
            { from: 'R', to: 'R.2' },
            { from: 'R.2', to: 'R.2.1' },
            { from: 'R.2', to: 'R.2.2' },
        ]);
    });

    it('lays out a single unsplit receivable as one node', () => {
        const l = layoutTree({ id: 'A', holder: 'X', amount: '1', status: 'ACTIVE', financier: null, financingStatus: null, paidOnTime: null, children: [] });
        expect(l.nodes).toHaveLength(1);
        expect(l.width).toBe(1);
    });
});

describe('treeKeyTarget (keyboard navigation)', () => {
    const flat = flattenTree(parseTree(answer).root);
    it.each([
        ['R', 'ArrowDown', 'R.1'],
        ['R.1', 'ArrowDown', 'R.2'],
        ['R.2.2', 'ArrowDown', null],
        ['R.2', 'ArrowUp', 'R.1'],
        ['R', 'ArrowUp', null],
        ['R.2.1', 'ArrowLeft', 'R.2'],
        ['R', 'ArrowLeft', null],
        ['R.2', 'ArrowRight', 'R.2.1'],
        ['R.1', 'ArrowRight', null],
        ['R.2.1', 'Home', 'R'],
        ['R', 'End', 'R.2.2'],
        ['R', 'x', null],
        ['missing', 'ArrowDown', 'R'],
    ])('%s + %s → %s', (from, key, to) => {
        expect(treeKeyTarget(flat, from, key)).toBe(to);
    });
});
