import * as fc from "fast-check";
import * as YAML from "yaml";
import { bucketArn, isAllowed, objectsArn, resticReaderPolicy } from "../components/iamPolicy";
import {
    ALERTS,
    AlertName,
    alertRules,
    appAlertRules,
    EXPORTER_COMMAND,
    EXPORTER_IMAGE,
    EXPORTER_PORT,
    EXPORTER_START,
    EXPORTER_START_PYTHON,
    exporterEnv,
    ExporterEnvOptions,
    exporterLabels,
    MonitoredApp,
    monitoringProblems,
    promDuration,
    RESTIC_METRICS,
    RuleFile,
    runbookUrl,
    runbookBaseUrlProblem,
    scrapeConfig,
    ScrapeConfigFile,
    staleAfterSeconds,
    toYaml,
} from "../components/monitoring";
import { backupNames } from "../components/naming";
import { imageProblems } from "../components/stackback";
import { promqlErrors } from "./support/promql";

/** Where prod's runbook page lives (Pulumi.prod.yaml's monitoring.runbookBaseUrl). */
const RUNBOOK_BASE = "https://git.platform-one.internal/platform/platform-backups/-/blob/main/docs/monitoring.md";

/** The fleet of the original write-up, plus GitLab. */
const FLEET: MonitoredApp[] = [
    { app: "mattermost", group: "green", host: "platform-one-vm1", exporterAddress: "vm1.platform-one.internal:9181", intervalHours: 24 },
    { app: "n8n", group: "green", host: "platform-one-vm1", exporterAddress: "vm1.platform-one.internal:9182", intervalHours: 24 },
    { app: "vault", group: "green", host: "platform-one-vm2", exporterAddress: "vm2.platform-one.internal:9181", intervalHours: 24 },
    { app: "linkwarden", group: "blue", host: "platform-one-vm2", exporterAddress: "vm2.platform-one.internal:9182", intervalHours: 24 },
    { app: "solidtime", group: "blue", host: "platform-one-vm3", exporterAddress: "vm3.platform-one.internal:9181", intervalHours: 24 },
    { app: "gitlab", group: "blue", host: "platform-one-vm3", exporterAddress: "vm3.platform-one.internal:9182", intervalHours: 24, graceHours: 4 },
];

const ALL_ALERTS = Object.values(ALERTS) as AlertName[];

const ENV: ExporterEnvOptions = {
    repository: "s3:https://minio.platform-one.internal:9000/restic-stackback-n8n-bucket",
    resticPassword: "repo-password",
    accessKeyId: "restic-stackback-n8n-ro",
    secretAccessKey: "reader-secret",
};

/** The rule file as Prometheus would read it: through YAML text. */
function parsedRules(fleet = FLEET): RuleFile {
    return YAML.parse(toYaml(alertRules(fleet))) as RuleFile;
}

describe("exporter image and port", () => {
    test("the image is pinned to a release of ngosang/restic-exporter", () => {
        // 2.0.2: its published image bundles restic 0.18.1, the restic of stack-back's image; 2.0.0
        // crashed on absent compression fields; 2.1.0 has the --latest grouping bug. 2.1.2 bundles
        // restic 0.19.0 and serves an empty repository no better (exporter.py:427, as 2.0.2's :413).
        expect(EXPORTER_IMAGE).toBe("ngosang/restic-exporter:2.0.2");
        expect(EXPORTER_IMAGE).not.toMatch(/:2\.0\.[01]$|:2\.1\.0$/);
        expect(imageProblems(EXPORTER_IMAGE)).toEqual([]);
    });

    test("the start runs the exporter's own main() with total_blob_count defaulted, and survives sh -c '...' quoting", () => {
        // restic 0.18/0.19 leave `total_blob_count` out of `stats --json` on a repository without a
        // snapshot (omitempty); exporter.py 2.0.2:413 reads it unguarded. The real tier runs this start.
        expect(EXPORTER_START_PYTHON).toContain('{"total_blob_count": 0, **stats(self, *a, **k)}');
        expect(EXPORTER_START_PYTHON).toMatch(/exporter\.main\(\)$/);
        expect(EXPORTER_START_PYTHON).not.toContain("'");
        expect(EXPORTER_COMMAND).toEqual(["/usr/local/bin/python", "-u", "-c", EXPORTER_START_PYTHON]);
        expect(EXPORTER_START).toBe(`/usr/local/bin/python -u -c '${EXPORTER_START_PYTHON}'`);
    });

    test("the exporter listens on its default port", () => {
        expect(EXPORTER_PORT).toBe(8001);
    });
});

