/**
 * The rights table (components/rights.ts) against the program and the committed documents:
 * - every Vault/MinIO type the program registers (run under mocks for the CI stacks) has a row,
 *   and every row is a type the program registers;
 * - the committed docs/vault/*.hcl and docs/minio/*.json are exactly what the table generates, and
 *   a document that grants more than the table is caught;
 * - the grants are scoped to each stack's own names, and the preview identity cannot write;
 * - names an app adopts outside those (a bucket, a Vault secret) are covered too, the secret read only.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "@cdktf/hcl2json";
import { validateStackConfig } from "../components/config";
import {
    ADMIN_ANY,
    adoptedSecretPaths,
    bucketNames,
    excessGrants,
    globCovers,
    Grant,
    grantKey,
    minioDocumentGrants,
    MinioPolicyDocument,
    requiredGrants,
    RIGHTS,
    RIGHTS_TYPES,
    rightsScope,
    RightsScope,
    vaultAndMinioTypes,
    VaultCapability,
    vaultPolicyDocument,
} from "../components/rights";
import { adoptedGrantLines, rightsDocuments, RIGHTS_STACKS, stackScopes } from "../scripts/rights";
import { runStackProgram } from "./support/jestStack";
import { invoked, Registered, setVaultSecret, VAULT_KV2_READ } from "./support/pulumiMocks";
import { stackConfig, withRecord } from "./support/stack";

const ROOT = path.resolve(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const scopes = stackScopes();

/** Every (path, capability) a Vault policy grants, parsed by HashiCorp's HCL parser. */
async function vaultDocumentGrants(file: string, source: string): Promise<Grant[]> {
    const doc = (await parse(file, source)) as { path?: Record<string, { capabilities: VaultCapability[] }[]> };
    return Object.entries(doc.path ?? {}).flatMap(([p, blocks]) =>
        blocks.flatMap((b) => b.capabilities.map((capability) => ({ system: "vault" as const, path: p, capability }))),
    );
}

const byIdentity = (identity: "deploy" | "preview") => ({
    vault: requiredGrants("vault", identity, RIGHTS_TYPES, scopes).map((g) => g.grant),
    minio: requiredGrants("minio", identity, RIGHTS_TYPES, scopes).map((g) => g.grant),
});

/** What the program registers for each CI stack, under mocks (one run per stack for the whole file). */
const runs: Record<string, Registered[]> = {};
beforeAll(async () => {
    for (const stack of RIGHTS_STACKS) runs[stack] = (await runStackProgram(stackConfig(stack))).registered;
}, 180_000); // two full programs: over 30 s on a loaded machine

describe("the program and the table", () => {
    test("every Vault and MinIO type the program registers has a row, and every resource row is registered", () => {
        const registered = vaultAndMinioTypes(Object.values(runs).flatMap((r) => r.map((x) => x.type)));
        expect(registered.length).toBeGreaterThanOrEqual(8);
        // Data sources (`invoke` rows) are invoked, not registered: "adopted names" below holds them.
        expect(
            RIGHTS.filter((r) => !r.invoke)
                .map((r) => r.type)
                .sort(),
        ).toEqual(registered);
    });

    test("a type without a row cannot get a document (the generator refuses it)", () => {
        expect(() => requiredGrants("minio", "deploy", [...RIGHTS_TYPES, "minio:index/iamServiceAccount:IamServiceAccount"], scopes)).toThrow(
            /minio:index\/iamServiceAccount:IamServiceAccount: no row in the rights table/,
        );
    });

    test("types whose delete is not granted are registered with retainOnDelete, every one of them", () => {
        const retained = RIGHTS.filter((r) => r.retainedOnDelete).map((r) => r.type);
        expect(retained.length).toBeGreaterThan(0);
        for (const run of Object.values(runs)) {
            for (const r of run.filter((x) => retained.includes(x.type))) expect([r.type, r.name, r.options.retainOnDelete]).toEqual([r.type, r.name, true]);
        }
        // And the table says so consistently: a delete left out for retainOnDelete only on such rows.
        for (const row of RIGHTS) {
            const retainedCalls = (row.calls.delete ?? []).filter((c) => c.notGranted?.includes("retainOnDelete"));
            expect([row.type, retainedCalls.length > 0]).toEqual([row.type, row.retainedOnDelete === true]);
        }
    });

    test("each row cites a source line for every operation and call", () => {
        for (const row of RIGHTS) {
            for (const [operation, calls] of Object.entries(row.calls)) {
                if ((calls ?? []).length > 0)
                    expect([row.type, operation, row.functions[operation as keyof typeof row.functions]]).toEqual([
                        row.type,
                        operation,
                        expect.stringMatching(/:\d+/),
                    ]);
                for (const call of calls ?? []) expect(call.source).toMatch(/\.go:\d+/);
            }
        }
    });
});

