import * as YAML from "yaml";
import { exporterPort } from "../components/config/ports";
import { Registered } from "./support/pulumiMocks";
import { ProgramRun, stackConfig } from "./support/stack";
import { runStackProgram } from "./support/jestStack";

/** Runs index.ts over Pulumi.prod.yaml itself, with provider secrets as the CLI would pass them. */
let run: ProgramRun;
beforeAll(async () => {
    run = await runStackProgram(stackConfig("prod"));
}, 120_000); // over 30 s on a loaded machine

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
    const containers = ofType("docker:index/container:Container");
    for (const container of containers) {
        const app = container.inputs.name.replace(/_(stackback|restic_exporter|restore_drill)$/, "");
        expect(container.provider).toContain(`::docker-platform-one-${hostOf[app]}::`);
    }
    expect(containers.map((c) => c.inputs.name).filter((n) => n.endsWith("_stackback"))).toHaveLength(6);
    expect(containers.map((c) => c.inputs.name).filter((n) => n.endsWith("_restic_exporter"))).toHaveLength(6);
    expect(containers.map((c) => c.inputs.name).filter((n) => n.endsWith("_restore_drill"))).toHaveLength(6);
});

test("six complete, monitored, drilled pipelines: 25 resources per app (component + 14 children + 7 for the exporter + 3 for the drill)", () => {
    expect(ofType("platform-backups:index:AppBackup")).toHaveLength(6);
    const resources = run.registered.filter((r) => !r.type.startsWith("pulumi:providers:"));
    const perApp = (app: string) => resources.filter((r) => r.name === app || r.name.startsWith(`${app}-`)).length;
    for (const app of ["mattermost", "n8n", "vault", "linkwarden", "solidtime", "gitlab"]) expect(perApp(app)).toBe(25);
    expect(resources).toHaveLength(6 * 25);
});

test("no secret reaches the exports", () => {
    expect(JSON.stringify(run.exports)).not.toMatch(/not-a-real|mock-/);
});

test("Prometheus rules and scrape config cover every app of the fleet", () => {
    const rules = YAML.parse(run.exports.alertRules as string) as { groups: { rules: { alert: string; labels: Record<string, string> }[] }[] };
    const alerts = rules.groups.flatMap((g) => g.rules);
    for (const app of ["mattermost", "n8n", "vault", "linkwarden", "solidtime", "gitlab"]) {
        const mine = alerts.filter((a) => a.labels.app === app).map((a) => a.alert);
        expect(mine).toEqual(expect.arrayContaining(["ResticBackupStale", "ResticCheckFailed", "ResticExporterDown", "ResticExporterAbsent"]));
    }
    const scrape = YAML.parse(run.exports.scrapeConfig as string) as {
        scrape_configs: { static_configs: { targets: string[]; labels: Record<string, string> }[] }[];
    };
    const targets = scrape.scrape_configs.flatMap((j) => j.static_configs).map((c) => `${c.labels.app}@${c.targets[0]}`);
    expect(targets).toEqual(
        expect.arrayContaining(
            ["mattermost@vm1", "n8n@vm1", "vault@vm2", "gitlab@vm3"].map(
                (a) => `${a.replace(/@.*/, "")}@${a.replace(/.*@/, "")}.platform-one.internal:${exporterPort(a.replace(/@.*/, ""))}`,
            ),
        ),
    );
});

test("notifications from the stack reach every sidecar; only the app's own exporter port is published", () => {
    for (const sidecar of ofType("docker:index/container:Container").filter((c) => c.name.endsWith("-sidecar"))) {
        expect(sidecar.inputs.envs).toEqual(
            expect.arrayContaining(["EMAIL_HOST=smtp.platform-one.internal", "EMAIL_PORT=587", "EMAIL_SEND_TO=ops@platform-one.internal"]),
        );
        expect(sidecar.inputs.ports).toBeUndefined();
    }
});

test("prod states its time zone: every sidecar and exporter runs in UTC", () => {
    expect(stackConfig("prod").timezone).toBe("UTC");
    for (const container of ofType("docker:index/container:Container")) {
        expect(container.inputs.envs).toEqual(expect.arrayContaining(["TZ=UTC"]));
    }
});

test("the Vault provider gets skipChildToken explicitly (false: the token needs auth/token/create)", () => {
    const [vault] = ofType("pulumi:providers:vault");
    expect(String(vault.inputs.skipChildToken)).toBe("false");
});

