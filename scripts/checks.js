/**
 * The static checks of `npm test`, side by side: each is one process on one core, so on two cores
 * the three together take about as long as the longest alone. Every check runs to its end, and
 * the output of each failed one is printed whole, under its name, before this exits non-zero.
 *
 *   node scripts/checks.js            # typecheck, lint, format:check, api:check (package.json scripts)
 *   node scripts/checks.js lint       # only the named ones
 */
"use strict";

const { spawn } = require("child_process");

const DEFAULT = ["typecheck", "lint", "format:check", "api:check"];
const names = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT;

/** Runs one package.json script (through npm, as `npm run <name>` would) and collects its output. */
function run(name) {
    return new Promise((resolve) => {
        const started = Date.now();
        const child = spawn(process.platform === "win32" ? "npm.cmd" : "npm", ["run", name], { stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        child.on("close", (code) => resolve({ name, code, output, seconds: (Date.now() - started) / 1000 }));
    });
}

Promise.all(names.map(run)).then((results) => {
    for (const r of results) {
        console.log(`checks: ${r.name} ${r.code === 0 ? "passed" : `FAILED (exit ${r.code})`} in ${r.seconds.toFixed(1)} s`);
        if (r.code !== 0) console.log(r.output.trimEnd().replace(/^/gm, `  ${r.name} | `));
    }
    process.exitCode = results.some((r) => r.code !== 0) ? 1 : 0;
});
