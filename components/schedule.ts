/**
 * Backup start times for the apps of each storage group.
 *
 * Apps of a group share storage I/O, so at most `maxConcurrent` of the group's backups may run at
 * once. Each app declares how long its backup is expected to take; the planner gives it a start.
 *
 * ## How apps are placed
 * Greedily, in config order: each app starts at the earliest minute at or after its group's window
 * start at which it fits beside the apps listed BEFORE it (it never looks at the apps after it).
 * An app with an explicit `schedule` is taken exactly as given; it is checked, not moved.
 * With the defaults (start 02:00, 20 minutes each, one at a time) this reproduces the original
 * table: green 02:00, 02:20, 02:40; blue 02:00, 02:20.
 *
 * ## The trade-off: stability over optimality
 * Because an app only sees the apps before it, APPENDING an app never moves another one: every
 * sidecar already deployed keeps its `CRON_SCHEDULE`, so its container is not replaced. The price
 * is that the plan is not the tightest possible (sorting by duration would often pack a group into
 * a shorter night), and an appended app whose explicit schedule collides with the apps before it
 * is reported rather than resolved by moving them.
 *
 * REMOVING an app, or reordering the list, is different: the apps after it in its group are
 * re-placed and may move earlier into the freed time (their containers are then recreated with the
 * new schedule). Apps of other groups, and apps before it, do not move. When an app must keep its
 * time regardless of what happens around it, give it an explicit `schedule`: that pins it.
 *
 * ## Time scale
 * Minutes after the midnight that starts the group's window; a plan that runs past midnight
 * continues at 1440 and more (the cron wraps: a window at 23:30 puts a third 20-minute app at
 * 1450 = 00:10, cron `10 0 * * *`). An explicit start is placed in the day that follows the window
 * start (at 02:00, an explicit 01:00 means 25:00). A window end smaller than (or equal to) its
 * start lies on the next day (22:00-04:00 crosses midnight). Without an end, a group must finish
 * within a day, before its next night begins.
 *
 * ## Cost
 * One occupancy profile per group (sorted breakpoints of "how many backups run from here"). The
 * search for a free start begins at the group's saturation frontier, the first minute at which
 * fewer than `maxConcurrent` backups run, which only moves forward. Without explicit schedules the
 * profile never rises after the frontier, so each app is placed in O(log n + maxConcurrent): the
 * heap-of-end-times behaviour, with one data structure that also handles explicit slots. With
 * many explicit slots a search may walk past several gaps too short for the app, and an insertion
 * shifts the breakpoint array: O(n) per app in the worst case. Measured for 600 apps: 1-5 ms
 * per plan, including half-pinned fleets and 300 pinned one-minute slots with gaps too short
 * for the 300 apps planned around them.
 *
 * Pure: no Pulumi import. The component receives the resulting `M H * * *` strings.
 */
import { dailyCron, formatClock, MINUTES_PER_DAY } from "./cron";

/** How one storage group's backups are laid out in the night. */
export interface GroupWindow {
    /** Start of the window, in minutes after midnight. */
    start: number;
    /** End of the window, in minutes after midnight (may be smaller than `start`: it then lies after midnight). */
    end?: number;
    /** How many of the group's backups may run at once (at least 1). */
    maxConcurrent: number;
}

/** One app asking for a start time. */
export interface ScheduleRequest {
    app: string;
    group: string;
    /** Expected backup duration in whole minutes (1-1439); the group's capacity is held for this long. */
    expectedDuration: number;
    /** An explicit start (minutes after midnight, 0-1439) that overrides planning. */
    explicitStart?: number;
}

/** The start time given to one app. */
export interface PlannedSlot {
    /** The app's name. */
    app: string;
    /** Its storage group, whose window the slot lies in. */
    group: string;
    /** Start in minutes after the group window's midnight; may exceed 1439 when the plan wraps past midnight. */
    start: number;
    /** Expected end, same scale as `start`. */
    end: number;
    /** The cron expression stack-back receives (`M H * * *`). */
    cron: string;
    /** Whether the start came from an explicit schedule. */
    explicit: boolean;
}

