/**
 * platform-backups: the component library's public face.
 * `AppBackup` gives one app an isolated restic backup pipeline; the pure modules behind it
 * (naming, schedules, policies, config) are exported for programs and tools that build on it.
 */
export * from "./appBackup";
export * from "./config";
// The schema and its types; the field builders in configFields.ts stay internal.
export { CONFIG_KEYS, stackConfigSchema, stackFileJsonSchema, timezoneProblem } from "./configSchema";
export type { AppConfig, HostConfig, MonitoringConfig, ScheduleConfig, StackConfig } from "./configSchema";
export { emptyFleetProblems, plainSecretProblems, setSecretCommand } from "./configGuards";
export type { SecrecyOracle } from "./configGuards";
export * from "./cron";
export * from "./iamPolicy";
export * from "./monitoring";
export * from "./naming";
export * from "./notifications";
export * from "./planView";
export * from "./restoreAccess";
export * from "./restoreDrill";
export type { RetiredPath } from "./retiredPaths";
export * from "./schedule";
export * from "./stackback";
