/**
 * `npm run restore` against a stand-in restic (tests/support/fakeRestic.ts) and a stand-in Vault
 * (a local HTTP server answering the KV v2 JSON shape, 403 and 404). Neither is a real server: the
 * end-to-end test with real restic and S3 is tests/real/restore.real.test.ts.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { runRestore } from "../scripts/restore";
import {
    chooseSnapshot,
    credentialsFromVault,
    formatSnapshotTable,
    parseRestoreArgs,
    pathSetFlags,
    pathSets,
    progressLine,
    resticEnv,
    resticVersionProblem,
    snapshotRows,
} from "../scripts/restoreLib";
import { makeFakeRestic, SNAPSHOTS_JSON } from "./support/fakeRestic";
import { StandInVault, startStandInVault } from "./support/standInVault";

const PASSWORD = "pw-SECRET-restic-1";
const SECRET_KEY = "sk-SECRET-writer-2";
const READER_SECRET = "sk-SECRET-reader-3";
const REPOSITORY = "s3:https://minio.platform-one.internal:9000/restic-stackback-gitlab-bucket";

/** KV v2 answers, by path below /v1/; prod's mount is `ansible`, prefix `stackback_`. */
const SECRETS: Record<string, Record<string, string>> = {
    "ansible/data/stackback_gitlab": { password: PASSWORD, access_key: "restic-stackback-gitlab", secret_key: SECRET_KEY, repository: REPOSITORY },
    "ansible/data/stackback_n8n": {
        password: PASSWORD,
        access_key: "restic-stackback-n8n",
        secret_key: SECRET_KEY,
        reader_access_key: "restic-stackback-n8n-ro",
        reader_secret_key: READER_SECRET,
        repository: REPOSITORY,
    },
};

let vault: StandInVault;
let vaultAddr: string;
let vaultRequests: StandInVault["requests"];

beforeAll(async () => {
    vault = await startStandInVault(SECRETS, "good-token");
    vaultAddr = vault.address;
    vaultRequests = vault.requests;
});

afterAll(() => vault.close());

interface Run {
    code: number;
    stdout: string;
    stderr: string;
    calls: Array<{ argv: string[]; env: Record<string, string> }>;
}

async function restore(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
    const fake = makeFakeRestic();
    let stdout = "";
    let stderr = "";
    const code = await runRestore(args, {
        env: {
            PATH: `${fake.dir}${path.delimiter}${process.env.PATH}`,
            HOME: os.tmpdir(),
            FAKE_RESTIC_LOG: fake.log,
            VAULT_ADDR: vaultAddr,
            VAULT_TOKEN: "good-token",
            ...env,
        },
        stdout: { write: (t: string) => (stdout += t) },
        stderr: { write: (t: string) => (stderr += t) },
        progressIntervalMs: 0,
    });
    return { code, stdout, stderr, calls: fake.calls() };
}

function tmpTarget(): string {
    return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "restore-target-")), "out");
}

function expectNoSecretShown(run: Run): void {
    const argv = run.calls.flatMap((c) => c.argv).join(" ");
    for (const secret of [PASSWORD, SECRET_KEY, READER_SECRET, "good-token"]) {
        expect(run.stdout).not.toContain(secret);
        expect(run.stderr).not.toContain(secret);
        expect(argv).not.toContain(secret);
    }
}

