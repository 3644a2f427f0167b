/**
 * The console SPA: sign-in with an API key (sessionStorage only), GET /v1/me for the role and org, hash routing
 * between the views, focus moved to each view's heading, the language switch. Everything is built with
 * createElement/textContent.
 */
import { ApiClient } from '../shared/api.js';
import { applyTranslations, getLang, initialLang, setLang } from '../shared/i18n.js';
import { t } from '../shared/i18n.js';
import { announce, field, h, problemView } from './dom.js';
import { creditView } from './credit.js';
import { eventsView, resetFeed } from './events.js';
import { lotsView } from './lots.js';
import { tc } from './messages.js';
import { receivablesView } from './receivables.js';
import { parseMe, VIEWS, type Me } from './roles.js';
import { parseRoute, type Route } from './route.js';
import { stockView } from './stock.js';
import { txView } from './tx.js';
import { takeFlash, type Ctx } from './ui.js';

const KEY_STORAGE = 'upoint.console.key';

const api = new ApiClient();
let key: string | null = null;
let me: Me | null = null;
let viewAbort: AbortController | null = null;

function storedKey(): string | null {
    try {
        return sessionStorage.getItem(KEY_STORAGE);
    } catch {
        return null;
    }
}

function storeKey(value: string | null): void {
    try {
        if (value === null) sessionStorage.removeItem(KEY_STORAGE);
        else sessionStorage.setItem(KEY_STORAGE, value);
    } catch {
        // storage refused: the key lives in memory for this page only
    }
}

const el = <T extends HTMLElement>(id: string): T => {
    const found = document.getElementById(id);
    if (found === null) throw new Error(`console shell: #${id} missing`);
    return found as T;
};

function header(): void {
    const who = el('who');
    const nav = el<HTMLElement>('nav');
    const signOut = el<HTMLButtonElement>('sign-out');
    if (me === null) {
        who.replaceChildren();
        nav.replaceChildren();
        nav.hidden = true;
        signOut.hidden = true;
        return;
    }
    who.replaceChildren(h('span', { 'data-testid': 'role', 'data-role': me.role, 'data-msp': me.mspId, class: `role role-${me.role}` }, tc('role.line', { role: tc(`role.${me.role}`), org: me.mspId }), h('span', { class: 'muted' }, ` (${me.name})`)));
    nav.hidden = false;
    nav.setAttribute('aria-label', tc('nav.label'));
    signOut.hidden = false;
    const current = parseRoute(location.hash).view;
    nav.replaceChildren(
        h('ul', {}, ...VIEWS.map((v) => h('li', {}, h('a', { href: `#/${v}`, 'data-testid': `nav-${v}`, 'aria-current': v === current ? 'page' : null }, tc(`nav.${v}`))))),
    );
    // a link to the hash already shown fires no hashchange: render (and move the focus) anyway
    for (const a of nav.querySelectorAll<HTMLAnchorElement>('a')) {
        a.addEventListener('click', () => {
            if (a.getAttribute('href') === location.hash) void render();
        });
    }
}

function signInView(main: HTMLElement, problem?: unknown): void {
    document.title = `${tc('signin.title')} · ${tc('console.title')}`;
    const input = h('input', { id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'api-key-hint' });
    const button = h('button', { type: 'submit', 'data-testid': 'sign-in' }, tc('signin.submit'));
    const slot = h('div', { 'aria-live': 'assertive' });
    const form = h('form', { class: 'signin card', 'aria-labelledby': 'signin-title' }, h('h1', { id: 'signin-title', tabindex: '-1', class: 'view-title' }, tc('signin.title')));
    const f = field('api-key-field', tc('signin.key'), input);
    // field() set the input's id to api-key-field: the contract's id is #api-key
    input.id = 'api-key';
    f.querySelector('label')?.setAttribute('for', 'api-key');
    form.append(f, h('p', { id: 'api-key-hint', class: 'muted' }, tc('signin.hint')), button, slot);
    if (problem !== undefined) slot.append(problemView(problem));
    form.addEventListener('submit', (e) => {
        e.preventDefault();
        const value = input.value.trim();
        if (value === '') {
            slot.replaceChildren(h('p', { class: 'field-error', role: 'alert' }, tc('signin.empty')));
            input.focus();
            return;
        }
        button.disabled = true;
        button.textContent = tc('signin.checking');
        void signIn(value).finally(() => {
            button.disabled = false;
            button.textContent = tc('signin.submit');
        });
    });
    main.replaceChildren(form);
    input.focus();
}

