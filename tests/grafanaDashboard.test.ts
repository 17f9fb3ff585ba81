/**
 * The fleet dashboard: its colours agree with the alert rules (read back from the generated rule
 * expressions, never from the functions both use), every panel's PromQL parses, and it is built
 * from the stack config. The dashboard's JSON against Grafana's types is in
 * grafanaDashboardTypes.slow.test.ts.
 */
import * as path from "path";
import type { Dashboard, Panel, RowPanel, Threshold } from "@grafana/grafana-foundation-sdk/dashboard";
import type * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as YAML from "yaml";
import { drilledApps, loadStackFile, monitoredApps } from "../components/config";
import { alertRules, AlertRule, ALERTS, MonitoringOptions, QUOTA_ALERT, RuleFile } from "../components/monitoring";
import { DRILL_ALERTS } from "../components/restoreDrill";
import {
    APP_VARIABLE,
    CHECK_MAPPING,
    dashboardQueries,
    DRILL_MAPPING,
    fleetView,
    FleetView,
    plannedStartUtc,
    utcOffsetMinutes,
} from "../components/dashboardQueries";
import { appSeriesPattern, dashboardUid, grafanaDashboard, grafanaProvisioning } from "../components/grafanaDashboard";
import { monitoringFiles } from "../scripts/monitoring";
import { promqlErrors } from "./support/promql";

const ROOT = path.resolve(__dirname, "..");
const AT = new Date("2026-01-15T12:00:00Z");

function stack(name: string): { view: FleetView; rules: RuleFile; board: Dashboard } {
    const fleet = loadStackFile(path.join(ROOT, `Pulumi.${name}.yaml`)).fleet;
    const options: MonitoringOptions = { runbookBaseUrl: fleet.monitoring.runbookBaseUrl };
    const view = fleetView(name, fleet, options);
    return { view, rules: alertRules(monitoredApps(fleet), options, drilledApps(fleet)), board: grafanaDashboard(view, { at: AT }) };
}

const isRow = (p: Panel | RowPanel): p is RowPanel => p.type === "row";
const panels = (board: Dashboard): Panel[] => (board.panels ?? []).filter((p): p is Panel => !isRow(p));
function panel(board: Dashboard, title: string): Panel {
    const found = panels(board).find((p) => p.title === title);
    if (!found) throw new Error(`no panel "${title}"`);
    return found;
}

// ---------------------------------------------------------------------------------------------
// Agreement of colours and alerts
// ---------------------------------------------------------------------------------------------

/** The number an alert compares with, read from its expression (`> N`, `>= N`, `== N`). */
function ruleThreshold(rule: AlertRule, op: ">" | ">=" | "=="): number {
    const m = new RegExp(` ${op} (-?\\d+)(?: or absent\\(.*\\))?$`).exec(rule.expr);
    if (!m) throw new Error(`no "${op} N" in ${rule.alert} of ${rule.labels.app}: ${rule.expr}`);
    return Number(m[1]);
}

/** The threshold steps a panel gives the series of one app: its override for the app, or the panel's own. */
function stepsFor(p: Panel, app: string): Threshold[] | undefined {
    const override = (p.fieldConfig?.overrides ?? []).find(
        (o) =>
            (o.matcher.id === "byName" && o.matcher.options === app) ||
            (o.matcher.id === "byRegexp" && new RegExp(o.matcher.options as string).test(`${app} /volumes`)),
    );
    const prop = override?.properties.find((x) => x.id === "thresholds");
    return (prop?.value as { steps: Threshold[] } | undefined)?.steps ?? p.fieldConfig?.defaults.thresholds?.steps;
}

/** The value from which the panel paints an app's series `color`, or undefined when it never does. */
function colourFrom(p: Panel, app: string, color: string): number | null | undefined {
    return stepsFor(p, app)?.find((s) => s.color === color)?.value;
}

/** The colour a panel's value mapping gives `value`. */
function mappedColour(p: Panel, value: number): string | undefined {
    for (const mapping of p.fieldConfig?.defaults.mappings ?? []) {
        if (mapping.type === "value" && mapping.options[String(value)]) return mapping.options[String(value)].color;
    }
    return undefined;
}

/**
 * Every place where the dashboard's colouring and an alert rule disagree, as sentences. Each alert
 * with a threshold has the panels that must turn red (orange for the quota warning) exactly there.
 */
