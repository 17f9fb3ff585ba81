/**
 * The fleet's Grafana dashboard, built with Grafana's own typed builder
 * (`@grafana/grafana-foundation-sdk`, pinned), and the provisioning file that lets Grafana's file
 * provider load it.
 *
 * Three rows:
 * - **Fleet**: each app's last-backup age, red from its own `ResticBackupStale` threshold; its
 *   repository check; its last restore drill and the time since the last good one, red from its
 *   `ResticRestoreDrillStale` threshold.
 * - **App $app** (repeated for every app chosen in the `app` variable): snapshot age per path set,
 *   repository size with its 7-day trend, time to a full quota (apps with `quotaGiB`), backup
 *   duration per path set, drill results over time.
 * - **Schedule**: how many minutes after its planned start each app's newest snapshot was taken,
 *   now and over time (a slipping wave shows as one group's lines rising together), and the plan
 *   beside the newest snapshot.
 *
 * Everything that differs per app (names, groups, hosts, thresholds, quotas, planned starts) comes
 * from the stack config through {@link FleetView}; the thresholds through the same functions as the
 * alert rules (`dashboardQueries.ts`). Pure: no Pulumi import.
 */
import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as statetimeline from "@grafana/grafana-foundation-sdk/statetimeline";
import * as table from "@grafana/grafana-foundation-sdk/table";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import * as bargauge from "@grafana/grafana-foundation-sdk/bargauge";
import {
    APP_VARIABLE,
    backupAgeSteps,
    CHECK_MAPPING,
    dashboardQueries,
    DRILL_MAPPING,
    drillAgeSteps,
    FleetView,
    quotaSteps,
    slipSteps,
    ThresholdStep,
} from "./dashboardQueries";

/** The name of the dashboard's data source variable: any Prometheus data source of the Grafana. */
export const DATASOURCE_VARIABLE = "datasource";

/** Where the provisioning file tells Grafana to look for the dashboard file (copy it there). */
export const DEFAULT_DASHBOARDS_PATH = "/var/lib/grafana/dashboards/platform-backups";

/** The Grafana folder the dashboards land in. */
export const DEFAULT_FOLDER = "Backups";

/** Grafana uids are at most 40 characters of letters, digits, `-` and `_`. */
const UID_MAX = 40;

/** The dashboard's uid: `platform-backups-<stack>`, made to fit Grafana's uid rules. */
export function dashboardUid(stack: string): string {
    const uid = `platform-backups-${stack}`.replace(/[^A-Za-z0-9_-]/g, "-");
    if (uid.length <= UID_MAX) return uid;
    // Long stack names: keep the start readable and a short hash for uniqueness.
    let hash = 0;
    for (const c of uid) hash = (Math.imul(hash, 31) + c.charCodeAt(0)) >>> 0;
    const suffix = hash.toString(36);
    return `${uid.slice(0, UID_MAX - suffix.length - 1)}-${suffix}`;
}

const DATASOURCE: { type: string; uid: string } = { type: "prometheus", uid: `\${${DATASOURCE_VARIABLE}}` };

/** One Prometheus target. */
function query(refId: string, expr: string, legend: string, instant: boolean, format?: prometheus.PromQueryFormat): prometheus.DataqueryBuilder {
    const q = new prometheus.DataqueryBuilder().refId(refId).expr(expr).legendFormat(legend).datasource(DATASOURCE);
    if (format) q.format(format);
    return instant ? q.instant() : q.range();
}

function thresholds(steps: readonly ThresholdStep[]): dashboard.ThresholdsConfigBuilder {
    return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps.map((s) => ({ ...s })));
}

function valueMappings(map: Readonly<Record<string, { text: string; color: string }>>): dashboard.ValueMapping[] {
    const options: Record<string, dashboard.ValueMappingResult> = {};
    Object.entries(map).forEach(([value, result], index) => (options[value] = { ...result, index }));
    return [{ type: dashboard.MappingType.ValueToText, options }];
}

/** A regular expression that matches the display names of one app's series (`<app>` or `<app> ...`). */
export function appSeriesPattern(app: string): string {
    return `^${app.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}( .*)?$`;
}

/** `thresholds` override property: per-app steps on a panel that shows several apps. */
function thresholdsProperty(steps: readonly ThresholdStep[]): dashboard.DynamicConfigValue {
    return { id: "thresholds", value: { mode: dashboard.ThresholdsMode.Absolute, steps: steps.map((s) => ({ ...s })) } };
}

/** Panels that take field overrides. */
interface Overridable {
    overrideByName(name: string, properties: dashboard.DynamicConfigValue[]): unknown;
    overrideByRegexp(regexp: string, properties: dashboard.DynamicConfigValue[]): unknown;
}