describe("npm run restore --list", () => {
    test("groups the snapshots by path set with the newest of each, then lists time, host, paths and size", async () => {
        const run = await restore(["--stack", "prod", "--app", "gitlab", "--list"]);
        expect(run.stderr).not.toContain("restore:");
        expect(run.code).toBe(0);
        const [sets, snapshots] = run.stdout.trim().split("\n\n");
        expect(sets.split("\n")).toEqual([
            expect.stringMatching(/^Path set\s+Snapshots\s+Newest \(UTC\)\s+Newest ID$/),
            expect.stringMatching(/^\/databases\/gitlab\.sql\s+1\s+2025-06-02T02:00:03Z\s+e5f6a7b8$/),
            expect.stringMatching(/^\/volumes\/gitlab_data\s+1\s+2025-06-01T02:00:05Z\s+a1b2c3d4$/),
        ]);
        const lines = snapshots.split("\n");
        expect(lines[0]).toMatch(/^ID\s+Time \(UTC\)\s+Host\s+Size\s+Paths$/);
        expect(lines[1]).toMatch(/^a1b2c3d4\s+2025-06-01T02:00:05Z\s+3f2a9c1b7d4e\s+1\.5 GiB\s+\/volumes\/gitlab_data$/);
        // A snapshot of restic < 0.17 has no summary: its size is unknown, not zero.
        expect(lines[2]).toMatch(/^e5f6a7b8\s+2025-06-02T02:00:03Z\s+9e8d7c6b5a41\s+-\s+\/databases\/gitlab.sql$/);
        expect(vaultRequests.at(-1)?.url).toBe("/v1/ansible/data/stackback_gitlab");
    });

    test("puts each secret in its own env var of restic, never in argv or output", async () => {
        const run = await restore(["--stack", "prod", "--app", "gitlab", "--list"], {
            AWS_SESSION_TOKEN: "stale",
            RESTIC_PASSWORD_FILE: "/elsewhere",
            AWS_PROFILE: "other",
        });
        const list = run.calls.find((c) => c.argv.includes("snapshots"));
        expect(list?.argv).toEqual(["--no-lock", "--json", "snapshots"]);
        expect(list?.env.RESTIC_PASSWORD).toBe(PASSWORD);
        expect(list?.env.AWS_SECRET_ACCESS_KEY).toBe(SECRET_KEY);
        expect(list?.env.AWS_ACCESS_KEY_ID).toBe("restic-stackback-gitlab");
        expect(list?.env.RESTIC_REPOSITORY).toBe(REPOSITORY);
        // The operator's own settings must not redirect restic to another password or identity.
        expect(list?.env.AWS_SESSION_TOKEN).toBeUndefined();
        expect(list?.env.RESTIC_PASSWORD_FILE).toBeUndefined();
        expect(list?.env.AWS_PROFILE).toBeUndefined();
        // restic version runs before any secret is read: it never sees one.
        expect(run.calls[0].argv).toEqual(["version"]);
        expect(run.calls[0].env.RESTIC_PASSWORD).toBeUndefined();
        expectNoSecretShown(run);
    });

    test("prefers the read-only identity when the secret has one", async () => {
        const run = await restore(["--stack", "prod", "--app", "n8n", "--list"]);
        const list = run.calls.find((c) => c.argv.includes("snapshots"));
        expect(list?.env.AWS_ACCESS_KEY_ID).toBe("restic-stackback-n8n-ro");
        expect(list?.env.AWS_SECRET_ACCESS_KEY).toBe(READER_SECRET);
        expect(run.stderr).toContain("read-only identity");
        expectNoSecretShown(run);
    });
});

