/**
 * The plan: backup slots per storage group over the usable apps (an unreadable one is reported
 * once, where it is). The restore drills' times are placed with the ports (ports.ts).
 */
import type { ConfigProblem } from "../shapes";
import { DEFAULTS, StackConfig } from "../configSchema";
import { parseClock } from "../cron";
import { GroupWindow, planSchedules, PlannedSlot, ScheduleRequest } from "../schedule";
import type { RawStackConfig } from "./fleet";
import { isMap, problemAt, Section, ValidApp } from "./section";

/** Groups under `schedule.groups` that no app names (readable or not, so a broken app is reported once). */
export function unusedGroupProblems(raw: RawStackConfig, schedule: StackConfig["schedule"] | undefined): ConfigProblem[] {
    const rawApps = Array.isArray(raw.apps) ? raw.apps : [];
    const named = new Set(rawApps.map((a) => (isMap(a) ? a.group : undefined)).filter((g): g is string => typeof g === "string"));
    return Object.keys(schedule?.groups ?? {})
        .filter((group) => !named.has(group))
        .map((group) => problemAt(raw, ["schedule", "groups", group], "no app is in this group; remove it or fix the group's name"));
}

/** The window of each group an app is in: its own settings over the stack's. */
export function groupWindows(apps: readonly ValidApp[], schedule: StackConfig["schedule"] | undefined): Record<string, GroupWindow> {
    const start = schedule?.start ?? (parseClock(DEFAULTS.scheduleStart) as number);
    const windows: Record<string, GroupWindow> = {};
    for (const { app } of apps) {
        const settings = schedule?.groups?.[app.group] ?? {};
        windows[app.group] ??= {
            start: settings.start ?? start,
            ...(settings.end !== undefined ? { end: settings.end } : {}),
            maxConcurrent: settings.maxConcurrent ?? DEFAULTS.maxConcurrent,
        };
    }
    return windows;
}

/** The backup plan of the usable apps. */
export function planBackups(
    raw: RawStackConfig,
    apps: readonly ValidApp[],
    schedule: StackConfig["schedule"] | undefined,
): Section<{ slots: PlannedSlot[]; windows: Record<string, GroupWindow>; requests: ScheduleRequest[] }> {
    const spacing = schedule?.spacingMinutes ?? DEFAULTS.spacingMinutes;
    const windows = groupWindows(apps, schedule);
    const requests: ScheduleRequest[] = apps.map(({ app, explicitStart }) => ({
        app: app.name,
        group: app.group,
        expectedDuration: app.expectedDuration ?? spacing,
        ...(explicitStart !== undefined ? { explicitStart } : {}),
    }));
    const plan = planSchedules(requests, (group) => windows[group]);
    const problems = plan.problems.map((problem) => {
        const valid = apps[problem.index];
        return problemAt(raw, valid.explicitStart !== undefined ? ["apps", valid.index, "schedule"] : ["apps", valid.index], problem.message);
    });
    return { value: { slots: plan.slots, windows, requests }, problems };
}
