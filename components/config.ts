/**
 * The stack config is the product's interface: this module turns it into a validated fleet.
 *
 * Pure: no Pulumi import, so the stack, the plan CLI and the tests share one reading of the
 * config. Every problem is collected with its path and a fix, and reported at once, before a
 * single resource is registered.
 */
import * as fs from "fs";
import * as YAML from "yaml";
import { parseClock, parseCron } from "./cron";
import { DEFAULT_NAME_PREFIX, DEFAULT_VAULT_MOUNT, DEFAULT_VAULT_NAME_PREFIX, nameProblems } from "./naming";
import { DEFAULT_GRACE_HOURS, DEFAULT_REFRESH_INTERVAL_SECONDS, MonitoredApp, runbookBaseUrlProblem } from "./monitoring";
import { mergeNotifications, NotificationSettings, notificationProblems, readNotifications } from "./notifications";
import { GroupWindow, planSchedules, PlannedSlot, ScheduleRequest } from "./schedule";
import { caCertProblems, DEFAULT_CHECK_TIMEOUT_SECONDS, DEFAULT_RETENTION_DAYS, DEFAULT_STACKBACK_IMAGE, imageProblems, isTimeZone, minioEndpointProblem } from "./stackback";

/** The config namespace: keys are `platform-backups:<key>` in `Pulumi.<stack>.yaml`. */
export const CONFIG_NAMESPACE = "platform-backups";

/** Defaults that reproduce the original write-up. */
export const DEFAULTS = {
    retentionDays: DEFAULT_RETENTION_DAYS,
    scheduleStart: "02:00",
    spacingMinutes: 20,
    maxConcurrent: 1,
    vaultMount: DEFAULT_VAULT_MOUNT,
    minioSsl: true,
    /** First host port of the restic exporters; each monitored app on a host takes the next one. */
    exporterPortBase: 9471,
} as const;

/** How Pulumi reaches one VM's Docker engine. */
export interface HostSpec {
    /** Docker engine address, `ssh://user@host` or `tcp://host:2376`. */
    dockerHost: string;
    /** Extra ssh options for an `ssh://` host, e.g. `["-o", "StrictHostKeyChecking=yes"]`. */
    sshOpts?: string[];
    /** Where Prometheus reaches the host's exporters. Default: the host name in `dockerHost`. */
    address?: string;
    /** Client TLS files (paths on the machine running Pulumi); required for a `tcp://` dockerHost. */
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
    /** Whether the deploy-time check fails while the app's project has no `stack-back.*` label. */
    requireLabels: boolean;
}

/** A validated fleet: everything the stack needs to create its resources. */
export interface Fleet {
    hosts: Record<string, HostSpec>;
    apps: AppSpec[];
    minio: { endpoint: string; ssl: boolean; region?: string; caCert?: string; caCertPath?: string };
    vault: { address: string; mount: string; namePrefix: string; skipChildToken: boolean; maxLeaseTtlSeconds?: number };
    /** IANA time zone of the sidecars' cron and the exporters (`TZ`). */
    timezone: string;
    /** Bound in seconds on every restic call of the deploy-time check. */
    checkTimeoutSeconds: number;
    /** Stack-wide monitoring settings that are not per app. */
    monitoring: { runbookBaseUrl?: string };
    namePrefix: string;
    image: string;
    initRepository: boolean;
    logLevel?: string;
    /** The plan behind the schedules, and the windows it was made in. */
    plan: { slots: PlannedSlot[]; windows: Record<string, GroupWindow> };
}

/** A problem in the config: where, and what to do. */
export interface ConfigProblem {
    path: string;
    message: string;
}

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

type Obj = Record<string, unknown>;

/** Collects problems while reading untyped values. */
class Reader {
    readonly problems: ConfigProblem[] = [];

    report(path: string, message: string): void {
        this.problems.push({ path, message });
    }

