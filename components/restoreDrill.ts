/**
 * Scheduled restore drills: proof, every day, that the newest backup of an app comes back.
 *
 * One drill container per app, on the app's host, runs daily outside its storage group's backup
 * windows (components/drillSlots.ts). Each run, with the app's READ-ONLY MinIO identity and `--no-lock`:
 *   1. takes the newest snapshot of each path set (`snapshots --latest 1 --group-by paths`: the
 *      volumes snapshot and each database dump; never grouped by host, which changes whenever
 *      stack-back's container is recreated),
 *   2. restores a sample of its files into a scratch directory with `restore --verify` (restic
 *      reads the restored files back and compares them with the snapshot),
 *   3. runs `check --read-data-subset=<n>/<N>`, n rotating with the day number, so every pack of
 *      the repository is read once per N-day cycle,
 *   4. writes Prometheus metrics ({@link DRILL_METRICS}) that a tiny HTTP server serves.
 *
 * Nothing it does can modify the repository, twice over: the MinIO identity may only list and
 * read (see restoreAccess.ts, `restoreIdentityProblems`), and `--no-lock` puts restic 0.18 in
 * dry-run mode where every write to the backend is dropped.
 *
 * The image is stack-back's pinned image, already on the host: it is `restic/restic:0.18.1` plus
 * `dcron` and a uv-installed Python 3.14 on PATH (lawndoc/stack-back v1.5.4, src/Dockerfile,
 * src/.python-version). `python3 -m http.server` would serve the metrics file as
 * `application/octet-stream`, which Prometheus 3 refuses to parse without
 * `fallback_scrape_protocol`; the 20-line server here sends Prometheus' text content type.
 *
 * Pure: no Pulumi import. The component turns {@link drillContainerSpec} into a `docker.Container`.
 */
import { readAsset } from "./assets";
import { type AlertRule, DRILL_ALERTS, type DrilledApp, type EnvEntry, type ScrapeJob } from "./shapes";
import { DEFAULT_STACKBACK_IMAGE, plainEnv, resticAccessEnv } from "./stackback";

// Defined one floor lower (shapes.ts) and exported here as before.
export { DRILL_ALERTS };
export type { DrilledApp };

/** The drill image: stack-back's own pinned image (restic 0.18.1, sh, python3, dcron). */
export const DRILL_IMAGE = DEFAULT_STACKBACK_IMAGE;

/** Port of the metrics server inside the drill container. */
export const DRILL_METRICS_PORT = 9199;

/** The path Prometheus scrapes. */
export const DRILL_METRICS_PATH = "/metrics";

/** Where the drill's files are uploaded inside the container. */
export const DRILL_DIR = "/drill";

/** Where the metrics file lives inside the container (a volume keeps the last success across re-creation). */
export const DRILL_METRICS_DIR = "/srv/drill";

/** Scratch space for the restored sample; emptied at the start of every run. */
export const DRILL_SCRATCH_DIR = "/scratch";

/** Defaults of a drill. */
export const DRILL_DEFAULTS = {
    /** Days in which `check --read-data-subset` reads the whole repository once (restic allows at most 256 slices). */
    checkSlices: 30,
    /** Files restored from each snapshot at most. */
    sampleFiles: 50,
    /** Bytes restored from each snapshot at most (256 MiB). */
    sampleBytes: 256 * 1024 * 1024,
    /** Minutes a drill is expected to take; the planner holds this much time free of backups. */
    expectedDuration: 60,
    /** Minutes kept free between a backup window's end and a drill. */
    gapMinutes: 30,
    /** Hours a drill may be overdue before it counts as stale. */
    graceHours: 6,
} as const;

/** restic's limit on `--read-data-subset=n/t` (v0.18.0, cmd/restic/cmd_check.go `totalBucketsMax`). */
export const MAX_CHECK_SLICES = 256;