describe("npm run restore --target", () => {
    test("restores into a new directory, passing snapshot, target, includes and --cacert's file", async () => {
        const target = tmpTarget();
        const run = await restore([
            "--stack",
            "prod",
            "--app",
            "gitlab",
            "--snapshot",
            "a1b2c3d4",
            "--target",
            target,
            "--include",
            "/volumes/gitlab_data/a",
            "--include",
            "/volumes/gitlab_data/b c",
            "--cacert",
            "/etc/ca.pem",
        ]);
        expect(run.code).toBe(0);
        const call = run.calls.find((c) => c.argv.includes("restore"));
        // The snapshot by its full id, resolved from the listing (never restic's own `latest`).
        expect(call?.argv).toEqual([
            "--no-lock",
            "--json",
            "restore",
            "a1b2c3d4" + "0".repeat(56),
            "--target",
            target,
            "--include",
            "/volumes/gitlab_data/a",
            "--include",
            "/volumes/gitlab_data/b c",
        ]);
        expect(call?.env.RESTIC_CACERT).toBe("/etc/ca.pem");
        expect(fs.readFileSync(path.join(target, "restored.txt"), "utf8")).toBe("data");
        // Progress and summary from restic's --json status lines.
        expect(run.stderr).toContain("restoring 50.0%  1.0 KiB / 2.0 KiB  1/2 files");
        expect(run.stderr).toContain("restored 2 files, 2.0 KiB in 2 s");
        expectNoSecretShown(run);
    });

    test("refuses a non-empty target before reading Vault or running restic", async () => {
        const target = tmpTarget();
        fs.mkdirSync(target);
        fs.writeFileSync(path.join(target, "keep.txt"), "precious");
        const before = vaultRequests.length;
        const run = await restore(["--stack", "prod", "--app", "gitlab", "--target", target]);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain("is not empty (1 entry)");
        expect(run.stderr).toContain("--force");
        expect(run.calls).toEqual([]);
        expect(vaultRequests.length).toBe(before);
        expect(fs.readFileSync(path.join(target, "keep.txt"), "utf8")).toBe("precious");
    });

    test("--force restores into a non-empty directory", async () => {
        const target = tmpTarget();
        fs.mkdirSync(target);
        fs.writeFileSync(path.join(target, "keep.txt"), "x");
        const run = await restore(["--stack", "prod", "--app", "gitlab", "--target", target, "--force", "--path", "/volumes/gitlab_data"]);
        expect(run.code).toBe(0);
        expect(run.calls.find((c) => c.argv.includes("restore"))?.argv).toContain("a1b2c3d4" + "0".repeat(56));
    });

    test("explains restic's exit 12 (wrong password) and 10 (no repository)", async () => {
        const wrong = await restore(["--stack", "prod", "--app", "gitlab", "--snapshot", "e5f6a7b8", "--target", tmpTarget()], {
            FAKE_RESTIC_EXIT_RESTORE: "12",
        });
        expect(wrong.code).toBe(1);
        expect(wrong.stderr).toContain("the password in Vault does not open");
        const none = await restore(["--stack", "prod", "--app", "gitlab", "--list"], { FAKE_RESTIC_EXIT_SNAPSHOTS: "10" });
        expect(none.stderr).toContain("no repository at");
        expectNoSecretShown(wrong);
    });
});

/** Snapshots of two path sets over two sidecar hostnames (the sidecar was re-created in between). */
const TWO_SETS = JSON.stringify([
    { time: "2025-06-01T02:00:05Z", paths: ["/volumes"], hostname: "oldcontainer", id: "11111111" + "0".repeat(56) },
    { time: "2025-06-01T02:00:09Z", paths: ["/databases/db/n8n.sql"], hostname: "oldcontainer", id: "22222222" + "0".repeat(56) },
    { time: "2025-06-02T02:00:04Z", paths: ["/volumes"], hostname: "newcontainer", id: "33333333" + "0".repeat(56) },
    { time: "2025-06-02T02:00:08Z", paths: ["/databases/db/n8n.sql"], hostname: "newcontainer", id: "44444444" + "0".repeat(56) },
]);

