/**
 * Monitoring of each app's restic repository: the exporter container's settings, and the
 * Prometheus scrape config and alert rules generated from the monitored fleet.
 *
 * Why the repository and not the sidecar: stack-back's `rcb backup` exits 0 when a backup failed
 * and exposes no metrics, so the only trustworthy signal is the repository itself (its newest
 * snapshot and `restic check`). One ngosang/restic-exporter per app reads that app's repository
 * with a read-only MinIO user.
 *
 * Read-only works because the exporter runs every restic command with `--no-lock` (`snapshots`,
 * `stats`, `check` and `list locks`, in exporter/exporter.py of 2.0.0): it never writes a lock
 * file, so `s3:ListBucket`, `s3:GetBucketLocation` and `s3:GetObject` on the app's own bucket
 * (`resticReaderPolicy`) are all it needs. restic's local cache is written inside the container
 * (`EXPORTER_CACHE_PATH`), never to the bucket.
 *
 * Pure: no Pulumi import. The component wraps the env entries marked secret in `pulumi.secret`.
 */
import * as YAML from "yaml";
import { drillAlertRules, drillScrapeJob } from "./restoreDrill";
import {
    ALERTS,
    type AlertName,
    type AlertRule,
    type DrilledApp,
    type EnvEntry,
    QUOTA_ALERT,
    QUOTA_FORECAST_ALERT,
    type RuleFile,
    type ScrapeJob,
} from "./shapes";
import { plainEnv, resticAccessEnv } from "./stackback";

// Defined one floor lower (shapes.ts) and exported here as before.
export { ALERTS, QUOTA_ALERT, QUOTA_FORECAST_ALERT };
export type { AlertName, AlertRule, RuleFile, ScrapeJob };

/** The exporter image without a tag. */
export const EXPORTER_IMAGE_REPOSITORY = "ngosang/restic-exporter";

/**
 * The exporter release. Tags are plain semver without a `v` (its release workflow runs on tags
 * `*.*.*`). 2.0.2, because it serves an empty repository:
 * - 2.0.0 crash-loops on one: exporter/exporter.py (2.0.0) reads `stats_data["total_uncompressed_size"]`
 *   and `["compression_ratio"]`, which restic 0.18 leaves out when zero; the failed first refresh
 *   leaves `metrics` None and `collect()` then fails at registration. 2.0.1 guards `collect()`,
 *   2.0.2 reads those fields only when present.
 * - 2.1.0 asks `snapshots --latest 1` without `--group-by`, which restic 0.19 groups globally
 *   (fixed in 2.1.1, exporter.py `get_snapshots`).
 * 2.0.2's Dockerfile bundles restic 0.18.1, the same restic as stack-back v1.5.4's image.
 */
export const EXPORTER_VERSION = "2.0.2";

/** The pinned exporter image (never `latest`). */
export const EXPORTER_IMAGE = `${EXPORTER_IMAGE_REPOSITORY}:${EXPORTER_VERSION}`;

/** The port the exporter listens on inside its container (its `LISTEN_PORT` default, `EXPOSE 8001`). */
export const EXPORTER_PORT = 8001;

/** The path Prometheus scrapes (prometheus_client's default). */
export const EXPORTER_METRICS_PATH = "/metrics";

/**
 * Seconds between two reads of the repository. Each read lists snapshots, computes stats and runs
 * `restic check`, all of it against MinIO, so it stays rare; 3600 is the exporter's own default
 * since 2.0.0, set explicitly so an upgrade cannot change it.
 */
export const DEFAULT_REFRESH_INTERVAL_SECONDS = 3600;

/**
 * restic's cache inside the exporter container (README.md of 2.0.2: mount `/root/.cache/restic`;
 * the image runs as root and sets no XDG_CACHE_HOME). A named volume here keeps the cache across
 * container re-creation, so a restart does not download every index again.
 */
export const EXPORTER_CACHE_PATH = "/root/.cache/restic";

/**
 * Python run at the exporter's start instead of `/app/exporter.py` itself: it loads the exporter as
 * a module, makes the global `restic stats --mode raw-data --json` result carry
 * `total_blob_count: 0` when restic leaves it out, and then runs the exporter's own `main()`.
 *
 * Why: restic 0.18 and 0.19 print `total_blob_count` with `omitempty` (cmd/restic/cmd_stats.go,
 * `TotalBlobCount ... json:"total_blob_count,omitempty"`), so on a repository without a snapshot
 * the field is absent; restic-exporter 2.0.2 (exporter/exporter.py:413) and 2.1.2 (:427) read
 * `stats_data["total_blob_count"]`, the KeyError fails the whole refresh, and the exporter serves
 * HTTP 200 with no `restic_*` metric at all until the first backup. With the default added, an
 * empty repository reads `restic_snapshots_total 0` and `restic_check_success 1`: "no backup yet"
 * has a metric. Everything else is the exporter's own code. If a later release renames
 * `ResticCollector.get_stats_data`, the start fails loudly (the container restarts, and
 * `ResticExporterDown` fires) instead of silently serving nothing.
 * No single quote in it: it is embedded in `sh -c '...'` strings.
 */
