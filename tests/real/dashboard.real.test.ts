/**
 * The fleet dashboard against a real Prometheus: every panel's query evaluates without error and
 * returns data, and the colours the dashboard gives the real values are the alert rules'.
 *
 * What runs, for real: restic (the tier's, in a container of the tier's image, the data under
 * /volumes and /databases as in stack-back's) writes snapshots of three apps into s3rver; restic-exporter
 * 2.0.2 (exporter/exporter.py from ../shared/upstream, the pinned release, run with python3 and
 * Debian's python3-prometheus-client instead of its image) reads each repository with the env
 * `exporterEnv` generates; the drill script and metrics server of `restoreDrill` run on the host
 * (instead of in stack-back's image) with the env `drillEnv` generates; Prometheus 2.53 (Debian's)
 * scrapes them with the scrape config `scrapeConfig` generates from a validated stack config.
 *
 * The night is laid out with restic's own `backup --time` (snapshot times in the past): mattermost
 * ran at its planned 02:00, n8n 28 minutes after its planned 02:20 (longer than its 20-minute
 * slot), gitlab's newest snapshot is two days old (past its 26 h threshold). n8n's last drill
 * fails (a wrong repository password); the others pass.
 *
 * With DASHBOARD_PICTURE=<file.png> the test also writes the picture of the dashboard drawn from
 * these answers (scripts/dashboardPicture.ts, resvg): the one in docs/monitoring.md.
 */
import { ChildProcess, spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as http from "http";
import { freePort } from "./support/prometheus";
import * as os from "os";
import * as path from "path";
import { Resvg } from "@resvg/resvg-js";
import type { Panel } from "@grafana/grafana-foundation-sdk/dashboard";
import type * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import { drilledApps, monitoredApps, parseStackConfig } from "../../components/config";
import { alertRules, exporterEnv, scrapeConfig, toYaml } from "../../components/monitoring";
import { DRILL_HELPER, DRILL_METRICS_SERVER, DRILL_SCRIPT, drillEnv } from "../../components/restoreDrill";
import { APP_VARIABLE, dashboardQueries, fleetView } from "../../components/dashboardQueries";
import { grafanaDashboard } from "../../components/grafanaDashboard";
import { dashboardSvg, displayName, fieldConfigFor, PanelResults, SeriesData, valueLook } from "../../scripts/dashboardPicture";
import { createBucket, ok, required, ROOT, run, TOOLS } from "./support/engines";
import { ensureImages, LOCAL_IMAGES } from "./support/stack";

/** The upstream archives: REAL_UPSTREAM_DIR, ../shared/upstream beside the checkout, or beside the main checkout of a git worktree. */
function upstreamDir(): string {
    if (process.env.REAL_UPSTREAM_DIR) return process.env.REAL_UPSTREAM_DIR;
    const beside = path.join(ROOT, "..", "shared", "upstream");
    if (fs.existsSync(beside)) return beside;
    const common = run("git", ["rev-parse", "--path-format=absolute", "--git-common-dir"]).stdout.trim();
    return path.join(common, "..", "..", "shared", "upstream");
}
const EXPORTER_ARCHIVE = path.join(upstreamDir(), "restic-exporter-2.0.2.tar.gz");
const PYTHONPATH = process.env.REAL_PYTHONPATH ?? path.join(TOOLS, "root", "usr", "lib", "python3", "dist-packages");
/** Seconds between the exporter's reads here (exporterEnv refuses less than 60 for real use). */
const REFRESH = 4;
const PASSWORD = "dashboard-real-tier-password";
/** Buckets of this run: s3rver keeps the buckets of earlier runs. */
const RUN_ID = `${Date.now().toString(36)}`;
const bucketOf = (app: string) => `dash-${app}-${RUN_ID}`;

const work = fs.mkdtempSync(path.join(os.tmpdir(), "real-dashboard-"));
const children: ChildProcess[] = [];

afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
    // REAL_KEEP=1 keeps the logs and the data of the run for a look.
    if (process.env.REAL_KEEP !== "1") fs.rmSync(work, { recursive: true, force: true });
});

function start(name: string, command: string, args: string[], env: Record<string, string>, cwd = work): ChildProcess {
    const log = fs.openSync(path.join(work, `${name}.log`), "a");
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", log, log] });
    children.push(child);
    return child;
}

