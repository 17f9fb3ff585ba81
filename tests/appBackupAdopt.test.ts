/**
 * AppBackup with `adopt`: what an adopted app registers under the mock engine. The mock engine
 * hands each resource's `import` option to `newResource` as its `id` (Registered.importId); the
 * Vault data source is served by the mocks' KV v2 store (tests/support/pulumiMocks.ts).
 */
import * as docker from "@pulumi/docker";
import * as minio from "@pulumi/minio";
import * as vault from "@pulumi/vault";
import { T } from "./support/resourceTypes";
import { installMocks, invoked, Registered, secrecyOf, setVaultSecret, settle, valueOf, VAULT_KV2_READ } from "./support/pulumiMocks";

const registered = installMocks();

// Imported after the mocks so that the component registers against them.
import { AppBackup, AppBackupArgs } from "../components";
import { validateAppBackupArgs } from "../components/appBackupArgs";

const providers = {
    minio: new minio.Provider("minio", { minioServer: "minio.test:9000" }),
    vault: new vault.Provider("vault", { address: "https://vault.test:8200" }),
    docker: new docker.Provider("docker-vm1", { host: "ssh://deploy@vm1.test" }),
};

/** The old setup's secret: version 2 holds the repository's password; version 3 was written over it by a careless re-add. */
const OLD = { password: "old-restic-password-v2", access_key: "stackback-n8n", secret_key: "old-secret-key" };
setVaultSecret("ansible", "stackback_n8n", [
    { password: "first", access_key: "stackback-n8n", secret_key: "k1" },
    OLD,
    { password: "a-new-password-that-opens-nothing", access_key: "restic-stackback-n8n", secret_key: "k3" },
]);

const ADOPT = {
    bucket: "restic-stackback-vm1-n8n-bucket",
    vaultSecret: { mount: "ansible", name: "stackback_n8n", version: 2 },
};

const baseArgs: AppBackupArgs = {
    app: "n8n",
    schedule: "20 2 * * *",
    minioEndpoint: "minio.test:9000",
    group: "green",
    host: "vm1",
    dockerHost: "ssh://deploy@vm1.test",
    vaultMount: "ansible",
};

async function build(name: string, args: AppBackupArgs) {
    const component = new AppBackup(name, args, { providers });
    await valueOf(component.containerName);
    await settle();
    const mine = registered.filter((r) => r.name.startsWith(`${name}-`) || r.name === name);
    const one = (type: string, suffix: string): Registered => {
        const found = mine.filter((r) => r.type === type && r.name === `${name}-${suffix}`);
        if (found.length !== 1) throw new Error(`expected one ${type} ${name}-${suffix}; have ${mine.map((r) => r.name).join(", ")}`);
        return found[0];
    };
    return { component, mine, one };
}

const envOf = (container: Registered, key: string) => (container.inputs.envs as string[]).find((e) => e.startsWith(`${key}=`))?.slice(key.length + 1);

describe("an adopted app, until proven", () => {
    let b: Awaited<ReturnType<typeof build>>;
    beforeAll(async () => {
        b = await build("n8n", { ...baseArgs, adopt: ADOPT });
    });

    test("imports the bucket and its versioning by the bucket's name, and keeps its name", () => {
        expect(b.one(T.bucket, "bucket").importId).toBe(ADOPT.bucket);
        expect(b.one(T.bucket, "bucket").inputs.bucket).toBe(ADOPT.bucket);
        expect(b.one(T.versioning, "versioning").importId).toBe(ADOPT.bucket);
    });

    test("without lifecycle: true, the lifecycle rules are created, not imported", () => {
        expect(b.one(T.ilm, "lifecycle").importId).toBeUndefined();
    });

    test("imports the app's Vault secret at the adopted path by <mount>/data/<name>", () => {
        const secret = b.one(T.secret, "vault-secret");
        expect(secret.importId).toBe("ansible/data/stackback_n8n");
        expect(secret.inputs).toMatchObject({ mount: "ansible", name: "stackback_n8n" });
    });

    test("creates no restic password: the only RandomPassword is the new user's S3 key", () => {
        expect(b.mine.filter((r) => r.type === T.password).map((r) => r.name)).toEqual(["n8n-s3-secret-key"]);
    });

    test("reads the password from the pinned version, and its Vault secret and sidecar hold it, as secrets", async () => {
        const reads = invoked.filter((i) => i.token === VAULT_KV2_READ);
        expect(reads).toContainEqual({ token: VAULT_KV2_READ, inputs: { mount: "ansible", name: "stackback_n8n", version: 2 } });
        const secret = b.one(T.secret, "vault-secret");
        expect(JSON.parse(secret.inputs.dataJson as string).password).toBe(OLD.password);
        expect(secret.secretPaths).toContain("dataJson");
        const sidecar = b.one(T.container, "sidecar");
        expect(envOf(sidecar, "RESTIC_PASSWORD")).toBe(OLD.password);
        expect(envOf(sidecar, "RESTIC_REPOSITORY")).toBe(`s3:https://minio.test:9000/${ADOPT.bucket}`);
        // The SDK sends a list with a secret element as one secret list.
        expect(sidecar.secretPaths).toEqual(["envs"]);
        expect(await secrecyOf(b.component.repositoryUrl)).toBe(false);
    });

    test("gives the app a new user of its own: the old user was not named as kept", () => {
        const user = b.one(T.user, "user");
        expect(user.importId).toBeUndefined();
        expect(user.inputs.name).toBe("restic-stackback-n8n");
    });

    test("protects what it adopted, and ignores what an import cannot match", () => {
        expect(b.one(T.bucket, "bucket").options).toMatchObject({ protect: true, retainOnDelete: true, ignoreChanges: ["quota"] });
        expect(b.one(T.versioning, "versioning").options).toMatchObject({ protect: true, ignoreChanges: ["versioningConfiguration"] });
        expect(b.one(T.secret, "vault-secret").options).toMatchObject({ protect: true, retainOnDelete: true, ignoreChanges: ["dataJson"] });
        expect(b.one(T.ilm, "lifecycle").options.protect).toBe(false);
    });

    test("labels the sidecar with where its repository and password come from", () => {
        expect(b.one(T.container, "sidecar").inputs.labels).toEqual(
            expect.arrayContaining([
                { label: "platform-backups.adopted-bucket", value: ADOPT.bucket },
                { label: "platform-backups.adopted-password-from", value: "vault:ansible/stackback_n8n version 2" },
            ]),
        );
    });

    test("the check refuses to initialise and names what was adopted from where", () => {
        const create = b.one(T.command, "repository-init").inputs.create as string;
        expect(create).toContain("adopted bucket restic-stackback-vm1-n8n-bucket, the restic password from Vault ansible/stackback_n8n version 2");
        expect(create).not.toContain(OLD.password);
    });
});

