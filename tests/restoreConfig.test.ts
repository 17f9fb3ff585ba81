/**
 * The stack config of restore drills and quotas: what prod gets, drill ports that neither
 * churn nor meet exporter ports, drills placed outside the group's backups, and errors with paths.
 */
import * as path from "path";
import { drilledApps, monitoredApps, parseStackConfig, RawStackConfig, validateStackConfig } from "../components/config";
import { drillPort, exporterPort } from "../components/config/ports";
import { MINUTES_PER_DAY } from "../components/cron";
import { ROOT, stackConfig } from "./support/stack";

const prod = stackConfig("prod");
const fleet = parseStackConfig(prod);

function withApps(apps: object[], extra: RawStackConfig = {}): RawStackConfig {
    return { ...prod, apps, ...extra };
}

/** Whether two daily intervals meet on the repeating day. */
function meet(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
    return [-MINUTES_PER_DAY, 0, MINUTES_PER_DAY].some((shift) => {
        const a = aStart % MINUTES_PER_DAY;
        const b = (bStart % MINUTES_PER_DAY) + shift;
        return a < b + (bEnd - bStart) && b < a + (aEnd - aStart);
    });
}

describe("prod", () => {
    test("every app has a daily drill, and gitlab a 500 GiB quota (the only one)", () => {
        expect(fleet.apps.map((a) => [a.name, a.restoreDrill !== undefined, a.quotaGiB])).toEqual([
            ["mattermost", true, undefined],
            ["n8n", true, undefined],
            ["vault", true, undefined],
            ["linkwarden", true, undefined],
            ["solidtime", true, undefined],
            ["gitlab", true, 500],
        ]);
        expect(fleet.restoreDrills).toEqual({ checkSlices: 30, sampleFiles: 50, expectedDuration: 60, gapMinutes: 30, graceHours: 6 });
        for (const app of fleet.apps) expect(app.restoreDrill?.schedule).toMatch(/^\d{1,2} \d{1,2} \* \* \*$/);
    });

    test("no drill overlaps a backup of its group, with the gap on both sides, and at most 2 of a group run at once", () => {
        const { slots, drills } = fleet.plan;
        expect(drills).toHaveLength(6);
        for (const d of drills) {
            for (const b of slots.filter((s) => s.group === d.group))
                expect([d.app, b.app, meet(d.start, d.end, b.start - 30, b.end + 30)]).toEqual([d.app, b.app, false]);
            const running = drills.filter((x) => x.group === d.group && meet(d.start, d.start + 1, x.start, x.end));
            expect([d.app, running.length <= 2]).toEqual([d.app, true]);
        }
        expect(fleet.apps.find((a) => a.name === "gitlab")?.restoreDrill?.schedule).toBe(drills.find((d) => d.app === "gitlab")?.cron);
    });

    test("drill ports come from the app's name, above the exporter range, and meet no exporter port on the host", () => {
        const ports = new Map<string, number[]>();
        for (const app of fleet.apps) {
            expect(app.restoreDrill?.port).toBe(drillPort(app.name));
            expect(app.restoreDrill?.port).toBe((app.monitoring?.port as number) + 1000);
            expect(app.restoreDrill?.address).toBe(`${app.host.replace("platform-one-", "")}.platform-one.internal:${app.restoreDrill?.port}`);
            ports.set(app.host, [...(ports.get(app.host) ?? []), app.monitoring?.port as number, app.restoreDrill?.port as number]);
        }
        for (const list of ports.values()) expect(new Set(list).size).toBe(list.length);
    });

    test("the quota reaches the monitored app in bytes, for the quota alert", () => {
        expect(monitoredApps(fleet).find((a) => a.app === "gitlab")?.quotaBytes).toBe(500 * 2 ** 30);
        expect(monitoredApps(fleet).filter((a) => a.quotaBytes !== undefined)).toHaveLength(1);
        expect(drilledApps(fleet).map((a) => a.app)).toEqual(fleet.apps.map((a) => a.name));
    });
});

