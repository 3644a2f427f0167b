/**
 * The consumer page's only script (the page itself is rendered by the gateway): the language switch (remembered in
 * sessionStorage only) and checking a chosen file against a document's SHA-256 in the browser. The page carries the
 * strings it needs in both languages as a JSON data block (#i18n-data), so this script stays small. Text is set with
 * textContent only; nothing from the page's data is parsed as HTML.
 */
import { formatDateTime } from '../shared/format.js';
import { initialLang, isLang, rememberLang, type Lang } from '../shared/lang.js';

type Strings = Readonly<Record<Lang, Readonly<Record<string, string>>>>;


function strings(): Strings {
    try {
        return JSON.parse(document.getElementById('i18n-data')?.textContent ?? '{}') as Strings;
    } catch {
        return { 'zh-CN': {}, en: {} };
    }
}

const dict = strings();
let lang: Lang = isLang(document.documentElement.lang) ? document.documentElement.lang : 'zh-CN';

function t(key: string, vars?: Readonly<Record<string, string>>): string {
    const text = dict[lang]?.[key] ?? key;
    return vars === undefined ? text : text.replace(/\{([A-Za-z0-9_]+)\}/g, (m, name: string) => vars[name] ?? m);
}

function translate(): void {
    for (const el of document.querySelectorAll<HTMLElement>('[data-i18n]')) {
        let vars: Record<string, string> | undefined;
        try {
            vars = el.dataset.i18nVars === undefined ? undefined : (JSON.parse(el.dataset.i18nVars) as Record<string, string>);
        } catch {
            vars = undefined;
        }
        el.textContent = t(el.dataset.i18n ?? '', vars);
    }
    for (const el of document.querySelectorAll<HTMLElement>('[data-i18n-attr]')) {
        for (const pair of (el.dataset.i18nAttr ?? '').split(';')) {
            const [attr, key] = pair.split(':');
            if (attr !== undefined && key !== undefined && /^[a-z-]+$/.test(attr)) el.setAttribute(attr, t(key));
        }
    }
    // every <time datetime> in the phone's own time zone
    for (const el of document.querySelectorAll<HTMLTimeElement>('time[datetime]')) el.textContent = formatDateTime(el.dateTime, lang);
}

function show(next: Lang, remember: boolean): void {
    lang = next;
    document.documentElement.lang = next;
    translate();
    if (remember) rememberLang(next);
}

function hex(buffer: ArrayBuffer): string {
    return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

function setResult(out: HTMLElement | null, key: string, state: string): void {
    if (out === null) return;
    out.dataset.i18n = key; // re-translated on a language switch
    out.dataset.match = state;
    out.textContent = t(key);
}

async function check(input: HTMLInputElement, out: HTMLElement | null): Promise<void> {
    const file = input.files?.[0];
    if (file === undefined) return;
    // crypto.subtle exists only in secure contexts (https, localhost)
    if (globalThis.crypto?.subtle === undefined) {
        setResult(out, 'doc.unsupported', 'unsupported');
        return;
    }
    setResult(out, 'doc.checking', 'pending');
    const digest = hex(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
    const match = digest === (input.dataset.sha256 ?? '').toLowerCase();
    setResult(out, match ? 'doc.match' : 'doc.noMatch', match ? 'match' : 'no-match');
}

// the server rendered zh-CN (or ?lang=en); a choice made earlier in this session wins
show(initialLang(lang), false);
document.querySelector('[data-testid=lang-switch]')?.addEventListener('click', () => show(lang === 'en' ? 'zh-CN' : 'en', true));
for (const input of document.querySelectorAll<HTMLInputElement>('[data-testid=doc-check]')) {
    const out = document.getElementById(input.getAttribute('aria-describedby') ?? '');
    input.addEventListener('change', () => {
        check(input, out).catch(() => setResult(out, 'doc.unsupported', 'error'));
    });
}
