/**
 * The generated Prometheus files, checked by Prometheus' own promtool (2.53): `check rules`,
 * `check config`, and `test rules` with synthetic series for every alert of every monitored app of
 * the prod stack. The files come from the code (`alertRules`, `scrapeConfig` over the prod stack's
 * fleet, as `npm run monitoring` writes them), never retyped.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { drilledApps, loadStackFile, monitoredApps } from "../../components/config";
import {
    AlertName,
    AlertRule,
    ALERTS,
    alertRules,
    MonitoredApp,
    QUOTA_ALERT,
    QUOTA_FORECAST,
    QUOTA_FORECAST_ALERT,
    scrapeConfig,
    toYaml,
} from "../../components/monitoring";
import { DRILL_ALERTS, DRILL_JOB_NAME, DRILL_METRICS, DrilledApp } from "../../components/restoreDrill";
import { ok, ROOT, run } from "./support/engines";

const prodFleet = loadStackFile(path.join(ROOT, "Pulumi.prod.yaml")).fleet;
const fleet = monitoredApps(prodFleet);
const drilled = drilledApps(prodFleet);
const rules = alertRules(fleet, {}, drilled);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "real-prom-"));
const rulesFile = path.join(work, "restic-rules.yml");
const scrapeFile = path.join(work, "restic-scrape.yml");
fs.writeFileSync(rulesFile, toYaml(rules));
fs.writeFileSync(scrapeFile, toYaml(scrapeConfig(fleet, {}, drilled)));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const allRules = rules.groups.flatMap((g) => g.rules);
const ruleOf = (app: string, alert: AlertName): AlertRule => {
    const found = allRules.find((r) => r.alert === alert && r.labels.app === app);
    if (!found) throw new Error(`no ${alert} rule for ${app}`);
    return found;
};

/** The `for` and thresholds of a rule, read back from the generated rule (never retyped). */
function seconds(duration: string): number {
    const m = /^(\d+)([hms])$/.exec(duration);
    if (!m) throw new Error(`unexpected duration ${duration}`);
    return Number(m[1]) * { h: 3600, m: 60, s: 1 }[m[2] as "h" | "m" | "s"];
}
function staleThreshold(rule: AlertRule): number {
    const m = / > (\d+)\)?(?: or absent\(.*\))?$/.exec(rule.expr);
    if (!m) throw new Error(`no threshold in ${rule.expr}`);
    return Number(m[1]);
}

/** Prometheus' humanizeDuration (template/template.go of 2.53) for whole seconds >= 60. */
function humanizeDuration(v: number): string {
    const s = v % 60;
    const m = Math.floor(v / 60) % 60;
    const h = Math.floor(v / 3600) % 24;
    const d = Math.floor(v / 86400);
    if (d) return `${d}d ${h}h ${m}m ${s}s`;
    if (h) return `${h}h ${m}m ${s}s`;
    return `${m}m ${s}s`;
}

/** The annotations as Prometheus renders them; only the templates the generator uses are known. */
function rendered(rule: AlertRule, labels: Record<string, string>, value?: number): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, text] of Object.entries(rule.annotations)) {
        out[key] = text
            .replace(/\{\{ \$labels\.([a-z_]+) \}\}/g, (_, name: string) => labels[name] ?? "")
            .replace(/\{\{ \$value \| humanizeDuration \}\}/g, () => humanizeDuration(value ?? NaN));
        if (out[key].includes("{{")) throw new Error(`template the test does not know in ${rule.alert}.${key}: ${text}`);
    }
    return out;
}

const JOB = "restic-exporter";
const targetLabels = (a: MonitoredApp) => `job="${JOB}",app="${a.app}",group="${a.group}",host="${a.host}",instance="${a.exporterAddress}"`;
const routing = (a: MonitoredApp, rule: AlertRule) => ({ severity: rule.labels.severity, app: a.app, group: a.group, host: a.host });

/** Series of an app that is fine: exporter up, check passing, a snapshot as old as the eval step. */
function healthy(a: MonitoredApp, minutes: number, skip: Array<"up" | "check" | "timestamp"> = []): Array<{ series: string; values: string }> {
    const all = {
        up: { series: `up{${targetLabels(a)}}`, values: `1x${minutes}` },
        check: { series: `restic_check_success{${targetLabels(a)}}`, values: `1x${minutes}` },
        // The value grows with time: the snapshot's age stays 0.
        timestamp: { series: `restic_backup_timestamp{${targetLabels(a)},snapshot_paths="/volumes"}`, values: `0+60x${minutes}` },
    };
    return (Object.keys(all) as Array<keyof typeof all>).filter((k) => !skip.includes(k)).map((k) => all[k]);
}

