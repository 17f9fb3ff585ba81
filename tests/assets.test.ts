/**
 * The script files of components/assets/: found from source and from the compiled package, and
 * their literal texts equal to the TypeScript constants the rest of the code (alerts, tests,
 * the component) relies on. shellcheck and python3 check them where they stand in the
 * real-engine tier (tests/real/tooling.real.test.ts); tests/install/package.test.ts proves they ship.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { assetDirectory, readAsset } from "../components/assets";
import {
    DRILL_DEFAULTS,
    DRILL_DIR,
    DRILL_METRICS,
    DRILL_METRICS_DIR,
    DRILL_METRICS_PATH,
    DRILL_METRICS_PORT,
    DRILL_SCRATCH_DIR,
    drillContainerSpec,
} from "../components/restoreDrill";
import {
    CHECK_NO_REPOSITORY_EXIT,
    CHECK_STARTED_MARKER,
    CHECK_TIMEOUT_EXIT,
    NO_LABELS_LINE,
    repositoryCheckShell,
    SIDECAR_DOCKER_SOCKET,
} from "../components/stackback";

const ASSETS = path.join(__dirname, "..", "components", "assets");

describe("readAsset", () => {
    test("reads the files beside the source module", () => {
        expect(assetDirectory()).toBe(ASSETS);
        expect(readAsset("drill.sh")).toBe(fs.readFileSync(path.join(ASSETS, "drill.sh"), "utf8"));
    });

    test("from the compiled dist/ it reads the shipped components/assets/, and says so when they are missing", () => {
        const pkg = fs.mkdtempSync(path.join(os.tmpdir(), "assets-"));
        fs.mkdirSync(path.join(pkg, "dist"));
        expect(() => assetDirectory(path.join(pkg, "dist"))).toThrow(/script files are missing; looked in .*dist.assets and .*components.assets/);
        fs.mkdirSync(path.join(pkg, "components", "assets"), { recursive: true });
        fs.writeFileSync(path.join(pkg, "components", "assets", "check.sh"), "");
        expect(assetDirectory(path.join(pkg, "dist"))).toBe(path.join(pkg, "components", "assets"));
        fs.rmSync(pkg, { recursive: true, force: true });
    });
});

describe("the drill's files agree with restoreDrill.ts", () => {
    const script = readAsset("drill.sh");
    const entrypoint = readAsset("drill_entrypoint.sh");
    const metricsServer = readAsset("drill_metrics.py");

    test("drill.sh writes exactly the metrics of DRILL_METRICS", () => {
        expect(new Set(script.match(/restic_drill_\w+/g))).toEqual(new Set(Object.values(DRILL_METRICS)));
        // The entrypoint's first metrics file holds the start time only.
        expect(new Set(entrypoint.match(/restic_drill_\w+/g))).toEqual(new Set([DRILL_METRICS.started]));
    });

    test("crond runs as the entrypoint shell's child, never as PID 1", () => {
        // dcron 4.5 main.c: `crond -f` calls setpgid(0, 0), EPERM for a session leader such as a
        // container's PID 1; the real tier's drill container crash-loops with `exec crond -f`.
        expect(entrypoint).not.toMatch(/exec\s+crond/);
        expect(entrypoint).toMatch(/^crond -f &$/m);
        expect(entrypoint).toMatch(/^wait "\$cron_pid"$/m);
    });

    test("drill.sh's fallbacks are the module's defaults and paths", () => {
        const fallback = (text: string, variable: string) => new RegExp(`\\$\\{${variable}:-([^}]*)\\}`).exec(text)?.[1];
        expect(fallback(script, "DRILL_METRICS_DIR")).toBe(DRILL_METRICS_DIR);
        expect(fallback(entrypoint, "DRILL_METRICS_DIR")).toBe(DRILL_METRICS_DIR);
        expect(fallback(script, "DRILL_SCRATCH_DIR")).toBe(DRILL_SCRATCH_DIR);
        expect(fallback(script, "DRILL_CHECK_SLICES")).toBe(String(DRILL_DEFAULTS.checkSlices));
        expect(fallback(script, "DRILL_SAMPLE_FILES")).toBe(String(DRILL_DEFAULTS.sampleFiles));
        expect(fallback(script, "DRILL_SAMPLE_BYTES")).toBe(String(DRILL_DEFAULTS.sampleBytes));
        expect(fallback(script, "DRILL_HELPER")).toBe(`${DRILL_DIR}/drill.py`);
    });

    test("the metrics server's port and path are the module's", () => {
        expect(metricsServer).toContain(`os.environ.get("DRILL_METRICS_DIR", "${DRILL_METRICS_DIR}")`);
        expect(metricsServer).toContain(`os.environ.get("DRILL_METRICS_PORT", "${DRILL_METRICS_PORT}")`);
        expect(metricsServer).toContain(`if self.path != "${DRILL_METRICS_PATH}":`);
    });

    test("the entrypoint runs the files where the container spec uploads them", () => {
        const spec = drillContainerSpec({
            app: "n8n",
            group: "g",
            host: "h",
            repository: "s3:https://m/b",
            resticPassword: "p",
            accessKeyId: "k",
            secretAccessKey: "s",
            schedule: "0 5 * * *",
            port: 9300,
        });
        const uploaded = spec.uploads.map((u) => u.file);
        expect(spec.command).toEqual(["sh", `${DRILL_DIR}/entrypoint.sh`]);
        for (const file of [`${DRILL_DIR}/drill.sh`, `${DRILL_DIR}/metrics_server.py`]) {
            expect(entrypoint).toContain(file);
            expect(uploaded).toContain(file);
        }
        expect(uploaded).toContain(`${DRILL_DIR}/drill.py`);
    });
});

describe("check.sh agrees with stackback.ts", () => {
    const check = readAsset("check.sh");

    test("its first output line is CHECK_STARTED_MARKER, and it looks for stack-back's NO_LABELS_LINE and the socket path", () => {
        expect(check.split("\n").find((l) => l.startsWith("echo"))).toBe(`echo "${CHECK_STARTED_MARKER}"`);
        expect(check).toContain(`grep -qF "${NO_LABELS_LINE}"`);
        expect(check).toContain(`at ${SIDECAR_DOCKER_SOCKET} (or DOCKER_HOST`);
    });

    test("a time bound exits with CHECK_TIMEOUT_EXIT, and every exit code is one the module documents", () => {
        const exits = [...check.matchAll(/exit (\d+)/g)].map((m) => Number(m[1]));
        expect(exits.filter((c) => c === CHECK_TIMEOUT_EXIT)).toHaveLength(2);
        expect(new Set(exits)).toEqual(new Set([0, 1, CHECK_NO_REPOSITORY_EXIT, 12, CHECK_TIMEOUT_EXIT]));
    });

    test("the settings are assignments in front of the file; the project name is shell-quoted", () => {
        const shell = repositoryCheckShell({ container: "c", timeoutSeconds: 45, requireLabels: false, composeProject: "it's" });
        expect(shell).toBe(`T=45\nREQUIRE_LABELS=0\nCOMPOSE_PROJECT='it'\\''s'\nADOPTED=''\n${check}`);
        // The file uses them and assigns none of them itself.
        for (const name of ["T", "REQUIRE_LABELS", "COMPOSE_PROJECT", "ADOPTED"]) {
            expect(check).toContain(`$${name}`);
            expect(check).not.toMatch(new RegExp(`^\\s*${name}=`, "m"));
        }
    });
});
