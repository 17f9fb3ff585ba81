import {
    adoptedNames,
    adoptedOptions,
    adoptionPlan,
    adoptionLabels,
    adoptionSummary,
    adoptProblems,
    componentAdoptSettings,
    fleetAdoptProblems,
    sharedMinioUsers,
    AdoptSettings,
    bucketImportId,
    minioUserImportId,
    UNMATCHED_ON_IMPORT,
    vaultSecretImportId,
} from "../components/adopt";

const N8N: AdoptSettings = {
    bucket: "restic-stackback-platform-one-vm1-n8n-bucket",
    vaultSecret: { mount: "ansible", name: "stackback_n8n", version: 3 },
};

describe("import IDs (one fact of the providers' sources each)", () => {
    test("a MinIO bucket, its versioning and its lifecycle import by the bucket's name (terraform-provider-minio v1.20.1)", () => {
        expect(bucketImportId("restic-stackback-vm1-n8n-bucket")).toBe("restic-stackback-vm1-n8n-bucket");
    });
    test("a MinIO user imports by its name, its access key (resource_minio_iam_user.go)", () => {
        expect(minioUserImportId("stackback")).toBe("stackback");
    });
    test("a KV v2 secret imports by <mount>/data/<name> (terraform-provider-vault resource_kv_secret_v2.go)", () => {
        expect(vaultSecretImportId({ mount: "ansible", name: "stackback_n8n" })).toBe("ansible/data/stackback_n8n");
        expect(vaultSecretImportId({ mount: "kv/team", name: "apps/stackback_n8n" })).toBe("kv/team/data/apps/stackback_n8n");
    });
});

describe("adoptedOptions", () => {
    test("until proven: protected, and what the import cannot match is ignored", () => {
        expect(adoptedOptions(N8N, "b", UNMATCHED_ON_IMPORT.bucket)).toEqual({ import: "b", protect: true, ignoreChanges: ["quota"] });
        expect(adoptedOptions(N8N, "ansible/data/stackback_n8n", UNMATCHED_ON_IMPORT.secret)).toEqual({
            import: "ansible/data/stackback_n8n",
            protect: true,
            ignoreChanges: ["dataJson"],
        });
    });
    test("once proven: the import ID stays (a no-op once in the state), protect and ignoreChanges go", () => {
        expect(adoptedOptions({ ...N8N, proven: true }, "b", UNMATCHED_ON_IMPORT.lifecycle)).toEqual({ import: "b", protect: false, ignoreChanges: [] });
    });
});

describe("what the check and the sidecar say about an adoption", () => {
    test("the summary names the bucket and the Vault secret with its version, and no value", () => {
        expect(adoptionSummary(N8N)).toBe(
            "adopted bucket restic-stackback-platform-one-vm1-n8n-bucket, the restic password from Vault ansible/stackback_n8n version 3",
        );
        expect(adoptionSummary({ ...N8N, vaultSecret: { mount: "ansible", name: "stackback_n8n" }, minioUser: "stackback-n8n" })).toBe(
            "adopted bucket restic-stackback-platform-one-vm1-n8n-bucket, the restic password from Vault ansible/stackback_n8n (latest version), MinIO user stackback-n8n",
        );
    });
    test("labels mark the sidecar of an adopted app, and only that", () => {
        expect(adoptionLabels(N8N)).toEqual([
            { label: "platform-backups.adopted-bucket", value: "restic-stackback-platform-one-vm1-n8n-bucket" },
            { label: "platform-backups.adopted-password-from", value: "vault:ansible/stackback_n8n version 3" },
        ]);
        expect(adoptionLabels(undefined)).toEqual([]);
        expect(adoptionLabels({})).toEqual([]);
    });
});

describe("adoptProblems", () => {
    test("the seed's settings are fine", () => {
        expect(adoptProblems(N8N)).toEqual([]);
        expect(adoptProblems({ ...N8N, minioUser: "stackback-n8n", readerUser: "stackback-n8n-ro", proven: true })).toEqual([]);
    });
    test("a bucket without the secret of its password is refused: the program would generate a new password", () => {
        const problems = adoptProblems({ bucket: N8N.bucket });
        expect(problems).toEqual([{ key: "vaultSecret", message: expect.stringContaining("would generate a new one") }]);
    });
    test("every setting without a bucket is named, each with its path", () => {
        const problems = adoptProblems({ vaultSecret: N8N.vaultSecret, minioUser: "stackback", proven: true });
        expect(problems.map((p) => p.key)).toEqual(["vaultSecret", "minioUser", "proven"]);
        for (const p of problems) expect(p.message).toContain("needs adopt.bucket");
    });
    test("malformed names and versions are each reported with a fix", () => {
        const problems = adoptProblems({
            bucket: "Restic_Bucket",
            vaultSecret: { mount: "/ansible/", name: "data/stackback_n8n", version: 0 },
            minioUser: "a b",
            readerUser: "x",
        });
        expect(problems.map((p) => p.key)).toEqual(["bucket", "vaultSecret.mount", "vaultSecret.name", "vaultSecret.version", "minioUser", "readerUser"]);
        expect(problems[3].message).toContain("vault kv metadata get -mount=/ansible/ data/stackback_n8n");
    });
    test("the writer cannot also be the reader", () => {
        expect(adoptProblems({ ...N8N, minioUser: "stackback-n8n", readerUser: "stackback-n8n" }).map((p) => p.key)).toEqual(["readerUser"]);
    });
});

