/// <reference lib="dom" />
// Browser test harness (issue #10): a devnet with the chaincode, the gateway app in-process on an ephemeral port
// (GatewayHarness: createApp + connectFabric, which also serves the web pages), dev API keys for every org and the
// regulator, and a real headless Chromium driven by playwright-core (Debian's `chromium` package, installed by
// `make install`; no Playwright browser download). Screenshots go to test/results/screenshots/<test-name>.png.
// Without Chromium the suites are skipped with the reason in their title (and `make test` prints a SKIPPED line).
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import type { AppDeps } from '@upoint/gateway/dist/app';
import type { Network } from '@hyperledger/fabric-gateway';
import { chainInfo, CHANNEL, settle } from '../support/conformance';
import { GatewayHarness } from '../support/gateway';
import { REPO, TestNetwork, testConfig } from '../support/network';

const CHAINCODE = join(REPO, 'chaincode');
export const SCREENSHOTS = join(REPO, 'test/results/screenshots');
export const WEB_DIST = join(REPO, 'gateway/dist/web');

function executable(path: string): boolean {
    try {
        accessSync(path, constants.X_OK);
        return true;
    } catch {
        return false;
    }
}

/** The Chromium to drive: $CHROMIUM_PATH, /usr/bin/chromium, or `chromium` on the PATH; undefined when none. */
export function findChromium(): string | undefined {
    const fromEnv = process.env.CHROMIUM_PATH;
    if (fromEnv !== undefined && fromEnv !== '') return executable(fromEnv) ? fromEnv : undefined;
    if (executable('/usr/bin/chromium')) return '/usr/bin/chromium';
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
        if (dir !== '' && executable(join(dir, 'chromium'))) return join(dir, 'chromium');
    }
    return undefined;
}

export const CHROMIUM = findChromium();
export const SKIP_REASON = 'chromium not installed (as root: make install, or apt-get install chromium)';

/** `describe`, or `describe.skip` with the reason in the title when there is no Chromium (never a silent pass). */
export function describeBrowser(title: string, fn: () => void): void {
    if (CHROMIUM === undefined) {
        console.warn(`SKIPPED browser: ${SKIP_REASON}`);
        describe.skip(`${title} (SKIPPED: ${SKIP_REASON})`, fn);
    } else {
        describe(title, fn);
    }
}

/** A phone (the consumer page is mobile first): 390×844 CSS pixels, touch, zh-CN. */
export const MOBILE: BrowserContextOptions = {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36',
};

/** A desktop for the console. */
export const DESKTOP: BrowserContextOptions = { viewport: { width: 1366, height: 900 }, locale: 'en-US' };

/** What a page reported: uncaught exceptions and console errors (CSP violations show up there too). */
export interface PageLog {
    readonly errors: string[];
    readonly console: string[];
}

const logs = new WeakMap<Page, PageLog>();

export function pageLog(page: Page): PageLog {
    const l = logs.get(page);
    if (l === undefined) throw new Error('not a harness page');
    return l;
}

/** A file name from the current test's full name. */
function shotName(): string {
    const raw = expect.getState().currentTestName ?? 'screenshot';
    return raw
        .replace(/[^A-Za-z0-9._-]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 150);
}

export class BrowserHarness {
    #net: TestNetwork | undefined;
    #gw: GatewayHarness | undefined;
    browser: Browser | undefined;
    #regulatorNet: Network | undefined;
    readonly #contexts: BrowserContext[] = [];
    /** Every screenshot taken, path → what it shows (printed at the end of the suite). */
    readonly shots = new Map<string, string>();

    /** `offset`: the network's private port block (testConfig). Nothing is made before start(). */
    constructor(readonly offset: number) {}

