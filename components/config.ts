/**
 * The stack config is the product's interface: this module turns it into a validated fleet.
 *
 * The schema (configSchema.ts) reads every value; this module adds what no schema can say:
 * apps name known hosts, names are unique and fit S3, schedules are readable and fit their
 * group's window, exporter ports do not clash, e-mail is complete, TLS fits the Docker URL.
 * Each rule looks only at the parts the schema accepted, so one mistake is reported once.
 *
 * Pure: no Pulumi import, so the stack, the plan CLI and the tests share one reading of the
 * config. Every problem is collected with its path and a fix, and reported at once, before a
 * single resource is registered.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { closest, formatPath, isEncrypted, parseWith, unknownKeyMessage } from "./configFields";
import { CONFIG_NAMESPACE, DEFAULTS } from "./configDefaults";
import { AppConfig, CONFIG_KEYS, CONFIG_PARTS, HostConfig, stackConfigSchema, StackConfig } from "./configSchema";
import { CRON_FIELDS, parseClock, parseCron } from "./cron";
import { MonitoredApp } from "./monitoring";
import { DEFAULT_NAME_PREFIX, nameProblems } from "./naming";
import { mergeNotifications, notificationProblems } from "./notifications";
import { DrillRequest, DrillSlot, DrilledApp, planDrills } from "./restoreDrill";
import { GroupWindow, planSchedules, PlannedSlot, ScheduleRequest } from "./schedule";
// Types of the public declarations from zod-free modules only (see components/index.ts).
import type { ConfigProblem, NotificationSettings } from "./shapes";

export { CONFIG_NAMESPACE, DEFAULTS };

/** How Pulumi reaches one VM's Docker engine. */
export interface HostSpec {
    /** Docker engine address, `ssh://user@host`, `tcp://host:2376` or `unix:///var/run/docker.sock`. */
    dockerHost: string;
    /** Extra ssh options for an `ssh://` host, e.g. `["-o", "StrictHostKeyChecking=yes"]`. */
    sshOpts?: string[];
    /** Where Prometheus reaches the host's exporters. Default: the host name in `dockerHost`. */
    address?: string;
    /** TLS material of a `tcp://` host: paths on the machine running Pulumi. */
    tls?: { caFile: string; certFile: string; keyFile: string };
}

/** An app's metrics exporter, when monitoring is on for it. */
export interface AppMonitoringSpec {
    /** Host port the exporter listens on; unique per host. */
    port: number;
    /** `host:port` where Prometheus scrapes it. */
    address: string;
    /** Hours after the expected interval before a snapshot counts as late. */
    graceHours: number;
    /** Seconds between two reads of the repository. */
    refreshIntervalSeconds: number;
}

/** An app's restore drill, when drills are on for it. */
export interface AppRestoreDrillSpec {
    /** Host port of the drill's metrics server; unique per host, never an exporter's port. */
    port: number;
    /** `host:port` where Prometheus scrapes it. */
    address: string;
    /** The drill's cron, `M H * * *`, planned outside the group's backups or given explicitly. */
    schedule: string;
    /** Whether `schedule` was given explicitly rather than planned. */
    explicitSchedule: boolean;
}

/** One app of the fleet, validated, with its planned schedule. */
export interface AppSpec {
    name: string;
    host: string;
    group: string;
    composeProject: string;
    /** The cron expression stack-back gets, `M H * * *`. */
    schedule: string;
    /** Whether `schedule` was given explicitly rather than planned. */
    explicitSchedule: boolean;
    /** Expected backup duration in minutes (used for planning). */
    expectedDuration: number;
    retentionDays: number;
    /** Failure notifications: the stack's defaults merged with the app's overrides. */
    notifications: NotificationSettings;
    /** The app's exporter, or undefined when monitoring is off for it. */
    monitoring?: AppMonitoringSpec;
    /** false lets the deploy-time check pass while the project has no `stack-back.*` label yet. */
    requireLabels: boolean;
    /** The app's restore drill, or undefined when drills are off for it. */
    restoreDrill?: AppRestoreDrillSpec;
    /** Hard MinIO quota of the app's bucket in GiB (2^30 bytes), when set. */
    quotaGiB?: number;
}

