// Key ordering as Go compares strings (bytewise UTF-8), cf. core/ledger/util/util.go GetSortedKeys.

/** Compare two strings by their UTF-8 bytes (Go's string order), not by UTF-16 code units. */
export function compareUtf8(a: string, b: string): number {
    if (a === b) return 0;
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A copy of `items` sorted by the UTF-8 bytes of `keyOf(item)`. */
export function sortedByUtf8<T>(items: Iterable<T>, keyOf: (item: T) => string): T[] {
    const withBytes = [...items].map((item) => ({ item, bytes: Buffer.from(keyOf(item), 'utf8') }));
    withBytes.sort((x, y) => Buffer.compare(x.bytes, y.bytes));
    return withBytes.map((x) => x.item);
}