describe("exporterEnv", () => {
    test("gives the repository, read-only credentials and an explicit refresh interval", () => {
        const env = Object.fromEntries(exporterEnv(ENV).map((e) => [e.name, e.value]));
        expect(env).toMatchObject({
            RESTIC_REPOSITORY: ENV.repository,
            RESTIC_PASSWORD: "repo-password",
            AWS_ACCESS_KEY_ID: "restic-stackback-n8n-ro",
            AWS_SECRET_ACCESS_KEY: "reader-secret",
            REFRESH_INTERVAL: "3600",
            INCLUDE_PATHS: "true",
        });
        expect(env).not.toHaveProperty("NO_CHECK");
        expect(env).not.toHaveProperty("INSECURE_TLS");
    });

    test("marks exactly the password and the secret key as secret", () => {
        const secret = exporterEnv({ ...ENV, region: "eu-west-1", logLevel: "DEBUG", timezone: "UTC" })
            .filter((e) => e.secret)
            .map((e) => e.name);
        expect(secret.sort()).toEqual(["AWS_SECRET_ACCESS_KEY", "RESTIC_PASSWORD"]);
    });

    test("turns a switch on only by setting it, never sets one to false, never repeats a name", () => {
        fc.assert(
            fc.property(
                fc.record({
                    checkRepository: fc.option(fc.boolean(), { nil: undefined }),
                    includePaths: fc.option(fc.boolean(), { nil: undefined }),
                    insecureTls: fc.option(fc.boolean(), { nil: undefined }),
                }),
                (switches) => {
                    const env = exporterEnv({ ...ENV, ...switches });
                    const names = env.map((e) => e.name);
                    expect(new Set(names).size).toBe(names.length);
                    for (const entry of env) {
                        expect(entry.value.trim().toLowerCase()).not.toBe("false");
                        expect(entry.value).not.toBe("");
                    }
                    expect(names.includes("NO_CHECK")).toBe(switches.checkRepository === false);
                    expect(names.includes("INSECURE_TLS")).toBe(switches.insecureTls === true);
                    expect(names.includes("INCLUDE_PATHS")).toBe(switches.includePaths !== false);
                },
            ),
        );
    });

    test("refuses a refresh interval that would hammer MinIO", () => {
        expect(() => exporterEnv({ ...ENV, refreshIntervalSeconds: 10 })).toThrow(/at least 60/);
        expect(() => exporterEnv({ ...ENV, refreshIntervalSeconds: 90.5 })).toThrow(RangeError);
        expect(exporterEnv({ ...ENV, refreshIntervalSeconds: 7200 }).find((e) => e.name === "REFRESH_INTERVAL")?.value).toBe("7200");
    });
});

describe("exporterLabels", () => {
    test("names the app, group and host, and stays outside stack-back's compose project", () => {
        const labels = exporterLabels({ app: "n8n", group: "green", host: "platform-one-vm1" });
        const byName = Object.fromEntries(labels.map((l) => [l.label, l.value]));
        expect(byName).toMatchObject({ "platform-backups.app": "n8n", "platform-backups.group": "green", "platform-backups.host": "platform-one-vm1" });
        expect(Object.keys(byName)).not.toContain("com.docker.compose.project");
        expect(Object.keys(byName).some((l) => l.startsWith("stack-back"))).toBe(false);
    });
});