describe("the committed documents", () => {
    test.each(Object.keys(rightsDocuments(scopes)))("%s is what npm run rights writes (run it and commit when this fails)", (file) => {
        expect(read(file)).toBe(rightsDocuments(scopes)[file]);
    });

    test.each(["deploy", "preview"] as const)("the %s documents grant exactly the table's calls, no more and no less", async (identity) => {
        const table = byIdentity(identity);
        const vault = await vaultDocumentGrants(`${identity}.hcl`, read(`docs/vault/${identity}.hcl`));
        const minio = minioDocumentGrants(JSON.parse(read(`docs/minio/${identity}.json`)) as MinioPolicyDocument);
        expect(excessGrants(vault, table.vault)).toEqual([]);
        expect(excessGrants(table.vault, vault)).toEqual([]);
        expect(excessGrants(minio, table.minio)).toEqual([]);
        expect(excessGrants(table.minio, minio)).toEqual([]);
    });

    test("a document that grants more than the table is caught", async () => {
        const widened = `${read("docs/vault/deploy.hcl")}\npath "sys/policies/acl/*" {\n  capabilities = ["update"]\n}\n`;
        expect(excessGrants(await vaultDocumentGrants("w.hcl", widened), byIdentity("deploy").vault)).toEqual(["vault sys/policies/acl/* update"]);
        const doc = JSON.parse(read("docs/minio/preview.json")) as MinioPolicyDocument;
        doc.Statement[doc.Statement.length - 1].Action.push("s3:DeleteBucket");
        expect(excessGrants(minioDocumentGrants(doc), byIdentity("preview").minio).sort()).toEqual(
            scopes.map((s) => `minio s3:DeleteBucket arn:aws:s3:::${s.prefix}-*-bucket`).sort(),
        );
    });
});