interface Case {
    name: string;
    minutes: number;
    series: Array<{ series: string; values: string }>;
    checks: Array<{
        eval_time: string;
        alertname: AlertName;
        exp_alerts: Array<{ exp_labels: Record<string, string>; exp_annotations: Record<string, string> }>;
    }>;
}

/** For one app and alert: a case that must fire with its routing labels, and one just inside that must not. */
function casesFor(a: MonitoredApp, alert: AlertName): Case[] {
    const rule = ruleOf(a.app, alert);
    const others = fleet.filter((o) => o.app !== a.app);
    const forS = seconds(rule.for);
    const expect = (labels: Record<string, string>, value?: number) => ({
        exp_labels: { ...labels, ...routing(a, rule) },
        exp_annotations: rendered(rule, { ...labels }, value),
    });
    const target = { job: JOB, app: a.app, group: a.group, host: a.host, instance: a.exporterAddress };
    switch (alert) {
        case ALERTS.backupStale: {
            // App level: max() over every path set and hostname drops every label.
            const threshold = staleThreshold(rule);
            const minutes = Math.ceil(forS / 60) + 30;
            const age = (s: number) => `${-s}+60x${minutes}`; // constant age s: value = t - s
            const set = (paths: string, s: number, host = "c1") => ({
                series: `restic_backup_timestamp{${targetLabels(a)},snapshot_paths="${paths}",client_hostname="${host}"}`,
                values: age(s),
            });
            return [
                {
                    name: `${a.app} ${alert}: every path set older than ${threshold} s fires, over two sidecar hostnames`,
                    minutes,
                    series: [
                        ...others.flatMap((o) => healthy(o, minutes)),
                        ...healthy(a, minutes, ["timestamp"]),
                        set("/volumes", threshold + 60, "old"),
                        set("/volumes", threshold + 120, "older"),
                        set("/databases/postgres.sql", threshold + 60),
                    ],
                    checks: [{ eval_time: `${minutes}m`, alertname: alert, exp_alerts: [expect({}, threshold + 60)] }],
                },
                {
                    name: `${a.app} ${alert}: one path set stale and one exactly at the threshold is quiet (the path-set warning speaks)`,
                    minutes,
                    series: [
                        ...others.flatMap((o) => healthy(o, minutes)),
                        ...healthy(a, minutes, ["timestamp"]),
                        set("/volumes", threshold + 600),
                        set("/databases/postgres.sql", threshold),
                    ],
                    checks: [{ eval_time: `${minutes}m`, alertname: alert, exp_alerts: [] }],
                },
            ];
        }
        case ALERTS.pathSetStale: {
            const threshold = staleThreshold(rule);
            const minutes = Math.ceil(forS / 60) + 30;
            const age = (s: number) => `${-s}+60x${minutes}`;
            return [
                {
                    name: `${a.app} ${alert}: a set older than ${threshold} s fires while another is fresh, with its snapshot_paths`,
                    minutes,
                    series: [
                        ...others.flatMap((o) => healthy(o, minutes)),
                        ...healthy(a, minutes, ["timestamp"]),
                        { series: `restic_backup_timestamp{${targetLabels(a)},snapshot_paths="/volumes"}`, values: age(0) },
                        { series: `restic_backup_timestamp{${targetLabels(a)},snapshot_paths="/databases/postgres.sql"}`, values: age(threshold + 60) },
                    ],
                    checks: [
                        { eval_time: `${minutes}m`, alertname: alert, exp_alerts: [expect({ snapshot_paths: "/databases/postgres.sql" }, threshold + 60)] },
                    ],
                },
                {
                    name: `${a.app} ${alert}: quiet when the whole app is stale (ResticBackupStale speaks)`,
                    minutes,
                    series: [
                        ...others.flatMap((o) => healthy(o, minutes)),
                        ...healthy(a, minutes, ["timestamp"]),
                        { series: `restic_backup_timestamp{${targetLabels(a)},snapshot_paths="/volumes"}`, values: age(threshold + 60) },
                        { series: `restic_backup_timestamp{${targetLabels(a)},snapshot_paths="/databases/postgres.sql"}`, values: age(threshold + 60) },
                    ],
                    checks: [{ eval_time: `${minutes}m`, alertname: alert, exp_alerts: [] }],
                },
            ];
        }
        case ALERTS.noBackupYet: {
            // From the first evaluation: up, and no snapshot series at all (restic-exporter 2.0.2 on an empty repository).
            const minutes = 5;
            return [
                {
                    name: `${a.app} ${alert}: fires at the first evaluation while the exporter is up and serves no snapshot`,
                    minutes,
                    series: [...others.flatMap((o) => healthy(o, minutes)), ...healthy(a, minutes, ["timestamp", "check"])],
                    checks: [
                        { eval_time: "0m", alertname: alert, exp_alerts: [expect({ job: JOB, app: a.app })] },
                        { eval_time: "1m", alertname: alert, exp_alerts: [expect({ job: JOB, app: a.app })] },
                    ],
                },
                {
                    name: `${a.app} ${alert}: quiet with a snapshot, and while the exporter is down`,
                    minutes,
                    series: [
                        ...others.flatMap((o) => healthy(o, minutes)),
                        { series: `up{${targetLabels(a)}}`, values: `1 1 0 0 0 0` },
                        { series: `restic_backup_timestamp{${targetLabels(a)},snapshot_paths="/volumes"}`, values: `0 60 _ _ _ _` },
                    ],
                    checks: [
                        { eval_time: "1m", alertname: alert, exp_alerts: [] },
                        { eval_time: "4m", alertname: alert, exp_alerts: [] },
                    ],
                },
            ];
        }
        case ALERTS.backupMissing:
        case ALERTS.checkFailed:
        case ALERTS.exporterDown:
        case ALERTS.exporterAbsent: {
            // The condition holds from t=0; the alert fires once it has held for `for`.
            const minutes = Math.ceil(forS / 60) + 5;
            const own =
                alert === ALERTS.backupMissing
                    ? healthy(a, minutes, ["timestamp"])
                    : alert === ALERTS.checkFailed
                      ? [...healthy(a, minutes, ["check"]), { series: `restic_check_success{${targetLabels(a)}}`, values: `0x${minutes}` }]
                      : alert === ALERTS.exporterDown
                        ? [...healthy(a, minutes, ["up"]), { series: `up{${targetLabels(a)}}`, values: `0x${minutes}` }]
                        : healthy(a, minutes, ["up"]);
            const labels = alert === ALERTS.backupMissing || alert === ALERTS.exporterAbsent ? { job: JOB, app: a.app } : target; // absent() keeps only its equality matchers
            return [
                {
                    name: `${a.app} ${alert}: quiet 1 m before its ${rule.for}, firing 1 m after`,
                    minutes,
                    series: [...others.flatMap((o) => healthy(o, minutes)), ...own],
                    checks: [
                        { eval_time: `${forS / 60 - 1}m`, alertname: alert, exp_alerts: [] },
                        { eval_time: `${forS / 60 + 1}m`, alertname: alert, exp_alerts: [expect(labels)] },
                    ],
                },
            ];
        }
        default:
            throw new Error(`no promtool case for alert ${alert as string}: add one`);
    }
}