describe("drill ports and schedules", () => {
    test("appending an app moves no drill port", () => {
        const more = parseStackConfig(withApps([...(prod.apps as object[]), { name: "wiki", host: "platform-one-vm1", group: "green" }]));
        for (const app of fleet.apps) expect(more.apps.find((a) => a.name === app.name)?.restoreDrill?.port).toBe(app.restoreDrill?.port);
    });

    test("appending an app to a group moves no other app's drill time (they are recorded); a pinned drill stays", () => {
        const grown = (apps: object[]) => parseStackConfig(withApps([...apps, { name: "wiki", host: "platform-one-vm1", group: "green" }]));
        const more = grown(prod.apps as object[]);
        const at = (f: typeof fleet, app: string) => f.apps.find((a) => a.name === app);
        for (const app of fleet.apps) {
            const before = at(fleet, app.name);
            const after = at(more, app.name);
            expect({ ...after, restoreDrill: { ...after?.restoreDrill, schedule: "" } }).toEqual({
                ...before,
                restoreDrill: { ...before?.restoreDrill, schedule: "" },
            });
            expect([app.name, after?.restoreDrill?.schedule]).toEqual([app.name, before?.restoreDrill?.schedule]);
        }
        const pinned = (prod.apps as Array<Record<string, unknown>>).map((a) => (a.name === "n8n" ? { ...a, restoreDrills: { schedule: "30 4 * * *" } } : a));
        expect(at(grown(pinned), "n8n")?.restoreDrill?.schedule).toBe("30 4 * * *");
    });

    test("a drill port set to another app's exporter port there moves that app's new port, never a clash", () => {
        const apps = [
            { name: "a", host: "platform-one-vm1", group: "green" },
            { name: "b", host: "platform-one-vm1", group: "green", restoreDrills: { port: exporterPort("a") } },
        ];
        const f = parseStackConfig(withApps(apps));
        const [a, b] = f.apps;
        expect(b.restoreDrill?.port).toBe(exporterPort("a"));
        expect(a.monitoring?.port).toBe(exporterPort("a") + 1);
    });

    test("an explicit drill schedule is kept when it is clear of the group's backups", () => {
        const apps = (prod.apps as Array<Record<string, unknown>>).map((a) => (a.name === "vault" ? { ...a, restoreDrills: { schedule: "0 12 * * *" } } : a));
        const f = parseStackConfig(withApps(apps));
        expect(f.apps.find((a) => a.name === "vault")?.restoreDrill).toMatchObject({ schedule: "0 12 * * *", explicitSchedule: true });
    });

    test("an explicit drill schedule that overlaps a backup of its group is refused, naming the backup", () => {
        const apps = (prod.apps as Array<Record<string, unknown>>).map((a) =>
            a.name === "solidtime" ? { ...a, restoreDrills: { schedule: "10 2 * * *" } } : a,
        );
        const { problems } = validateStackConfig(withApps(apps));
        expect(problems).toEqual([
            {
                path: "apps[4] (solidtime).restoreDrills.schedule",
                message: expect.stringMatching(
                    /^the drill at 02:10 \(60 min\) cannot run then: it would overlap the backup of linkwarden \(02:00-02:20\).*choose another time/,
                ),
            },
        ]);
    });

    test("an unreadable drill schedule is refused with a plain replacement", () => {
        const apps = [{ name: "a", host: "platform-one-vm1", group: "green", restoreDrills: { schedule: "*/15 4 * * *" } }];
        const { problems } = validateStackConfig(withApps(apps));
        expect(problems.map((p) => p.path)).toEqual(["apps[0] (a).restoreDrills.schedule"]);
        expect(problems[0].message).toMatch(/write "0 4 \* \* \*"/);
    });

    test("drills are off unless the stack or the app turns them on", () => {
        const off = parseStackConfig(withApps([{ name: "a", host: "platform-one-vm1", group: "green" }], { restoreDrills: undefined }));
        expect(off.apps[0].restoreDrill).toBeUndefined();
        expect(off.plan.drills).toEqual([]);
        const one = parseStackConfig(
            withApps(
                [
                    { name: "a", host: "platform-one-vm1", group: "green", restoreDrills: { enabled: true } },
                    { name: "b", host: "platform-one-vm1", group: "green" },
                ],
                { restoreDrills: undefined },
            ),
        );
        expect(one.apps.map((a) => a.restoreDrill !== undefined)).toEqual([true, false]);
        const optOut = parseStackConfig(withApps([{ name: "a", host: "platform-one-vm1", group: "green", restoreDrills: { enabled: false } }]));
        expect(optOut.apps[0].restoreDrill).toBeUndefined();
    });
});

describe("config errors", () => {
    test("stack and app settings are checked with their paths, all at once", () => {
        const apps = [{ name: "a", host: "platform-one-vm1", group: "green", quotaGiB: 0, restoreDrills: { port: 70000, colour: "red" } }];
        const { problems } = validateStackConfig(withApps(apps, { restoreDrills: { enabled: true, checkSlices: 300, gapMinutes: -1 } }));
        expect(problems.map((p) => p.path).sort()).toEqual(
            [
                "apps[0] (a).quotaGiB",
                "apps[0] (a).restoreDrills.colour",
                "apps[0] (a).restoreDrills.port",
                "restoreDrills.checkSlices",
                "restoreDrills.gapMinutes",
            ].sort(),
        );
        expect(problems.find((p) => p.path === "restoreDrills.checkSlices")?.message).toMatch(/at most 256/);
    });

    test("a quota on an app without an exporter is refused: its warning would be missing", () => {
        const apps = [{ name: "a", host: "platform-one-vm1", group: "green", quotaGiB: 10, monitoring: { enabled: false } }];
        const { problems } = validateStackConfig(withApps(apps));
        expect(problems).toEqual([{ path: "apps[0] (a).quotaGiB", message: expect.stringMatching(/^needs monitoring on for this app/) }]);
    });

    test("the stack file's schema knows the new keys (npm run schema is current)", () => {
        const schema = require(path.join(ROOT, "schema", "stack-config.schema.json")) as {
            properties: { config: { properties: Record<string, { properties?: object }> } };
        };
        const props = schema.properties.config.properties;
        expect(Object.keys(props["platform-backups:restoreDrills"].properties ?? {})).toEqual([
            "enabled",
            "portBase",
            "checkSlices",
            "sampleFiles",
            "sampleBytes",
            "maxConcurrent",
            "expectedDuration",
            "gapMinutes",
            "graceHours",
        ]);
    });
});