describe("the exporter's read-only MinIO policy", () => {
    const own = backupNames("n8n").bucket;
    const other = backupNames("mattermost").bucket;
    const policy = resticReaderPolicy(own);

    test("allows what restic needs with --no-lock: find, list and read its own bucket", () => {
        expect(isAllowed(policy, "s3:ListBucket", bucketArn(own))).toBe(true);
        expect(isAllowed(policy, "s3:GetBucketLocation", bucketArn(own))).toBe(true);
        for (const key of ["config", "keys/abc", "index/abc", "snapshots/abc", "data/ab/abcdef", "locks/abc"]) {
            expect(isAllowed(policy, "s3:GetObject", `${bucketArn(own)}/${key}`)).toBe(true);
        }
    });

    test("cannot write a lock, a snapshot or anything else, nor delete", () => {
        for (const key of ["locks/abc", "snapshots/abc", "data/ab/abcdef", "config"]) {
            expect(isAllowed(policy, "s3:PutObject", `${bucketArn(own)}/${key}`)).toBe(false);
            expect(isAllowed(policy, "s3:DeleteObject", `${bucketArn(own)}/${key}`)).toBe(false);
        }
        for (const action of ["s3:DeleteBucket", "s3:PutBucketPolicy", "s3:PutLifecycleConfiguration", "s3:PutBucketVersioning"]) {
            expect(isAllowed(policy, action, bucketArn(own))).toBe(false);
        }
    });

    test("cannot reach another app's bucket", () => {
        expect(isAllowed(policy, "s3:ListBucket", bucketArn(other))).toBe(false);
        expect(isAllowed(policy, "s3:GetObject", `${bucketArn(other)}/config`)).toBe(false);
        expect(isAllowed(policy, "s3:GetObject", objectsArn(other))).toBe(false);
    });

    test("no app's reader can read a bucket whose name merely starts like its own", () => {
        fc.assert(
            fc.property(fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/), fc.stringMatching(/^[a-z0-9]{1,6}$/), (app, suffix) => {
                const reader = resticReaderPolicy(backupNames(app).bucket);
                const lookalike = `${backupNames(app).bucket}${suffix}`;
                expect(isAllowed(reader, "s3:GetObject", `${bucketArn(lookalike)}/config`)).toBe(false);
                expect(isAllowed(reader, "s3:ListBucket", bucketArn(lookalike))).toBe(false);
            }),
        );
    });
});