describe("what the documents grant", () => {
    const own = (scope: RightsScope) => [
        `${scope.mount}/data/${scope.vaultPrefix}*`,
        `${scope.mount}/metadata/${scope.vaultPrefix}*`,
        `sys/policies/acl/${scope.prefix}-*`,
    ];

    test("every Vault path is the provider's token set-up or one of a stack's own names, never all policies", () => {
        for (const identity of ["deploy", "preview"] as const) {
            for (const grant of byIdentity(identity).vault) {
                if (grant.system !== "vault") throw new Error("not a Vault grant");
                expect(["auth/token/lookup-self", "auth/token/create", ...scopes.flatMap(own), ...scopes.flatMap(adoptedSecretPaths)]).toContain(grant.path);
            }
        }
        expect(byIdentity("deploy").vault.map(grantKey)).not.toContain("vault sys/policies/acl/* update");
    });

    test("each stack's app names fall under its grants: the KV secret, the restore policy, the bucket", () => {
        for (const stack of RIGHTS_STACKS) {
            const registered = runs[stack];
            const scope = scopes.find((s) => s.stack === stack)!;
            const policies = registered.filter((r) => r.type === "vault:index/policy:Policy").map((r) => String(r.inputs.name));
            const secrets = registered.filter((r) => r.type === "vault:kv/secretV2:SecretV2").map((r) => `${r.inputs.mount}/data/${r.inputs.name}`);
            const buckets = registered.filter((r) => r.type === "minio:index/s3Bucket:S3Bucket").map((r) => String(r.inputs.bucket));
            expect(policies.length).toBeGreaterThan(0);
            for (const name of policies) expect(name.startsWith(`${scope.prefix}-`)).toBe(true);
            for (const p of secrets) expect(p.startsWith(`${scope.mount}/data/${scope.vaultPrefix}`)).toBe(true);
            for (const b of buckets) expect(b).toMatch(new RegExp(`^${scope.prefix}-.+-bucket$`));
            // The other stack's names are not this stack's: prefixes do not nest.
            for (const other of scopes.filter((s) => s !== scope)) for (const name of policies) expect(name.startsWith(`${other.prefix}-`)).toBe(false);
        }
    });

    test("MinIO: bucket actions only on the stacks' bucket names; the admin resource only for the actions MinIO cannot scope", () => {
        for (const grant of byIdentity("deploy").minio) {
            if (grant.system !== "minio") throw new Error("not a MinIO grant");
            if (grant.resource === ADMIN_ANY)
                expect(grant.action).toMatch(/^admin:(CreateUser|DeleteUser|GetUser|CreatePolicy|DeletePolicy|GetPolicy|AttachUserOrGroupPolicy)$/);
            else expect(scopes.flatMap((s) => bucketNames(s).map((b) => `arn:aws:s3:::${b}`))).toContain(grant.resource);
        }
    });

    test("preview can read but not write: Vault read only (and the child token), MinIO Get/List only", () => {
        const preview = byIdentity("preview");
        for (const g of preview.vault)
            if (g.system === "vault") expect(g.capability === "read" || (g.path === "auth/token/create" && g.capability === "update")).toBe(true);
        for (const g of preview.minio) if (g.system === "minio") expect(g.action).toMatch(/^(s3:(Get|List)|admin:Get)/);
        // And the deploy identity does write: the split is real.
        expect(byIdentity("deploy").vault.some((g) => g.system === "vault" && g.capability === "create")).toBe(true);
    });

    test("a stack with skipChildToken and no quota needs neither auth/token/create nor admin:SetBucketQuota", () => {
        const scope = { ...scopes[0], childToken: false, quota: false };
        expect(vaultPolicyDocument("deploy", RIGHTS_TYPES, [scope])).not.toContain("auth/token/create");
        expect(requiredGrants("minio", "deploy", RIGHTS_TYPES, [scope]).map((g) => grantKey(g.grant))).not.toContain(
            expect.stringMatching(/admin:SetBucketQuota/),
        );
    });
});

