import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api, baseUrl, DemoError, expectEq, money, shortId, treeLines } from './demo';

describe('demo helpers', () => {
    it('formats minor units, short ids and base URLs', () => {
        expect(money('12000', 'EUR')).toBe('120.00 EUR');
        expect(money('5', 'CNY')).toBe('0.05 CNY');
        const tx = 'a'.repeat(64);
        expect(shortId(tx)).toBe('aaaaaaaaaaaa…');
        expect(shortId(`${tx}.2`)).toBe('aaaaaaaaaaaa….2');
        expect(shortId('must-lot-1')).toBe('must-lot-1');
        expect(baseUrl('http://0.0.0.0:3000/')).toBe('http://127.0.0.1:3000');
        expect(baseUrl('http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000');
    });

    it('draws a split tree with one line per node, children indented under their parent', () => {
        const leaf = (id: string, amount: string) => ({ id, holder: 'BankMSP', amount, status: 'SETTLED', children: [] });
        const lines = treeLines({
            id: 'root',
            holder: 'SupplierMSP',
            amount: '10',
            status: 'SPLIT',
            children: [{ id: 'a', holder: 'SupplierMSP', amount: '7', status: 'SPLIT', children: [leaf('a1', '4'), leaf('a2', '3')] }, leaf('b', '3')],
        });
        expect(lines).toEqual([
            'root  SupplierMSP  10  SPLIT',
            '├─ a  SupplierMSP  7  SPLIT',
            '│  ├─ a1  BankMSP  4  SETTLED',
            '│  └─ a2  BankMSP  3  SETTLED',
            '└─ b  BankMSP  3  SETTLED',
        ]);
    });

    it('stops on a wrong value', () => {
        expect(() => expectEq('first scan', 'SUSPECT', 'GENUINE')).toThrow('first scan: expected GENUINE, got SUSPECT');
    });
});

describe('demo HTTP client', () => {
    let server: Server;
    let base: string;
    const seen: Array<{ method: string; url: string; auth: string | undefined; key: string | undefined }> = [];

    beforeAll(async () => {
        server = createServer((req, res) => {
            seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, key: req.headers['idempotency-key'] as string | undefined });
            if (req.url === '/v1/receivables') {
                res.writeHead(403, { 'Content-Type': 'application/problem+json' }).end(JSON.stringify({ status: 403, code: 'FORBIDDEN', detail: 'no writes' }));
                return;
            }
            res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ txId: 'tx1', result: { id: 'x' } }));
        });
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
        await new Promise((r) => server.close(r));
    });

    it('sends the caller key and the Idempotency-Key, and stops with the problem details on an unexpected status', async () => {
        const api = new Api(base, { BrandMSP: 'k-brand', regulator: 'k-reg' });
        expect(await api.write<{ id: string }>('BrandMSP', '/v1/products', 'demo-1', { id: 'x' })).toEqual({ txId: 'tx1', result: { id: 'x' } });
        expect(seen.at(-1)).toEqual({ method: 'POST', url: '/v1/products', auth: 'Bearer k-brand', key: 'demo-1' });

        const err = await api.write('regulator', '/v1/receivables', 'demo-2', {}).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DemoError);
        expect((err as DemoError).message).toBe('POST /v1/receivables as regulator: HTTP 403, expected 200 or 201');
        expect((err as DemoError).reply?.body).toEqual({ status: 403, code: 'FORBIDDEN', detail: 'no writes' });
        // the public caller sends no key
        await api.request('public', '/v1/verify/s?code=c&location=Paris');
        expect(seen.at(-1)?.auth).toBeUndefined();
        await expect(api.request('SupplierMSP', '/v1/members')).rejects.toThrow('no API key for SupplierMSP');
    });
});
