/**
 * The one schema of the stack config (the `platform-backups:*` keys, without the namespace).
 * From it come the TypeScript types, the validation of `pulumi up`, `npm run plan` and
 * `npm run monitoring`, and the JSON Schema that editors use on `Pulumi.<stack>.yaml`
 * (`npm run schema` writes schema/stack-config.schema.json).
 *
 * What no schema can say (hosts named by apps, groups, windows, ports, the plan) is checked in
 * config.ts, on the parts that this schema accepted.
 *
 * Pure: no Pulumi import.
 */
import * as z from "zod";
import { Checked, field, flag, secretText, text, wholeNumber } from "./configFields";
import { assignmentsSchema, shardSchema, shardsSchema } from "./fleetSchemas";
import { CONFIG_NAMESPACE, DEFAULTS } from "./configDefaults";
import { parseClock } from "./cron";
import { DEFAULT_GRACE_HOURS, DEFAULT_REFRESH_INTERVAL_SECONDS, runbookBaseUrlProblem } from "./monitoring";
import { DEFAULT_NAME_PREFIX, DEFAULT_VAULT_NAME_PREFIX } from "./naming";
import { notificationsSchema } from "./notifications";
import { ageRecipientProblem } from "./recovery";
import { DRILL_DEFAULTS, MAX_CHECK_SLICES } from "./restoreDrill";
import { retiredOnProblem, retiredPathProblem } from "./retiredPaths";
import { DEFAULT_DRILL_CONCURRENCY } from "./drillSlots";
import { caCertProblems, DEFAULT_STACKBACK_IMAGE, imageProblems, isTimeZone, minioEndpointProblem } from "./stackback";

export { CONFIG_NAMESPACE, DEFAULTS } from "./configDefaults";

/** A time of day, `HH:MM` on a 24-hour clock, read as minutes after midnight. */
function clock(description: string) {
    return field({ type: "string", pattern: "^([01]?\\d|2[0-3]):[0-5]\\d$", description }, (value): Checked<number | undefined> => {
        if (value === undefined || value === null) return { value: undefined };
        const minutes = typeof value === "string" ? parseClock(value) : undefined;
        return minutes === undefined ? { problem: `${JSON.stringify(value)} is not a time; write HH:MM on a 24-hour clock, e.g. "02:00"` } : { value: minutes };
    });
}

const absolutePath = (what: string) => (path: string) =>
    path.startsWith("/") ? undefined : `"${path}" is not an absolute path; write the full path of the ${what}, e.g. "/etc/ssl/${what.split(" ")[0]}.pem"`;

/** An IANA time zone, as Node's Intl knows it (the component's own check, `isTimeZone`). */
export function timezoneProblem(zone: string): string | undefined {
    return isTimeZone(zone) ? undefined : `"${zone}" is not a time zone; write an IANA name such as "UTC" or "Europe/Berlin"`;
}

const hostSchema = z.strictObject({
    dockerHost: text({
        required: 'write how Pulumi reaches its Docker engine, e.g. "ssh://deploy@vm1.example.internal"',
        pattern: "^(ssh|tcp|unix|npipe)://\\S+$",
        description: "Docker engine address: ssh://user@host, tcp://host:2376 (with tls) or unix:///var/run/docker.sock",
        rule: (url) =>
            /^(ssh|tcp|unix|npipe):\/\/\S+$/.test(url)
                ? undefined
                : `"${url}" is not a Docker host URL; use ssh://user@host, tcp://host:2376 or unix:///var/run/docker.sock`,
    }),
    sshOpts: z.array(text()).optional().meta({ description: 'extra ssh options for an ssh:// host, e.g. ["-o", "StrictHostKeyChecking=yes"]' }),
    address: text({ description: "where Prometheus reaches this host's exporters (default: the host name in dockerHost)" }).optional(),
    tls: z
        .strictObject({
            caFile: text({ required: "give the path of the CA certificate on the machine running Pulumi" }),
            certFile: text({ required: "give the path of the client certificate on the machine running Pulumi" }),
            keyFile: text({ required: "give the path of the client key on the machine running Pulumi" }),
        })
        .optional()
        .meta({ description: "TLS material for a tcp:// dockerHost (paths on the machine running Pulumi)" }),
});

const appMonitoringSchema = z.strictObject({
    enabled: flag({ description: "turns the app's exporter on or off (default: monitoring.enabled)" }).optional(),
    port: wholeNumber({
        unit: "(port number)",
        min: 1,
        max: 65535,
        description: "host port of the app's exporter (default: derived from the app's name)",
    }).optional(),
    graceHours: wholeNumber({ unit: "hours", min: 0, description: "hours after a day before a snapshot counts as late" }).optional(),
});