/**
 * Each app's own steps as a field override: by name where the series is named just `<app>`, by
 * pattern where its name starts with the app (`<app> /volumes`).
 */
function perAppThresholds(panel: Overridable, apps: ReadonlyArray<{ app: string; steps: readonly ThresholdStep[] }>, match: "name" | "prefix"): void {
    for (const { app, steps } of apps) {
        if (match === "name") panel.overrideByName(app, [thresholdsProperty(steps)]);
        else panel.overrideByRegexp(appSeriesPattern(app), [thresholdsProperty(steps)]);
    }
}

/** A stat panel with one value per app, coloured on its background. */
function fleetStat(id: number, title: string, description: string, target: prometheus.DataqueryBuilder): stat.PanelBuilder {
    return new stat.PanelBuilder()
        .id(id)
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .withTarget(target)
        .height(8)
        .span(6)
        .colorMode(common.BigValueColorMode.Background)
        .graphMode(common.BigValueGraphMode.None)
        .textMode(common.BigValueTextMode.ValueAndName)
        .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false))
        .orientation(common.VizOrientation.Horizontal);
}

/** A time series panel whose thresholds are drawn as lines. */
function lines(id: number, title: string, description: string, unit: string, width: number): timeseries.PanelBuilder {
    return new timeseries.PanelBuilder()
        .id(id)
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .height(8)
        .span(width)
        .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed))
        .legend(new common.VizLegendOptionsBuilder().displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom).showLegend(true));
}

/** Options of {@link grafanaDashboard}. */
export interface DashboardOptions {
    /** When the planned starts' time zone offset is taken (see `plannedStartUtc`). Default: now. */
    at?: Date;
    /** Default time range of the dashboard. Default `now-7d`. */
    from?: string;
}

/** Each app's own threshold steps, by the functions the alert rules take their thresholds from. */
interface AppSteps {
    age: Array<{ app: string; steps: ThresholdStep[] }>;
    drill: Array<{ app: string; steps: ThresholdStep[] }>;
    quota: Array<{ app: string; steps: ThresholdStep[] }>;
    slip: Array<{ app: string; steps: ThresholdStep[] }>;
}

/** What the rows of the dashboard are built with: the builder, the panel ids in order, the queries and steps. */
interface Sections {
    builder: dashboard.DashboardBuilder;
    id: () => number;
    q: ReturnType<typeof dashboardQueries>;
    steps: AppSteps;
    view: FleetView;
}

/** The fleet dashboard of a stack, as Grafana's dashboard JSON (classic schema, for file provisioning). */
export function grafanaDashboard(view: FleetView, options: DashboardOptions = {}): dashboard.Dashboard {
    const q = dashboardQueries(view, options.at);
    const steps: AppSteps = {
        age: view.apps.flatMap((a) => (a.monitored ? [{ app: a.app, steps: backupAgeSteps(a.monitored, view.options) }] : [])),
        drill: view.apps.flatMap((a) => (a.drill ? [{ app: a.app, steps: drillAgeSteps(a.drill) }] : [])),
        quota: view.apps.flatMap((a) => {
            const quota = a.monitored && quotaSteps(a.monitored);
            return quota ? [{ app: a.app, steps: quota }] : [];
        }),
        slip: view.apps.map((a) => ({ app: a.app, steps: slipSteps(a) })),
    };
    let nextId = 1;
    const sections: Sections = { builder: dashboardHead(view, options), id: () => nextId++, q, steps, view };
    fleetRow(sections);
    appRow(sections);
    scheduleRow(sections);
    return withoutIntervalDefaults(sections.builder.build());
}

/** The dashboard itself: title, uid, time, refresh, and the data source and app variables. */
function dashboardHead(view: FleetView, options: DashboardOptions): dashboard.DashboardBuilder {
    return new dashboard.DashboardBuilder(`Backups: ${view.stack}`)
        .uid(dashboardUid(view.stack))
        .description(`Generated by platform-backups from the ${view.stack} stack config; regenerate it with npm run monitoring -- --stack ${view.stack}.`)
        .tags(["platform-backups", "restic", view.stack])
        .timezone(view.timezone === "UTC" ? "utc" : view.timezone)
        .time({ from: options.from ?? "now-7d", to: "now" })
        .refresh("5m")
        .readonly()
        .tooltip(dashboard.DashboardCursorSync.Crosshair)
        .withVariable(new dashboard.DatasourceVariableBuilder(DATASOURCE_VARIABLE).label("Prometheus").type("prometheus"))
        .withVariable(
            new dashboard.CustomVariableBuilder(APP_VARIABLE)
                .label("App")
                .values(view.apps.map((a) => a.app).join(","))
                .multi(true)
                .includeAll(true)
                .current({ selected: true, text: ["All"], value: ["$__all"] }),
        );
}

