/**
 * The arguments of {@link AppBackup} and their validation: every problem as a sentence with the
 * argument's name and a fix, reported before anything is registered.
 */
import { adoptProblems, type AdoptSettings } from "./adopt";
import { parseCron } from "./cron";
import { EXPORTER_IMAGE } from "./monitoring";
import { nameProblems } from "./naming";
import { DrillOptions, drillProblems } from "./restoreDrill";
import {
    caCertProblems,
    DEFAULT_CHECK_TIMEOUT_SECONDS,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_STACKBACK_IMAGE,
    dockerAccessProblems,
    DockerTlsFiles,
    EnvEntry,
    imageProblems,
    isTimeZone,
    minioEndpointProblem,
    ResticKeepPolicy,
    switchProblem,
} from "./stackback";

/** Arguments of {@link AppBackup}. Providers come through `opts.providers`, not from here. */
export interface AppBackupArgs {
    /**
     * The app's name, a DNS label (`gitlab`, `n8n`). Every name of the pipeline derives from it:
     * bucket `<namePrefix>-<app>-bucket`, IAM user `<namePrefix>-<app>`, container `<app>_stackback`.
     */
    app: string;
    /**
     * When the backup starts, as stack-back's cron: `M H * * *` with plain numbers
     * (stack-back silently ignores ranges, steps and lists).
     */
    schedule: string;
    /** MinIO S3 endpoint as the app's host reaches it: `host[:port]`, no scheme. */
    minioEndpoint: string;
    /** Whether the endpoint speaks TLS (`s3:https://...`). Default `true`. */
    minioSsl?: boolean;
    /** The Compose project whose containers stack-back backs up. Default: the app's name. */
    composeProject?: string;
    /** The storage group the app belongs to; recorded as a container label. */
    group?: string;
    /** The host the app runs on; recorded as a container label (the Docker provider decides where). */
    host?: string;
    /**
     * Days of history to keep. Drives restic's keep policy and how long MinIO keeps non-current
     * object versions. Default 30; at least 1.
     */
    retentionDays?: number;
    /**
     * An explicit restic keep policy; overrides the one derived from `retentionDays`. MinIO's expiry
     * of non-current object versions still follows `retentionDays`.
     */
    keep?: ResticKeepPolicy;
    /** Prefix of bucket, user and policy names. Default `restic-stackback`. */
    namePrefix?: string;
    /** Vault KV v2 mount for the app's secret. Default `secret`. */
    vaultMount?: string;
    /** Prefix of the Vault secret's name (`<prefix><app>`). Default `stackback_`. */
    vaultNamePrefix?: string;
    /**
     * The stack-back image, pinned to a tag other than `latest` or to a digest; the container runs
     * the image's digest. Default `ghcr.io/lawndoc/stack-back:v1.5.4`.
     */
    image?: string;
    /** stack-back's `LOG_LEVEL` (e.g. `info`, `debug`). Default: stack-back's own. */
    logLevel?: string;
    /**
     * Whether `pulumi up` proves the pipeline on the host: it opens (or initialises) the restic
     * repository and runs stack-back's own `rcb status` inside the sidecar, and fails with their
     * words when something is wrong. Default `true`.
     */
    initRepository?: boolean;
    /**
     * How the machine running Pulumi reaches the app host's Docker engine for that check
     * (`DOCKER_HOST`, e.g. `ssh://deploy@vm1`). Use the same value as the Docker provider's `host`.
     * Default: the runner's own `DOCKER_HOST` or local engine.
     */
    dockerHost?: string;
    /** The Docker provider's `sshOpts` for an `ssh://` host; the check runs through `ssh` with them. */
    sshOpts?: string[];
    /** Client TLS files (paths on the machine running Pulumi) for a `tcp://` dockerHost; required there. */
    dockerTls?: DockerTlsFiles;
    /** Bound in seconds on each restic call of the check (10-3600). Default 120. */
    checkTimeoutSeconds?: number;
    /**
     * Whether the check fails when no container of the app's Compose project carries a
     * `stack-back.*` label (stack-back would back up nothing). Default `true`; `false` lets an app
     * deploy before it is labelled.
     */
    requireLabels?: boolean;
    /** IANA time zone of the sidecar's cron and of the exporter (`TZ`). Default `UTC`. */
    timezone?: string;
    /** PEM of the CA that signed MinIO's certificate; reaches restic as `RESTIC_CACERT`. */
    minioCaCert?: string;
    /** Absolute path of such a PEM file on the app's host, mounted read-only. At most one of the two. */
    minioCaCertPath?: string;
    /**
     * Extra sidecar environment, e.g. failure notifications (`notificationEnv` builds them); entries
     * marked secret stay secret. A switch value stack-back would misread (`SWARM_MODE=false` turns
     * it on) is refused.
     */
    extraEnv?: EnvEntry[];
    /**
     * A restic metrics exporter for this app's repository, on the app's host, with its own
     * read-only MinIO user. Omit to run none.
     */
    monitoring?: AppBackupMonitoringArgs;
    /**
     * A daily restore drill on the app's host: restores a sample of the newest snapshot and checks a
     * rotating slice of the repository, with the read-only MinIO user and `--no-lock`, and serves
     * the result as Prometheus metrics (docs/restore.md). Omit to run none.
     */
    restoreDrill?: AppBackupRestoreDrillArgs;
    /**
     * A hard MinIO quota on the app's bucket, in GiB (2^30 bytes). MinIO refuses writes beyond it,
     * so backups stop there: alert before it (the generated `ResticQuotaNearlyFull`). Omit for none.
     */
    quotaGiB?: number;
    /**
     * What already exists and is taken over instead of created (docs/migrate.md): the bucket with
     * the restic repository (imported with its versioning, and its lifecycle rules when
     * `lifecycle`), the Vault secret whose `password` opens it (read at the pinned version; no
     * password is generated), and MinIO users of this app alone that are kept. Until `proven`,
     * everything adopted is `protect`ed and keeps its settings. The deploy-time check then refuses to
     * initialise a repository at the adopted location. Omit for an app that starts from nothing.
     */
    adopt?: AdoptSettings;
}

