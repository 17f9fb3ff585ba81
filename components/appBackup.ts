import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as vault from "@pulumi/vault";
import { parseCron } from "./cron";
import { resticReaderPolicy, resticWriterPolicy } from "./iamPolicy";
import {
    EXPORTER_CA_FROM_PEM,
    EXPORTER_CACHE_PATH,
    EXPORTER_COMMAND,
    EXPORTER_IMAGE,
    EXPORTER_PORT,
    EXPORTER_START,
    exporterEnv,
    exporterLabels,
} from "./monitoring";
import { backupNames, DEFAULT_NAME_PREFIX, DEFAULT_VAULT_MOUNT, nameProblems } from "./naming";
import { restoreTokenCommand, vaultRestorePolicy, vaultRestorePolicyName } from "./restoreAccess";
import { DRILL_DIR, DRILL_SCRATCH_DIR, drillContainerSpec, DrillOptions, drillProblems } from "./restoreDrill";
import {
    caCertProblems,
    caWritingCommand,
    COMPOSE_PROJECT_LABEL,
    CONTAINER_CA_PATH,
    DEFAULT_CHECK_TIMEOUT_SECONDS,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_STACKBACK_IMAGE,
    DOCKER_SOCKET,
    dockerAccessProblems,
    DockerTlsFiles,
    EnvEntry,
    imageProblems,
    isTimeZone,
    keepPolicyForRetention,
    minioEndpointProblem,
    repositoryCheckCommand,
    repositoryUrl,
    ResticKeepPolicy,
    SIDECAR_CA_FROM_PEM,
    SIDECAR_CACHE_PATH,
    SIDECAR_DOCKER_SOCKET,
    SIDECAR_START,
    sidecarEnv,
    switchProblem,
} from "./stackback";

/** The component's type token; the `index` module keeps multi-language packaging possible. */
export const APP_BACKUP_TYPE = "platform-backups:index:AppBackup";

/**
 * Characters allowed in generated secrets besides letters and digits. stack-back writes its
 * environment into a shell file inside single quotes without escaping, so quotes, backslash,
 * `$` and other shell-active characters are excluded.
 */
export const SECRET_SPECIAL_CHARACTERS = "-_.+=";

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
    /** An explicit restic keep policy; overrides the one derived from `retentionDays`. */
    keep?: ResticKeepPolicy;
    /** Prefix of bucket, user and policy names. Default `restic-stackback`. */
    namePrefix?: string;
    /** Vault KV v2 mount for the app's secret. Default `secret`. */
    vaultMount?: string;
    /** Prefix of the Vault secret's name (`<prefix><app>`). Default `stackback_`. */
    vaultNamePrefix?: string;
    /** The stack-back image, pinned to a tag or digest. Default `ghcr.io/lawndoc/stack-back:v1.5.4`. */
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
    /** Extra sidecar environment, e.g. failure notifications; entries marked secret stay secret. */
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
function drillSettings(drill: AppBackupRestoreDrillArgs): Pick<DrillOptions, "checkSlices" | "sampleFiles" | "sampleBytes"> {
    return {
        ...(drill.checkSlices !== undefined ? { checkSlices: drill.checkSlices } : {}),
        ...(drill.sampleFiles !== undefined ? { sampleFiles: drill.sampleFiles } : {}),
        ...(drill.sampleBytes !== undefined ? { sampleBytes: drill.sampleBytes } : {}),
    };
}

/** Where the drill finds MinIO's CA when it is given as PEM text (uploaded next to its scripts). */
export const DRILL_CA_FROM_PEM = `${DRILL_DIR}/ca.pem`;

/**
 * One app's isolated, restic-based backup pipeline: a versioned MinIO bucket with a restic-safe
 * lifecycle, a MinIO user that reaches only that bucket, secrets in Vault, a stack-back sidecar on
 * the app's Docker host, and the restic repository initialised at deploy time.
 *
 * Providers (MinIO, Vault, Docker for the app's host) are passed with `opts.providers`.
 */