/** The fleet row: one value per app, by the app's name. */
function fleetRow({ builder, id, q, steps }: Sections): void {
    // --- Fleet ---------------------------------------------------------------------------------
    builder.withRow(new dashboard.RowBuilder("Fleet").id(id()));
    // One value per app, by the app's name: an age coloured at the app's own steps, or a state by its mapping.
    const fleetPanel = (title: string, description: string, expr: string, look: { steps: AppSteps["age"] } | { mapping: typeof CHECK_MAPPING }) => {
        const panel = fleetStat(id(), title, description, query("A", expr, "{{app}}", true));
        if ("steps" in look) perAppThresholds(panel.unit("s"), look.steps, "name");
        else panel.mappings(valueMappings(look.mapping));
        builder.withPanel(panel);
    };
    fleetPanel(
        "Last backup (oldest path set)",
        "Age of each app's newest snapshot, for the path set that is most behind. Red from the app's own ResticBackupStale threshold (its interval plus graceHours), which fires 5 minutes later.",
        q.fleet.backupAge,
        { steps: steps.age },
    );
    fleetPanel("Repository check", "The exporter's last restic check. ResticCheckFailed fires when it failed on two reads in a row.", q.fleet.check, {
        mapping: CHECK_MAPPING,
    });
    fleetPanel(
        "Last restore drill",
        "Whether the last drill restored and verified a sample of each path set's newest snapshot, and its slice of restic check passed.",
        q.fleet.drillResult,
        { mapping: DRILL_MAPPING },
    );
    fleetPanel(
        "Since the last good drill",
        "Time since the last successful drill (or since the drill started, while none succeeded). Red from the app's ResticRestoreDrillStale threshold.",
        q.fleet.drillAge,
        { steps: steps.drill },
    );
}

/** The per-app row, repeated for every chosen app. */
function appRow({ builder, id, q, steps }: Sections): void {
    // --- Per app (the row repeats for every chosen app) ----------------------------------------
    builder.withRow(new dashboard.RowBuilder(`App $${APP_VARIABLE}`).id(id()).repeat(APP_VARIABLE));
    const snapshotAge = lines(
        id(),
        "Snapshot age per path set",
        "Age of the newest snapshot of each path set (the volumes, each database dump). The dashed line is the app's ResticBackupStale threshold.",
        "s",
        12,
    ).withTarget(query("A", q.perApp.snapshotAge, "{{app}} {{snapshot_paths}}", false));
    perAppThresholds(snapshotAge, steps.age, "prefix");
    builder.withPanel(snapshotAge);
    const size = lines(
        id(),
        "Repository size and 7-day trend",
        "restic stats --mode raw-data of the repository, and where it will be in 7 days at the growth of the last 7 days. With a quota: orange from ResticQuotaNearlyFull's threshold, red at the quota.",
        "bytes",
        12,
    )
        .withTarget(query("A", q.perApp.size, "{{app}} size", false))
        .withTarget(query("B", q.perApp.sizeTrend, "{{app}} in 7 days at this trend", false));
    perAppThresholds(size, steps.quota, "prefix");
    builder.withPanel(size);
    if (q.perApp.timeToQuota !== undefined) {
        const ttq = fleetStat(
            id(),
            "Time to a full quota",
            "Room left in the bucket quota over the repository's growth of the last 7 days. Apps without a quota, or that do not grow, show no value.",
            query("A", q.perApp.timeToQuota, "{{app}}", true),
        )
            .unit("s")
            .noValue("no quota, or not growing")
            .thresholds(
                thresholds([
                    { value: null, color: "red" },
                    { value: 7 * 86_400, color: "orange" },
                    { value: 30 * 86_400, color: "green" },
                ]),
            );
        builder.withPanel(ttq);
    }
    builder.withPanel(
        lines(
            id(),
            "Backup duration per path set",
            "How long restic took for the newest snapshot of each path set, as the snapshot records it (restic 0.17 and later).",
            "s",
            q.perApp.timeToQuota !== undefined ? 9 : 12,
        ).withTarget(query("A", q.perApp.backupDuration, "{{app}} {{snapshot_paths}}", false)),
    );
    builder.withPanel(
        new statetimeline.PanelBuilder()
            .id(id())
            .title("Restore drill results")
            .description("Each drill's result over time: passed, or failed (ResticRestoreDrillFailed).")
            .datasource(DATASOURCE)
            .height(8)
            .span(q.perApp.timeToQuota !== undefined ? 9 : 12)
            .mappings(valueMappings(DRILL_MAPPING))
            .withTarget(query("A", q.perApp.drillResults, "{{app}}", false)),
    );
}