    object(value: unknown, path: string, required: boolean): Obj | undefined {
        if (value === undefined || value === null) {
            if (required) this.report(path, "is missing; add it to the stack config (see README, Config reference)");
            return undefined;
        }
        if (typeof value !== "object" || Array.isArray(value)) {
            this.report(path, `must be a map, got ${describe(value)}`);
            return undefined;
        }
        return value as Obj;
    }

    /** Reports keys that are not in `known`: a typo would otherwise be silently ignored. */
    knownKeys(obj: Obj, path: string, known: readonly string[]): void {
        for (const key of Object.keys(obj)) {
            if (!known.includes(key)) this.report(join(path, key), `is not a known key; use one of: ${known.join(", ")}`);
        }
    }

    string(obj: Obj, key: string, path: string, required: boolean, hint = ""): string | undefined {
        const value = obj[key];
        if (value === undefined || value === null) {
            if (required) this.report(join(path, key), `is missing${hint ? `; ${hint}` : ""}`);
            return undefined;
        }
        if (typeof value !== "string" || value.trim() === "") {
            this.report(join(path, key), `must be a non-empty string, got ${describe(value)}`);
            return undefined;
        }
        return value;
    }

    number(obj: Obj, key: string, path: string, min: number, unit: string): number | undefined {
        const value = obj[key];
        if (value === undefined || value === null) return undefined;
        if (typeof value !== "number" || !Number.isInteger(value)) {
            this.report(join(path, key), `must be a whole number of ${unit}, got ${describe(value)}`);
            return undefined;
        }
        if (value < min) {
            this.report(join(path, key), `is ${value}; it must be at least ${min} ${unit}`);
            return undefined;
        }
        return value;
    }

    boolean(obj: Obj, key: string, path: string): boolean | undefined {
        const value = obj[key];
        if (value === undefined || value === null) return undefined;
        if (typeof value !== "boolean") {
            this.report(join(path, key), `must be true or false, got ${describe(value)}`);
            return undefined;
        }
        return value;
    }

    clock(obj: Obj, key: string, path: string): number | undefined {
        const text = this.string(obj, key, path, false);
        if (text === undefined) return undefined;
        const minutes = parseClock(text);
        if (minutes === undefined) this.report(join(path, key), `"${text}" is not a time; write HH:MM on a 24-hour clock, e.g. "02:00"`);
        return minutes;
    }
}

/** `parent.key`, or `key` at the top level. */
function join(path: string, key: string): string {
    return path ? `${path}.${key}` : key;
}

function describe(value: unknown): string {
    if (Array.isArray(value)) return "a list";
    if (value === null) return "null";
    return typeof value === "string" ? `"${value}"` : `${typeof value} ${JSON.stringify(value)}`;
}

const APP_KEYS = ["name", "host", "group", "schedule", "composeProject", "expectedDuration", "retentionDays", "notifications", "monitoring", "requireLabels"] as const;
const HOST_KEYS = ["dockerHost", "sshOpts", "address", "tls"] as const;
const TLS_KEYS = ["caFile", "certFile", "keyFile"] as const;
const MONITORING_KEYS = ["enabled", "portBase", "graceHours", "refreshIntervalSeconds", "runbookBaseUrl"] as const;
const APP_MONITORING_KEYS = ["enabled", "port", "graceHours"] as const;
const MINIO_KEYS = ["endpoint", "ssl", "region", "caCert", "caCertPath"] as const;
const VAULT_KEYS = ["address", "mount", "namePrefix", "skipChildToken", "maxLeaseTtlSeconds"] as const;
const SCHEDULE_KEYS = ["start", "spacingMinutes", "groups"] as const;
const GROUP_KEYS = ["start", "end", "maxConcurrent"] as const;