/** The stack's restore drill settings (shared by every app's drill). */
export interface RestoreDrillSettings {
    /** Days in which `check --read-data-subset` reads the whole repository once. */
    checkSlices: number;
    /** Files restored from each snapshot at most. */
    sampleFiles: number;
    /** Bytes restored from each snapshot at most; undefined: the drill's default. */
    sampleBytes?: number;
    /** Minutes a drill is expected to take. */
    expectedDuration: number;
    /** Minutes kept free between a backup of the group and a drill. */
    gapMinutes: number;
    /** Hours a drill may be overdue before it counts as stale. */
    graceHours: number;
}

/** A validated fleet: everything the stack needs to create its resources. */
export interface Fleet {
    hosts: Record<string, HostSpec>;
    apps: AppSpec[];
    minio: { endpoint: string; ssl: boolean; region?: string; caCert?: string; caCertPath?: string };
    vault: { address: string; mount: string; namePrefix: string; skipChildToken: boolean; maxLeaseTtlSeconds?: number };
    namePrefix: string;
    image: string;
    initRepository: boolean;
    logLevel?: string;
    /** IANA time zone of the schedules. */
    timezone: string;
    /** The bound on every restic call of the deploy-time check. */
    checkTimeoutSeconds: number;
    monitoring: { runbookBaseUrl?: string };
    /** Settings of the restore drills (the apps that have one carry `restoreDrill`). */
    restoreDrills: RestoreDrillSettings;
    /** The plan behind the schedules, and the windows it was made in; `drills` are the restore drills' slots. */
    plan: { slots: PlannedSlot[]; windows: Record<string, GroupWindow>; drills: DrillSlot[] };
}

export type { ConfigProblem };

/** Thrown when the config is invalid; lists every problem. */
export class ConfigError extends Error {
    constructor(public readonly problems: ConfigProblem[]) {
        super(formatProblems(problems));
        this.name = "ConfigError";
    }
}

/** One message for all problems, each on its own line with its path. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
    const lines = problems.map((p) => `  - ${p.path}: ${p.message}`);
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    return `Invalid stack config (${count}); nothing was created or changed:\n${lines.join("\n")}`;
}

/** Stack config values keyed without the namespace (`apps`, not `platform-backups:apps`). */
export type RawStackConfig = Record<string, unknown>;

/** How many ports above `monitoring.portBase` an exporter port may lie. */
export const EXPORTER_PORT_SPAN = 1000;

/** How many ports above `restoreDrills.portBase` a drill port may lie. */
export const DRILL_PORT_SPAN = EXPORTER_PORT_SPAN;

/** FNV-1a (32 bit) of an app's name: the part of its ports that depends on nothing else. */
function nameHash(app: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < app.length; i++) hash = Math.imul(hash ^ app.charCodeAt(i), 0x01000193) >>> 0;
    return hash;
}

/**
 * The exporter's host port of an app without an explicit one: `portBase` plus a hash of the
 * app's name. It depends on nothing else, so adding, removing or moving another app never
 * moves it (a port from config order would move every later app on the host).
 */
export function exporterPort(app: string, portBase: number = DEFAULTS.exporterPortBase): number {
    return portBase + (nameHash(app) % EXPORTER_PORT_SPAN);
}

/**
 * The restore drill's metrics port of an app without an explicit one: `portBase` plus the same
 * hash of the app's name as its exporter port (so the drill port is the exporter port plus the
 * distance between the two bases, and no other app moves it). With the default bases the drills'
 * range (10471-11470) lies right above the exporters' (9471-10470): they cannot meet.
 */