/** The quota threshold of a rule, read back from its expression. */
function quotaThreshold(rule: AlertRule): number {
    const m = / >= (\d+)$/.exec(rule.expr);
    if (!m) throw new Error(`no threshold in ${rule.expr}`);
    return Number(m[1]);
}

/** The quota alert of an app with a quota: quiet one byte below the threshold, firing at it once it held for `for`. */
function quotaCases(a: MonitoredApp): Case[] {
    const rule = ruleOf(a.app, QUOTA_ALERT);
    const threshold = quotaThreshold(rule);
    const forS = seconds(rule.for);
    const minutes = Math.ceil(forS / 60) + 5;
    const others = fleet.filter((o) => o.app !== a.app);
    const size = (value: number) => ({ series: `restic_size_total{${targetLabels(a)}}`, values: `${value}x${minutes}` });
    const labels = { job: JOB, app: a.app, group: a.group, host: a.host, instance: a.exporterAddress };
    return [
        {
            name: `${a.app} ${QUOTA_ALERT}: one byte below ${threshold} is quiet`,
            minutes,
            series: [...others.flatMap((o) => healthy(o, minutes)), ...healthy(a, minutes), size(threshold - 1)],
            checks: [{ eval_time: `${minutes}m`, alertname: QUOTA_ALERT, exp_alerts: [] }],
        },
        {
            name: `${a.app} ${QUOTA_ALERT}: at ${threshold} quiet 1 m before its ${rule.for}, firing 1 m after`,
            minutes,
            series: [...others.flatMap((o) => healthy(o, minutes)), ...healthy(a, minutes), size(threshold)],
            checks: [
                { eval_time: `${forS / 60 - 1}m`, alertname: QUOTA_ALERT, exp_alerts: [] },
                {
                    eval_time: `${forS / 60 + 1}m`,
                    alertname: QUOTA_ALERT,
                    exp_alerts: [{ exp_labels: { ...labels, ...routing(a, rule) }, exp_annotations: rendered(rule, labels) }],
                },
            ],
        },
    ];
}