function disagreements(rules: RuleFile, board: Dashboard): string[] {
    const out: string[] = [];
    const check = (rule: AlertRule, title: string, color: string, op: ">" | ">=" | "==") => {
        const want = ruleThreshold(rule, op);
        const p = panel(board, title);
        const got = op === "==" ? (mappedColour(p, want) === color ? want : undefined) : colourFrom(p, rule.labels.app, color);
        if (got !== want) out.push(`${rule.alert} of ${rule.labels.app} fires at ${op} ${want}, but "${title}" turns ${color} at ${String(got)}`);
    };
    for (const rule of rules.groups.flatMap((g) => g.rules)) {
        switch (rule.alert) {
            case ALERTS.backupStale:
                check(rule, "Last backup (oldest path set)", "red", ">");
                check(rule, "Snapshot age per path set", "red", ">");
                break;
            case DRILL_ALERTS.stale:
                check(rule, "Since the last good drill", "red", ">");
                break;
            case QUOTA_ALERT:
                check(rule, "Repository size and 7-day trend", "orange", ">=");
                break;
            case ALERTS.checkFailed:
                check(rule, "Repository check", "red", "==");
                break;
            case DRILL_ALERTS.failed:
                check(rule, "Last restore drill", "red", "==");
                check(rule, "Restore drill results", "red", "==");
                break;
        }
    }
    return out;
}

describe.each(["prod", "staging"])("the %s dashboard colours where the alerts fire", (name) => {
    const { view, rules, board } = stack(name);

    test("every threshold alert has its colour at the same number, for every app", () => {
        expect(disagreements(rules, board)).toEqual([]);
    });

    test("apps with their own grace turn red at their own threshold, not the stack's", () => {
        const thresholds = new Set(
            rules.groups[0].rules
                .filter((r) => r.alert === ALERTS.backupStale)
                .map((r) => colourFrom(panel(board, "Last backup (oldest path set)"), r.labels.app, "red")),
        );
        // prod: gitlab has graceHours 4 (28 h), the others the stack's 2 (26 h).
        if (name === "prod") expect([...thresholds].sort((a, b) => Number(a) - Number(b))).toEqual([26 * 3600, 28 * 3600]);
        expect(thresholds.size).toBeGreaterThan(0);
        expect(view.apps.filter((a) => a.monitored).length).toBeGreaterThan(0);
    });
});

