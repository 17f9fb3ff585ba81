/**
 * What the fleet dashboard asks Prometheus, and where it colours: the PromQL of every panel and
 * the threshold steps of every app, from the same fleet and the same functions as the alert rules.
 *
 * Pure: no Pulumi import and no Grafana import; `grafanaDashboard.ts` turns this into the
 * dashboard JSON with Grafana's SDK.
 *
 * The series come from two scrape jobs (`scrapeConfig`): the exporter's (`restic_*`, restic-exporter
 * 2.0.2 exporter/exporter.py `collect`, unchanged in 2.1.2) and the restore drill's
 * (`restic_drill_*`, {@link DRILL_METRICS}). Both carry the target labels app, group and host from
 * the stack config, so every query selects by `app`, never by the snapshot hostname (the sidecar's
 * container id, which changes whenever it is recreated).
 */
import { parseCron, formatClock, MINUTES_PER_DAY } from "./cron";
import { type Fleet, drilledApps, monitoredApps } from "./config";
import { type MonitoredApp, type MonitoringOptions, quotaWarningBytes, RESTIC_METRICS, staleAfterSeconds } from "./monitoring";
import { type DrilledApp, DRILL_JOB_NAME, DRILL_METRICS, drillStaleAfterSeconds } from "./restoreDrill";

/** The exporter's scrape job; `scrapeConfig` names it the same unless `MonitoringOptions.jobName` says otherwise. */
const DEFAULT_EXPORTER_JOB = "restic-exporter";

/** The name of the dashboard's app variable (a multi-value list of the fleet's apps). */
export const APP_VARIABLE = "app";

/** One app of the fleet as the dashboard sees it. */
export interface DashboardApp {
    app: string;
    group: string;
    host: string;
    /** Its exporter, when monitoring is on for it. */
    monitored?: MonitoredApp;
    /** Its restore drill, when drills are on for it. */
    drill?: DrilledApp;
    /** The planned backup start, minutes after midnight in the fleet's time zone (0-1439). */
    plannedStart: number;
    /** Minutes the backup is expected to take: the planner holds the group's capacity this long. */
    expectedDuration: number;
}

/** The fleet as the dashboard sees it. */
export interface FleetView {
    stack: string;
    /** IANA time zone of the schedules (and of the dashboard). */
    timezone: string;
    apps: DashboardApp[];
    /** The options the alert rules were generated with: the thresholds must come from the same. */
    options: MonitoringOptions;
}

/**
 * The dashboard's view of a validated fleet. `options` must be the ones `alertRules` gets (as
 * `npm run monitoring` passes them), so that colours and alerts agree.
 */
export function fleetView(stack: string, fleet: Fleet, options: MonitoringOptions = {}): FleetView {
    const monitored = new Map(monitoredApps(fleet).map((m) => [m.app, m]));
    const drilled = new Map(drilledApps(fleet).map((d) => [d.app, d]));
    return {
        stack,
        timezone: fleet.timezone,
        options,
        apps: fleet.apps.map((app) => {
            const start = parseCron(app.schedule).start;
            if (!start) throw new Error(`app ${app.name}: schedule "${app.schedule}" is not a daily "M H * * *" (the config validator should have refused it)`);
            return {
                app: app.name,
                group: app.group,
                host: app.host,
                plannedStart: start.minuteOfDay,
                expectedDuration: app.expectedDuration,
                ...(monitored.has(app.name) ? { monitored: monitored.get(app.name) } : {}),
                ...(drilled.has(app.name) ? { drill: drilled.get(app.name) } : {}),
            };
        }),
    };
}

// ---------------------------------------------------------------------------------------------
// Threshold steps: where each app's value turns red, from the alert rules' own functions
// ---------------------------------------------------------------------------------------------

/** A Grafana threshold step: from `value` up (the base step has `null`), the value has `color`. */
export interface ThresholdStep {
    value: number | null;
    color: string;
}

/** Grafana's named colours used by the dashboard. */
export const COLORS = { ok: "green", warn: "orange", bad: "red", off: "blue" } as const;

/**
 * Age of the oldest path set's newest snapshot: green, red from the app's `ResticBackupStale`
 * threshold (`staleAfterSeconds`, the function the rule's `> N` comes from).
 */