/** A problem found while planning, with the index of the request it concerns. */
export interface PlanProblem {
    index: number;
    message: string;
}

/** The result of {@link planSchedules}. */
export interface SchedulePlan {
    /** One slot per request, in request order (`slots[i]` belongs to `requests[i]`), even when there are problems. */
    slots: PlannedSlot[];
    /** Every problem found; an empty list means the plan respects every window and limit. */
    problems: PlanProblem[];
}

/**
 * Plans start times for `requests`, in order. `windowOf` gives each group's window; it is asked
 * once per group. See the module comment for the placement rule and its trade-offs.
 */
export function planSchedules(requests: readonly ScheduleRequest[], windowOf: (group: string) => GroupWindow): SchedulePlan {
    const groups = new Map<string, GroupPlanner>();
    const slots: PlannedSlot[] = [];
    const problems: PlanProblem[] = [];
    requests.forEach((request, index) => {
        let planner = groups.get(request.group);
        if (!planner) {
            planner = new GroupPlanner(request.group, windowOf(request.group));
            groups.set(request.group, planner);
            for (const message of planner.windowProblems) problems.push({ index, message });
        }
        const placed = planner.place(request);
        slots.push(placed.slot);
        for (const message of placed.problems) problems.push({ index, message });
    });
    return { slots, problems };
}

/** Normalises a minute of the day into the day that begins at `windowStart`: [windowStart, windowStart + 1440). */
export function minuteInWindowDay(minuteOfDay: number, windowStart: number): number {
    return windowStart + mod(minuteOfDay - windowStart, MINUTES_PER_DAY);
}

/** The window's end on the planner's scale, or the start of the next night when it has none. */
export function windowEnd(window: GroupWindow): number {
    if (window.end === undefined) return window.start + MINUTES_PER_DAY;
    // An end at or before the start lies after midnight: 22:00-04:00 ends at 28:00.
    return window.end > window.start ? window.end : window.end + MINUTES_PER_DAY;
}

function mod(value: number, modulus: number): number {
    return ((value % modulus) + modulus) % modulus;
}

function quote(name: string): string {
    return `"${name}"`;
}

/** Places the apps of one group, in the order they are given. */
class GroupPlanner {
    readonly windowProblems: string[] = [];
    private readonly start: number;
    private readonly end: number;
    private readonly limit: number;
    private readonly occupancy: Occupancy;
    /** Every interval placed so far, to name the apps involved when an explicit slot collides. */
    private readonly placed: Array<{ app: string; from: number; to: number }> = [];
    /** Apps by explicit start (minute of the day), to report two apps pinned to the same minute. */
    private readonly explicitAt = new Map<number, string>();

    constructor(
        private readonly group: string,
        window: GroupWindow,
    ) {
        // Malformed window values are reported by checkWindow; planning goes on with safe stand-ins
        // so that every app still gets a slot and every problem is reported in one run.
        this.start = isMinuteOfDay(window.start) ? window.start : 0;
        this.end = windowEnd({ ...window, start: this.start, end: isMinuteOfDay(window.end) ? window.end : undefined });
        this.limit = Number.isInteger(window.maxConcurrent) && window.maxConcurrent >= 1 ? window.maxConcurrent : 1;
        this.occupancy = new Occupancy(this.start, this.limit);
        this.checkWindow(window);
    }

    place(request: ScheduleRequest): { slot: PlannedSlot; problems: string[] } {
        const problems = this.checkRequest(request);
        const duration = Math.min(MINUTES_PER_DAY - 1, Math.max(1, Math.ceil(request.expectedDuration)) || 1);
        if (request.explicitStart !== undefined && Number.isFinite(request.explicitStart)) {
            const start = minuteInWindowDay(Math.round(request.explicitStart), this.start);
            problems.push(...this.placeExplicit(request.app, start, duration));
            return { slot: this.slot(request, start, duration, true), problems };
        }
        const start = this.occupancy.earliestFit(duration);
        this.occupy(request.app, start, start + duration);
        if (start + duration > this.end) problems.push(this.overflowMessage(request.app, start, duration));
        return { slot: this.slot(request, start, duration, false), problems };
    }