describe("the agreement check bites", () => {
    const { rules, board } = stack("prod");
    const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

    test.each([
        [ALERTS.backupStale, "mattermost"],
        [DRILL_ALERTS.stale, "n8n"],
        [QUOTA_ALERT, "gitlab"],
        [ALERTS.checkFailed, "vault"],
        [DRILL_ALERTS.failed, "solidtime"],
    ])("a %s rule of %s with another threshold is reported", (alert, app) => {
        const changed = clone(rules);
        const rule = changed.groups[0].rules.find((r) => r.alert === alert && r.labels.app === app);
        if (!rule) throw new Error(`no ${alert} for ${app}`);
        rule.expr = rule.expr.replace(/ (>|>=|==) (\d+)/, (_, op: string, n: string) => ` ${op} ${Number(n) + 1}`);
        const found = disagreements(changed, board);
        expect(found.length).toBeGreaterThan(0);
        expect(found.filter((f) => !f.startsWith(`${alert} of ${app} fires at`))).toEqual([]);
    });

    test("a dashboard step moved by one second is reported", () => {
        const changed = clone(board);
        const age = panel(changed, "Last backup (oldest path set)");
        const override = age.fieldConfig?.overrides.find((o) => o.matcher.options === "linkwarden");
        const steps = (override?.properties[0].value as { steps: Threshold[] }).steps;
        steps[1].value = (steps[1].value as number) + 1;
        expect(disagreements(rules, changed)).toEqual([expect.stringMatching(/^ResticBackupStale of linkwarden fires at > 93600, but "Last backup/)]);
    });

    test("a dashboard that paints a failed check green is reported", () => {
        const changed = clone(board);
        const mapping = panel(changed, "Repository check").fieldConfig?.defaults.mappings?.[0];
        if (mapping?.type !== "value") throw new Error("no value mapping");
        mapping.options["0"].color = "green";
        expect(disagreements(rules, changed).length).toBe(rules.groups[0].rules.filter((r) => r.alert === ALERTS.checkFailed).length);
    });
});

// ---------------------------------------------------------------------------------------------
// PromQL
// ---------------------------------------------------------------------------------------------

describe("every panel's PromQL parses", () => {
    const { board } = stack("prod");
    const promTargets = (p: Panel) => (p.targets ?? []) as unknown as prometheus.Dataquery[];
    const targets = panels(board).flatMap((p) => promTargets(p).map((t) => ({ title: p.title, expr: t.expr })));

    test("with Prometheus' own grammar (lezer-promql), Grafana's $app left in its string", () => {
        expect(targets.length).toBeGreaterThanOrEqual(12);
        expect(targets.filter((t) => promqlErrors(t.expr) > 0)).toEqual([]);
    });

    test("the parser finds an error where there is one (the check can fail)", () => {
        expect(promqlErrors(targets[0].expr.replace("max by", "max bye"))).toBeGreaterThan(0);
        expect(promqlErrors(`${targets[0].expr})`)).toBeGreaterThan(0);
    });

    test("every target names its data source through the variable", () => {
        expect(panels(board).flatMap((p) => promTargets(p).map((t) => t.datasource?.uid))).toEqual(targets.map(() => "${datasource}"));
    });
});

// ---------------------------------------------------------------------------------------------
// From the stack config
// ---------------------------------------------------------------------------------------------

describe("the dashboard comes from the stack config", () => {
    const { view, board } = stack("prod");

    test("the app variable lists the fleet's apps, several may be chosen", () => {
        const variable = board.templating.list?.find((v) => v.name === APP_VARIABLE);
        expect(variable).toMatchObject({ type: "custom", multi: true, includeAll: true, query: "mattermost,n8n,vault,linkwarden,solidtime,gitlab" });
    });

    test("the per-app row repeats for the chosen apps and its queries select them", () => {
        const rows = (board.panels ?? []).filter(isRow);
        expect(rows.map((r) => [r.title, r.repeat])).toEqual([
            ["Fleet", undefined],
            ["App $app", APP_VARIABLE],
            ["Schedule", undefined],
        ]);
        const q = dashboardQueries(view, AT);
        for (const expr of Object.values(q.perApp)) expect(expr).toContain(`app=~"$${APP_VARIABLE}"`);
        for (const expr of [...Object.values(q.fleet), ...Object.values(q.schedule)]) expect(expr).not.toContain("$");
    });

    test("only apps with a quota get a quota in the time-to-full query (prod: gitlab, 500 GiB)", () => {
        const q = dashboardQueries(view, AT).perApp.timeToQuota;
        expect(q).toContain(`label_replace(vector(${500 * 2 ** 30}), "app", "gitlab", "", "")`);
        expect(q?.match(/vector\(/g)).toHaveLength(1);
    });

    test("a fleet without quotas has no time-to-full panel", () => {
        const noQuota: FleetView = { ...view, apps: view.apps.map((a) => ({ ...a, monitored: a.monitored && { ...a.monitored, quotaBytes: undefined } })) };
        expect(dashboardQueries(noQuota, AT).perApp.timeToQuota).toBeUndefined();
        expect(panels(grafanaDashboard(noQuota, { at: AT })).map((p) => p.title)).not.toContain("Time to a full quota");
    });

    test("the planned starts are the plan's, each with its app's label (prod plans 02:00, 02:20, 02:40 per group)", () => {
        const slip = dashboardQueries(view, AT).schedule.slip;
        const planned = [...slip.matchAll(/label_replace\(label_replace\(vector\((\d+)\), "app", "([^"]+)", "", ""\), "planned", "([^"]+)"/g)].map((m) => [
            m[2],
            m[3],
            Number(m[1]),
        ]);
        expect(planned).toEqual([
            ["mattermost", "02:00", 120],
            ["n8n", "02:20", 140],
            ["vault", "02:40", 160],
            ["linkwarden", "02:00", 120],
            ["solidtime", "02:20", 140],
            ["gitlab", "02:40", 160],
        ]);
    });

    test("panel ids are unique and the grid is 24 wide", () => {
        const all = board.panels ?? [];
        expect(new Set(all.map((p) => p.id)).size).toBe(all.length);
        for (const p of all) expect((p.gridPos?.x ?? 0) + (p.gridPos?.w ?? 0)).toBeLessThanOrEqual(24);
    });
});

describe("planned starts in a zone with daylight saving time", () => {
    const app = { app: "a", group: "g", host: "h", plannedStart: 2 * 60, expectedDuration: 20 };

    test("the zone's offset is read at the given moment", () => {
        expect(utcOffsetMinutes("UTC", AT)).toBe(0);
        expect(utcOffsetMinutes("Europe/Berlin", new Date("2026-01-15T12:00:00Z"))).toBe(60);
        expect(utcOffsetMinutes("Europe/Berlin", new Date("2026-07-15T12:00:00Z"))).toBe(120);
        expect(utcOffsetMinutes("America/New_York", new Date("2026-01-15T12:00:00Z"))).toBe(-300);
    });

    test("02:00 in Berlin is 01:00 UTC in winter, 00:00 in summer; 02:00 in New York is 07:00 UTC", () => {
        expect(plannedStartUtc(app, "Europe/Berlin", new Date("2026-01-15T12:00:00Z"))).toBe(60);
        expect(plannedStartUtc(app, "Europe/Berlin", new Date("2026-07-15T12:00:00Z"))).toBe(0);
        expect(plannedStartUtc({ ...app, plannedStart: 30 }, "Europe/Berlin", new Date("2026-07-15T12:00:00Z"))).toBe(24 * 60 - 90);
        expect(plannedStartUtc(app, "America/New_York", new Date("2026-01-15T12:00:00Z"))).toBe(7 * 60);
    });
});

describe("series names and the per-app overrides", () => {
    test("an app's pattern matches its own series and no other app's", () => {
        const re = new RegExp(appSeriesPattern("n8n"));
        expect(["n8n", "n8n /volumes", "n8n (green, planned 02:20)"].every((s) => re.test(s))).toBe(true);
        expect(["n8n-staging /volumes", "xn8n", "gitlab /volumes"].some((s) => re.test(s))).toBe(false);
    });

    test("value mappings paint failures red and successes green", () => {
        expect(CHECK_MAPPING["0"].color).toBe("red");
        expect(CHECK_MAPPING["1"].color).toBe("green");
        expect(DRILL_MAPPING["0"].color).toBe("red");
    });
});

describe("the provisioning file and the uid", () => {
    test("one file provider per stack, reading its own folder, UI edits refused", () => {
        const doc = YAML.parse(YAML.stringify(grafanaProvisioning("prod"))) as { apiVersion: number; providers: Array<Record<string, unknown>> };
        expect(doc).toEqual({
            apiVersion: 1,
            providers: [
                {
                    name: "platform-backups-prod",
                    orgId: 1,
                    folder: "Backups",
                    type: "file",
                    disableDeletion: false,
                    allowUiUpdates: false,
                    updateIntervalSeconds: 60,
                    options: { path: "/var/lib/grafana/dashboards/platform-backups/prod", foldersFromFilesStructure: false },
                },
            ],
        });
    });

    test("uids fit Grafana's rules (at most 40 of letters, digits, - and _), distinct for distinct stacks", () => {
        const long = "a".repeat(60);
        for (const s of ["prod", "eu.prod", long, `${long}b`]) expect(dashboardUid(s)).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
        expect(dashboardUid(long)).not.toBe(dashboardUid(`${long}b`));
        expect(dashboardUid("prod")).toBe("platform-backups-prod");
    });
});

describe("npm run monitoring writes the dashboard beside the Prometheus files", () => {
    const fleet = loadStackFile(path.join(ROOT, "Pulumi.prod.yaml")).fleet;
    const files = monitoringFiles("prod", fleet);

    test("four files, the dashboard and its provisioning file under out/grafana/<stack>/", () => {
        expect(files.map((f) => f.name)).toEqual([
            "prometheus/prod/restic-rules.yml",
            "prometheus/prod/restic-scrape.yml",
            "grafana/prod/platform-backups-prod.json",
            "grafana/prod/platform-backups-prod.yaml",
        ]);
        const board = JSON.parse(files[2].content) as Dashboard;
        expect(board.uid).toBe("platform-backups-prod");
        expect(YAML.parse(files[3].content).providers[0].options.path).toBe("/var/lib/grafana/dashboards/platform-backups/prod");
    });

    test("the written dashboard agrees with the written rules", () => {
        const rules = YAML.parse(files[0].content) as RuleFile;
        expect(disagreements(rules, JSON.parse(files[2].content) as Dashboard)).toEqual([]);
    });
});
