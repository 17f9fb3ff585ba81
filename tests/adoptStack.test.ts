/**
 * The migration guide's adopt settings, run as written: the prod stack with the six apps of
 * docs/migrate.md's YAML block, under the mock engine in preview mode. What a mock preview can
 * show: the import IDs the engine receives, the options, what is registered at all (no restic
 * password), and that no resource gets another identity than in the prod stack without adoption.
 * What it cannot show: whether a real import matches (no provider runs here).
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { FAKE_PROVIDER_SECRETS, runStackProgram } from "./support/jestStack";
import { programError } from "./support/program";
import { installMocks, Registered, setVaultSecret } from "./support/pulumiMocks";
import { ROOT, setStackConfig, stackConfig } from "./support/stack";

/** The YAML block that follows the `adopt-settings` marker in docs/migrate.md. */
function guideApps(): Record<string, unknown>[] {
    const guide = fs.readFileSync(path.join(ROOT, "docs", "migrate.md"), "utf8");
    const block = /<!-- adopt-settings:[^>]*-->\s*```yaml\n([\s\S]*?)```/.exec(guide);
    if (!block) throw new Error("docs/migrate.md has no adopt-settings YAML block");
    return (YAML.parse(block[1]) as Record<string, Record<string, unknown>[]>)["platform-backups:apps"];
}

const APPS = guideApps();
type Adopt = { bucket: string; vaultSecret: { mount: string; name: string; version: number }; lifecycle?: boolean; minioUser?: string };
const adoptOf = (app: Record<string, unknown>) => app.adopt as Adopt;
const passwordOf = (name: string) => `pw-of-${name}-repository`;

// Each secret's versions: the pinned one holds the repository's password, every other a decoy.
for (const app of APPS) {
    const { vaultSecret, minioUser } = adoptOf(app);
    const versions = Array.from({ length: vaultSecret.version + 1 }, (_, i) => ({ password: `decoy-${i + 1}`, access_key: minioUser ?? "x", secret_key: "s" }));
    versions[vaultSecret.version - 1] = { password: passwordOf(String(app.name)), access_key: minioUser ?? "x", secret_key: "shared-secret" };
    setVaultSecret(vaultSecret.mount, vaultSecret.name, versions);
}

let adopted: Registered[];
let exported: Record<string, unknown>;
let urns: string[];
/** The prod stack's URNs without adoption, as tests/prodUrns.test.ts keeps them. */
const PROD_URNS = fs
    .readFileSync(path.join(__dirname, "fixtures", "prod-urns.txt"), "utf8")
    .trim()
    .split("\n");

beforeAll(async () => {
    const run = await runStackProgram({ ...stackConfig("prod"), apps: APPS }, { preview: true });
    adopted = run.registered;
    exported = run.exports;
    // Every URN the mock engine registered (its monitor keeps them, keyed by URN).
    urns = [...(pulumi.runtime.getMonitor() as unknown as { resources: Map<string, unknown> }).resources.keys()].sort();
    // The whole prod program under the mocks: seconds alone, over a minute when every core is busy.
}, 240_000);

function one(name: string, type: string): Registered {
    const found = adopted.filter((r) => r.name === name && r.type === type);
    if (found.length !== 1) throw new Error(`expected one ${type} ${name}, found ${found.length}`);
    return found[0];
}

test("the guide's block holds the seed's six apps, each adopting a bucket and a pinned secret", () => {
    expect(APPS.map((a) => a.name)).toEqual(["mattermost", "n8n", "vault", "linkwarden", "solidtime", "gitlab"]);
    for (const app of APPS) expect(adoptOf(app)).toMatchObject({ bucket: expect.any(String), vaultSecret: { mount: "ansible", version: expect.any(Number) } });
});

test.each(APPS.map((a) => [String(a.name), adoptOf(a)] as const))(
    "%s: bucket, versioning and its Vault secret are imported by the providers' IDs",
    (name, adopt) => {
        expect(one(`${name}-bucket`, "minio:index/s3Bucket:S3Bucket")).toMatchObject({ importId: adopt.bucket, inputs: { bucket: adopt.bucket } });
        expect(one(`${name}-versioning`, "minio:index/s3BucketVersioning:S3BucketVersioning").importId).toBe(adopt.bucket);
        expect(one(`${name}-lifecycle`, "minio:index/ilmPolicy:IlmPolicy").importId).toBe(adopt.lifecycle ? adopt.bucket : undefined);
        const secret = one(`${name}-vault-secret`, "vault:kv/secretV2:SecretV2");
        expect(secret.importId).toBe(`ansible/data/stackback_${name}`);
        expect(JSON.parse(secret.inputs.dataJson as string).password).toBe(passwordOf(name));
        for (const r of [`${name}-bucket`, `${name}-versioning`, `${name}-vault-secret`]) expect(adopted.find((x) => x.name === r)?.options.protect).toBe(true);
    },
);

test("no restic password is generated for any of them", () => {
    expect(adopted.filter((r) => r.name.endsWith("-restic-password"))).toEqual([]);
    expect(PROD_URNS.filter((u) => u.endsWith("-restic-password"))).toHaveLength(6);
});

test("nothing changes identity: the adopted stack is the prod stack less its six restic passwords", () => {
    const expected = PROD_URNS.filter((u) => !u.endsWith("-restic-password"));
    expect({ added: urns.filter((u) => !expected.includes(u)), removed: expected.filter((u) => !urns.includes(u)) }).toEqual({ added: [], removed: [] });
});

test("the shared old user is not kept: each app gets a user of its own, and the stack says what to retire after the proof", () => {
    for (const app of APPS) {
        const user = one(`${app.name}-user`, "minio:index/iamUser:IamUser");
        expect(user).toMatchObject({ inputs: { name: `restic-stackback-${app.name}` } });
        expect(user.importId).toBeUndefined();
    }
    expect(exported.retireAfterProof).toEqual({ minioUsers: { stackback: ["mattermost", "n8n", "vault", "linkwarden", "solidtime", "gitlab"] } });
});

test("gitlab's quota waits for the proof: an import cannot set it", () => {
    expect(one("gitlab-bucket", "minio:index/s3Bucket:S3Bucket").options.ignoreChanges).toEqual(["quota"]);
});

describe("bad adopt settings", () => {
    test("stop the program with every problem and its path, before any resource", async () => {
        const registered = installMocks();
        const prod = stackConfig("prod");
        const apps = APPS.map((a) => ({ ...a }));
        apps[0] = { ...apps[0], adopt: { bucket: adoptOf(apps[0]).bucket } };
        apps[1] = { ...apps[1], adopt: { ...adoptOf(apps[1]), bucket: adoptOf(apps[2]).bucket } };
        apps[3] = { ...apps[3], adopt: { ...adoptOf(apps[3]), bucket: "restic-stackback-gitlab-bucket" } };
        setStackConfig({ ...prod, apps }, FAKE_PROVIDER_SECRETS);
        const error = await programError();
        expect(pulumi.RunError.isInstance(error)).toBe(true);
        const message = (error as Error).message;
        expect(message).toContain("apps[0] (mattermost).adopt.vaultSecret: is missing");
        expect(message).toContain(`apps[2] (vault).adopt.bucket: "${adoptOf(APPS[2]).bucket}" is also adopted by apps[1] (n8n)`);
        expect(message).toContain('apps[3] (linkwarden).adopt.bucket: "restic-stackback-gitlab-bucket" is the bucket of apps[5] (gitlab)');
        expect(registered).toEqual([]);
    });
});
