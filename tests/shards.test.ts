/**
 * One fleet, several stacks (components/shards.ts): a fleet cut into shards plans exactly like the
 * unsplit fleet. The program per shard, under the mock engine, is in tests/shards.slow.test.ts.
 */
import { alertRules, drilledApps, Fleet, monitoredApps, RawStackConfig, scrapeConfig, validateStackConfig } from "../components";
import { resolveShard, selectShard, shardsProblems } from "../components/shards";
import { generatedFleet } from "../scripts/benchFleet";

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
