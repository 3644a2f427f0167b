'use strict';
// Prints one summary of the jest JSON reports in a folder, ending with the plain line
// "Summary: N passed, N failed, N skipped" that CI reads. Usage: summary.js <dir> [extra lines...]
const fs = require('node:fs');
const path = require('node:path');

const [dir, ...extra] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
let missing = false;
console.log('\n==== test summary ====');
for (const name of ['unit', 'e2e', 'faults', 'fuzz', 'browser', 'native']) {
    const file = path.join(dir, `${name}.json`);
    if ((name === 'native' || name === 'browser') && !fs.existsSync(file)) continue; // reported by a SKIPPED line instead
    if (!fs.existsSync(file)) {
        console.log(`${name}: NO REPORT (the run did not complete)`);
        missing = true;
        continue;
    }
    const r = JSON.parse(fs.readFileSync(file, 'utf8'));
    const suiteErrors = r.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
    const p = r.numPassedTests;
    const f = r.numFailedTests + suiteErrors;
    const s = r.numPendingTests + r.numTodoTests;
    passed += p;
    failed += f;
    skipped += s;
    console.log(`${name}: ${p} passed, ${f} failed, ${s} skipped (${r.numTotalTestSuites} suites)`);
    for (const suite of r.testResults) {
        for (const t of suite.assertionResults) {
            if (t.status === 'failed') console.log(`  FAILED ${path.relative(process.cwd(), suite.name)} › ${t.fullName}`);
        }
        if (suite.status === 'failed' && suite.assertionResults.length === 0) {
            console.log(`  FAILED ${path.relative(process.cwd(), suite.name)}: ${suite.message.split('\n').slice(0, 3).join(' ')}`);
        }
    }
}
for (const note of ['lint.txt', 'secrets.txt']) {
    const file = path.join(dir, note);
    if (fs.existsSync(file)) console.log(fs.readFileSync(file, 'utf8').trim());
}
for (const line of extra) if (line) console.log(line);
console.log(`Summary: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 || missing ? 1 : 0;
