/**
 * `npm run bench`: the whole program under the mock engine for fleets of 6, 60 and 600 apps with
 * prod's settings and realistic names (scripts/benchFleet.ts), each size in a fresh process, and
 * one shard of the 600 split six ways (what one shard stack evaluates). Prints wall time, peak
 * memory (RSS) and resources per app, which must stay flat as the fleet grows.
 *
 *   npm run bench                       # 6, 60, 600, 600/6
 *   npm run bench -- 6 60 600 1200/12   # N apps, or N apps cut into S shards (runs shard 1)
 */
import { execFileSync } from "child_process";
import * as os from "os";
import * as path from "path";

interface Result {
    apps: number;
    shards: number;
    deployed: number;
    wallMs: number;
    validationMs: number;
    peakRssMiB: number;
    resources: number;
}

/** `600` or `600/6`. */
function parseSize(arg: string): { apps: number; shards: number } | undefined {
    const match = /^(\d+)(?:\/(\d+))?$/.exec(arg);
    if (!match) return undefined;
    const apps = Number(match[1]);
    const shards = Number(match[2] ?? 0);
    return apps > 0 && (shards === 0 || shards <= apps) ? { apps, shards } : undefined;
}

function runSize(size: { apps: number; shards: number }, index: number, count: number): Result {
    const label = size.shards > 0 ? `${size.apps} apps, shard 1 of ${size.shards}` : `${size.apps} apps`;
    // Progress goes to stderr, straight through: 600 apps take a minute or more.
    process.stderr.write(`[${index + 1}/${count}] ${label}: running the program under the mock engine ...\n`);
    const started = Date.now();
    const args = [String(size.apps), ...(size.shards > 0 ? [String(size.shards), "1"] : [])];
    const out = execFileSync(process.execPath, ["--require", path.join(__dirname, "register-ts.js"), path.join(__dirname, "benchRun.ts"), ...args], {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        stdio: ["ignore", "pipe", "inherit"],
    });
    const result = JSON.parse(out.trim().split("\n").pop() as string) as Result;
    process.stderr.write(
        `[${index + 1}/${count}] ${label}: ${result.resources} resources, ${result.peakRssMiB.toFixed(0)} MiB peak, done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
    return result;
}

function main(): number {
    const args = process.argv.slice(2);
    const sizes = args.map(parseSize);
    const bad = args.filter((_, i) => !sizes[i]);
    if (bad.length > 0) {
        console.error(`not a size: ${bad.join(", ")}; give N (apps) or N/S (apps cut into S shards), e.g. npm run bench -- 60 600/6`);
        return 2;
    }
    const chosen =
        args.length > 0
            ? (sizes as Array<{ apps: number; shards: number }>)
            : [6, 60, 600].map((apps) => ({ apps, shards: 0 })).concat({ apps: 600, shards: 6 });
    const results = chosen.map((size, i) => runSize(size, i, chosen.length));
    process.stderr.write("\n");
    const rows = results.map((r) => [
        String(r.apps),
        r.shards > 0 ? `1 of ${r.shards}` : "-",
        String(r.deployed),
        String(r.resources),
        (r.resources / r.deployed).toFixed(1),
        (r.wallMs / 1000).toFixed(1),
        (r.wallMs / r.deployed).toFixed(0),
        r.validationMs.toFixed(0),
        r.peakRssMiB.toFixed(0),
    ]);
    const header = ["fleet apps", "shard", "deployed apps", "resources", "resources/app", "wall s", "ms/app", "validate+plan ms", "peak RSS MiB"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
    console.log(`node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)}\n`);
    console.log(line(header));
    for (const row of rows) console.log(line(row));
    const whole = results.filter((r) => r.shards === 0);
    if (whole.length >= 2) {
        const [first, last] = [whole[0], whole[whole.length - 1]];
        const growth = last.wallMs / last.deployed / (first.wallMs / first.deployed);
        console.log(
            `\ncost per app at ${last.apps} apps is ${growth.toFixed(2)}x the cost per app at ${first.apps} (1.0 = linear; start-up dominates small fleets)`,
        );
    }
    return 0;
}

process.exitCode = main();