    get net(): TestNetwork {
        if (this.#net === undefined) throw new Error('start() first');
        return this.#net;
    }

    /** The gateway app and its REST client with the dev keys (BrandMSP, SupplierMSP, BankMSP, regulator, admin:…). */
    get gw(): GatewayHarness {
        if (this.#gw === undefined) throw new Error('start() first');
        return this.#gw;
    }

    get base(): string {
        return this.gw.base;
    }

    /** devnet + chaincode + membership bootstrap, the gateway app (with `deps`), Chromium. */
    async start(deps: Partial<AppDeps> = {}): Promise<void> {
        if (CHROMIUM === undefined) throw new Error(`browser: ${SKIP_REASON}`);
        if (!existsSync(WEB_DIST)) throw new Error(`the web pages are not built (${WEB_DIST} missing): run make build`);
        this.#net = new TestNetwork(testConfig(this.offset));
        this.#gw = new GatewayHarness(this.#net);
        await this.net.start();
        await this.net.deploy(CHAINCODE);
        const members = readFileSync(join(REPO, 'network/members.json'), 'utf8');
        await this.net.gateway('Brand', 'Admin').getNetwork(CHANNEL).getContract('upoint', 'membership').submitTransaction('Bootstrap', members);
        this.#regulatorNet = this.net.gateway('Regulator').getNetwork(CHANNEL);
        await this.gw.start(deps);
        this.browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'], headless: true });
        mkdirSync(SCREENSHOTS, { recursive: true });
    }

    async stop(): Promise<void> {
        for (const c of this.#contexts.splice(0)) await c.close().catch(() => undefined);
        await this.browser?.close().catch(() => undefined);
        this.browser = undefined;
        await this.#gw?.stop();
        await this.#net?.stop();
        if (this.shots.size > 0) {
            console.log(`screenshots:\n${[...this.shots].map(([p, what]) => `  ${p}: ${what}`).join('\n')}`);
        }
    }

    /** A fresh page in its own context (own cookies and sessionStorage); page errors and console errors recorded. */
    async page(options: BrowserContextOptions = DESKTOP): Promise<Page> {
        const browser = this.browser;
        if (browser === undefined) throw new Error('start() first');
        const context = await browser.newContext(options);
        context.setDefaultTimeout(30_000);
        context.setDefaultNavigationTimeout(60_000);
        this.#contexts.push(context);
        const page = await context.newPage();
        const log: PageLog = { errors: [], console: [] };
        logs.set(page, log);
        page.on('pageerror', (err) => log.errors.push(String(err)));
        page.on('console', (msg) => {
            if (msg.type() === 'error') log.console.push(msg.text());
        });
        return page;
    }

    /** Full-page PNG at test/results/screenshots/<test name>[-<suffix>].png; `what` says what it shows. */
    async shot(page: Page, what: string, suffix?: string): Promise<string> {
        const file = join(SCREENSHOTS, `${shotName()}${suffix !== undefined ? `-${suffix}` : ''}.png`);
        await page.screenshot({ path: file, fullPage: true });
        this.shots.set(file.slice(REPO.length + 1), what);
        return file;
    }

    /** Every peer at the same height, then that height (a refused request must leave it where it is). */
    async height(): Promise<bigint> {
        const n = this.#regulatorNet;
        if (n === undefined) throw new Error('start() first');
        await settle(this.net);
        return BigInt((await chainInfo(n)).getHeight());
    }

    async settle(): Promise<void> {
        await settle(this.net);
    }

    // ------------------------------------------------------------------------------------------------
    // The console

    /** Opens /console/, signs in with the dev key `keyName`, waits until the role shows. */
    async signIn(page: Page, keyName: string): Promise<void> {
        await page.goto(`${this.base}/console/`);
        await page.locator('#api-key').fill(this.gw.key(keyName));
        await page.locator('[data-testid=sign-in]').click();
        await page.locator('[data-testid=role]').waitFor({ state: 'visible' });
        await page.waitForFunction(() => (document.querySelector('[data-testid=role]')?.textContent ?? '').trim() !== '');
    }

    /** Clicks the nav link of `view` and waits until the page has settled on it (no pending API calls). */
    async openView(page: Page, view: string): Promise<void> {
        await page.locator(`[data-testid=nav-${view}]`).click();
        await quiet(page);
    }
}

/**
 * Waits (bounded) until no request of the page is in flight for a moment, ignoring the event stream — a DOM-side
 * condition for "the view has loaded its data"; never an assertion on timing.
 */
export async function quiet(page: Page, timeoutMs = 20_000): Promise<void> {
    await page.waitForLoadState('domcontentloaded');
    await page
        .waitForLoadState('networkidle', { timeout: timeoutMs })
        .catch(() => undefined); // an open event stream keeps the network busy: then the callers wait on the DOM
}

/** Attributes of every element matching `selector`, in document order. */
export function attrs(page: Page, selector: string, names: readonly string[]): Promise<Array<Record<string, string | null>>> {
    return page.$$eval(
        selector,
        (els, ns) => els.map((e) => Object.fromEntries(ns.map((n) => [n, e.getAttribute(n)]))),
        names as string[],
    );
}
