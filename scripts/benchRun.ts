/**
 * One benchmark run, in its own process (so that peak memory is this size's alone): the whole
 * stack program under the mock engine for a generated fleet of N apps (scripts/benchFleet.ts), or
 * for one shard of it. Prints one JSON line on stdout, progress on stderr.
 * Started by scripts/bench.ts:  benchRun.ts <apps> [<shards> <shard>]
 */
import * as fs from "fs";
import Module = require("module");
import * as os from "os";
import * as path from "path";
import { validateStackConfig } from "../components/config";
import { Registered, settle } from "../tests/support/pulumiMocks";
import { runProgram } from "../tests/support/stack";
import { generatedFleet } from "./benchFleet";

/** index.ts imports the library by package name; measure the source, not a possibly stale dist/. */
function resolveLibraryToSource(): void {
    const resolver = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
    const original = resolver._resolveFilename;
    resolver._resolveFilename = (request: string, ...rest: unknown[]) =>
        original(request === "platform-backups" ? path.join(__dirname, "..", "components", "index.ts") : request, ...rest);
}

/** Every how many registrations a run reports how far it got (a timer would starve: registration keeps the event loop busy). */
const PROGRESS_EVERY = 2000;

async function main(): Promise<void> {
    const [apps, shards = 0, shard = 0] = process.argv.slice(2).map(Number);
    resolveLibraryToSource();
    const fleetRaw = generatedFleet(apps, shards);

    const validationStart = process.hrtime.bigint();
    const { problems } = validateStackConfig(fleetRaw, [], { assignments: "require", stack: "bench" });
    const validationMs = Number(process.hrtime.bigint() - validationStart) / 1e6;
    if (problems.length > 0) throw new Error(`generated fleet is invalid: ${problems[0].path}: ${problems[0].message}`);

    // A shard runs as a shard stack does: its own config names the fleet, whose file the program reads.
    const raw = shards > 0 ? { shard: { fleet: "bench", name: `s${shard}` } } : fleetRaw;
    if (shards > 0) useFleetFile(fleetRaw);
    const start = process.hrtime.bigint();
    const seconds = () => (Number(process.hrtime.bigint() - start) / 1e9).toFixed(0);
    const label = shards > 0 ? `${apps} apps, shard ${shard} of ${shards}` : `${apps} apps`;
    const run = await runProgram(
        raw,
        () => require("../index.ts"),
        { minioPassword: "bench", vaultToken: "bench" },
        (watched) => {
            // The list the mocks fill: counting its pushes is the one progress signal that keeps up.
            const registered = watched as Registered[];
            const push = registered.push.bind(registered);
            registered.push = (...items: Registered[]) => {
                const n = push(...items);
                if (n % PROGRESS_EVERY === 0) process.stderr.write(`  ${label}: ${n} resources registered after ${seconds()} s\n`);
                return n;
            };
        },
    );
    // Wait until no registration is still in flight.
    let seen = -1;
    while (seen !== run.registered.length) {
        seen = run.registered.length;
        await settle();
    }
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    const deployed = run.registered.filter((r) => r.type === "platform-backups:index:AppBackup").length;
    const peakRssMiB = process.resourceUsage().maxRSS / 1024;
    console.log(JSON.stringify({ apps, shards, shard, deployed, wallMs, validationMs, peakRssMiB, resources: run.registered.length }));
}

/** Serves the fleet's stack file to the program from a scratch directory (the program reads `Pulumi.<fleet>.yaml` in its working directory). */
function useFleetFile(fleetRaw: Record<string, unknown>): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-fleet-"));
    const config = Object.fromEntries(Object.entries(fleetRaw).map(([key, value]) => [`platform-backups:${key}`, value]));
    fs.writeFileSync(path.join(dir, "Pulumi.bench.yaml"), JSON.stringify({ config }));
    process.chdir(dir);
    process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