export const EXPORTER_START_PYTHON = [
    'import sys; sys.path.insert(0, "/app"); import exporter',
    "stats = exporter.ResticCollector.get_stats_data",
    'exporter.ResticCollector.get_stats_data = lambda self, *a, **k: {"total_blob_count": 0, **stats(self, *a, **k)}',
    "exporter.main()",
].join("; ");

/**
 * The exporter's start command: the image's own interpreter (Dockerfile of 2.0.2:
 * `CMD ["/usr/local/bin/python", "-u", "/app/exporter.py"]`, behind tini) running
 * {@link EXPORTER_START_PYTHON}.
 */
export const EXPORTER_COMMAND: readonly string[] = ["/usr/local/bin/python", "-u", "-c", EXPORTER_START_PYTHON];

/** {@link EXPORTER_COMMAND} as one shell command, for a start that writes the CA first. */
export const EXPORTER_START = `/usr/local/bin/python -u -c '${EXPORTER_START_PYTHON}'`;

/** Where the exporter's start command writes a CA given as PEM text (`RESTIC_CACERT`). */
export const EXPORTER_CA_FROM_PEM = "/tmp/platform-backups/ca.pem";

/** Metric names of restic-exporter 2.0.2 (exporter/exporter.py, `collect`) that the rules and the runbook rely on. */
export const RESTIC_METRICS = {
    /** Unix time of the newest snapshot, one series per (snapshot host, user, paths). */
    backupTimestamp: "restic_backup_timestamp",
    /** 1 when the last `restic check` passed, 0 when it failed, 2 when checks are disabled. */
    checkSuccess: "restic_check_success",
    /** Number of snapshots in the repository. */
    snapshotsTotal: "restic_snapshots_total",
    /** Size of the repository in bytes (`restic stats --mode raw-data`). */
    sizeTotal: "restic_size_total",
    /** Size of the newest snapshot's data, per snapshot series. */
    backupSizeTotal: "restic_backup_size_total",
    /** Number of lock files in the repository. */
    locksTotal: "restic_locks_total",
    /** Seconds the last repository read took. */
    scrapeDurationSeconds: "restic_scrape_duration_seconds",
    /** Seconds restic took for the newest snapshot, per snapshot series; -1 when the snapshot does not say. */
    backupDurationSeconds: "restic_backup_duration_seconds",
} as const;

/**
 * The forecast of {@link QUOTA_FORECAST_ALERT}: `predict_linear` over {@link QUOTA_FORECAST.range}
 * of `restic_size_total`, looking {@link QUOTA_FORECAST.horizonDays} ahead. The repository grows
 * once a day (one backup), so the range spans several backups; a week ahead leaves time to raise
 * the quota by a reviewed deploy.
 */
export const QUOTA_FORECAST = { range: "3d", horizonDays: 7, for: "1h" } as const;

/**
 * The share of the quota at which {@link QUOTA_ALERT} fires. `restic_size_total` is the
 * repository's packed data (`stats --mode raw-data`); the bucket also holds indexes, snapshots and
 * the non-current versions kept for the retention period, which count against MinIO's quota too,
 * so the warning comes well before the quota.
 */
export const QUOTA_WARNING_RATIO = 0.8;

/** Severity per alert: data at risk is critical; a blind spot in monitoring is a warning. */
export const ALERT_SEVERITY: Readonly<Record<AlertName, "critical" | "warning">> = {
    ResticBackupStale: "critical",
    // Other path sets are fresh: the app is backed up, one database or the volumes are not.
    ResticPathSetStale: "warning",
    // Expected right after a deploy, until the first scheduled backup; ResticBackupMissing pages later.
    ResticNoBackupYet: "warning",
    ResticBackupMissing: "critical",
    ResticCheckFailed: "critical",
    ResticExporterDown: "warning",
    ResticExporterAbsent: "warning",
    // A drill that fails says the newest backup may not come back; a stale one is a blind spot.
    ResticRestoreDrillFailed: "critical",
    ResticRestoreDrillStale: "warning",
    // Backups still work; they stop when the quota is reached.
    ResticQuotaNearlyFull: "warning",
    ResticQuotaFullSoon: "warning",
};

