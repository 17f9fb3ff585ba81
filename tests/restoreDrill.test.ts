import { spawn, spawnSync } from "child_process";
import * as fc from "fast-check";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { parser as promqlParser } from "@prometheus-io/lezer-promql";
import { resticReaderPolicy } from "../components/iamPolicy";
import { backupNames } from "../components/naming";
import { restoreIdentityProblems } from "../components/restoreAccess";
import {
    checkSubsetForDay,
    DRILL_ALERTS,
    DRILL_ENTRYPOINT,
    DRILL_HELPER,
    DRILL_IMAGE,
    DRILL_METRICS,
    DRILL_METRICS_SERVER,
    DRILL_SCRIPT,
    drillAlertRules,
    drillContainerSpec,
    DrillOptions,
    drillScrapeJob,
} from "../components/restoreDrill";
import type { PlannedSlot } from "../components/schedule";
import { assignDrills } from "../components/drillSlots";
import { COMPOSE_PROJECT_LABEL, DEFAULT_STACKBACK_IMAGE, DOCKER_SOCKET } from "../components/stackback";
import { makeFakeRestic } from "./support/fakeRestic";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const HAS_PYTHON = has("python3");
const HAS_SHELLCHECK = has("shellcheck");
if (!HAS_PYTHON) console.warn("restoreDrill.test: python3 not found; the drill script and metrics server tests are SKIPPED");
if (!HAS_SHELLCHECK) console.warn("restoreDrill.test: shellcheck not found; the shellcheck test is SKIPPED");
const withPython = HAS_PYTHON ? test : test.skip;

const DAY = 86_400_000;

describe("check --read-data-subset rotation", () => {
    test("N consecutive days read every slice exactly once", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 256 }), fc.integer({ min: 0, max: 40_000 }), (slices, firstDay) => {
                const seen = Array.from({ length: slices }, (_, i) => checkSubsetForDay(new Date((firstDay + i) * DAY + 3_600_000), slices));
                expect(new Set(seen).size).toBe(slices);
                for (const s of seen) expect(s).toMatch(new RegExp(`^([1-9]\\d*)/${slices}$`));
            }),
        );
    });

    test("restic's limit of 256 slices is enforced", () => {
        expect(() => checkSubsetForDay(new Date(0), 257)).toThrow("1-256");
        expect(() => checkSubsetForDay(new Date(0), 0)).toThrow();
        expect(checkSubsetForDay(new Date(Date.UTC(1970, 0, 31)), 30)).toBe("1/30");
    });
});

