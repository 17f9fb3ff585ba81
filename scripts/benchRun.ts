/**
 * One benchmark run, in its own process (so that peak memory is this size's alone): the whole
 * stack program under the mock engine for a generated fleet of N apps. Prints one JSON line.
 * Started by scripts/bench.ts; not meant to be run by hand.
 */
import Module = require("module");
import * as path from "path";
import { validateStackConfig } from "../components/config";
import { RawStackConfig } from "../components/config";
import { settle } from "../tests/support/pulumiMocks";
import { runProgram } from "../tests/support/stack";

/** index.ts imports the library by package name; measure the source, not a possibly stale dist/. */
function resolveLibraryToSource(): void {
    const resolver = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
    const original = resolver._resolveFilename;
    resolver._resolveFilename = (request: string, ...rest: unknown[]) =>
        original(request === "platform-backups" ? path.join(__dirname, "..", "components", "index.ts") : request, ...rest);
}

/** How often a run reports how far it got. */
const PROGRESS_INTERVAL_MS = 5000;

/** A fleet like prod, scaled: 20 apps per host, 10 per storage group, monitored, with notifications. */
export function generatedFleet(apps: number): RawStackConfig {
    const hosts = Math.max(1, Math.ceil(apps / 20));
    return {
        minio: { endpoint: "minio.bench.internal:9000" },
        vault: { address: "https://vault.bench.internal:8200", mount: "ansible" },
        monitoring: { enabled: true },
        notifications: { emailHost: "smtp.bench.internal", emailPort: 587, emailUser: "backup@bench.internal", emailSendTo: ["ops@bench.internal"] },
        hosts: Object.fromEntries(Array.from({ length: hosts }, (_, h) => [`vm${h}`, { dockerHost: `ssh://deploy@vm${h}.bench.internal` }])),
        apps: Array.from({ length: apps }, (_, i) => ({ name: `app${i}`, host: `vm${i % hosts}`, group: `g${Math.floor(i / 10)}` })),
    };
}

async function main(): Promise<void> {
    const apps = Number(process.argv[2]);
    resolveLibraryToSource();
    const raw = generatedFleet(apps);

    const validationStart = process.hrtime.bigint();
    const { problems } = validateStackConfig(raw);
    const validationMs = Number(process.hrtime.bigint() - validationStart) / 1e6;
    if (problems.length > 0) throw new Error(`generated fleet is invalid: ${problems[0].path}: ${problems[0].message}`);

    const start = process.hrtime.bigint();
    // Progress on stderr (stdout carries the one JSON line): a large fleet takes a minute or more.
    let watched: readonly unknown[] = [];
    const progress = setInterval(() => {
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        process.stderr.write(`  ${apps} apps: ${watched.length} resources registered after ${seconds.toFixed(0)} s\n`);
    }, PROGRESS_INTERVAL_MS);
    const run = await runProgram(
        raw,
        () => require("../index.ts"),
        { minioPassword: "bench", vaultToken: "bench" },
        (registered) => {
            watched = registered;
        },
    );
    // Wait until no registration is still in flight.
    let seen = -1;
    while (seen !== run.registered.length) {
        seen = run.registered.length;
        await settle();
    }
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    clearInterval(progress);
    const peakRssMiB = process.resourceUsage().maxRSS / 1024;
    console.log(JSON.stringify({ apps, wallMs, validationMs, peakRssMiB, resources: run.registered.length }));
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
