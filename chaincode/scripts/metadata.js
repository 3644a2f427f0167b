#!/usr/bin/env node
/*
 * Contract metadata, generated from the compiled contracts (dist/) the way
 * `fabric-chaincode-node metadata generate` introspects them, and committed at
 * contract-metadata/metadata.json — where the shim loads it at startup and uses it *instead of*
 * introspection, so it must always match the code.
 *
 *   node scripts/metadata.js           regenerate contract-metadata/metadata.json
 *   node scripts/metadata.js --check   regenerate to a temp file; exit 1 if it differs
 *
 * Why not the CLI itself: `metadata generate` first reads any committed metadata.json and echoes
 * it back, so it can never detect drift. Here introspection always starts from nothing.
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// The shim and contract API log every decorator at info level; keep this tool's output readable.
process.env.CORE_CHAINCODE_LOGGING_LEVEL = process.env.CORE_CHAINCODE_LOGGING_LEVEL || 'CRITICAL';

const Bootstrap = require('fabric-shim/lib/contract-spi/bootstrap.js');
const ChaincodeFromContract = require('fabric-shim/lib/contract-spi/chaincodefromcontract.js');

const root = path.resolve(__dirname, '..');
const committed = path.join(root, 'contract-metadata', 'metadata.json');

function generate() {
    const { contracts, serializers, title, version } = Bootstrap.getInfoFromContract(root);
    // ChaincodeFromContract appends the system contract to the array it is given: pass a copy.
    const chaincode = new ChaincodeFromContract([...contracts], serializers, {}, title, version);
    return `${JSON.stringify(chaincode.metadata, null, 4)}\n`;
}

function main(argv) {
    const check = argv.includes('--check');
    const unknown = argv.filter((a) => a !== '--check');
    if (unknown.length > 0) {
        process.stderr.write(`usage: metadata.js [--check]   (unknown: ${unknown.join(' ')})\n`);
        return 2;
    }
    if (!fs.existsSync(path.join(root, 'dist', 'index.js'))) {
        process.stderr.write('metadata: dist/index.js is missing; run `npm run build -w @upoint/chaincode` first\n');
        return 1;
    }

    const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'upoint-metadata-'));
    const fresh = path.join(tmpDir, 'metadata.json');
    fs.writeFileSync(fresh, generate());
    // The same validation the shim applies when it loads the file at startup.
    Bootstrap.loadAndValidateMetadata(fresh);

    if (!check) {
        fs.mkdirSync(path.dirname(committed), { recursive: true });
        fs.copyFileSync(fresh, committed);
        fs.rmSync(tmpDir, { recursive: true, force: true });
        process.stdout.write(`metadata: wrote ${path.relative(process.cwd(), committed)}\n`);
        return 0;
    }

    const current = fs.existsSync(committed) ? fs.readFileSync(committed, 'utf8') : undefined;
    if (current === fs.readFileSync(fresh, 'utf8')) {
        fs.rmSync(tmpDir, { recursive: true, force: true });
        process.stdout.write('metadata: contract-metadata/metadata.json is up to date\n');
        return 0;
    }
    process.stderr.write(
        current === undefined
            ? `metadata: ${committed} does not exist\n`
            : `metadata: ${committed} is out of date with the contracts.\n` +
                  `  compare: diff -u ${committed} ${fresh}\n` +
                  '  if the change is intended: npm run metadata -w @upoint/chaincode, and commit the file\n',
    );
    return 1;
}

process.exitCode = main(process.argv.slice(2));