describe("the drill script", () => {
    test("every restic call carries --no-lock", () => {
        const calls = DRILL_SCRIPT.split("\n").filter((line) => /^\s*restic\s/.test(line));
        expect(calls.length).toBe(4);
        for (const line of calls) expect(line).toMatch(/^\s*restic --no-lock /);
    });

    (HAS_SHELLCHECK ? test : test.skip)("passes shellcheck -s sh (the image's shell is busybox ash)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drill-sc-"));
        fs.writeFileSync(path.join(dir, "drill.sh"), DRILL_SCRIPT);
        fs.writeFileSync(path.join(dir, "entrypoint.sh"), DRILL_ENTRYPOINT);
        const result = spawnSync("shellcheck", ["-s", "sh", "drill.sh", "entrypoint.sh"], { cwd: dir, encoding: "utf8" });
        expect(result.stdout + result.stderr).toBe("");
        expect(result.status).toBe(0);
    });

    function runDrill(env: Record<string, string>, previousMetrics?: string) {
        const fake = makeFakeRestic();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drill-"));
        fs.writeFileSync(path.join(dir, "drill.py"), DRILL_HELPER);
        fs.mkdirSync(path.join(dir, "metrics"));
        if (previousMetrics) fs.writeFileSync(path.join(dir, "metrics", "metrics"), previousMetrics);
        const before = Date.now();
        const result = spawnSync("sh", ["-c", DRILL_SCRIPT], {
            encoding: "utf8",
            env: {
                PATH: `${fake.dir}${path.delimiter}${process.env.PATH}`,
                FAKE_RESTIC_LOG: fake.log,
                DRILL_HELPER: path.join(dir, "drill.py"),
                DRILL_METRICS_DIR: path.join(dir, "metrics"),
                DRILL_SCRATCH_DIR: path.join(dir, "scratch"),
                DRILL_CHECK_SLICES: "7",
                ...env,
            },
        });
        const metrics = new Map<string, number>();
        for (const line of fs.readFileSync(path.join(dir, "metrics", "metrics"), "utf8").split("\n")) {
            if (line === "" || line.startsWith("#")) continue;
            const [name, value, ...rest] = line.split(" ");
            expect(rest).toEqual([]);
            metrics.set(name, Number(value));
        }
        const slices = new Set([checkSubsetForDay(new Date(before), 7), checkSubsetForDay(new Date(), 7)]);
        return { result, metrics, calls: fake.calls(), slices, scratch: path.join(dir, "scratch") };
    }

    withPython("a passing drill: samples each path set, restores with --verify, checks today's slice, writes its metrics", () => {
        const { result, metrics, calls, slices, scratch } = runDrill({ DRILL_SAMPLE_BYTES: "100", DRILL_SAMPLE_FILES: "5" });
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        for (const call of calls) expect(call.argv[0]).toBe("--no-lock");
        expect(calls.map((c) => c.argv.find((a) => !a.startsWith("-")))).toEqual(["snapshots", "ls", "restore", "ls", "restore", "check"]);
        expect(calls[0].argv).toEqual(["--no-lock", "--json", "snapshots", "--latest", "1", "--group-by", "paths"]);
        const restore = calls[2];
        expect(restore.argv).toContain("--verify");
        expect(restore.argv[3]).toBe("a1b2c3d4" + "0".repeat(56));
        // The 5000-byte file is over the 100-byte budget; glob characters are escaped for restic.
        expect(restore.include?.split("\n").filter(Boolean).sort()).toEqual(["/volumes/a.txt", "/volumes/b\\[1].txt"]);
        const check = calls[5].argv;
        expect(check[0]).toBe("--no-lock");
        expect(slices).toContain(check[2].replace("--read-data-subset=", ""));
        expect(metrics.get(DRILL_METRICS.success)).toBe(1);
        expect(metrics.get(DRILL_METRICS.bytesRestored)).toBe(4096);
        expect(metrics.get(DRILL_METRICS.filesRestored)).toBe(4);
        expect(metrics.get(DRILL_METRICS.snapshotsRestored)).toBe(2);
        expect(metrics.get(DRILL_METRICS.checkSlices)).toBe(7);
        expect(Math.abs((metrics.get(DRILL_METRICS.lastSuccess) ?? 0) * 1000 - Date.now())).toBeLessThan(60_000);
        for (const name of metrics.keys()) expect(Object.values(DRILL_METRICS)).toContain(name);
        // The scratch copy does not outlive the drill.
        expect(fs.existsSync(path.join(scratch, "restore"))).toBe(false);
    });

    withPython("a failed check: result 0, the previous success and start time are kept, exit non-zero", () => {
        const previous = `${DRILL_METRICS.started} 1700000000\n${DRILL_METRICS.lastSuccess} 1750000000\n${DRILL_METRICS.success} 1\n`;
        const { result, metrics } = runDrill({ FAKE_RESTIC_EXIT_CHECK: "1" }, previous);
        expect(result.status).not.toBe(0);
        expect(result.stdout).toContain("restore-drill: FAILED");
        expect(metrics.get(DRILL_METRICS.success)).toBe(0);
        expect(metrics.get(DRILL_METRICS.lastSuccess)).toBe(1750000000);
        expect(metrics.get(DRILL_METRICS.started)).toBe(1700000000);
    });

    withPython("a failed restore never reports a success it did not have", () => {
        const { result, metrics } = runDrill({ FAKE_RESTIC_EXIT_RESTORE: "1" });
        expect(result.status).not.toBe(0);
        expect(metrics.get(DRILL_METRICS.success)).toBe(0);
        expect(metrics.has(DRILL_METRICS.lastSuccess)).toBe(false);
        expect(metrics.has(DRILL_METRICS.started)).toBe(true);
    });
});

withPython("the metrics server answers /metrics with Prometheus' text content type", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drill-srv-"));
    fs.writeFileSync(path.join(dir, "metrics"), `${DRILL_METRICS.success} 1\n`);
    fs.writeFileSync(path.join(dir, "srv.py"), DRILL_METRICS_SERVER);
    const port = await new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, "127.0.0.1", () => {
            const p = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(p));
        });
    });
    const child = spawn("python3", [path.join(dir, "srv.py")], { env: { ...process.env, DRILL_METRICS_DIR: dir, DRILL_METRICS_PORT: String(port) } });
    try {
        let response: Response | undefined;
        for (let i = 0; i < 50 && !response; i++) {
            response = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
            if (!response) await new Promise((r) => setTimeout(r, 100));
        }
        expect(response?.status).toBe(200);
        expect(response?.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
        expect(await response?.text()).toBe(`${DRILL_METRICS.success} 1\n`);
        expect((await fetch(`http://127.0.0.1:${port}/etc/passwd`)).status).toBe(404);
    } finally {
        child.kill();
    }
});

