import * as docker from "@pulumi/docker";
import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { T } from "./support/resourceTypes";
import { installMocks, Registered, secrecyOf, SeenOptions, settle, valueOf } from "./support/pulumiMocks";

const registered = installMocks();

// Imported after the mocks so that the component registers against them.
import { AppBackup, AppBackupArgs, APP_BACKUP_TYPE } from "../components/appBackup";
import { isAllowed } from "../components/iamPolicy";
import { EXPORTER_CACHE_PATH, EXPORTER_START_PYTHON } from "../components/monitoring";
import { DEFAULT_STACKBACK_IMAGE, repositoryCheckCommand } from "../components/stackback";

const providers = {
    minio: new minio.Provider("minio", { minioServer: "minio.test:9000" }),
    vault: new vault.Provider("vault", { address: "https://vault.test:8200" }),
    docker: new docker.Provider("docker-vm1", { host: "ssh://deploy@vm1.test" }),
};

const baseArgs: AppBackupArgs = {
    app: "mattermost",
    schedule: "0 2 * * *",
    minioEndpoint: "minio.test:9000",
    group: "green",
    host: "vm1",
    dockerHost: "ssh://deploy@vm1.test",
};

/** Builds one AppBackup, recording the options and props each resource was created with. */
async function build(name: string, args: AppBackupArgs) {
    const seen: (SeenOptions & { props: Record<string, unknown> })[] = [];
    const component = new AppBackup(name, args, {
        providers,
        transformations: [
            (t) => {
                seen.push({ type: t.type, name: t.name, opts: t.opts, parent: t.opts.parent, props: t.props });
                return undefined;
            },
        ],
    });
    await valueOf(component.containerName);
    await settle();
    const mine = registered.filter((r) => r.name.startsWith(`${name}-`) || r.name === name);
    return { component, seen, mine };
}

function only(mine: Registered[], type: string): Registered {
    const found = mine.filter((r) => r.type === type);
    if (found.length !== 1) throw new Error(`expected one ${type}, got ${found.length}`);
    return found[0];
}

/** The value the mock engine generated for the RandomPassword named `name`. */
function resultOf(mine: Registered[], name: string): string {
    const password = mine.find((r) => r.type === T.password && r.name === name);
    if (!password) throw new Error(`no RandomPassword named ${name}`);
    return password.computed.result as string;
}

/** What the resource named `name` waits for: the names the engine request lists as its dependencies. */
function waitsFor(mine: Registered[], name: string): string[] {
    const resource = mine.find((r) => r.name === name);
    if (!resource) throw new Error(`no resource named ${name}; have ${mine.map((r) => r.name).join(", ")}`);
    return resource.dependsOn;
}