const appRestoreDrillsSchema = z.strictObject({
    enabled: flag({ description: "turns the app's restore drill on or off (default: restoreDrills.enabled)" }).optional(),
    port: wholeNumber({
        unit: "(port number)",
        min: 1,
        max: 65535,
        description: "host port of the drill's metrics (default: derived from the app's name)",
    }).optional(),
    schedule: text({ description: 'explicit daily drill start, "M H * * *"; refused when it overlaps a backup of the group (default: planned)' }).optional(),
});

/** What already exists for an app and is taken over (components/adopt.ts; docs/migrate.md). */
const adoptSchema = z.strictObject({
    bucket: text({ description: "the existing bucket that holds the app's restic repository (any name); imported, never created" }).optional(),
    vaultSecret: z
        .strictObject({
            mount: text({ required: 'name the KV v2 mount, e.g. mount: "ansible"', description: "the KV v2 mount" }),
            name: text({ required: 'name the secret below the mount, e.g. name: "stackback_n8n"', description: "the secret's name below the mount" }),
            version: wholeNumber({
                unit: "(KV v2 version)",
                min: 1,
                description: "the version whose password opens the repository (default: the latest)",
            }).optional(),
        })
        .optional()
        .meta({ description: "the Vault secret whose field `password` opens the repository; required with bucket" }),
    lifecycle: flag({ default: false, description: "the bucket has lifecycle rules to import (mc ilm rule ls lists some)" }),
    minioUser: text({
        description: "the MinIO user the old sidecar wrote with: kept when only this app names it, else replaced by a new user of the app's own",
    }).optional(),
    readerUser: text({ description: "an existing read-only MinIO user of this app alone, kept" }).optional(),
    proven: flag({ default: false, description: "true once a pulumi up's check opened the adopted repository: lifts protect, applies the program's settings" }),
});

const appSchema = z.strictObject({
    name: text({ required: 'give the app a name, e.g. name: "gitlab"', description: "the app's name: bucket, Vault secret and containers are named after it" }),
    host: text({
        required: "name one of the hosts under platform-backups:hosts",
        description: "the host (a key of hosts) where the app's Compose project runs",
    }),
    group: text({ required: 'name its storage group, e.g. group: "green"', description: "storage group: apps of a group share I/O and are staggered" }),
    schedule: text({ description: 'explicit daily start, "M H * * *" (pins the app; default: planned)' }).optional(),
    composeProject: text({ description: "the app's Compose project (default: the app's name)" }).optional(),
    expectedDuration: wholeNumber({
        unit: "minutes",
        min: 1,
        max: 1439,
        description: "how long the backup takes (default: schedule.spacingMinutes)",
    }).optional(),
    retentionDays: wholeNumber({ unit: "days", min: 1, description: "days of daily snapshots to keep (default: retentionDays)" }).optional(),
    notifications: notificationsSchema.optional(),
    monitoring: appMonitoringSchema.optional(),
    requireLabels: flag({ default: true, description: "false lets the deploy-time check pass while the project has no stack-back.* label yet" }),
    restoreDrills: appRestoreDrillsSchema.optional(),
    quotaGiB: wholeNumber({
        unit: "GiB",
        min: 1,
        description: "hard MinIO quota of the app's bucket, in GiB (2^30 bytes); needs monitoring on for the app (its alert reads the exporter)",
    }).optional(),
    adopt: adoptSchema
        .optional()
        .meta({ description: "what already exists (bucket, Vault secret, MinIO user) and is taken over instead of created (docs/migrate.md)" }),
    retiredPaths: z
        .array(
            z.strictObject({
                path: text({
                    required: "give the snapshot path of the set, as npm run restore -- --list shows it",
                    rule: retiredPathProblem,
                    description: "the path set's snapshot path, e.g. /databases/db/old.sql",
                }),
                retiredOn: text({
                    required: 'give the day it stopped being backed up, e.g. retiredOn: "2026-11-30"',
                    rule: retiredOnProblem,
                    description: "the day (UTC, YYYY-MM-DD) the set stopped being backed up",
                }),
            }),
        )
        .optional(),
});

const groupSchema = z.strictObject({
    start: clock("start of the group's window (default: schedule.start)").optional(),
    end: clock("end of the group's window; before start means after midnight").optional(),
    maxConcurrent: wholeNumber({ unit: "backups", min: 1, description: "how many of the group's backups may run at once (default 1)" }).optional(),
});

const scheduleSchema = z.strictObject({
    start: clock(`when each group's first backup starts (default ${DEFAULTS.scheduleStart})`).optional(),
    spacingMinutes: wholeNumber({
        unit: "minutes",
        min: 1,
        default: DEFAULTS.spacingMinutes,
        description: "expected duration of an app that does not give its own",
    }),
    groups: z.record(z.string(), groupSchema).optional(),
});

