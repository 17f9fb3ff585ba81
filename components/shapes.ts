/**
 * Names and shapes shared by several modules, one floor below all of them: the alert names, the
 * shape of an alert rule and a scrape job, a container's environment entry, an app with a restore
 * drill. monitoring.ts and restoreDrill.ts both build on these and neither imports the other's
 * types, so there is no import circle (tests/importCycles.test.ts).
 *
 * Pure: no import at all.
 */

/** The alerts generated for every monitored app. */
export const ALERTS = {
    /** App level: the newest snapshot of ANY path set is older than the app's interval plus grace: no backup ran. */
    backupStale: "ResticBackupStale",
    /** Path-set level: one path set (the volumes, or one database's dump) is stale while others are fresh. Retired sets are left out. */
    pathSetStale: "ResticPathSetStale",
    /** From the first scrape: the exporter answers but the repository shows no snapshot yet. */
    noBackupYet: "ResticNoBackupYet",
    /** The exporter reads the repository but it holds no snapshot at all, one interval plus grace on. */
    backupMissing: "ResticBackupMissing",
    /** `restic check` failed on two reads in a row. */
    checkFailed: "ResticCheckFailed",
    /** Prometheus cannot scrape the exporter. */
    exporterDown: "ResticExporterDown",
    /** Prometheus has no scrape target for the app at all. */
    exporterAbsent: "ResticExporterAbsent",
} as const;

/** The alert of an app with a bucket quota (`quotaGiB`): it fires before the quota is reached. */
export const QUOTA_ALERT = "ResticQuotaNearlyFull";

/** The forecast alert of an app with a bucket quota: at the present growth the quota is reached soon. */
export const QUOTA_FORECAST_ALERT = "ResticQuotaFullSoon";

/** The drill alerts. */
export const DRILL_ALERTS = {
    /** The last drill failed: the newest backup could not be restored or the repository check failed. */
    failed: "ResticRestoreDrillFailed",
    /** No successful drill for longer than a day plus grace (or no drill metrics at all). */
    stale: "ResticRestoreDrillStale",
} as const;

/** Name of one generated alert: the exporter's, the restore drill's, and the quota's. */
export type AlertName =
    (typeof ALERTS)[keyof typeof ALERTS] | (typeof DRILL_ALERTS)[keyof typeof DRILL_ALERTS] | typeof QUOTA_ALERT | typeof QUOTA_FORECAST_ALERT;

/** One Prometheus alerting rule. */
export interface AlertRule {
    /** The alert's name. */
    alert: AlertName;
    /** The PromQL condition. */
    expr: string;
    /** How long the condition must hold before the alert fires, e.g. `90m`. */
    for: string;
    /** Severity, and the app, storage group and host the alert is about. */
    labels: {
        /** Fixed per alert: `critical` when data is at risk, `warning` for a blind spot in monitoring or an early sign. */
        severity: "critical" | "warning";
        /** The app's name. */
        app: string;
        /** Its storage group. */
        group: string;
        /** The host it runs on. */
        host: string;
    };
    /** `runbook_url` only when a runbook base URL is set. */
    annotations: {
        /** One line: what is wrong, and with which app. */
        summary: string;
        /** The details: the app with its group and host, and what was seen. */
        description: string;
        /** `<runbook page>#<alert in lower case>`, the alert's section of docs/monitoring.md or docs/restore.md. */
        runbook_url?: string;
    };
}

/** A Prometheus rule file (`rule_files`). */
export interface RuleFile {
    /** The rule groups; the rules of each are evaluated together. */
    groups: Array<{
        /** The group's name. Default `platform-backups-restic` (`MonitoringOptions.ruleGroupName`). */
        name: string;
        /** Every alert rule of every app. */
        rules: AlertRule[];
    }>;
}

/** One Prometheus scrape job. */
export interface ScrapeJob {
    /** The job's name, the `job` label of its series. */
    job_name: string;
    /** The path scraped on every target. */
    metrics_path: string;
    /** How often, e.g. `1m`; Prometheus' global default when absent. */
    scrape_interval?: string;
    /** Bound of one scrape; Prometheus' global default when absent. */
    scrape_timeout?: string;
    /** One target (`host:port`) per app, labelled with its app, storage group and host. */
    static_configs: Array<{
        /** The app's one target, `host:port`. */
        targets: string[];
        /** Put on every series scraped from the target. */
        labels: {
            /** The app's name. */
            app: string;
            /** Its storage group. */
            group: string;
            /** The host it runs on. */
            host: string;
        };
    }>;
}

/** One environment variable of a container; `secret` ones must never be shown in plain text. */
export interface EnvEntry {
    /** Variable name, e.g. `DISCORD_WEBHOOK`. */
    name: string;
    /** Its value. */
    value: string;
    /** Whether the value is a credential; the component then makes the entry a secret output. */
    secret: boolean;
}

/** One app with a drill, as Prometheus sees it. */
export interface DrilledApp {
    /** The app's name. */
    app: string;
    /** Its storage group. */
    group: string;
    /** The host its drill runs on. */
    host: string;
    /** `host:port` of the drill's metrics server. */
    address: string;
    /** Hours between drills (24 for the daily drill). Default 24. */
    intervalHours?: number;
    /** Hours a drill may be overdue. Default `DRILL_DEFAULTS.graceHours` (restoreDrill.ts). */
    graceHours?: number;
}

/** A problem in the config: where, and what to do. */
export interface ConfigProblem {
    /** Where, e.g. `apps[2] (n8n).schedule`. */
    path: string;
    /** What is wrong and how to fix it. */
    message: string;
}

/**
 * Notification settings of the stack (defaults) or of one app (override). Every field is
 * optional; an app's field, when present, wins over the stack's. In an app, `emailHost: ""`
 * turns e-mail off and `discordWebhook: ""` turns Discord off, whatever the stack sets.
 */
export interface NotificationSettings {
    /** SMTP server host name, without scheme. */
    emailHost?: string;
    /** SMTP port: 465 (implicit TLS) or 587 (STARTTLS). */
    emailPort?: number;
    /** SMTP login; also the sender address. */
    emailUser?: string;
    /** SMTP password (secret). */
    emailPassword?: string;
    /** Recipients. */
    emailSendTo?: readonly string[];
    /** Discord webhook URL, `https://...` (secret: the URL is the credential). */
    discordWebhook?: string;
}