function readHosts(r: Reader, raw: unknown): Record<string, HostSpec> {
    const hosts: Record<string, HostSpec> = {};
    const obj = r.object(raw, "hosts", true);
    if (!obj) return hosts;
    for (const [name, value] of Object.entries(obj)) {
        const path = `hosts.${name}`;
        const host = r.object(value, path, true);
        if (!host) continue;
        r.knownKeys(host, path, HOST_KEYS);
        const dockerHost = r.string(host, "dockerHost", path, true, 'write how Pulumi reaches its Docker engine, e.g. "ssh://deploy@vm1.example.internal"');
        if (dockerHost !== undefined && !/^(ssh|tcp|unix|npipe):\/\/\S+$/.test(dockerHost)) {
            r.report(`${path}.dockerHost`, `"${dockerHost}" is not a Docker host URL; use ssh://user@host, tcp://host:2376 or unix:///var/run/docker.sock`);
        }
        let sshOpts: string[] | undefined;
        if (host.sshOpts !== undefined) {
            if (Array.isArray(host.sshOpts) && host.sshOpts.every((o) => typeof o === "string")) sshOpts = host.sshOpts as string[];
            else r.report(`${path}.sshOpts`, "must be a list of strings");
        }
        const address = r.string(host, "address", path, false);
        const tls = readTls(r, host.tls, `${path}.tls`, dockerHost);
        if (dockerHost !== undefined) hosts[name] = { dockerHost, ...(sshOpts ? { sshOpts } : {}), ...(address ? { address } : {}), ...(tls ? { tls } : {}) };
    }
    if (Object.keys(obj).length === 0) r.report("hosts", "is empty; add at least one host");
    return hosts;
}

/** A host's TLS files: required for `tcp://` (an open Docker API otherwise), refused elsewhere. */
function readTls(r: Reader, raw: unknown, path: string, dockerHost: string | undefined): HostSpec["tls"] {
    const isTcp = dockerHost?.startsWith("tcp://") ?? false;
    if (raw === undefined || raw === null) {
        if (isTcp) r.report(path, `is missing; a tcp:// Docker host needs TLS: give caFile, certFile and keyFile (paths on the machine running Pulumi), or use ssh://`);
        return undefined;
    }
    const obj = r.object(raw, path, true);
    if (!obj) return undefined;
    r.knownKeys(obj, path, TLS_KEYS);
    if (dockerHost !== undefined && !isTcp) r.report(path, `is only used with a tcp:// dockerHost; "${dockerHost}" does not use it, remove it`);
    const caFile = r.string(obj, "caFile", path, true, "give the path of the CA certificate that signed the Docker daemon's");
    const certFile = r.string(obj, "certFile", path, true, "give the path of the client certificate");
    const keyFile = r.string(obj, "keyFile", path, true, "give the path of the client key");
    return caFile && certFile && keyFile ? { caFile, certFile, keyFile } : undefined;
}

interface ScheduleSettings {
    start: number;
    spacing: number;
    groups: Record<string, { start?: number; end?: number; maxConcurrent?: number }>;
}

function readSchedule(r: Reader, raw: unknown): ScheduleSettings {
    const settings: ScheduleSettings = { start: parseClock(DEFAULTS.scheduleStart) as number, spacing: DEFAULTS.spacingMinutes, groups: {} };
    const obj = r.object(raw, "schedule", false);
    if (!obj) return settings;
    r.knownKeys(obj, "schedule", SCHEDULE_KEYS);
    settings.start = r.clock(obj, "start", "schedule") ?? settings.start;
    settings.spacing = r.number(obj, "spacingMinutes", "schedule", 1, "minutes") ?? settings.spacing;
    const groups = r.object(obj.groups, "schedule.groups", false) ?? {};
    for (const [name, value] of Object.entries(groups)) {
        const path = `schedule.groups.${name}`;
        const group = r.object(value, path, true);
        if (!group) continue;
        r.knownKeys(group, path, GROUP_KEYS);
        settings.groups[name] = {
            start: r.clock(group, "start", path),
            end: r.clock(group, "end", path),
            maxConcurrent: r.number(group, "maxConcurrent", path, 1, "backups"),
        };
    }
    return settings;
}