export class AppBackup extends pulumi.ComponentResource {
    /** Name of the MinIO bucket that holds the restic repository. */
    public readonly bucket: pulumi.Output<string>;
    /** The restic repository URL, `s3:https://<endpoint>/<bucket>`. */
    public readonly repositoryUrl: pulumi.Output<string>;
    /** Where the secrets live in Vault, `<mount>/<name>` (`vault kv get <vaultPath>`). */
    public readonly vaultPath: pulumi.Output<string>;
    /** The S3 access key id (the MinIO user) the sidecar writes with. Not a secret. */
    public readonly accessKeyId: pulumi.Output<string>;
    /** Name of the stack-back container on the app's host. */
    public readonly containerName: pulumi.Output<string>;
    /** The cron schedule stack-back runs the backup on. */
    public readonly schedule: pulumi.Output<string>;
    /** Name of the Vault policy that reads only this app's secret (mint restore tokens with it). */
    public readonly restorePolicyName: pulumi.Output<string>;
    /** The `vault token create` command that mints a one-hour token for a restore of this app. */
    public readonly restoreTokenCommand: pulumi.Output<string>;
    /** The restore drill's cron schedule, or undefined when the app has no drill. */
    public readonly drillSchedule: pulumi.Output<string | undefined>;
    /** Name of the restore drill's container, or undefined when the app has no drill. */
    public readonly drillContainerName: pulumi.Output<string | undefined>;

