/**
 * One fleet, several stacks, under the mock engine (index.ts, scripts/shards.ts): each shard
 * evaluates alone, together the shards register what the unsplit fleet registers, and moving a
 * host to another shard changes which stack registers its apps and nothing else. Slow tier: each
 * program run takes seconds.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RawStackConfig } from "../components";
import { generatedFleet } from "../scripts/benchFleet";
import { deployStacks, moveHostCommands } from "../scripts/shards";
import { loadFleet } from "../scripts/stackCli";
import { Resources, runInPlace } from "./support/program";

const APP_BACKUP = "platform-backups:index:AppBackup";

describe("shards under the mock engine", () => {
    let dir: string;
    const cwd = process.cwd();
    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "shards-"));
    });
    afterAll(() => {
        process.chdir(cwd);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    /** Writes the fleet file (and shard files) where the program and the CLI read them. */
    function writeFleet(raw: RawStackConfig): void {
        const config = (entries: RawStackConfig) => ({ config: Object.fromEntries(Object.entries(entries).map(([k, v]) => [`platform-backups:${k}`, v])) });
        fs.writeFileSync(path.join(dir, "Pulumi.fleet.yaml"), JSON.stringify(config(raw)));
        for (const name of Object.keys((raw.shards as object | undefined) ?? {}))
            fs.writeFileSync(path.join(dir, `Pulumi.fleet-${name}.yaml`), JSON.stringify(config({ shard: { fleet: "fleet", name } })));
    }

    /** Runs the program as shard `name`'s stack would, from the directory that holds the fleet file. */
    async function runShard(name: string): Promise<Resources> {
        process.chdir(dir);
        try {
            return await runInPlace({ shard: { fleet: "fleet", name } });
        } finally {
            process.chdir(cwd);
        }
    }

    const union = (runs: Resources[]) => {
        const all: Resources = new Map();
        for (const run of runs)
            for (const [key, value] of run) {
                // Providers are per stack: each shard has its own minio and vault.
                if (key.startsWith("pulumi:providers:") && all.has(key)) continue;
                expect(all.has(key)).toBe(false);
                all.set(key, value);
            }
        return all;
    };

    // Each program run takes seconds on a busy machine: a small fleet here (9 apps on 3 hosts, one
    // storage group that both shards share); 600 apps plan above, and `npm run bench` evaluates one
    // shard of 600 alone.
    it("each shard evaluates alone; moving a host changes only which stack registers its apps, and the command names them", async () => {
        const whole = await runInPlace(generatedFleet(9, 0, 3));
        const before = generatedFleet(9, 2, 3);
        const shardsBefore = before.shards as Record<string, { hosts: string[] }>;
        expect(shardsBefore).toEqual({ s1: { hosts: ["vm-001", "vm-003"] }, s2: { hosts: ["vm-002"] } });
        writeFleet(before);
        const runsBefore = [await runShard("s1"), await runShard("s2")];
        expect(union(runsBefore)).toEqual(whole);
        expect(deployStacks("fleet", dir)).toEqual({ stacks: ["fleet-s1", "fleet-s2"], problems: [] });

        const moved = "vm-001";
        const { urns, problems } = moveHostCommands("fleet", moved, "s2", dir);
        expect(problems).toEqual([]);
        writeFleet({ ...before, shards: { s1: { hosts: ["vm-003"] }, s2: { hosts: ["vm-002", moved] } } });
        const runsAfter = [await runShard("s1"), await runShard("s2")];
        expect(union(runsAfter)).toEqual(whole);

        const appsOfHost = loadFleet("fleet", { dir })
            .whole.apps.filter((a) => a.host === moved)
            .map((a) => a.name);
        expect(appsOfHost).toHaveLength(3);
        const leaving = [...runsBefore[0].keys()].filter((k) => !runsAfter[0].has(k));
        const arriving = [...runsAfter[1].keys()].filter((k) => !runsBefore[1].has(k));
        expect(leaving.sort()).toEqual(arriving.sort());
        // The components the state move names are exactly the moved apps' components, in the source stack.
        expect(urns).toEqual(appsOfHost.map((app) => `urn:pulumi:fleet-s1::platform-backups::${APP_BACKUP}::${app}`));
        expect(leaving.filter((k) => k.startsWith(`${APP_BACKUP}::`)).sort()).toEqual(appsOfHost.map((a) => `${APP_BACKUP}::${a}`).sort());
        // Every other resource that leaves is a child of those components (named after the app) or the host's provider.
        for (const key of leaving) expect(appsOfHost.some((app) => key.includes(`::${app}`)) || key === `pulumi:providers:docker::docker-${moved}`).toBe(true);
        // What keeps the backups if an `up` ran before the move: the bucket and the restic password outlive the stack.
        for (const child of [
            "minio:index/s3Bucket:S3Bucket::%-bucket",
            "random:index/randomPassword:RandomPassword::%-restic-password",
            "vault:kv/secretV2:SecretV2::%-vault-secret",
        ]) {
            expect({ child, retainOnDelete: runsBefore[0].get(child.replace("%", appsOfHost[0]))?.options.retainOnDelete }).toEqual({
                child,
                retainOnDelete: true,
            });
        }
    }, 240_000);

    it("refuses to deploy the fleet stack of a split fleet, naming the shard stacks", async () => {
        await expect(runInPlace(generatedFleet(20, 2))).rejects.toThrow(
            /describes a fleet split into shards \(s1, s2\); nothing was created or changed\. Deploy each shard's stack instead: pulumi up --stack test-s1; pulumi up --stack test-s2/,
        );
    });
});
