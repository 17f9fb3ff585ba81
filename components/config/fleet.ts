/** The validated fleet: what the stack, the plan CLI and the tests get from the stack config. */
import type { AdoptSettings } from "../adopt";
import type { Assignments } from "../assignments";
import type { NotificationSettings } from "../shapes";
import type { DrillSlot } from "../restoreDrill";
import type { RetiredPath } from "../retiredPaths";
import type { Shards } from "../shards";
import type { GroupWindow, PlannedSlot } from "../schedule";

/** How Pulumi reaches one VM's Docker engine. */
export interface HostSpec {
    /** Docker engine address, `ssh://user@host`, `tcp://host:2376` or `unix:///var/run/docker.sock`. */
    dockerHost: string;
    /** Extra ssh options for an `ssh://` host, e.g. `["-o", "StrictHostKeyChecking=yes"]`. */
    sshOpts?: string[];
    /** Where Prometheus reaches the host's exporters. Default: the host name in `dockerHost`. */
    address?: string;
    /** TLS material of a `tcp://` host: paths on the machine running Pulumi. */
    tls?: {
        /** Path of the CA certificate that signed the engine's certificate. */
        caFile: string;
        /** Path of the client certificate Pulumi presents. */
        certFile: string;
        /** Path of the client certificate's key; its content is kept a secret. */
        keyFile: string;
    };
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
    /** `apps[].name`: the app's bucket, Vault secret and containers are named after it. */
    name: string;
    /** `apps[].host`: the key of `platform-backups:hosts` whose Docker engine runs the app's Compose project. */
    host: string;
    /** `apps[].group`: the storage group; its apps share I/O, so their backups are staggered in its window. */
    group: string;
    /** The Compose project stack-back backs up: `apps[].composeProject`, else the app's name. */
    composeProject: string;
    /** The cron expression stack-back gets, `M H * * *`. */
    schedule: string;
    /** Whether `schedule` was given explicitly rather than planned. */
    explicitSchedule: boolean;
    /** Expected backup duration in minutes (used for planning). */
    expectedDuration: number;
    /** Days of daily snapshots to keep: `apps[].retentionDays`, else `platform-backups:retentionDays` (default 30). */
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
    /** What the app adopts (docs/migrate.md); a MinIO user several apps name is left out (shared: not kept). */
    adopt?: AdoptSettings;
    /** Path sets no longer backed up (`apps[].retiredPaths`); empty when none. */
    retiredPaths: RetiredPath[];
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
    /** The Docker hosts by name (`platform-backups:hosts`). */
    hosts: Record<string, HostSpec>;
    /** The apps in config order (`platform-backups:apps`), each with its planned schedule. */
    apps: AppSpec[];
    /** The MinIO server of every app's bucket (`platform-backups:minio`). */
    minio: {
        /** `host[:port]` of the S3 API, no scheme, as Pulumi and the app hosts reach it. */
        endpoint: string;
        /** Whether the S3 API speaks TLS (`s3:https://...`). Default `true`. */
        ssl: boolean;
        /** Region of Pulumi's MinIO provider (`minioRegion`), when set. */
        region?: string;
        /** PEM text of the CA that signed MinIO's certificate, when set (at most one of this and `caCertPath`). */
        caCert?: string;
        /** Absolute path of that PEM file on the app hosts, when set. */
        caCertPath?: string;
    };
    /** The Vault server of every app's secret (`platform-backups:vault`). */
    vault: {
        /** Vault's URL, `http(s)://...`. */
        address: string;
        /** The KV v2 mount of the apps' secrets; it must exist. Default `secret`. */
        mount: string;
        /** Prefix of each app's secret name, `<namePrefix><app>`. Default `stackback_`. */
        namePrefix: string;
        /** Whether Pulumi's Vault provider uses the token as given instead of creating a child token. Default `false`. */
        skipChildToken: boolean;
        /** Lifetime in seconds of the provider's child token, when set (else the provider's default). */
        maxLeaseTtlSeconds?: number;
    };
    /** Prefix of bucket, MinIO user and policy names (`<namePrefix>-<app>-bucket`). Default `restic-stackback`. */
    namePrefix: string;
    /** The pinned stack-back image of every sidecar. Default `ghcr.io/lawndoc/stack-back:v1.5.4`. */
    image: string;
    /** Whether `pulumi up` initialises and checks each app's restic repository on its host. Default `true`. */
    initRepository: boolean;
    /** stack-back's `LOG_LEVEL`, when set; else stack-back's own. */
    logLevel?: string;
    /** IANA time zone of the schedules. */
    timezone: string;
    /** The bound on every restic call of the deploy-time check. */
    checkTimeoutSeconds: number;
    /** Stack-wide monitoring settings (`platform-backups:monitoring`); a monitored app carries its exporter in `monitoring`. */
    monitoring: {
        /** URL of docs/monitoring.md in your git web UI, when set: each alert then links its runbook section. */
        runbookBaseUrl?: string;
    };
    /** Settings of the restore drills (the apps that have one carry `restoreDrill`). */
    restoreDrills: RestoreDrillSettings;
    /** Who can open the offline recovery kit (`recovery.ageRecipients`), when set. */
    recovery?: {
        /** age public keys (`age1...`), at least one, each listed once. */
        ageRecipients: string[];
    };
    /** The plan behind the schedules, and the windows it was made in; `drills` are the restore drills' slots. */
    plan: {
        /** Each app's backup slot, in the order of `apps`. */
        slots: PlannedSlot[];
        /** Each storage group's backup window, by group name. */
        windows: Record<string, GroupWindow>;
        /** The restore drills' slots, in the order of the apps that have a drill. */
        drills: DrillSlot[];
    };
    /** The record of ports and drill times as `npm run plan -- --write` writes it (components/assignments.ts). */
    assignments: Assignments;
    /** The shards the fleet is cut into, when it is (components/shards.ts). */
    shards?: Shards;
    /** Old credentials to retire by hand once every app that used them has passed its check: shared MinIO users and their apps. */
    retireAfterProof?: {
        /** Each old MinIO user that several adopted apps shared, with the apps that used it. */
        minioUsers: Record<string, string[]>;
    };
}

/** Stack config values keyed without the namespace (`apps`, not `platform-backups:apps`). */
export type RawStackConfig = Record<string, unknown>;