    constructor(name: string, args: AppBackupArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const problems = validateAppBackupArgs(args);
        if (problems.length > 0) {
            // Thrown before super(): not even the component is registered on bad input.
            throw new pulumi.RunError(`AppBackup "${name}" has invalid arguments; nothing was created:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        }
        super(APP_BACKUP_TYPE, name, {}, opts);

        const names = backupNames(args.app, { namePrefix: args.namePrefix, vaultNamePrefix: args.vaultNamePrefix });
        const retentionDays = args.retentionDays ?? DEFAULT_RETENTION_DAYS;
        const vaultMount = args.vaultMount ?? DEFAULT_VAULT_MOUNT;
        const repository = repositoryUrl(args.minioEndpoint, names.bucket, args.minioSsl ?? true);
        const parent = { parent: this };
        // Backups outlive the code and the config: removing the app or renaming a child must not
        // delete them. retainOnDelete (not protect) keeps "remove an app" a normal `pulumi up`.
        const keep = { ...parent, retainOnDelete: true };

        const bucket = new minio.S3Bucket(
            `${name}-bucket`,
            {
                bucket: names.bucket,
                forceDestroy: false,
                // Bytes: terraform-provider-minio v1.20.1 (minio/resource_minio_s3_bucket.go, minioUpdateBucket)
                // sends it as madmin.BucketQuota{Quota, Type: HardQuota}, a byte count (madmin-go v1.7.5,
                // quota-commands.go). Not ForceNew: adding or changing it updates the bucket in place.
                ...(args.quotaGiB !== undefined ? { quota: args.quotaGiB * 2 ** 30 } : {}),
            },
            keep,
        );
        const versioning = new minio.S3BucketVersioning(`${name}-versioning`, { bucket: bucket.bucket, versioningConfiguration: { status: "Enabled" } }, keep);
        // Never expire current objects: restic's config, keys and old packs stay referenced for
        // ever. Only superseded versions expire; retention itself is restic's forget/prune.
        new minio.IlmPolicy(
            `${name}-lifecycle`,
            {
                bucket: bucket.bucket,
                // No `status`: terraform-provider-minio v1.20.1 (minio/resource_minio_ilm_policy.go)
                // has it Computed and always writes "Enabled".
                rules: [
                    { id: "expire-noncurrent-versions", noncurrentVersionExpirationDays: retentionDays },
                    // restic deletes its lock files on every run; in a versioned bucket each delete
                    // leaves a marker. This removes markers whose versions have all expired.
                    { id: "expire-delete-markers", expiration: "DeleteMarker" },
                ],
            },
            { ...keep, dependsOn: [versioning] },
        );

        // A changed generator setting in a later release must not rotate live credentials.
        const secretOptions = { ...keep, ignoreChanges: ["length", "special", "overrideSpecial", "upper", "lower", "numeric", "minSpecial"] };
        const resticPassword = new random.RandomPassword(
            `${name}-restic-password`,
            { length: 48, special: true, overrideSpecial: SECRET_SPECIAL_CHARACTERS },
            secretOptions,
        );
        const secretKey = new random.RandomPassword(
            `${name}-s3-secret-key`,
            { length: 40, special: true, overrideSpecial: SECRET_SPECIAL_CHARACTERS },
            secretOptions,
        );

        const user = new minio.IamUser(
            `${name}-user`,
            // No updateSecret: with it, terraform-provider-minio v1.20.1 (minio/resource_minio_iam_user.go,
            // minioUpdateUser) sets a new RANDOM key on every update, and Vault and the sidecar keep a dead one.
            { name: names.writerUser, secret: secretKey.result, forceDestroy: false },
            parent,
        );
        const policy = new minio.IamPolicy(`${name}-policy`, { name: names.writerPolicy, policy: JSON.stringify(resticWriterPolicy(names.bucket)) }, parent);
        const attachment = new minio.IamUserPolicyAttachment(`${name}-policy-attachment`, { userName: user.name, policyName: policy.name }, parent);

        // The read-only identity, shared by the exporter and the restore drill (and `npm run restore`).
        const reader = args.monitoring || args.restoreDrill ? this.createReader(name, names) : undefined;

        const secret = new vault.kv.SecretV2(
            `${name}-vault-secret`,
            {
                mount: vaultMount,
                name: names.vaultSecret,
                // Field names are the original Ansible lookups' (`password`, `access_key`), plus the rest.
                // The reader's keys come after them, and only when there is a reader: the existing
                // fields keep their values (nothing is rotated), and an app without a reader keeps
                // exactly the secret it had. `npm run restore` prefers the reader's keys.
                dataJson: pulumi.secret(
                    pulumi.jsonStringify({
                        password: resticPassword.result,
                        access_key: user.name,
                        secret_key: secretKey.result,
                        repository,
                        ...(reader ? { reader_access_key: reader.user.name, reader_secret_key: reader.secretKey } : {}),
                    }),
                ),
            },
            // The password is the only key to existing snapshots: keep it even if the app goes.
            keep,
        );

        const image = new docker.RemoteImage(`${name}-image`, { name: args.image ?? DEFAULT_STACKBACK_IMAGE, keepLocally: true }, parent);
        // restic's cache survives a recreated sidecar, so a run does not download every index again.
        const cache = new docker.Volume(`${name}-cache`, { name: names.cacheVolume }, keep);
        const sidecarCa = args.minioCaCert !== undefined ? SIDECAR_CA_FROM_PEM : args.minioCaCertPath !== undefined ? CONTAINER_CA_PATH : undefined;
        const env = sidecarEnv({
            repository,
            resticPassword: "",
            accessKeyId: names.writerUser,
            secretAccessKey: "",
            schedule: args.schedule,
            keep: args.keep ?? keepPolicyForRetention(retentionDays),
            logLevel: args.logLevel,
            timezone: args.timezone,
            caCertFile: sidecarCa,
            caCertPem: args.minioCaCert,
            extra: args.extraEnv,
        });
        const envs = containerEnvs(env, { RESTIC_PASSWORD: resticPassword.result, AWS_SECRET_ACCESS_KEY: secretKey.result });

        const container = new docker.Container(
            `${name}-sidecar`,
            {
                name: names.container,
                image: image.repoDigest,
                envs,
                labels: [
                    { label: COMPOSE_PROJECT_LABEL, value: args.composeProject ?? args.app },
                    { label: "platform-backups.app", value: args.app },
                    ...(args.group ? [{ label: "platform-backups.group", value: args.group }] : []),
                    ...(args.host ? [{ label: "platform-backups.host", value: args.host }] : []),
                ],
                // stack-back execs into database containers and starts helper containers, so it needs
                // the API. Mounting the socket read-only would not restrict the API; a socket proxy would.
                volumes: [
                    { hostPath: DOCKER_SOCKET, containerPath: SIDECAR_DOCKER_SOCKET },
                    { volumeName: cache.name, containerPath: SIDECAR_CACHE_PATH },
                    ...(args.minioCaCertPath !== undefined ? [{ hostPath: args.minioCaCertPath, containerPath: CONTAINER_CA_PATH, readOnly: true }] : []),
                ],
                ...(args.minioCaCert !== undefined ? { command: caWritingCommand(SIDECAR_CA_FROM_PEM, SIDECAR_START) } : {}),
                restart: "unless-stopped",
                // No hostname: stack-back finds its own container by hostname == container id.
                logDriver: "json-file",
                logOpts: { "max-size": "10m", "max-file": "3" },
            },
            { ...parent, dependsOn: [attachment] },
        );

        let repositoryStep: pulumi.Resource | undefined;
        if (args.initRepository ?? true) {
            const check = repositoryCheckCommand(
                {
                    container: names.container,
                    timeoutSeconds: args.checkTimeoutSeconds ?? DEFAULT_CHECK_TIMEOUT_SECONDS,
                    requireLabels: args.requireLabels ?? true,
                    composeProject: args.composeProject ?? args.app,
                },
                { dockerHost: args.dockerHost, sshOpts: args.sshOpts, tls: args.dockerTls },
            );
            repositoryStep = new command.local.Command(
                `${name}-repository-init`,
                {
                    create: check.create,
                    ...(Object.keys(check.environment).length > 0 ? { environment: check.environment } : {}),
                    // Re-run whenever the sidecar is recreated (new image, credentials or schedule).
                    triggers: [container.id],
                },
                { ...parent, dependsOn: [container, secret] },
            );
        }

        if (args.monitoring && reader) {
            this.createExporter(name, args, args.monitoring, {
                repository,
                names,
                resticPassword: resticPassword.result,
                reader,
                after: repositoryStep ?? container,
            });
        }

        let drillContainer: docker.Container | undefined;
        if (args.restoreDrill && reader) {
            drillContainer = this.createDrill(name, args, args.restoreDrill, {
                repository,
                names,
                resticPassword: resticPassword.result,
                reader,
                image,
                after: repositoryStep ?? container,
            });
        }

        // Least privilege for restores: a policy that reads this app's secret and nothing else.
        const restorePolicy = new vault.Policy(
            `${name}-restore-policy`,
            { name: vaultRestorePolicyName(args.app, args.namePrefix ?? DEFAULT_NAME_PREFIX), policy: vaultRestorePolicy(vaultMount, names.vaultSecret) },
            parent,
        );

        this.bucket = bucket.bucket;
        this.repositoryUrl = pulumi.output(repository);
        this.vaultPath = pulumi.output(`${vaultMount}/${names.vaultSecret}`);
        this.accessKeyId = user.name;
        this.containerName = container.name;
        this.schedule = pulumi.output(args.schedule);
        this.restorePolicyName = restorePolicy.name;
        this.restoreTokenCommand = restorePolicy.name.apply((policyName) => restoreTokenCommand(policyName));
        this.drillSchedule = pulumi.output(args.restoreDrill?.schedule);
        this.drillContainerName = drillContainer ? drillContainer.name.apply((n): string | undefined => n) : pulumi.output(undefined);
        this.registerOutputs({
            bucket: this.bucket,
            repositoryUrl: this.repositoryUrl,
            vaultPath: this.vaultPath,
            accessKeyId: this.accessKeyId,
            containerName: this.containerName,
            schedule: this.schedule,
            restorePolicyName: this.restorePolicyName,
            restoreTokenCommand: this.restoreTokenCommand,
            drillSchedule: this.drillSchedule,
            drillContainerName: this.drillContainerName,
        });
    }

    /**
     * The app's read-only MinIO user: list and read its bucket, nothing else. The exporter and the
     * restore drill share it (both run restic with `--no-lock`). Its children keep the names they
     * had when only the exporter used it, so sharing it replaced nothing.
     */
    private createReader(name: string, names: ReturnType<typeof backupNames>): Reader {
        const parent = { parent: this };
        const readerKey = new random.RandomPassword(
            `${name}-reader-secret-key`,
            { length: 40, special: true, overrideSpecial: SECRET_SPECIAL_CHARACTERS },
            { ...parent, ignoreChanges: ["length", "special", "overrideSpecial"] },
        );
        // No updateSecret, as for the writer: it would replace the key with a random one on each update.
        const user = new minio.IamUser(`${name}-reader`, { name: names.readerUser, secret: readerKey.result }, parent);
        const readerPolicy = new minio.IamPolicy(
            `${name}-reader-policy`,
            { name: names.readerPolicy, policy: JSON.stringify(resticReaderPolicy(names.bucket)) },
            parent,
        );
        const attachment = new minio.IamUserPolicyAttachment(
            `${name}-reader-policy-attachment`,
            { userName: user.name, policyName: readerPolicy.name },
            parent,
        );
        return { user, secretKey: readerKey.result, attachment };
    }

    /**
     * The restore drill: a container on the app's host that restores a sample of the newest
     * snapshot and checks a slice of the repository every day, with the reader's keys only. No
     * Docker socket, no Compose project label (stack-back would count it among the app's containers).
     */
    private createDrill(
        name: string,
        args: AppBackupArgs,
        drill: AppBackupRestoreDrillArgs,
        ctx: {
            repository: string;
            names: ReturnType<typeof backupNames>;
            resticPassword: pulumi.Output<string>;
            reader: Reader;
            image: docker.RemoteImage;
            after: pulumi.Resource;
        },
    ): docker.Container {
        const parent = { parent: this };
        const caPath = args.minioCaCert !== undefined ? DRILL_CA_FROM_PEM : args.minioCaCertPath !== undefined ? CONTAINER_CA_PATH : undefined;
        const spec = drillContainerSpec({
            app: args.app,
            group: args.group ?? "",
            host: args.host ?? "",
            repository: ctx.repository,
            resticPassword: "",
            accessKeyId: ctx.names.readerUser,
            secretAccessKey: "",
            schedule: drill.schedule,
            port: drill.port,
            timezone: args.timezone,
            ...(caPath !== undefined ? { caCertPath: caPath } : {}),
            ...drillSettings(drill),
        });
        // The sidecar's image unless another is asked for: it has restic, sh, python3 and crond.
        const ownImage = drill.image !== undefined && drill.image !== (args.image ?? DEFAULT_STACKBACK_IMAGE);
        const image = ownImage ? new docker.RemoteImage(`${name}-drill-image`, { name: drill.image as string, keepLocally: true }, parent) : ctx.image;
        // The metrics keep the last success across re-creation; the scratch space keeps restored
        // samples out of the container's writable layer (the drill empties it on every run).
        const volumes = spec.volumes.map((v, i) => new docker.Volume(`${name}-drill-${i === 0 ? "metrics" : `volume-${i}`}`, { name: v.volumeName }, parent));
        const scratch = new docker.Volume(`${name}-drill-scratch`, { name: `${args.app}_restore_drill_scratch` }, parent);
        return new docker.Container(
            `${name}-restore-drill`,
            {
                name: spec.name,
                image: image.repoDigest,
                command: spec.command,
                envs: containerEnvs(spec.envs, { RESTIC_PASSWORD: ctx.resticPassword, AWS_SECRET_ACCESS_KEY: ctx.reader.secretKey }),
                uploads: [
                    ...spec.uploads.map((u) => ({ file: u.file, content: u.content, executable: u.executable })),
                    // A CA certificate is public: it may sit in the container's inputs.
                    ...(args.minioCaCert !== undefined ? [{ file: DRILL_CA_FROM_PEM, content: args.minioCaCert, executable: false }] : []),
                ],
                labels: spec.labels,
                ports: spec.ports,
                volumes: [
                    ...spec.volumes.map((v, i) => ({ volumeName: volumes[i].name, containerPath: v.containerPath })),
                    { volumeName: scratch.name, containerPath: DRILL_SCRATCH_DIR },
                    ...(args.minioCaCertPath !== undefined ? [{ hostPath: args.minioCaCertPath, containerPath: CONTAINER_CA_PATH, readOnly: true }] : []),
                ],
                restart: spec.restart,
                logDriver: "json-file",
                logOpts: { "max-size": "10m", "max-file": "3" },
            },
            // Only once the repository exists and the reader may read it.
            { ...parent, dependsOn: [ctx.reader.attachment, ctx.after] },
        );
    }

    /**
     * The restic exporter: a container that reads the repository with the reader's keys (never the
     * writer's) and `--no-lock`, so reading needs no write access.
     */
    private createExporter(
        name: string,
        args: AppBackupArgs,
        monitoring: AppBackupMonitoringArgs,
        ctx: { repository: string; names: ReturnType<typeof backupNames>; resticPassword: pulumi.Output<string>; reader: Reader; after: pulumi.Resource },
    ): void {
        const parent = { parent: this };
        const image = new docker.RemoteImage(`${name}-exporter-image`, { name: monitoring.image ?? EXPORTER_IMAGE, keepLocally: true }, parent);
        const cache = new docker.Volume(`${name}-exporter-cache`, { name: ctx.names.exporterCacheVolume }, { ...parent, retainOnDelete: true });
        const ca = args.minioCaCert !== undefined ? EXPORTER_CA_FROM_PEM : args.minioCaCertPath !== undefined ? CONTAINER_CA_PATH : undefined;
        const env = exporterEnv({
            repository: ctx.repository,
            resticPassword: "",
            accessKeyId: ctx.names.readerUser,
            secretAccessKey: "",
            refreshIntervalSeconds: monitoring.refreshIntervalSeconds,
            timezone: args.timezone,
            caCertFile: ca,
            caCertPem: args.minioCaCert,
        });
        new docker.Container(
            `${name}-exporter`,
            {
                name: ctx.names.exporterContainer,
                image: image.repoDigest,
                envs: containerEnvs(env, { RESTIC_PASSWORD: ctx.resticPassword, AWS_SECRET_ACCESS_KEY: ctx.reader.secretKey }),
                labels: exporterLabels({ app: args.app, group: args.group ?? "", host: args.host ?? "" }),
                ports: [{ internal: EXPORTER_PORT, external: monitoring.port }],
                volumes: [
                    { volumeName: cache.name, containerPath: EXPORTER_CACHE_PATH },
                    ...(args.minioCaCertPath !== undefined ? [{ hostPath: args.minioCaCertPath, containerPath: CONTAINER_CA_PATH, readOnly: true }] : []),
                ],
                // Always this start: the exporter's own code, with "no backup yet" given a metric (EXPORTER_START_PYTHON).
                command: args.minioCaCert !== undefined ? caWritingCommand(EXPORTER_CA_FROM_PEM, EXPORTER_START) : [...EXPORTER_COMMAND],
                restart: "unless-stopped",
                logDriver: "json-file",
                logOpts: { "max-size": "10m", "max-file": "3" },
            },
            // Only once the repository exists: the exporter reads it at start.
            { ...parent, dependsOn: [ctx.reader.attachment, ctx.after] },
        );
    }
}

/** The app's read-only MinIO identity. */
interface Reader {
    user: minio.IamUser;
    /** Its secret key (a secret output). */
    secretKey: pulumi.Output<string>;
    /** The policy attachment: anything that reads with the reader waits for it. */
    attachment: minio.IamUserPolicyAttachment;
}

/**
 * `KEY=value` strings for a container, with the real secret values swapped in for the
 * placeholders of the pure env builders; each entry that carries a secret is a secret output.
 */
function containerEnvs(env: readonly EnvEntry[], secretValues: Record<string, pulumi.Output<string>>): pulumi.Input<string>[] {
    return env.map((entry) => {
        // Only secret entries take a swapped-in value: a plain entry can never carry an Output.
        if (!entry.secret) return `${entry.name}=${entry.value}`;
        return pulumi.secret(pulumi.interpolate`${entry.name}=${secretValues[entry.name] ?? entry.value}`);
    });
}
