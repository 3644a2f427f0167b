/**
 * QR labels: codes derived (HMAC), never stored nor logged; the commission carries hashes only; a replayed
 * Idempotency-Key re-derives the same labels; the regulator is refused; JSON, SVG and the printable sheet.
 */
import { createHash, createHmac } from 'node:crypto';
import request from 'supertest';
import { createApp, OPERATIONS, type AppDeps } from './app';
import type { Problem } from './errors';
import { base32, codeHash, deriveCode, makeSerials, verificationUrl, type Label, type LabelSettings } from './labels';
import { buildOpenApi } from './openapi';
import type { SubmitRequest } from './fabric';
import { captureLogger, endorseError, FakeFabric, json, KEYS, testKeys } from './test-support/fakes';
import { PAGE_CSP } from './web';

const SETTINGS: LabelSettings = { secret: 'test-label-secret-0123456789abcdef0123', publicUrl: 'https://verify.example.com' };
const bearer = (key: string): string => `Bearer ${key}`;

function setup(extra: Partial<AppDeps> = {}): { fabric: FakeFabric; app: ReturnType<typeof createApp>; lines: string[] } {
    const fabric = new FakeFabric();
    const { logger, lines } = captureLogger();
    const app = createApp({ fabric, keys: testKeys(), logger, sleep: () => Promise.resolve(), labels: SETTINGS, ...extra });
    // the chaincode answers the commissioned units (public part) of the request
    fabric.onSubmit = (r: SubmitRequest) => {
        const units = JSON.parse(r.args[2] ?? '[]') as Array<{ serial: string }>;
        return Promise.resolve({ txId: 'tx-commission', result: json(units.map((u) => ({ serial: u.serial, lotId: r.args[1], productId: 'P1', commissionedTxId: 'tx-commission', commissionedAt: '2026-03-01T00:00:00Z' }))) });
    };
    return { fabric, app, lines };
}

interface LabelsBody {
    txId: string;
    lotId: string;
    replayed?: boolean;
    labels: Label[];
}

const post = (app: ReturnType<typeof createApp>, body: object, key = 'labels-1', who: string = KEYS.brand): request.Test =>
    request(app).post('/v1/lots/L1/labels').set('Authorization', bearer(who)).set('Idempotency-Key', key).send(body);

describe('code derivation', () => {
    it('base32 is RFC 4648 without padding', () => {
        expect(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map((s) => base32(Buffer.from(s)))).toEqual(['', 'MY', 'MZXQ', 'MZXW6', 'MZXW6YQ', 'MZXW6YTB', 'MZXW6YTBOI']);
    });

    it('derives 16 base32 characters from HMAC-SHA256(secret, lotId NUL serial), deterministic and distinct per lot, serial and secret', () => {
        const code = deriveCode(SETTINGS.secret, 'L1', 'S-01');
        expect(code).toMatch(/^[A-Z2-7]{16}$/);
        expect(code).toBe(base32(createHmac('sha256', SETTINGS.secret).update('L1\u0000S-01').digest().subarray(0, 10)));
        expect(deriveCode(SETTINGS.secret, 'L1', 'S-01')).toBe(code);
        expect(new Set([code, deriveCode(SETTINGS.secret, 'L1', 'S-02'), deriveCode(SETTINGS.secret, 'L2', 'S-01'), deriveCode('another-secret-0123456789abcdef01234', 'L1', 'S-01'), deriveCode(SETTINGS.secret, 'L1S', '-01')]).size).toBe(5);
        expect(codeHash(code)).toBe(createHash('sha256').update(code).digest('hex'));
    });

    it('makes serials from a prefix and a padded index, or random ones', () => {
        expect(makeSerials(3, 'CHX-', 9)).toEqual(['CHX-09', 'CHX-10', 'CHX-11']);
        const random = makeSerials(2, undefined);
        expect(random[0]).toMatch(/^U[A-Z2-7]{16}$/);
        expect(random[0]).not.toBe(random[1]);
        expect(makeSerials(1, undefined, 1, () => Buffer.from('foobarfoob'))).toEqual([`U${base32(Buffer.from('foobarfoob'))}`]);
        expect(verificationUrl('http://h:1', 'S 1', 'AB')).toBe('http://h:1/verify/S%201?code=AB');
    });
});