/** `command args` without blocking the event loop, so that the slow steps of several apps run side by side. */
function runAsync(command: string, args: readonly string[], env: Record<string, string> = {}): Promise<{ status: number | null; output: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", (d: Buffer) => (output += d.toString()));
        child.stderr.on("data", (d: Buffer) => (output += d.toString()));
        child.on("error", reject);
        child.on("close", (status) => resolve({ status, output }));
    });
}

async function succeeds(what: string, pending: Promise<{ status: number | null; output: string }>): Promise<void> {
    const r = await pending;
    if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${r.output}`);
}

function getJson(url: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
        http.get(url, { agent: false }, (res) => {
            let body = "";
            res.on("data", (d: Buffer) => (body += d.toString()));
            res.on("end", () => {
                try {
                    resolve(JSON.parse(body));
                } catch (error) {
                    reject(new Error(`${url}: ${body.slice(0, 300)} (${String(error)})`));
                }
            });
        }).on("error", reject);
    });
}

async function waitFor(what: string, seconds: number, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
        if (await check().catch(() => false)) return;
        if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${what}; logs in ${work}`);
        await new Promise((r) => setTimeout(r, 500));
    }
}

interface PromAnswer {
    status: string;
    error?: string;
    data?: { resultType: string; result: Array<{ metric: Record<string, string>; value?: [number, string]; values?: Array<[number, string]> }> };
}

/** A PromQL answer as series; fails on any error Prometheus reports. */
async function evaluate(base: string, expr: string, range?: { start: number; end: number; step: number }): Promise<SeriesData[]> {
    const url = range
        ? `${base}/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${range.start}&end=${range.end}&step=${range.step}`
        : `${base}/api/v1/query?query=${encodeURIComponent(expr)}`;
    const answer = (await getJson(url)) as PromAnswer;
    if (answer.status !== "success" || !answer.data) throw new Error(`Prometheus refused ${expr}: ${answer.error ?? JSON.stringify(answer)}`);
    return answer.data.result.map((r) => ({
        labels: Object.fromEntries(Object.entries(r.metric).filter(([k]) => k !== "__name__")),
        points: (r.values ?? (r.value ? [r.value] : [])).map(([t, v]) => [Number(t), Number(v)] as [number, number]),
    }));
}

// --- The stack: three apps on one local host, ports free on the host ----------------------------------
const DAY = 86_400;
const now = Math.floor(Date.now() / 1000);
/** The start of the most recent day whose 03:00 UTC has passed: its night's backups are over. */
const night = Math.floor((now - 3 * 3600) / DAY) * DAY;
const at = (dayOffset: number, hh: number, mm: number, ss = 0) => night + dayOffset * DAY + hh * 3600 + mm * 60 + ss;
const resticTime = (t: number) => new Date(t * 1000).toISOString().slice(0, 19).replace("T", " ");

interface AppRun {
    name: string;
    /** Snapshot times of the volumes and the database dump. */
    times: [number, number];
}
const RUNS: AppRun[] = [
    { name: "mattermost", times: [at(0, 2, 0, 40), at(0, 2, 2, 5)] },
    { name: "n8n", times: [at(0, 2, 47, 10), at(0, 2, 48, 0)] },
    { name: "gitlab", times: [at(-2, 2, 5, 0), at(-2, 2, 6, 30)] },
];

