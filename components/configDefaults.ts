/**
 * The config namespace and the defaults of the stack config: facts that the program, the schema
 * and the library's public face share. No zod here, so that the public declarations which use
 * them do not reach zod's (a consumer without `esModuleInterop` or `skipLibCheck` could not
 * compile those).
 */
import { DEFAULT_VAULT_MOUNT } from "./naming";
import { DEFAULT_CHECK_TIMEOUT_SECONDS, DEFAULT_RETENTION_DAYS } from "./stackback";

/** The config namespace: keys are `platform-backups:<key>` in `Pulumi.<stack>.yaml`. */
export const CONFIG_NAMESPACE = "platform-backups";

/** Defaults that reproduce the original write-up. */
export const DEFAULTS = {
    retentionDays: DEFAULT_RETENTION_DAYS,
    scheduleStart: "02:00",
    spacingMinutes: 20,
    maxConcurrent: 1,
    vaultMount: DEFAULT_VAULT_MOUNT,
    minioSsl: true,
    /** Lowest host port of the restic exporters; see `exporterPort` in config.ts. */
    exporterPortBase: 9471,
    /**
     * Lowest host port of the restore drills' metrics. The exporters take 9471-10470 (base plus
     * `EXPORTER_PORT_SPAN`); the drills take the next 1000 ports, so by default the two never meet.
     */
    drillPortBase: 10471,
    timezone: "UTC",
    checkTimeoutSeconds: DEFAULT_CHECK_TIMEOUT_SECONDS,
} as const;