describe('POST /v1/lots/{id}/labels', () => {
    it('commissions the units with the SHA-256 of each derived code (never the code) and answers URLs and QR codes', async () => {
        const { app, fabric, lines } = setup();
        const res = await post(app, { count: 3, serialPrefix: 'CHX-' });
        expect(res.status).toBe(201);
        const body = res.body as LabelsBody;
        expect(body.txId).toBe('tx-commission');
        expect(body.lotId).toBe('L1');
        expect(body.labels.map((l) => l.serial)).toEqual(['CHX-1', 'CHX-2', 'CHX-3']);
        const codes = body.labels.map((l) => deriveCode(SETTINGS.secret, 'L1', l.serial));
        expect(body.labels.map((l) => l.code)).toEqual(codes);
        expect(body.labels.map((l) => l.url)).toEqual(codes.map((c, i) => `https://verify.example.com/verify/CHX-${i + 1}?code=${c}`));
        for (const l of body.labels) expect(l.svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*viewBox/);
        expect(fabric.submits).toHaveLength(1);
        const sub = fabric.submits[0];
        expect([sub?.mspId, sub?.contract, sub?.transaction, sub?.args[0], sub?.args[1]]).toEqual(['BrandMSP', 'provenance', 'CommissionUnits', 'labels-1', 'L1']);
        expect(JSON.parse(sub?.args[2] ?? '')).toEqual(body.labels.map((l, i) => ({ serial: l.serial, codeHash: codeHash(codes[i] ?? '') })));
        const sent = JSON.stringify(fabric.calls);
        for (const c of codes) expect(sent).not.toContain(c);
        // the codes never reach the logs
        expect(lines.length).toBeGreaterThan(0);
        for (const c of codes) expect(lines.join('\n')).not.toContain(c);
    });

    it('answers a replayed Idempotency-Key with the original units and the same labels', async () => {
        const { app, fabric } = setup();
        const first = (await post(app, { count: 2 }, 'labels-r')).body as LabelsBody;
        // serials without a prefix come from the key: the replay sends exactly the original request
        const original = fabric.submits[0];
        const units = (JSON.parse(original?.args[2] ?? '[]') as Array<{ serial: string }>).map((u) => ({ serial: u.serial, lotId: 'L1', productId: 'P1' }));
        fabric.onSubmit = () => Promise.reject(endorseError('DUPLICATE_REQUEST: request labels-r already processed in transaction tx-commission'));
        fabric.onTransaction = (txId) =>
            Promise.resolve({ txId, validationCode: 'VALID', valid: true, blockNumber: '9', result: json(units), invocation: [`${original?.contract ?? ''}:${original?.transaction ?? ''}`, ...(original?.args ?? [])], writes: [] });
        const again = await post(app, { count: 2 }, 'labels-r');
        expect(fabric.submits[1]?.args).toEqual(original?.args);
        expect(again.status).toBe(201);
        expect(again.headers['idempotent-replayed']).toBe('true');
        const body = again.body as LabelsBody;
        expect(body.replayed).toBe(true);
        expect(body.labels.map((l) => l.url)).toEqual(first.labels.map((l) => l.url));
        expect(body.labels.map((l) => l.serial)).toEqual(first.labels.map((l) => l.serial));
    });

    it('gives a printable sheet for Accept: text/html, with the page CSP', async () => {
        const { app } = setup();
        const res = await post(app, { count: 2, serialPrefix: 'B-' }).set('Accept', 'text/html');
        expect(res.status).toBe(201);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.headers['content-security-policy']).toBe(PAGE_CSP);
        expect((res.text.match(/<figure class="label"/g) ?? []).length).toBe(2);
        expect((res.text.match(/<svg /g) ?? []).length).toBe(2);
        expect(res.text).toContain(deriveCode(SETTINGS.secret, 'L1', 'B-1'));
        expect(res.text).toMatch(/href="\/assets\/v-[0-9a-f]{12}\/labels\/sheet\.css"/);
    });

    it('ignores Prefer: respond-async (the labels need the committed result)', async () => {
        const { app, fabric } = setup();
        const res = await post(app, { count: 1 }).set('Prefer', 'respond-async');
        expect(res.status).toBe(201);
        expect(fabric.calls.map((c) => c.kind)).toEqual(['submit']);
    });

    it('refuses the regulator with 403 before Fabric, and validates the body', async () => {
        const { app, fabric } = setup();
        const res = await post(app, { count: 1 }, 'k', KEYS.regulator);
        expect([res.status, (res.body as Problem).code]).toEqual([403, 'FORBIDDEN']);
        for (const bad of [{ count: 0 }, { count: 201 }, { count: 1.5 }, {}, { count: 1, serialPrefix: '<x>' }, { count: 1, extra: true }]) {
            const r = await post(app, bad);
            expect([JSON.stringify(bad), r.status, (r.body as Problem).code]).toEqual([JSON.stringify(bad), 400, 'VALIDATION_FAILED']);
        }
        expect((await request(app).post('/v1/lots/L1/labels').set('Authorization', bearer(KEYS.brand)).send({ count: 1 })).status).toBe(400); // no Idempotency-Key
        expect(fabric.calls).toEqual([]);
    });

    it('answers 503 UNAVAILABLE without a label secret, and calls nothing', async () => {
        const { app, fabric } = setup({ labels: undefined });
        const res = await post(app, { count: 1 });
        expect([res.status, (res.body as Problem).code]).toEqual([503, 'UNAVAILABLE']);
        expect(fabric.calls).toEqual([]);
    });

    it('passes the chaincode refusal of a lot the caller did not make', async () => {
        const { app, fabric } = setup();
        fabric.onSubmit = () => Promise.reject(endorseError('FORBIDDEN: SupplierMSP is not the owner of lot L1'));
        const res = await post(app, { count: 1 }, 'k2', KEYS.supplier);
        expect([res.status, (res.body as Problem).code]).toEqual([403, 'FORBIDDEN']);
    });

    it('is in the OpenAPI document with its JSON and HTML answers', () => {
        const doc = buildOpenApi(OPERATIONS, '0') as unknown as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }>; 'x-access': string }>> };
        const op = doc.paths['/v1/lots/{id}/labels']?.post;
        expect(op?.['x-access']).toBe('write');
        expect(Object.keys(op?.responses['201']?.content ?? {})).toEqual(['application/json', 'text/html']);
        expect(op?.responses['202']).toBeUndefined();
    });
});
