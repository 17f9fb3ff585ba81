/**
 * Cron expressions in stack-back's grammar.
 *
 * stack-back's parser accepts only a plain number or `*` in each of the five fields; ranges,
 * steps, lists and names make it fall back silently to its 02:00 default. So we only ever emit
 * `M H * * *`, and we refuse anything else before it reaches a container.
 */

export const MINUTES_PER_DAY = 24 * 60;

/** The five cron fields with their ranges, in order. */
export const CRON_FIELDS: ReadonlyArray<{ name: string; min: number; max: number }> = [
    { name: "minute", min: 0, max: 59 },
    { name: "hour", min: 0, max: 23 },
    { name: "day of month", min: 1, max: 31 },
    { name: "month", min: 1, max: 12 },
    { name: "day of week", min: 0, max: 7 },
];

/** A daily start time parsed from an explicit schedule. */
export interface CronStart {
    /** Minutes after midnight, 0-1439. */
    minuteOfDay: number;
}

/**
 * Checks `expression` against stack-back's grammar and our need for a fixed daily start.
 * Returns the start, or the problems (sentences that say how to fix them).
 */
export function parseCron(expression: string): { start?: CronStart; problems: string[] } {
    const fields = expression.trim().split(/\s+/);
    if (fields.length !== 5) {
        return { problems: [`"${expression}" has ${fields.length} fields; write five, "M H * * *", e.g. "10 3 * * *"`] };
    }
    const problems: string[] = [];
    fields.forEach((field, index) => {
        const spec = CRON_FIELDS[index];
        if (field === "*") return;
        if (!/^\d+$/.test(field)) {
            problems.push(
                `the ${spec.name} field "${field}" is not a plain number or "*": stack-back ignores ranges, steps, lists and names and silently runs at 02:00 instead`,
            );
            return;
        }
        const value = Number(field);
        if (value < spec.min || value > spec.max) {
            problems.push(`the ${spec.name} field ${value} is outside ${spec.min}-${spec.max}`);
        }
    });
    if (problems.length === 0 && (fields[0] === "*" || fields[1] === "*")) {
        problems.push(`"${expression}" runs more than once a day; give a fixed minute and hour ("M H * * *") so that the group's backups can be kept apart`);
    }
    if (problems.length > 0) return { problems };
    return { start: { minuteOfDay: Number(fields[1]) * 60 + Number(fields[0]) }, problems };
}

/** The daily cron expression `M H * * *` for a start at `minuteOfDay` (wrapped into one day). */
export function dailyCron(minuteOfDay: number): string {
    const wrapped = ((Math.round(minuteOfDay) % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
    return `${wrapped % 60} ${Math.floor(wrapped / 60)} * * *`;
}

/** Parses `HH:MM` (24-hour clock) into minutes after midnight, or undefined when malformed. */
export function parseClock(clock: string): number | undefined {
    const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(clock.trim());
    return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** Formats minutes after midnight (wrapped into one day) as `HH:MM`. */
export function formatClock(minuteOfDay: number): string {
    const wrapped = ((Math.round(minuteOfDay) % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
    const pad = (n: number) => String(n).padStart(2, "0");
    return `${pad(Math.floor(wrapped / 60))}:${pad(wrapped % 60)}`;
}
