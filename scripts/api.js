/**
 * The API report of the package's public face (api/platform-backups.api.md, api-extractor):
 *
 *   node scripts/api.js           # `npm run api`: rewrite the report after a change of the API
 *   node scripts/api.js --check   # `npm run api:check` (in `npm test`): fail while it is stale
 *
 * Declarations are emitted afresh into out/api-dts/ (dist/ may be older than the source).
 */
"use strict";

const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");
const { Extractor, ExtractorConfig } = require("@microsoft/api-extractor");

const ROOT = path.resolve(__dirname, "..");
const check = process.argv.includes("--check");
const out = path.join(ROOT, "out", "api-dts");

fs.rmSync(out, { recursive: true, force: true });
execFileSync(
    process.execPath,
    [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json", "--emitDeclarationOnly", "--declarationMap", "false", "--outDir", out],
    { cwd: ROOT, stdio: "inherit" },
);

const config = ExtractorConfig.loadFileAndPrepare(path.join(ROOT, "api-extractor.json"));
const result = Extractor.invoke(config, { localBuild: !check, showVerboseMessages: false });
// A type the API uses but does not export, or a broken link, is written into the report as a warning.
const report = fs.readFileSync(path.join(ROOT, "api", "platform-backups.api.md"), "utf8");
const flagged = report.split("\n").filter((line) => line.includes("Warning: (ae-"));
if (check && result.apiReportChanged) {
    console.error("api: the public API differs from api/platform-backups.api.md; review the change, then run `npm run api` and commit the report");
    process.exitCode = 1;
} else if (result.errorCount > 0 || flagged.length > 0) {
    console.error(`api: ${result.errorCount} error(s); in the report:\n${flagged.join("\n")}`);
    process.exitCode = 1;
}
