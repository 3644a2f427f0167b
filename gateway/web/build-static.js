#!/usr/bin/env node
/**
 * The web build's second step, after `tsc -b gateway/web` (run by `make build` and test/scripts/run-tests.sh):
 * copies the static files of gateway/web (HTML shells, CSS, SVG, …: everything but TypeScript) into
 * gateway/dist/web, drops compiled test files there, and writes dist/web/i18n.json (the dictionaries of
 * shared/i18n.ts) from which the gateway renders the consumer page server-side. No bundler, nothing fetched.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const src = __dirname;
const out = path.resolve(__dirname, '..', 'dist', 'web');
const STATIC = /\.(html|css|svg|png|ico|webmanifest|txt)$/;

function copyStatic(dir) {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const from = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            if (entry.name !== 'node_modules') copyStatic(from);
            continue;
        }
        if (!STATIC.test(entry.name)) continue;
        const to = path.join(out, path.relative(src, from));
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.copyFileSync(from, to);
    }
}

function dropTests(dir) {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) dropTests(p);
        else if (/\.test\.js$/.test(entry.name)) fs.rmSync(p);
    }
}

async function main() {
    fs.mkdirSync(out, { recursive: true });
    copyStatic(src);
    dropTests(out);
    // the compiled files are ES modules: say so, so that Node loads shared/i18n.js below without guessing
    fs.writeFileSync(path.join(out, 'package.json'), '{ "type": "module" }\n');
    const i18n = await import(pathToFileURL(path.join(out, 'shared', 'i18n.js')).href);
    fs.writeFileSync(path.join(out, 'i18n.json'), `${JSON.stringify(i18n.MESSAGES)}\n`);
}

main().catch((err) => {
    process.stderr.write(`build-static: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
});