/**
 * The page that is the runbook: `docs/monitoring.md`, with one heading per alert. An alert links to
 * `<runbookBaseUrl>#<alert name in lower case>` (GitHub's and GitLab's anchor for the heading);
 * `tests/runbookAnchors.test.ts` checks that every generated link has its heading there.
 */
export const RUNBOOK_PAGE = "docs/monitoring.md";

/** The page that is the runbook of the restore drill and quota alerts, beside `RUNBOOK_PAGE`. */
export const RESTORE_RUNBOOK_PAGE = "docs/restore.md";

// ---------------------------------------------------------------------------------------------
// The exporter container
// ---------------------------------------------------------------------------------------------

/** What the exporter container's environment is made of. */
export interface ExporterEnvOptions {
    /** The restic repository URL, the same as the sidecar's (`s3:https://<minio>/<bucket>`). */
    repository: string;
    /** The repository password (secret). */
    resticPassword: string;
    /** Access key of the app's read-only MinIO user (its user name). */
    accessKeyId: string;
    /** Secret key of the app's read-only MinIO user (secret). */
    secretAccessKey: string;
    /** Seconds between repository reads. Default {@link DEFAULT_REFRESH_INTERVAL_SECONDS}. */
    refreshIntervalSeconds?: number;
    /** Run `restic check` on each read. Default true; false emits `NO_CHECK`. */
    checkRepository?: boolean;
    /**
     * Put the snapshot paths into a `snapshot_paths` label. Default true: the staleness rule then
     * watches the volumes snapshot and each database dump separately.
     */
    includePaths?: boolean;
    /** Skip TLS verification of MinIO (self-signed certificates). Default false. */
    insecureTls?: boolean;
    /** S3 region for restic (`AWS_DEFAULT_REGION`), when MinIO is configured with one. */
    region?: string;
    /** Exporter log level, e.g. `INFO` or `DEBUG`. */
    logLevel?: string;
    /** Path of the CA file inside the container (`RESTIC_CACERT`); the exporter's restic inherits its environment. */
    caCertFile?: string;
    /** PEM text of that CA, written to `caCertFile` by the start command. */
    caCertPem?: string;
    /**
     * Time zone of the container. The exporter turns snapshot times into Unix time with the
     * container's local zone (it drops the offset restic wrote), so this must equal the sidecar's
     * zone. Leave both unset (UTC) unless the sidecar has a `TZ`.
     */
    timezone?: string;
}

/**
 * The exporter's environment, in a stable order (a changed order would recreate the container).
 *
 * A switch is emitted only to turn it on, never set to false: 2.0.0 read switches with
 * `bool(os.environ.get(...))`, where `false` turns them on; 2.0.2 reads them with
 * `parse_bool_env` (exporter/exporter.py), where `false`, `0` and `""` turn them off. Omitting a
 * switch means off in both.
 */
export function exporterEnv(options: ExporterEnvOptions): EnvEntry[] {
    const refresh = options.refreshIntervalSeconds ?? DEFAULT_REFRESH_INTERVAL_SECONDS;
    if (!Number.isInteger(refresh) || refresh < 60) {
        throw new RangeError(`refreshIntervalSeconds must be a whole number of at least 60 seconds, got ${refresh}`);
    }
    const plain = plainEnv;
    const on = (name: string): EnvEntry => plain(name, "true");

    const entries: EnvEntry[] = [...resticAccessEnv(options), plain("REFRESH_INTERVAL", String(refresh))];
    if (options.region) entries.push(plain("AWS_DEFAULT_REGION", options.region));
    if (options.includePaths ?? true) entries.push(on("INCLUDE_PATHS"));
    if (options.checkRepository === false) entries.push(on("NO_CHECK"));
    if (options.insecureTls === true) entries.push(on("INSECURE_TLS"));
    if (options.logLevel) entries.push(plain("LOG_LEVEL", options.logLevel));
    if (options.timezone) entries.push(plain("TZ", options.timezone));
    if (options.caCertFile) entries.push(plain("RESTIC_CACERT", options.caCertFile));
    if (options.caCertPem) entries.push(plain("PLATFORM_BACKUPS_CA_PEM", options.caCertPem));
    return entries;
}

/** Where one app's exporter runs. */
export interface ExporterIdentity {
    app: string;
    group: string;
    host: string;
}