/** The metrics a drill writes (Prometheus text format, no labels: the scrape adds app, group, host). */
export const DRILL_METRICS = {
    /** Unix time the drill container started (keeps "never succeeded" distinguishable from "no data"). */
    started: "restic_drill_started_timestamp_seconds",
    /** Unix time of the last drill run, successful or not. */
    lastRun: "restic_drill_last_run_timestamp_seconds",
    /** Unix time of the last successful drill; absent until the first success. */
    lastSuccess: "restic_drill_last_success_timestamp_seconds",
    /** 1 when the last drill passed, 0 when it failed. */
    success: "restic_drill_success",
    /** Seconds the last drill took. */
    duration: "restic_drill_duration_seconds",
    /** Bytes the last drill restored (and verified). */
    bytesRestored: "restic_drill_bytes_restored",
    /** Files the last drill restored, with their parent directories (restic's `files_restored`, v0.18.1 internal/restorer/restorer.go). */
    filesRestored: "restic_drill_files_restored",
    /** Snapshots (path sets) the last drill restored a sample of. */
    snapshotsRestored: "restic_drill_snapshots_restored",
    /** The slice the last `check --read-data-subset` read, 1..slices. */
    checkSlice: "restic_drill_check_slice",
    /** The number of slices of the cycle. */
    checkSlices: "restic_drill_check_slices",
} as const;

/** Days since the Unix epoch (UTC), the drill's clock for the check rotation. */
export function dayNumber(date: Date): number {
    return Math.floor(date.getTime() / 86_400_000);
}

/**
 * The `--read-data-subset` slice of a day: `n/N` with n = day mod N + 1, so N consecutive daily
 * drills read every slice once. The script computes the same from `date +%s`.
 */
export function checkSubsetForDay(date: Date, slices: number = DRILL_DEFAULTS.checkSlices): string {
    if (!Number.isInteger(slices) || slices < 1 || slices > MAX_CHECK_SLICES) {
        throw new RangeError(`slices must be a whole number 1-${MAX_CHECK_SLICES} (restic's limit), got ${slices}`);
    }
    return `${(dayNumber(date) % slices) + 1}/${slices}`;
}

// ---------------------------------------------------------------------------------------------
// The files inside the container (components/assets/, uploaded byte for byte). Their literal
// paths, defaults and metric names are this module's constants; tests/restoreDrill.test.ts holds
// them equal.
// ---------------------------------------------------------------------------------------------

/**
 * The drill itself, POSIX sh (the image's busybox ash; checked with `shellcheck -s sh`). Settings
 * come from the environment ({@link drillEnv}); restic reads RESTIC_REPOSITORY, RESTIC_PASSWORD,
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and RESTIC_CACERT) from it too. Every restic call
 * carries `--no-lock`. The file: `components/assets/drill.sh`.
 */
export const DRILL_SCRIPT = readAsset("drill.sh");

/**
 * The JSON helper of the drill (no jq in the image). Three filters over restic's JSON:
 * `ids` (snapshot ids of `snapshots --json`), `sample N BYTES DAY` (include patterns for a sample
 * of the files of `ls --json`, rotating with the day), `restored` ("bytes files" of the summary of
 * `restore --json`). The file: `components/assets/drill_helper.py`, uploaded as `drill.py`.
 */
export const DRILL_HELPER = readAsset("drill_helper.py");

/** The metrics server: serves the metrics file with Prometheus' text content type (`components/assets/drill_metrics.py`, uploaded as `metrics_server.py`). */
export const DRILL_METRICS_SERVER = readAsset("drill_metrics.py");

/**
 * The container's command. Cron jobs do not inherit the container's environment, so it is saved
 * (quoted by the shell's own `export -p`) to a root-only file the job sources, as stack-back
 * does with `/.env`. The first metrics file holds only the start time; the server and cron run as
 * children of the shell, which stays PID 1 and waits for cron, like stack-back's entrypoint
 * (dcron cannot be PID 1: its `setpgid(0, 0)` fails for a session leader). The file:
 * `components/assets/drill_entrypoint.sh`, uploaded as `entrypoint.sh`.
 */
export const DRILL_ENTRYPOINT = readAsset("drill_entrypoint.sh");

// ---------------------------------------------------------------------------------------------
// The container
// ---------------------------------------------------------------------------------------------

/** What one app's drill container is made of. Secret values may be placeholders the caller swaps. */
export interface DrillOptions {
    app: string;
    group: string;
    host: string;
    /** The app's repository URL (`s3:https://<minio>/<bucket>`). */
    repository: string;
    /** The repository password (secret). */
    resticPassword: string;
    /** Access key of the app's READ-ONLY MinIO user. */
    accessKeyId: string;
    /** Secret key of the app's read-only MinIO user (secret). */
    secretAccessKey: string;
    /** When the drill runs: `M H * * *`, from the drill planner (components/drillSlots.ts). */
    schedule: string;
    /** Host port Prometheus scrapes the drill's metrics on; unique per host. */
    port: number;
    /** The image, pinned. Default {@link DRILL_IMAGE}. */
    image?: string;
    /** Container time zone (the fleet's); cron runs in it. */
    timezone?: string;
    /** Slices of the check cycle (days to read the whole repository). Default 30. */
    checkSlices?: number;
    sampleFiles?: number;
    sampleBytes?: number;
    /** Path of MinIO's CA certificate inside the container (mounted by the caller), for `RESTIC_CACERT`. */
    caCertPath?: string;
    /** S3 region, when MinIO has one. */
    region?: string;
}