const monitoringSchema = z.strictObject({
    enabled: flag({ default: false, description: "a restic exporter per app, with alert rules and scrape config" }),
    portBase: wholeNumber({ unit: "(port number)", min: 1, max: 64535, default: DEFAULTS.exporterPortBase, description: "lowest exporter host port" }),
    graceHours: wholeNumber({ unit: "hours", min: 0, default: DEFAULT_GRACE_HOURS }),
    refreshIntervalSeconds: wholeNumber({ unit: "seconds", min: 60, default: DEFAULT_REFRESH_INTERVAL_SECONDS }),
    runbookBaseUrl: text({
        description: "absolute http(s) URL of docs/monitoring.md in your git web UI; each alert links <url>#<alert>. Unset: no runbook links",
        rule: runbookBaseUrlProblem,
    }).optional(),
});

const restoreDrillsSchema = z.strictObject({
    enabled: flag({ default: false, description: "a daily restore drill per app, placed outside its group's backups (docs/restore.md)" }),
    portBase: wholeNumber({ unit: "(port number)", min: 1, max: 64535, default: DEFAULTS.drillPortBase, description: "lowest drill metrics host port" }),
    checkSlices: wholeNumber({
        unit: "slices",
        min: 1,
        max: MAX_CHECK_SLICES,
        default: DRILL_DEFAULTS.checkSlices,
        description: "days in which check --read-data-subset reads the whole repository once",
    }),
    sampleFiles: wholeNumber({ unit: "files", min: 1, default: DRILL_DEFAULTS.sampleFiles, description: "files restored from each snapshot at most" }),
    sampleBytes: wholeNumber({
        unit: "bytes",
        min: 1,
        description: `bytes restored from each snapshot at most (default ${DRILL_DEFAULTS.sampleBytes})`,
    }).optional(),
    maxConcurrent: wholeNumber({
        unit: "drills",
        min: 1,
        default: DEFAULT_DRILL_CONCURRENCY,
        description: "drills of one storage group that may run at once",
    }),
    expectedDuration: wholeNumber({
        unit: "minutes",
        min: 1,
        max: 1439,
        default: DRILL_DEFAULTS.expectedDuration,
        description: "how long a drill takes; the planner keeps this much time free of the group's backups",
    }),
    gapMinutes: wholeNumber({
        unit: "minutes",
        min: 0,
        max: 720,
        default: DRILL_DEFAULTS.gapMinutes,
        description: "minutes kept free between a backup of the group and a drill",
    }),
    graceHours: wholeNumber({
        unit: "hours",
        min: 0,
        default: DRILL_DEFAULTS.graceHours,
        description: "hours a drill may be overdue before it counts as stale",
    }),
});

const minioSchema = z.strictObject({
    endpoint: text({
        required: 'give host[:port] of the MinIO S3 API, e.g. "minio.example.internal:9000"',
        rule: minioEndpointProblem,
        description: "host[:port] of the MinIO S3 API, no scheme",
    }),
    ssl: flag({ default: DEFAULTS.minioSsl }),
    region: text().optional(),
    caCert: text({
        description: "PEM text of the CA that signed MinIO's certificate",
        rule: (pem) => caCertProblems(pem)[0],
    }).optional(),
    caCertPath: text({ description: "absolute path of that PEM file on the app hosts", rule: absolutePath("CA certificate file") }).optional(),
});

const vaultSchema = z.strictObject({
    address: text({
        required: 'give the Vault URL, e.g. "https://vault.example.internal:8200"',
        rule: (url) => (/^https?:\/\/\S+$/.test(url) ? undefined : `"${url}" must be an http(s):// URL`),
    }),
    mount: text({ default: DEFAULTS.vaultMount, description: "the KV v2 mount (must exist)" }),
    namePrefix: text({ default: DEFAULT_VAULT_NAME_PREFIX }),
    skipChildToken: flag({ default: false, description: "use the token as given instead of creating a child token" }),
    maxLeaseTtlSeconds: wholeNumber({ unit: "seconds", min: 60 }).optional(),
});

const recoverySchema = z.strictObject({
    ageRecipients: z.array(
        text({ rule: ageRecipientProblem, description: 'an age public key ("age1...", from age-keygen -y) that can open the offline recovery kit' }),
    ),
});