describe("path sets: one snapshot per path set, chosen per path set", () => {
    test("latest over two path sets is refused, naming each set and the flag that chooses it; restic never restores", async () => {
        const run = await restore(["--stack", "prod", "--app", "n8n", "--target", tmpTarget()], { FAKE_RESTIC_SNAPSHOTS: TWO_SETS });
        expect(run.code).toBe(1);
        expect(run.stderr).toContain('"latest" is ambiguous: the repository holds 2 path sets');
        expect(run.stderr).toContain("--path /databases/db/n8n.sql   (2 snapshots, newest 2025-06-02T02:00:08Z, 44444444)");
        expect(run.stderr).toContain("--path /volumes   (2 snapshots, newest 2025-06-02T02:00:04Z, 33333333)");
        expect(run.calls.some((c) => c.argv.includes("restore"))).toBe(false);
    });

    test("--path picks the newest snapshot of that set, whatever its hostname", async () => {
        const run = await restore(["--stack", "prod", "--app", "n8n", "--path", "/volumes/", "--target", tmpTarget()], { FAKE_RESTIC_SNAPSHOTS: TWO_SETS });
        expect(run.code).toBe(0);
        expect(run.calls.find((c) => c.argv.includes("restore"))?.argv[3]).toBe("33333333" + "0".repeat(56));
        expect(run.stdout).toContain("snapshot 33333333 (path set /volumes)");
    });

    test("an --include outside the chosen snapshot is refused before restic runs, naming the set that holds it", async () => {
        const run = await restore(
            ["--stack", "prod", "--app", "n8n", "--path", "/databases/db/n8n.sql", "--target", tmpTarget(), "--include", "/volumes/n8n_data/config"],
            {
                FAKE_RESTIC_SNAPSHOTS: TWO_SETS,
            },
        );
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(
            "--include /volumes/n8n_data/config is not inside snapshot 44444444 (path set /databases/db/n8n.sql); it is in the path set chosen by --path /volumes",
        );
        expect(run.calls.some((c) => c.argv.includes("restore"))).toBe(false);
    });

    test("a restore that writes 0 files fails (restic exits 0 when --include matches nothing)", async () => {
        const zero = JSON.stringify({ message_type: "summary", seconds_elapsed: 1 });
        const run = await restore(["--stack", "prod", "--app", "n8n", "--path", "/volumes", "--target", tmpTarget(), "--include", "/volumes/nothing*"], {
            FAKE_RESTIC_SNAPSHOTS: TWO_SETS,
            FAKE_RESTIC_SUMMARY: zero,
        });
        expect(run.code).toBe(1);
        expect(run.stderr).toContain("--include /volumes/nothing* matched no file of snapshot 33333333 (path set /volumes): 0 files restored");
        expect(run.stdout).not.toContain("restored n8n");
        const all = await restore(["--stack", "prod", "--app", "n8n", "--snapshot", "22222222", "--target", tmpTarget()], {
            FAKE_RESTIC_SNAPSHOTS: TWO_SETS,
            FAKE_RESTIC_SUMMARY: zero,
        });
        expect(all.code).toBe(1);
        expect(all.stderr).toContain("snapshot 22222222 (path set /databases/db/n8n.sql) restored 0 files");
    });

    test("a restore whose restic printed no summary fails: what it restored is unknown", async () => {
        const run = await restore(["--stack", "prod", "--app", "n8n", "--path", "/volumes", "--target", tmpTarget()], {
            FAKE_RESTIC_SNAPSHOTS: TWO_SETS,
            FAKE_RESTIC_SUMMARY: "done",
        });
        expect(run.code).toBe(1);
        expect(run.stderr).toContain("restic printed no summary");
    });

    test("latest with one path set needs no --path; an empty repository is refused", async () => {
        const one = JSON.stringify([JSON.parse(TWO_SETS)[0], JSON.parse(TWO_SETS)[2]]);
        const run = await restore(["--stack", "prod", "--app", "n8n", "--target", tmpTarget()], { FAKE_RESTIC_SNAPSHOTS: one });
        expect(run.code).toBe(0);
        expect(run.calls.find((c) => c.argv.includes("restore"))?.argv[3]).toBe("33333333" + "0".repeat(56));
        const none = await restore(["--stack", "prod", "--app", "n8n", "--target", tmpTarget()], { FAKE_RESTIC_SNAPSHOTS: "[]" });
        expect(none.code).toBe(1);
        expect(none.stderr).toContain("the repository holds no snapshot yet");
    });

    test("a snapshot id of another path set than --path is refused", () => {
        const rows = snapshotRows(TWO_SETS);
        expect(chooseSnapshot(rows, "22222222", ["/volumes"])).toEqual({
            problem: "snapshot 22222222 holds the path set /databases/db/n8n.sql, not /volumes; leave out --path or name another snapshot",
        });
        expect(chooseSnapshot(rows, "9", [])).toEqual({ problem: "no snapshot 9 in the repository; --list shows them" });
        expect(chooseSnapshot(rows, "latest", ["/nope"])).toMatchObject({ problem: expect.stringContaining("no snapshot has the path set /nope") });
    });

    test("path sets ignore hostnames and path order; a path with $ or spaces is quoted in the flag shown", () => {
        const rows = snapshotRows(
            JSON.stringify([
                { time: "2025-06-01T02:00:00Z", paths: ["/b", "/a"], hostname: "h1", id: "aaaaaaaa" },
                { time: "2025-06-02T02:00:00Z", paths: ["/a", "/b/"], hostname: "h2", id: "bbbbbbbb" },
            ]),
        );
        const sets = pathSets(rows);
        expect(sets).toHaveLength(1);
        expect(sets[0]).toMatchObject({ pathSet: ["/a", "/b"], count: 2, newest: { id: "bbbbbbbb" } });
        expect(pathSetFlags(["/volumes/my $HOME dir"])).toBe("--path '/volumes/my $HOME dir'");
    });

    test("--path must be absolute, --kit and --identity go together", () => {
        const { problems } = parseRestoreArgs(["--stack", "prod", "--app", "a", "--target", "x", "--path", "volumes", "--kit", "k.age"]);
        expect(problems).toContain('--path "volumes" must be an absolute path of a snapshot, as --list shows it (e.g. /volumes)');
        expect(problems).toContain("--kit <file> and --identity <file> go together: the kit is opened with the age identity");
    });
});

