/**
 * QR labels: `POST /v1/lots/{id}/labels` makes serials and secret codes, commissions the units with the SHA-256 of
 * each code (provenance:CommissionUnits, through the ordinary write path: Idempotency-Key, retries, replays), and
 * answers each unit's verification URL with a QR code (SVG), as JSON or as a printable A4 sheet.
 *
 * The gateway stores no code: each is HMAC-SHA256(GATEWAY_LABEL_SECRET, lotId NUL serial), base32, 16 characters.
 * A replayed Idempotency-Key is answered with the original transaction's units, whose codes are derived again.
 * Serials without a prefix look random but are derived from the lot, the Idempotency-Key and the index (HMAC too),
 * so a replay sends exactly the original request (the gateway checks that a replayed key means the same request).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import { z } from 'zod';
import { ProvIdSchema } from '@upoint/chaincode/dist/domain/provenance';
import { ApiError } from './errors';
import { writeOperation, type Operation, type Presented, type WriteAnswer } from './operation';
import { html, page, raw, type SafeHtml } from './web';

export interface LabelSettings {
    /** The HMAC key (GATEWAY_LABEL_SECRET): whoever holds it can derive every code. */
    readonly secret: string;
    /** Where consumers reach the gateway, without a trailing slash: `https://verify.example.com`. */
    readonly publicUrl: string;
}