/** The whole stack config: one entry per `platform-backups:<key>`. */
export const stackConfigSchema = z.strictObject({
    minio: minioSchema,
    vault: vaultSchema,
    hosts: z.record(z.string(), hostSchema),
    apps: z.array(appSchema),
    allowEmptyFleet: flag({
        default: false,
        description: "true: accept apps: [] on purpose (pulumi up then removes every app's sidecar, exporter, drill and check; buckets and secrets stay)",
    }),
    schedule: scheduleSchema.optional(),
    retentionDays: wholeNumber({ unit: "days", min: 1, default: DEFAULTS.retentionDays, description: "days of daily snapshots each app keeps" }),
    namePrefix: text({ default: DEFAULT_NAME_PREFIX, description: "bucket names: <namePrefix>-<app>-bucket" }),
    image: text({ default: DEFAULT_STACKBACK_IMAGE, rule: (image) => imageProblems(image)[0], description: "the pinned stack-back image" }),
    logLevel: text().optional(),
    initRepository: flag({ default: true, description: "initialise and check each restic repository at deploy time" }),
    notifications: notificationsSchema.optional(),
    monitoring: monitoringSchema.optional(),
    restoreDrills: restoreDrillsSchema.optional(),
    recovery: recoverySchema.optional(),
    assignments: assignmentsSchema
        .optional()
        .meta({ description: "written by `npm run plan -- --stack <name> --write`: each app's recorded ports and drill time" }),
    shards: shardsSchema.optional().meta({ description: "the fleet's hosts cut into shards, each deployed as the stack <fleet>-<shard>" }),
    shard: shardSchema.optional().meta({ description: "in a shard's own stack file: which fleet and which shard it is" }),
    timezone: text({ default: DEFAULTS.timezone, rule: timezoneProblem, description: "IANA time zone of the schedules" }),
    checkTimeoutSeconds: wholeNumber({
        unit: "seconds",
        min: 10,
        max: 3600,
        default: DEFAULTS.checkTimeoutSeconds,
        description: "bound on every restic call of the deploy-time check",
    }),
    minioUser: text({ description: "MinIO user for Pulumi (else MINIO_USER)" }).optional(),
    minioPassword: secretText({ description: "MinIO password for Pulumi, a secret (else MINIO_PASSWORD)" }),
    vaultToken: secretText({ description: "Vault token for Pulumi, a secret (else VAULT_TOKEN)" }),
});

/** The config after the schema: defaults applied, values read. */
export type StackConfig = z.output<typeof stackConfigSchema>;
export type AppConfig = z.output<typeof appSchema>;
export type HostConfig = z.output<typeof hostSchema>;
export type MonitoringConfig = z.output<typeof monitoringSchema>;
export type ScheduleConfig = z.output<typeof scheduleSchema>;
export type RestoreDrillsConfig = z.output<typeof restoreDrillsSchema>;

/** The schema of each part, for validating a stack part by part (see config.ts). */
export const CONFIG_PARTS = {
    app: appSchema,
    host: hostSchema,
    monitoring: monitoringSchema,
    schedule: scheduleSchema,
    restoreDrills: restoreDrillsSchema,
} as const;

/** The keys of the namespace, in schema order. */
export const CONFIG_KEYS = Object.keys(stackConfigSchema.shape) as ReadonlyArray<keyof StackConfig>;

/**
 * The JSON Schema of a whole `Pulumi.<stack>.yaml`: its `config:` map holds `platform-backups:*`
 * keys (only known ones) and other namespaces' keys (providers: not checked here).
 */
export function stackFileJsonSchema(): Record<string, unknown> {
    const inner = z.toJSONSchema(stackConfigSchema, { io: "input", target: "draft-7" }) as { properties: Record<string, unknown> };
    const properties = Object.fromEntries(Object.entries(inner.properties).map(([key, schema]) => [`${CONFIG_NAMESPACE}:${key}`, schema]));
    return {
        $schema: "http://json-schema.org/draft-07/schema#",
        title: "Pulumi.<stack>.yaml of platform-backups",
        description: "Generated from components/configSchema.ts by `npm run schema`; do not edit by hand. See docs/configuration.md.",
        type: "object",
        properties: {
            config: {
                type: "object",
                properties,
                required: [`${CONFIG_NAMESPACE}:minio`, `${CONFIG_NAMESPACE}:vault`, `${CONFIG_NAMESPACE}:hosts`, `${CONFIG_NAMESPACE}:apps`],
                // Other namespaces (minio:, vault:, docker:, pulumi:, ...) belong to their providers.
                patternProperties: { [`^(?!${CONFIG_NAMESPACE}:)[A-Za-z0-9_.-]+:`]: {} },
                additionalProperties: false,
            },
            secretsprovider: { type: "string" },
            encryptedkey: { type: "string" },
            encryptionsalt: { type: "string" },
            environment: {},
        },
        additionalProperties: false,
    };
}
