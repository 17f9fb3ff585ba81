/**
 * The builders AppBackup composes (components/appBackup/), each alone under the mock engine: the
 * children it registers, their names (the URNs depend on them), inputs and options.
 * tests/appBackup.test.ts holds the composed component; tests/prodUrns.test.ts its URNs.
 */
import * as pulumi from "@pulumi/pulumi";
import { installMocks, Registered, SeenOptions, settle, valueOf } from "./support/pulumiMocks";

const registered = installMocks();

import { BuildContext, caMount, caPathIn, containerEnvs, kept } from "../components/appBackup/context";
import { buildDrill, DRILL_CA_FROM_PEM } from "../components/appBackup/drill";
import { buildExporter } from "../components/appBackup/exporter";
import { buildReader, buildWriter, SECRET_GENERATOR_SETTINGS } from "../components/appBackup/identities";
import { buildResticPassword, buildRestorePolicy, buildVaultSecret, vaultPathOf } from "../components/appBackup/secret";
import { buildCheck, buildSidecar, sidecarLabels } from "../components/appBackup/sidecar";
import { buildStorage } from "../components/appBackup/storage";
import type { AppBackupArgs } from "../components/appBackupArgs";
import { adoptedNames, adoptionPlan, AdoptSettings } from "../components/adopt";
import type { AdoptedSecret } from "../components/adoptedSecret";
import { backupNames } from "../components/naming";
import { CONTAINER_CA_PATH, plainEnv, secretEnv } from "../components/stackback";

const seen: SeenOptions[] = [];

/** A fresh context for app `app`, under a parent that records every child's options. */
function context(app: string, extra: Partial<AppBackupArgs> = {}): BuildContext {
    const args: AppBackupArgs = { app, schedule: "0 2 * * *", minioEndpoint: "minio.test:9000", group: "green", host: "vm1", ...extra };
    const parent = new pulumi.ComponentResource(
        "test:index:Parent",
        `${app}-parent`,
        {},
        {
            transformations: [
                (t) => {
                    seen.push({ type: t.type, name: t.name, opts: t.opts });
                    return undefined;
                },
            ],
        },
    );
    return { name: app, args, names: backupNames(app), repository: `s3:https://minio.test:9000/restic-stackback-${app}-bucket`, parent, adoption: {} };
}

/** The children registered for `app` so far, by name (without the app prefix). */
async function childrenOf(app: string): Promise<Map<string, Registered>> {
    await settle();
    return new Map(registered.filter((r) => r.name.startsWith(`${app}-`) && r.type !== "test:index:Parent").map((r) => [r.name.slice(app.length + 1), r]));
}
const optionsOf = (name: string) => seen.find((s) => s.name === name)?.opts ?? {};

describe("context helpers", () => {
    test("kept children are retained on delete; the CA is mounted only from a path", () => {
        const ctx = context("helpers");
        expect(kept(ctx)).toEqual({ parent: ctx.parent, retainOnDelete: true });
        expect(caMount(ctx.args)).toEqual([]);
        expect(caMount({ ...ctx.args, minioCaCertPath: "/etc/ca.pem" })).toEqual([
            { hostPath: "/etc/ca.pem", containerPath: CONTAINER_CA_PATH, readOnly: true },
        ]);
        expect(caPathIn({ ...ctx.args, minioCaCert: "PEM" }, "/x/ca.pem")).toBe("/x/ca.pem");
        expect(caPathIn({ ...ctx.args, minioCaCertPath: "/etc/ca.pem" }, "/x/ca.pem")).toBe(CONTAINER_CA_PATH);
        expect(caPathIn(ctx.args, "/x/ca.pem")).toBeUndefined();
    });

    test("container envs: plain entries as text, secret entries as secret outputs with the real value", async () => {
        const envs = containerEnvs([plainEnv("A", "1"), secretEnv("B", "placeholder")], { B: pulumi.output("real") });
        expect(envs[0]).toBe("A=1");
        expect(await pulumi.isSecret(envs[1] as pulumi.Output<string>)).toBe(true);
        expect(await valueOf(envs[1] as pulumi.Output<string>)).toBe("B=real");
    });
});

describe("storage", () => {
    test("a kept bucket with the quota in bytes, versioning, and a lifecycle that expires only old versions", async () => {
        buildStorage(context("store", { quotaGiB: 2, retentionDays: 9 }));
        const c = await childrenOf("store");
        expect([...c.keys()].sort()).toEqual(["bucket", "lifecycle", "versioning"]);
        expect(c.get("bucket")?.inputs).toMatchObject({ bucket: "restic-stackback-store-bucket", forceDestroy: false, quota: 2 * 2 ** 30 });
        expect(c.get("lifecycle")?.inputs.rules).toEqual([
            { id: "expire-noncurrent-versions", noncurrentVersionExpirationDays: 9 },
            { id: "expire-delete-markers", expiration: "DeleteMarker" },
        ]);
        for (const child of ["bucket", "versioning", "lifecycle"]) expect(c.get(child)?.options.retainOnDelete).toBe(true);
        expect(c.get("lifecycle")?.dependsOn).toContain("store-versioning");
    });
});