describe("adoptionPlan", () => {
    const own = { mount: "ansible", name: "stackback_n8n" };
    test("nothing adopted: every part is created", () => {
        expect(adoptionPlan(undefined, own)).toEqual({});
        expect(adoptionPlan({}, own)).toEqual({});
    });
    test("bucket and versioning always, lifecycle only when it has rules, the secret only at the app's own path", () => {
        const plan = adoptionPlan(N8N, own);
        expect(Object.keys(plan).sort()).toEqual(["bucket", "secret", "summary", "versioning"]);
        expect(plan.secret?.import).toBe("ansible/data/stackback_n8n");
        expect(Object.keys(adoptionPlan({ ...N8N, lifecycle: true }, { mount: "secret", name: "stackback_n8n" })).sort()).toEqual([
            "bucket",
            "lifecycle",
            "summary",
            "versioning",
        ]);
    });
    test("kept users are imported by their names", () => {
        const plan = adoptionPlan({ ...N8N, minioUser: "stackback-n8n", readerUser: "stackback-n8n-ro" }, own);
        expect([plan.writer?.import, plan.reader?.import]).toEqual(["stackback-n8n", "stackback-n8n-ro"]);
        expect(plan.writer?.ignoreChanges).toEqual(["secret"]);
    });
});

describe("adoption across the fleet", () => {
    const bucketOf = (app: string) => `restic-stackback-${app}-bucket`;
    const app = (index: number, name: string, adopt: AdoptSettings) => ({ index, name, adopt });
    test("one bucket adopted by two apps, or another app's own bucket, or one reader for two apps: each named on the later app", () => {
        const problems = fleetAdoptProblems(
            [
                app(0, "n8n", { ...N8N, readerUser: "ro" }),
                app(1, "vault", { ...N8N, readerUser: "ro" }),
                app(2, "wiki", { ...N8N, bucket: "restic-stackback-n8n-bucket" }),
                app(3, "n8n2", { ...N8N, bucket: "restic-stackback-n8n2-bucket" }),
            ],
            bucketOf,
        );
        expect(problems.map((p) => [p.index, p.key])).toEqual([
            [1, "bucket"],
            [1, "readerUser"],
            [2, "bucket"],
        ]);
        expect(problems[0].message).toContain("also adopted by apps[0] (n8n)");
        expect(problems[2].message).toContain("is the bucket of apps[0] (n8n)");
    });
    test("a user named by several apps is shared and kept by none; a user of one app is kept", () => {
        const apps = [
            app(0, "a", { ...N8N, minioUser: "stackback" }),
            app(1, "b", { ...N8N, minioUser: "stackback" }),
            app(2, "c", { ...N8N, minioUser: "c-own" }),
        ];
        const shared = sharedMinioUsers(apps);
        expect(shared).toEqual({ stackback: ["a", "b"] });
        expect(componentAdoptSettings(apps[0].adopt, shared).minioUser).toBeUndefined();
        expect(componentAdoptSettings(apps[0].adopt, shared).bucket).toBe(N8N.bucket);
        expect(componentAdoptSettings(apps[2].adopt, shared).minioUser).toBe("c-own");
    });
});

describe("adoptedNames", () => {
    const names = {
        bucket: "restic-stackback-n8n-bucket",
        writerUser: "restic-stackback-n8n",
        readerUser: "restic-stackback-n8n-ro",
        container: "n8n_stackback",
    };
    test("the adopted bucket and kept users take the place of the program's names; the rest stays", () => {
        expect(adoptedNames(names, { ...N8N, minioUser: "stackback-n8n" })).toEqual({ ...names, bucket: N8N.bucket, writerUser: "stackback-n8n" });
        expect(adoptedNames(names, undefined)).toBe(names);
        expect(adoptedNames(names, { minioUser: "ignored-without-bucket" })).toBe(names);
    });
});
