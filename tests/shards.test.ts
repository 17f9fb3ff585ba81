/**
 * One fleet, several stacks (components/shards.ts, index.ts, scripts/shards.ts): a fleet cut into
 * shards plans exactly like the unsplit fleet, each shard evaluates alone, and moving a host to
 * another shard changes which stack registers its apps and nothing else.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { alertRules, drilledApps, Fleet, monitoredApps, RawStackConfig, scrapeConfig, validateStackConfig } from "../components";
import { resolveShard, selectShard, shardsProblems } from "../components/shards";
import { generatedFleet } from "../scripts/benchFleet";
import { deployStacks, moveHostCommands } from "../scripts/shards";
import { loadFleet } from "../scripts/stackCli";
import { Resources, runInPlace } from "./support/program";

const APP_BACKUP = "platform-backups:index:AppBackup";

function validFleet(raw: RawStackConfig): Fleet {
    const { fleet, problems } = validateStackConfig(raw, [], { assignments: "require", stack: "fleet" });
    if (!fleet) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
    return fleet;
}

/** A shard as its stack sees it: its own config names the fleet, whose file is `raw`. */
function shardOf(raw: RawStackConfig, name: string): Fleet {
    const resolved = resolveShard({ shard: { fleet: "fleet", name } }, () => ({ raw, problems: [] }));
    expect(resolved.problems).toEqual([]);
    const fleet = validFleet(resolved.raw);
    return selectShard(fleet, fleet.shards![name].hosts);
}