/** Prefix of the labels this project puts on the containers it creates. */
export const CONTAINER_LABEL_PREFIX = "platform-backups";

/**
 * The exporter container's Docker labels. It deliberately carries no
 * `com.docker.compose.project` label: with the app's project label, stack-back would count the
 * exporter as one of the containers it may back up, stop and start.
 */
export function exporterLabels(identity: ExporterIdentity): Array<{ label: string; value: string }> {
    return [
        { label: `${CONTAINER_LABEL_PREFIX}.role`, value: "restic-exporter" },
        { label: `${CONTAINER_LABEL_PREFIX}.app`, value: identity.app },
        { label: `${CONTAINER_LABEL_PREFIX}.group`, value: identity.group },
        { label: `${CONTAINER_LABEL_PREFIX}.host`, value: identity.host },
    ];
}

// ---------------------------------------------------------------------------------------------
// Prometheus: scrape config and alert rules
// ---------------------------------------------------------------------------------------------

/** One monitored app, as Prometheus sees it. */
export interface MonitoredApp {
    /** The app's name (the `app` label on every series and alert). */
    app: string;
    /** Storage group (a label on every series and alert). */
    group: string;
    /** The VM the app runs on (a label; not the snapshot hostname, which changes). */
    host: string;
    /** `host:port` where Prometheus reaches the app's exporter. */
    exporterAddress: string;
    /** Hours between two backups: 24 for a daily schedule. */
    intervalHours: number;
    /** Extra hours before the snapshot counts as late; overrides {@link MonitoringOptions.graceHours}. */
    graceHours?: number;
    /** The exporter's refresh interval; overrides {@link MonitoringOptions.refreshIntervalSeconds}. */
    refreshIntervalSeconds?: number;
    /** The bucket's hard quota in bytes, when it has one: adds {@link QUOTA_ALERT} and {@link QUOTA_FORECAST_ALERT}. */
    quotaBytes?: number;
    /**
     * Path sets no longer backed up (`apps[].retiredPaths`), as the exporter's `snapshot_paths`
     * label shows them (the snapshot's paths, comma-joined). {@link ALERTS.pathSetStale} leaves them out.
     */
    retiredPaths?: readonly string[];
}

/** Settings of the generated Prometheus files; all optional. */
export interface MonitoringOptions {
    /** Scrape job name. Default `restic-exporter`. */
    jobName?: string;
    /** Rule group name. Default `platform-backups-restic`. */
    ruleGroupName?: string;
    /**
     * Hours a snapshot may be late beyond its interval. Default 2, so a daily job alerts at 26 h.
     * It must cover the backup's duration plus one exporter refresh: a snapshot's time is the
     * backup's start, and the exporter sees it only at its next read.
     */
    graceHours?: number;
    /** The exporter's refresh interval; the check alert waits longer than one. Default 3600. */
    refreshIntervalSeconds?: number;
    /** How long the exporter may be unreachable or missing before an alert. Default 15 minutes. */
    exporterDownMinutes?: number;
    /**
     * Absolute http(s) address of the runbook page (`RUNBOOK_PAGE` in your git web UI), e.g.
     * `https://git.example.com/platform/platform-backups/-/blob/main/docs/monitoring.md`. Each
     * alert then carries `runbook_url: <runbookBaseUrl>#<alert>`. Unset: no `runbook_url` at all,
     * since a relative link is dead in Alertmanager, chat and paging tools.
     */
    runbookBaseUrl?: string;
    /** Scrape interval of the job; unset uses Prometheus' global one. */
    scrapeInterval?: string;
    /** Scrape timeout of the job; unset uses Prometheus' global one. */
    scrapeTimeout?: string;
}

const DEFAULT_JOB_NAME = "restic-exporter";
const DEFAULT_RULE_GROUP = "platform-backups-restic";
/** Default grace: a daily job alerts at 26 hours. */
export const DEFAULT_GRACE_HOURS = 2;
const DEFAULT_EXPORTER_DOWN_MINUTES = 15;

/** `host:port`, where host is a DNS name, an IPv4 address or a bracketed IPv6 address. */
const ADDRESS_PATTERN = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;