export const MAX_LABELS = 200;
const CODE_BYTES = 10; // 80 bits → 16 base32 characters
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding. */
export function base32(bytes: Uint8Array): string {
    let out = '';
    let bits = 0;
    let value = 0;
    for (const b of bytes) {
        value = (value << 8) | b;
        bits += 8;
        while (bits >= 5) {
            out += B32[(value >>> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0) out += B32[(value << (5 - bits)) & 31];
    return out;
}

/** The secret code of a unit: base32(HMAC-SHA256(secret, lotId ‖ 0x00 ‖ serial)[0..10]), 16 characters A-Z2-7. */
export function deriveCode(secret: string, lotId: string, serial: string): string {
    const mac = createHmac('sha256', secret).update(lotId, 'utf8').update('\u0000', 'utf8').update(serial, 'utf8').digest();
    return base32(mac.subarray(0, CODE_BYTES));
}

/** What the ledger keeps of a code (the chaincode compares SHA-256 hex of the code's UTF-8). */
export function codeHash(code: string): string {
    return createHash('sha256').update(code, 'utf8').digest('hex');
}

/** The consumer page's address for a unit. */
export function verificationUrl(publicUrl: string, serial: string, code: string): string {
    return `${publicUrl}/verify/${encodeURIComponent(serial)}?code=${encodeURIComponent(code)}`;
}

/**
 * `prefix` + index (from `start`, zero-padded to the width of the last one); without a prefix, `U` + 16 base32
 * characters of `unique(i)` (the labels route: an HMAC of the lot, the Idempotency-Key and i; default random).
 */
export function makeSerials(count: number, prefix: string | undefined, start = 1, unique: (i: number) => Uint8Array = () => randomBytes(10)): string[] {
    if (prefix === undefined) return Array.from({ length: count }, (_, i) => `U${base32(unique(i).subarray(0, 10))}`);
    const width = String(start + count - 1).length;
    return Array.from({ length: count }, (_, i) => `${prefix}${String(start + i).padStart(width, '0')}`);
}

export const LabelsBodySchema = z.strictObject({
    count: z.number().int().min(1).max(MAX_LABELS).meta({ description: `how many units to commission and label, 1-${MAX_LABELS}` }),
    serialPrefix: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, 'expected 1-100 letters, digits, ".", "_", ":" or "-"')
        .optional()
        .meta({ description: 'serials are this prefix and an index (zero-padded) from `start`; random serials (U + 16 base32 characters) without it', example: 'CHX-2025-' }),
    start: z.number().int().min(0).max(1_000_000_000).optional().meta({ description: 'first index with serialPrefix (default 1)' }),
});
type LabelsBody = z.input<typeof LabelsBodySchema>;

export interface Label {
    readonly serial: string;
    readonly code: string;
    readonly url: string;
    readonly svg: string;
}

const LabelSchema = z.object({ serial: z.string(), code: z.string(), url: z.string(), svg: z.string() });
const LabelsResultSchema = z.object({
    txId: z.string(),
    replayed: z.boolean().optional(),
    lotId: z.string(),
    labels: z.array(LabelSchema),
});

const CommittedUnitsSchema = z.array(z.object({ serial: z.string(), lotId: z.string() }).loose());

/** Each unit's label from the units a CommissionUnits transaction answered (now or, on a replay, then). */
export async function labelsOf(settings: LabelSettings, lotId: string, result: unknown): Promise<Label[]> {
    const units = CommittedUnitsSchema.safeParse(result);
    if (!units.success) throw new ApiError({ code: 'INTERNAL', detail: 'the commission answered no units' });
    return Promise.all(
        units.data.map(async (u) => {
            const code = deriveCode(settings.secret, u.lotId, u.serial);
            const url = verificationUrl(settings.publicUrl, u.serial, code);
            const svg = await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
            return { serial: u.serial, code, url, svg };
        }),
    );
}

/** A printable A4 sheet: 3 × 8 labels a page, each the QR code, the serial and the code to type by hand. */
export function labelSheet(lotId: string, txId: string, labels: readonly Label[], assets: (path: string) => string): string {
    const cells = labels.map(
        (l) => html`<figure class="label" data-serial="${l.serial}">${raw(l.svg)}<figcaption><span class="serial">${l.serial}</span><span class="code">${l.code}</span></figcaption></figure>`,
    );
    const body: SafeHtml = html`<header class="no-print"><h1>U-Point · 二维码标签 / QR labels</h1><p>批次 / lot <strong>${lotId}</strong> · ${labels.length} · tx <code>${txId}</code></p><p>打印后请覆盖刮刮层。每个验证码只应出现在标签上，请勿外传本页。 Cover each code with a scratch-off seal after printing; do not share this page.</p></header><main class="sheet">${cells}</main>`;
    return page({ lang: 'zh-CN', title: `QR labels ${lotId}`, styles: [assets('labels/sheet.css')], body });
}

/** `POST /v1/lots/{id}/labels`. Without label settings it answers UNAVAILABLE (the gateway has no GATEWAY_LABEL_SECRET). */
export function labelsOperation(): Operation {
    return writeOperation({
        operationId: 'createLabels',
        path: '/v1/lots/{id}/labels',
        summary:
            "Commission units of the lot and get their QR labels: each unit's serial, secret code, verification URL and QR code (SVG); `Accept: text/html` gives a printable A4 sheet. Codes are derived (HMAC), never stored; a replayed Idempotency-Key gives the same labels. The caller must be the lot's manufacturer",
        tag: 'provenance',
        status: 201,
        params: z.strictObject({ id: ProvIdSchema }),
        body: LabelsBodySchema,
        result: LabelsResultSchema,
        produces: ['application/json', 'text/html'],
        call: ({ params, body, settings, idempotencyKey }) => {
            const labels = settings.labels;
            if (labels === undefined) throw new ApiError({ code: 'UNAVAILABLE', detail: 'QR labels are not configured on this gateway (GATEWAY_LABEL_SECRET)' });
            const b: LabelsBody = body;
            const serialOf = (i: number): Uint8Array => createHmac('sha256', labels.secret).update(`serial\u0000${params.id}\u0000${idempotencyKey ?? ''}\u0000${i}`, 'utf8').digest();
            const units = makeSerials(b.count, b.serialPrefix, b.start, serialOf).map((serial) => ({ serial, codeHash: codeHash(deriveCode(labels.secret, params.id, serial)) }));
            return { contract: 'provenance', transaction: 'CommissionUnits', args: [params.id, JSON.stringify(units)] };
        },
        present: async (answer: WriteAnswer, { params, settings, wantsHtml, assets }): Promise<Presented> => {
            const labels = settings.labels;
            if (labels === undefined) throw new ApiError({ code: 'UNAVAILABLE', detail: 'QR labels are not configured on this gateway (GATEWAY_LABEL_SECRET)' });
            const made = await labelsOf(labels, params.id, answer.result);
            if (wantsHtml) return { html: labelSheet(params.id, answer.txId, made, assets) };
            return { json: { txId: answer.txId, ...(answer.replayed ? { replayed: true } : {}), lotId: params.id, labels: made } };
        },
    });
}
