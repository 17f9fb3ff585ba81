/**
 * Alerts over path sets (stack-back writes one snapshot per path set: the volumes and each
 * database dump), "no backup yet" from the first scrape, and the quota forecast. The expressions
 * are evaluated by promtool in tests/real/prometheus.real.test.ts; here their shape and inputs.
 */
import {
    ALERT_SEVERITY,
    ALERTS,
    alertRules,
    appAlertRules,
    MonitoredApp,
    newestBackupAgeExpr,
    noBackupYetExpr,
    QUOTA_FORECAST,
    QUOTA_FORECAST_ALERT,
    quotaForecastAlertRule,
} from "../components/monitoring";

const N8N: MonitoredApp = { app: "n8n", group: "green", host: "vm1", exporterAddress: "vm1:9101", intervalHours: 24 };
const rule = (entry: MonitoredApp, alert: string) => appAlertRules(entry).find((r) => r.alert === alert);

describe("stale backups: the app (critical) and one path set (warning)", () => {
    test("the app-level alert is critical and looks at the newest snapshot of any path set and any hostname", () => {
        const stale = rule(N8N, ALERTS.backupStale);
        expect(stale?.expr).toBe('time() - max(restic_backup_timestamp{job="restic-exporter",app="n8n"}) > 93600');
        expect(stale?.labels.severity).toBe("critical");
    });

    test("the path-set alert is a warning per snapshot_paths, quiet while the whole app is stale (the critical one speaks)", () => {
        const stale = rule(N8N, ALERTS.pathSetStale);
        expect(stale?.expr).toBe(
            'time() - max by (snapshot_paths) (restic_backup_timestamp{job="restic-exporter",app="n8n"}) > 93600' +
                ` unless on() (${newestBackupAgeExpr("restic-exporter", "n8n")} > 93600)`,
        );
        expect(stale?.labels.severity).toBe("warning");
        expect(stale?.annotations.summary).toContain("{{ $labels.snapshot_paths }}");
    });

    test("a retired path set is left out of the path-set alert, literally ($ and quotes escaped), and only there", () => {
        const retired = { ...N8N, retiredPaths: ["/databases/db/old.sql", '/volumes/a "$x"'] };
        const stale = rule(retired, ALERTS.pathSetStale);
        expect(stale?.expr).toContain('{job="restic-exporter",app="n8n",snapshot_paths!="/databases/db/old.sql",snapshot_paths!="/volumes/a \\"$x\\""}');
        // The app-level alert still counts every set: a retired set's snapshot only ages, it never hides a stale app.
        expect(rule(retired, ALERTS.backupStale)?.expr).toBe(rule(N8N, ALERTS.backupStale)?.expr);
        expect(rule(N8N, ALERTS.pathSetStale)?.expr).not.toContain("!=");
    });
});

describe("no backup yet, from the first scrape, whatever the exporter release", () => {
    test("fires at once (for 0s) while the exporter is up and shows no snapshot, or a zero snapshot count", () => {
        const none = rule(N8N, ALERTS.noBackupYet);
        const sel = '{job="restic-exporter",app="n8n"}';
        expect(none?.expr).toBe(`(absent(restic_backup_timestamp${sel}) and on() (up${sel} == 1)) or on() (restic_snapshots_total${sel} == 0)`);
        expect(none?.expr).toBe(noBackupYetExpr("restic-exporter", "n8n"));
        expect(none?.for).toBe("0s");
        expect(none?.labels.severity).toBe("warning");
        // The critical alert still waits an interval plus grace: a fresh deploy does not page.
        expect(rule(N8N, ALERTS.backupMissing)?.for).toBe("26h");
        expect(ALERT_SEVERITY[ALERTS.backupMissing]).toBe("critical");
    });
});

describe("the quota forecast", () => {
    test("predict_linear over the repository size reaches the quota within the horizon", () => {
        const quotaBytes = 500 * 2 ** 30;
        const forecast = quotaForecastAlertRule({ ...N8N, quotaBytes });
        expect(forecast?.expr).toBe(`predict_linear(restic_size_total{job="restic-exporter",app="n8n"}[3d], ${7 * 86400}) >= ${quotaBytes}`);
        expect(forecast?.for).toBe(QUOTA_FORECAST.for);
        expect(forecast?.labels.severity).toBe("warning");
        expect(forecast?.annotations.summary).toBe("The restic repository of n8n will fill its 500 GiB bucket quota within 7 days");
    });

    test("only apps with a quota get it, beside the 80% alert", () => {
        expect(quotaForecastAlertRule(N8N)).toBeUndefined();
        const rules = alertRules([N8N, { ...N8N, app: "gitlab", exporterAddress: "vm1:9102", quotaBytes: 2 ** 30 }]).groups[0].rules;
        expect(rules.filter((r) => r.alert === QUOTA_FORECAST_ALERT).map((r) => r.labels.app)).toEqual(["gitlab"]);
        expect(rules.filter((r) => r.alert === "ResticQuotaNearlyFull").map((r) => r.labels.app)).toEqual(["gitlab"]);
    });
});