describe("refusals", () => {
    test("an app that is not in the stack: lists the stack's apps", async () => {
        const run = await restore(["--stack", "prod", "--app", "gitlabb", "--list"]);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain('app "gitlabb" is not in stack prod; its apps are: mattermost, n8n, vault, linkwarden, solidtime, gitlab');
    });

    test("Vault 403: says the token lacks the restore policy", async () => {
        const run = await restore(["--stack", "prod", "--app", "gitlab", "--list"], { VAULT_TOKEN: "weak-token" });
        expect(run.code).toBe(1);
        expect(run.stderr).toContain("Vault refused to read ansible/stackback_gitlab (403");
        expect(run.calls.map((c) => c.argv[0])).toEqual(["version"]);
        expectNoSecretShown(run);
    });

    test("Vault 404: says which path and which settings decide it", async () => {
        const run = await restore(["--stack", "prod", "--app", "vault", "--list"]);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain("Vault has no secret at ansible/stackback_vault (404)");
    });

    test("Vault unreachable", async () => {
        const closed = http.createServer();
        await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
        const port = (closed.address() as AddressInfo).port;
        await new Promise<void>((resolve) => closed.close(() => resolve()));
        const run = await restore(["--stack", "prod", "--app", "gitlab", "--list"], { VAULT_ADDR: `http://127.0.0.1:${port}` });
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/Vault at http:\/\/127\.0\.0\.1:\d+ is unreachable \(.*ECONNREFUSED/);
    });

    test("no VAULT_TOKEN", async () => {
        const run = await restore(["--stack", "prod", "--app", "gitlab", "--list"], { VAULT_TOKEN: undefined });
        expect(run.code).toBe(1);
        expect(run.stderr).toContain("VAULT_TOKEN is not set");
    });

    test("restic missing, and restic too old", async () => {
        const missing = await restore(["--stack", "prod", "--app", "gitlab", "--list"], { RESTIC_BIN: "/nonexistent/restic" });
        expect(missing.code).toBe(1);
        expect(missing.stderr).toContain("restic not found (/nonexistent/restic); install restic >= 0.17.1");
        const old = await restore(["--stack", "prod", "--app", "gitlab", "--list"], { FAKE_RESTIC_VERSION: "0.16.4" });
        expect(old.code).toBe(1);
        expect(old.stderr).toContain("restic 0.16.4 is too old: restic >= 0.17.1 is needed");
        expect(old.calls.map((c) => c.argv[0])).toEqual(["version"]);
    });

    test("bad usage lists every problem with exit 2", async () => {
        const run = await restore(["--app", "gitlab", "--snapshot", "nope", "--bogus"]);
        expect(run.code).toBe(2);
        expect(run.stderr).toContain('unknown argument "--bogus"');
        expect(run.stderr).toContain("missing --stack");
        expect(run.stderr).toContain('--snapshot "nope" must be "latest" or a snapshot id');
        expect(run.stderr).toContain("say what to do: --list, or --target <dir>");
    });
});

