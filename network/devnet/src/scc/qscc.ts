// Mirrors core/scc/qscc/query.go: ledger queries through a proposal. args = [fn, channel, arg].
import { common, peer } from '@hyperledger/fabric-protos';

export interface QsccLedger {
    getChainInfo(): Promise<{ height: number; currentBlockHash: Uint8Array; previousBlockHash: Uint8Array }>;
    getBlockByNumber(n: number): Promise<common.Block | undefined>;
    getBlockByHash(hash: Uint8Array): Promise<common.Block | undefined>;
    getBlockByTxId(txId: string): Promise<common.Block | undefined>;
    getTransactionByTxId(txId: string): Promise<{ envelope: Uint8Array; validationCode: number } | undefined>;
}

export const QSCC_READERS_RESOURCES: Record<string, string> = {
    GetChainInfo: 'qscc/GetChainInfo',
    GetBlockByNumber: 'qscc/GetBlockByNumber',
    GetBlockByHash: 'qscc/GetBlockByHash',
    GetTransactionByID: 'qscc/GetTransactionByID',
    GetBlockByTxID: 'qscc/GetBlockByTxID',
};

function ok(payload: Uint8Array): peer.Response {
    const r = new peer.Response();
    r.setStatus(200);
    r.setPayload(payload);
    return r;
}

export function errorResponse(message: string, status = 500): peer.Response {
    const r = new peer.Response();
    r.setStatus(status);
    r.setMessage(message);
    return r;
}

export async function invokeQscc(ledger: QsccLedger, channelId: string, args: readonly Uint8Array[]): Promise<peer.Response> {
    const str = (i: number): string => Buffer.from(args[i] ?? new Uint8Array()).toString('utf8');
    if (args.length < 2) return errorResponse(`Incorrect number of arguments, ${args.length}`);
    const fn = str(0);
    const ch = str(1);
    if (ch !== channelId) return errorResponse(`Invalid chain ID, ${ch}`);
    if (fn !== 'GetChainInfo' && args.length < 3) return errorResponse(`missing 3rd argument for ${fn}`);
    switch (fn) {
        case 'GetChainInfo': {
            const info = await ledger.getChainInfo();
            const bi = new common.BlockchainInfo();
            bi.setHeight(info.height);
            bi.setCurrentblockhash(info.currentBlockHash);
            bi.setPreviousblockhash(info.previousBlockHash);
            return ok(bi.serializeBinary());
        }
        case 'GetBlockByNumber': {
            const s = str(2);
            if (!/^\d+$/.test(s)) return errorResponse(`Failed to parse block number with error strconv.ParseUint: parsing "${s}": invalid syntax`);
            const n = Number(s);
            const b = await ledger.getBlockByNumber(n);
            if (!b) return errorResponse(`Failed to get block number ${n}, error no such block number [${n}] in index`);
            return ok(b.serializeBinary());
        }
        case 'GetBlockByHash': {
            const b = await ledger.getBlockByHash(args[2] ?? new Uint8Array());
            if (!b) return errorResponse('Failed to get block hash, error no such block hash in index');
            return ok(b.serializeBinary());
        }
        case 'GetTransactionByID': {
            const id = str(2);
            const tx = await ledger.getTransactionByTxId(id);
            if (!tx) return errorResponse(`Failed to get transaction with id ${id}, error no such transaction ID [${id}] in index`);
            const pt = new peer.ProcessedTransaction();
            pt.setTransactionenvelope(common.Envelope.deserializeBinary(tx.envelope));
            pt.setValidationcode(tx.validationCode);
            return ok(pt.serializeBinary());
        }
        case 'GetBlockByTxID': {
            const id = str(2);
            const b = await ledger.getBlockByTxId(id);
            if (!b) return errorResponse(`Failed to get block for txID ${id}, error no such transaction ID [${id}] in index`);
            return ok(b.serializeBinary());
        }
        default:
            return errorResponse(`Requested function ${fn} not found.`);
    }
}
