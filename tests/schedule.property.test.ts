import fc from "fast-check";
import { MINUTES_PER_DAY, parseCron } from "../components/cron";
import { GroupWindow, planSchedules, ScheduleRequest, windowEnd } from "../components/schedule";

const RUNS = { numRuns: 100 };
const GROUPS = ["green", "blue", "red"] as const;

interface Fleet {
    windows: Record<string, GroupWindow>;
    requests: ScheduleRequest[];
}

const minuteOfDay = fc.integer({ min: 0, max: MINUTES_PER_DAY - 1 });

const windowArb: fc.Arbitrary<GroupWindow> = fc.record(
    {
        start: minuteOfDay,
        end: minuteOfDay,
        maxConcurrent: fc.integer({ min: 1, max: 3 }),
    },
    { requiredKeys: ["start", "maxConcurrent"] },
);

/** Mostly planned apps, some pinned; durations from quick dumps to multi-hour ones. */
function requestArb(index: number): fc.Arbitrary<ScheduleRequest> {
    return fc
        .record({
            group: fc.constantFrom(...GROUPS),
            expectedDuration: fc.oneof(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 400 })),
            explicitStart: fc.option(minuteOfDay, { freq: 4, nil: undefined }),
        })
        .map(({ group, expectedDuration, explicitStart }) => ({
            app: `app${index}`,
            group,
            expectedDuration,
            ...(explicitStart !== undefined ? { explicitStart } : {}),
        }));
}

const fleetArb: fc.Arbitrary<Fleet> = fc
    .record({
        windows: fc.record({ green: windowArb, blue: windowArb, red: windowArb }),
        size: fc.integer({ min: 0, max: 16 }),
    })
    .chain(({ windows, size }) => fc.tuple(...Array.from({ length: size }, (_, i) => requestArb(i))).map((requests) => ({ windows, requests: [...requests] })));

function plan(fleet: Fleet) {
    return planSchedules(fleet.requests, (group) => fleet.windows[group]);
}

function mod(value: number, modulus: number): number {
    return ((value % modulus) + modulus) % modulus;
}

/**
 * The placement rule written the slow, obvious way: an app's earliest start is the window start
 * or the end of some earlier interval (the minute before it must be full, the minute itself not),
 * so try those in order and count overlaps directly. Explicit backups that run past the next
 * night's start are folded onto the window start.
 */
function referenceStarts(fleet: Fleet): number[] {
    const busy = new Map<string, Array<[number, number]>>();
    return fleet.requests.map((request) => {
        const { start: w, maxConcurrent } = fleet.windows[request.group];
        const intervals = busy.get(request.group) ?? [];
        busy.set(request.group, intervals);
        const d = request.expectedDuration;
        if (request.explicitStart !== undefined) {
            const s = w + mod(request.explicitStart - w, MINUTES_PER_DAY);
            intervals.push([s, s + d]);
            if (s + d > w + MINUTES_PER_DAY) intervals.push([w, s + d - MINUTES_PER_DAY]);
            return s;
        }
        const running = (t: number) => intervals.filter(([a, b]) => a <= t && t < b).length;
        const fits = (t: number) => [t, ...intervals.map(([a]) => a).filter((a) => a > t && a < t + d)].every((m) => running(m) < maxConcurrent);
        const candidates = [w, ...intervals.map(([, b]) => b).filter((b) => b > w)].sort((a, b) => a - b);
        const start = candidates.find(fits) as number; // the last end always fits: nothing runs after it
        intervals.push([start, start + d]);
        return start;
    });
}

/** How many of the group's backups run at each minute of the (repeating) day. */
function dailyLoad(slots: ReadonlyArray<{ start: number; end: number }>): number[] {
    const load = new Array<number>(MINUTES_PER_DAY).fill(0);
    for (const { start, end } of slots) for (let m = start; m < end; m++) load[mod(m, MINUTES_PER_DAY)]++;
    return load;
}

