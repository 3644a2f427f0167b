/**
 * Display formats for the web pages: amounts in minor units (decimal strings on the wire, never floats), quantities,
 * instants and short hashes. Pure (Intl only): usable in the browser and in tests.
 */
import type { Lang } from './i18n.js';

/** Digits after the decimal point per ISO 4217 currency (2 unless listed). */
const MINOR_DIGITS: Readonly<Record<string, number>> = { JPY: 0, KRW: 0, VND: 0, CLP: 0, ISK: 0, BHD: 3, KWD: 3, OMR: 3, JOD: 3, TND: 3 };

export function minorDigits(currency: string): number {
    return MINOR_DIGITS[currency] ?? 2;
}

const DIGITS = /^(0|[1-9][0-9]*)$/;

/** '1234567' → '1,234,567' (grouping by threes; exact for any length). */
export function groupDigits(digits: string, separator = ','): string {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
}

/**
 * An amount in minor units as display text: ('123450', 'CNY') → '¥1,234.50' (zh-CN) / 'CN¥1,234.50' (en). Exact
 * (string arithmetic, no floats). A value that is not a decimal integer string is returned unchanged.
 */
export function formatAmount(minor: string | bigint, currency: string, lang: Lang = 'zh-CN'): string {
    const s = typeof minor === 'bigint' ? minor.toString() : minor;
    const negative = s.startsWith('-');
    const digits = negative ? s.slice(1) : s;
    if (!DIGITS.test(digits)) return s;
    const d = minorDigits(currency);
    const padded = digits.padStart(d + 1, '0');
    const whole = groupDigits(padded.slice(0, padded.length - d));
    const number = d === 0 ? whole : `${whole}.${padded.slice(padded.length - d)}`;
    return `${negative ? '-' : ''}${currencySymbol(currency, lang)}${number}`;
}

/** 'CNY' → '¥' (zh-CN) / 'CN¥' (en); an unknown code → 'XYZ '. */
export function currencySymbol(currency: string, lang: Lang = 'zh-CN'): string {
    try {
        const part = new Intl.NumberFormat(lang, { style: 'currency', currency, currencyDisplay: 'symbol' }).formatToParts(0).find((p) => p.type === 'currency');
        if (part !== undefined) return part.value === currency ? `${currency} ` : part.value;
    } catch {
        // not an ISO code Intl knows
    }
    return `${currency} `;
}

/** A quantity (decimal integer string) with grouping and its unit: ('12000', 'L') → '12,000 L'. */
export function formatQuantity(quantity: string | bigint, unit?: string): string {
    const s = typeof quantity === 'bigint' ? quantity.toString() : quantity;
    const n = DIGITS.test(s) ? groupDigits(s) : s;
    return unit === undefined || unit === '' ? n : `${n} ${unit}`;
}

/**
 * An ISO instant as local date and time: '2025-03-01T08:30:00Z' → '2025-03-01 16:30' (in Asia/Shanghai). `timeZone`
 * defaults to the runtime's own (the browser's). An unparseable value is returned unchanged.
 */
export function formatDateTime(iso: string, lang: Lang = 'zh-CN', timeZone?: string): string {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    const parts = new Intl.DateTimeFormat('en-CA', {
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
        ...(timeZone !== undefined ? { timeZone } : {}),
    }).formatToParts(date);
    const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
    void lang; // one numeric format for both languages: unambiguous and short on a phone
    return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/** The date part only: '2025-03-01'. */
export function formatDate(iso: string, lang: Lang = 'zh-CN', timeZone?: string): string {
    return formatDateTime(iso, lang, timeZone).slice(0, 10);
}

/** A long hash or id shortened for display: 'ab12cd…90ef' (the full value belongs in a title attribute). */
export function shortHash(value: string, head = 8, tail = 6): string {
    return value.length <= head + tail + 1 ? value : `${value.slice(0, head)}…${value.slice(-tail)}`;
}

/** A percentage from two decimal integer strings: ('25', '100') → '25%' (0 when the total is 0). */
export function percent(part: string | bigint, total: string | bigint): string {
    const p = BigInt(part);
    const tt = BigInt(total);
    if (tt === 0n) return '0%';
    return `${((p * 100n) / tt).toString()}%`;
}