/** The forecast alert: a repository growing to the quota within the horizon fires after `for`; a flat one at 90% does not. */
function forecastCases(a: MonitoredApp): Case[] {
    const rule = ruleOf(a.app, QUOTA_FORECAST_ALERT);
    const quota = a.quotaBytes as number;
    expect(rule.expr).toContain(`>= ${quota}`);
    const forS = seconds(rule.for);
    const minutes = Math.ceil(forS / 60) + 10;
    const horizonMinutes = QUOTA_FORECAST.horizonDays * 1440;
    const others = fleet.filter((o) => o.app !== a.app);
    const labels = { job: JOB, app: a.app, group: a.group, host: a.host, instance: a.exporterAddress };
    // From half the quota, growing so that the horizon adds 60% of it (110% then), or 40% (90%).
    const growing = (share: number) => ({
        series: `restic_size_total{${targetLabels(a)}}`,
        values: `${quota / 2}+${Math.round((quota * share) / horizonMinutes)}x${minutes}`,
    });
    return [
        {
            name: `${a.app} ${QUOTA_FORECAST_ALERT}: growth that reaches the quota within ${QUOTA_FORECAST.horizonDays} days fires after ${rule.for}`,
            minutes,
            series: [...others.flatMap((o) => healthy(o, minutes)), ...healthy(a, minutes), growing(0.6)],
            checks: [
                { eval_time: `${forS / 60 - 1}m`, alertname: QUOTA_FORECAST_ALERT, exp_alerts: [] },
                {
                    eval_time: `${forS / 60 + 5}m`,
                    alertname: QUOTA_FORECAST_ALERT,
                    exp_alerts: [{ exp_labels: { ...labels, ...routing(a, rule) }, exp_annotations: rendered(rule, labels) }],
                },
            ],
        },
        {
            name: `${a.app} ${QUOTA_FORECAST_ALERT}: growth that stays below the quota, or a flat 90%, is quiet`,
            minutes,
            series: [...others.flatMap((o) => healthy(o, minutes)), ...healthy(a, minutes), growing(0.4)],
            checks: [{ eval_time: `${minutes}m`, alertname: QUOTA_FORECAST_ALERT, exp_alerts: [] }],
        },
        {
            name: `${a.app} ${QUOTA_FORECAST_ALERT}: a flat 90% is quiet`,
            minutes,
            series: [
                ...others.flatMap((o) => healthy(o, minutes)),
                ...healthy(a, minutes),
                { series: `restic_size_total{${targetLabels(a)}}`, values: `${Math.floor(quota * 0.9)}x${minutes}` },
            ],
            checks: [{ eval_time: `${minutes}m`, alertname: QUOTA_FORECAST_ALERT, exp_alerts: [] }],
        },
    ];
}

const drillTarget = (d: DrilledApp) => `job="${DRILL_JOB_NAME}",app="${d.app}",group="${d.group}",host="${d.host}",instance="${d.address}"`;

