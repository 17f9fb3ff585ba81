import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { imageProblems, keepPolicyForRetention, repositoryInitCommand, repositoryInitShell, sidecarEnv } from "../components/stackback";

/**
 * Runs the deploy-time init script against a stand-in `restic` that behaves like restic >= 0.17:
 * `cat config` exits with the given code, every call is logged.
 */
function runInit(catConfigExit: number): { status: number; calls: string[]; output: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "restic-init-"));
    const log = path.join(dir, "calls");
    fs.writeFileSync(
        path.join(dir, "restic"),
        `#!/bin/sh\necho "$*" >> "${log}"\nif [ "$1 $2" = "cat config" ]; then [ -f "${dir}/initialised" ] && exit 0; exit ${catConfigExit}; fi\nif [ "$1" = init ]; then touch "${dir}/initialised"; fi\nexit 0\n`,
        { mode: 0o755 },
    );
    let status = 0;
    let output = "";
    try {
        output = execFileSync("sh", ["-c", repositoryInitShell()], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, encoding: "utf8", stdio: "pipe" });
    } catch (e) {
        const err = e as { status: number; stdout: string; stderr: string };
        status = err.status;
        output = err.stdout + err.stderr;
    }
    const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
    fs.rmSync(dir, { recursive: true, force: true });
    return { status, calls, output };
}

describe("deploy-time repository initialisation", () => {
    test("an existing repository is opened, never re-initialised", () => {
        const run = runInit(0);
        expect(run.status).toBe(0);
        expect(run.calls).toEqual(["cat config", "snapshots --latest 1"]);
    });

    test("a missing repository (restic exit 10) is initialised, then opened", () => {
        const run = runInit(10);
        expect(run.status).toBe(0);
        expect(run.calls).toEqual(["cat config", "init", "snapshots --latest 1"]);
    });

    test("a wrong password (exit 12) or an S3 error (exit 1) fails the deploy without init", () => {
        for (const code of [12, 1]) {
            const run = runInit(code);
            expect(run.status).toBe(code);
            expect(run.calls).not.toContain("init");
            expect(run.output).toContain(`restic cannot open the repository (exit ${code})`);
        }
    });

    test("it runs inside the app's sidecar and has no quote that would end the sh -c argument", () => {
        expect(repositoryInitCommand("n8n_stackback")).toBe(`docker exec n8n_stackback sh -c '${repositoryInitShell()}'`);
        expect(repositoryInitShell()).not.toContain("'");
    });
});

describe("sidecar settings", () => {
    test("retention becomes restic's keep policy, with no yearly default of 3 left behind", () => {
        expect(keepPolicyForRetention(30)).toEqual({ daily: 30, weekly: 5, monthly: 1, yearly: 0 });
        expect(keepPolicyForRetention(7)).toEqual({ daily: 7, weekly: 1, monthly: 0, yearly: 0 });
        expect(keepPolicyForRetention(400)).toEqual({ daily: 400, weekly: 58, monthly: 13, yearly: 1 });
    });

    test("the environment uses stack-back's variable names and marks secrets", () => {
        const env = sidecarEnv({
            repository: "s3:https://m:9000/b",
            resticPassword: "p",
            accessKeyId: "k",
            secretAccessKey: "s",
            schedule: "0 2 * * *",
            keep: keepPolicyForRetention(30),
        });
        expect(env.map((e) => e.name)).toEqual([
            "RESTIC_REPOSITORY",
            "RESTIC_PASSWORD",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "CRON_SCHEDULE",
            "RESTIC_KEEP_DAILY",
            "RESTIC_KEEP_WEEKLY",
            "RESTIC_KEEP_MONTHLY",
            "RESTIC_KEEP_YEARLY",
        ]);
        expect(env.filter((e) => e.secret).map((e) => e.name)).toEqual(["RESTIC_PASSWORD", "AWS_SECRET_ACCESS_KEY"]);
    });

    test("images must be pinned", () => {
        expect(imageProblems("ghcr.io/lawndoc/stack-back:v1.5.4")).toEqual([]);
        expect(imageProblems("registry.local:5000/stack-back@sha256:abc")).toEqual([]);
        expect(imageProblems("ghcr.io/lawndoc/stack-back:latest")[0]).toMatch(/latest/);
        expect(imageProblems("registry.local:5000/stack-back")[0]).toMatch(/no tag/);
    });
});
