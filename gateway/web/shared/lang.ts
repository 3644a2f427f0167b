/**
 * The language choice shared by every page: zh-CN by default, `?lang=` in the URL, else the browser session's choice
 * (sessionStorage only). Small and dictionary-free, so the consumer page can load it without the dictionaries.
 */

export const LANGS = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'zh-CN';
const STORAGE_KEY = 'upoint.lang';

export function isLang(value: unknown): value is Lang {
    return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

/** The language to start with: `?lang=` in the URL, else the session's choice, else `fallback`. */
export function initialLang(fallback: Lang = DEFAULT_LANG): Lang {
    try {
        const fromUrl = new URLSearchParams(location.search).get('lang');
        if (isLang(fromUrl)) return fromUrl;
        const stored = sessionStorage.getItem(STORAGE_KEY);
        if (isLang(stored)) return stored;
    } catch {
        // storage refused (private mode): the fallback
    }
    return fallback;
}

/** Remembers the choice for this browser session only. */
export function rememberLang(lang: Lang): void {
    try {
        sessionStorage.setItem(STORAGE_KEY, lang);
    } catch {
        // storage refused: the choice lasts for this page only
    }
}