export function backupAgeSteps(app: MonitoredApp, options: MonitoringOptions = {}): ThresholdStep[] {
    return [
        { value: null, color: COLORS.ok },
        { value: staleAfterSeconds(app, options), color: COLORS.bad },
    ];
}

/** Time since the last good drill: green, red from the app's `ResticRestoreDrillStale` threshold. */
export function drillAgeSteps(drill: DrilledApp): ThresholdStep[] {
    return [
        { value: null, color: COLORS.ok },
        { value: drillStaleAfterSeconds(drill), color: COLORS.bad },
    ];
}

/**
 * Repository size of an app with a quota: green, orange from the `ResticQuotaNearlyFull`
 * threshold (`quotaWarningBytes`), red at the quota itself (MinIO refuses every write there).
 * Undefined without a quota.
 */
export function quotaSteps(app: MonitoredApp): ThresholdStep[] | undefined {
    const warning = quotaWarningBytes(app);
    if (warning === undefined || app.quotaBytes === undefined) return undefined;
    return [
        { value: null, color: COLORS.ok },
        { value: warning, color: COLORS.warn },
        { value: app.quotaBytes, color: COLORS.bad },
    ];
}

/**
 * Slip of the newest snapshot after the planned start, in minutes: green, orange once it is later
 * than the app's expected duration (its planned slot is over: the next backup of its group may
 * already run beside it). Not an alert: a late run that still succeeds alerts nobody.
 */
export function slipSteps(app: DashboardApp): ThresholdStep[] {
    return [
        { value: null, color: COLORS.ok },
        { value: app.expectedDuration, color: COLORS.warn },
    ];
}

/**
 * Value mappings of `restic_check_success` (exporter.py: 1 passed, 0 failed, 2 checks disabled).
 * `ResticCheckFailed` fires on `== 0`: 0 is red.
 */
export const CHECK_MAPPING: Readonly<Record<string, { text: string; color: string }>> = {
    "0": { text: "failed", color: COLORS.bad },
    "1": { text: "passed", color: COLORS.ok },
    "2": { text: "not checked", color: COLORS.off },
};

/** Value mappings of `restic_drill_success`. `ResticRestoreDrillFailed` fires on `== 0`: 0 is red. */
export const DRILL_MAPPING: Readonly<Record<string, { text: string; color: string }>> = {
    "0": { text: "failed", color: COLORS.bad },
    "1": { text: "passed", color: COLORS.ok },
};

// ---------------------------------------------------------------------------------------------
// PromQL
// ---------------------------------------------------------------------------------------------

/** A PromQL string literal (app, group and host names never need more than JSON's escaping). */
function quote(value: string): string {
    return JSON.stringify(value);
}

/** Label matchers of one job, optionally restricted to the apps chosen in the app variable. */
function matchers(job: string, perApp: boolean): string {
    return `{job=${quote(job)}${perApp ? `,app=~"$${APP_VARIABLE}"` : ""}}`;
}

/**
 * A constant series per app with `labels` and `value`: `label_replace(vector(v), "app", "x", "", "")`
 * sets a label on a label-less vector (the empty regex matches the missing source label). It is how a
 * number that lives only in the stack config (a quota, a planned start) meets the scraped series.
 */
function constantPerApp(entries: ReadonlyArray<{ value: number; labels: Record<string, string> }>): string {
    return entries
        .map(({ value, labels }) =>
            Object.entries(labels).reduce((expr, [name, text]) => `label_replace(${expr}, ${quote(name)}, ${quote(text)}, "", "")`, `vector(${value})`),
        )
        .join(" or ");
}

