/**
 * Backup start times for the apps of each storage group.
 *
 * Apps of a group share storage I/O, so their backups are started one after another from the
 * group's window start. The plan is stable: apps are placed in config order, each after the
 * ones before it, so appending an app never moves another.
 *
 * Pure: no Pulumi import. The component receives the resulting `M H * * *` strings.
 */
import { dailyCron, MINUTES_PER_DAY } from "./cron";

/** How one storage group's backups are laid out in the night. */
export interface GroupWindow {
    /** Start of the window, in minutes after midnight. */
    start: number;
    /** End of the window, in minutes after midnight (may be smaller than `start`: it then lies after midnight). */
    end?: number;
    /** How many of the group's backups may run at once. */
    maxConcurrent: number;
}

/** One app asking for a start time. */
export interface ScheduleRequest {
    app: string;
    group: string;
    /** Expected backup duration in minutes; the next backup of the group starts after it. */
    expectedDuration: number;
    /** An explicit start (minutes after midnight) that overrides staggering. */
    explicitStart?: number;
}

/** The start time given to one app. */
export interface PlannedSlot {
    app: string;
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

/**
 * Plans start times. Requests are handled in order; within a group each app without an explicit
 * schedule starts when the one before it is expected to end.
 */
export function planSchedules(
    requests: readonly ScheduleRequest[],
    windowOf: (group: string) => GroupWindow,
): { slots: PlannedSlot[]; problems: PlanProblem[] } {
    const nextFree = new Map<string, number>();
    const slots: PlannedSlot[] = [];
    for (const request of requests) {
        const window = windowOf(request.group);
        const explicit = request.explicitStart !== undefined;
        const start = explicit
            ? window.start + ((((request.explicitStart as number) - window.start) % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY
            : (nextFree.get(request.group) ?? window.start);
        const end = start + request.expectedDuration;
        if (!explicit) nextFree.set(request.group, end);
        slots.push({ app: request.app, group: request.group, start, end, cron: dailyCron(start), explicit });
    }
    return { slots, problems: [] };
}
