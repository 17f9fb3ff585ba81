/**
 * The `apps` section: one app at a time. The rules need only a field or two, so they run on every
 * field the schema reads, even when another field of the app is wrong: each problem is reported.
 */
import { adoptProblems } from "../adopt";
import type { ConfigProblem } from "../shapes";
import { closest, formatPath, parseWith } from "../configFields";
import { AppConfig, CONFIG_PARTS } from "../configSchema";
import { CRON_FIELDS, parseCron } from "../cron";
import { DEFAULT_NAME_PREFIX, nameProblems } from "../naming";
import { notificationProblems } from "../notifications";
import { retiredPathsProblems } from "../retiredPaths";
import type { RawStackConfig } from "./fleet";
import { isMap, problemAt, readTop, Section, ValidApp } from "./section";

/** What an app is checked against: the rest of the stack. */
export interface AppContext {
    namePrefix?: string;
    /** The hosts' names, when `hosts` is a map (a broken hosts map is reported once, not per app). */
    hostNames?: string[];
    /** Whether the stack's own notifications were readable. */
    notificationsValid: boolean;
    /** The index of the first app of each name so far. */
    firstIndexOf: ReadonlyMap<string, number>;
}

/**
 * The plain `M H * * *` that stack-back can read and that starts when `expression` would first
 * run in a day: steps, ranges and lists give their first value, `*` gives 0, the other fields `*`.
 */
export function dailyReplacement(expression: string): string | undefined {
    const [minute, hour] = expression.trim().split(/\s+/);
    const first = (field: string | undefined, max: number): number | undefined => {
        if (field === undefined) return undefined;
        const match = /^(\*|\d+)/.exec(field);
        if (!match) return undefined;
        const value = match[1] === "*" ? 0 : Number(match[1]);
        return value <= max ? value : undefined;
    };
    const m = first(minute, CRON_FIELDS[0].max);
    const h = first(hour, CRON_FIELDS[1].max);
    return m === undefined || h === undefined ? undefined : `${m} ${h} * * *`;
}

/** The start of a daily cron (minutes after midnight), or the problem with a fix. */
export function dailyStart(expression: string, fix: (replacement: string | undefined) => string): { start?: number; problem?: string } {
    const parsed = parseCron(expression);
    if (parsed.start) return { start: parsed.start.minuteOfDay };
    return { problem: parsed.problems.join("; ") + fix(dailyReplacement(expression)) };
}

/** Problems with an app's name: its form, and whether an earlier app has it. */
export function appNameProblems(name: string, index: number, context: AppContext): string[] {
    const problems = nameProblems(name, { namePrefix: context.namePrefix ?? DEFAULT_NAME_PREFIX });
    const first = context.firstIndexOf.get(name);
    if (first !== undefined) problems.push(`"${name}" is already apps[${first}]; each app appears once (rename one, or remove the duplicate)`);
    return problems;
}

/** The problem with an app's host, when it names none of the known hosts. */
export function appHostProblem(host: string, hostNames: readonly string[]): string | undefined {
    if (hostNames.includes(host)) return undefined;
    const guess = closest(host, hostNames);
    return `"${host}" is not a known host; ${guess ? `did you mean \`${guess}\`? ` : ""}add it under platform-backups:hosts or use one of: ${hostNames.join(", ") || "(none defined)"}`;
}

/** One app: the app when every field is good, with its explicit starts; the name it gives, readable or not. */
export function validateApp(raw: RawStackConfig, value: unknown, index: number, context: AppContext): Section<ValidApp | undefined> & { name?: string } {
    const { data: app, problems: schemaProblems } = parseWith(CONFIG_PARTS.app, value, ["apps", index], raw);
    const rules: ConfigProblem[] = [];
    const add = (path: readonly PropertyKey[], message: string) => rules.push(problemAt(raw, ["apps", index, ...path], message));
    const fields = isMap(value) ? value : {};
    const read = <K extends "name" | "host" | "schedule">(key: K) => {
        const result = CONFIG_PARTS.app.shape[key].safeParse(fields[key]);
        return result.success ? (result.data as AppConfig[K]) : undefined;
    };
    const name = app?.name ?? read("name");
    const host = app?.host ?? read("host");
    const schedule = app?.schedule ?? read("schedule");
    if (name !== undefined) for (const problem of appNameProblems(name, index, context)) add(["name"], problem);
    const hostProblem = host !== undefined && context.hostNames ? appHostProblem(host, context.hostNames) : undefined;
    if (hostProblem) add(["host"], hostProblem);
    const backup =
        schedule === undefined
            ? {}
            : dailyStart(schedule, (r) =>
                  r ? `; write "${r}" (or remove schedule and let the planner place it)` : "; or remove schedule and let the planner place it",
              );
    if (backup.problem) add(["schedule"], backup.problem);
    const drillSchedule = app?.restoreDrills?.schedule;
    const drill =
        drillSchedule === undefined
            ? {}
            : dailyStart(drillSchedule, (r) => (r ? `; write "${r}"` : "") + " (or remove it and let the planner place the drill)");
    if (drill.problem) add(["restoreDrills", "schedule"], drill.problem);
    for (const problem of app?.adopt ? adoptProblems(app.adopt) : []) add(["adopt", ...problem.key.split(".")], problem.message);
    for (const twice of retiredPathsProblems(app?.retiredPaths ?? [])) add(["retiredPaths", twice.index, "path"], twice.message);
    // Notification problems are reported, but leave the app usable for the rules that follow.
    const notes =
        app && context.notificationsValid ? notificationProblems(app.notifications, formatPath(["apps", index, "notifications"], raw), raw.notifications) : [];
    const value_ = app && rules.length === 0 ? { index, app, explicitStart: backup.start, drillStart: drill.start } : undefined;
    return { value: value_, problems: [...schemaProblems, ...rules, ...notes], name };
}

/** `apps`: every app in turn; the usable ones (every field good) go on to ports and planning. */
export function validateApps(raw: RawStackConfig, context: Omit<AppContext, "firstIndexOf">): Section<ValidApp[]> {
    if (!Array.isArray(raw.apps)) return { value: [], problems: readTop(raw, "apps").problems };
    const problems: ConfigProblem[] = [];
    const apps: ValidApp[] = [];
    const firstIndexOf = new Map<string, number>();
    raw.apps.forEach((value, index) => {
        const checked = validateApp(raw, value, index, { ...context, firstIndexOf });
        problems.push(...checked.problems);
        if (checked.name !== undefined && !firstIndexOf.has(checked.name)) firstIndexOf.set(checked.name, index);
        if (checked.value) apps.push(checked.value);
    });
    return { value: apps, problems };
}