test("every panel's query returns data from a real Prometheus scraping the real exporter and drill", async () => {
    const endpoint = required("REAL_S3_ENDPOINT");
    const cacert = required("REAL_S3_CACERT");
    const ports = await Promise.all([...RUNS, ...RUNS, RUNS[0]].map(() => freePort()));
    const promPort = ports[2 * RUNS.length];
    const fleet = parseStackConfig({
        minio: { endpoint, ssl: true },
        vault: { address: "https://vault.test:8200" },
        timezone: "UTC",
        schedule: { start: "02:00", spacingMinutes: 20 },
        monitoring: { enabled: true },
        restoreDrills: { enabled: true },
        hosts: { local: { dockerHost: "unix:///var/run/docker.sock", address: "127.0.0.1" } },
        apps: RUNS.map((r, i) => ({
            name: r.name,
            host: "local",
            group: r.name === "gitlab" ? "blue" : "green",
            monitoring: { port: ports[i] },
            restoreDrills: { port: ports[RUNS.length + i] },
            ...(r.name === "gitlab" ? { quotaGiB: 1 } : {}),
        })),
    });
    const monitored = monitoredApps(fleet);
    const drilled = drilledApps(fleet);
    const view = fleetView("real", fleet, {});
    expect(view.apps.map((a) => [a.app, a.plannedStart])).toEqual([
        ["mattermost", 120],
        ["n8n", 140],
        ["gitlab", 120],
    ]);

    // --- Repositories: two path sets per app, at the night's times ---------------------------------
    const data = (app: string, set: string) => path.join(work, "data", app, set);
    const resticEnv = (app: string) => ({
        RESTIC_REPOSITORY: `s3:https://${endpoint}/${bucketOf(app)}`,
        RESTIC_PASSWORD: PASSWORD,
        AWS_ACCESS_KEY_ID: "S3RVER",
        AWS_SECRET_ACCESS_KEY: "S3RVER",
        RESTIC_CACERT: cacert,
        TZ: "UTC",
    });
    // As stack-back does: in a container (the tier's stack-back image, restic 0.18.1), the data under /volumes and
    // /databases, the snapshot's host name the container's id (a new one each run, as when
    // stack-back's container is recreated: the queries must not care).
    ensureImages();
    const backup = (app: string, set: string, time: number) => {
        const env = { ...resticEnv(app), DOCKER_HOST: required("REAL_DOCKER_HOST") };
        const flags = Object.keys(resticEnv(app)).flatMap((k) => ["-e", k]);
        return succeeds(
            `restic backup of ${app} /${set}`,
            runAsync(
                "docker",
                [
                    "run",
                    "--rm",
                    "--network",
                    "host",
                    "-v",
                    `${data(app, set)}:/${set}:ro`,
                    "-v",
                    `${cacert}:${cacert}:ro`,
                    ...flags,
                    LOCAL_IMAGES.stackBack,
                    "restic",
                    "backup",
                    "--quiet",
                    "--time",
                    resticTime(time),
                    `/${set}`,
                ],
                env,
            ),
        );
    };
    await Promise.all(
        RUNS.map(async (r) => {
            await createBucket(bucketOf(r.name));
            await succeeds(`restic init of ${r.name}`, runAsync("restic", ["init", "--quiet"], resticEnv(r.name)));
            for (const set of ["volumes", "databases"]) fs.mkdirSync(data(r.name, set), { recursive: true });
            fs.writeFileSync(path.join(data(r.name, "volumes"), "files.txt"), `${r.name} `.repeat(2000));
            fs.writeFileSync(path.join(data(r.name, "databases"), "dump.sql"), `insert into t values ('${r.name}');\n`.repeat(500));
            await backup(r.name, "volumes", r.times[0]);
            await backup(r.name, "databases", r.times[1]);
        }),
    );

    // --- Exporters: the pinned release's exporter.py with the generated env ------------------------
    ok(run("tar", ["-xzf", EXPORTER_ARCHIVE, "-C", work]), "unpacking restic-exporter 2.0.2");
    ok(run("python3", ["-c", "import prometheus_client"], { env: { PYTHONPATH } }), `python3 with prometheus_client (PYTHONPATH ${PYTHONPATH})`);
    monitored.forEach((m, i) => {
        const env = Object.fromEntries(
            exporterEnv({
                repository: resticEnv(m.app).RESTIC_REPOSITORY,
                resticPassword: PASSWORD,
                accessKeyId: "S3RVER",
                secretAccessKey: "S3RVER",
                caCertFile: cacert,
                timezone: "UTC",
            }).map((e) => [e.name, e.value]),
        );
        start(
            `exporter-${m.app}`,
            "python3",
            ["-u", "exporter/exporter.py"],
            { ...env, REFRESH_INTERVAL: String(REFRESH), LISTEN_PORT: String(ports[i]), LISTEN_ADDRESS: "127.0.0.1", PYTHONPATH },
            path.join(work, "restic-exporter-2.0.2"),
        );
    });

    // --- Drills: the drill script and its metrics server, with the generated env -------------------
    const drillFiles = path.join(work, "drill");
    fs.mkdirSync(drillFiles, { recursive: true });
    fs.writeFileSync(path.join(drillFiles, "drill.sh"), DRILL_SCRIPT);
    fs.writeFileSync(path.join(drillFiles, "drill.py"), DRILL_HELPER);
    fs.writeFileSync(path.join(drillFiles, "metrics_server.py"), DRILL_METRICS_SERVER);
    const drillEnvOf = (app: string, password: string) => {
        const d = drilled.find((x) => x.app === app);
        const spec = fleet.apps.find((a) => a.name === app);
        if (!d || !spec?.restoreDrill) throw new Error(`no drill for ${app}`);
        const env = drillEnv({
            ...d,
            repository: resticEnv(app).RESTIC_REPOSITORY,
            resticPassword: password,
            accessKeyId: "S3RVER",
            secretAccessKey: "S3RVER",
            schedule: spec.restoreDrill.schedule,
            port: spec.restoreDrill.port,
            caCertPath: cacert,
            timezone: "UTC",
        });
        return {
            ...Object.fromEntries(env.map((e) => [e.name, e.value])),
            DRILL_METRICS_DIR: path.join(work, "drill-metrics", app),
            DRILL_SCRATCH_DIR: path.join(work, "drill-scratch", app),
            DRILL_HELPER: path.join(drillFiles, "drill.py"),
        };
    };
    const drill = (app: string, password = PASSWORD) => runAsync("sh", [path.join(drillFiles, "drill.sh")], drillEnvOf(app, password));
    await Promise.all(
        RUNS.map(async (r) => {
            fs.mkdirSync(path.join(work, "drill-metrics", r.name), { recursive: true });
            await succeeds(`the drill of ${r.name}`, drill(r.name));
            // In its container the server listens on DRILL_METRICS_PORT, published on the app's drill port; here on that port itself.
            const port = fleet.apps.find((a) => a.name === r.name)?.restoreDrill?.port;
            start(`drill-server-${r.name}`, "python3", [path.join(drillFiles, "metrics_server.py")], {
                ...drillEnvOf(r.name, PASSWORD),
                DRILL_METRICS_PORT: String(port),
            });
        }),
    );

    // --- Prometheus, with the generated scrape config ----------------------------------------------
    const scrape = scrapeConfig(monitored, { scrapeInterval: "1s", scrapeTimeout: "1s" }, drilled);
    const promConfig = path.join(work, "prometheus.yml");
    fs.writeFileSync(promConfig, toYaml({ global: { scrape_interval: "1s", evaluation_interval: "1s" }, ...scrape }));
    const promStart = Math.floor(Date.now() / 1000);
    start(
        "prometheus",
        "prometheus",
        [`--config.file=${promConfig}`, `--storage.tsdb.path=${path.join(work, "tsdb")}`, `--web.listen-address=127.0.0.1:${promPort}`],
        {},
    );
    const base = `http://127.0.0.1:${promPort}`;
    const q = dashboardQueries(view);
    await waitFor("every exporter's and drill's series in Prometheus", 180, async () => {
        const [ts, drills] = await Promise.all([evaluate(base, q.fleet.backupAge), evaluate(base, q.fleet.drillResult)]);
        return ts.length === RUNS.length && drills.length === RUNS.length;
    });

    // --- The night goes on: gitlab grows (a backup on its old day), n8n's drill fails ---------------
    // Random bytes: restic compresses, and the repository must really grow.
    fs.writeFileSync(path.join(data("gitlab", "volumes"), "more.bin"), randomBytes(512 * 1024));
    const [, failed] = await Promise.all([backup("gitlab", "volumes", RUNS[2].times[0] + 60), drill("n8n", "not-the-password")]);
    expect(failed.status).not.toBe(0);
    const grown = async () => (await evaluate(base, q.perApp.timeToQuota?.replace(/\$app/g, "gitlab") ?? "vector(0)")).length === 1;
    await waitFor("gitlab's growth in the exporter's size", 120, grown);
    // For the picture only: a minute more of history in the time series.
    if (process.env.DASHBOARD_PICTURE) await new Promise((r) => setTimeout(r, 60_000));

    // --- Every panel's query, as Grafana would send it for the per-app row of each app ---------------
    const board = grafanaDashboard(view);
    const end = Math.floor(Date.now() / 1000);
    const range = { start: promStart, end, step: 1 };
    const panels = (board.panels ?? []).filter((p): p is Panel => p.type !== "row");
    const results: Record<number, PanelResults> = {};
    const problems: string[] = [];
    const perAppPanels = new Set(
        (board.panels ?? [])
            .slice(
                (board.panels ?? []).findIndex((p) => p.title === `App $${APP_VARIABLE}`) + 1,
                (board.panels ?? []).findIndex((p) => p.title === "Schedule"),
            )
            .map((p) => p.id),
    );
    let evaluated = 0;
    for (const p of panels) {
        for (const t of (p.targets ?? []) as unknown as prometheus.Dataquery[]) {
            for (const app of perAppPanels.has(p.id) ? RUNS.map((r) => r.name) : [undefined]) {
                const expr = app ? t.expr.replace(/\$app/g, app) : t.expr;
                const series = await evaluate(base, expr, t.instant ? undefined : range);
                evaluated++;
                const quotaOnly = t.expr === q.perApp.timeToQuota;
                const expected = quotaOnly && app !== "gitlab" ? 0 : app ? undefined : RUNS.length;
                if (expected === 0 ? series.length !== 0 : expected === undefined ? series.length === 0 : series.length !== expected)
                    problems.push(`${p.title} ${t.refId}${app ? ` (app ${app})` : ""}: ${series.length} series`);
                if (!app || app === "gitlab") (results[p.id ?? -1] ??= {})[t.refId ?? "A"] = series;
            }
        }
    }
    expect(problems).toEqual([]);
    expect(evaluated).toBeGreaterThan(20);

    // --- The colours of the real values are the alert rules' ----------------------------------------
    const lookOf = (title: string, app: string) => {
        const p = panels.find((x) => x.title === title) as Panel;
        const series = Object.values(results[p.id ?? -1]).flat();
        const target = (p.targets?.[0] ?? {}) as unknown as prometheus.Dataquery;
        const s = series.find((x) => x.labels.app === app);
        if (!s) throw new Error(`${title}: no series of ${app}`);
        const name = displayName(target.legendFormat, s.labels);
        return valueLook(s.points[s.points.length - 1][1], fieldConfigFor(p, name)).color;
    };
    const RED = "#F2495C";
    const GREEN = "#73BF69";
    const ORANGE = "#FF9830";
    expect(["mattermost", "n8n", "gitlab"].map((a) => lookOf("Last backup (oldest path set)", a))).toEqual([GREEN, GREEN, RED]);
    expect(["mattermost", "n8n", "gitlab"].map((a) => lookOf("Last restore drill", a))).toEqual([GREEN, RED, GREEN]);
    expect(["mattermost", "n8n", "gitlab"].map((a) => lookOf("Newest snapshot after its planned start", a))).toEqual([GREEN, ORANGE, GREEN]);
    expect(["mattermost", "n8n", "gitlab"].map((a) => lookOf("Repository check", a))).toEqual([GREEN, GREEN, GREEN]);
    // The alert agrees: gitlab's newest snapshot is past its ResticBackupStale threshold, mattermost's is not.
    const stale = alertRules(monitored).groups[0].rules.filter((r) => r.alert === "ResticBackupStale");
    const firing = await Promise.all(stale.map(async (r) => [r.labels.app, (await evaluate(base, r.expr)).length > 0]));
    expect(firing).toEqual([
        ["mattermost", false],
        ["n8n", false],
        ["gitlab", true],
    ]);

    // --- The picture --------------------------------------------------------------------------------
    const svg = dashboardSvg({ board, results, variables: { [APP_VARIABLE]: "gitlab" }, from: promStart, to: end });
    const png = new Resvg(svg, {
        font: {
            loadSystemFonts: false,
            fontFiles: ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"].map((f) => path.join(ROOT, "node_modules", "dejavu-fonts-ttf", "ttf", f)),
            defaultFontFamily: "DejaVu Sans",
            sansSerifFamily: "DejaVu Sans",
        },
        logLevel: "off",
    })
        .render()
        .asPng();
    expect(png.length).toBeGreaterThan(20_000);
    const out = process.env.DASHBOARD_PICTURE;
    if (out) fs.writeFileSync(path.resolve(ROOT, out), out.endsWith(".svg") ? svg : png);
}, 900_000);
