/**
 * Fleets grow without churn: adding an app at the end of its group, wherever that is in the list,
 * changes no input of any other app's resources (schedules and exporter ports included); removing
 * one re-places only the later apps of its group, and only their schedule (docs/configuration.md,
 * "Adding and removing apps"). Checked over whole resource inputs, by running the real program.
 *
 * Each example runs the whole program twice under the mock engine (about a second per run on a
 * busy machine), so the run counts are small; fast-check still varies the fleet, the group and
 * host layout, the monitoring switch and the position on every run.
 */
import * as fc from "fast-check";
import { RawStackConfig, validateStackConfig } from "../components/config";
import { ownerOf, Resources, runInPlace } from "./support/program";

const HOSTS = ["vm1", "vm2"];
const GROUPS = ["green", "blue", "red"];

interface App {
    name: string;
    host: string;
    group: string;
    expectedDuration: number;
}

const appArb = (name: string) =>
    fc.record({
        name: fc.constant(name),
        host: fc.constantFrom(...HOSTS),
        group: fc.constantFrom(...GROUPS),
        expectedDuration: fc.integer({ min: 5, max: 90 }),
    });

/** A fleet of 1-5 apps with unique names, interleaved across groups and hosts, plus one new app. */
const scenarioArb = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{1,7}$/), { minLength: 2, maxLength: 6 }).chain((names) =>
    fc.record({
        apps: fc.tuple(...names.slice(1).map(appArb)),
        added: appArb(names[0]),
        monitoring: fc.constantFrom(true, true, false),
        maxConcurrent: fc.integer({ min: 1, max: 2 }),
        seed: fc.nat(),
    }),
);

function stack(apps: readonly App[], monitoring: boolean, maxConcurrent: number): RawStackConfig {
    return {
        minio: { endpoint: "minio.test:9000" },
        vault: { address: "https://vault.test:8200" },
        hosts: Object.fromEntries(HOSTS.map((h) => [h, { dockerHost: `ssh://deploy@${h}.test` }])),
        schedule: { groups: Object.fromEntries([...new Set(apps.map((a) => a.group))].map((g) => [g, { maxConcurrent }])) },
        monitoring: { enabled: monitoring },
        apps: apps.map((a) => ({ ...a })),
    };
}

const valid = (raw: RawStackConfig) => validateStackConfig(raw).problems.length === 0;

/** Keys of resources whose inputs or provider differ between two runs (or exist in one only). */
function changed(before: Resources, after: Resources, keys: Iterable<string>): string[] {
    const diff: string[] = [];
    for (const key of keys) {
        if (JSON.stringify(before.get(key)) !== JSON.stringify(after.get(key))) diff.push(key);
    }
    return diff;
}

/** Resources of `before` not owned by any of `apps` (the providers) plus those owned by `others`. */
function keysOf(before: Resources, all: readonly string[], others: readonly string[]): string[] {
    return [...before.keys()].filter((key) => {
        const owner = ownerOf(key, all);
        return owner === undefined || others.includes(owner);
    });
}

async function expectAddingMovesNobody(apps: App[], added: App, at: number, monitoring: boolean, maxConcurrent: number): Promise<void> {
    const grown = [...apps.slice(0, at), added, ...apps.slice(at)];
    const before = stack(apps, monitoring, maxConcurrent);
    const after = stack(grown, monitoring, maxConcurrent);
    fc.pre(valid(before) && valid(after));
    const [runBefore, runAfter] = [await runInPlace(before), await runInPlace(after)];
    const names = grown.map((a) => a.name);
    const others = apps.map((a) => a.name);
    expect(changed(runBefore, runAfter, keysOf(runBefore, names, others))).toEqual([]);
    // The new app got its whole pipeline: the run did see it.
    expect([...runAfter.keys()].filter((k) => ownerOf(k, names) === added.name).length).toBeGreaterThanOrEqual(13);
}

test("adding an app at the end of its group, wherever that is in the list, changes no input of another app", async () => {
    await fc.assert(
        fc.asyncProperty(scenarioArb, async ({ apps, added, monitoring, maxConcurrent, seed }) => {
            const lastOfGroup = apps.map((a) => a.group).lastIndexOf(added.group);
            // After the last app of its group; a new group's first app may go anywhere.
            const at = lastOfGroup >= 0 ? lastOfGroup + 1 : seed % (apps.length + 1);
            await expectAddingMovesNobody(apps, added, at, monitoring, maxConcurrent);
        }),
        { numRuns: 6 },
    );
});

test("appending an app to the end of the list changes no input of another app", async () => {
    await fc.assert(
        fc.asyncProperty(scenarioArb, async ({ apps, added, monitoring, maxConcurrent }) => {
            await expectAddingMovesNobody(apps, added, apps.length, monitoring, maxConcurrent);
        }),
        { numRuns: 4 },
    );
});

test("removing an app re-places only the later apps of its group, and only their schedule", async () => {
    await fc.assert(
        fc.asyncProperty(scenarioArb, async ({ apps, monitoring, maxConcurrent, seed }) => {
            const gone = seed % apps.length;
            const kept = apps.filter((_, i) => i !== gone);
            const before = stack(apps, monitoring, maxConcurrent);
            const after = stack(kept, monitoring, maxConcurrent);
            fc.pre(kept.length > 0 && valid(before) && valid(after));
            const [runBefore, runAfter] = [await runInPlace(before), await runInPlace(after)];
            const names = apps.map((a) => a.name);
            const mayMove = apps.filter((a, i) => i > gone && a.group === apps[gone].group).map((a) => a.name);
            const stay = kept.map((a) => a.name).filter((n) => !mayMove.includes(n));
            expect(changed(runBefore, runAfter, keysOf(runBefore, names, stay))).toEqual([]);
            // The apps that may move change only their sidecar's CRON_SCHEDULE.
            for (const key of changed(
                runBefore,
                runAfter,
                keysOf(runBefore, names, mayMove).filter((k) => ownerOf(k, names) !== undefined),
            )) {
                expect(key).toMatch(/^docker:index\/container:Container::.*-sidecar$/);
                const envs = (r: Resources) => (r.get(key)?.inputs.envs as string[]).filter((e) => !e.startsWith("CRON_SCHEDULE="));
                expect(envs(runAfter)).toEqual(envs(runBefore));
            }
        }),
        { numRuns: 5 },
    );
});
