import { common } from '@hyperledger/fabric-protos';
import { deriveTxUpdates, extractTxRwSet, parseChannelHeader, writesOf } from './rwsetutil';
import { configTx, endorserTx, makeBlock } from './testing';
import { txValidationCode } from './txflags';

const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString());

describe('extractTxRwSet', () => {
    it('walks Envelope → … → TxReadWriteSet', () => {
        const env = endorserTx({
            txId: 'tx1',
            seconds: 42,
            namespaces: [{ namespace: 'basic', writes: [{ key: 'k', value: 'v' }] }, { namespace: '_lifecycle' }],
        });
        const rw = extractTxRwSet(env);
        expect(rw?.txId).toBe('tx1');
        expect(rw?.channelHeader.getChannelId()).toBe('mychannel');
        expect(rw?.namespaces.map((n) => n.namespace)).toEqual(['basic', '_lifecycle']);
        expect(rw?.namespaces[0]?.kvRwSet.getWritesList()[0]?.getKey()).toBe('k');
    });

    it('returns undefined for config txs and garbage', () => {
        expect(extractTxRwSet(configTx('c1'))).toBeUndefined();
        expect(parseChannelHeader(configTx('c1'))?.getType()).toBe(common.HeaderType.CONFIG);
        expect(extractTxRwSet(Uint8Array.from([0xff, 0xff, 0xff]))).toBeUndefined();
        expect(parseChannelHeader(Uint8Array.from([0xff, 0xff, 0xff]))).toBeUndefined();
    });
});

describe('writesOf', () => {
    it('turns is_delete and empty values into deletes, merges metadata, keeps metadata-only writes apart', () => {
        const env = endorserTx({
            txId: 't',
            namespaces: [
                {
                    namespace: 'cc',
                    writes: [{ key: 'put', value: 'x' }, { key: 'empty', value: '' }, { key: 'del', isDelete: true }, { key: 'withmd', value: 'y' }],
                    metadataWrites: [
                        { key: 'withmd', entries: { VALIDATION_PARAMETER: 'p' } },
                        { key: 'mdonly', entries: { VALIDATION_PARAMETER: 'q' } },
                    ],
                },
            ],
        });
        const ws = writesOf(extractTxRwSet(env)?.namespaces ?? []);
        expect(ws.map((w) => [w.key, text(w.value), w.metadataOnly === true])).toEqual([
            ['put', 'x', false],
            ['empty', undefined, false],
            ['del', undefined, false],
            ['withmd', 'y', false],
            ['mdonly', undefined, true],
        ]);
        expect(ws[0]?.metadata).toBeUndefined();
        expect(text(ws[3]?.metadata?.get('VALIDATION_PARAMETER'))).toBe('p');
        expect(text(ws[4]?.metadata?.get('VALIDATION_PARAMETER'))).toBe('q');
    });
});

describe('deriveTxUpdates', () => {
    it('takes VALID txs only, with their index in the block as txNum', () => {
        const envs = [
            endorserTx({ txId: 'a', namespaces: [{ namespace: 'cc', writes: [{ key: 'k', value: '1' }] }] }),
            endorserTx({ txId: 'b', namespaces: [{ namespace: 'cc', writes: [{ key: 'k', value: '2' }] }] }),
            configTx('c'),
            endorserTx({ txId: 'd', seconds: 7, namespaces: [{ namespace: 'cc', writes: [{ key: 'k', value: '3' }] }] }),
        ];
        const block = makeBlock(3, new Uint8Array(32), envs, [0, 11, 0, 0]);
        expect(txValidationCode(block, 1)).toBe(11);
        const ups = deriveTxUpdates(block);
        expect(ups.map((u) => [u.txNum, u.txId])).toEqual([
            [0, 'a'],
            [3, 'd'],
        ]);
        expect(ups[1]?.timestamp).toEqual({ seconds: 7n, nanos: 123 });
    });
});