/** A drill that is fine: started, passing, its last success as old as the eval step. */
function healthyDrill(d: DrilledApp, minutes: number, skip: Array<"started" | "success" | "lastSuccess"> = []): Array<{ series: string; values: string }> {
    const all = {
        started: { series: `${DRILL_METRICS.started}{${drillTarget(d)}}`, values: `0x${minutes}` },
        success: { series: `${DRILL_METRICS.success}{${drillTarget(d)}}`, values: `1x${minutes}` },
        lastSuccess: { series: `${DRILL_METRICS.lastSuccess}{${drillTarget(d)}}`, values: `0+60x${minutes}` },
    };
    return (Object.keys(all) as Array<keyof typeof all>).filter((k) => !skip.includes(k)).map((k) => all[k]);
}

/** For one drilled app and drill alert: cases that must fire with the routing labels, and ones that must not. */
function drillCasesFor(d: DrilledApp, alert: (typeof DRILL_ALERTS)[keyof typeof DRILL_ALERTS]): Case[] {
    const rule = ruleOf(d.app, alert);
    const forS = seconds(rule.for);
    const others = drilled.filter((o) => o.app !== d.app);
    const routingLabels = { severity: rule.labels.severity, app: d.app, group: d.group, host: d.host };
    const expect = (labels: Record<string, string>) => ({ exp_labels: { ...labels, ...routingLabels }, exp_annotations: rendered(rule, labels) });
    if (alert === DRILL_ALERTS.failed) {
        const minutes = Math.ceil(forS / 60) + 5;
        const target = { job: DRILL_JOB_NAME, app: d.app, group: d.group, host: d.host, instance: d.address };
        return [
            {
                name: `${d.app} ${alert}: quiet 1 m before its ${rule.for}, firing 1 m after`,
                minutes,
                series: [
                    ...others.flatMap((o) => healthyDrill(o, minutes)),
                    ...healthyDrill(d, minutes, ["success"]),
                    { series: `${DRILL_METRICS.success}{${drillTarget(d)}}`, values: `0x${minutes}` },
                ],
                checks: [
                    { eval_time: `${forS / 60 - 1}m`, alertname: alert, exp_alerts: [] },
                    { eval_time: `${forS / 60 + 1}m`, alertname: alert, exp_alerts: [expect(target)] },
                ],
            },
        ];
    }
    const threshold = staleThreshold(rule);
    const minutes = Math.ceil(forS / 60) + 30;
    const age = (s: number) => `${-s}+60x${minutes}`;
    const lastSuccess = (s: number) => ({ series: `${DRILL_METRICS.lastSuccess}{${drillTarget(d)}}`, values: age(s) });
    return [
        {
            // max() drops every label: only the rule's own labels route it.
            name: `${d.app} ${alert}: a last success ${threshold + 60} s old fires, one ${threshold} s old does not`,
            minutes,
            series: [...others.flatMap((o) => healthyDrill(o, minutes)), ...healthyDrill(d, minutes, ["lastSuccess"]), lastSuccess(threshold + 60)],
            checks: [{ eval_time: `${minutes}m`, alertname: alert, exp_alerts: [expect({})] }],
        },
        {
            name: `${d.app} ${alert}: a last success exactly ${threshold} s old is quiet`,
            minutes,
            series: [...others.flatMap((o) => healthyDrill(o, minutes)), ...healthyDrill(d, minutes, ["lastSuccess"]), lastSuccess(threshold)],
            checks: [{ eval_time: `${minutes}m`, alertname: alert, exp_alerts: [] }],
        },
        {
            // absent() keeps only its equality matchers.
            name: `${d.app} ${alert}: no drill metrics at all fire after ${rule.for}`,
            minutes,
            series: others.flatMap((o) => healthyDrill(o, minutes)),
            checks: [
                { eval_time: `${forS / 60 - 1}m`, alertname: alert, exp_alerts: [] },
                { eval_time: `${forS / 60 + 1}m`, alertname: alert, exp_alerts: [expect({ job: DRILL_JOB_NAME, app: d.app })] },
            ],
        },
    ];
}

const promtool = (...args: string[]) => run("promtool", args);

test("promtool check rules accepts the generated rules", () => {
    const r = ok(promtool("check", "rules", rulesFile), "promtool check rules");
    expect(r.output).toContain(`SUCCESS: ${allRules.length} rules found`);
});

test("promtool check config accepts the generated scrape config, with the rules loaded", () => {
    const main = path.join(work, "prometheus.yml");
    const scrape = parse(fs.readFileSync(scrapeFile, "utf8")) as Record<string, unknown>;
    fs.writeFileSync(main, stringify({ global: { scrape_interval: "1m" }, rule_files: [rulesFile], ...scrape }));
    ok(promtool("check", "config", scrapeFile), "promtool check config (scrape file alone)");
    const r = ok(promtool("check", "config", main), "promtool check config");
    expect(r.output).toContain("SUCCESS");
});