/** The schedule row: how late each app's newest snapshot came after its planned start. */
function scheduleRow({ builder, id, q, steps, view }: Sections): void {
    // --- Schedule ------------------------------------------------------------------------------
    builder.withRow(new dashboard.RowBuilder("Schedule").id(id()));
    const slipNow = new bargauge.PanelBuilder()
        .id(id())
        .title("Newest snapshot after its planned start")
        .description(
            `Minutes from each app's planned start (${view.timezone}) to its newest snapshot. Orange once later than the app's expected duration: its slot is over and the next backup of its group may run beside it.`,
        )
        .datasource(DATASOURCE)
        .withTarget(query("A", q.schedule.slip, "{{app}} ({{group}}, planned {{planned}})", true))
        .unit("m")
        .min(0)
        .height(10)
        .span(8)
        .displayMode(common.BarGaugeDisplayMode.Basic)
        .orientation(common.VizOrientation.Horizontal)
        .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false));
    perAppThresholds(slipNow, steps.slip, "prefix");
    builder.withPanel(slipNow);
    const slipOverTime = lines(id(), "Start slip over time", "The same minutes over time: the lines of one group rising together are a slipping wave.", "m", 16)
        .height(10)
        .withTarget(query("A", q.schedule.slip, "{{app}} ({{group}}, planned {{planned}})", false));
    perAppThresholds(slipOverTime, steps.slip, "prefix");
    builder.withPanel(slipOverTime);
    builder.withPanel(
        new table.PanelBuilder()
            .id(id())
            .title("Plan and newest snapshot")
            .description(`Planned start (${view.timezone}) from the stack config beside the time of each app's newest snapshot.`)
            .datasource(DATASOURCE)
            .height(8)
            .span(24)
            .withTarget(query("A", q.schedule.plan, "", true, prometheus.PromQueryFormat.Table))
            .withTransformation({
                id: "organize",
                options: {
                    excludeByName: { Time: true },
                    indexByName: { group: 0, app: 1, host: 2, planned: 3, Value: 4 },
                    renameByName: { planned: "planned start", Value: "newest snapshot" },
                },
            })
            .overrideByName("Value", [{ id: "unit", value: "dateTimeAsIso" }]),
    );
}

/**
 * The SDK (0.0.21) writes `auto`, `auto_min` and `auto_count` (settings of interval variables) on
 * every variable; Grafana's own schema (@grafana/schema 13.2.3, `VariableModel`) has no such keys,
 * and they mean nothing on a custom or data source variable. Dropped, so that the JSON is a
 * dashboard of both.
 */
function withoutIntervalDefaults(board: dashboard.Dashboard): dashboard.Dashboard {
    for (const variable of board.templating.list ?? []) {
        if (variable.type === "interval") continue;
        delete variable.auto;
        delete variable.auto_min;
        delete variable.auto_count;
    }
    return board;
}

/** Options of {@link grafanaProvisioning}. */
export interface ProvisioningOptions {
    /** The folder on the Grafana host that holds the dashboard file. Default `<DEFAULT_DASHBOARDS_PATH>/<stack>`. */
    path?: string;
    /** The Grafana folder. Default {@link DEFAULT_FOLDER}. */
    folder?: string;
}

/**
 * A provisioning file for Grafana's file provider (`provisioning/dashboards/*.yaml`, Grafana's
 * "Provision Grafana" docs, section Dashboards): Grafana loads every dashboard JSON under `path`
 * at start and re-reads it every `updateIntervalSeconds`. UI edits are refused
 * (`allowUiUpdates: false`): the stack config is the source, and a regenerated file would
 * overwrite them anyway. Removing the file removes the dashboard (`disableDeletion: false`).
 */
export function grafanaProvisioning(stack: string, options: ProvisioningOptions = {}): object {
    return {
        apiVersion: 1,
        providers: [
            {
                name: dashboardUid(stack),
                orgId: 1,
                folder: options.folder ?? DEFAULT_FOLDER,
                type: "file",
                disableDeletion: false,
                allowUiUpdates: false,
                updateIntervalSeconds: 60,
                // One folder per stack: two providers reading one folder would each load both dashboards.
                options: { path: options.path ?? `${DEFAULT_DASHBOARDS_PATH}/${stack}`, foldersFromFilesStructure: false },
            },
        ],
    };
}