test("each app's deploy-time check is the command named <app>-repository-init, reaching its host", () => {
    const checks = ofType("command:local:Command");
    expect(checks.map((c) => c.name).sort()).toEqual(["gitlab", "linkwarden", "mattermost", "n8n", "solidtime", "vault"].map((a) => `${a}-repository-init`));
    const gitlab = checks.find((c) => c.name === "gitlab-repository-init")!;
    expect(gitlab.inputs.environment).toEqual({ DOCKER_HOST: "ssh://deploy@vm3.platform-one.internal" });
    expect(gitlab.inputs.create).toContain("T=120");
});

describe("settings that reach the program from the config", () => {
    let custom: ProgramRun;
    beforeAll(async () => {
        const raw = stackConfig("prod");
        const monitoring = {
            ...(raw.monitoring as Record<string, unknown>),
            refreshIntervalSeconds: 7200,
            runbookBaseUrl: "https://git.example.com/p/docs/monitoring.md",
        };
        const vault = { ...(raw.vault as Record<string, unknown>), skipChildToken: true, maxLeaseTtlSeconds: 600 };
        // n8n keeps a week and may be 10 hours late; the others keep the stack's 30 days and 2 hours.
        const apps = (raw.apps as Record<string, unknown>[]).map((app) =>
            app.name === "n8n" ? { ...app, retentionDays: 7, monitoring: { graceHours: 10 } } : app,
        );
        custom = await runStackProgram({ ...raw, apps, monitoring, vault, timezone: "Europe/Berlin", checkTimeoutSeconds: 45 });
    });

    test("the alert rules use the configured refresh interval and absolute runbook links", () => {
        const rules = String(custom.exports.alertRules);
        // checkFailed waits one refresh plus 30 minutes: 7200 s + 1800 s.
        expect(rules).toContain("for: 150m");
        expect(rules).not.toContain("for: 90m");
        expect(rules).toContain("runbook_url: https://git.example.com/p/docs/monitoring.md#resticcheckfailed");
    });

    const named = (name: string) => custom.registered.find((r: Registered) => r.name === name)!;
    const keepOf = (app: string) => (named(`${app}-sidecar`).inputs.envs as string[]).filter((e) => e.startsWith("RESTIC_KEEP_"));

    test("an app's own retentionDays reaches restic's keep policy and the bucket's lifecycle; the others keep the stack's", () => {
        expect(keepOf("n8n")).toEqual(["RESTIC_KEEP_DAILY=7", "RESTIC_KEEP_WEEKLY=1", "RESTIC_KEEP_MONTHLY=0", "RESTIC_KEEP_YEARLY=0"]);
        expect(keepOf("mattermost")).toEqual(["RESTIC_KEEP_DAILY=30", "RESTIC_KEEP_WEEKLY=5", "RESTIC_KEEP_MONTHLY=1", "RESTIC_KEEP_YEARLY=0"]);
        const expiresAfter = (app: string) => (named(`${app}-lifecycle`).inputs.rules as Record<string, unknown>[])[0].noncurrentVersionExpirationDays;
        expect([expiresAfter("n8n"), expiresAfter("mattermost")]).toEqual([7, 30]);
    });

    test("an app's own graceHours sets when its backup counts as stale; the others keep the stack's", () => {
        const rules = (YAML.parse(String(custom.exports.alertRules)) as { groups: { rules: { alert: string; expr: string; labels: { app: string } }[] }[] })
            .groups[0].rules;
        const staleExpr = (app: string) => rules.find((r) => r.alert === "ResticBackupStale" && r.labels.app === app)!.expr;
        // A daily backup: 24 h plus the grace, in seconds.
        expect(staleExpr("n8n")).toMatch(/ > 122400$/);
        expect(staleExpr("mattermost")).toMatch(/ > 93600$/);
    });

    test("time zone, check bound and Vault settings reach their resources", () => {
        const all = (type: string) => custom.registered.filter((r: Registered) => r.type === type);
        for (const c of all("docker:index/container:Container")) expect(c.inputs.envs).toEqual(expect.arrayContaining(["TZ=Europe/Berlin"]));
        for (const c of all("command:local:Command")) expect(c.inputs.create).toContain("T=45");
        const [vault] = all("pulumi:providers:vault");
        expect(String(vault.inputs.skipChildToken)).toBe("true");
        expect(String(vault.inputs.maxLeaseTtlSeconds)).toBe("600");
    });
});
