/**
 * The restore drill's programs run as processes (slow tier, `npm run test:slow`): the drill script
 * under `sh` with a stand-in restic and its Python JSON helper, the metrics server under python3,
 * and shellcheck over the script. The pure parts (planner, container spec, alerts) are in
 * tests/restoreDrill.test.ts.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { checkSubsetForDay, DRILL_ENTRYPOINT, DRILL_HELPER, DRILL_METRICS, DRILL_METRICS_SERVER, DRILL_SCRIPT } from "../components/restoreDrill";
import { makeFakeRestic } from "./support/fakeRestic";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const HAS_PYTHON = has("python3");
const HAS_SHELLCHECK = has("shellcheck");
if (!HAS_PYTHON) console.warn("restoreDrill.slow.test: python3 not found; the drill script and metrics server tests are SKIPPED");
if (!HAS_SHELLCHECK) console.warn("restoreDrill.slow.test: shellcheck not found; the shellcheck test is SKIPPED");
const withPython = HAS_PYTHON ? test : test.skip;

describe("the drill script", () => {
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
        // Every snapshot, ungrouped: the helper picks the newest per path set, whatever the host.
        expect(calls[0].argv).toEqual(["--no-lock", "--json", "snapshots"]);
        const restore = calls.find((c) => c.argv.includes("restore") && c.argv.includes("a1b2c3d4" + "0".repeat(56)));
        expect(restore?.argv).toContain("--verify");
        // Patterns are arguments, never an --include-file (whose lines restic trims and $-expands).
        expect(restore?.argv).not.toContain("--include-file");
        const includes = (restore?.argv ?? []).flatMap((a, i, all) => (all[i - 1] === "--include" ? [a] : []));
        // The 5000-byte file is over the 100-byte budget; glob characters are escaped for restic.
        expect(includes.sort()).toEqual(["/volumes/a.txt", "/volumes/b\\[1\\].txt"]);
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

    withPython("after the sidecar was re-created: only the newest snapshot of each path set, whatever its hostname", () => {
        const id = (c: string) => c.repeat(8) + "0".repeat(56);
        const snapshots = JSON.stringify([
            { time: "2025-06-01T02:00:05.5+02:00", paths: ["/volumes"], hostname: "old", id: id("1") },
            { time: "2025-06-01T02:00:09Z", paths: ["/databases/db/app.sql"], hostname: "old", id: id("2") },
            // 00:00:06 UTC: newer than the first one, although its text sorts lower.
            { time: "2025-06-01T00:00:06.000000001Z", paths: ["/volumes"], hostname: "new", id: id("3") },
        ]);
        const { result, metrics, calls } = runDrill({ FAKE_RESTIC_SNAPSHOTS: snapshots });
        expect(result.status).toBe(0);
        const restored = calls.filter((c) => c.argv.includes("restore")).map((c) => c.argv[3]);
        expect(restored).toEqual([id("2"), id("3")]);
        expect(metrics.get(DRILL_METRICS.snapshotsRestored)).toBe(2);
    });

    withPython("a restore of 0 files fails the drill (restic exits 0 when nothing matches)", () => {
        const { result, metrics } = runDrill({ FAKE_RESTIC_SUMMARY: JSON.stringify({ message_type: "summary", seconds_elapsed: 1 }) });
        expect(result.status).not.toBe(0);
        expect(result.stdout).toContain("0 files restored");
        expect(metrics.get(DRILL_METRICS.success)).toBe(0);
        expect(metrics.has(DRILL_METRICS.lastSuccess)).toBe(false);
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
        // Python's start takes seconds when the cores are shared: wait up to 30 s, or until it exits.
        let exited = false;
        child.on("exit", () => (exited = true));
        let response: Response | undefined;
        for (const deadline = Date.now() + 30_000; !response && !exited && Date.now() < deadline;) {
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