describe("an adopted app, proven", () => {
    test("keeps the import IDs (a no-op once imported), lifts protect and applies the program's settings", async () => {
        const b = await build("n8p", { ...baseArgs, app: "n8p", quotaGiB: 100, adopt: { ...ADOPT, lifecycle: true, proven: true } });
        for (const [type, suffix] of [
            [T.bucket, "bucket"],
            [T.versioning, "versioning"],
            [T.ilm, "lifecycle"],
        ]) {
            expect(b.one(type, suffix).importId).toBe(ADOPT.bucket);
            expect(b.one(type, suffix).options).toMatchObject({ protect: false, ignoreChanges: [] });
        }
        expect(b.one(T.bucket, "bucket").inputs.quota).toBe(100 * 2 ** 30);
        expect(b.one(T.secret, "vault-secret").options).toMatchObject({ protect: false, ignoreChanges: [] });
    });
});

describe("a kept MinIO user", () => {
    test("is imported by its name and keeps the secret key from the adopted secret; no key is generated", async () => {
        const b = await build("n8k", { ...baseArgs, app: "n8k", adopt: { ...ADOPT, minioUser: "stackback-n8n" } });
        const user = b.one(T.user, "user");
        expect(user.importId).toBe("stackback-n8n");
        expect(user.inputs).toMatchObject({ name: "stackback-n8n", secret: OLD.secret_key });
        expect(user.options).toMatchObject({ protect: true, ignoreChanges: ["secret"] });
        expect(b.mine.filter((r) => r.type === T.password)).toEqual([]);
        const sidecar = b.one(T.container, "sidecar");
        expect(envOf(sidecar, "AWS_ACCESS_KEY_ID")).toBe("stackback-n8n");
        expect(envOf(sidecar, "AWS_SECRET_ACCESS_KEY")).toBe(OLD.secret_key);
        expect(JSON.parse(b.one(T.secret, "vault-secret").inputs.dataJson as string)).toMatchObject({
            access_key: "stackback-n8n",
            secret_key: OLD.secret_key,
        });
    });
});

describe("adoption from another path than the app's own secret", () => {
    test("reads the password there and creates the app's secret (nothing to import at its own path)", async () => {
        const b = await build("n8o", { ...baseArgs, app: "n8o", vaultMount: "secret", adopt: ADOPT });
        const secret = b.one(T.secret, "vault-secret");
        expect(secret.importId).toBeUndefined();
        expect(secret.inputs).toMatchObject({ mount: "secret", name: "stackback_n8o" });
        expect(JSON.parse(secret.inputs.dataJson as string).password).toBe(OLD.password);
        expect(b.mine.filter((r) => r.type === T.password).map((r) => r.name)).toEqual(["n8o-s3-secret-key"]);
    });
});

describe("validateAppBackupArgs", () => {
    test("refuses an adopted bucket without the secret of its password, with the arg's path", () => {
        expect(validateAppBackupArgs({ ...baseArgs, adopt: { bucket: ADOPT.bucket } })).toEqual([expect.stringMatching(/^adopt\.vaultSecret: is missing/)]);
    });
});
