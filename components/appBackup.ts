import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as vault from "@pulumi/vault";
import { parseCron } from "./cron";
import { resticReaderPolicy, resticWriterPolicy } from "./iamPolicy";
import { EXPORTER_CA_FROM_PEM, EXPORTER_CACHE_PATH, EXPORTER_IMAGE, EXPORTER_PORT, EXPORTER_START, exporterEnv, exporterLabels } from "./monitoring";
import { backupNames, DEFAULT_VAULT_MOUNT, nameProblems } from "./naming";
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

        const bucket = new minio.S3Bucket(`${name}-bucket`, { bucket: names.bucket, forceDestroy: false }, keep);
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

        const secret = new vault.kv.SecretV2(
            `${name}-vault-secret`,
            {
                mount: vaultMount,
                name: names.vaultSecret,
                // Field names are the original Ansible lookups' (`password`, `access_key`), plus the rest.
                dataJson: pulumi.secret(
                    pulumi.jsonStringify({
                        password: resticPassword.result,
                        access_key: user.name,
                        secret_key: secretKey.result,
                        repository,
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

        if (args.monitoring) {
            this.createExporter(name, args, args.monitoring, { repository, names, resticPassword: resticPassword.result, after: repositoryStep ?? container });
        }

        this.bucket = bucket.bucket;
        this.repositoryUrl = pulumi.output(repository);
        this.vaultPath = pulumi.output(`${vaultMount}/${names.vaultSecret}`);
        this.accessKeyId = user.name;
        this.containerName = container.name;
        this.schedule = pulumi.output(args.schedule);
        this.registerOutputs({
            bucket: this.bucket,
            repositoryUrl: this.repositoryUrl,
            vaultPath: this.vaultPath,
            accessKeyId: this.accessKeyId,
            containerName: this.containerName,
            schedule: this.schedule,
        });
    }

    /**
     * The restic exporter: a read-only MinIO user of its own (never the writer's key) and a
     * container that reads the repository with `--no-lock`, so reading needs no write access.
     */
    private createExporter(
        name: string,
        args: AppBackupArgs,
        monitoring: AppBackupMonitoringArgs,
        ctx: { repository: string; names: ReturnType<typeof backupNames>; resticPassword: pulumi.Output<string>; after: pulumi.Resource },
    ): void {
        const parent = { parent: this };
        const readerKey = new random.RandomPassword(
            `${name}-reader-secret-key`,
            { length: 40, special: true, overrideSpecial: SECRET_SPECIAL_CHARACTERS },
            { ...parent, ignoreChanges: ["length", "special", "overrideSpecial"] },
        );
        // No updateSecret, as for the writer: it would replace the key with a random one on each update.
        const reader = new minio.IamUser(`${name}-reader`, { name: ctx.names.readerUser, secret: readerKey.result }, parent);
        const readerPolicy = new minio.IamPolicy(
            `${name}-reader-policy`,
            { name: ctx.names.readerPolicy, policy: JSON.stringify(resticReaderPolicy(ctx.names.bucket)) },
            parent,
        );
        const attachment = new minio.IamUserPolicyAttachment(
            `${name}-reader-policy-attachment`,
            { userName: reader.name, policyName: readerPolicy.name },
            parent,
        );
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
                envs: containerEnvs(env, { RESTIC_PASSWORD: ctx.resticPassword, AWS_SECRET_ACCESS_KEY: readerKey.result }),
                labels: exporterLabels({ app: args.app, group: args.group ?? "", host: args.host ?? "" }),
                ports: [{ internal: EXPORTER_PORT, external: monitoring.port }],
                volumes: [
                    { volumeName: cache.name, containerPath: EXPORTER_CACHE_PATH },
                    ...(args.minioCaCertPath !== undefined ? [{ hostPath: args.minioCaCertPath, containerPath: CONTAINER_CA_PATH, readOnly: true }] : []),
                ],
                ...(args.minioCaCert !== undefined ? { command: caWritingCommand(EXPORTER_CA_FROM_PEM, EXPORTER_START) } : {}),
                restart: "unless-stopped",
                logDriver: "json-file",
                logOpts: { "max-size": "10m", "max-file": "3" },
            },
            // Only once the repository exists: the exporter reads it at start.
            { ...parent, dependsOn: [attachment, ctx.after] },
        );
    }
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
