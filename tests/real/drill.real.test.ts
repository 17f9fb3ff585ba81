/**
 * The restore drill's script and JSON helper with REAL restic on a REAL S3 server: the newest
 * snapshot of each path set, chosen regardless of the snapshot's hostname (the sidecar's container
 * id, which changes when the sidecar is re-created), paths with `$` and edge spaces restored
 * literally, and a drill that restores 0 files fails.
 *
 * Environment: RESTIC_BIN, REAL_S3_ENDPOINT, REAL_S3_CACERT as in restore.real.test.ts; python3.
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DRILL_HELPER, DRILL_METRICS, DRILL_SCRIPT } from "../../components/restoreDrill";

const RESTIC = process.env.RESTIC_BIN || "restic";
const ENDPOINT = process.env.REAL_S3_ENDPOINT;
const CACERT = process.env.REAL_S3_CACERT;
const found = (cmd: string, arg: string) => spawnSync(cmd, [arg], { encoding: "utf8" }).status === 0;
const missing = [
    ...(found(RESTIC, "version") ? [] : [`restic (${RESTIC}; set RESTIC_BIN)`]),
    ...(ENDPOINT ? [] : ["REAL_S3_ENDPOINT"]),
    ...(found("python3", "--version") ? [] : ["python3"]),
];

if (missing.length > 0) {
    if (process.env.CI === "true") {
        test("real restic, S3 and python3 are available", () => {
            throw new Error(`drill.real.test: missing ${missing.join(" and ")}; CI must provide them`);
        });
    } else {
        console.warn(`drill.real.test: SKIPPED, missing ${missing.join(" and ")}`);
        test.skip("drill end to end (needs restic, an S3 server and python3)", () => undefined);
    }
} else {
    const bucket = `drill-real-${crypto.randomBytes(4).toString("hex")}`;
    const env: Record<string, string> = {
        PATH: `${path.dirname(RESTIC)}${path.delimiter}${process.env.PATH}`,
        HOME: os.tmpdir(),
        RESTIC_REPOSITORY: `s3:${(ENDPOINT as string).replace(/\/+$/, "")}/${bucket}`,
        RESTIC_PASSWORD: `pw-${crypto.randomBytes(12).toString("hex")}`,
        AWS_ACCESS_KEY_ID: process.env.REAL_S3_ACCESS_KEY || "S3RVER",
        AWS_SECRET_ACCESS_KEY: process.env.REAL_S3_SECRET_KEY || "S3RVER",
        ...(CACERT ? { RESTIC_CACERT: CACERT } : {}),
        RESTIC_CACHE_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "drill-cache-")),
    };
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "drill-real-"));
    const volumes = path.join(root, "volumes");
    const databases = path.join(root, "databases");
    const restic = (...args: string[]) => {
        const r = spawnSync(RESTIC, args, { env, encoding: "utf8" });
        if (r.status !== 0) throw new Error(`restic ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
        return r.stdout;
    };
    const write = (file: string, text: string) => {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
    };

    beforeAll(() => {
        write(path.join(volumes, "app", "a.txt"), "a\n");
        write(path.join(volumes, "app", "b[1].txt"), "glob characters\n");
        // An --include-file line would have $HOME expanded and its edge spaces trimmed (internal/filter/exclude.go).
        write(path.join(volumes, "app", "$HOME x ", " d.txt"), "dollar and spaces\n");
        write(path.join(databases, "db", "app.sql"), "CREATE TABLE t (id int);\n");
        restic("init");
        // The old sidecar's snapshots, then the re-created sidecar's: a new hostname, one more file.
        restic("backup", "--host", "oldcontainer", volumes);
        restic("backup", "--host", "oldcontainer", databases);
        write(path.join(volumes, "app", "new.txt"), "after the sidecar was re-created\n");
        restic("backup", "--host", "newcontainer", volumes);
    }, 180_000);

    function runDrill(extra: Record<string, string> = {}) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drill-run-"));
        fs.writeFileSync(path.join(dir, "drill.py"), DRILL_HELPER);
        const r = spawnSync("sh", ["-c", DRILL_SCRIPT], {
            encoding: "utf8",
            env: {
                ...env,
                DRILL_HELPER: path.join(dir, "drill.py"),
                DRILL_METRICS_DIR: path.join(dir, "metrics"),
                DRILL_SCRATCH_DIR: path.join(dir, "scratch"),
                DRILL_CHECK_SLICES: "1",
                DRILL_SAMPLE_FILES: "100",
                ...extra,
            },
        });
        const metrics = new Map<string, number>();
        const file = path.join(dir, "metrics", "metrics");
        for (const line of fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n") : []) {
            if (line && !line.startsWith("#")) metrics.set(line.split(" ")[0], Number(line.split(" ")[1]));
        }
        return { status: r.status, output: r.stdout + r.stderr, metrics };
    }

    test("after the sidecar was re-created: exactly the newest snapshot of each path set, every sampled file restored literally", () => {
        const snapshots = JSON.parse(restic("--no-lock", "--json", "snapshots")) as Array<{ hostname: string; paths: string[] }>;
        expect(snapshots.map((s) => `${s.hostname} ${s.paths.join(",")}`).sort()).toEqual(
            [`newcontainer ${volumes}`, `oldcontainer ${databases}`, `oldcontainer ${volumes}`].sort(),
        );
        const run = runDrill();
        expect({ status: run.status, output: run.status === 0 ? "" : run.output }).toEqual({ status: 0, output: "" });
        // Two path sets, not three snapshots: the old sidecar's volumes snapshot is not restored.
        expect(run.metrics.get(DRILL_METRICS.snapshotsRestored)).toBe(2);
        // The newest volumes snapshot has 4 files (new.txt included), the dump 1: all sampled, all
        // restored, byte for byte. (restic's files_restored counts the parent directories too:
        // v0.18.1 internal/restorer/restorer.go reports ActionDirRestored through the same counter.)
        const sizes = ["a\n", "glob characters\n", "dollar and spaces\n", "after the sidecar was re-created\n", "CREATE TABLE t (id int);\n"].map(
            (t) => t.length,
        );
        expect(run.metrics.get(DRILL_METRICS.bytesRestored)).toBe(sizes.reduce((a, b) => a + b, 0));
        expect(run.metrics.get(DRILL_METRICS.filesRestored)).toBeGreaterThanOrEqual(5);
        expect(run.metrics.get(DRILL_METRICS.success)).toBe(1);
    }, 180_000);

    test("why no stable hostname: RESTIC_HOST filters snapshots (and forget) to that host (cmd/restic/find.go)", () => {
        const r = spawnSync(RESTIC, ["--no-lock", "--json", "snapshots"], { env: { ...env, RESTIC_HOST: "newcontainer" }, encoding: "utf8" });
        expect(r.status).toBe(0);
        expect((JSON.parse(r.stdout) as Array<{ hostname: string }>).map((s) => s.hostname)).toEqual(["newcontainer"]);
    }, 60_000);
}
