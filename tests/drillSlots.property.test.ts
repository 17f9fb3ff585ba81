/**
 * Drill times (components/drillSlots.ts): outside the group's backups, at most maxConcurrent of a
 * group at once, a group of 20 plans under the defaults, a full group is refused with the
 * arithmetic, and no insert, removal or reorder of other apps moves a recorded drill.
 */
import fc from "fast-check";
import { formatClock, MINUTES_PER_DAY } from "../components/cron";
import { assignDrills, DEFAULT_DRILL_CONCURRENCY, DrillAsk, DrillTiming } from "../components/drillSlots";
import { DRILL_DEFAULTS } from "../components/restoreDrill";
import { GroupWindow, planSchedules, ScheduleRequest } from "../components/schedule";

const RUNS = { numRuns: 150 };
const DEFAULT_TIMING: DrillTiming = { duration: DRILL_DEFAULTS.expectedDuration, gap: DRILL_DEFAULTS.gapMinutes, maxConcurrent: DEFAULT_DRILL_CONCURRENCY };
const GROUPS = ["green", "blue", "red"];

interface App {
    name: string;
    group: string;
    backup: number;
}

function plan(apps: readonly App[], timing: DrillTiming, recorded: Map<string, number> = new Map(), windows: Record<string, GroupWindow> = {}) {
    const windowOf = (group: string) => windows[group] ?? { start: 120, maxConcurrent: 1 };
    const requests: ScheduleRequest[] = apps.map((a) => ({ app: a.name, group: a.group, expectedDuration: a.backup }));
    const backups = planSchedules(requests, windowOf);
    const asks: DrillAsk[] = apps.map((a) => ({ app: a.name, group: a.group, ...(recorded.has(a.name) ? { recordedStart: recorded.get(a.name) } : {}) }));
    const all = Object.fromEntries(apps.map((a) => [a.group, windowOf(a.group)]));
    return { backups: backups.slots, ...assignDrills(asks, backups.slots, all, timing) };
}

const onDay = (m: number) => ((m % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
/** Whether [a, a+la) and [b, b+lb) meet on the daily circle. */
function meet(a: number, la: number, b: number, lb: number): boolean {
    const d = onDay(b - a);
    return d < la || onDay(a - b) < lb;
}

/** Small groups (at most 8 apps, backups 5-60 min): their backups and drills always fit apart. */
const fleetArb: fc.Arbitrary<App[]> = fc
    .uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{1,8}$/), { minLength: 1, maxLength: 18 })
    .chain((names) =>
        fc.tuple(...names.map((name) => fc.record({ name: fc.constant(name), group: fc.constantFrom(...GROUPS), backup: fc.integer({ min: 5, max: 60 }) }))),
    )
    .map((apps) => apps.filter((app, i) => apps.slice(0, i).filter((a) => a.group === app.group).length < 8));

