/**
 * AppBackup's restore wiring under the mock engine: the restore drill container, the reader
 * identity it shares with the exporter, the reader's keys in the app's Vault secret, the per-app
 * Vault restore policy, and the bucket quota.
 */
import * as docker from "@pulumi/docker";
import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { installMocks, Registered, SeenOptions, settle, valueOf } from "./support/pulumiMocks";

const registered = installMocks();

import { AppBackup, AppBackupArgs, DRILL_CA_FROM_PEM } from "../components/appBackup";
import { restoreIdentityProblems, restoreTokenCommand, vaultRestorePolicy } from "../components/restoreAccess";
import { DRILL_METRICS_PORT, DRILL_SCRATCH_DIR } from "../components/restoreDrill";
import { CONTAINER_CA_PATH, DEFAULT_STACKBACK_IMAGE } from "../components/stackback";
import { isStackBackContainer, restoreDrillProblems, violations } from "../policy/rules";

const T = {
    container: "docker:index/container:Container",
    image: "docker:index/remoteImage:RemoteImage",
    volume: "docker:index/volume:Volume",
    user: "minio:index/iamUser:IamUser",
    bucket: "minio:index/s3Bucket:S3Bucket",
    secret: "vault:kv/secretV2:SecretV2",
    vaultPolicy: "vault:index/policy:Policy",
    password: "random:index/randomPassword:RandomPassword",
};

const providers = {
    minio: new minio.Provider("minio", { minioServer: "minio.test:9000" }),
    vault: new vault.Provider("vault", { address: "https://vault.test:8200" }),
    docker: new docker.Provider("docker-vm3", { host: "ssh://deploy@vm3.test" }),
};

const base: AppBackupArgs = {
    app: "gitlab",
    schedule: "40 2 * * *",
    minioEndpoint: "minio.test:9000",
    group: "blue",
    host: "vm3",
    dockerHost: "ssh://deploy@vm3.test",
    vaultMount: "ansible",
};
const drill = { schedule: "30 5 * * *", port: 10600 };

async function build(name: string, args: AppBackupArgs) {
    const seen: SeenOptions[] = [];
    const component = new AppBackup(name, args, {
        providers,
        transformations: [
            (t) => {
                seen.push({ type: t.type, name: t.name, opts: t.opts, parent: t.opts.parent });
                return undefined;
            },
        ],
    });
    await valueOf(component.containerName);
    await settle();
    const mine = registered.filter((r) => r.name.startsWith(`${name}-`));
    const named = (suffix: string): Registered => {
        const found = mine.filter((r) => r.name === `${name}-${suffix}`);
        if (found.length !== 1) throw new Error(`expected one ${name}-${suffix}; have ${mine.map((r) => r.name).join(", ")}`);
        return found[0];
    };
    return { component, seen, mine, named };
}