/** Settings of an app's restore drill. */
export interface AppBackupRestoreDrillArgs {
    /** When the drill runs: `M H * * *`, outside the backups of the app's storage group (the planner's `planDrills`). */
    schedule: string;
    /** Host port the drill's metrics are published on; unique per host (never an exporter's). */
    port: number;
    /**
     * The drill image, pinned: it needs restic, sh, python3 and crond. Default: the sidecar's image
     * (`image`), stack-back's, which has them all and is already on the host.
     */
    image?: string;
    /** Days in which `check --read-data-subset` reads the whole repository once (1-256). Default 30. */
    checkSlices?: number;
    /** Files restored from each snapshot at most. Default 50. */
    sampleFiles?: number;
    /** Bytes restored from each snapshot at most. Default 256 MiB. */
    sampleBytes?: number;
}

/** Settings of an app's restic exporter. */
export interface AppBackupMonitoringArgs {
    /** Host port the exporter publishes its metrics on; unique per host. */
    port: number;
    /** Seconds between two reads (and checks) of the repository. Default 3600. */
    refreshIntervalSeconds?: number;
    /** The exporter image, pinned. Default `ngosang/restic-exporter:2.0.2`. */
    image?: string;
}

/** Problems with the args, each a sentence with its argument name and a fix. */
export function validateAppBackupArgs(args: AppBackupArgs): string[] {
    const problems: string[] = [];
    const namePrefix = args.namePrefix;
    for (const p of nameProblems(args.app, { namePrefix })) problems.push(`app: ${p}`);
    if (args.adopt) for (const p of adoptProblems(args.adopt)) problems.push(`adopt.${p.key}: ${p.message}`);
    for (const p of parseCron(args.schedule).problems) problems.push(`schedule: ${p}`);
    const endpointProblem = minioEndpointProblem(args.minioEndpoint);
    if (endpointProblem) problems.push(`minioEndpoint: ${endpointProblem}`);
    const retention = args.retentionDays ?? DEFAULT_RETENTION_DAYS;
    if (!Number.isInteger(retention) || retention < 1) {
        problems.push(`retentionDays: ${retention} must be a whole number of days, at least 1`);
    }
    if (args.keep) {
        for (const [period, count] of Object.entries(args.keep)) {
            if (!Number.isInteger(count) || count < 0) problems.push(`keep.${period}: ${count} must be a whole number, 0 or more`);
        }
        if (Object.values(args.keep).every((count) => count === 0)) problems.push("keep: keeps no snapshot at all; keep at least one period above 0");
    }
    if (args.composeProject !== undefined && !/^[a-z0-9][a-z0-9_-]*$/.test(args.composeProject)) {
        problems.push(`composeProject: "${args.composeProject}" is not a Compose project name (lowercase letters, digits, "-" and "_")`);
    }
    for (const p of imageProblems(args.image ?? DEFAULT_STACKBACK_IMAGE)) problems.push(`image: ${p}`);
    if (args.monitoring) {
        const { port, refreshIntervalSeconds, image } = args.monitoring;
        if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`monitoring.port: ${port} must be a port number, 1-65535`);
        if (refreshIntervalSeconds !== undefined && (!Number.isInteger(refreshIntervalSeconds) || refreshIntervalSeconds < 60)) {
            problems.push(`monitoring.refreshIntervalSeconds: ${refreshIntervalSeconds} must be a whole number of seconds, at least 60`);
        }
        for (const p of imageProblems(image ?? EXPORTER_IMAGE)) problems.push(`monitoring.image: ${p}`);
    }
    if (args.restoreDrill) {
        const drill = args.restoreDrill;
        // The names and URL do not matter here: only the drill's own settings are checked.
        for (const p of drillProblems({ ...DRILL_PLACEHOLDERS, app: args.app, schedule: drill.schedule, port: drill.port, ...drillSettings(drill) }))
            problems.push(`restoreDrill.${p}`);
        if (drill.image !== undefined) for (const p of imageProblems(drill.image)) problems.push(`restoreDrill.image: ${p}`);
        if (args.monitoring && args.monitoring.port === drill.port) {
            problems.push(`restoreDrill.port: ${drill.port} is also monitoring.port; give the drill a port of its own`);
        }
    }
    if (args.quotaGiB !== undefined && (!Number.isInteger(args.quotaGiB) || args.quotaGiB < 1)) {
        problems.push(`quotaGiB: ${args.quotaGiB} must be a whole number of GiB, at least 1`);
    }
    for (const entry of args.extraEnv ?? []) {
        const problem = switchProblem(entry.name, entry.value);
        if (problem) problems.push(`extraEnv: ${problem}`);
    }
    const timeout = args.checkTimeoutSeconds ?? DEFAULT_CHECK_TIMEOUT_SECONDS;
    if (!Number.isInteger(timeout) || timeout < 10 || timeout > 3600) {
        problems.push(`checkTimeoutSeconds: ${timeout} must be a whole number of seconds, 10-3600`);
    }
    if (args.timezone !== undefined && !isTimeZone(args.timezone)) {
        problems.push(`timezone: "${args.timezone}" is not an IANA time zone; write e.g. "UTC" or "Europe/Berlin"`);
    }
    if (args.minioCaCert !== undefined && args.minioCaCertPath !== undefined) {
        problems.push("minioCaCert: give the CA either as PEM text or as a path on the host, not both");
    }
    if (args.minioCaCert !== undefined) for (const p of caCertProblems(args.minioCaCert)) problems.push(`minioCaCert: ${p}`);
    if (args.minioCaCertPath !== undefined && !args.minioCaCertPath.startsWith("/")) {
        problems.push(`minioCaCertPath: "${args.minioCaCertPath}" must be an absolute path on the app's host`);
    }
    if (args.initRepository ?? true) {
        for (const p of dockerAccessProblems({ dockerHost: args.dockerHost, sshOpts: args.sshOpts, tls: args.dockerTls })) problems.push(`dockerHost: ${p}`);
    }
    return problems;
}

/** Stand-ins for the parts of {@link DrillOptions} that validation does not look at. */
const DRILL_PLACEHOLDERS = { group: "", host: "", repository: "", resticPassword: "", accessKeyId: "", secretAccessKey: "" };

/** The drill's tunables, without undefined fields. */
export function drillSettings(drill: AppBackupRestoreDrillArgs): Pick<DrillOptions, "checkSlices" | "sampleFiles" | "sampleBytes"> {
    return {
        ...(drill.checkSlices !== undefined ? { checkSlices: drill.checkSlices } : {}),
        ...(drill.sampleFiles !== undefined ? { sampleFiles: drill.sampleFiles } : {}),
        ...(drill.sampleBytes !== undefined ? { sampleBytes: drill.sampleBytes } : {}),
    };
}
