// Batching of query results between peer and shim, cf. core/chaincode/query_response_generator.go.
import { peer } from '@hyperledger/fabric-protos';

/** Fabric's QueryResponseGenerator.MaxResultLimit: results per QueryResponse batch. */
export const MAX_RESULT_LIMIT = 100;

/** An open query on a transaction: the iterator yields already-serialized results. */
export interface QueryContext {
    readonly next: () => Promise<Uint8Array | undefined>;
    readonly close: () => Promise<void>;
    /** Results pulled but not yet sent (carried over between batches). */
    pending: Uint8Array[];
    totalReturned: number;
}

function toResultBytes(results: readonly Uint8Array[]): peer.QueryResultBytes[] {
    return results.map((r) => {
        const b = new peer.QueryResultBytes();
        b.setResultbytes(r);
        return b;
    });
}

/**
 * Pull results until a batch is full; like Fabric, a full batch is only cut when one more result has
 * been pulled (so the peer pulls 101 keys for the first batch and knows has_more). `done` = the query
 * reached its end or its total limit and must be cleaned up.
 */
export async function buildQueryResponse(
    ctx: QueryContext,
    iterId: string,
    totalReturnLimit: number,
    maxResultLimit: number = MAX_RESULT_LIMIT,
): Promise<{ response: peer.QueryResponse; done: boolean }> {
    for (;;) {
        const result = ctx.totalReturned >= totalReturnLimit ? undefined : await ctx.next();
        if (result === undefined) {
            const response = new peer.QueryResponse();
            response.setResultsList(toResultBytes(ctx.pending));
            ctx.pending = [];
            response.setHasMore(false);
            response.setId(iterId);
            return { response, done: true };
        }
        if (ctx.pending.length === maxResultLimit) {
            const batch = ctx.pending;
            ctx.pending = [result];
            ctx.totalReturned++;
            const response = new peer.QueryResponse();
            response.setResultsList(toResultBytes(batch));
            response.setHasMore(true);
            response.setId(iterId);
            return { response, done: false };
        }
        ctx.pending.push(result);
        ctx.totalReturned++;
    }
}
