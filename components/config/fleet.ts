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
    /** Who can open the offline recovery kit (`recovery.ageRecipients`), when set. */
    recovery?: { ageRecipients: string[] };
    /** The plan behind the schedules, and the windows it was made in; `drills` are the restore drills' slots. */
    plan: { slots: PlannedSlot[]; windows: Record<string, GroupWindow>; drills: DrillSlot[] };
    /** The record of ports and drill times as `npm run plan -- --write` writes it (components/assignments.ts). */
    assignments: Assignments;
    /** The shards the fleet is cut into, when it is (components/shards.ts). */
    shards?: Shards;
    /** Old credentials to retire by hand once every app that used them has passed its check: shared MinIO users and their apps. */
    retireAfterProof?: { minioUsers: Record<string, string[]> };
}

/** Stack config values keyed without the namespace (`apps`, not `platform-backups:apps`). */
export type RawStackConfig = Record<string, unknown>;
