import { GroupWindow, planSchedules, ScheduleRequest, windowEnd } from "../components/schedule";

/** Windows keyed by group, with the defaults of the original write-up for any group not listed. */
function windows(overrides: Record<string, Partial<GroupWindow>> = {}): (group: string) => GroupWindow {
    return (group) => ({ start: 120, maxConcurrent: 1, ...overrides[group] });
}

function app(name: string, group: string, expectedDuration = 20, explicitStart?: number): ScheduleRequest {
    return { app: name, group, expectedDuration, ...(explicitStart !== undefined ? { explicitStart } : {}) };
}

const ORIGINAL: ScheduleRequest[] = [
    app("mattermost", "green"),
    app("n8n", "green"),
    app("vault", "green"),
    app("linkwarden", "blue"),
    app("solidtime", "blue"),
];

function cronsOf(requests: readonly ScheduleRequest[], windowOf = windows()): Record<string, string> {
    const { slots } = planSchedules(requests, windowOf);
    return Object.fromEntries(slots.map((s) => [s.app, s.cron]));
}

describe("planSchedules", () => {
    it("reproduces the original table with the default inputs", () => {
        const plan = planSchedules(ORIGINAL, windows());
        expect(plan.problems).toEqual([]);
        expect(plan.slots.map((s) => [s.app, s.group, s.start, s.end, s.cron, s.explicit])).toEqual([
            ["mattermost", "green", 120, 140, "0 2 * * *", false],
            ["n8n", "green", 140, 160, "20 2 * * *", false],
            ["vault", "green", 160, 180, "40 2 * * *", false],
            ["linkwarden", "blue", 120, 140, "0 2 * * *", false],
            ["solidtime", "blue", 140, 160, "20 2 * * *", false],
        ]);
    });

    it("returns one slot per request, in request order", () => {
        const requests = [app("a", "x"), app("b", "y"), app("c", "x")];
        expect(planSchedules(requests, windows()).slots.map((s) => s.app)).toEqual(["a", "b", "c"]);
    });

    it("asks for each group's window once", () => {
        const asked: string[] = [];
        planSchedules(ORIGINAL, (group) => {
            asked.push(group);
            return { start: 120, maxConcurrent: 1 };
        });
        expect(asked).toEqual(["green", "blue"]);
    });

    it("moves nobody when an app is appended, even a long one", () => {
        const before = planSchedules(ORIGINAL, windows()).slots;
        const after = planSchedules([...ORIGINAL, app("gitlab", "blue", 90)], windows()).slots;
        expect(after.slice(0, ORIGINAL.length)).toEqual(before);
        expect(after[ORIGINAL.length]).toMatchObject({ app: "gitlab", start: 160, end: 250, cron: "40 2 * * *" });
    });

    it("lets later apps of the group move earlier when an app is removed, and nobody else", () => {
        const withoutN8n = ORIGINAL.filter((r) => r.app !== "n8n");
        expect(cronsOf(withoutN8n)).toEqual({
            mattermost: "0 2 * * *",
            vault: "20 2 * * *", // was 02:40: the removal freed 02:20
            linkwarden: "0 2 * * *",
            solidtime: "20 2 * * *",
        });
    });

    it("keeps an app pinned by an explicit schedule where it is when an app before it is removed", () => {
        const pinned = [app("mattermost", "green"), app("n8n", "green"), app("vault", "green", 20, 160)];
        expect(cronsOf(pinned).vault).toBe("40 2 * * *");
        expect(cronsOf(pinned.filter((r) => r.app !== "n8n")).vault).toBe("40 2 * * *");
    });

    it("uses each app's expected duration to space the next one", () => {
        const crons = cronsOf([app("gitlab", "blue", 75), app("solidtime", "blue", 10), app("linkwarden", "blue")]);
        expect(crons).toEqual({ gitlab: "0 2 * * *", solidtime: "15 3 * * *", linkwarden: "25 3 * * *" });
    });

    it("wraps past midnight: a window at 23:30 puts the third 20-minute app at 00:10", () => {
        const plan = planSchedules([app("a", "late"), app("b", "late"), app("c", "late")], windows({ late: { start: 23 * 60 + 30 } }));
        expect(plan.problems).toEqual([]);
        expect(plan.slots.map((s) => s.cron)).toEqual(["30 23 * * *", "50 23 * * *", "10 0 * * *"]);
        expect(plan.slots[2].start).toBe(1450);
    });

    it("accepts a window whose end lies after midnight", () => {
        const overnight = windows({ night: { start: 22 * 60, end: 4 * 60 } });
        const fits = planSchedules([app("a", "night", 180), app("b", "night", 180)], overnight);
        expect(fits.problems).toEqual([]);
        expect(fits.slots.map((s) => s.cron)).toEqual(["0 22 * * *", "0 1 * * *"]);

        const overflows = planSchedules([app("a", "night", 180), app("b", "night", 180), app("c", "night", 1)], overnight);
        expect(overflows.problems.map((p) => p.index)).toEqual([2]);
    });

    it("reports an app that would end after its window, naming group, app, end and fixes", () => {
        const plan = planSchedules(ORIGINAL, windows({ green: { end: 150 } }));
        expect(plan.problems.map((p) => p.index)).toEqual([1, 2]);
        const message = plan.problems[0].message;
        expect(message).toContain('group "green"');
        expect(message).toContain("02:00-02:30");
        expect(message).toContain('"n8n"');
        expect(message).toContain("would end at 02:40");
        expect(message).toMatch(/maxConcurrent \(now 1\)/);
        expect(message).toMatch(/widen the window/);
        expect(message).toMatch(/expectedDuration/);
        // The slot is still given, so that every app can be shown in the plan.
        expect(plan.slots[1]).toMatchObject({ app: "n8n", start: 140 });
    });

    it("reports a group without an end that needs more than a day", () => {
        const plan = planSchedules([app("a", "g", 1000), app("b", "g", 1000)], windows());
        expect(plan.problems).toHaveLength(1);
        expect(plan.problems[0]).toMatchObject({ index: 1 });
        expect(plan.problems[0].message).toMatch(/does not fit in a day.*"b".*next night begins at 02:00/);
    });

    it("packs two at a time with maxConcurrent 2, each as early as possible", () => {
        const plan = planSchedules(
            [app("a", "g", 60), app("b", "g", 20), app("c", "g", 20), app("d", "g", 20), app("e", "g", 10)],
            windows({ g: { maxConcurrent: 2 } }),
        );
        expect(plan.problems).toEqual([]);
        expect(plan.slots.map((s) => s.start)).toEqual([120, 120, 140, 160, 180]);
    });

    it("fits a short app into a gap left before an explicit slot, but not a long one", () => {
        const requests = [app("pinned", "g", 30, 150), app("short", "g", 30), app("long", "g", 31)];
        const plan = planSchedules(requests, windows());
        expect(plan.problems).toEqual([]);
        expect(plan.slots.map((s) => s.start)).toEqual([150, 120, 180]);
    });

    it("respects an explicit schedule exactly, even outside the window", () => {
        const plan = planSchedules([app("a", "g"), app("b", "g", 20, 90)], windows());
        expect(plan.problems).toEqual([]);
        // 01:30 with a window at 02:00 is the next day's 01:30 on the planner's scale.
        expect(plan.slots[1]).toMatchObject({ start: 90 + 1440, cron: "30 1 * * *", explicit: true });
    });

    it("reports two apps of a group with the same explicit start, even when the group may run both", () => {
        const plan = planSchedules([app("a", "g", 20, 180), app("b", "g", 20, 180)], windows({ g: { maxConcurrent: 5 } }));
        expect(plan.problems).toHaveLength(1);
        expect(plan.problems[0].index).toBe(1);
        expect(plan.problems[0].message).toMatch(/"b" and "a" of group "g" both have the explicit start 03:00/);
    });

    it("allows the same explicit start in different groups", () => {
        const plan = planSchedules([app("a", "g", 20, 180), app("b", "h", 20, 180)], windows());
        expect(plan.problems).toEqual([]);
    });

    it("reports an explicit start that makes the group exceed maxConcurrent, naming the apps it overlaps", () => {
        const plan = planSchedules([app("a", "g"), app("b", "g", 20, 130)], windows());
        expect(plan.problems).toHaveLength(1);
        expect(plan.problems[0].index).toBe(1);
        expect(plan.problems[0].message).toMatch(/explicit start 02:10 of "b".*overlaps "a" in group "g".*maxConcurrent 1/);
        expect(plan.slots[1].start).toBe(130);
    });

    it("does not report an explicit start that overlaps fewer than maxConcurrent others", () => {
        const plan = planSchedules([app("a", "g"), app("b", "g", 20, 130)], windows({ g: { maxConcurrent: 2 } }));
        expect(plan.problems).toEqual([]);
    });

    it("counts an explicit backup running past the next night's start against that night's apps", () => {
        // 01:50 for 20 minutes runs until 02:10, when the group's first planned app is already running.
        const plan = planSchedules([app("early", "g", 20, 110), app("a", "g")], windows());
        expect(plan.problems).toEqual([]);
        expect(plan.slots[1].start).toBe(130);
    });

    it("reports malformed durations, starts and windows instead of failing", () => {
        const plan = planSchedules([app("a", "g", 0), app("b", "g", 20, 1440), app("c", "h", 20)], windows({ h: { maxConcurrent: 0 } }));
        expect(plan.slots).toHaveLength(3);
        expect(plan.problems.map((p) => p.index)).toEqual([0, 1, 2]);
        expect(plan.problems[2].message).toMatch(/schedule\.groups\.h\.maxConcurrent/);
    });
});