/** Problems with a monitored fleet, as sentences with the entry they concern. Empty when fine. */
export function monitoringProblems(fleet: readonly MonitoredApp[]): string[] {
    const problems: string[] = [];
    const seen = new Map<string, number>();
    fleet.forEach((entry, index) => {
        const where = `monitoring fleet[${index}] (${entry.app})`;
        const first = seen.get(entry.app);
        if (first !== undefined) problems.push(`${where}: app "${entry.app}" is already fleet[${first}]; each app is monitored once`);
        else seen.set(entry.app, index);
        for (const key of ["app", "group", "host"] as const) {
            if (typeof entry[key] !== "string" || entry[key].trim() === "") problems.push(`${where}: ${key} must be a non-empty string`);
        }
        const address = ADDRESS_PATTERN.exec(entry.exporterAddress ?? "");
        if (!address || Number(address[2]) < 1 || Number(address[2]) > 65535) {
            problems.push(`${where}: exporterAddress "${entry.exporterAddress}" must be host:port, e.g. "vm1.example.internal:9181"`);
        }
        if (!(entry.intervalHours > 0)) problems.push(`${where}: intervalHours must be positive (24 for a daily backup), got ${entry.intervalHours}`);
        if (entry.graceHours !== undefined && !(entry.graceHours >= 0)) problems.push(`${where}: graceHours must be 0 or more, got ${entry.graceHours}`);
    });
    return problems;
}

