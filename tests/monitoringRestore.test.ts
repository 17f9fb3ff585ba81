/**
 * The generated Prometheus files with restore drills and quotas: the drill scrape job, the
 * two drill alerts, the quota alert, their routing labels and runbook links.
 */
import * as path from "path";
import { drilledApps, loadStackFile, monitoredApps } from "../components/config";
import {
    ALERT_SEVERITY,
    ALERTS,
    alertRules,
    QUOTA_ALERT,
    QUOTA_FORECAST_ALERT,
    quotaAlertRule,
    restoreRunbookPage,
    scrapeConfig,
    toYaml,
} from "../components/monitoring";
import { DRILL_ALERTS, DRILL_JOB_NAME } from "../components/restoreDrill";
import { ROOT } from "./support/stack";

const { fleet } = loadStackFile(path.join(ROOT, "Pulumi.prod.yaml"));
const monitored = monitoredApps(fleet);
const drilled = drilledApps(fleet);
const rules = alertRules(monitored, {}, drilled).groups[0].rules;

describe("prod's generated rules", () => {
    test("every monitored app has the five exporter alerts, every drilled app the two drill alerts, gitlab the quota alert", () => {
        const count = (alert: string) => rules.filter((r) => r.alert === alert).map((r) => r.labels.app);
        for (const alert of Object.values(ALERTS)) expect(count(alert)).toEqual(monitored.map((a) => a.app));
        for (const alert of Object.values(DRILL_ALERTS)) expect(count(alert)).toEqual(drilled.map((a) => a.app));
        expect(count(QUOTA_ALERT)).toEqual(["gitlab"]);
        expect(count(QUOTA_FORECAST_ALERT)).toEqual(["gitlab"]);
        expect(rules).toHaveLength(6 * Object.values(ALERTS).length + 6 * 2 + 2);
    });

    test("the new alerts carry the routing labels of the others and their severity from ALERT_SEVERITY", () => {
        for (const rule of rules.filter((r) => r.alert === QUOTA_ALERT || (Object.values(DRILL_ALERTS) as string[]).includes(r.alert))) {
            const app = fleet.apps.find((a) => a.name === rule.labels.app);
            expect(rule.labels).toEqual({ severity: ALERT_SEVERITY[rule.alert], app: app?.name, group: app?.group, host: app?.host });
        }
        expect(ALERT_SEVERITY[DRILL_ALERTS.failed]).toBe("critical");
        expect(ALERT_SEVERITY[DRILL_ALERTS.stale]).toBe("warning");
        expect(ALERT_SEVERITY[QUOTA_ALERT]).toBe("warning");
    });

    test("the quota alert fires at 80% of gitlab's 500 GiB, read from its exporter's restic_size_total", () => {
        const quota = rules.find((r) => r.alert === QUOTA_ALERT);
        expect(quota?.expr).toBe(`restic_size_total{job="restic-exporter",app="gitlab"} >= ${Math.floor(500 * 2 ** 30 * 0.8)}`);
        expect(quota?.for).toBe("30m");
        expect(quota?.annotations.summary).toBe("The restic repository of gitlab holds 80% of its 500 GiB bucket quota");
    });

    test("drill alerts select the drill job, and stale waits a day plus the stack's grace", () => {
        const stale = rules.find((r) => r.alert === DRILL_ALERTS.stale && r.labels.app === "n8n");
        expect(stale?.expr).toContain(`{job="${DRILL_JOB_NAME}",app="n8n"}`);
        expect(stale?.expr).toContain(`> ${(24 + 6) * 3600}`);
    });

    test("runbook links of the new alerts point into docs/restore.md beside docs/monitoring.md, and exist only with a base URL", () => {
        expect(rules.find((r) => r.alert === QUOTA_ALERT)?.annotations.runbook_url).toBeUndefined();
        expect(rules.find((r) => r.alert === DRILL_ALERTS.failed)?.annotations.runbook_url).toBeUndefined();
        const base = "https://git.example.com/p/-/blob/main/docs/monitoring.md";
        expect(restoreRunbookPage({ runbookBaseUrl: base })).toBe("https://git.example.com/p/-/blob/main/docs/restore.md");
        const linked = alertRules(monitored, { runbookBaseUrl: base }, drilled).groups[0].rules;
        expect(linked.find((r) => r.alert === DRILL_ALERTS.failed)?.annotations.runbook_url).toBe(
            "https://git.example.com/p/-/blob/main/docs/restore.md#resticrestoredrillfailed",
        );
        expect(linked.find((r) => r.alert === QUOTA_ALERT)?.annotations.runbook_url).toBe(
            "https://git.example.com/p/-/blob/main/docs/restore.md#resticquotanearlyfull",
        );
        expect(linked.find((r) => r.alert === ALERTS.backupStale)?.annotations.runbook_url).toBe(`${base}#resticbackupstale`);
    });

    test("an app without a quota has no quota alert", () => {
        expect(quotaAlertRule(monitored.find((a) => a.app === "n8n")!)).toBeUndefined();
    });
});

describe("scrape config", () => {
    test("adds a restore-drill job with one target per drilled app, labelled like the exporters", () => {
        const file = scrapeConfig(monitored, { scrapeInterval: "1m" }, drilled);
        expect(file.scrape_configs.map((j) => j.job_name)).toEqual(["restic-exporter", DRILL_JOB_NAME]);
        const job = file.scrape_configs[1];
        expect(job.scrape_interval).toBe("1m");
        const gitlab = fleet.apps.find((a) => a.name === "gitlab");
        expect(job.static_configs).toContainEqual({
            targets: [gitlab?.restoreDrill?.address],
            labels: { app: "gitlab", group: "blue", host: "platform-one-vm3" },
        });
        expect(job.static_configs).toHaveLength(6);
    });

    test("without drills it is the exporter job alone; with drills only, the drill job alone", () => {
        expect(scrapeConfig(monitored).scrape_configs.map((j) => j.job_name)).toEqual(["restic-exporter"]);
        expect(scrapeConfig([], {}, drilled).scrape_configs.map((j) => j.job_name)).toEqual([DRILL_JOB_NAME]);
        expect(toYaml(alertRules([], {}, drilled))).toContain("ResticRestoreDrillStale");
    });
});