describe("adopted names", () => {
    /** Outside the prod stack's own patterns: another bucket name, a secret on another mount. */
    const LEGACY = { bucket: "legacy-backups-n8n", vaultSecret: { mount: "kv-old", name: "backup/n8n", version: 3 } };
    /** Inside them: the original layout's names (docs/migrate.md). */
    const ORIGINAL = { bucket: "restic-stackback-vm1-vault-bucket", vaultSecret: { mount: "ansible", name: "stackback_vault", version: 1 } };
    const adopting = () => {
        const raw = stackConfig("prod");
        const apps = (raw.apps as Record<string, unknown>[]).map((app) =>
            app.name === "n8n" ? { ...app, adopt: LEGACY } : app.name === "vault" ? { ...app, adopt: ORIGINAL } : app,
        );
        return { ...raw, apps };
    };
    let registered: Registered[];
    let reads: string[];
    let scope: RightsScope;
    beforeAll(async () => {
        setVaultSecret(
            "kv-old",
            "backup/n8n",
            [1, 2, 3].map((v) => ({ password: `pw-${v}`, access_key: "old", secret_key: "old" })),
        );
        setVaultSecret("ansible", "stackback_vault", [{ password: "pw", access_key: "old", secret_key: "old" }]);
        const raw = adopting();
        const { fleet, problems } = validateStackConfig(withRecord(raw));
        expect(problems).toEqual([]);
        scope = rightsScope("prod", fleet!);
        invoked.length = 0;
        registered = (await runStackProgram(raw)).registered;
        reads = invoked.filter((i) => i.token === VAULT_KV2_READ).map((i) => `${String(i.inputs.mount)}/data/${String(i.inputs.name)}`);
    }, 180_000);

    test("every bucket the program registers, adopted ones too, gets every right the stack's own buckets get", () => {
        const own = `arn:aws:s3:::${scope.prefix}-*-bucket`;
        expect(globCovers(own, `arn:aws:s3:::${LEGACY.bucket}`)).toBe(false);
        const buckets = registered.filter((r) => r.type === "minio:index/s3Bucket:S3Bucket").map((r) => `arn:aws:s3:::${String(r.inputs.bucket)}`);
        expect(buckets).toContain(`arn:aws:s3:::${LEGACY.bucket}`);
        for (const identity of ["deploy", "preview"] as const) {
            const grants = requiredGrants("minio", identity, RIGHTS_TYPES, [scope]).map((g) => g.grant);
            const bucketActions = grants.flatMap((g) => (g.system === "minio" && g.resource === own ? [g.action] : []));
            expect(bucketActions.length).toBeGreaterThanOrEqual(3);
            const missing = buckets.flatMap((b) =>
                bucketActions
                    .filter((a) => !grants.some((g) => g.system === "minio" && g.action === a && globCovers(g.resource, b)))
                    .map((a) => `${identity}: ${a} on ${b}`),
            );
            expect(missing).toEqual([]);
        }
    });

    test("every adopted secret the program reads is readable by both identities; one outside the stack's own path is only readable", () => {
        expect(reads.sort()).toEqual(["ansible/data/stackback_vault", "kv-old/data/backup/n8n"]);
        for (const identity of ["deploy", "preview"] as const) {
            const grants = requiredGrants("vault", identity, RIGHTS_TYPES, [scope]).map((g) => g.grant);
            const covering = (p: string) => grants.flatMap((g) => (g.system === "vault" && globCovers(g.path, p) ? [g.capability] : []));
            for (const p of reads) expect([identity, p, covering(p)]).toEqual([identity, p, expect.arrayContaining(["read"])]);
            expect([identity, covering("kv-old/data/backup/n8n")]).toEqual([identity, ["read"]]);
        }
        // The data source reads the data path only: no right on the adopted secret's metadata.
        expect(vaultPolicyDocument("deploy", RIGHTS_TYPES, [scope])).not.toContain("kv-old/metadata");
    });

    test("the data source the program invokes has its row, and every invoke row is invoked", () => {
        const tokens = vaultAndMinioTypes(invoked.map((i) => i.token));
        expect(tokens).toEqual([VAULT_KV2_READ]);
        expect(RIGHTS.filter((r) => r.invoke).map((r) => r.type)).toEqual(tokens);
    });

    test("npm run rights lists the adopted names it grants beyond the stack's own patterns, and only those", () => {
        expect(adoptedGrantLines([scope])).toEqual([
            `prod: adopted bucket ${LEGACY.bucket} (outside restic-stackback-*-bucket): the bucket rights of docs/minio/*.json cover it`,
            "prod: adopted Vault secret kv-old/data/backup/n8n (outside ansible/data/stackback_*): read only, in docs/vault/*.hcl",
        ]);
        expect(adoptedGrantLines(scopes)).toEqual([]);
    });

    test("names the stack's own patterns already cover add nothing to the documents", () => {
        const prod = scopes.find((s) => s.stack === "prod")!;
        const covered = { ...prod, adoptedBuckets: [ORIGINAL.bucket], adoptedSecrets: [`ansible/data/${ORIGINAL.vaultSecret.name}`] };
        expect(rightsDocuments(scopes.map((s) => (s === prod ? covered : s)))).toEqual(rightsDocuments(scopes));
    });
});