function assertValidFleet(fleet: readonly MonitoredApp[], options: MonitoringOptions = {}): void {
    const problems = monitoringProblems(fleet);
    const urlProblem = options.runbookBaseUrl === undefined ? undefined : runbookBaseUrlProblem(options.runbookBaseUrl);
    if (urlProblem) problems.push(`runbookBaseUrl (monitoring.runbookBaseUrl): ${urlProblem}`);
    if (problems.length > 0) throw new Error(`Invalid monitoring fleet:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
}

/** A Prometheus duration in one unit (`26h`, `90m`, `45s`): every Prometheus version reads it. */
export function promDuration(seconds: number): string {
    const whole = Math.max(0, Math.round(seconds));
    if (whole % 3600 === 0) return `${whole / 3600}h`;
    if (whole % 60 === 0) return `${whole / 60}m`;
    return `${whole}s`;
}

/** A PromQL string literal. App, group and host names never need more than JSON's escaping. */
function quote(value: string): string {
    return JSON.stringify(value);
}

/** The label matchers that select one app's exporter series. Never the snapshot hostname. */
function selector(job: string, app: string): string {
    return `{job=${quote(job)},app=${quote(app)}}`;
}

/** Seconds since the app's newest snapshot of any path set and any hostname (one series, no labels). */
export function newestBackupAgeExpr(job: string, app: string): string {
    return `time() - max(${RESTIC_METRICS.backupTimestamp}${selector(job, app)})`;
}

/** Seconds since the newest snapshot of each path set (label `snapshot_paths`), retired sets left out. */
export function pathSetAgeExpr(job: string, app: string, retiredPaths: readonly string[]): string {
    const retired = retiredPaths.map((p) => `,snapshot_paths!=${quote(p)}`).join("");
    return `time() - max by (snapshot_paths) (${RESTIC_METRICS.backupTimestamp}{job=${quote(job)},app=${quote(app)}${retired}})`;
}

/**
 * 1 while the app's exporter is up and shows no snapshot: "no backup yet", for alerts and
 * dashboards alike, whatever the exporter release (see {@link ALERTS.noBackupYet}).
 */
export function noBackupYetExpr(job: string, app: string): string {
    const sel = selector(job, app);
    return `(absent(${RESTIC_METRICS.backupTimestamp}${sel}) and on() (up${sel} == 1)) or on() (${RESTIC_METRICS.snapshotsTotal}${sel} == 0)`;
}

/** Seconds after which an app's newest snapshot counts as stale. */
export function staleAfterSeconds(entry: MonitoredApp, options: MonitoringOptions = {}): number {
    const grace = entry.graceHours ?? options.graceHours ?? DEFAULT_GRACE_HOURS;
    return Math.round((entry.intervalHours + grace) * 3600);
}

/**
 * Why `url` cannot be the base of runbook links, or undefined. Alertmanager and Grafana show
 * `runbook_url` as a link outside the repository, so it must be an absolute http(s) URL.
 */
export function runbookBaseUrlProblem(url: string): string | undefined {
    try {
        const parsed = new URL(url);
        if (parsed.protocol === "https:" || parsed.protocol === "http:") return undefined;
    } catch {
        // falls through to the message
    }
    return `"${url}" is not an absolute http(s) URL; give the address of docs/monitoring.md in your git web UI, e.g. "https://git.example.com/platform/platform-backups/-/blob/main/docs/monitoring.md"`;
}

/** The runbook link of one alert (its heading in `RUNBOOK_PAGE`), or undefined without a base URL. */
export function runbookUrl(alert: AlertName, options: MonitoringOptions = {}): string | undefined {
    if (options.runbookBaseUrl === undefined) return undefined;
    return `${options.runbookBaseUrl}#${alert.toLowerCase()}`;
}

/** `{ runbook_url: <page>#<alert> }`, or nothing without a page: a relative link is dead where alerts are read. */
export function runbookAnnotation(page: string | undefined, alert: string): { runbook_url?: string } {
    return page === undefined ? {} : { runbook_url: `${page}#${alert.toLowerCase()}` };
}

/**
 * The page of the restore drill and quota runbooks ({@link RESTORE_RUNBOOK_PAGE}), as an absolute URL
 * beside docs/monitoring.md (the page `runbookBaseUrl` names); undefined without a base URL.
 */
export function restoreRunbookPage(options: MonitoringOptions = {}): string | undefined {
    if (options.runbookBaseUrl === undefined) return undefined;
    return new URL(RESTORE_RUNBOOK_PAGE.slice(RESTORE_RUNBOOK_PAGE.lastIndexOf("/") + 1), options.runbookBaseUrl).href;
}

/** The repository size at which {@link QUOTA_ALERT} fires for an app with a quota ({@link QUOTA_WARNING_RATIO} of it), else undefined. */
export function quotaWarningBytes(entry: MonitoredApp): number | undefined {
    return entry.quotaBytes === undefined ? undefined : Math.floor(entry.quotaBytes * QUOTA_WARNING_RATIO);
}

/**
 * The quota alert of an app with a bucket quota: the repository's size has reached
 * {@link QUOTA_WARNING_RATIO} of the quota, for 30 minutes (two exporter reads at most apart by
 * its refresh interval would otherwise both be needed; the value holds between reads).
 */
export function quotaAlertRule(entry: MonitoredApp, options: MonitoringOptions = {}): AlertRule | undefined {
    const threshold = quotaWarningBytes(entry);
    if (entry.quotaBytes === undefined || threshold === undefined) return undefined;
    const job = options.jobName ?? DEFAULT_JOB_NAME;
    const gib = (bytes: number) => `${Math.round((bytes / 2 ** 30) * 10) / 10} GiB`;
    return {
        alert: QUOTA_ALERT,
        expr: `${RESTIC_METRICS.sizeTotal}${selector(job, entry.app)} >= ${threshold}`,
        for: "30m",
        labels: { severity: ALERT_SEVERITY[QUOTA_ALERT], app: entry.app, group: entry.group, host: entry.host },
        annotations: {
            summary: `The restic repository of ${entry.app} holds ${Math.round(QUOTA_WARNING_RATIO * 100)}% of its ${gib(entry.quotaBytes)} bucket quota`,
            description:
                `The restic repository of ${entry.app} (group ${entry.group}, host ${entry.host}) is at least ${gib(threshold)} of its bucket's hard quota of ${gib(entry.quotaBytes)}. ` +
                `MinIO refuses every write once the quota is reached, and stack-back's backups then fail (exiting 0): raise quotaGiB or shorten retention.`,
            ...runbookAnnotation(restoreRunbookPage(options), QUOTA_ALERT),
        },
    };
}

/**
 * The forecast alert of an app with a bucket quota: `predict_linear` over the repository's size
 * reaches the quota within {@link QUOTA_FORECAST.horizonDays} days. Beside {@link QUOTA_ALERT}: a
 * fast-growing repository far below 80% warns in time, a full but flat one does not.
 */
export function quotaForecastAlertRule(entry: MonitoredApp, options: MonitoringOptions = {}): AlertRule | undefined {
    if (entry.quotaBytes === undefined) return undefined;
    const job = options.jobName ?? DEFAULT_JOB_NAME;
    const horizon = QUOTA_FORECAST.horizonDays * 86400;
    const gib = `${Math.round((entry.quotaBytes / 2 ** 30) * 10) / 10} GiB`;
    return {
        alert: QUOTA_FORECAST_ALERT,
        expr: `predict_linear(${RESTIC_METRICS.sizeTotal}${selector(job, entry.app)}[${QUOTA_FORECAST.range}], ${horizon}) >= ${entry.quotaBytes}`,
        for: QUOTA_FORECAST.for,
        labels: { severity: ALERT_SEVERITY[QUOTA_FORECAST_ALERT], app: entry.app, group: entry.group, host: entry.host },
        annotations: {
            summary: `The restic repository of ${entry.app} will fill its ${gib} bucket quota within ${QUOTA_FORECAST.horizonDays} days`,
            description:
                `At its growth over the last ${QUOTA_FORECAST.range}, the restic repository of ${entry.app} (group ${entry.group}, host ${entry.host}) reaches its bucket's hard quota of ${gib} within ${QUOTA_FORECAST.horizonDays} days. ` +
                `At the quota MinIO refuses every write, lock files included, so not even forget/prune can run: raise quotaGiB before then.`,
            ...runbookAnnotation(restoreRunbookPage(options), QUOTA_FORECAST_ALERT),
        },
    };
}

/** The rule maker of one app: its labels (severity by alert) and annotations (runbook link when configured). */
function appRule(entry: MonitoredApp, options: MonitoringOptions) {
    return (alert: AlertName, expr: string, forDuration: string, summary: string, description: string): AlertRule => ({
        alert,
        expr,
        for: forDuration,
        labels: { severity: ALERT_SEVERITY[alert], app: entry.app, group: entry.group, host: entry.host },
        annotations: { summary, description, ...runbookAnnotation(options.runbookBaseUrl, alert) },
    });
}

/**
 * The alert rules of one app. Rules are per app so that each carries its own threshold, every
 * app is covered even when its exporter never reported (`absent` must name the app), and alerts
 * carry `app`, `group` and `host` from the fleet rather than from whatever series survived.
 */
export function appAlertRules(entry: MonitoredApp, options: MonitoringOptions = {}): AlertRule[] {
    const job = options.jobName ?? DEFAULT_JOB_NAME;
    const sel = selector(job, entry.app);
    const staleAfter = staleAfterSeconds(entry, options);
    const refresh = entry.refreshIntervalSeconds ?? options.refreshIntervalSeconds ?? DEFAULT_REFRESH_INTERVAL_SECONDS;
    const downFor = promDuration((options.exporterDownMinutes ?? DEFAULT_EXPORTER_DOWN_MINUTES) * 60);
    const who = `${entry.app} (group ${entry.group}, host ${entry.host})`;
    const rule = appRule(entry, options);

    return [
        // App level: the newest snapshot of any path set and any snapshot hostname (the sidecar's
        // hostname is its container id and changes when it is re-created).
        rule(
            ALERTS.backupStale,
            `${newestBackupAgeExpr(job, entry.app)} > ${staleAfter}`,
            "5m",
            `No fresh backup of ${entry.app} for more than ${promDuration(staleAfter)}`,
            `The newest snapshot of any kind (volumes or database dump) of ${who} is {{ $value | humanizeDuration }} old; ` +
                `a backup runs every ${entry.intervalHours} h. stack-back exits 0 on failure: read its logs.`,
        ),
        // Path-set level: one set stale while the app as a whole is fresh (that case is the
        // critical alert above). Retired sets are left out: their newest snapshot only ages.
        rule(
            ALERTS.pathSetStale,
            `${pathSetAgeExpr(job, entry.app, entry.retiredPaths ?? [])} > ${staleAfter} unless on() (${newestBackupAgeExpr(job, entry.app)} > ${staleAfter})`,
            "5m",
            `The path set {{ $labels.snapshot_paths }} of ${entry.app} has no fresh snapshot`,
            `The newest snapshot of ${who} for paths "{{ $labels.snapshot_paths }}" is {{ $value | humanizeDuration }} old while its other path sets are fresh: ` +
                `a database or volume stopped being backed up. If it was removed on purpose, list it in apps[].retiredPaths.`,
        ),
        // From the first scrape: the exporter answers, no snapshot is there (yet). Exporter 2.0.2
        // and 2.1.2 serve no restic_* series at all for an empty repository (their stats read
        // `total_blob_count`, which restic 0.18 leaves out when zero); a release that serves a zero
        // snapshot count is caught by the `or`.
        rule(
            ALERTS.noBackupYet,
            noBackupYetExpr(job, entry.app),
            "0s",
            `No backup of ${entry.app} yet`,
            `The exporter of ${who} answers, but the repository shows no snapshot yet (or the exporter cannot read it: see its logs). ` +
                `Expected after a deploy until the first scheduled backup; ${ALERTS.backupMissing} pages after ${promDuration(staleAfter)}.`,
        ),
        // The exporter answers but the repository has no snapshot: the first backup never
        // succeeded. Waits one interval plus grace so that a newly added app is not flagged.
        rule(
            ALERTS.backupMissing,
            `absent(${RESTIC_METRICS.backupTimestamp}${sel}) and on(app) (up${sel} == 1)`,
            promDuration(staleAfter),
            `The restic repository of ${entry.app} has no snapshot`,
            `The exporter of ${who} reads the repository, but it holds no snapshot after ${promDuration(staleAfter)}: no backup has ever succeeded.`,
        ),
        // The exporter runs `check --no-lock`, which can fail while stack-back prunes right after
        // a backup; the value then holds until the next read. Longer than one refresh interval
        // means two reads in a row failed.
        rule(
            ALERTS.checkFailed,
            `${RESTIC_METRICS.checkSuccess}${sel} == 0`,
            promDuration(refresh + 1800),
            `restic check failed on the repository of ${entry.app}`,
            `restic check reported errors on the repository of ${who} on consecutive reads; restores may fail.`,
        ),
        rule(
            ALERTS.exporterDown,
            `up${sel} == 0`,
            downFor,
            `The restic exporter of ${entry.app} is down`,
            `Prometheus cannot scrape the restic exporter of ${who} at {{ $labels.instance }}: backups of ${entry.app} are not monitored.`,
        ),
        rule(
            ALERTS.exporterAbsent,
            `absent(up${sel})`,
            downFor,
            `The restic exporter of ${entry.app} is not scraped`,
            `Prometheus has no target for the restic exporter of ${who} (job ${job}): the scrape config is missing or outdated.`,
        ),
    ];
}

/**
 * The Prometheus rule file for the whole fleet: every alert of `ALERTS` for every monitored
 * app, `QUOTA_ALERT` for those with a quota, and the two drill alerts
 * (`DRILL_ALERTS`) for every app of `drills`.
 */
export function alertRules(fleet: readonly MonitoredApp[], options: MonitoringOptions = {}, drills: readonly DrilledApp[] = []): RuleFile {
    assertValidFleet(fleet, options);
    const quota = fleet.flatMap((entry) =>
        [quotaAlertRule(entry, options), quotaForecastAlertRule(entry, options)].filter((r): r is AlertRule => r !== undefined),
    );
    const drillRules: AlertRule[] = drills.flatMap((entry) => drillAlertRules(entry, { runbookPageUrl: restoreRunbookPage(options) }));
    return {
        groups: [
            {
                name: options.ruleGroupName ?? DEFAULT_RULE_GROUP,
                rules: [...fleet.flatMap((entry) => appAlertRules(entry, options)), ...quota, ...drillRules],
            },
        ],
    };
}

/** A scrape config file (for `scrape_config_files`, or to paste under `scrape_configs`). */
export interface ScrapeConfigFile {
    /** The exporters' job and, with drills, the drills' job. */
    scrape_configs: ScrapeJob[];
}

/**
 * One scrape job with a target per app. `app`, `group` and `host` become target labels, so every
 * series of an exporter carries them; the exporter's own labels describe snapshots only.
 */
export function scrapeConfig(fleet: readonly MonitoredApp[], options: MonitoringOptions = {}, drills: readonly DrilledApp[] = []): ScrapeConfigFile {
    assertValidFleet(fleet);
    const job: ScrapeJob = {
        job_name: options.jobName ?? DEFAULT_JOB_NAME,
        metrics_path: EXPORTER_METRICS_PATH,
        ...(options.scrapeInterval ? { scrape_interval: options.scrapeInterval } : {}),
        ...(options.scrapeTimeout ? { scrape_timeout: options.scrapeTimeout } : {}),
        static_configs: fleet.map((entry) => ({
            targets: [entry.exporterAddress],
            labels: { app: entry.app, group: entry.group, host: entry.host },
        })),
    };
    // The drills' metrics servers are a job of their own: their series never mix with the exporters'.
    const drillJob = drills.length > 0 ? [{ ...drillScrapeJob(drills), ...scrapeTiming(options) }] : [];
    return { scrape_configs: [...(fleet.length > 0 || drills.length === 0 ? [job] : []), ...drillJob] };
}

function scrapeTiming(options: MonitoringOptions): Partial<ScrapeJob> {
    return {
        ...(options.scrapeInterval ? { scrape_interval: options.scrapeInterval } : {}),
        ...(options.scrapeTimeout ? { scrape_timeout: options.scrapeTimeout } : {}),
    };
}

/** YAML text of a generated file, with a header that says where it comes from. */
export function toYaml(document: RuleFile | ScrapeConfigFile | object, header = "Generated by platform-backups; do not edit by hand."): string {
    const doc = new YAML.Document(document);
    if (header) doc.commentBefore = ` ${header}`;
    // lineWidth 0: never fold a PromQL expression over several lines.
    return doc.toString({ lineWidth: 0 });
}