function envOf(container: Registered): Map<string, string> {
    return new Map((container.inputs.envs as string[]).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

describe("AppBackup with a restore drill and no exporter", () => {
    let built: Awaited<ReturnType<typeof build>>;
    beforeAll(async () => {
        built = await build("dr", { ...base, restoreDrill: drill });
    });

    test("creates the reader (under the exporter's old child names) for the drill alone", () => {
        for (const suffix of ["reader-secret-key", "reader", "reader-policy", "reader-policy-attachment"]) expect(built.named(suffix)).toBeDefined();
        expect(built.named("reader").inputs.name).toBe("restic-stackback-gitlab-ro");
        expect(built.mine.some((r) => r.name.startsWith("dr-exporter"))).toBe(false);
        expect(restoreIdentityProblems(built.named("reader-policy").inputs.policy as string, "restic-stackback-gitlab-bucket")).toEqual([]);
    });

    test("runs the drill container on the app's host with the sidecar's pinned image, reader keys only", () => {
        const c = built.named("restore-drill");
        expect(c.type).toBe(T.container);
        expect(c.provider).toContain("::docker-vm3::");
        expect(c.inputs.name).toBe("gitlab_restore_drill");
        // One RemoteImage: the drill reuses the sidecar's (stack-back has restic, sh, python3, crond).
        expect(built.mine.filter((r) => r.type === T.image)).toHaveLength(1);
        expect(c.inputs.image).toBe(`${DEFAULT_STACKBACK_IMAGE}@sha256:${"0".repeat(64)}`);
        const env = envOf(c);
        expect(env.get("AWS_ACCESS_KEY_ID")).toBe("restic-stackback-gitlab-ro");
        expect(env.get("AWS_SECRET_ACCESS_KEY")).toBe(`mock-dr-reader-secret-key-${"x".repeat(40)}`.slice(0, 40));
        expect(env.get("DRILL_SCHEDULE")).toBe("30 5 * * *");
        expect(env.get("RESTIC_REPOSITORY")).toBe("s3:https://minio.test:9000/restic-stackback-gitlab-bucket");
        // The writer's secret key never reaches the drill.
        expect([...env.values()].some((v) => v.includes("s3-secret-key"))).toBe(false);
        expect(c.inputs.ports).toEqual([{ internal: DRILL_METRICS_PORT, external: 10600 }]);
        expect(c.inputs.command).toEqual(["sh", "/drill/entrypoint.sh"]);
        expect((c.inputs.uploads as Array<{ file: string }>).map((u) => u.file)).toEqual([
            "/drill/entrypoint.sh",
            "/drill/drill.sh",
            "/drill/drill.py",
            "/drill/metrics_server.py",
        ]);
    });

    test("keeps the password and the reader's key secret (the engine sees the envs list as a secret)", () => {
        const c = built.named("restore-drill");
        // A list with a secret element reaches the engine as a secret list: the plain parts stay visible.
        expect(c.secretPaths).toEqual(["envs"]);
        expect(built.named("reader-secret-key").type).toBe(T.password);
        expect(built.named("vault-secret").secretPaths).toEqual(["dataJson"]);
    });

    test("has no Docker socket, no Compose project label, a metrics and a scratch volume, and passes the policy pack", () => {
        const c = built.named("restore-drill");
        expect(c.inputs.volumes).toEqual([
            { volumeName: "gitlab_restore_drill_metrics", containerPath: "/srv/drill" },
            { volumeName: "gitlab_restore_drill_scratch", containerPath: DRILL_SCRATCH_DIR },
        ]);
        expect(JSON.stringify(c.inputs.labels)).not.toContain("com.docker.compose.project");
        expect(c.inputs.labels).toContainEqual({ label: "platform-backups.role", value: "restore-drill" });
        expect(isStackBackContainer(c.inputs)).toBe(false);
        expect(violations({ type: c.type, name: c.name, props: c.inputs, opts: {} })).toEqual([]);
        // The pack does look at it: with the socket mounted it is refused.
        const withSocket = {
            ...c.inputs,
            volumes: [...(c.inputs.volumes as object[]), { hostPath: "/var/run/docker.sock", containerPath: "/tmp/docker.sock" }],
        };
        expect(restoreDrillProblems(withSocket)).toHaveLength(1);
        expect(built.named("drill-metrics").type).toBe(T.volume);
        expect(built.named("drill-scratch").inputs.name).toBe("gitlab_restore_drill_scratch");
    });

    test("starts only after the repository check and the reader's policy attachment", async () => {
        const deps = (built.seen.find((s) => s.name === "dr-restore-drill")?.opts.dependsOn ?? []) as pulumi.Resource[];
        const urns = await Promise.all(deps.map((d) => valueOf(d.urn)));
        expect(urns.map((u) => u.split("::").pop()).sort()).toEqual(["dr-reader-policy-attachment", "dr-repository-init"]);
    });

    test("puts the reader's keys into the app's Vault secret after the existing fields, as a secret", async () => {
        const secret = built.named("vault-secret");
        expect(secret.secretPaths).toContain("dataJson");
        const data = JSON.parse(secret.inputs.dataJson as string) as Record<string, string>;
        expect(Object.keys(data)).toEqual(["password", "access_key", "secret_key", "repository", "reader_access_key", "reader_secret_key"]);
        expect(data.access_key).toBe("restic-stackback-gitlab");
        expect(data.secret_key).toBe(`mock-dr-s3-secret-key-${"x".repeat(40)}`.slice(0, 40));
        expect(data.reader_access_key).toBe("restic-stackback-gitlab-ro");
        expect(data.reader_secret_key).toBe(`mock-dr-reader-secret-key-${"x".repeat(40)}`.slice(0, 40));
    });

    test("creates the app's Vault restore policy and outputs its name and the token command", async () => {
        const policy = built.named("restore-policy");
        expect(policy.type).toBe(T.vaultPolicy);
        expect(policy.provider).toContain("::vault::");
        expect(policy.inputs.name).toBe("restic-stackback-gitlab-restore");
        expect(policy.inputs.policy).toBe(vaultRestorePolicy("ansible", "stackback_gitlab"));
        expect(policy.inputs.policy).toContain('path "ansible/data/stackback_gitlab"');
        expect(await valueOf(built.component.restorePolicyName)).toBe("restic-stackback-gitlab-restore");
        expect(await valueOf(built.component.restoreTokenCommand)).toBe(restoreTokenCommand("restic-stackback-gitlab-restore"));
        expect(await valueOf(built.component.drillSchedule)).toBe("30 5 * * *");
        expect(await valueOf(built.component.drillContainerName)).toBe("gitlab_restore_drill");
    });
});

describe("AppBackup without monitoring or drill", () => {
    test("keeps exactly the Vault secret it had (no reader fields), and has no reader or drill", async () => {
        const built = await build("plain", base);
        const data = JSON.parse(built.named("vault-secret").inputs.dataJson as string) as Record<string, string>;
        expect(Object.keys(data)).toEqual(["password", "access_key", "secret_key", "repository"]);
        expect(built.mine.some((r) => r.name.includes("reader") || r.name.includes("drill"))).toBe(false);
        expect(built.named("bucket").inputs.quota).toBeUndefined();
        expect(await valueOf(built.component.drillSchedule)).toBeUndefined();
        expect(built.named("restore-policy").inputs.name).toBe("restic-stackback-gitlab-restore");
    });
});

describe("AppBackup with monitoring and a drill", () => {
    test("shares one reader between exporter and drill, under its old names", async () => {
        const built = await build("both", { ...base, monitoring: { port: 9600 }, restoreDrill: drill });
        expect(
            built.mine
                .filter((r) => r.type === T.user)
                .map((r) => r.name)
                .sort(),
        ).toEqual(["both-reader", "both-user"]);
        expect(
            built.mine
                .filter((r) => r.type === T.password)
                .map((r) => r.name)
                .sort(),
        ).toEqual(["both-reader-secret-key", "both-restic-password", "both-s3-secret-key"]);
        const key = `mock-both-reader-secret-key-${"x".repeat(40)}`.slice(0, 40);
        expect(envOf(built.named("exporter")).get("AWS_SECRET_ACCESS_KEY")).toBe(key);
        expect(envOf(built.named("restore-drill")).get("AWS_SECRET_ACCESS_KEY")).toBe(key);
    });
});

describe("AppBackup drill options", () => {
    test("a drill image other than the sidecar's is pulled on its own", async () => {
        const built = await build("img", { ...base, restoreDrill: { ...drill, image: "registry.example/drill:1.2.3" } });
        expect(built.named("drill-image").inputs.name).toBe("registry.example/drill:1.2.3");
        expect(built.named("restore-drill").inputs.image).toBe(`registry.example/drill:1.2.3@sha256:${"0".repeat(64)}`);
    });

    test("MinIO's CA reaches the drill: a host file mounted read-only, or PEM text uploaded", async () => {
        const onHost = await build("cap", { ...base, minioCaCertPath: "/etc/ssl/minio-ca.pem", restoreDrill: drill });
        const c1 = onHost.named("restore-drill");
        expect(c1.inputs.volumes).toContainEqual({ hostPath: "/etc/ssl/minio-ca.pem", containerPath: CONTAINER_CA_PATH, readOnly: true });
        expect(envOf(c1).get("RESTIC_CACERT")).toBe(CONTAINER_CA_PATH);
        const pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2xvdWQ=\n-----END CERTIFICATE-----\n";
        const inline = await build("cat", { ...base, minioCaCert: pem, restoreDrill: drill });
        const c2 = inline.named("restore-drill");
        expect(c2.inputs.uploads).toContainEqual({ file: DRILL_CA_FROM_PEM, content: pem, executable: false });
        expect(envOf(c2).get("RESTIC_CACERT")).toBe(DRILL_CA_FROM_PEM);
    });

    test("a bucket quota in GiB reaches MinIO in bytes", async () => {
        const built = await build("quo", { ...base, quotaGiB: 500 });
        expect(built.named("bucket").inputs.quota).toBe(500 * 1024 * 1024 * 1024);
    });

    test("bad drill and quota arguments are refused together, before anything is registered", () => {
        const before = registered.length;
        expect(
            () =>
                new AppBackup(
                    "bad",
                    {
                        ...base,
                        quotaGiB: 0,
                        monitoring: { port: 9600 },
                        restoreDrill: { schedule: "*/5 * * * *", port: 9600, image: "stack-back:latest", checkSlices: 300 },
                    },
                    { providers },
                ),
        ).toThrow(
            /restoreDrill\.checkSlices: 300[\s\S]*restoreDrill\.schedule[\s\S]*restoreDrill\.image[\s\S]*restoreDrill\.port: 9600 is also monitoring\.port[\s\S]*quotaGiB: 0/,
        );
        expect(registered.length).toBe(before);
    });
});
