/**
 * When each restore drill runs: outside its storage group's backups, up to `maxConcurrent` of a
 * group's drills at once, and at a time that nothing but the app itself decides.
 *
 * ## The rule
 * A group's backups fill its night FORWARD from the window start; its drills fill the day
 * BACKWARD from the next night's start, in slots of one drill's length: slot 0 ends `gap`
 * minutes before the next night begins, slot 1 ends where slot 0 starts, and so on. An app
 * without a drill time takes the latest slot that has room (fewer than `maxConcurrent` drills)
 * and stays `gap` minutes clear of every backup of its group. The start it gets is RECORDED in
 * the stack file's `assignments` (like the ports, see ports.ts) and kept from then on:
 *   - appending or removing another app moves no recorded drill (a removed drill leaves a hole
 *     that the next new app fills);
 *   - a recorded drill is re-placed only when it became impossible: its group's backups grew into
 *     it, or a new explicit drill time took its room. That happens only when the group's backups
 *     and drills no longer fit apart in a day.
 *
 * ## Why per group, and why 2
 * A storage group is the unit that shares I/O (the planner already staggers its backups), and a
 * drill is I/O on the same storage: its restore writes a sample beside the app, its check reads
 * 1/30 of the repository. A per-host limit would let ten drills of one group hammer its storage
 * from ten hosts; a per-MinIO limit would let one group's growth refuse another group's drill.
 * The default 2 is the least that plans a group of 20 apps at the default 20-minute backups and
 * 60-minute drills: 400 min of backups and 2 × 30 min of gap leave 980 min, 16 hour-slots, room
 * for 32 drills at 2 a time but only 16 one at a time.
 *
 * ## Refusal
 * A drill that has no room is refused with the arithmetic: drills needed (n × duration, divided by
 * the limit) against the hours free of the group's backups.
 *
 * Pure: no Pulumi import.
 */
import { dailyCron, formatClock, MINUTES_PER_DAY } from "./cron";
import type { DrillSlot } from "./restoreDrill";
import type { GroupWindow, PlannedSlot } from "./schedule";

/** Default of `restoreDrills.maxConcurrent`: drills of one storage group that may run at once. */
export const DEFAULT_DRILL_CONCURRENCY = 2;

/** One app asking for a drill time. */
export interface DrillAsk {
    app: string;
    group: string;
    /** An explicit start from the app's config (minute of the day): taken as given, checked. */
    explicitStart?: number;
    /** The start recorded for the app (minute of the day): kept while it still fits. */
    recordedStart?: number;
}

/** The fleet's drill settings. */
export interface DrillTiming {
    /** Minutes a drill is expected to take. */
    duration: number;
    /** Minutes kept free between a backup of the group and a drill. */
    gap: number;
    /** Drills of one group that may run at once (at least 1). */
    maxConcurrent: number;
}

/** A drill time and where it came from. */
export interface DrillGrant extends DrillSlot {
    source: "explicit" | "recorded" | "assigned";
    /** For an assigned time: why the recorded one was not kept. */
    replaced?: string;
}

type Interval = [number, number];

