/**
 * The public face of `platform-backups`, chosen rather than everything: the `AppBackup` component
 * with its argument and output types, the backup names it derives, the stack-config reader, and
 * the few helpers a program like this repository's `index.ts` needs to turn a validated fleet into
 * components and Prometheus files. Everything else (planner, plan picture, config schema, IAM
 * documents, container settings) stays internal: the package's `exports` map offers no deep import.
 *
 * `api/platform-backups.api.md` records this surface (api-extractor; `npm run api` updates it);
 * a change here shows there in review. Nothing here may reach zod's declarations, so that a program
 * compiled with Pulumi's template tsconfig (no `esModuleInterop`, no `skipLibCheck`) compiles.
 *
 * @packageDocumentation
 */

// The component, its arguments and what they are made of.
export { AppBackup, APP_BACKUP_TYPE } from "./appBackup";
export type { AppBackupArgs, AppBackupMonitoringArgs, AppBackupRestoreDrillArgs } from "./appBackup";
export type { DockerTlsFiles, ResticKeepPolicy } from "./stackback";
export type { EnvEntry } from "./shapes";
// What an app adopts (AppBackupArgs.adopt).
export type { AdoptedVaultSecret, AdoptSettings } from "./adopt";

// The names of an app's bucket, users, containers and Vault secret.
export { backupNames } from "./naming";
export type { BackupNames, NamingOptions } from "./naming";

// The stack-config reader: every problem at once, with its path and the fix, before any resource.
export { CONFIG_NAMESPACE, ConfigError, configFromPulumi, formatProblems, loadStackFile, validateStackConfig } from "./config";
export type {
    AppMonitoringSpec,
    AppRestoreDrillSpec,
    AppSpec,
    ConfigProblem,
    Fleet,
    HostSpec,
    RawStackConfig,
    RestoreDrillSettings,
    ValidateOptions,
} from "./config";
// The guard on the raw config that needs the CLI's view of secrets: a credential written in plain
// text (validateStackConfig runs the other guard, on an empty fleet, itself).
export { plainSecretProblems } from "./configGuards";
export type { SecrecyOracle } from "./configGuards";
// One fleet cut into shards by host, each deployed as a stack of its own: the shard stack reads
// the fleet's file, resolves which shard it is and keeps the apps of its hosts.
export { fleetFileReader } from "./fleetFile";
export { resolveShard, selectShard, shardStackName } from "./shards";
export type { Narrowable, ReadFleet, ShardRef, Shards } from "./shards";
// The record of ports and drill times assigned once (`platform-backups:assignments`).
export type { AppAssignment, Assignments } from "./assignments";
export type { AssignmentMode } from "./fleetAssign";
// The planned backup and drill slots a validated fleet carries.
export type { GroupWindow, PlannedSlot } from "./schedule";
export type { DrillSlot } from "./restoreDrill";
export type { RetiredPath } from "./retiredPaths";

// From a validated fleet to the sidecar's notification settings and the Prometheus files.
export { drilledApps, monitoredApps } from "./config";
export { notificationEnv } from "./notificationEnv";
export type { NotificationSettings } from "./shapes";
export { alertRules, scrapeConfig, toYaml } from "./monitoring";
export type { MonitoredApp, MonitoringOptions, ScrapeConfigFile } from "./monitoring";
export { ALERTS, DRILL_ALERTS, QUOTA_ALERT, QUOTA_FORECAST_ALERT } from "./shapes";
export type { AlertName, AlertRule, DrilledApp, RuleFile, ScrapeJob } from "./shapes";
