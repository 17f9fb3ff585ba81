/**
 * The platform-backups stack: one isolated backup pipeline per app of this environment.
 *
 * 1. read and validate the stack config (every problem at once, before any resource);
 * 2. create the providers: one Docker engine per host, MinIO, Vault;
 * 3. create one AppBackup per app;
 * 4. export a per-app summary (and Prometheus rules and scrape config when monitoring is on).
 */
import * as fs from "fs";
import * as docker from "@pulumi/docker";
import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import {
    AppBackup,
    alertRules as alertRulesFor,
    CONFIG_NAMESPACE,
    configFromPulumi,
    drilledApps,
    fleetFileReader,
    formatProblems,
    monitoredApps,
    notificationEnv,
    plainSecretProblems,
    resolveShard,
    scrapeConfig as scrapeConfigFor,
    selectShard,
    shardStackName,
    toYaml,
    validateStackConfig,
} from "platform-backups";

// 1. Read and validate ALL of the stack's config, not a list of keys: an unknown key of this
// namespace, or a key in a namespace a few letters away from it, is refused instead of ignored.
const { raw: own, problems: namespaceProblems } = configFromPulumi(pulumi.runtime.allConfig());
// Which keys are secret: the SDK's own test, over PULUMI_CONFIG_SECRET_KEYS that the CLI sets
// (@pulumi/pulumi 3.276.0 runtime/config.js:72 isConfigSecret, read from the store that
// runtime/state.js:101 fills from the environment). It is exported at run time but left out of
// the typings (@internal): without it the plain-secret guard cannot run, so the program stops.
const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;
if (typeof isConfigSecret !== "function") {
    throw new pulumi.RunError(
        "this @pulumi/pulumi has no runtime.isConfigSecret; the check that refuses plain-text secrets cannot run (pin @pulumi/pulumi 3.x as in package-lock.json)",
    );
}
// A shard stack says only which shard of which fleet it is: the fleet is read from its stack file
// beside Pulumi.yaml (the program runs in the project directory) and planned whole, so that every
// shard gets the times, ports and drills of the unsplit fleet (docs/operating.md, "Split a fleet").
const resolved = resolveShard(own, fleetFileReader(process.cwd()));
const fleetStack = resolved.shard?.fleet ?? pulumi.getStack();
// This stack's own keys are guarded with the CLI's knowledge of what is secret; a shard's fleet
// file is read as a file, where an encrypted value is a `secure:` object.
const fleetPart = Object.fromEntries(Object.entries(resolved.raw).filter(([key]) => own[key] === undefined));
const guarded = [
    ...plainSecretProblems(own, { stack: pulumi.getStack(), topLevelIsSecret: (key) => isConfigSecret(`${CONFIG_NAMESPACE}:${key}`) }),
    ...(resolved.shard ? plainSecretProblems(fleetPart, { stack: fleetStack }) : []),
];
// Ports and drill times come from the fleet's committed record; a missing one stops the deploy
// with the command that records it (components/assignments.ts says why it never assigns here).
const { fleet: whole, problems } = validateStackConfig(resolved.raw, [...namespaceProblems, ...resolved.problems, ...guarded], {
    assignments: "require",
    stack: fleetStack,
});
if (!whole) {
    throw new pulumi.RunError(formatProblems(problems));
}
const shardNames = Object.keys(whole.shards ?? {});
if (!resolved.shard && shardNames.length > 0) {
    throw new pulumi.RunError(
        `Stack ${fleetStack} describes a fleet split into shards (${shardNames.join(", ")}); nothing was created or changed. ` +
            `Deploy each shard's stack instead: ${shardNames.map((shard) => `pulumi up --stack ${shardStackName(fleetStack, shard)}`).join("; ")}`,
    );
}
const fleet = resolved.shard ? selectShard(whole, whole.shards?.[resolved.shard.name]?.hosts ?? []) : whole;
// Credentials are read through Config so that secrets stay secrets (validated above).
const config = new pulumi.Config(CONFIG_NAMESPACE);