/** [start, end) on the daily circle as at most two intervals within [0, 1440). */
function onCircle(start: number, end: number): Interval[] {
    const length = end - start;
    if (length >= MINUTES_PER_DAY) return [[0, MINUTES_PER_DAY]];
    const s = ((start % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
    return s + length <= MINUTES_PER_DAY
        ? [[s, s + length]]
        : [
              [s, MINUTES_PER_DAY],
              [0, s + length - MINUTES_PER_DAY],
          ];
}

function overlaps(a: readonly Interval[], b: readonly Interval[]): boolean {
    return a.some(([as, ae]) => b.some(([bs, be]) => as < be && bs < ae));
}

function wrap(minute: number): number {
    return ((minute % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
}

const hours = (minutes: number) => `${(minutes / 60).toFixed(1)} h`;

/** One group's backups and the drills placed so far. */
class GroupDrills {
    private readonly busy: Array<{ what: string; at: Interval[] }>;
    private readonly drills: Array<{ app: string; start: number; at: Interval[] }> = [];
    /** Start of the group's night, and the minute its last backup ends, on the planner's scale. */
    private readonly nightStart: number;
    private readonly backupsEnd: number;

    constructor(
        readonly group: string,
        backups: readonly PlannedSlot[],
        window: GroupWindow | undefined,
        private readonly timing: DrillTiming,
        readonly size: number,
    ) {
        this.nightStart = window?.start ?? Math.min(...backups.map((s) => s.start), 0);
        this.backupsEnd = backups.length > 0 ? Math.max(...backups.map((s) => s.end)) : this.nightStart;
        this.busy = backups.map((s) => ({
            what: `the backup of ${s.app} (${formatClock(s.start)}-${formatClock(s.end)})`,
            at: onCircle(s.start - timing.gap, s.end + timing.gap),
        }));
    }

    /** Why a drill at `start` cannot run, or undefined when it can. */
    conflict(start: number): string | undefined {
        const at = onCircle(start, start + this.timing.duration);
        const backup = this.busy.find((b) => overlaps(b.at, at));
        if (backup) return `it would overlap ${backup.what}, or come within ${this.timing.gap} min of it`;
        if (this.busiest(at) >= this.timing.maxConcurrent) {
            const names = this.drills.filter((d) => overlaps(d.at, at)).map((d) => d.app);
            return `${names.join(", ")} already drill then, and maxConcurrent is ${this.timing.maxConcurrent}`;
        }
        return undefined;
    }

    take(app: string, start: number): void {
        this.drills.push({ app, start, at: onCircle(start, start + this.timing.duration) });
    }

    /** The latest slot, counted back from the next night, that has room; undefined when none has. */
    latestFree(): number | undefined {
        const { duration, gap } = this.timing;
        const dayEnd = this.nightStart + MINUTES_PER_DAY;
        for (let start = dayEnd - gap - duration; start >= this.nightStart; start -= duration) {
            if (this.conflict(start) === undefined) return wrap(start);
        }
        return undefined;
    }

    /** The refusal, with the arithmetic. */
    noRoom(app: string): string {
        const { duration, gap, maxConcurrent } = this.timing;
        const backups = this.backupsEnd - this.nightStart;
        const free = Math.max(0, MINUTES_PER_DAY - backups - 2 * gap);
        const needed = Math.ceil(this.size / maxConcurrent) * duration;
        const verdict =
            needed > free
                ? `its ${this.size} drills need ${hours(needed)} (${this.size} × ${duration} min, ${maxConcurrent} at a time) but only ${hours(free)} of the day are free of its backups ` +
                  `(24 h − ${hours(backups)} of backups − 2 × ${gap} min gap)`
                : `its ${this.size} drills need ${hours(needed)} (${this.size} × ${duration} min, ${maxConcurrent} at a time) of the ${hours(free)} free of its backups, ` +
                  `but explicit drill times or recorded drills cut that time into pieces too short`;
        return (
            `no room for the drill of ${app} in group ${this.group}: ${verdict}; raise restoreDrills.maxConcurrent (now ${maxConcurrent}), ` +
            `shorten restoreDrills.expectedDuration or the group's backups, or move apps to another group`
        );
    }

    /** The most drills that run at one moment of `at`, counting only those placed so far. */
    private busiest(at: readonly Interval[]): number {
        const points = [at.map(([s]) => s), ...this.drills.map((d) => d.at.map(([s]) => s))].flat();
        let max = 0;
        for (const point of points) {
            if (!at.some(([s, e]) => s <= point && point < e)) continue;
            const count = this.drills.filter((d) => d.at.some(([s, e]) => s <= point && point < e)).length;
            max = Math.max(max, count);
        }
        return max;
    }
}

/**
 * Gives every ask a drill time: explicit ones first (checked), then recorded ones that still fit,
 * then the rest from the latest free slot. `grants[i]` belongs to `asks[i]`.
 */
export function assignDrills(
    asks: readonly DrillAsk[],
    backupSlots: readonly PlannedSlot[],
    windows: Readonly<Record<string, GroupWindow>>,
    timing: DrillTiming,
): { grants: DrillGrant[]; problems: Array<{ index: number; message: string }> } {
    const limit = Number.isInteger(timing.maxConcurrent) && timing.maxConcurrent >= 1 ? timing.maxConcurrent : 1;
    const safe: DrillTiming = { ...timing, maxConcurrent: limit };
    const sizes = new Map<string, number>();
    for (const ask of asks) sizes.set(ask.group, (sizes.get(ask.group) ?? 0) + 1);
    const groups = new Map<string, GroupDrills>();
    const groupOf = (group: string) => {
        let planner = groups.get(group);
        if (!planner) {
            const backups = backupSlots.filter((s) => s.group === group);
            groups.set(group, (planner = new GroupDrills(group, backups, windows[group], safe, sizes.get(group) ?? 0)));
        }
        return planner;
    };
    const grants: Array<DrillGrant | undefined> = asks.map(() => undefined);
    const problems: Array<{ index: number; message: string }> = [];
    const grant = (index: number, start: number, source: DrillGrant["source"], replaced?: string) => {
        const ask = asks[index];
        groupOf(ask.group).take(ask.app, start);
        grants[index] = {
            app: ask.app,
            group: ask.group,
            start,
            end: start + safe.duration,
            cron: dailyCron(start),
            source,
            ...(replaced ? { replaced } : {}),
        };
    };

    asks.forEach((ask, index) => {
        if (ask.explicitStart === undefined) return;
        const why = groupOf(ask.group).conflict(ask.explicitStart);
        if (why) {
            problems.push({
                index,
                message: `the drill at ${formatClock(ask.explicitStart)} (${safe.duration} min) cannot run then: ${why}; drills run outside the group's backups`,
            });
        }
        grant(index, wrap(ask.explicitStart), "explicit");
    });
    const replaced = new Map<number, string>();
    asks.forEach((ask, index) => {
        if (ask.explicitStart !== undefined || ask.recordedStart === undefined) return;
        const why = groupOf(ask.group).conflict(ask.recordedStart);
        if (why) replaced.set(index, `the recorded drill at ${formatClock(ask.recordedStart)} no longer fits: ${why}`);
        else grant(index, wrap(ask.recordedStart), "recorded");
    });
    asks.forEach((ask, index) => {
        if (grants[index]) return;
        const planner = groupOf(ask.group);
        const start = planner.latestFree();
        if (start === undefined) {
            problems.push({ index, message: planner.noRoom(ask.app) });
            grants[index] = { app: ask.app, group: ask.group, start: 0, end: safe.duration, cron: dailyCron(0), source: "assigned" };
            return;
        }
        grant(index, start, "assigned", replaced.get(index));
    });
    problems.sort((a, b) => a.index - b.index);
    return { grants: grants as DrillGrant[], problems };
}