/** The drill container's environment, in a stable order. */
export function drillEnv(options: DrillOptions): EnvEntry[] {
    const plain = plainEnv;
    const entries: EnvEntry[] = [
        ...resticAccessEnv(options),
        plain("DRILL_SCHEDULE", options.schedule),
        plain("DRILL_CHECK_SLICES", String(options.checkSlices ?? DRILL_DEFAULTS.checkSlices)),
        plain("DRILL_SAMPLE_FILES", String(options.sampleFiles ?? DRILL_DEFAULTS.sampleFiles)),
        plain("DRILL_SAMPLE_BYTES", String(options.sampleBytes ?? DRILL_DEFAULTS.sampleBytes)),
        plain("DRILL_METRICS_PORT", String(DRILL_METRICS_PORT)),
    ];
    if (options.region) entries.push(plain("AWS_DEFAULT_REGION", options.region));
    if (options.caCertPath) entries.push(plain("RESTIC_CACERT", options.caCertPath));
    if (options.timezone) entries.push(plain("TZ", options.timezone));
    return entries;
}

/** A container as the Docker provider takes it, minus what the component adds (image pull, secrets). */
export interface DrillContainerSpec {
    name: string;
    image: string;
    command: string[];
    envs: EnvEntry[];
    uploads: Array<{ file: string; content: string; executable: boolean }>;
    labels: Array<{ label: string; value: string }>;
    ports: Array<{ internal: number; external: number }>;
    /** A named volume for the metrics (keeps the last success across re-creation). */
    volumes: Array<{ volumeName: string; containerPath: string }>;
    restart: "unless-stopped";
}

/** Problems with drill options, as sentences naming the option. Empty when fine. */
export function drillProblems(options: DrillOptions): string[] {
    const problems: string[] = [];
    const slices = options.checkSlices ?? DRILL_DEFAULTS.checkSlices;
    if (!Number.isInteger(slices) || slices < 1 || slices > MAX_CHECK_SLICES)
        problems.push(`checkSlices: ${slices} must be a whole number 1-${MAX_CHECK_SLICES}`);
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) problems.push(`port: ${options.port} must be a port number, 1-65535`);
    if (!/^\d{1,2} \d{1,2} \* \* \*$/.test(options.schedule)) problems.push(`schedule: "${options.schedule}" must be a daily cron "M H * * *"`);
    for (const key of ["sampleFiles", "sampleBytes"] as const) {
        const v = options[key];
        if (v !== undefined && (!Number.isInteger(v) || v < 1)) problems.push(`${key}: ${v} must be a whole number, at least 1`);
    }
    return problems;
}

/**
 * One app's drill container. No Docker socket, no `com.docker.compose.project` label (stack-back
 * would otherwise count it among the app's containers), only the read-only identity.
 */