test("every alert of every monitored app has promtool unit tests", () => {
    expect(fleet.length).toBeGreaterThan(0);
    expect(drilled.length).toBeGreaterThan(0);
    const quotaApps = fleet.filter((a) => a.quotaBytes !== undefined);
    expect(quotaApps.length).toBeGreaterThan(0);
    const groups = [
        ...fleet.flatMap((a) => Object.values(ALERTS).flatMap((alert) => casesFor(a, alert))),
        ...quotaApps.flatMap((a) => [...quotaCases(a), ...forecastCases(a)]),
        ...drilled.flatMap((d) => Object.values(DRILL_ALERTS).flatMap((alert) => drillCasesFor(d, alert))),
    ];
    const testFile = path.join(work, "restic-rules.test.yml");
    fs.writeFileSync(
        testFile,
        stringify({
            rule_files: [rulesFile],
            evaluation_interval: "1m",
            tests: groups.map((g) => ({ name: g.name, interval: "1m", input_series: g.series, alert_rule_test: g.checks })),
        }),
    );
    const r = promtool("test", "rules", testFile);
    expect({ status: r.status, output: r.status === 0 ? "" : r.output }).toEqual({ status: 0, output: "" });
    // Per app: two for the stale app, two for a stale path set, two for no backup yet, one for each
    // other exporter alert; five per quota; one per failed drill and three per stale drill.
    expect(groups.length).toBe(fleet.length * (Object.keys(ALERTS).length + 3) + 5 * quotaApps.length + 4 * drilled.length);
    // Every generated rule has a case: none escapes promtool.
    const covered = new Set(groups.flatMap((g) => g.checks.map((c) => c.alertname)));
    expect(allRules.filter((r) => !covered.has(r.alert))).toEqual([]);
});

test("a retired path set leaves the path-set alert, literally; a live stale set beside it still fires", () => {
    const a: MonitoredApp = { ...fleet[0], retiredPaths: ["/databases/db/old $x.sql"] };
    const file = path.join(work, "retired-rules.yml");
    fs.writeFileSync(file, toYaml(alertRules([a])));
    const rule = alertRules([a]).groups[0].rules.find((r) => r.alert === ALERTS.pathSetStale) as AlertRule;
    const threshold = staleThreshold(rule);
    const minutes = 40;
    const age = (s: number) => `${-s}+60x${minutes}`;
    const ts = (paths: string, s: number) => ({ series: `restic_backup_timestamp{${targetLabels(a)},snapshot_paths="${paths}"}`, values: age(s) });
    const labels = { snapshot_paths: "/databases/db/other.sql" };
    const testFile = path.join(work, "retired-rules.test.yml");
    fs.writeFileSync(
        testFile,
        stringify({
            rule_files: [file],
            evaluation_interval: "1m",
            tests: [
                {
                    name: "retired set stale, others fresh: quiet",
                    interval: "1m",
                    input_series: [...healthy(a, minutes, ["timestamp"]), ts("/volumes", 0), ts("/databases/db/old $x.sql", 40 * 86400)],
                    alert_rule_test: [{ eval_time: `${minutes}m`, alertname: ALERTS.pathSetStale, exp_alerts: [] }],
                },
                {
                    name: "retired set and a live set stale: only the live one fires",
                    interval: "1m",
                    input_series: [
                        ...healthy(a, minutes, ["timestamp"]),
                        ts("/volumes", 0),
                        ts("/databases/db/old $x.sql", 40 * 86400),
                        ts(labels.snapshot_paths, threshold + 60),
                    ],
                    alert_rule_test: [
                        {
                            eval_time: `${minutes}m`,
                            alertname: ALERTS.pathSetStale,
                            exp_alerts: [{ exp_labels: { ...labels, ...routing(a, rule) }, exp_annotations: rendered(rule, labels, threshold + 60) }],
                        },
                    ],
                },
            ],
        }),
    );
    const r = promtool("test", "rules", testFile);
    expect({ status: r.status, output: r.status === 0 ? "" : r.output }).toEqual({ status: 0, output: "" });
});
