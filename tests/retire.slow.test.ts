/**
 * Retiring a path set (`apps[].retiredPaths`): when its snapshots are due, which ones go, and the
 * command with a stand-in restic and Vault (the end-to-end run with real restic is
 * tests/real/retire.real.test.ts).
 */
import * as os from "os";
import * as path from "path";
import { snapshotRows } from "../scripts/restoreLib";
import { runRetire } from "../scripts/retire";
import { forgetFrom, formatRetirePlan, idsToForget, retirePlan } from "../scripts/retireLib";
import { makeFakeRestic } from "./support/fakeRestic";
import { stackDirWith } from "./support/stackFile";
import { StandInVault, startStandInVault } from "./support/standInVault";

const ID = (c: string) => c.repeat(8) + "0".repeat(56);
/** n8n: volumes every day; an old database dump retired on 2026-11-30, over two sidecar hostnames. */
const SNAPSHOTS = JSON.stringify([
    { time: "2026-11-28T02:00:09Z", paths: ["/databases/db/old.sql"], hostname: "c1", id: ID("1") },
    { time: "2026-11-29T02:00:09Z", paths: ["/databases/db/old.sql"], hostname: "c2", id: ID("2") },
    { time: "2026-11-29T02:00:05Z", paths: ["/volumes"], hostname: "c2", id: ID("3") },
    { time: "2026-12-30T02:00:05Z", paths: ["/volumes"], hostname: "c2", id: ID("4") },
    // A set that merely INCLUDES the retired path must never be forgotten with it.
    { time: "2026-11-01T02:00:05Z", paths: ["/databases/db/old.sql", "/volumes"], hostname: "c0", id: ID("5") },
]);
const RETIRED = [{ path: "/databases/db/old.sql", retiredOn: "2026-11-30" }];

describe("the plan", () => {
    const rows = snapshotRows(SNAPSHOTS);

    test("a retired set is kept retentionDays after retiredOn, then due", () => {
        expect(forgetFrom(RETIRED[0], 30)).toBe("2026-12-30");
        expect(retirePlan(RETIRED, 30, rows, new Date("2026-12-29T23:59:00Z"))[0].due).toBe(false);
        expect(retirePlan(RETIRED, 30, rows, new Date("2026-12-30T00:00:00Z"))[0].due).toBe(true);
    });

    test("exactly the set's snapshots, whatever their hostname; never a set that only includes the path", () => {
        const plan = retirePlan(RETIRED, 30, rows, new Date("2027-01-05T00:00:00Z"));
        expect(idsToForget(plan)).toEqual([ID("1"), ID("2")]);
        expect(formatRetirePlan("n8n", plan, false)).toEqual([
            "n8n: /databases/db/old.sql (retired 2026-11-30, 2 snapshots): would forget (add --apply) 11111111 22222222",
        ]);
    });

    test("a snapshot newer than retiredOn means the set is still backed up: nothing is forgotten", () => {
        const later = snapshotRows(
            JSON.stringify([...JSON.parse(SNAPSHOTS), { time: "2026-12-01T02:00:09Z", paths: ["/databases/db/old.sql"], hostname: "c2", id: ID("6") }]),
        );
        const plan = retirePlan(RETIRED, 30, later, new Date("2027-01-05T00:00:00Z"));
        expect(idsToForget(plan)).toEqual([]);
        expect(formatRetirePlan("n8n", plan, true)[0]).toContain("NOT forgotten, 1 snapshot(s) are newer than its retiredOn");
    });

    test("not yet due, and nothing left", () => {
        expect(formatRetirePlan("n8n", retirePlan(RETIRED, 30, rows, new Date("2026-12-01T00:00:00Z")), true)).toEqual([
            "n8n: /databases/db/old.sql (retired 2026-11-30, 2 snapshots): kept until 2026-12-30 (retentionDays after retiredOn)",
        ]);
        expect(formatRetirePlan("n8n", retirePlan(RETIRED, 30, [], new Date("2027-01-05T00:00:00Z")), true)[0]).toContain("nothing left to forget");
    });
});

describe("npm run retire", () => {
    let vault: StandInVault;
    const stackDir = stackDirWith("prod", (raw) => ({
        ...raw,
        apps: (raw.apps as Array<Record<string, unknown>>).map((a) => (a.name === "n8n" ? { ...a, retiredPaths: RETIRED } : a)),
    }));
    beforeAll(async () => {
        vault = await startStandInVault(
            {
                "ansible/data/stackback_n8n": {
                    repository: "s3:https://minio:9000/b",
                    password: "pw-SECRET",
                    access_key: "writer",
                    secret_key: "writer-SECRET",
                    reader_access_key: "reader",
                    reader_secret_key: "reader-SECRET",
                },
            },
            "t",
        );
    });
    afterAll(() => vault.close());

    async function retire(args: string[], today: string) {
        const fake = makeFakeRestic();
        let stdout = "";
        let stderr = "";
        const code = await runRetire(
            ["--stack", "prod", "--app", "n8n", ...args],
            {
                env: {
                    PATH: `${fake.dir}${path.delimiter}${process.env.PATH}`,
                    HOME: os.tmpdir(),
                    FAKE_RESTIC_LOG: fake.log,
                    FAKE_RESTIC_SNAPSHOTS: SNAPSHOTS,
                    VAULT_ADDR: vault.address,
                    VAULT_TOKEN: "t",
                },
                stdout: { write: (t: string) => (stdout += t) },
                stderr: { write: (t: string) => (stderr += t) },
                stackDir,
            },
            () => new Date(today),
        );
        return { code, stdout, stderr, calls: fake.calls() };
    }

    test("without --apply it only lists; with --apply it forgets the due set's snapshots by id, as the backup identity", async () => {
        const dry = await retire([], "2027-01-05T00:00:00Z");
        expect(dry.code).toBe(0);
        expect(dry.stdout).toContain("would forget (add --apply) 11111111 22222222");
        expect(dry.calls.some((c) => c.argv.includes("forget"))).toBe(false);

        const run = await retire(["--apply"], "2027-01-05T00:00:00Z");
        expect(run.stderr).not.toContain("retire:");
        expect(run.code).toBe(0);
        const forget = run.calls.find((c) => c.argv.includes("forget"));
        expect(forget?.argv).toEqual(["forget", ID("1"), ID("2")]);
        // The writer: the reader may not delete, and forget writes a lock.
        expect(forget?.env.AWS_ACCESS_KEY_ID).toBe("writer");
        expect(run.stdout + run.stderr).not.toContain("SECRET");
        expect(run.stdout).toContain("n8n: forgot 2 snapshot(s)");
    });

    test("before the due date --apply forgets nothing", async () => {
        const run = await retire(["--apply"], "2026-12-10T00:00:00Z");
        expect(run.code).toBe(0);
        expect(run.stdout).toContain("kept until 2026-12-30");
        expect(run.calls.some((c) => c.argv.includes("forget"))).toBe(false);
    });

    test("an app without retired sets needs neither restic nor Vault", async () => {
        const fake = makeFakeRestic();
        let stdout = "";
        const code = await runRetire(["--stack", "prod", "--app", "gitlab"], {
            env: { PATH: fake.dir },
            stdout: { write: (t: string) => (stdout += t) },
            stderr: { write: () => true },
            stackDir,
        });
        expect(code).toBe(0);
        expect(stdout).toContain("gitlab: no retired path sets");
        expect(fake.calls()).toEqual([]);
    });
});