export function drillContainerSpec(options: DrillOptions): DrillContainerSpec {
    const problems = drillProblems(options);
    if (problems.length > 0) throw new RangeError(`invalid restore drill for ${options.app}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    return {
        name: `${options.app}_restore_drill`,
        image: options.image ?? DRILL_IMAGE,
        command: ["sh", `${DRILL_DIR}/entrypoint.sh`],
        envs: drillEnv(options),
        uploads: [
            { file: `${DRILL_DIR}/entrypoint.sh`, content: DRILL_ENTRYPOINT, executable: true },
            { file: `${DRILL_DIR}/drill.sh`, content: DRILL_SCRIPT, executable: true },
            { file: `${DRILL_DIR}/drill.py`, content: DRILL_HELPER, executable: false },
            { file: `${DRILL_DIR}/metrics_server.py`, content: DRILL_METRICS_SERVER, executable: false },
        ],
        labels: [
            { label: "platform-backups.role", value: "restore-drill" },
            { label: "platform-backups.app", value: options.app },
            { label: "platform-backups.group", value: options.group },
            { label: "platform-backups.host", value: options.host },
        ],
        ports: [{ internal: DRILL_METRICS_PORT, external: options.port }],
        volumes: [{ volumeName: `${options.app}_restore_drill_metrics`, containerPath: DRILL_METRICS_DIR }],
        restart: "unless-stopped",
    };
}

// ---------------------------------------------------------------------------------------------
// Planning: outside the backup windows of the group
// ---------------------------------------------------------------------------------------------

/** A planned drill. */
export interface DrillSlot {
    /** The app's name. */
    app: string;
    /** Its storage group, whose backups the drill keeps clear of. */
    group: string;
    /** Start, minutes after midnight (0-1439). */
    start: number;
    /** Expected end (start + duration; may pass 1440). */
    end: number;
    /** The drill's daily cron, `M H * * *`. */
    cron: string;
}

// ---------------------------------------------------------------------------------------------
// Prometheus
// ---------------------------------------------------------------------------------------------

/** The scrape job name of the drills. */
export const DRILL_JOB_NAME = "restore-drill";

/** The scrape job of the drills: one target per app, with app, group and host as target labels. */
export function drillScrapeJob(apps: readonly DrilledApp[], jobName = DRILL_JOB_NAME): ScrapeJob {
    return {
        job_name: jobName,
        metrics_path: DRILL_METRICS_PATH,
        static_configs: apps.map((a) => ({ targets: [a.address], labels: { app: a.app, group: a.group, host: a.host } })),
    };
}

/** Seconds after which an app's last successful drill counts as stale ({@link DRILL_ALERTS}.stale): a day plus grace. */
export function drillStaleAfterSeconds(entry: DrilledApp): number {
    return Math.round(((entry.intervalHours ?? 24) + (entry.graceHours ?? DRILL_DEFAULTS.graceHours)) * 3600);
}

/**
 * The two drill alerts of one app, shaped like monitoring.ts's rules (labels app, group, host,
 * severity). `alert` is typed wider than monitoring's `AlertName`; the wiring phase adds
 * {@link DRILL_ALERTS} to that union.
 */
export function drillAlertRules(
    entry: DrilledApp,
    options: { jobName?: string; /** Absolute URL of docs/restore.md; without it no alert carries a runbook_url. */ runbookPageUrl?: string } = {},
): Array<Omit<AlertRule, "alert"> & { alert: (typeof DRILL_ALERTS)[keyof typeof DRILL_ALERTS] }> {
    const job = options.jobName ?? DRILL_JOB_NAME;
    const sel = `{job=${JSON.stringify(job)},app=${JSON.stringify(entry.app)}}`;
    const staleAfter = drillStaleAfterSeconds(entry);
    const who = `${entry.app} (group ${entry.group}, host ${entry.host})`;
    const labels = (severity: "critical" | "warning") => ({ severity, app: entry.app, group: entry.group, host: entry.host });
    return [
        {
            alert: DRILL_ALERTS.failed,
            expr: `${DRILL_METRICS.success}${sel} == 0`,
            for: "5m",
            labels: labels("critical"),
            annotations: {
                summary: `The restore drill of ${entry.app} failed`,
                description: `The last restore drill of ${who} could not restore and verify a sample of the newest snapshot, or restic check failed on its slice of the repository; read the logs of the container ${entry.app}_restore_drill.`,
                ...(options.runbookPageUrl === undefined ? {} : { runbook_url: `${options.runbookPageUrl}#${DRILL_ALERTS.failed.toLowerCase()}` }),
            },
        },
        {
            alert: DRILL_ALERTS.stale,
            // Last success, or the container's start while it never succeeded; absent when the
            // drill is not scraped at all (an enabled drill that does not report proves nothing).
            expr:
                `time() - max(${DRILL_METRICS.lastSuccess}${sel} or ${DRILL_METRICS.started}${sel}) > ${staleAfter}` +
                ` or absent(${DRILL_METRICS.started}${sel})`,
            for: "15m",
            labels: labels("warning"),
            annotations: {
                summary: `No successful restore drill of ${entry.app} for more than ${staleAfter / 3600}h`,
                description: `No restore drill of ${who} has passed in ${staleAfter / 3600} h, or its metrics are not scraped: last night's backup is not proven restorable.`,
                ...(options.runbookPageUrl === undefined ? {} : { runbook_url: `${options.runbookPageUrl}#${DRILL_ALERTS.stale.toLowerCase()}` }),
            },
        },
    ];
}