export function drillPort(app: string, portBase: number = DEFAULTS.drillPortBase): number {
    return portBase + (nameHash(app) % DRILL_PORT_SPAN);
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

/** The host part of a Docker host URL (`ssh://deploy@vm1:22` -> `vm1`). */
function hostNameOf(dockerHost: string): string {
    const authority = dockerHost.replace(/^[a-z]+:\/\//, "").split("/")[0];
    return authority.replace(/^.*@/, "").replace(/:\d+$/, "") || "localhost";
}

function isMap(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What to write when one of the required maps is missing. */
const REQUIRED_MAPS = {
    minio: 'add platform-backups:minio with at least endpoint: "minio.example.internal:9000"',
    vault: 'add platform-backups:vault with at least address: "https://vault.example.internal:8200"',
    hosts: 'add platform-backups:hosts, a map from host name to { dockerHost: "ssh://deploy@vm1.example.internal" }',
    apps: "add platform-backups:apps, the list of apps to back up, each { name, host, group }",
} as const;

/** An app the schema accepted, with where it is. */
interface ValidApp {
    index: number;
    app: AppConfig;
    explicitStart?: number;
    /** The explicit start of the app's restore drill (minutes after midnight). */
    drillStart?: number;
}

/** Collects problems with paths that name the apps beside their indexes. */
class Problems {
    readonly list: ConfigProblem[] = [];
    constructor(private readonly raw: RawStackConfig) {}
    add(path: readonly PropertyKey[], message: string): void {
        this.list.push({ path: formatPath(path, this.raw), message });
    }
    parse<T>(result: { data?: T; problems: ConfigProblem[] }): T | undefined {
        this.list.push(...result.problems);
        return result.data;
    }
}

/**
 * Validates the stack config and builds the fleet. Returns every problem found; `fleet` is set
 * only when there is none. `found` are problems found while reading the config (namespaces).
 */
export function validateStackConfig(raw: RawStackConfig, found: readonly ConfigProblem[] = []): { fleet?: Fleet; problems: ConfigProblem[] } {
    const p = new Problems(raw);
    p.list.push(...found);
    for (const key of Object.keys(raw)) {
        if (!(CONFIG_KEYS as readonly string[]).includes(key)) p.add([key], unknownKeyMessage(key, CONFIG_KEYS));
    }
    const shape = stackConfigSchema.shape;
    const top = <K extends keyof typeof shape>(key: K) => {
        if ((raw[key] === undefined || raw[key] === null) && key in REQUIRED_MAPS) {
            p.add([key], `is missing; ${REQUIRED_MAPS[key as keyof typeof REQUIRED_MAPS]} (see docs/configuration.md)`);
            return undefined;
        }
        return p.parse(parseWith(shape[key], raw[key], [key], raw)) as StackConfig[K] | undefined;
    };

    const minio = top("minio");
    if (minio?.caCert !== undefined && minio.caCertPath !== undefined)
        p.add(["minio", "caCertPath"], "set only one of caCert and caCertPath: they say the same thing two ways");
    const vault = top("vault");
    const namePrefix = top("namePrefix");
    const scalars = {
        retentionDays: top("retentionDays"),
        image: top("image"),
        logLevel: top("logLevel"),
        initRepository: top("initRepository"),
        timezone: top("timezone"),
        checkTimeoutSeconds: top("checkTimeoutSeconds"),
    };
    for (const key of ["minioUser", "minioPassword", "vaultToken"] as const) top(key);
    const stackNotifications = top("notifications");
    const stackNotificationsValid = !p.list.some((q) => q.path.startsWith("notifications"));
    const monitoring = raw.monitoring === undefined ? CONFIG_PARTS.monitoring.parse({}) : top("monitoring");
    const schedule = raw.schedule === undefined ? CONFIG_PARTS.schedule.parse({}) : top("schedule");
    const drills = raw.restoreDrills === undefined ? CONFIG_PARTS.restoreDrills.parse({}) : top("restoreDrills");

    // Hosts one by one, so that one broken host leaves the others (and their names) usable.
    const hosts: Record<string, HostConfig> = {};
    let hostNames: string[] | undefined;
    if (isMap(raw.hosts)) {
        hostNames = Object.keys(raw.hosts);
        if (hostNames.length === 0) p.add(["hosts"], "is empty; add at least one host");
        for (const name of hostNames) {
            const host = p.parse(parseWith(CONFIG_PARTS.host, raw.hosts[name], ["hosts", name], raw));
            if (!host) continue;
            const scheme = host.dockerHost.split(":")[0];
            if (scheme === "tcp" && !host.tls)
                p.add(
                    ["hosts", name, "tls"],
                    "is missing; a tcp:// Docker engine needs caFile, certFile and keyFile (an engine without TLS is open to anyone who can reach it)",
                );
            if (scheme !== "tcp" && host.tls) p.add(["hosts", name, "tls"], `applies only to tcp:// hosts; ${scheme}:// does not use it, remove it`);
            hosts[name] = host;
        }
    } else {
        top("hosts");
    }

    // Apps one by one, likewise.
    const apps: ValidApp[] = [];
    const rawApps = Array.isArray(raw.apps) ? raw.apps : undefined;
    if (!rawApps) top("apps");
    const firstIndexOf = new Map<string, number>();
    (rawApps ?? []).forEach((value, index) => {
        const app = p.parse(parseWith(CONFIG_PARTS.app, value, ["apps", index], raw));
        // The rules below need only a field or two: they run on every field the schema reads,
        // even when another field of the app is wrong, so that each problem is reported.
        const fields = isMap(value) ? value : {};
        const read = <K extends "name" | "host" | "schedule">(key: K) => {
            const result = CONFIG_PARTS.app.shape[key].safeParse(fields[key]);
            return result.success ? (result.data as AppConfig[K]) : undefined;
        };
        const name = app?.name ?? read("name");
        const host = app?.host ?? read("host");
        const schedule = app?.schedule ?? read("schedule");
        const where = (key: string) => ["apps", index, key];
        let ok = app !== undefined;
        if (name !== undefined) {
            for (const problem of nameProblems(name, { namePrefix: namePrefix ?? DEFAULT_NAME_PREFIX })) {
                p.add(where("name"), problem);
                ok = false;
            }
            const first = firstIndexOf.get(name);
            if (first !== undefined) {
                p.add(where("name"), `"${name}" is already apps[${first}]; each app appears once (rename one, or remove the duplicate)`);
                ok = false;
            } else firstIndexOf.set(name, index);
        }
        // Only against hosts that were readable as a map: a broken hosts map is reported once.
        if (host !== undefined && hostNames && !hostNames.includes(host)) {
            const guess = closest(host, hostNames);
            p.add(
                where("host"),
                `"${host}" is not a known host; ${guess ? `did you mean \`${guess}\`? ` : ""}add it under platform-backups:hosts or use one of: ${hostNames.join(", ") || "(none defined)"}`,
            );
            ok = false;
        }
        let explicitStart: number | undefined;
        if (schedule !== undefined) {
            const parsed = parseCron(schedule);
            if (parsed.start) explicitStart = parsed.start.minuteOfDay;
            else {
                const replacement = dailyReplacement(schedule);
                const fix = replacement
                    ? `; write "${replacement}" (or remove schedule and let the planner place it)`
                    : "; or remove schedule and let the planner place it";
                p.add(where("schedule"), parsed.problems.join("; ") + fix);
                ok = false;
            }
        }
        let drillStart: number | undefined;
        const drillSchedule = app?.restoreDrills?.schedule;
        if (drillSchedule !== undefined) {
            const parsed = parseCron(drillSchedule);
            if (parsed.start) drillStart = parsed.start.minuteOfDay;
            else {
                const replacement = dailyReplacement(drillSchedule);
                p.add(
                    ["apps", index, "restoreDrills", "schedule"],
                    parsed.problems.join("; ") + (replacement ? `; write "${replacement}"` : "") + " (or remove it and let the planner place the drill)",
                );
                ok = false;
            }
        }
        if (app && stackNotificationsValid) {
            for (const problem of notificationProblems(app.notifications, formatPath(["apps", index, "notifications"], raw), raw.notifications))
                p.list.push(problem);
        }
        if (app && ok) apps.push({ index, app, explicitStart, drillStart });
    });

    // Groups: against every group an app names, readable or not, so a broken app is reported once.
    const namedGroups = new Set((rawApps ?? []).map((a) => (isMap(a) ? a.group : undefined)).filter((g): g is string => typeof g === "string"));
    for (const group of Object.keys(schedule?.groups ?? {})) {
        if (!namedGroups.has(group)) p.add(["schedule", "groups", group], "no app is in this group; remove it or fix the group's name");
    }

    // Exporters and drills: a port each, unique per host across both. Exporters are placed first,
    // so turning drills on never moves an exporter that is already deployed.
    const exporters = new Map<number, AppMonitoringSpec>();
    const used = new Map<string, Map<number, { valid: ValidApp; what: string }>>();
    const hostAddress = (valid: ValidApp) => {
        const host = hosts[valid.app.host];
        return host ? (host.address ?? hostNameOf(host.dockerHost)) : valid.app.host;
    };
    /** Takes `port` on the app's host, or reports whose it is and a free one (from `base`) to use instead. */
    const takePort = (valid: ValidApp, port: number, what: string, key: string, base: number): boolean => {
        const onHost = used.get(valid.app.host) ?? new Map<number, { valid: ValidApp; what: string }>();
        used.set(valid.app.host, onHost);
        const other = onHost.get(port);
        if (other) {
            // Free of every port an app of the host asks for, not only of those taken so far.
            const asked = requested.get(valid.app.host);
            let free = base;
            while (onHost.has(free) || asked?.has(free)) free++;
            p.add(
                ["apps", valid.index, key, "port"],
                `${port} is already the ${other.what} port of apps[${other.valid.index}] (${other.valid.app.name}) on host ${valid.app.host}; set ${key}.port on this app to a free port, e.g. ${free}`,
            );
            return false;
        }
        onHost.set(port, { valid, what });
        return true;
    };
    const monitored = monitoring ? apps.filter((valid) => valid.app.monitoring?.enabled ?? monitoring.enabled) : [];
    const exporterPortOf = (valid: ValidApp) => valid.app.monitoring?.port ?? exporterPort(valid.app.name, monitoring?.portBase);
    const drilled = drills ? apps.filter((valid) => valid.app.restoreDrills?.enabled ?? drills.enabled) : [];
    const drillPortOf = (valid: ValidApp) => valid.app.restoreDrills?.port ?? drillPort(valid.app.name, drills?.portBase);
    const requested = new Map<string, Set<number>>();
    for (const [valid, port] of [...monitored.map((v) => [v, exporterPortOf(v)] as const), ...drilled.map((v) => [v, drillPortOf(v)] as const)]) {
        requested.set(valid.app.host, (requested.get(valid.app.host) ?? new Set<number>()).add(port));
    }
    if (monitoring) {
        for (const valid of monitored) {
            const own = valid.app.monitoring;
            const port = exporterPortOf(valid);
            if (!takePort(valid, port, "exporter", "monitoring", monitoring.portBase)) continue;
            const address = hostAddress(valid);
            exporters.set(valid.index, {
                port,
                address: `${address}:${port}`,
                graceHours: own?.graceHours ?? monitoring.graceHours,
                refreshIntervalSeconds: monitoring.refreshIntervalSeconds,
            });
        }
    }
    const drillPorts = new Map<number, number>();
    if (drills) {
        for (const valid of drilled) {
            const port = drillPortOf(valid);
            if (takePort(valid, port, "restore drill", "restoreDrills", drills.portBase)) drillPorts.set(valid.index, port);
        }
    }

    // A hard quota stops backups when it is reached; its warning reads the exporter's restic_size_total.
    for (const valid of apps) {
        if (
            valid.app.quotaGiB !== undefined &&
            monitoring &&
            !exporters.has(valid.index) &&
            !p.list.some((q) => q.path.startsWith(formatPath(["apps", valid.index, "monitoring"], raw)))
        ) {
            p.add(
                ["apps", valid.index, "quotaGiB"],
                "needs monitoring on for this app: the quota's early warning reads its exporter's restic_size_total, and without it backups stop silently at the quota; turn monitoring on (monitoring.enabled or apps[].monitoring.enabled) or remove quotaGiB",
            );
        }
    }

    // The plan, over the apps whose every field was read: an unreadable one is reported once.
    const start = schedule?.start ?? (parseClock(DEFAULTS.scheduleStart) as number);
    const spacing = schedule?.spacingMinutes ?? DEFAULTS.spacingMinutes;
    const windows: Record<string, GroupWindow> = {};
    for (const { app } of apps) {
        const settings = schedule?.groups?.[app.group] ?? {};
        windows[app.group] ??= {
            start: settings.start ?? start,
            ...(settings.end !== undefined ? { end: settings.end } : {}),
            maxConcurrent: settings.maxConcurrent ?? DEFAULTS.maxConcurrent,
        };
    }
    const requests: ScheduleRequest[] = apps.map(({ app, explicitStart }) => ({
        app: app.name,
        group: app.group,
        expectedDuration: app.expectedDuration ?? spacing,
        ...(explicitStart !== undefined ? { explicitStart } : {}),
    }));
    const plan = planSchedules(requests, (group) => windows[group]);
    for (const problem of plan.problems) {
        const valid = apps[problem.index];
        p.add(valid.explicitStart !== undefined ? ["apps", valid.index, "schedule"] : ["apps", valid.index], problem.message);
    }

    // Drills: after the plan, outside every backup of the app's group (and its other drills).
    const drillRequests: DrillRequest[] = drilled.map((valid) => ({
        app: valid.app.name,
        group: valid.app.group,
        expectedDuration: drills?.expectedDuration,
        ...(valid.drillStart !== undefined ? { explicitStart: valid.drillStart } : {}),
    }));
    const drillPlan = planDrills(drillRequests, plan.slots, windows, drills?.gapMinutes);
    for (const problem of drillPlan.problems) {
        const valid = drilled[problem.index];
        p.add(
            valid.drillStart !== undefined ? ["apps", valid.index, "restoreDrills", "schedule"] : ["apps", valid.index, "restoreDrills"],
            valid.drillStart !== undefined ? `${problem.message}; choose another time, or remove it and let the planner place the drill` : problem.message,
        );
    }
    const drillOf = new Map(drilled.map((valid, i) => [valid.index, { valid, slot: drillPlan.slots[i] }]));

    if (p.list.length > 0 || !minio || !vault || !monitoring || !drills) return { problems: p.list };
    const defaults = stackNotifications ?? {};
    return {
        problems: [],
        fleet: {
            hosts: Object.fromEntries(Object.entries(hosts).map(([name, h]) => [name, hostSpec(h)])),
            apps: apps.map(({ index, app }, i) => ({
                name: app.name,
                host: app.host,
                group: app.group,
                composeProject: app.composeProject ?? app.name,
                schedule: app.schedule ?? plan.slots[i].cron,
                explicitSchedule: app.schedule !== undefined,
                expectedDuration: requests[i].expectedDuration,
                retentionDays: app.retentionDays ?? (scalars.retentionDays as number),
                notifications: mergeNotifications(defaults, app.notifications),
                requireLabels: app.requireLabels,
                ...(exporters.has(index) ? { monitoring: exporters.get(index) } : {}),
                ...(drillOf.has(index) ? { restoreDrill: drillSpec(drillOf.get(index)!, drillPorts.get(index) as number, hostAddress) } : {}),
                ...(app.quotaGiB !== undefined ? { quotaGiB: app.quotaGiB } : {}),
            })),
            minio: dropUndefined({ endpoint: minio.endpoint, ssl: minio.ssl, region: minio.region, caCert: minio.caCert, caCertPath: minio.caCertPath }),
            vault: dropUndefined({ ...vault }),
            namePrefix: namePrefix as string,
            image: scalars.image as string,
            initRepository: scalars.initRepository as boolean,
            ...(scalars.logLevel ? { logLevel: scalars.logLevel } : {}),
            timezone: scalars.timezone as string,
            checkTimeoutSeconds: scalars.checkTimeoutSeconds as number,
            monitoring: dropUndefined({ runbookBaseUrl: monitoring.runbookBaseUrl }),
            restoreDrills: dropUndefined({
                checkSlices: drills.checkSlices,
                sampleFiles: drills.sampleFiles,
                sampleBytes: drills.sampleBytes,
                expectedDuration: drills.expectedDuration,
                gapMinutes: drills.gapMinutes,
                graceHours: drills.graceHours,
            }),
            plan: { slots: plan.slots, windows, drills: drillPlan.slots },
        },
    };
}

function drillSpec(drill: { valid: ValidApp; slot: DrillSlot }, port: number, hostAddress: (valid: ValidApp) => string): AppRestoreDrillSpec {
    return { port, address: `${hostAddress(drill.valid)}:${port}`, schedule: drill.slot.cron, explicitSchedule: drill.valid.drillStart !== undefined };
}

function hostSpec(host: HostConfig): HostSpec {
    return dropUndefined({ dockerHost: host.dockerHost, sshOpts: host.sshOpts, address: host.address, tls: host.tls });
}

/** The object without its undefined fields, so that optional fields are absent rather than undefined. */
function dropUndefined<T extends object>(object: T): T {
    return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

/** The monitored apps of a fleet, as the Prometheus rule and scrape generators take them. */
export function monitoredApps(fleet: Fleet): MonitoredApp[] {
    return fleet.apps.flatMap((app) =>
        app.monitoring
            ? [
                  {
                      app: app.name,
                      group: app.group,
                      host: app.host,
                      exporterAddress: app.monitoring.address,
                      intervalHours: 24,
                      graceHours: app.monitoring.graceHours,
                      refreshIntervalSeconds: app.monitoring.refreshIntervalSeconds,
                      ...(app.quotaGiB !== undefined ? { quotaBytes: quotaBytes(app.quotaGiB) } : {}),
                  },
              ]
            : [],
    );
}

/** A quota in GiB as MinIO takes it: bytes (madmin-go v1.7.5 `BucketQuota.Quota`, set by terraform-provider-minio v1.20.1). */
export function quotaBytes(quotaGiB: number): number {
    return quotaGiB * 2 ** 30;
}

/** The apps of a fleet that have a restore drill, as the drill's scrape job and alerts take them. */
export function drilledApps(fleet: Fleet): DrilledApp[] {
    return fleet.apps.flatMap((app) =>
        app.restoreDrill
            ? [
                  {
                      app: app.name,
                      group: app.group,
                      host: app.host,
                      address: app.restoreDrill.address,
                      intervalHours: 24,
                      graceHours: fleet.restoreDrills.graceHours,
                  },
              ]
            : [],
    );
}

/** Like {@link validateStackConfig}, but throws a {@link ConfigError} listing every problem. */
export function parseStackConfig(raw: RawStackConfig, found: readonly ConfigProblem[] = []): Fleet {
    const { fleet, problems } = validateStackConfig(raw, found);
    if (!fleet) throw new ConfigError(problems);
    return fleet;
}

/**
 * A top-level value as the program sees it. The Pulumi CLI hands every value to the program as
 * a string (maps and lists as JSON, `retentionDays: 14` and `retentionDays: "14"` both as "14"),
 * and the program reads it back with JSON where it can: so `"14"` is 14 and `"true"` is true,
 * whoever wrote them.
 */
export function readCliValue(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/** A stack file's value as the CLI would hand it to the program, read back the same way. */
function asProgramSees(value: unknown): unknown {
    if (isEncrypted(value)) return value; // a secret the file cannot reveal; the schema accepts it unread
    if (typeof value === "string") return readCliValue(value);
    return readCliValue(JSON.stringify(value));
}

/** Whether `namespace` is a typo of this project's namespace. */
function nearNamespace(namespace: string): boolean {
    const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
    return namespace !== CONFIG_NAMESPACE && (squash(namespace) === squash(CONFIG_NAMESPACE) || closest(namespace, [CONFIG_NAMESPACE]) !== undefined);
}

/**
 * Splits the stack's config (`namespace:key` -> value, as the program reads it) into this
 * project's keys, without the namespace, and problems for keys in a namespace a few letters away
 * from it (a typo there would otherwise be ignored). Other namespaces belong to providers.
 */
export function projectConfig(entries: Record<string, unknown>): { raw: RawStackConfig; problems: ConfigProblem[] } {
    const raw: RawStackConfig = {};
    const problems: ConfigProblem[] = [];
    for (const [key, value] of Object.entries(entries)) {
        const colon = key.indexOf(":");
        // A stack file may leave out the project's own namespace (Pulumi adds it).
        const namespace = colon < 0 ? CONFIG_NAMESPACE : key.slice(0, colon);
        const name = colon < 0 ? key : key.slice(colon + 1);
        if (namespace === CONFIG_NAMESPACE) raw[name] = value;
        else if (nearNamespace(namespace)) {
            problems.push({ path: key, message: `is in namespace "${namespace}", which nothing reads; did you mean \`${CONFIG_NAMESPACE}:${name}\`?` });
        }
    }
    return { raw, problems };
}

/** The program's config: `pulumi.runtime.allConfig()` (every value a string), read as one. */
export function configFromPulumi(all: Record<string, string>): { raw: RawStackConfig; problems: ConfigProblem[] } {
    return projectConfig(Object.fromEntries(Object.entries(all).map(([key, value]) => [key, readCliValue(value)])));
}

/**
 * Reads the config of a `Pulumi.<stack>.yaml` file as the program would see it, without the
 * namespace. `secure:` values stay encrypted objects; the pure fleet does not use them. A YAML
 * syntax error becomes a {@link ConfigError} naming the file and line.
 */
export function readStackFileConfig(file: string): { raw: RawStackConfig; problems: ConfigProblem[] } {
    const where = path.relative(process.cwd(), file) || file;
    const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
    if (doc.errors.length > 0) {
        // The first error only: the parser's later ones usually follow from it.
        const [error] = doc.errors;
        const at = error.linePos?.[0];
        const message = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
        throw new ConfigError([
            { path: `${where}:${at?.line ?? "?"}:${at?.col ?? "?"}`, message: `YAML syntax error: ${message}; fix the file, then run again` },
        ]);
    }
    const content = (doc.toJS() ?? {}) as { config?: unknown };
    if (content.config !== undefined && !isMap(content.config))
        throw new ConfigError([{ path: `${where}: config`, message: "must be a map of namespace:key entries" }]);
    return projectConfig(Object.fromEntries(Object.entries(content.config ?? {}).map(([key, value]) => [key, asProgramSees(value)])));
}

/** The namespace-less config of a stack file (see {@link readStackFileConfig}). */
export function readStackFile(file: string): RawStackConfig {
    return readStackFileConfig(file).raw;
}

/** Reads and validates a stack file: what `npm run plan`, `npm run monitoring` and the tests use. */
export function loadStackFile(file: string): { fleet: Fleet; raw: RawStackConfig } {
    const { raw, problems } = readStackFileConfig(file);
    return { fleet: parseStackConfig(raw, problems), raw };
}