interface AppDraft {
    index: number;
    name: string;
    host: string;
    group: string;
    composeProject: string;
    explicitStart?: number;
    explicitSchedule?: string;
    expectedDuration?: number;
    retentionDays?: number;
    notifications: NotificationSettings;
    monitoring: { enabled?: boolean; port?: number; graceHours?: number };
    requireLabels?: boolean;
}

function readApps(r: Reader, raw: unknown, hosts: Record<string, HostSpec>, namePrefix: string, stackNotifications: unknown): AppDraft[] {
    if (raw === undefined || raw === null) {
        r.report("apps", "is missing; list the apps to back up (see README, Config reference)");
        return [];
    }
    if (!Array.isArray(raw)) {
        r.report("apps", `must be a list of apps, got ${describe(raw)}`);
        return [];
    }
    const drafts: AppDraft[] = [];
    const firstIndexOf = new Map<string, number>();
    raw.forEach((value, index) => {
        const path = `apps[${index}]`;
        const app = r.object(value, path, true);
        if (!app) return;
        r.knownKeys(app, path, APP_KEYS);
        const name = r.string(app, "name", path, true, 'give the app a name, e.g. name: "gitlab"');
        const host = r.string(app, "host", path, true, "name one of the hosts under platform-backups:hosts");
        const group = r.string(app, "group", path, true, 'name its storage group, e.g. group: "green"');
        const composeProject = r.string(app, "composeProject", path, false);
        const schedule = r.string(app, "schedule", path, false);
        const expectedDuration = r.number(app, "expectedDuration", path, 1, "minutes");
        const retentionDays = r.number(app, "retentionDays", path, 1, "days");
        const requireLabels = r.boolean(app, "requireLabels", path);
        for (const problem of notificationProblems(app.notifications, `${path}.notifications`, stackNotifications)) r.report(problem.path, problem.message);
        const notifications = readNotifications(app.notifications, `${path}.notifications`).settings;
        const monitoringObj = r.object(app.monitoring, `${path}.monitoring`, false) ?? {};
        r.knownKeys(monitoringObj, `${path}.monitoring`, APP_MONITORING_KEYS);
        const monitoring = {
            enabled: r.boolean(monitoringObj, "enabled", `${path}.monitoring`),
            port: r.number(monitoringObj, "port", `${path}.monitoring`, 1, "(port number)"),
            graceHours: r.number(monitoringObj, "graceHours", `${path}.monitoring`, 0, "hours"),
        };
        if (name !== undefined) {
            for (const problem of nameProblems(name, { namePrefix })) r.report(`${path}.name`, problem);
            const first = firstIndexOf.get(name);
            if (first !== undefined) r.report(`${path}.name`, `"${name}" is already apps[${first}]; each app appears once (rename one, or remove the duplicate)`);
            else firstIndexOf.set(name, index);
        }
        if (host !== undefined && !(host in hosts)) {
            const known = Object.keys(hosts);
            r.report(`${path}.host`, `"${host}" is not a known host; add it under platform-backups:hosts or use one of: ${known.join(", ") || "(none defined)"}`);
        }
        let explicitStart: number | undefined;
        if (schedule !== undefined) {
            const parsed = parseCron(schedule);
            for (const problem of parsed.problems) r.report(`${path}.schedule`, problem);
            explicitStart = parsed.start?.minuteOfDay;
        }
        if (name && host && group) {
            drafts.push({
                index,
                name,
                host,
                group,
                composeProject: composeProject ?? name,
                explicitStart,
                explicitSchedule: explicitStart !== undefined ? schedule : undefined,
                expectedDuration,
                retentionDays,
                notifications,
                monitoring,
                requireLabels,
            });
        }
    });
    return drafts;
}

interface MonitoringSettings {
    enabled: boolean;
    portBase: number;
    graceHours: number;
    refreshIntervalSeconds: number;
    runbookBaseUrl?: string;
}