    private slot(request: ScheduleRequest, start: number, duration: number, explicit: boolean): PlannedSlot {
        return { app: request.app, group: request.group, start, end: start + duration, cron: dailyCron(start), explicit };
    }

    /** Records an explicit slot where it was asked for, and reports what it collides with. */
    private placeExplicit(app: string, start: number, duration: number): string[] {
        const pieces = this.explicitPieces(start, start + duration);
        const twin = this.explicitAt.get(start % MINUTES_PER_DAY);
        const busiest = Math.max(...pieces.map((p) => this.occupancy.maxOn(p.from, p.to)));
        const clashing = twin === undefined && busiest + 1 > this.limit ? this.appsOverlapping(pieces) : [];
        for (const piece of pieces) this.occupy(app, piece.from, piece.to);
        if (twin === undefined) this.explicitAt.set(start % MINUTES_PER_DAY, app);

        if (twin !== undefined) {
            return [
                `${quote(app)} and ${quote(twin)} of group ${quote(this.group)} both have the explicit start ${formatClock(start)}; ` +
                    `give one of them another time, or remove its schedule and let the planner place it`,
            ];
        }
        if (clashing.length === 0) return [];
        return [
            `the explicit start ${formatClock(start)} of ${quote(app)} (until ${formatClock(start + duration)}) overlaps ` +
                `${clashing.map(quote).join(", ")} in group ${quote(this.group)}, which lets more than ` +
                `maxConcurrent ${this.limit} of its backups run at once; choose a time when fewer of them run, ` +
                `remove the schedule and let the planner place it, or raise schedule.groups.${this.group}.maxConcurrent`,
        ];
    }

    /**
     * An explicit slot that runs past the end of the window's day also occupies the start of the
     * next night, when the group's early apps run: that part is folded back onto the window start.
     */
    private explicitPieces(from: number, to: number): Array<{ from: number; to: number }> {
        const dayEnd = this.start + MINUTES_PER_DAY;
        if (to <= dayEnd) return [{ from, to }];
        return [
            { from, to },
            { from: this.start, to: to - MINUTES_PER_DAY },
        ];
    }

    private occupy(app: string, from: number, to: number): void {
        this.occupancy.add(from, to);
        this.placed.push({ app, from, to });
    }

    /** Linear, but only run when an explicit slot collides, to write the message. */
    private appsOverlapping(pieces: ReadonlyArray<{ from: number; to: number }>): string[] {
        const names = new Set<string>();
        for (const other of this.placed) {
            if (pieces.some((p) => other.from < p.to && p.from < other.to)) names.add(other.app);
        }
        return [...names];
    }

    private overflowMessage(app: string, start: number, duration: number): string {
        const endsAt = formatClock(start + duration);
        const fixes =
            `raise schedule.groups.${this.group}.maxConcurrent (now ${this.limit}), widen the window ` +
            `(an earlier start or a later end), or shorten the expectedDuration of the group's apps`;
        const from = `${formatClock(this.start)}`;
        if (this.end === this.start + MINUTES_PER_DAY) {
            return (
                `group ${quote(this.group)} does not fit in a day: ${quote(app)} (start ${formatClock(start)}, ` +
                `${duration} min) would end at ${endsAt}, after the group's next night begins at ${from}; ${fixes}`
            );
        }
        return (
            `group ${quote(this.group)} does not fit its window ${from}-${formatClock(this.end)}: ${quote(app)} ` +
            `(start ${formatClock(start)}, ${duration} min) would end at ${endsAt}; ${fixes}`
        );
    }