describe("the drill container", () => {
    const options: DrillOptions = {
        app: "gitlab",
        group: "blue",
        host: "platform-one-vm3",
        repository: "s3:https://minio:9000/restic-stackback-gitlab-bucket",
        resticPassword: "PW",
        accessKeyId: backupNames("gitlab").readerUser,
        secretAccessKey: "SK",
        schedule: "30 4 * * *",
        port: 9480,
    };

    test("pinned stack-back image, no Docker socket, no compose project label, secrets marked", () => {
        const spec = drillContainerSpec(options);
        expect(spec.image).toBe(DEFAULT_STACKBACK_IMAGE);
        expect(DRILL_IMAGE).toMatch(/:v\d+\.\d+\.\d+$/);
        expect(spec.volumes.map((v) => v.containerPath)).not.toContain(DOCKER_SOCKET);
        expect(spec.labels.map((l) => l.label)).not.toContain(COMPOSE_PROJECT_LABEL);
        expect(spec.envs.filter((e) => e.secret).map((e) => e.name)).toEqual(["RESTIC_PASSWORD", "AWS_SECRET_ACCESS_KEY"]);
        expect(spec.envs.find((e) => e.name === "AWS_ACCESS_KEY_ID")?.value).toBe("restic-stackback-gitlab-ro");
        expect(spec.uploads.map((u) => u.file)).toEqual(["/drill/entrypoint.sh", "/drill/drill.sh", "/drill/drill.py", "/drill/metrics_server.py"]);
        expect(spec.command).toEqual(["sh", "/drill/entrypoint.sh"]);
    });

    test("the identity it is given can read but not change the repository", () => {
        const bucket = backupNames("gitlab").bucket;
        expect(restoreIdentityProblems(resticReaderPolicy(bucket), bucket)).toEqual([]);
    });

    test("bad options are reported together", () => {
        expect(() => drillContainerSpec({ ...options, port: 0, schedule: "*/5 * * * *", checkSlices: 300 })).toThrow(
            /checkSlices: 300 must be a whole number 1-256[\s\S]*port: 0[\s\S]*schedule: "\*\/5 \* \* \* \*"/,
        );
    });
});

describe("planning drills outside the group's backups (the planner: components/drillSlots.ts)", () => {
    const slot = (app: string, group: string, start: number, end: number): PlannedSlot => ({ app, group, start, end, cron: "", explicit: false });
    const PROD: PlannedSlot[] = [
        slot("mattermost", "green", 120, 140),
        slot("n8n", "green", 140, 160),
        slot("vault", "green", 160, 180),
        slot("linkwarden", "blue", 120, 140),
        slot("solidtime", "blue", 140, 160),
        slot("gitlab", "blue", 160, 180),
    ];
    const WINDOWS = { green: { start: 120, maxConcurrent: 1 }, blue: { start: 120, maxConcurrent: 1 } };
    const timing = (maxConcurrent: number) => ({ duration: 60, gap: 30, maxConcurrent });

    test("prod: drills end 30 min before the next night, two of a group at a time", () => {
        const { grants, problems } = assignDrills(
            PROD.map((s) => ({ app: s.app, group: s.group })),
            PROD,
            WINDOWS,
            timing(2),
        );
        expect(problems).toEqual([]);
        expect(grants.map((s) => `${s.app} ${s.cron}`)).toEqual([
            "mattermost 30 0 * * *",
            "n8n 30 0 * * *",
            "vault 30 23 * * *",
            "linkwarden 30 0 * * *",
            "solidtime 30 0 * * *",
            "gitlab 30 23 * * *",
        ]);
    });

    test("a pinned drill is held free before planned drills listed ahead of it are placed", () => {
        // One at a time: mattermost (planned) would otherwise take 00:30, where n8n is pinned.
        const { grants, problems } = assignDrills(
            [
                { app: "mattermost", group: "green" },
                { app: "n8n", group: "green", explicitStart: 30 },
            ],
            PROD,
            WINDOWS,
            timing(1),
        );
        expect(problems).toEqual([]);
        expect(grants.map((s) => [s.app, s.start])).toEqual([
            ["mattermost", 23 * 60 + 30],
            ["n8n", 30],
        ]);
    });
});

describe("drill alerts and scrape job", () => {
    const entry = { app: "gitlab", group: "blue", host: "platform-one-vm3", address: "vm3.platform-one.internal:9480" };

    test("two rules with the labels of the other alerts, valid PromQL", () => {
        const rules = drillAlertRules(entry);
        expect(rules.map((r) => r.alert)).toEqual([DRILL_ALERTS.failed, DRILL_ALERTS.stale]);
        for (const rule of rules) {
            expect(Object.keys(rule.labels).sort()).toEqual(["app", "group", "host", "severity"]);
            expect(rule.labels).toMatchObject({ app: "gitlab", group: "blue", host: "platform-one-vm3" });
            let errors = 0;
            promqlParser.parse(rule.expr).iterate({ enter: (n) => void (n.type.isError && errors++) });
            expect(errors).toBe(0);
            expect(rule.annotations.runbook_url).toBeUndefined(); // no page given: no dead relative link
        }
        const page = "https://git.example.com/p/-/blob/main/docs/restore.md";
        for (const rule of drillAlertRules(entry, { runbookPageUrl: page })) expect(rule.annotations.runbook_url).toBe(`${page}#${rule.alert.toLowerCase()}`);
        expect(rules[0].labels.severity).toBe("critical");
        expect(rules[1].expr).toContain("> 108000");
        expect(rules[1].expr).toContain(`absent(${DRILL_METRICS.started}{job="restore-drill",app="gitlab"})`);
    });

    test("scrape job: one target per app with app, group, host labels", () => {
        expect(drillScrapeJob([entry])).toEqual({
            job_name: "restore-drill",
            metrics_path: "/metrics",
            static_configs: [{ targets: ["vm3.platform-one.internal:9480"], labels: { app: "gitlab", group: "blue", host: "platform-one-vm3" } }],
        });
    });
});