// 2. Providers. Their names are part of every child's identity: keep them stable.
// Credentials come from secret config when set, else from MINIO_USER / MINIO_PASSWORD / VAULT_TOKEN.
const minioProvider = new minio.Provider("minio", {
    minioServer: fleet.minio.endpoint,
    minioSsl: fleet.minio.ssl,
    ...(fleet.minio.region ? { minioRegion: fleet.minio.region } : {}),
    ...(config.get("minioUser") ? { minioUser: config.get("minioUser") } : {}),
    ...(config.get("minioPassword") ? { minioPassword: config.requireSecret("minioPassword") } : {}),
});
// The token needs a policy on the KV v2 mount, and `auth/token/create` unless skipChildToken:
// the provider otherwise works with a child token it creates (docs/deploy-time-check.md).
const vaultProvider = new vault.Provider("vault", {
    address: fleet.vault.address,
    ...(config.get("vaultToken") ? { token: config.requireSecret("vaultToken") } : {}),
    skipChildToken: fleet.vault.skipChildToken,
    ...(fleet.vault.maxLeaseTtlSeconds !== undefined ? { maxLeaseTtlSeconds: fleet.vault.maxLeaseTtlSeconds } : {}),
});
/** A tcp:// host's TLS files, read on the machine running Pulumi; the key stays a secret. */
function tlsMaterial(tls: { caFile: string; certFile: string; keyFile: string }): docker.ProviderArgs {
    const read = (file: string) => fs.readFileSync(file, "utf8");
    return { caMaterial: read(tls.caFile), certMaterial: read(tls.certFile), keyMaterial: pulumi.secret(read(tls.keyFile)) };
}
const dockerProviders = Object.fromEntries(
    Object.entries(fleet.hosts).map(([host, spec]) => [
        host,
        new docker.Provider(`docker-${host}`, {
            host: spec.dockerHost,
            ...(spec.sshOpts ? { sshOpts: spec.sshOpts } : {}),
            ...(spec.tls ? tlsMaterial(spec.tls) : {}),
        }),
    ]),
);

// 3. One pipeline per app.
const backups = fleet.apps.map((app) => ({
    app,
    backup: new AppBackup(
        app.name,
        {
            app: app.name,
            composeProject: app.composeProject,
            group: app.group,
            host: app.host,
            schedule: app.schedule,
            minioEndpoint: fleet.minio.endpoint,
            minioSsl: fleet.minio.ssl,
            retentionDays: app.retentionDays,
            namePrefix: fleet.namePrefix,
            vaultMount: fleet.vault.mount,
            vaultNamePrefix: fleet.vault.namePrefix,
            image: fleet.image,
            logLevel: fleet.logLevel,
            initRepository: fleet.initRepository,
            dockerHost: fleet.hosts[app.host].dockerHost,
            sshOpts: fleet.hosts[app.host].sshOpts,
            dockerTls: fleet.hosts[app.host].tls,
            checkTimeoutSeconds: fleet.checkTimeoutSeconds,
            requireLabels: app.requireLabels,
            timezone: fleet.timezone,
            minioCaCert: fleet.minio.caCert,
            minioCaCertPath: fleet.minio.caCertPath,
            extraEnv: notificationEnv(app.notifications),
            ...(app.monitoring ? { monitoring: { port: app.monitoring.port, refreshIntervalSeconds: app.monitoring.refreshIntervalSeconds } } : {}),
            ...(app.restoreDrill
                ? {
                      restoreDrill: {
                          schedule: app.restoreDrill.schedule,
                          port: app.restoreDrill.port,
                          checkSlices: fleet.restoreDrills.checkSlices,
                          sampleFiles: fleet.restoreDrills.sampleFiles,
                          ...(fleet.restoreDrills.sampleBytes !== undefined ? { sampleBytes: fleet.restoreDrills.sampleBytes } : {}),
                      },
                  }
                : {}),
            ...(app.quotaGiB !== undefined ? { quotaGiB: app.quotaGiB } : {}),
            ...(app.adopt ? { adopt: app.adopt } : {}),
        },
        { providers: { minio: minioProvider, vault: vaultProvider, docker: dockerProviders[app.host] } },
    ),
}));

// 4. What each app got, and the Prometheus files for the apps that are monitored.
export const apps = Object.fromEntries(
    backups.map(({ app, backup }) => [
        app.name,
        {
            host: app.host,
            group: app.group,
            schedule: app.schedule,
            bucket: backup.bucket,
            vaultPath: backup.vaultPath,
            restorePolicy: backup.restorePolicyName,
            restoreTokenCommand: backup.restoreTokenCommand,
            ...(app.restoreDrill ? { drillSchedule: app.restoreDrill.schedule } : {}),
            ...(app.quotaGiB !== undefined ? { quotaGiB: app.quotaGiB } : {}),
        },
    ]),
);

const monitored = monitoredApps(fleet);
const drilled = drilledApps(fleet);
const watched = monitored.length > 0 || drilled.length > 0;
/** Prometheus alert rules for the monitored apps and the restore drills (load with `rule_files`). */
export const alertRules = watched ? toYaml(alertRulesFor(monitored, { runbookBaseUrl: fleet.monitoring.runbookBaseUrl }, drilled)) : undefined;
/** Prometheus scrape config for the monitored apps' exporters and the restore drills. */
export const scrapeConfig = watched ? toYaml(scrapeConfigFor(monitored, {}, drilled)) : undefined;
/**
 * Old credentials to retire by hand, once every app that used them has passed its deploy-time
 * check (docs/migrate.md, step 8): MinIO users that several adopted apps shared.
 */
export const retireAfterProof = fleet.retireAfterProof;