describe("alertRules", () => {
    test("covers every app with every alert, labelled with app, group, host and severity", () => {
        const rules = parsedRules().groups.flatMap((g) => g.rules);
        expect(rules).toHaveLength(FLEET.length * ALL_ALERTS.length);
        for (const entry of FLEET) {
            for (const alert of ALL_ALERTS) {
                const matching = rules.filter((r) => r.alert === alert && r.labels.app === entry.app);
                expect(matching).toHaveLength(1);
                const [rule] = matching;
                expect(rule.labels).toEqual({ severity: expect.stringMatching(/^(critical|warning)$/), app: entry.app, group: entry.group, host: entry.host });
                expect(rule.expr).toContain(`app="${entry.app}"`);
                expect(rule.annotations.summary).toContain(entry.app);
                expect(rule.annotations.description).toContain(entry.app);
                expect(rule.annotations.runbook_url).toBeUndefined(); // no runbookBaseUrl: no (dead, relative) link
                expect(rule.for).toMatch(/^\d+[smh]$/);
            }
        }
    });

    test("every expression is valid PromQL", () => {
        const exprs = parsedRules().groups.flatMap((g) => g.rules.map((r) => r.expr));
        expect(exprs.length).toBeGreaterThan(0);
        for (const expr of exprs) expect({ expr, errors: promqlErrors(expr) }).toEqual({ expr, errors: 0 });
    });

    test("the PromQL check can fail: broken expressions are flagged", () => {
        expect(promqlErrors('up{job="restic-exporter"} == 0')).toBe(0);
        expect(promqlErrors('time() - max by (snapshot_paths (restic_backup_timestamp{app="n8n"}) > 93600')).toBeGreaterThan(0);
        expect(promqlErrors('absent(up{app="n8n"}')).toBeGreaterThan(0);
        expect(promqlErrors("up == and 0")).toBeGreaterThan(0);
    });

    test("a daily backup goes stale at 26 hours; the grace can be changed per stack and per app", () => {
        const stale = (rules: RuleFile, app: string) => rules.groups[0].rules.find((r) => r.alert === ALERTS.backupStale && r.labels.app === app)?.expr ?? "";
        expect(stale(parsedRules(), "n8n")).toMatch(/ > 93600$/);
        expect(stale(parsedRules(), "gitlab")).toMatch(/ > 100800$/); // 24 h + its own 4 h
        expect(stale(alertRules(FLEET, { graceHours: 6 }), "n8n")).toMatch(/ > 108000$/);
        const hourly: MonitoredApp = { ...FLEET[0], intervalHours: 1 };
        expect(staleAfterSeconds(hourly)).toBe(3 * 3600);
    });

    test("staleness takes the newest snapshot over all snapshot hostnames: for the app, and per path set", () => {
        const rules = parsedRules().groups[0].rules;
        const stale = rules.filter((r) => r.alert === ALERTS.backupStale);
        for (const rule of stale) {
            expect(rule.expr).toMatch(new RegExp(`^time\\(\\) - max\\(${RESTIC_METRICS.backupTimestamp}\\{`));
        }
        for (const rule of rules.filter((r) => r.alert === ALERTS.pathSetStale)) {
            expect(rule.expr).toMatch(new RegExp(`^time\\(\\) - max by \\(snapshot_paths\\) \\(${RESTIC_METRICS.backupTimestamp}\\{`));
        }
        for (const rule of rules) {
            expect(rule.expr).not.toMatch(/client_hostname|snapshot_hash/);
            expect(Object.keys(rule.labels)).not.toContain("client_hostname");
        }
    });

    test("a failed check alerts only after more than one exporter refresh", () => {
        const seconds = (d: string) => Number(d.slice(0, -1)) * { s: 1, m: 60, h: 3600 }[d.slice(-1) as "s" | "m" | "h"];
        for (const refresh of [600, 3600, 21600]) {
            const rule = appAlertRules(FLEET[0], { refreshIntervalSeconds: refresh }).find((r) => r.alert === ALERTS.checkFailed);
            expect(seconds(rule?.for ?? "0s")).toBeGreaterThan(refresh);
            expect(rule?.expr).toBe('restic_check_success{job="restic-exporter",app="mattermost"} == 0');
        }
    });

    test("exporter down and absent are both watched per app", () => {
        const rules = appAlertRules(FLEET[1]);
        expect(rules.find((r) => r.alert === ALERTS.exporterDown)?.expr).toBe('up{job="restic-exporter",app="n8n"} == 0');
        expect(rules.find((r) => r.alert === ALERTS.exporterAbsent)?.expr).toBe('absent(up{job="restic-exporter",app="n8n"})');
    });

    test("an app's own refresh interval sets how long a failed check may last before it alerts", () => {
        const rule = appAlertRules({ ...FLEET[0], refreshIntervalSeconds: 7200 }, { refreshIntervalSeconds: 3600 }).find((r) => r.alert === ALERTS.checkFailed);
        expect(rule?.for).toBe("150m");
    });

    test("a runbook base must be an absolute http(s) URL; relative ones are refused", () => {
        expect(runbookBaseUrlProblem(RUNBOOK_BASE)).toBeUndefined();
        expect(runbookBaseUrlProblem("docs/monitoring.md")).toMatch(/absolute/);
        expect(runbookBaseUrlProblem("ftp://x/docs/monitoring.md")).toMatch(/absolute/);
        expect(() => alertRules(FLEET, { runbookBaseUrl: "docs/monitoring.md" })).toThrow(/runbookBaseUrl/);
    });

    test("with a runbook base, every alert links to its own heading under it", () => {
        const rules = alertRules(FLEET, { runbookBaseUrl: RUNBOOK_BASE }).groups[0].rules;
        expect(rules).toHaveLength(FLEET.length * ALL_ALERTS.length);
        for (const rule of rules) expect(rule.annotations.runbook_url).toBe(`${RUNBOOK_BASE}#${rule.alert.toLowerCase()}`);
        expect(runbookUrl(ALERTS.backupStale, { runbookBaseUrl: RUNBOOK_BASE })).toBe(`${RUNBOOK_BASE}#resticbackupstale`);
    });

    test("without a runbook base, no alert carries a runbook_url, in the YAML either", () => {
        expect(runbookUrl(ALERTS.backupStale)).toBeUndefined();
        const yaml = toYaml(alertRules(FLEET));
        expect(yaml).not.toContain("runbook_url");
        expect(toYaml(alertRules(FLEET, { runbookBaseUrl: RUNBOOK_BASE }))).toContain(`runbook_url: ${RUNBOOK_BASE}#resticexporterdown`);
    });

    test("adding an app changes no other app's rules", () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: FLEET.length - 1 }), (cut) => {
                const before = alertRules(FLEET.slice(0, cut)).groups[0].rules;
                const after = alertRules(FLEET.slice(0, cut + 1)).groups[0].rules;
                expect(after.slice(0, before.length)).toEqual(before);
            }),
        );
    });

    test("refuses a fleet that would leave an app unmonitored or doubly monitored", () => {
        expect(() => alertRules([...FLEET, FLEET[0]])).toThrow(/already fleet\[0\]/);
        expect(monitoringProblems([{ ...FLEET[0], exporterAddress: "http://vm1:9181" }])).toEqual([expect.stringMatching(/exporterAddress/)]);
        expect(monitoringProblems([{ ...FLEET[0], intervalHours: 0 }])).toEqual([expect.stringMatching(/intervalHours/)]);
        expect(monitoringProblems(FLEET)).toEqual([]);
    });
});