function readMonitoring(r: Reader, raw: unknown): MonitoringSettings {
    const obj = r.object(raw, "monitoring", false) ?? {};
    r.knownKeys(obj, "monitoring", MONITORING_KEYS);
    return {
        enabled: r.boolean(obj, "enabled", "monitoring") ?? false,
        portBase: r.number(obj, "portBase", "monitoring", 1, "(port number)") ?? DEFAULTS.exporterPortBase,
        graceHours: r.number(obj, "graceHours", "monitoring", 0, "hours") ?? DEFAULT_GRACE_HOURS,
        refreshIntervalSeconds: r.number(obj, "refreshIntervalSeconds", "monitoring", 60, "seconds") ?? DEFAULT_REFRESH_INTERVAL_SECONDS,
        runbookBaseUrl: readRunbookBaseUrl(r, obj),
    };
}

function readRunbookBaseUrl(r: Reader, obj: Obj): string | undefined {
    const url = r.string(obj, "runbookBaseUrl", "monitoring", false);
    const problem = url === undefined ? undefined : runbookBaseUrlProblem(url);
    if (problem) r.report("monitoring.runbookBaseUrl", problem);
    return problem ? undefined : url;
}

/** The host part of a Docker host URL (`ssh://deploy@vm1:22` -> `vm1`). */
function hostNameOf(dockerHost: string): string {
    const authority = dockerHost.replace(/^[a-z]+:\/\//, "").split("/")[0];
    return authority.replace(/^.*@/, "").replace(/:\d+$/, "") || "localhost";
}

/**
 * Gives each monitored app a host port: explicit ones as given, the others the next free port
 * from `portBase` on their host, in config order (so appending an app moves no other exporter).
 */
function assignExporters(r: Reader, drafts: readonly AppDraft[], hosts: Record<string, HostSpec>, settings: MonitoringSettings): (AppMonitoringSpec | undefined)[] {
    const taken = new Map<string, Map<number, number>>();
    const use = (host: string, port: number, index: number) => {
        const ports = taken.get(host) ?? new Map<number, number>();
        taken.set(host, ports);
        const other = ports.get(port);
        if (other !== undefined) r.report(`apps[${index}].monitoring.port`, `${port} is already used by apps[${other}] on host ${host}; pick another port`);
        ports.set(port, index);
    };
    const enabled = drafts.map((d) => d.monitoring.enabled ?? settings.enabled);
    drafts.forEach((d, i) => {
        if (enabled[i] && d.monitoring.port !== undefined) use(d.host, d.monitoring.port, d.index);
    });
    // The next candidate port per host only moves forward: linear in the fleet, not quadratic.
    const nextCandidate = new Map<string, number>();
    return drafts.map((d, i) => {
        if (!enabled[i]) return undefined;
        let port = d.monitoring.port;
        if (port === undefined) {
            const ports = taken.get(d.host) ?? new Map<number, number>();
            port = nextCandidate.get(d.host) ?? settings.portBase;
            while (ports.has(port)) port++;
            nextCandidate.set(d.host, port + 1);
            use(d.host, port, d.index);
        }
        const host = hosts[d.host];
        const address = host ? (host.address ?? hostNameOf(host.dockerHost)) : d.host;
        return {
            port,
            address: `${address}:${port}`,
            graceHours: d.monitoring.graceHours ?? settings.graceHours,
            refreshIntervalSeconds: settings.refreshIntervalSeconds,
        };
    });
}

/**
 * Validates the stack config and builds the fleet. Returns every problem found; `fleet` is set
 * only when there is none.
 */
export function validateStackConfig(raw: RawStackConfig): { fleet?: Fleet; problems: ConfigProblem[] } {
    const r = new Reader();

    const minioObj = r.object(raw.minio, "minio", true);
    if (minioObj) r.knownKeys(minioObj, "minio", MINIO_KEYS);
    const endpoint = minioObj ? r.string(minioObj, "endpoint", "minio", true, 'give host[:port] of the MinIO S3 API, e.g. "minio.example.internal:9000"') : undefined;
    const endpointProblem = endpoint === undefined ? undefined : minioEndpointProblem(endpoint);
    if (endpointProblem) r.report("minio.endpoint", endpointProblem);
    const ssl = (minioObj && r.boolean(minioObj, "ssl", "minio")) ?? DEFAULTS.minioSsl;
    const region = minioObj ? r.string(minioObj, "region", "minio", false) : undefined;
    const caCert = minioObj ? r.string(minioObj, "caCert", "minio", false) : undefined;
    if (caCert !== undefined) for (const problem of caCertProblems(caCert)) r.report("minio.caCert", problem);
    const caCertPath = minioObj ? r.string(minioObj, "caCertPath", "minio", false) : undefined;
    if (caCertPath !== undefined && !caCertPath.startsWith("/")) r.report("minio.caCertPath", `"${caCertPath}" must be an absolute path of a PEM file on the app hosts`);
    if (caCert !== undefined && caCertPath !== undefined) r.report("minio", "caCert and caCertPath are both set; give the CA once, as PEM text (caCert) or as a path on the hosts (caCertPath)");

    const vaultObj = r.object(raw.vault, "vault", true);
    if (vaultObj) r.knownKeys(vaultObj, "vault", VAULT_KEYS);
    const vaultAddress = vaultObj ? r.string(vaultObj, "address", "vault", true, 'give the Vault URL, e.g. "https://vault.example.internal:8200"') : undefined;
    if (vaultAddress !== undefined && !/^https?:\/\/\S+$/.test(vaultAddress)) r.report("vault.address", `"${vaultAddress}" must be an http(s):// URL`);
    const vaultMount = (vaultObj && r.string(vaultObj, "mount", "vault", false)) ?? DEFAULTS.vaultMount;
    const vaultNamePrefix = (vaultObj && r.string(vaultObj, "namePrefix", "vault", false)) ?? DEFAULT_VAULT_NAME_PREFIX;
    const skipChildToken = (vaultObj && r.boolean(vaultObj, "skipChildToken", "vault")) ?? false;
    const maxLeaseTtlSeconds = vaultObj ? r.number(vaultObj, "maxLeaseTtlSeconds", "vault", 60, "seconds") : undefined;

    const timezone = r.string(raw, "timezone", "", false) ?? "UTC";
    if (!isTimeZone(timezone)) r.report("timezone", `"${timezone}" is not an IANA time zone; write e.g. "UTC" or "Europe/Berlin"`);
    const checkTimeoutSeconds = r.number(raw, "checkTimeoutSeconds", "", 10, "seconds") ?? DEFAULT_CHECK_TIMEOUT_SECONDS;
    if (checkTimeoutSeconds > 3600) r.report("checkTimeoutSeconds", `is ${checkTimeoutSeconds}; it must be at most 3600 seconds`);

    const namePrefix = r.string(raw, "namePrefix", "", false) ?? DEFAULT_NAME_PREFIX;
    const image = r.string(raw, "image", "", false) ?? DEFAULT_STACKBACK_IMAGE;
    for (const problem of imageProblems(image)) r.report("image", problem);
    const logLevel = r.string(raw, "logLevel", "", false);
    const initRepository = r.boolean(raw, "initRepository", "") ?? true;
    const retentionDays = r.number(raw, "retentionDays", "", 1, "days") ?? DEFAULTS.retentionDays;

    const hosts = readHosts(r, raw.hosts);
    const schedule = readSchedule(r, raw.schedule);
    const stackNotificationsRead = readNotifications(raw.notifications, "notifications");
    for (const problem of stackNotificationsRead.problems) r.report(problem.path, problem.message);
    const stackNotifications = stackNotificationsRead.settings;
    const monitoring = readMonitoring(r, raw.monitoring);
    const drafts = readApps(r, raw.apps, hosts, namePrefix, raw.notifications);
    const exporters = assignExporters(r, drafts, hosts, monitoring);

    for (const group of Object.keys(schedule.groups)) {
        if (!drafts.some((d) => d.group === group)) r.report(`schedule.groups.${group}`, "no app is in this group; remove it or fix the group's name");
    }

    const windows: Record<string, GroupWindow> = {};
    for (const draft of drafts) {
        const settings = schedule.groups[draft.group] ?? {};
        windows[draft.group] ??= {
            start: settings.start ?? schedule.start,
            ...(settings.end !== undefined ? { end: settings.end } : {}),
            maxConcurrent: settings.maxConcurrent ?? DEFAULTS.maxConcurrent,
        };
    }
    const requests: ScheduleRequest[] = drafts.map((d) => ({
        app: d.name,
        group: d.group,
        expectedDuration: d.expectedDuration ?? schedule.spacing,
        ...(d.explicitStart !== undefined ? { explicitStart: d.explicitStart } : {}),
    }));
    const plan = planSchedules(requests, (group) => windows[group]);
    for (const problem of plan.problems) {
        const draft = drafts[problem.index];
        r.report(draft.explicitStart !== undefined ? `apps[${draft.index}].schedule` : `apps[${draft.index}]`, problem.message);
    }

    if (r.problems.length > 0 || !endpoint || !vaultAddress) return { problems: r.problems };

    const apps: AppSpec[] = drafts.map((d, i) => ({
        name: d.name,
        host: d.host,
        group: d.group,
        composeProject: d.composeProject,
        schedule: d.explicitSchedule ?? plan.slots[i].cron,
        explicitSchedule: d.explicitSchedule !== undefined,
        expectedDuration: requests[i].expectedDuration,
        retentionDays: d.retentionDays ?? retentionDays,
        notifications: mergeNotifications(stackNotifications, d.notifications),
        ...(exporters[i] ? { monitoring: exporters[i] } : {}),
        requireLabels: d.requireLabels ?? true,
    }));
    return {
        problems: [],
        fleet: {
            hosts,
            apps,
            minio: { endpoint, ssl, ...(region ? { region } : {}), ...(caCert !== undefined ? { caCert } : {}), ...(caCertPath !== undefined ? { caCertPath } : {}) },
            vault: {
                address: vaultAddress,
                mount: vaultMount,
                namePrefix: vaultNamePrefix,
                skipChildToken,
                ...(maxLeaseTtlSeconds !== undefined ? { maxLeaseTtlSeconds } : {}),
            },
            timezone,
            checkTimeoutSeconds,
            monitoring: { ...(monitoring.runbookBaseUrl !== undefined ? { runbookBaseUrl: monitoring.runbookBaseUrl } : {}) },
            namePrefix,
            image,
            initRepository,
            ...(logLevel ? { logLevel } : {}),
            plan: { slots: plan.slots, windows },
        },
    };
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
                  },
              ]
            : [],
    );
}

/** Like {@link validateStackConfig}, but throws a {@link ConfigError} listing every problem. */
export function parseStackConfig(raw: RawStackConfig): Fleet {
    const { fleet, problems } = validateStackConfig(raw);
    if (!fleet) throw new ConfigError(problems);
    return fleet;
}

/**
 * Reads the `platform-backups:*` keys of a `Pulumi.<stack>.yaml` file, without the namespace.
 * `secure:` values stay encrypted objects; the pure fleet does not use them.
 */
export function readStackFile(path: string): RawStackConfig {
    const doc = (YAML.parse(fs.readFileSync(path, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const raw: RawStackConfig = {};
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        const prefix = `${CONFIG_NAMESPACE}:`;
        if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
    }
    return raw;
}

/** Reads and validates a stack file: what `npm run plan` and the tests use. */
export function loadStackFile(path: string): { fleet: Fleet; raw: RawStackConfig } {
    const raw = readStackFile(path);
    return { fleet: parseStackConfig(raw), raw };
}