describe("identities", () => {
    test("the writer: a generated key never rotated by a generator change, a user without updateSecret, its policy attached", async () => {
        const writer = buildWriter(context("wr"));
        const c = await childrenOf("wr");
        expect([...c.keys()].sort()).toEqual(["policy", "policy-attachment", "s3-secret-key", "user"]);
        expect(optionsOf("wr-s3-secret-key").ignoreChanges).toEqual(SECRET_GENERATOR_SETTINGS);
        expect(c.get("s3-secret-key")?.options.retainOnDelete).toBe(true);
        expect(c.get("user")?.inputs).toMatchObject({ name: "restic-stackback-wr", forceDestroy: false });
        expect(c.get("user")?.inputs.updateSecret).toBeUndefined();
        expect(JSON.parse(c.get("policy")?.inputs.policy).Statement.length).toBeGreaterThan(0);
        expect(await valueOf(writer.user.name)).toBe("restic-stackback-wr");
    });

    test("the reader keeps the names it had when only the exporter used it", async () => {
        buildReader(context("rd"));
        const c = await childrenOf("rd");
        expect([...c.keys()].sort()).toEqual(["reader", "reader-policy", "reader-policy-attachment", "reader-secret-key"]);
        expect(optionsOf("rd-reader-secret-key").ignoreChanges).toEqual(["length", "special", "overrideSpecial"]);
    });
});

describe("secret", () => {
    test("the password and the Vault secret are kept; the reader's keys join only when there is a reader", async () => {
        const ctx = context("sec", { vaultMount: "ansible" });
        const resticPassword = buildResticPassword(ctx);
        const writer = buildWriter(ctx);
        buildVaultSecret(ctx, { resticPassword, writer });
        buildRestorePolicy(ctx);
        const c = await childrenOf("sec");
        expect(c.get("restic-password")?.inputs.length).toBe(48);
        expect(c.get("restic-password")?.options.retainOnDelete).toBe(true);
        const secret = c.get("vault-secret") as Registered;
        expect(secret.options.retainOnDelete).toBe(true);
        expect(secret.secretPaths).toContain("dataJson");
        expect(Object.keys(JSON.parse(secret.inputs.dataJson))).toEqual(["password", "access_key", "secret_key", "repository"]);
        expect(c.get("restore-policy")?.inputs.policy).toContain('path "ansible/data/stackback_sec"');
        expect(vaultPathOf(ctx)).toBe("ansible/stackback_sec");
    });
});

describe("sidecar and check", () => {
    test("the sidecar waits for the writer's policy; the check re-runs when the sidecar is recreated", async () => {
        const ctx = context("side", { composeProject: "proj" });
        const writer = buildWriter(ctx);
        const { container } = buildSidecar(ctx, { resticPassword: pulumi.output("p"), writerSecretKey: writer.secretKey, after: writer.attachment });
        const check = buildCheck(ctx, container, container);
        const c = await childrenOf("side");
        expect(c.get("sidecar")?.dependsOn).toContain("side-policy-attachment");
        expect(c.get("cache")?.options.retainOnDelete).toBe(true);
        expect(sidecarLabels(ctx)[0]).toEqual({ label: "com.docker.compose.project", value: "proj" });
        expect(check).toBeDefined();
        expect(c.get("repository-init")?.inputs.create).toContain("COMPOSE_PROJECT='proj'");
        expect(c.get("repository-init")?.dependsOn).toContain("side-sidecar");
        expect(buildCheck(context("nocheck", { initRepository: false }), container, container)).toBeUndefined();
    });
});

