import { Registered } from "./support/pulumiMocks";
import { ProgramRun, runProgram, stackConfig } from "./support/stack";

/** Runs index.ts over Pulumi.prod.yaml itself, with provider secrets as the CLI would pass them. */
let run: ProgramRun;
beforeAll(async () => {
    run = await runProgram(stackConfig("prod"), () => {
        let loaded: Record<string, unknown> = {};
        jest.isolateModules(() => {
            loaded = require("../index");
        });
        return loaded;
    }, { minioPassword: "not-a-real-password", vaultToken: "not-a-real-token" });
});

const ofType = (type: string) => run.registered.filter((r: Registered) => r.type === type);

test("the prod stack reproduces the original schedule table, with gitlab last in blue", () => {
    const apps = run.exports.apps as Record<string, { host: string; group: string; schedule: string; bucket: string; vaultPath: string }>;
    const table = Object.fromEntries(Object.entries(apps).map(([name, a]) => [name, `${a.group} ${a.schedule}`]));
    expect(table).toEqual({
        mattermost: "green 0 2 * * *",
        n8n: "green 20 2 * * *",
        vault: "green 40 2 * * *",
        linkwarden: "blue 0 2 * * *",
        solidtime: "blue 20 2 * * *",
        gitlab: "blue 40 2 * * *",
    });
    expect(apps.gitlab).toMatchObject({ host: "platform-one-vm3", bucket: "restic-stackback-gitlab-bucket", vaultPath: "ansible/stackback_gitlab" });
});

test("one docker provider per host, one MinIO and one Vault provider", () => {
    const docker = ofType("pulumi:providers:docker");
    expect(docker.map((p) => p.inputs.host).sort()).toEqual([
        "ssh://deploy@vm1.platform-one.internal",
        "ssh://deploy@vm2.platform-one.internal",
        "ssh://deploy@vm3.platform-one.internal",
    ]);
    const [minio] = ofType("pulumi:providers:minio");
    expect(minio.inputs).toMatchObject({ minioServer: "minio.platform-one.internal:9000", minioSsl: "true" });
    expect(minio.secretPaths).toContain("minioPassword");
    const [vault] = ofType("pulumi:providers:vault");
    expect(vault.inputs.address).toBe("https://vault.platform-one.internal:8200");
    expect(vault.secretPaths).toContain("token");
});

test("each app's sidecar lands on its own host's engine", () => {
    const hostOf: Record<string, string> = { mattermost: "vm1", n8n: "vm1", vault: "vm2", linkwarden: "vm2", solidtime: "vm2", gitlab: "vm3" };
    for (const container of ofType("docker:index/container:Container")) {
        const app = container.inputs.name.replace(/_stackback$/, "");
        expect(container.provider).toContain(`::docker-platform-one-${hostOf[app]}::`);
    }
    expect(ofType("docker:index/container:Container")).toHaveLength(6);
});

test("six complete pipelines: 13 resources per app (component + 12 children)", () => {
    expect(ofType("platform-backups:index:AppBackup")).toHaveLength(6);
    const resources = run.registered.filter((r) => !r.type.startsWith("pulumi:providers:"));
    const perApp = (app: string) => resources.filter((r) => r.name === app || r.name.startsWith(`${app}-`)).length;
    for (const app of ["mattermost", "n8n", "vault", "linkwarden", "solidtime", "gitlab"]) expect(perApp(app)).toBe(13);
    expect(resources).toHaveLength(6 * 13);
});

test("no secret reaches the exports", () => {
    expect(JSON.stringify(run.exports)).not.toMatch(/not-a-real|mock-/);
});