async function signIn(value: string): Promise<void> {
    api.setKey(value);
    try {
        me = parseMe(await api.get<unknown>('/v1/me'));
        key = value;
        storeKey(value);
        if (location.hash === '' || location.hash === '#' || location.hash.startsWith('#/signin')) location.hash = '#/lots';
        else void render();
    } catch (err) {
        api.setKey(undefined);
        me = null;
        key = null;
        storeKey(null);
        header();
        signInView(el('main'), err);
    }
}

function signOut(): void {
    viewAbort?.abort();
    api.setKey(undefined);
    key = null;
    me = null;
    storeKey(null);
    resetFeed();
    header();
    signInView(el('main'));
    announce(tc('signin.title'));
}

async function render(): Promise<void> {
    viewAbort?.abort();
    const main = el('main');
    if (me === null || key === null) {
        header();
        signInView(main);
        return;
    }
    const controller = new AbortController();
    viewAbort = controller;
    const route: Route = parseRoute(location.hash);
    header();
    const ctx: Ctx = { api, me, route, signal: controller.signal, refresh: () => void render() };
    const container = h('div', { class: 'view', 'data-view': route.view });
    main.replaceChildren(container);
    document.title = `${tc(`nav.${route.view}`)} · ${tc('console.title')}`;
    const auth = (): Record<string, string> => (key === null ? {} : { Authorization: `Bearer ${key}` });
    const focusHeading = (): void => {
        if (viewAbort !== controller) return;
        const title = container.querySelector<HTMLElement>('.view-title');
        // focus management: land on the new view's heading (keyboard and screen readers follow the change)
        if (title !== null && !container.contains(document.activeElement)) title.focus({ preventScroll: false });
    };
    try {
        const work = (() => {
            switch (route.view) {
                case 'lots':
                    return lotsView(ctx, container);
                case 'stock':
                    return stockView(ctx, container);
                case 'receivables':
                    return receivablesView(ctx, container);
                case 'credit':
                    return creditView(ctx, container);
                case 'tx':
                    return txView(ctx, container);
                case 'events':
                    eventsView(ctx, container, auth);
                    return Promise.resolve();
            }
        })();
        // the heading exists as soon as the view started: focus it now, not after the data arrived
        const flash = takeFlash();
        if (flash !== null) container.querySelector('.view-title')?.after(flash);
        focusHeading();
        await work;
    } catch (err) {
        if (controller.signal.aborted) return;
        container.append(problemView(err, () => void render()));
    }
    if (controller.signal.aborted) return;
    const problem = container.querySelector<HTMLElement>('[data-testid=problem]');
    if (problem !== null && problem.closest('form') === null) problem.focus();
    // an expired or revoked key: back to sign-in with the problem shown
    if (problem?.dataset.code === 'UNAUTHENTICATED') {
        const err = problem;
        signOut();
        el('main').append(err);
    }
}

function langButton(): void {
    const b = el<HTMLButtonElement>('lang-switch');
    const label = (): void => {
        b.textContent = t('lang.switch');
        b.setAttribute('aria-label', t('lang.switch.label'));
        b.lang = getLang() === 'en' ? 'zh-CN' : 'en';
    };
    label();
    b.addEventListener('click', () => {
        setLang(getLang() === 'en' ? 'zh-CN' : 'en');
        label();
        applyTranslations(document);
        el('skip').textContent = tc('console.skip');
        el('sign-out').textContent = tc('signin.out');
        void render();
    });
}

function start(): void {
    setLang(initialLang(), false);
    el('skip').textContent = tc('console.skip');
    // the skip link must not change the hash (that is the router's): move the focus instead
    el('skip').addEventListener('click', (e) => {
        e.preventDefault();
        (document.querySelector<HTMLElement>('#main .view-title') ?? el('main')).focus();
    });
    el('sign-out').textContent = tc('signin.out');
    el('sign-out').addEventListener('click', signOut);
    langButton();
    window.addEventListener('hashchange', () => void render());
    const saved = storedKey();
    if (saved !== null && saved !== '') void signIn(saved);
    else void render();
}

start();