function envOf(container: Registered): Map<string, string> {
    return new Map((container.inputs.envs as string[]).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

describe("AppBackup", () => {
    let built: Awaited<ReturnType<typeof build>>;
    beforeAll(async () => {
        built = await build("mm", baseArgs);
    });

    test("registers exactly the pipeline's children, each parented to the component", () => {
        const counts = Object.fromEntries(Object.entries(T).map(([k, type]) => [k, built.mine.filter((r) => r.type === type).length]));
        expect(counts).toEqual({
            bucket: 1,
            versioning: 1,
            ilm: 1,
            user: 1,
            policy: 1,
            attachment: 1,
            password: 2,
            secret: 1,
            image: 1,
            container: 1,
            command: 1,
            volume: 1,
            vaultPolicy: 1,
        });
        const children = built.seen.filter((s) => s.type !== APP_BACKUP_TYPE);
        expect(children).toHaveLength(14);
        for (const child of children) expect(child.parent).toBe(built.component);
        expect(children.map((c) => c.name).every((n) => n.startsWith("mm-"))).toBe(true);
    });

    test("MinIO, Vault and Docker children use the providers handed to the component", () => {
        const providerOf = (type: string) => only(built.mine, type).provider ?? "";
        for (const type of [T.bucket, T.versioning, T.ilm, T.user, T.policy, T.attachment]) expect(providerOf(type)).toContain("::minio::");
        expect(providerOf(T.secret)).toContain("::vault::");
        expect(providerOf(T.image)).toContain("::docker-vm1::");
        expect(providerOf(T.container)).toContain("::docker-vm1::");
    });

    test("the bucket has the one derived name, is versioned, and survives deletion", () => {
        const bucket = only(built.mine, T.bucket);
        expect(bucket.inputs.bucket).toBe("restic-stackback-mattermost-bucket");
        expect(bucket.inputs.forceDestroy).toBe(false);
        expect(only(built.mine, T.versioning).inputs.versioningConfiguration).toEqual({ status: "Enabled" });
        const retained = built.seen
            .filter((s) => s.opts.retainOnDelete)
            .map((s) => s.type)
            .sort();
        expect(retained).toEqual([T.bucket, T.ilm, T.password, T.password, T.versioning, T.secret, T.volume].sort());
    });

    test("the lifecycle expires only non-current versions and delete markers, and sets no computed status", () => {
        const rules = only(built.mine, T.ilm).inputs.rules as Record<string, unknown>[];
        expect(rules).toEqual([
            { id: "expire-noncurrent-versions", noncurrentVersionExpirationDays: 30 },
            // terraform-provider-minio v1.20.1 resource_minio_ilm_policy.go: "DeleteMarker" is the
            // ExpiredObjectDeleteMarker form, and `status` is Computed.
            { id: "expire-delete-markers", expiration: "DeleteMarker" },
        ]);
    });

    test("neither MinIO user sets updateSecret (v1.20.1 would replace the key with a random one on update)", async () => {
        const other = await build("us", { ...baseArgs, app: "users", monitoring: { port: 9500 } });
        const users = other.mine.filter((r) => r.type === T.user);
        expect(users).toHaveLength(2);
        for (const u of users) expect(u.inputs.updateSecret).toBeUndefined();
    });

    test("the writer cannot destroy the non-current versions that keep history (no s3:DeleteObjectVersion)", () => {
        const doc = only(built.mine, T.policy).inputs.policy as string;
        const objects = "arn:aws:s3:::restic-stackback-mattermost-bucket/data/ab/abcdef";
        expect(isAllowed(doc, "s3:DeleteObject", objects)).toBe(true);
        expect(isAllowed(doc, "s3:DeleteObjectVersion", objects)).toBe(false);
        expect(isAllowed(doc, "s3:PutBucketVersioning", "arn:aws:s3:::restic-stackback-mattermost-bucket")).toBe(false);
    });

    test("the IAM policy allows restic on its own bucket and nothing else", () => {
        const doc = only(built.mine, T.policy).inputs.policy as string;
        const bucket = "arn:aws:s3:::restic-stackback-mattermost-bucket";
        for (const action of ["s3:ListBucket", "s3:GetBucketLocation"]) expect(isAllowed(doc, action, bucket)).toBe(true);
        for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
            expect(isAllowed(doc, action, `${bucket}/data/ab/abcdef`)).toBe(true);
            expect(isAllowed(doc, action, "arn:aws:s3:::restic-stackback-n8n-bucket/data/ab/abcdef")).toBe(false);
        }
        expect(isAllowed(doc, "s3:ListBucket", "arn:aws:s3:::restic-stackback-n8n-bucket")).toBe(false);
        for (const admin of ["s3:DeleteBucket", "s3:PutLifecycleConfiguration", "s3:PutBucketPolicy", "s3:PutBucketVersioning", "s3:CreateBucket"]) {
            expect(isAllowed(doc, admin, bucket)).toBe(false);
        }
        expect(doc).not.toMatch(/"s3:\*"|"\*"/);
        expect(only(built.mine, T.attachment).inputs).toEqual({ userName: "restic-stackback-mattermost", policyName: "restic-stackback-mattermost-rw" });
    });

    test("generated secrets avoid shell-hostile characters and are never rotated by accident", () => {
        const passwords = built.mine.filter((r) => r.type === T.password);
        for (const p of passwords) {
            expect(p.inputs.special).toBe(true);
            expect(p.inputs.overrideSpecial).not.toMatch(/['"`\\$!;&|<>(){}\s]/);
            expect(p.inputs.keepers).toBeUndefined();
        }
        const ignored = built.seen.filter((s) => s.type === T.password).map((s) => s.opts.ignoreChanges);
        for (const list of ignored) expect(list).toEqual(expect.arrayContaining(["length", "special", "overrideSpecial"]));
    });

    test("changing unrelated arguments leaves the secrets' inputs untouched", async () => {
        const other = await build("mm2", { ...baseArgs, schedule: "30 4 * * *", retentionDays: 60, logLevel: "debug", group: "blue" });
        const inputsOf = (mine: Registered[]) => mine.filter((r) => r.type === T.password).map((r) => r.inputs);
        expect(inputsOf(other.mine)).toEqual(inputsOf(built.mine));
    });

    test("Vault holds the password, both keys and the repository, as a secret", async () => {
        const secret = only(built.mine, T.secret);
        expect(secret.inputs.mount).toBe("secret");
        expect(secret.inputs.name).toBe("stackback_mattermost");
        const data = JSON.parse(secret.inputs.dataJson as string);
        expect(Object.keys(data).sort()).toEqual(["access_key", "password", "repository", "secret_key"]);
        expect(data.access_key).toBe("restic-stackback-mattermost");
        expect(data.repository).toBe("s3:https://minio.test:9000/restic-stackback-mattermost-bucket");
        // Each field holds the value it names: a restore reads `password` for restic and `secret_key` for S3.
        expect(data.password).toBe(resultOf(built.mine, "mm-restic-password"));
        expect(data.secret_key).toBe(resultOf(built.mine, "mm-s3-secret-key"));
        expect(data.password).not.toBe(data.secret_key);
        expect(secret.secretPaths).toEqual(["dataJson"]);
        const props = built.seen.find((s) => s.type === T.secret)!.props;
        expect(await secrecyOf(pulumi.output(props.dataJson as pulumi.Output<string>))).toBe(true);
    });

    test("the sidecar runs a pinned stack-back with its real variables, in the app's compose project", () => {
        const container = only(built.mine, T.container);
        expect(only(built.mine, T.image).inputs.name).toBe(DEFAULT_STACKBACK_IMAGE);
        expect(DEFAULT_STACKBACK_IMAGE).toMatch(/:v\d+\.\d+\.\d+$/);
        expect(container.inputs.image).toContain("@sha256:");
        expect(container.inputs.name).toBe("mattermost_stackback");
        const env = envOf(container);
        expect(env.get("RESTIC_REPOSITORY")).toBe("s3:https://minio.test:9000/restic-stackback-mattermost-bucket");
        expect(env.get("AWS_ACCESS_KEY_ID")).toBe("restic-stackback-mattermost");
        expect(env.get("CRON_SCHEDULE")).toBe("0 2 * * *");
        expect([env.get("RESTIC_KEEP_DAILY"), env.get("RESTIC_KEEP_WEEKLY"), env.get("RESTIC_KEEP_MONTHLY"), env.get("RESTIC_KEEP_YEARLY")]).toEqual([
            "30",
            "5",
            "1",
            "0",
        ]);
        expect(env.get("RESTIC_PASSWORD")).toHaveLength(48);
        expect(env.get("AWS_SECRET_ACCESS_KEY")).toHaveLength(40);
        // The same values as in Vault and on the MinIO user: the sidecar writes what a restore can read.
        expect(env.get("RESTIC_PASSWORD")).toBe(resultOf(built.mine, "mm-restic-password"));
        expect(env.get("AWS_SECRET_ACCESS_KEY")).toBe(resultOf(built.mine, "mm-s3-secret-key"));
        expect(only(built.mine, T.user).inputs.secret).toBe(resultOf(built.mine, "mm-s3-secret-key"));
        expect(env.has("BACKUP_CRON")).toBe(false);
        expect([...env.values()]).not.toContain("false");
        expect(container.inputs.labels).toEqual(expect.arrayContaining([{ label: "com.docker.compose.project", value: "mattermost" }]));
        // stack-back v1.5.4 utils.py docker_client: DOCKER_HOST, default unix://tmp/docker.sock.
        expect(env.get("DOCKER_HOST")).toBe("unix:///tmp/docker.sock");
        expect(container.inputs.volumes).toEqual([
            { hostPath: "/var/run/docker.sock", containerPath: "/tmp/docker.sock" },
            // src/Dockerfile v1.5.4: XDG_CACHE_HOME=/cache
            { volumeName: "mattermost_stackback_cache", containerPath: "/cache" },
        ]);
        expect(only(built.mine, T.volume).inputs.name).toBe("mattermost_stackback_cache");
        expect(container.inputs.command).toBeUndefined();
        expect(env.has("TZ")).toBe(false);
        expect(env.has("RESTIC_CACERT")).toBe(false);
        expect(container.inputs.restart).toBe("unless-stopped");
        expect(container.inputs.hostname).toBeUndefined();
    });

    test("the engine receives the env list as a secret (the SDK marks a list that holds secrets)", () => {
        expect(only(built.mine, T.container).secretPaths).toEqual(["envs"]);
        expect(only(built.mine, T.image).secretPaths).toEqual([]);
    });

    test("every env entry that carries a secret is a secret output, and only those", async () => {
        const envs = built.seen.find((s) => s.type === T.container)!.props.envs as pulumi.Input<string>[];
        const secretNames: string[] = [];
        for (const entry of envs) {
            const output = pulumi.output(entry);
            const text = await valueOf(output);
            if (await secrecyOf(output)) secretNames.push(text.slice(0, text.indexOf("=")));
        }
        expect(secretNames.sort()).toEqual(["AWS_SECRET_ACCESS_KEY", "RESTIC_PASSWORD"]);
    });

    test("the compose project is configurable", async () => {
        const other = await build("gl", { ...baseArgs, app: "gitlab", composeProject: "gitlab-ce" });
        expect(only(other.mine, T.container).inputs.labels).toEqual(expect.arrayContaining([{ label: "com.docker.compose.project", value: "gitlab-ce" }]));
    });

    test("the repository is initialised at deploy time through the app's Docker host, after the sidecar exists", () => {
        const init = only(built.mine, T.command);
        expect(init.name).toBe("mm-repository-init");
        const expected = repositoryCheckCommand(
            { container: "mattermost_stackback", timeoutSeconds: 120, requireLabels: true, composeProject: "mattermost" },
            { dockerHost: "ssh://deploy@vm1.test" },
        );
        expect(init.inputs.create).toBe(expected.create);
        expect(init.inputs.create).toContain("docker exec -i mattermost_stackback sh -s");
        expect(init.inputs.environment).toEqual({ DOCKER_HOST: "ssh://deploy@vm1.test" });
        expect(init.inputs.triggers).toEqual(["mm-sidecar-id"]);
    });

    test("each step waits for what it needs: lifecycle for versioning, sidecar for its policy, the check for the sidecar and Vault", () => {
        // MinIO refuses non-current-version rules on a bucket that is not versioned yet.
        expect(waitsFor(built.mine, "mm-lifecycle")).toEqual(["mm-bucket", "mm-versioning"]);
        // Started before its policy is attached, the sidecar's first restic call is denied.
        expect(waitsFor(built.mine, "mm-sidecar")).toEqual(["mm-cache", "mm-image", "mm-policy-attachment", "mm-restic-password", "mm-s3-secret-key"]);
        // The check initialises the repository with the password, so Vault must hold it first: a
        // failed Vault write after init would leave a repository whose password is nowhere.
        expect(waitsFor(built.mine, "mm-repository-init")).toEqual(["mm-sidecar", "mm-vault-secret"]);
        expect(waitsFor(built.mine, "mm-vault-secret")).toEqual(["mm-restic-password", "mm-s3-secret-key", "mm-user"]);
        expect(waitsFor(built.mine, "mm-policy-attachment")).toEqual(["mm-policy", "mm-user"]);
    });

    test("outputs: bucket, repository URL, Vault path, access key id, container, schedule, none secret", async () => {
        const c = built.component;
        const values = await Promise.all([c.bucket, c.repositoryUrl, c.vaultPath, c.accessKeyId, c.containerName, c.schedule].map(valueOf));
        expect(values).toEqual([
            "restic-stackback-mattermost-bucket",
            "s3:https://minio.test:9000/restic-stackback-mattermost-bucket",
            "secret/stackback_mattermost",
            "restic-stackback-mattermost",
            "mattermost_stackback",
            "0 2 * * *",
        ]);
    });

    test("options shape names, mount, retention and repository scheme", async () => {
        const other = await build("n8", {
            ...baseArgs,
            app: "n8n",
            namePrefix: "staging-stackback",
            vaultMount: "ansible",
            retentionDays: 14,
            minioSsl: false,
            initRepository: false,
        });
        expect(only(other.mine, T.bucket).inputs.bucket).toBe("staging-stackback-n8n-bucket");
        expect(only(other.mine, T.secret).inputs.mount).toBe("ansible");
        expect((only(other.mine, T.ilm).inputs.rules as Record<string, unknown>[])[0].noncurrentVersionExpirationDays).toBe(14);
        expect(envOf(only(other.mine, T.container)).get("RESTIC_REPOSITORY")).toBe("s3:http://minio.test:9000/staging-stackback-n8n-bucket");
        expect(envOf(only(other.mine, T.container)).get("RESTIC_KEEP_DAILY")).toBe("14");
        expect(other.mine.filter((r) => r.type === T.command)).toHaveLength(0);
    });

    test("time zone, CA, check bound, labels and sshOpts reach the sidecar and the check", async () => {
        const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
        const other = await build("tz", {
            ...baseArgs,
            app: "tzapp",
            timezone: "Europe/Berlin",
            minioCaCert: pem,
            checkTimeoutSeconds: 30,
            requireLabels: false,
            sshOpts: ["-p", "2222"],
            monitoring: { port: 9501 },
        });
        const sidecar = other.mine.find((r) => r.name === "tz-sidecar")!;
        const env = envOf(sidecar);
        expect(env.get("TZ")).toBe("Europe/Berlin");
        expect(env.get("RESTIC_CACERT")).toBe("/cache/platform-backups/ca.pem");
        expect(env.get("PLATFORM_BACKUPS_CA_PEM")).toBe(pem);
        expect((sidecar.inputs.command as string[]).join(" ")).toMatch(/exec \.\/entrypoint\.sh$/);
        const exporter = other.mine.find((r) => r.name === "tz-exporter")!;
        expect(envOf(exporter).get("TZ")).toBe("Europe/Berlin");
        expect(envOf(exporter).get("RESTIC_CACERT")).toBe("/tmp/platform-backups/ca.pem");
        expect((exporter.inputs.command as string[]).join(" ")).toMatch(
            /exec \/usr\/local\/bin\/python -u -c 'import sys; sys\.path\.insert\(0, "\/app"\); import exporter;.* exporter\.main\(\)'$/,
        );
        const init = other.mine.find((r) => r.name === "tz-repository-init")!;
        expect(init.inputs.create).toContain("T=30");
        expect(init.inputs.create).toContain("REQUIRE_LABELS=0");
        expect(init.inputs.create).toContain("ssh '-p' '2222' -l 'deploy' -- 'vm1.test' docker exec -i tzapp_stackback sh -s");
        expect(init.inputs.environment).toBeUndefined();

        const byPath = await build("cp", { ...baseArgs, app: "cpapp", minioCaCertPath: "/etc/ssl/internal-ca.pem" });
        const sc = byPath.mine.find((r) => r.name === "cp-sidecar")!;
        expect(envOf(sc).get("RESTIC_CACERT")).toBe("/etc/platform-backups/ca.pem");
        expect(sc.inputs.volumes).toEqual(
            expect.arrayContaining([{ hostPath: "/etc/ssl/internal-ca.pem", containerPath: "/etc/platform-backups/ca.pem", readOnly: true }]),
        );
    });

    test("bad arguments fail with every problem listed, before anything is registered", () => {
        const before = registered.length;
        let message = "";
        try {
            new AppBackup(
                "bad",
                {
                    app: "Bad_App",
                    schedule: "*/5 2 * * *",
                    minioEndpoint: "https://minio",
                    retentionDays: 0,
                    image: "ghcr.io/lawndoc/stack-back:latest",
                    timezone: "Mars/Olympus",
                    checkTimeoutSeconds: 5,
                    minioCaCert: "not a pem",
                    minioCaCertPath: "relative.pem",
                    dockerHost: "tcp://vm1:2375",
                },
                { providers },
            );
        } catch (e) {
            message = (e as Error).message;
            expect(e).toBeInstanceOf(pulumi.RunError);
        }
        for (const arg of [
            "app:",
            "schedule:",
            "minioEndpoint:",
            "retentionDays:",
            "image:",
            "timezone:",
            "checkTimeoutSeconds:",
            "minioCaCert:",
            "minioCaCertPath:",
            "dockerHost:",
        ]) {
            expect(message).toContain(arg);
        }
        expect(registered.length).toBe(before);
        expect(registered.some((r) => r.name === "bad")).toBe(false);
    });
});

describe("AppBackup with monitoring", () => {
    let built: Awaited<ReturnType<typeof build>>;
    beforeAll(async () => {
        built = await build("mon", {
            ...baseArgs,
            app: "n8n",
            monitoring: { port: 9471 },
            extraEnv: [{ name: "DISCORD_WEBHOOK", value: "https://discord.example/api/webhooks/1/abc", secret: true }],
        });
    });
    const named = (suffix: string) => built.mine.find((r) => r.name === `mon-${suffix}`)!;

    test("adds a read-only user, its policy and an exporter on the app's own host", () => {
        expect(built.mine.filter((r) => r.type !== APP_BACKUP_TYPE)).toHaveLength(21);
        const exporter = named("exporter");
        expect(exporter.type).toBe(T.container);
        expect(exporter.provider).toContain("::docker-vm1::");
        expect(named("exporter-image").inputs.name).toMatch(/^ngosang\/restic-exporter:\d+\.\d+\.\d+$/);
        expect(exporter.inputs.image).toContain("@sha256:");
        expect(exporter.inputs.name).toBe("n8n_restic_exporter");
        expect(exporter.inputs.ports).toEqual([{ internal: 8001, external: 9471 }]);
        expect(exporter.inputs.volumes).toEqual([{ volumeName: "n8n_restic_exporter_cache", containerPath: EXPORTER_CACHE_PATH }]);
        // Without a CA to write, the start is still ours: "no backup yet" gets a metric (EXPORTER_START_PYTHON).
        expect(exporter.inputs.command).toEqual(["/usr/local/bin/python", "-u", "-c", EXPORTER_START_PYTHON]);
        expect(named("exporter-cache").type).toBe(T.volume);
        // Started only once the repository exists: an exporter on a missing repository fails its first read.
        expect(waitsFor(built.mine, "mon-exporter")).toEqual([
            "mon-exporter-cache",
            "mon-exporter-image",
            "mon-reader-policy-attachment",
            "mon-reader-secret-key",
            "mon-repository-init",
            "mon-restic-password",
        ]);
        expect(named("exporter-image").inputs.name).toBe("ngosang/restic-exporter:2.0.2");
        // Without an image argument the sidecar too runs the pinned release (stack-back v1.5.4).
        expect(named("image").inputs.name).toBe("ghcr.io/lawndoc/stack-back:v1.5.4");
        expect(exporter.inputs.labels).toEqual(
            expect.arrayContaining([
                { label: "platform-backups.app", value: "n8n" },
                { label: "platform-backups.host", value: "vm1" },
            ]),
        );
        // outside stack-back's scope: no compose project label
        expect(JSON.stringify(exporter.inputs.labels)).not.toContain("com.docker.compose.project");
        for (const child of built.seen.filter((s) => s.name.startsWith("mon-reader") || s.name.startsWith("mon-exporter")))
            expect(child.parent).toBe(built.component);
    });

    test("the reader can list and read its bucket, never write, delete or reach another bucket", () => {
        const doc = named("reader-policy").inputs.policy as string;
        const bucket = "arn:aws:s3:::restic-stackback-n8n-bucket";
        expect(isAllowed(doc, "s3:ListBucket", bucket)).toBe(true);
        expect(isAllowed(doc, "s3:GetObject", `${bucket}/snapshots/abc`)).toBe(true);
        for (const action of ["s3:PutObject", "s3:DeleteObject"]) expect(isAllowed(doc, action, `${bucket}/locks/abc`)).toBe(false);
        expect(isAllowed(doc, "s3:GetObject", "arn:aws:s3:::restic-stackback-mattermost-bucket/config")).toBe(false);
        expect(named("reader-policy-attachment").inputs).toEqual({ userName: "restic-stackback-n8n-ro", policyName: "restic-stackback-n8n-ro" });
    });

    test("the exporter uses the reader's own key, never the writer's, and keeps both secret", () => {
        const env = envOf(named("exporter"));
        const sidecarEnv = envOf(named("sidecar"));
        expect(env.get("AWS_ACCESS_KEY_ID")).toBe("restic-stackback-n8n-ro");
        expect(env.get("AWS_SECRET_ACCESS_KEY")).not.toBe(sidecarEnv.get("AWS_SECRET_ACCESS_KEY"));
        expect(env.get("RESTIC_PASSWORD")).toBe(sidecarEnv.get("RESTIC_PASSWORD"));
        expect(env.get("RESTIC_REPOSITORY")).toBe(sidecarEnv.get("RESTIC_REPOSITORY"));
        expect(named("exporter").secretPaths).toEqual(["envs"]);
    });

    test("notifications reach the sidecar, the webhook as a secret output", async () => {
        expect(envOf(named("sidecar")).get("DISCORD_WEBHOOK")).toBe("https://discord.example/api/webhooks/1/abc");
        const envs = built.seen.find((s) => s.name === "mon-sidecar")!.props.envs as pulumi.Input<string>[];
        const texts = await Promise.all(envs.map((e) => valueOf(pulumi.output(e))));
        const secretFlags = await Promise.all(envs.map((e) => secrecyOf(pulumi.output(e))));
        expect(
            texts
                .filter((_, i) => secretFlags[i])
                .map((t) => t.split("=")[0])
                .sort(),
        ).toEqual(["AWS_SECRET_ACCESS_KEY", "DISCORD_WEBHOOK", "RESTIC_PASSWORD"]);
    });

    test("a switch whose value means the opposite, or a bad exporter port, is refused", () => {
        expect(
            () =>
                new AppBackup(
                    "sw",
                    { ...baseArgs, extraEnv: [{ name: "SWARM_MODE", value: "false", secret: false }], monitoring: { port: 70000 } },
                    { providers },
                ),
        ).toThrow(/monitoring\.port: 70000[\s\S]*extraEnv: SWARM_MODE=false/);
        expect(() => new AppBackup("sw2", { ...baseArgs, extraEnv: [{ name: "AUTO_BACKUP_ALL", value: "yes", secret: false }] }, { providers })).toThrow(
            /AUTO_BACKUP_ALL=yes silently means OFF/,
        );
    });

    test("AUTO_BACKUP_ALL=false means off in stack-back (utils.py is_true) and is accepted", () => {
        expect(
            () => new AppBackup("sw3", { ...baseArgs, app: "swapp", extraEnv: [{ name: "AUTO_BACKUP_ALL", value: "false", secret: false }] }, { providers }),
        ).not.toThrow();
    });
});