describe("planSchedules, for random fleets", () => {
    it("places every app where the obvious greedy rule does", () => {
        fc.assert(
            fc.property(fleetArb, (fleet) => {
                expect(plan(fleet).slots.map((s) => s.start)).toEqual(referenceStarts(fleet));
            }),
            RUNS,
        );
    });

    it("never lets more than maxConcurrent backups of a group overlap, in a group without problems", () => {
        fc.assert(
            fc.property(fleetArb, (fleet) => {
                const { slots, problems } = plan(fleet);
                const troubled = new Set(problems.map((p) => fleet.requests[p.index].group));
                for (const group of GROUPS.filter((g) => !troubled.has(g))) {
                    const load = dailyLoad(slots.filter((s) => s.group === group));
                    expect(Math.max(...load)).toBeLessThanOrEqual(fleet.windows[group].maxConcurrent);
                }
            }),
            RUNS,
        );
    });

    it("moves nobody when an app is appended", () => {
        fc.assert(
            fc.property(fleetArb, requestArb(99), (fleet, extra) => {
                const before = plan(fleet);
                const after = plan({ ...fleet, requests: [...fleet.requests, extra] });
                expect(after.slots.slice(0, -1)).toEqual(before.slots);
                expect(after.problems.filter((p) => p.index < fleet.requests.length)).toEqual(before.problems);
            }),
            RUNS,
        );
    });

    it("emits crons in stack-back's grammar that start at the slot's start, wrapped into the day", () => {
        fc.assert(
            fc.property(fleetArb, (fleet) => {
                const wrong = plan(fleet).slots.filter((slot) => {
                    const match = /^(\d{1,2}) (\d{1,2}) \* \* \*$/.exec(slot.cron);
                    if (!match || Number(match[1]) >= 60 || Number(match[2]) >= 24) return true;
                    return parseCron(slot.cron).start?.minuteOfDay !== mod(slot.start, MINUTES_PER_DAY);
                });
                expect(wrong).toEqual([]);
            }),
            RUNS,
        );
    });

    it("respects explicit schedules exactly and starts planned apps at or after the window start", () => {
        fc.assert(
            fc.property(fleetArb, (fleet) => {
                const wrong = plan(fleet).slots.filter((slot, i) => {
                    const request = fleet.requests[i];
                    const w = fleet.windows[request.group].start;
                    if (slot.explicit !== (request.explicitStart !== undefined)) return true;
                    if (slot.end - slot.start !== request.expectedDuration) return true;
                    if (request.explicitStart === undefined) return slot.start < w;
                    return mod(slot.start, MINUTES_PER_DAY) !== request.explicitStart || slot.start < w || slot.start >= w + MINUTES_PER_DAY;
                });
                expect(wrong).toEqual([]);
            }),
            RUNS,
        );
    });

    it("reports a planned app exactly when it would end after its window", () => {
        fc.assert(
            fc.property(fleetArb, (fleet) => {
                const { slots, problems } = plan(fleet);
                const reported = new Set(problems.map((p) => p.index));
                slots.forEach((slot, i) => {
                    if (slot.explicit) return;
                    expect(reported.has(i)).toBe(slot.end > windowEnd(fleet.windows[slot.group]));
                });
            }),
            RUNS,
        );
    });

    it("reports every explicit start that makes its group exceed maxConcurrent or repeats another's", () => {
        fc.assert(
            fc.property(fleetArb, (fleet) => {
                const { slots, problems } = plan(fleet);
                const reported = new Set(problems.map((p) => p.index));
                slots.forEach((slot, i) => {
                    if (!slot.explicit) return;
                    const before = slots.slice(0, i + 1).filter((s) => s.group === slot.group);
                    // A planned app running into the next night is already reported, and not folded back by the planner.
                    const dayEnd = fleet.windows[slot.group].start + MINUTES_PER_DAY;
                    if (before.some((s) => !s.explicit && s.end > dayEnd)) return;
                    const twin = before.slice(0, -1).some((s) => s.explicit && s.start === slot.start);
                    const exceeds = Math.max(...loadWhileRunning(dailyLoad(before), slot)) > fleet.windows[slot.group].maxConcurrent;
                    expect(reported.has(i)).toBe(twin || exceeds);
                });
            }),
            RUNS,
        );
    });
});

/** The load at each minute the slot runs, read from a day-long load array. */
function loadWhileRunning(load: readonly number[], slot: { start: number; end: number }): number[] {
    const values: number[] = [];
    for (let m = slot.start; m < slot.end; m++) values.push(load[mod(m, MINUTES_PER_DAY)]);
    return values;
}