describe("exporter and drill", () => {
    test("both read with the reader's key and wait for its policy and for the check", async () => {
        const ctx = context("mon", { minioCaCert: "PEM" });
        const reader = buildReader(ctx);
        const writer = buildWriter(ctx);
        const { image, container } = buildSidecar(ctx, { resticPassword: pulumi.output("p"), writerSecretKey: writer.secretKey, after: writer.attachment });
        buildExporter(ctx, { port: 9500 }, { resticPassword: pulumi.output("p"), reader, after: container });
        buildDrill(ctx, { schedule: "0 5 * * *", port: 10500 }, { resticPassword: pulumi.output("p"), reader, image, after: container });
        const c = await childrenOf("mon");
        for (const child of ["exporter", "restore-drill"]) {
            expect(c.get(child)?.dependsOn).toEqual(expect.arrayContaining(["mon-reader-policy-attachment", "mon-sidecar"]));
            expect(c.get(child)?.inputs.envs).toContain("AWS_ACCESS_KEY_ID=restic-stackback-mon-ro");
        }
        expect(c.get("exporter-cache")?.options.retainOnDelete).toBe(true);
        expect(c.get("restore-drill")?.inputs.uploads.map((u: { file: string }) => u.file)).toContain(DRILL_CA_FROM_PEM);
        // The drill shares the sidecar's image unless another is asked for.
        expect(c.has("drill-image")).toBe(false);
        expect([...c.keys()]).toEqual(expect.arrayContaining(["drill-metrics", "drill-scratch", "exporter-image"]));
    });
});

describe("adoption, builder by builder", () => {
    const ADOPT: AdoptSettings = {
        bucket: "restic-stackback-vm1-ado-bucket",
        vaultSecret: { mount: "ansible", name: "stackback_ado", version: 2 },
        minioUser: "stackback-ado",
    };
    /** A context as AppBackup makes it for an adopting app, with a stand-in for the Vault read (the component's test reads for real under mocks). */
    function adopting(app: string, adopt: AdoptSettings): BuildContext {
        const ctx = context(app, { vaultMount: "ansible", adopt });
        const names = adoptedNames(ctx.names, adopt);
        const adopted: AdoptedSecret = { field: (field) => pulumi.secret(`adopted-${field}`) };
        return { ...ctx, names, adoption: adoptionPlan(adopt, { mount: "ansible", name: names.vaultSecret }), adopted };
    }

    test("storage imports the adopted bucket and its versioning by the bucket's name, protected, ignoring what an import cannot match", async () => {
        buildStorage(adopting("ado", ADOPT));
        const c = await childrenOf("ado");
        expect(c.get("bucket")?.inputs.bucket).toBe(ADOPT.bucket);
        expect([c.get("bucket")?.importId, c.get("versioning")?.importId, c.get("lifecycle")?.importId]).toEqual([ADOPT.bucket, ADOPT.bucket, undefined]);
        expect(c.get("bucket")?.options).toMatchObject({ protect: true, retainOnDelete: true, ignoreChanges: ["quota"] });
        expect(c.get("versioning")?.options).toMatchObject({ protect: true, ignoreChanges: ["versioningConfiguration"] });
        expect(c.get("lifecycle")?.options.protect).toBe(false);
    });

    test("no password is generated; a kept writer keeps the adopted key and is imported; the own Vault secret at the adopted path is imported", async () => {
        const ctx = adopting("adp", { ...ADOPT, vaultSecret: { mount: "ansible", name: "stackback_adp", version: 2 } });
        const resticPassword = buildResticPassword(ctx);
        const writer = buildWriter(ctx);
        buildVaultSecret(ctx, { resticPassword, writer });
        const c = await childrenOf("adp");
        expect([...c.keys()].sort()).toEqual(["policy", "policy-attachment", "user", "vault-secret"]);
        expect(await valueOf(resticPassword)).toBe("adopted-password");
        expect(c.get("user")?.inputs).toMatchObject({ name: "stackback-ado", secret: "adopted-secret_key" });
        expect(c.get("user")?.importId).toBe("stackback-ado");
        expect(c.get("vault-secret")?.importId).toBe("ansible/data/stackback_adp");
        expect(JSON.parse(c.get("vault-secret")?.inputs.dataJson).password).toBe("adopted-password");
    });

    test("once proven, nothing adopted is protected or ignores changes any more; the import ID stays", async () => {
        buildStorage(adopting("prv", { ...ADOPT, proven: true }));
        const c = await childrenOf("prv");
        expect(c.get("bucket")?.importId).toBe(ADOPT.bucket);
        expect(c.get("bucket")?.options).toMatchObject({ protect: false, ignoreChanges: [] });
    });

    test("the sidecar is labelled with what it adopted, and the check is told (it then refuses to initialise)", async () => {
        const ctx = adopting("adl", ADOPT);
        const writer = buildWriter(ctx);
        const { container } = buildSidecar(ctx, { resticPassword: pulumi.output("pw"), writerSecretKey: writer.secretKey, after: writer.attachment });
        buildCheck(ctx, container, container);
        const c = await childrenOf("adl");
        expect(c.get("sidecar")?.inputs.labels).toEqual(expect.arrayContaining([{ label: "platform-backups.adopted-bucket", value: ADOPT.bucket }]));
        expect(c.get("repository-init")?.inputs.create).toContain("ADOPTED='adopted bucket restic-stackback-vm1-ado-bucket");
    });
});