describe("pure parts", () => {
    test("restic >= 0.17.1 is needed: 0.17.0 lacks exit code 12", () => {
        expect(resticVersionProblem("restic 0.17.0 compiled with go1.22 on linux/amd64")).toContain("too old");
        expect(resticVersionProblem("restic 0.17.1 compiled with go1.23 on linux/amd64")).toBeUndefined();
        expect(resticVersionProblem("restic 0.18.0 compiled with go1.24.4 on linux/amd64")).toBeUndefined();
        expect(resticVersionProblem("restic 1.0.0 compiled")).toBeUndefined();
        expect(resticVersionProblem("something else")).toContain("could not read");
    });

    test("a malformed Vault answer is reported without echoing it", () => {
        const result = credentialsFromVault(200, JSON.stringify({ data: { password: PASSWORD } }), "secret/stackback_x");
        expect(result.problem).toContain("not a KV version 2 secret");
        expect(result.problem).not.toContain(PASSWORD);
        const partial = credentialsFromVault(200, JSON.stringify({ data: { data: { password: PASSWORD } } }), "secret/stackback_x");
        expect(partial.problem).toContain("lacks the field(s) repository, access_key, secret_key");
    });

    test("resticEnv keeps restic's harmless settings and drops identity overrides", () => {
        const env = resticEnv(
            { PATH: "/bin", RESTIC_CACHE_DIR: "/c", RESTIC_KEY_HINT: "k", AWS_DEFAULT_REGION: "x" },
            { repository: "r", password: "p", accessKeyId: "a", secretAccessKey: "s", readOnly: false },
        );
        expect(env).toEqual({
            PATH: "/bin",
            RESTIC_CACHE_DIR: "/c",
            RESTIC_REPOSITORY: "r",
            RESTIC_PASSWORD: "p",
            AWS_ACCESS_KEY_ID: "a",
            AWS_SECRET_ACCESS_KEY: "s",
        });
    });

    test("snapshot rows and table from the 0.18 JSON", () => {
        const rows = snapshotRows(SNAPSHOTS_JSON);
        expect(rows.map((r) => r.size)).toEqual([1610612736, undefined]);
        expect(formatSnapshotTable([])).toBe("no snapshots yet");
        expect(() => snapshotRows("{}")).toThrow("did not print a list");
    });

    test("progress lines", () => {
        expect(progressLine('{"message_type":"verbose_status","action":"restored"}')).toBeUndefined();
        expect(progressLine("not json")).toBeUndefined();
        expect(progressLine('{"message_type":"error","error":{"message":"boom"},"item":"/a"}')?.text).toBe("error: boom (/a)");
    });

    test("--list refuses restore options", () => {
        expect(parseRestoreArgs(["--stack", "prod", "--app", "a", "--list", "--target", "x"]).problems[0]).toContain("--list only lists");
        expect(parseRestoreArgs(["--stack=prod", "--app=a", "--target=x"]).args).toMatchObject({
            stack: "prod",
            app: "a",
            target: "x",
            snapshot: "latest",
            mode: "restore",
        });
    });
});

test("npm run restore runs the script through register-ts (exit 1 and the app list for an unknown app)", () => {
    const root = path.resolve(__dirname, "..");
    const result = spawnSync(process.execPath, ["--require", "./scripts/register-ts.js", "scripts/restore.ts", "--stack", "prod", "--app", "nope", "--list"], {
        cwd: root,
        encoding: "utf8",
        env: { PATH: process.env.PATH },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('restore: app "nope" is not in stack prod; its apps are:');
});