describe("assignDrills", () => {
    it("keeps every drill clear of its group's backups and at most maxConcurrent of a group at once", () => {
        fc.assert(
            fc.property(fleetArb, fc.integer({ min: 1, max: 3 }), (apps, maxConcurrent) => {
                const timing = { ...DEFAULT_TIMING, maxConcurrent };
                const { backups, grants, problems } = plan(apps, timing);
                expect(problems).toEqual([]);
                for (const g of grants) {
                    for (const b of backups.filter((s) => s.group === g.group)) {
                        expect(meet(g.start, timing.duration, b.start - timing.gap, b.end - b.start + 2 * timing.gap)).toBe(false);
                    }
                    // At its own start, count the group's drills running (itself included).
                    const running = grants.filter((o) => o.group === g.group && meet(o.start, timing.duration, g.start, 1));
                    expect(running.length).toBeLessThanOrEqual(maxConcurrent);
                }
            }),
            RUNS,
        );
    });

    it("no insert, removal or reorder of other apps moves a recorded drill", () => {
        fc.assert(
            fc.property(fleetArb, fc.constantFrom("insert", "remove", "reorder"), fc.nat(), fc.constantFrom(...GROUPS), (apps, what, seed, group) => {
                const first = plan(apps, DEFAULT_TIMING);
                const recorded = new Map(first.grants.map((g) => [g.app, g.start]));
                let after = [...apps];
                const at = seed % (apps.length + 1);
                if (what === "insert" && after.filter((a) => a.group === group).length < 8) after.splice(at, 0, { name: "zz-new", group, backup: 30 });
                else if (what === "remove") after.splice(seed % apps.length, 1);
                else after = [...apps.slice(at), ...apps.slice(0, at)].reverse();
                const second = plan(after, DEFAULT_TIMING, recorded);
                expect(second.problems).toEqual([]);
                for (const g of second.grants)
                    if (recorded.has(g.app)) expect({ app: g.app, start: g.start }).toEqual({ app: g.app, start: recorded.get(g.app) });
            }),
            RUNS,
        );
    });

    it("plans a group of 20 apps at the default 20 minutes each, drills two at a time from 00:30 backwards", () => {
        const apps = Array.from({ length: 20 }, (_, i) => ({ name: `app${i}`, group: "big", backup: 20 }));
        const { grants, problems } = plan(apps, DEFAULT_TIMING);
        expect(problems).toEqual([]);
        // Backups 02:00-08:40; slot 0 ends 30 min before the next night: 00:30-01:30.
        expect(grants.slice(0, 3).map((g) => formatClock(g.start))).toEqual(["00:30", "00:30", "23:30"]);
        expect(Math.min(...grants.map((g) => (g.start - 120 + MINUTES_PER_DAY) % MINUTES_PER_DAY))).toBeGreaterThanOrEqual(400 + 30);
    });

    it("refuses one drill one at a time would not fit, with the hours needed and available", () => {
        const apps = Array.from({ length: 20 }, (_, i) => ({ name: `app${i}`, group: "big", backup: 20 }));
        const { problems } = plan(apps, { ...DEFAULT_TIMING, maxConcurrent: 1 });
        expect(problems.map((p) => p.index)).toEqual([16, 17, 18, 19]);
        expect(problems[0].message).toBe(
            "no room for the drill of app16 in group big: its 20 drills need 20.0 h (20 × 60 min, 1 at a time) but only 16.3 h of the day are free of its backups " +
                "(24 h − 6.7 h of backups − 2 × 30 min gap); raise restoreDrills.maxConcurrent (now 1), shorten restoreDrills.expectedDuration or the group's backups, or move apps to another group",
        );
    });

    it("re-places a recorded drill that the group's backups grew into, and says why", () => {
        const apps = [{ name: "a", group: "g", backup: 60 }];
        // Recorded at 02:30, inside a's backup (02:00-03:00).
        const { grants } = plan(apps, DEFAULT_TIMING, new Map([["a", 150]]));
        expect(grants[0]).toMatchObject({
            source: "assigned",
            start: 30,
            replaced: expect.stringContaining("the recorded drill at 02:30 no longer fits: it would overlap the backup of a"),
        });
    });

    it("checks an explicit drill time against the backups and keeps it", () => {
        const { grants, problems } = assignDrills(
            [{ app: "a", group: "g", explicitStart: 130 }],
            planSchedules([{ app: "a", group: "g", expectedDuration: 20 }], () => ({ start: 120, maxConcurrent: 1 })).slots,
            { g: { start: 120, maxConcurrent: 1 } },
            DEFAULT_TIMING,
        );
        expect(grants[0]).toMatchObject({ start: 130, source: "explicit", cron: "10 2 * * *" });
        expect(problems).toEqual([
            { index: 0, message: expect.stringContaining("the drill at 02:10 (60 min) cannot run then: it would overlap the backup of a") },
        ]);
    });
});