describe("a fleet cut into shards", () => {
    it("gives every app of a 600-app fleet in 6 shards the schedule, ports, drill and alert rules of the unsplit fleet", () => {
        const whole = validFleet(generatedFleet(600));
        const split = generatedFleet(600, 6);
        const shards = Object.keys(split.shards as object).map((name) => shardOf(split, name));
        expect(shards.map((s) => s.apps.length)).toEqual([100, 100, 100, 100, 100, 100]);
        // Every storage group spans shards: staggering must hold across them.
        expect(new Set(shards[0].apps.map((a) => a.group))).toEqual(new Set(shards[1].apps.map((a) => a.group)));
        const byName = (apps: Fleet["apps"]) => new Map(apps.map((a) => [a.name, a]));
        expect(byName(shards.flatMap((s) => s.apps))).toEqual(byName(whole.apps));
        const sortRules = (rules: ReturnType<typeof alertRules>) => rules.groups.flatMap((g) => g.rules.map((r) => JSON.stringify([g.name, r]))).sort();
        const rulesOf = (f: Fleet) => alertRules(monitoredApps(f), { runbookBaseUrl: f.monitoring.runbookBaseUrl }, drilledApps(f));
        expect(shards.flatMap((s) => sortRules(rulesOf(s))).sort()).toEqual(sortRules(rulesOf(whole)));
        const targets = (f: Fleet) =>
            scrapeConfig(monitoredApps(f), {}, drilledApps(f))
                .scrape_configs.flatMap((job) => job.static_configs.map((c) => JSON.stringify([job.job_name, c])))
                .sort();
        expect(shards.flatMap(targets).sort()).toEqual(targets(whole));
    });

    it("refuses a host in two shards, a host in none and an unknown host, each with its path", () => {
        expect(shardsProblems({ a: { hosts: ["vm1", "vm9"] }, b: { hosts: ["vm1"] }, "B!": { hosts: [] } }, ["vm1", "vm2"])).toEqual([
            { path: "shards.a.hosts[1]", message: '"vm9" is not a key of hosts; use one of: vm1, vm2' },
            { path: "shards.b.hosts[0]", message: '"vm1" is already in shard a; a host belongs to exactly one shard' },
            { path: "shards.B!", message: expect.stringMatching(/^a shard name is lowercase letters/) },
            { path: "shards.B!.hosts", message: "is empty; give the shard a host or remove it" },
            { path: "shards", message: expect.stringMatching(/^host vm2 is in no shard/) },
        ]);
    });

    it("takes a shard stack's own secrets, and refuses any other setting in it", () => {
        const fleet = generatedFleet(20, 2);
        const resolved = resolveShard({ shard: { fleet: "fleet", name: "s1" }, vaultToken: "own", retentionDays: 7 }, () => ({ raw: fleet, problems: [] }));
        expect(resolved.raw.vaultToken).toBe("own");
        expect(resolved.raw.retentionDays).toBe(fleet.retentionDays);
        expect(resolved.problems).toEqual([
            {
                path: "retentionDays",
                message: expect.stringMatching(/^a shard stack takes the fleet's settings from Pulumi.fleet.yaml; set retentionDays there/),
            },
        ]);
        const unknown = resolveShard({ shard: { fleet: "fleet", name: "zz" } }, () => ({ raw: fleet, problems: [] }));
        expect(unknown.problems).toEqual([{ path: "shard.name", message: '"zz" is not a shard of fleet; use one of: s1, s2' }]);
    });
});

describe("shards under the mock engine", () => {
    let dir: string;
    const cwd = process.cwd();
    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "shards-"));
    });
    afterAll(() => {
        process.chdir(cwd);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    /** Writes the fleet file (and shard files) where the program and the CLI read them. */
    function writeFleet(raw: RawStackConfig): void {
        const config = (entries: RawStackConfig) => ({ config: Object.fromEntries(Object.entries(entries).map(([k, v]) => [`platform-backups:${k}`, v])) });
        fs.writeFileSync(path.join(dir, "Pulumi.fleet.yaml"), JSON.stringify(config(raw)));
        for (const name of Object.keys((raw.shards as object | undefined) ?? {}))
            fs.writeFileSync(path.join(dir, `Pulumi.fleet-${name}.yaml`), JSON.stringify(config({ shard: { fleet: "fleet", name } })));
    }

    /** Runs the program as shard `name`'s stack would, from the directory that holds the fleet file. */
    async function runShard(name: string): Promise<Resources> {
        process.chdir(dir);
        try {
            return await runInPlace({ shard: { fleet: "fleet", name } });
        } finally {
            process.chdir(cwd);
        }
    }

    const union = (runs: Resources[]) => {
        const all: Resources = new Map();
        for (const run of runs)
            for (const [key, value] of run) {
                // Providers are per stack: each shard has its own minio and vault.
                if (key.startsWith("pulumi:providers:") && all.has(key)) continue;
                expect(all.has(key)).toBe(false);
                all.set(key, value);
            }
        return all;
    };

    // Each program run takes seconds on a busy machine: a small fleet here (9 apps on 3 hosts, one
    // storage group that both shards share); 600 apps plan above, and `npm run bench` evaluates one
    // shard of 600 alone.
    it("each shard evaluates alone; moving a host changes only which stack registers its apps, and the command names them", async () => {
        const whole = await runInPlace(generatedFleet(9, 0, 3));
        const before = generatedFleet(9, 2, 3);
        const shardsBefore = before.shards as Record<string, { hosts: string[] }>;
        expect(shardsBefore).toEqual({ s1: { hosts: ["vm-001", "vm-003"] }, s2: { hosts: ["vm-002"] } });
        writeFleet(before);
        const runsBefore = [await runShard("s1"), await runShard("s2")];
        expect(union(runsBefore)).toEqual(whole);
        expect(deployStacks("fleet", dir)).toEqual({ stacks: ["fleet-s1", "fleet-s2"], problems: [] });

        const moved = "vm-001";
        const { urns, problems } = moveHostCommands("fleet", moved, "s2", dir);
        expect(problems).toEqual([]);
        writeFleet({ ...before, shards: { s1: { hosts: ["vm-003"] }, s2: { hosts: ["vm-002", moved] } } });
        const runsAfter = [await runShard("s1"), await runShard("s2")];
        expect(union(runsAfter)).toEqual(whole);

        const appsOfHost = loadFleet("fleet", { dir })
            .whole.apps.filter((a) => a.host === moved)
            .map((a) => a.name);
        expect(appsOfHost).toHaveLength(3);
        const leaving = [...runsBefore[0].keys()].filter((k) => !runsAfter[0].has(k));
        const arriving = [...runsAfter[1].keys()].filter((k) => !runsBefore[1].has(k));
        expect(leaving.sort()).toEqual(arriving.sort());
        // The components the state move names are exactly the moved apps' components, in the source stack.
        expect(urns).toEqual(appsOfHost.map((app) => `urn:pulumi:fleet-s1::platform-backups::${APP_BACKUP}::${app}`));
        expect(leaving.filter((k) => k.startsWith(`${APP_BACKUP}::`)).sort()).toEqual(appsOfHost.map((a) => `${APP_BACKUP}::${a}`).sort());
        // Every other resource that leaves is a child of those components (named after the app) or the host's provider.
        for (const key of leaving) expect(appsOfHost.some((app) => key.includes(`::${app}`)) || key === `pulumi:providers:docker::docker-${moved}`).toBe(true);
        // What keeps the backups if an `up` ran before the move: the bucket and the restic password outlive the stack.
        for (const child of [
            "minio:index/s3Bucket:S3Bucket::%-bucket",
            "random:index/randomPassword:RandomPassword::%-restic-password",
            "vault:kv/secretV2:SecretV2::%-vault-secret",
        ]) {
            expect({ child, retainOnDelete: runsBefore[0].get(child.replace("%", appsOfHost[0]))?.options.retainOnDelete }).toEqual({
                child,
                retainOnDelete: true,
            });
        }
    }, 240_000);

    it("refuses to deploy the fleet stack of a split fleet, naming the shard stacks", async () => {
        await expect(runInPlace(generatedFleet(20, 2))).rejects.toThrow(
            /describes a fleet split into shards \(s1, s2\); nothing was created or changed\. Deploy each shard's stack instead: pulumi up --stack test-s1; pulumi up --stack test-s2/,
        );
    });
});