describe("windowEnd", () => {
    it("places an end at or before the start on the next day", () => {
        expect(windowEnd({ start: 1320, end: 240, maxConcurrent: 1 })).toBe(1680);
        expect(windowEnd({ start: 120, end: 300, maxConcurrent: 1 })).toBe(300);
        expect(windowEnd({ start: 120, maxConcurrent: 1 })).toBe(1560);
    });

    it("reads an end equal to the start as a whole day, not an empty window", () => {
        expect(windowEnd({ start: 120, end: 120, maxConcurrent: 1 })).toBe(1560);
    });
});

// Behaviours the mutation run (docs/mutation-testing.md) found unchecked: what a stack owner sees
// when a value is out of range, and the edges of explicit slots.
describe("planSchedules at the edges", () => {
    it("names every malformed window value with its config path and what it must be", () => {
        const plan = planSchedules([app("a", "g")], () => ({ start: 1440, end: 1.5, maxConcurrent: 0 }));
        expect(plan.problems.map((p) => p.message)).toEqual([
            "schedule.groups.g.start must be a minute of the day (0-1439), got 1440",
            "schedule.groups.g.end must be a minute of the day (0-1439), got 1.5",
            "schedule.groups.g.maxConcurrent must be a whole number of at least 1, got 0",
        ]);
        // Planning goes on with 00:00 and one at a time, so every app still gets a slot.
        expect(plan.slots[0]).toMatchObject({ start: 0, cron: "0 0 * * *" });
    });

    it.each([-1, 1440, 12.5])("refuses the window start %p", (start) => {
        const plan = planSchedules([app("a", "g")], windows({ g: { start } }));
        expect(plan.problems.map((p) => p.message)).toEqual([`schedule.groups.g.start must be a minute of the day (0-1439), got ${start}`]);
    });

    it("accepts the first and last minute of the day as window start, end and explicit start", () => {
        expect(planSchedules([app("a", "g", 20, 0), app("b", "g", 20, 1439)], windows({ g: { start: 0, end: 1439, maxConcurrent: 2 } })).problems).toEqual([]);
    });

    it.each([1.5, 0, -2])("runs a group whose maxConcurrent is %p one backup at a time", (maxConcurrent) => {
        const plan = planSchedules([app("a", "g"), app("b", "g"), app("c", "g")], windows({ g: { maxConcurrent } }));
        expect(plan.problems).toHaveLength(1);
        expect(plan.slots.map((s) => s.cron)).toEqual(["0 2 * * *", "20 2 * * *", "40 2 * * *"]);
    });

    it.each([0, 1440, 2.5])("refuses an expectedDuration of %p, naming the app and the range", (d) => {
        const plan = planSchedules([app("a", "g", d)], windows());
        expect(plan.problems.map((p) => p.message)).toEqual([`expectedDuration of "a" must be a whole number of minutes from 1 to 1439, got ${d}`]);
    });

    it("holds a too-long backup's capacity for at most 1439 minutes, so the plan stays within a day", () => {
        const plan = planSchedules([app("a", "g", 5000)], windows());
        expect(plan.slots[0].end - plan.slots[0].start).toBe(1439);
    });

    it.each([-5, 1440, 1.5, Number.NaN])("refuses the explicit start %p and still plans the app", (explicitStart) => {
        const plan = planSchedules([app("a", "g", 20, explicitStart)], windows());
        expect(plan.problems.map((p) => p.message)).toEqual([`the explicit start of "a" must be a minute of the day (0-1439), got ${explicitStart}`]);
        expect(plan.slots[0].cron).toMatch(/^\d{1,2} \d{1,2} \* \* \*$/);
    });

    it("tells the owners of two apps pinned to the same minute how to resolve it", () => {
        const plan = planSchedules([app("a", "g", 20, 180), app("b", "g", 20, 180)], windows());
        expect(plan.problems.map((p) => p.message)).toEqual([
            '"b" and "a" of group "g" both have the explicit start 03:00; ' +
                "give one of them another time, or remove its schedule and let the planner place it",
        ]);
    });

    it("names the first app of a minute when a third app is pinned there too", () => {
        const plan = planSchedules([app("a", "g", 20, 180), app("b", "g", 20, 180), app("c", "g", 20, 180)], windows({ g: { maxConcurrent: 5 } }));
        expect(plan.problems[1].message).toMatch(/^"c" and "a" of group "g"/);
    });

    it("states the overlapping slot's end and every way out", () => {
        const plan = planSchedules([app("a", "g"), app("b", "g", 20, 130)], windows());
        expect(plan.problems.map((p) => p.message)).toEqual([
            'the explicit start 02:10 of "b" (until 02:30) overlaps "a" in group "g", which lets more than ' +
                "maxConcurrent 1 of its backups run at once; choose a time when fewer of them run, " +
                "remove the schedule and let the planner place it, or raise schedule.groups.g.maxConcurrent",
        ]);
    });

    it("lists every app an explicit slot overlaps", () => {
        const plan = planSchedules([app("a", "g"), app("b", "g"), app("c", "g", 20, 130)], windows({ g: { maxConcurrent: 2 } }));
        expect(plan.problems.map((p) => p.message)).toEqual([expect.stringContaining('(until 02:30) overlaps "a", "b" in group "g"')]);
    });

    it("names only the apps an explicit slot overlaps, not those that end as it starts or start as it ends", () => {
        // a 02:00-02:20, b 02:20-02:40, c 02:40-03:00; the pinned d runs 02:20-02:40, exactly beside a and c.
        const plan = planSchedules([app("a", "g"), app("b", "g"), app("c", "g"), app("d", "g", 20, 140)], windows());
        expect(plan.problems).toHaveLength(1);
        expect(plan.problems[0].message).toMatch(/overlaps "b" in group "g"/);
    });

    it("lets an explicit slot end exactly when the next night begins, beside the night's first app", () => {
        // 01:40 for 20 minutes ends at 02:00 (next day), when the group's first planned app starts.
        const plan = planSchedules([app("a", "g"), app("late", "g", 20, 100)], windows());
        expect(plan.problems).toEqual([]);
    });
});
