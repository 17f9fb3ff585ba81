/**
 * `npm run retire` with REAL restic on a REAL S3 server: a retired path set's snapshots are
 * forgotten once retentionDays have passed since its retiredOn, by id, with the backup identity;
 * every other path set keeps its snapshots. Vault is the one stand-in (an HTTP server answering
 * the KV v2 shape).
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runRetire } from "../../scripts/retire";
import { stackDirWith } from "../support/stackFile";
import { StandInVault, startStandInVault } from "../support/standInVault";

const RESTIC = process.env.RESTIC_BIN || "restic";
const ENDPOINT = process.env.REAL_S3_ENDPOINT;
const CACERT = process.env.REAL_S3_CACERT;
const missing = [...(spawnSync(RESTIC, ["version"]).status === 0 ? [] : [`restic (${RESTIC})`]), ...(ENDPOINT ? [] : ["REAL_S3_ENDPOINT"])];

if (missing.length > 0) {
    if (process.env.CI === "true") {
        test("real restic and S3 are available", () => {
            throw new Error(`retire.real.test: missing ${missing.join(" and ")}; CI must provide them`);
        });
    } else {
        console.warn(`retire.real.test: SKIPPED, missing ${missing.join(" and ")}`);
        test.skip("retire end to end (needs restic and an S3 server)", () => undefined);
    }
} else {
    const repository = `s3:${(ENDPOINT as string).replace(/\/+$/, "")}/retire-real-${crypto.randomBytes(4).toString("hex")}`;
    const password = `pw-${crypto.randomBytes(12).toString("hex")}`;
    const keys = { id: process.env.REAL_S3_ACCESS_KEY || "S3RVER", secret: process.env.REAL_S3_SECRET_KEY || "S3RVER" };
    const env = {
        ...process.env,
        RESTIC_REPOSITORY: repository,
        RESTIC_PASSWORD: password,
        AWS_ACCESS_KEY_ID: keys.id,
        AWS_SECRET_ACCESS_KEY: keys.secret,
        ...(CACERT ? { RESTIC_CACERT: CACERT } : {}),
        RESTIC_CACHE_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "retire-cache-")),
    };
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "retire-real-"));
    const live = path.join(root, "volumes");
    const retired = path.join(root, "olddb");
    const today = new Date().toISOString().slice(0, 10);
    const stackDir = stackDirWith("prod", (raw) => ({
        ...raw,
        apps: (raw.apps as Array<Record<string, unknown>>).map((a) =>
            a.name === "n8n" ? { ...a, retentionDays: 30, retiredPaths: [{ path: retired, retiredOn: today }] } : a,
        ),
    }));
    let vault: StandInVault;
    const restic = (...args: string[]) => {
        const r = spawnSync(RESTIC, args, { env, encoding: "utf8" });
        if (r.status !== 0) throw new Error(`restic ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
        return r.stdout;
    };
    const pathsNow = () => (JSON.parse(restic("--no-lock", "--json", "snapshots")) as Array<{ paths: string[] }>).map((s) => s.paths.join(",")).sort();

    beforeAll(async () => {
        fs.mkdirSync(live, { recursive: true });
        fs.mkdirSync(retired, { recursive: true });
        fs.writeFileSync(path.join(live, "a.txt"), "live\n");
        fs.writeFileSync(path.join(retired, "old.sql"), "old\n");
        restic("init");
        for (const host of ["c1", "c2"]) for (const dir of [live, retired]) restic("backup", "--host", host, dir);
        vault = await startStandInVault(
            // A reader pair that cannot delete would make a forget fail: the command must take the writer's.
            {
                "ansible/data/stackback_n8n": {
                    repository,
                    password,
                    access_key: keys.id,
                    secret_key: keys.secret,
                    reader_access_key: "no-such-reader",
                    reader_secret_key: "x",
                },
            },
            "tok",
        );
    }, 180_000);
    afterAll(() => vault?.close());

    async function retire(args: string[], now: Date) {
        let stdout = "";
        let stderr = "";
        const code = await runRetire(
            ["--stack", "prod", "--app", "n8n", ...args, ...(CACERT ? ["--cacert", CACERT] : [])],
            {
                env: {
                    PATH: process.env.PATH,
                    HOME: os.homedir(),
                    RESTIC_BIN: RESTIC,
                    VAULT_ADDR: vault.address,
                    VAULT_TOKEN: "tok",
                    RESTIC_CACHE_DIR: env.RESTIC_CACHE_DIR,
                },
                stdout: { write: (t: string) => (stdout += t) },
                stderr: { write: (t: string) => (stderr += t) },
                stackDir,
            },
            () => now,
        );
        return { code, stdout, stderr };
    }

    test("before the retention period ends nothing is forgotten; after it, only the retired set's snapshots", async () => {
        const early = await retire(["--apply"], new Date());
        expect(early.code).toBe(0);
        expect(early.stdout).toContain("kept until");
        expect(pathsNow()).toEqual([live, live, retired, retired].sort());

        const later = await retire(["--apply"], new Date(Date.now() + 31 * 86_400_000));
        expect(later.stderr).not.toContain("retire:");
        expect(later.code).toBe(0);
        expect(later.stdout).toContain("n8n: forgot 2 snapshot(s)");
        expect(pathsNow()).toEqual([live, live]);
        expect(later.stdout + later.stderr).not.toContain(password);
    }, 180_000);
}