describe("scrapeConfig", () => {
    test("one job, one target per app, labelled with app, group and host", () => {
        const file = YAML.parse(toYaml(scrapeConfig(FLEET))) as ScrapeConfigFile;
        expect(file.scrape_configs).toHaveLength(1);
        const [job] = file.scrape_configs;
        expect(job.job_name).toBe("restic-exporter");
        expect(job.metrics_path).toBe("/metrics");
        expect(job.static_configs).toEqual(FLEET.map((e) => ({ targets: [e.exporterAddress], labels: { app: e.app, group: e.group, host: e.host } })));
    });

    test("the job name of the scrape config is the one the rules select", () => {
        const options = { jobName: "backups" };
        const job = scrapeConfig(FLEET, options).scrape_configs[0].job_name;
        for (const rule of alertRules(FLEET, options).groups[0].rules) expect(rule.expr).toContain(`job="${job}"`);
    });
});

describe("toYaml and promDuration", () => {
    test("writes a header and keeps each expression on one line", () => {
        const text = toYaml(alertRules(FLEET));
        expect(text.startsWith("# Generated by platform-backups")).toBe(true);
        const exprLines = text.split("\n").filter((l) => l.trimStart().startsWith("expr:"));
        expect(exprLines).toHaveLength(FLEET.length * ALL_ALERTS.length);
    });

    test("durations use one unit", () => {
        expect(promDuration(26 * 3600)).toBe("26h");
        expect(promDuration(5400)).toBe("90m");
        expect(promDuration(45)).toBe("45s");
    });
});
