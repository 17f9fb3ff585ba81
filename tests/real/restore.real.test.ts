/**
 * End to end with REAL restic and a REAL S3 server: back up a directory, restore it with
 * `npm run restore`'s code, compare bytes. Vault is the one stand-in (a local HTTP server with
 * the KV v2 answer shape): no Vault runs here.
 *
 * Environment (set by the real-engine runner):
 *   RESTIC_BIN             restic >= 0.17.1 (default: `restic` on PATH)
 *   REAL_S3_ENDPOINT       S3 URL, e.g. https://127.0.0.1:4568 (s3rver with TLS)
 *   REAL_S3_CACERT         PEM of the CA that signed the endpoint's certificate (optional for http)
 *   REAL_S3_ACCESS_KEY / REAL_S3_SECRET_KEY   default S3RVER / S3RVER (s3rver's built-in pair)
 * Missing tools skip this file with one line; with CI=true their absence is a failure.
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { runRestore } from "../../scripts/restore";
import { kitText } from "../../scripts/recoveryKit";
import { childAge, keygen } from "../support/childAge";

const RESTIC = process.env.RESTIC_BIN || "restic";
const ENDPOINT = process.env.REAL_S3_ENDPOINT;
const CACERT = process.env.REAL_S3_CACERT;
const resticFound = spawnSync(RESTIC, ["version"], { encoding: "utf8" }).status === 0;
const missing = [...(resticFound ? [] : [`restic (${RESTIC}; set RESTIC_BIN)`]), ...(ENDPOINT ? [] : ["REAL_S3_ENDPOINT"])];

if (missing.length > 0) {
    if (process.env.CI === "true") {
        test("real restic and S3 are available", () => {
            throw new Error(`restore.real.test: missing ${missing.join(" and ")}; CI must provide them`);
        });
    } else {
        console.warn(`restore.real.test: SKIPPED, missing ${missing.join(" and ")}`);
        test.skip("restore end to end (needs restic and an S3 server)", () => undefined);
    }
} else {
    const bucket = `restore-real-${crypto.randomBytes(4).toString("hex")}`;
    const repository = `s3:${(ENDPOINT as string).replace(/\/+$/, "")}/${bucket}`;
    const password = `pw-${crypto.randomBytes(12).toString("hex")}`;
    const env = {
        ...process.env,
        RESTIC_REPOSITORY: repository,
        RESTIC_PASSWORD: password,
        AWS_ACCESS_KEY_ID: process.env.REAL_S3_ACCESS_KEY || "S3RVER",
        AWS_SECRET_ACCESS_KEY: process.env.REAL_S3_SECRET_KEY || "S3RVER",
        ...(CACERT ? { RESTIC_CACERT: CACERT } : {}),
        RESTIC_CACHE_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "restic-cache-")),
    };
    const source = fs.mkdtempSync(path.join(os.tmpdir(), "restore-real-src-"));
    let vault: http.Server;
    let vaultAddr = "";

    const files: Record<string, Buffer> = {
        "a.bin": crypto.randomBytes(3 * 1024 * 1024 + 17),
        "dir/b.txt": Buffer.from("hello restore\n"),
        "dir/with space/c.dat": crypto.randomBytes(4096),
        // restic would expand $HOME and trim the spaces in an --include-file line (internal/filter/exclude.go).
        "dir/$HOME x /d.txt": Buffer.from("dollar and spaces\n"),
        empty: Buffer.alloc(0),
    };
    /** A second path set, as stack-back writes one per database dump. */
    const dumps = fs.mkdtempSync(path.join(os.tmpdir(), "restore-real-db-"));

    beforeAll(async () => {
        for (const [name, data] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(source, name)), { recursive: true });
            fs.writeFileSync(path.join(source, name), data);
        }
        fs.writeFileSync(path.join(dumps, "app.sql"), "CREATE TABLE t (id int);\n");
        // The sidecar's hostname is its container id: a re-created sidecar writes under a new one.
        for (const args of [
            ["init"],
            ["backup", "--host", "oldcontainer", source],
            ["backup", "--host", "oldcontainer", dumps],
            ["backup", "--host", "newcontainer", source],
        ]) {
            const result = spawnSync(RESTIC, args, { env, encoding: "utf8" });
            if (result.status !== 0) throw new Error(`restic ${args[0]} failed (${result.status}): ${result.stderr}`);
        }
        vault = http.createServer((req, res) => {
            if (req.headers["x-vault-token"] !== "real-test-token" || req.url !== "/v1/ansible/data/stackback_gitlab") {
                res.statusCode = 403;
                res.end("{}");
                return;
            }
            res.end(JSON.stringify({ data: { data: { password, access_key: env.AWS_ACCESS_KEY_ID, secret_key: env.AWS_SECRET_ACCESS_KEY, repository } } }));
        });
        await new Promise<void>((resolve) => vault.listen(0, "127.0.0.1", resolve));
        vaultAddr = `http://127.0.0.1:${(vault.address() as AddressInfo).port}`;
    }, 120_000);

    afterAll(() => (vault ? new Promise<void>((resolve) => vault.close(() => resolve())) : undefined));

    async function restore(args: string[]) {
        let stdout = "";
        let stderr = "";
        const code = await runRestore(["--stack", "prod", "--app", "gitlab", ...args, ...(CACERT ? ["--cacert", CACERT] : [])], {
            env: {
                PATH: process.env.PATH,
                HOME: os.homedir(),
                RESTIC_BIN: RESTIC,
                VAULT_ADDR: vaultAddr,
                VAULT_TOKEN: "real-test-token",
                RESTIC_CACHE_DIR: env.RESTIC_CACHE_DIR,
            },
            stdout: { write: (t: string) => (stdout += t) },
            stderr: { write: (t: string) => (stderr += t) },
        });
        return { code, stdout, stderr };
    }

    test("--list shows the snapshot with its path and size", async () => {
        const run = await restore(["--list"]);
        expect(run.stderr).not.toContain("restore:");
        expect(run.code).toBe(0);
        expect(run.stdout).toContain(source);
        expect(run.stdout).toMatch(/3\.0 MiB/);
        expect(run.stdout + run.stderr).not.toContain(password);
    }, 120_000);

    test("latest over two path sets is refused, naming both sets; nothing is restored", async () => {
        const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "restore-real-amb-")), "out");
        const run = await restore(["--snapshot", "latest", "--target", target]);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain('"latest" is ambiguous: the repository holds 2 path sets');
        expect(run.stderr).toContain(`--path ${source}   (2 snapshots`);
        expect(run.stderr).toContain(`--path ${dumps}   (1 snapshot,`);
        expect(fs.existsSync(path.join(target, source))).toBe(false);
    }, 120_000);

    test("--list groups the snapshots by path set", async () => {
        const run = await restore(["--list"]);
        expect(run.code).toBe(0);
        const sets = run.stdout.split("\n\n")[0].split("\n");
        expect(sets).toHaveLength(3);
        expect(sets.find((l) => l.startsWith(source))).toMatch(new RegExp(`^${source}\\s+2\\s+\\d{4}-`));
        expect(sets.find((l) => l.startsWith(dumps))).toMatch(new RegExp(`^${dumps}\\s+1\\s+\\d{4}-`));
    }, 120_000);

    test("an --include that matches nothing restores 0 files and fails (restic itself exits 0)", async () => {
        const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "restore-real-none-")), "out");
        const run = await restore(["--path", source, "--target", target, "--include", path.join(source, "no-such-file")]);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain("matched no file of snapshot");
        expect(run.stderr).toContain("0 files restored");
    }, 120_000);

    test("a path with $ and edge spaces is restored literally", async () => {
        const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "restore-real-dollar-")), "out");
        const run = await restore(["--path", source, "--target", target, "--include", path.join(source, "dir", "$HOME x ", "d.txt")]);
        expect(run.stderr).not.toContain("restore:");
        expect(run.code).toBe(0);
        expect(fs.readFileSync(path.join(target, source, "dir", "$HOME x ", "d.txt"), "utf8")).toBe("dollar and spaces\n");
    }, 120_000);

    test("with Vault unreachable, the recovery kit opens the repository and restores", async () => {
        const { identity, recipient } = keygen();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "restore-real-kit-"));
        const kit = path.join(dir, "prod.kit.age");
        const identityFile = path.join(dir, "ops.txt");
        const access = { repository, password, accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, readOnly: false };
        fs.writeFileSync(kit, await childAge.encrypt(kitText("prod", { gitlab: access }, new Date()), [recipient]));
        fs.writeFileSync(identityFile, `# public key: ${recipient}\n${identity}\n`);
        expect(fs.readFileSync(kit, "utf8")).not.toContain(password);
        const target = path.join(dir, "out");
        let stdout = "";
        let stderr = "";
        const code = await runRestore(
            [
                "--stack",
                "prod",
                "--app",
                "gitlab",
                "--kit",
                kit,
                "--identity",
                identityFile,
                "--path",
                source,
                "--target",
                target,
                ...(CACERT ? ["--cacert", CACERT] : []),
            ],
            {
                // A Vault that cannot be reached, and no token: the kit is the only way in.
                env: {
                    PATH: process.env.PATH,
                    HOME: os.homedir(),
                    RESTIC_BIN: RESTIC,
                    VAULT_ADDR: "http://127.0.0.1:1",
                    RESTIC_CACHE_DIR: env.RESTIC_CACHE_DIR,
                },
                stdout: { write: (t: string) => (stdout += t) },
                stderr: { write: (t: string) => (stderr += t) },
                age: childAge,
            },
        );
        expect(stderr).not.toContain("restore:");
        expect(code).toBe(0);
        expect(fs.readFileSync(path.join(target, source, "a.bin")).equals(files["a.bin"])).toBe(true);
        expect(stdout + stderr).not.toContain(password);
    }, 120_000);

    test("restores the newest snapshot of a path set byte for byte", async () => {
        const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "restore-real-dst-")), "out");
        const run = await restore(["--snapshot", "latest", "--path", source, "--target", target]);
        expect(run.stderr).not.toContain("restore:");
        expect(run.code).toBe(0);
        for (const [name, data] of Object.entries(files)) {
            expect(fs.readFileSync(path.join(target, source, name)).equals(data)).toBe(true);
        }
        expect(run.stdout + run.stderr).not.toContain(password);
    }, 120_000);

    test("--include restores only that part", async () => {
        const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "restore-real-inc-")), "out");
        const run = await restore(["--path", source, "--target", target, "--include", path.join(source, "dir", "b.txt")]);
        expect(run.code).toBe(0);
        expect(fs.readFileSync(path.join(target, source, "dir", "b.txt"), "utf8")).toBe("hello restore\n");
        expect(fs.existsSync(path.join(target, source, "a.bin"))).toBe(false);
    }, 120_000);
}