/** The UTC offset of `timezone` at `at`, in minutes (Europe/Berlin in winter: 60). */
export function utcOffsetMinutes(timezone: string, at: Date): number {
    const parts = new Intl.DateTimeFormat("en-US", {
        timeZone: timezone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
    }).formatToParts(at);
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
    return Math.round((wall - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/**
 * PromQL's `hour()` and `minute()` read Unix time in UTC, and PromQL knows no time zones: a
 * planned start in the fleet's zone becomes a UTC minute of the day with the zone's offset at
 * `at`. In a zone with daylight saving time the planned line is off by the shift for part of the
 * year until the dashboard is generated again (UTC, the prod and staging zone, never shifts).
 */
export function plannedStartUtc(app: DashboardApp, timezone: string, at: Date): number {
    return (((app.plannedStart - utcOffsetMinutes(timezone, at)) % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
}

/** The queries of the dashboard, one per panel target, built from the fleet. */
export interface DashboardQueries {
    fleet: { backupAge: string; check: string; drillResult: string; drillAge: string };
    perApp: {
        snapshotAge: string;
        size: string;
        sizeTrend: string;
        /** Undefined when no app has a quota. */
        timeToQuota?: string;
        backupDuration: string;
        drillResults: string;
    };
    schedule: { slip: string; plan: string };
}

/** Seconds of history the size trend is fitted over, and how far it looks ahead: a week. */
export const TREND_WINDOW_SECONDS = 7 * 86_400;

/**
 * Every panel's PromQL. `at` fixes the time zone offset of the planned starts (see
 * {@link plannedStartUtc}).
 */
export function dashboardQueries(view: FleetView, at: Date = new Date()): DashboardQueries {
    const job = view.options.jobName ?? DEFAULT_EXPORTER_JOB;
    const exp = (perApp: boolean) => matchers(job, perApp);
    const drill = (perApp: boolean) => matchers(DRILL_JOB_NAME, perApp);
    const m = RESTIC_METRICS;
    const d = DRILL_METRICS;
    const trend = `${TREND_WINDOW_SECONDS / 86_400}d`;

    const quotas = view.apps.flatMap((a) => (a.monitored?.quotaBytes !== undefined ? [{ value: a.monitored.quotaBytes, labels: { app: a.app } }] : []));
    const planned = constantPerApp(
        view.apps.map((a) => ({ value: plannedStartUtc(a, view.timezone, at), labels: { app: a.app, planned: formatClock(a.plannedStart) } })),
    );
    // The newest snapshot of each app over all its path sets: the last path set of the last run.
    const newest = `max by (app, group, host) (${m.backupTimestamp}${exp(false)})`;
    const minuteOfDay = `(hour(${newest}) * 60 + minute(${newest}))`;

    return {
        fleet: {
            // Per path set first, as ResticBackupStale does; then the oldest of them: the app is as
            // late as its latest-running path set.
            backupAge: `time() - min by (app) (max by (app, snapshot_paths) (${m.backupTimestamp}${exp(false)}))`,
            check: `max by (app) (${m.checkSuccess}${exp(false)})`,
            drillResult: `max by (app) (${d.success}${drill(false)})`,
            // As ResticRestoreDrillStale: since the last success, or since the drill started while it never succeeded.
            drillAge: `time() - max by (app) (${d.lastSuccess}${drill(false)} or ${d.started}${drill(false)})`,
        },
        perApp: {
            snapshotAge: `time() - max by (app, snapshot_paths) (${m.backupTimestamp}${exp(true)})`,
            size: `max by (app) (${m.sizeTotal}${exp(true)})`,
            sizeTrend: `max by (app) (predict_linear(${m.sizeTotal}${exp(true)}[${trend}], ${TREND_WINDOW_SECONDS}))`,
            ...(quotas.length > 0
                ? {
                      // Room left over the growth per second of the last week; only where it grows.
                      timeToQuota:
                          `((${constantPerApp(quotas)}) - on (app) max by (app) (${m.sizeTotal}${exp(true)}))` +
                          ` / on (app) (max by (app) (deriv(${m.sizeTotal}${exp(true)}[${trend}])) > 0)`,
                  }
                : {}),
            // restic-exporter reports -1 for a snapshot without summary.backup_start/backup_end
            // (exporter/exporter.py of 2.0.2 and 2.1.2, calc_snapshot_stats: restic before 0.17).
            backupDuration: `max by (app, snapshot_paths) (${m.backupDurationSeconds}${exp(true)} >= 0)`,
            drillResults: `max by (app) (${d.success}${drill(true)})`,
        },
        schedule: {
            // Minutes from the planned start to the newest snapshot, folded into -12 h .. +12 h.
            slip: `(${minuteOfDay} - on (app) group_left (planned) (${planned}) + ${MINUTES_PER_DAY + MINUTES_PER_DAY / 2}) % ${MINUTES_PER_DAY} - ${MINUTES_PER_DAY / 2}`,
            // The newest snapshot's time (ms, as Grafana's time unit wants it) with the planned start beside it.
            plan: `${newest} * 1000 + on (app) group_left (planned) (0 * (${planned}))`,
        },
    };
}