    private checkWindow(window: GroupWindow): void {
        const where = `schedule.groups.${this.group}`;
        if (!isMinuteOfDay(window.start)) this.windowProblems.push(`${where}.start must be a minute of the day (0-1439), got ${window.start}`);
        if (window.end !== undefined && !isMinuteOfDay(window.end)) {
            this.windowProblems.push(`${where}.end must be a minute of the day (0-1439), got ${window.end}`);
        }
        if (!Number.isInteger(window.maxConcurrent) || window.maxConcurrent < 1) {
            this.windowProblems.push(`${where}.maxConcurrent must be a whole number of at least 1, got ${window.maxConcurrent}`);
        }
    }

    private checkRequest(request: ScheduleRequest): string[] {
        const problems: string[] = [];
        const d = request.expectedDuration;
        if (!Number.isInteger(d) || d < 1 || d >= MINUTES_PER_DAY) {
            problems.push(`expectedDuration of ${quote(request.app)} must be a whole number of minutes from 1 to 1439, got ${d}`);
        }
        if (request.explicitStart !== undefined && !isMinuteOfDay(request.explicitStart)) {
            problems.push(`the explicit start of ${quote(request.app)} must be a minute of the day (0-1439), got ${request.explicitStart}`);
        }
        return problems;
    }
}

function isMinuteOfDay(value: number | undefined): value is number {
    return value !== undefined && Number.isInteger(value) && value >= 0 && value < MINUTES_PER_DAY;
}

/**
 * How many of a group's backups run at each moment: a step function kept as sorted breakpoints.
 * `counts[i]` holds on [times[i], times[i + 1]); before the first and after the last breakpoint
 * nothing runs (the last count is always 0).
 */
class Occupancy {
    private readonly times: number[] = [];
    private readonly counts: number[] = [];
    /**
     * Every moment in [origin, frontier) already runs `limit` backups, so no search needs to look
     * there again; counts only grow, so the frontier only moves forward.
     */
    private frontier: number;

    constructor(
        origin: number,
        private readonly limit: number,
    ) {
        this.frontier = origin;
    }

    /** Adds one backup running on [from, to). */
    add(from: number, to: number): void {
        const first = this.split(from);
        const last = this.split(to);
        for (let i = first; i < last; i++) this.counts[i]++;
    }

    /** The largest number of backups running at any moment of [from, to). */
    maxOn(from: number, to: number): number {
        let i = this.segmentAt(from);
        let max = i < 0 ? 0 : this.counts[i];
        for (i++; i < this.times.length && this.times[i] < to; i++) max = Math.max(max, this.counts[i]);
        return max;
    }

    /** The earliest start, at or after the origin, of `duration` minutes during which fewer than `limit` backups run. */
    earliestFit(duration: number): number {
        let start = this.advanceFrontier();
        const first = Math.max(this.segmentAt(start), 0);
        // One forward walk: every segment from `first` on ends after `start`; a full one that begins
        // before the candidate's end pushes the start to its end, and the walk continues from there.
        for (let i = first; i < this.times.length && this.times[i] < start + duration; i++) {
            if (this.counts[i] >= this.limit) start = this.times[i + 1];
        }
        return start;
    }

    private advanceFrontier(): number {
        let i = this.segmentAt(this.frontier);
        while (i >= 0 && i < this.times.length && this.counts[i] >= this.limit) {
            this.frontier = this.times[i + 1];
            i++;
        }
        return this.frontier;
    }

    /** Index of the segment containing `t`, or -1 when `t` lies before the first breakpoint. */
    private segmentAt(t: number): number {
        let lo = 0;
        let hi = this.times.length - 1;
        let found = -1;
        while (lo <= hi) {
            const mid = (lo + hi) >> 1;
            if (this.times[mid] <= t) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Ensures a breakpoint at `t` and returns its index. */
    private split(t: number): number {
        const i = this.segmentAt(t);
        if (i >= 0 && this.times[i] === t) return i;
        const count = i >= 0 ? this.counts[i] : 0;
        this.times.splice(i + 1, 0, t);
        this.counts.splice(i + 1, 0, count);
        return i + 1;
    }
}
