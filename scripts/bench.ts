/**
 * `npm run bench`: the whole program under the mock engine for fleets of 6, 60 and 600 apps.
 * Reports wall time, peak memory and resources registered per size, each size in a fresh process,
 * and the cost per app, which must stay flat as the fleet grows (linear cost).
 *
 *   npm run bench                 # 6, 60, 600
 *   npm run bench -- 6 60 600 1200
 */
import { execFileSync } from "child_process";
import * as path from "path";

interface Result {
    apps: number;
    wallMs: number;
    validationMs: number;
    peakRssMiB: number;
    resources: number;
}

function runSize(apps: number, index: number, sizes: number): Result {
    // The run's progress lines go to stderr, straight through: 600 apps take a minute or more.
    process.stderr.write(`[${index + 1}/${sizes}] ${apps} apps: running the program under the mock engine ...\n`);
    const started = Date.now();
    const out = execFileSync(process.execPath, ["--require", path.join(__dirname, "register-ts.js"), path.join(__dirname, "benchRun.ts"), String(apps)], {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        stdio: ["ignore", "pipe", "inherit"],
    });
    const result = JSON.parse(out.trim().split("\n").pop() as string) as Result;
    process.stderr.write(`[${index + 1}/${sizes}] ${apps} apps: ${result.resources} resources, done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return result;
}

function main(): void {
    const sizes = process.argv
        .slice(2)
        .map(Number)
        .filter((n) => Number.isInteger(n) && n > 0);
    const chosen = sizes.length > 0 ? sizes : [6, 60, 600];
    const results = chosen.map((apps, i) => runSize(apps, i, chosen.length));
    process.stderr.write("\n");
    const rows = results.map((r) => [
        String(r.apps),
        String(r.resources),
        r.wallMs.toFixed(0),
        (r.wallMs / r.apps).toFixed(2),
        r.validationMs.toFixed(2),
        r.peakRssMiB.toFixed(0),
    ]);
    const header = ["apps", "resources", "wall ms", "ms/app", "validate+plan ms", "peak RSS MiB"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
    console.log(`node ${process.version}, ${require("os").cpus().length} cores\n`);
    console.log(line(header));
    for (const row of rows) console.log(line(row));
    const first = results[0];
    const last = results[results.length - 1];
    const growth = last.wallMs / last.apps / (first.wallMs / first.apps);
    console.log(
        `\ncost per app at ${last.apps} apps is ${growth.toFixed(2)}x the cost per app at ${first.apps} (1.0 = linear; start-up dominates small fleets)`,
    );
}

main();
