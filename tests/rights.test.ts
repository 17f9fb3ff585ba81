/**
 * The rights table (components/rights.ts) against the program and the committed documents:
 * - every Vault/MinIO type the program registers (run under mocks for the CI stacks) has a row,
 *   and every row is a type the program registers;
 * - the committed docs/vault/*.hcl and docs/minio/*.json are exactly what the table generates, and
 *   a document that grants more than the table is caught;
 * - the grants are scoped to each stack's own names, and the preview identity cannot write.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "@cdktf/hcl2json";
import {
    ADMIN_ANY,
    excessGrants,
    Grant,
    grantKey,
    minioDocumentGrants,
    MinioPolicyDocument,
    requiredGrants,
    RIGHTS,
    RIGHTS_TYPES,
    RightsScope,
    vaultAndMinioTypes,
    VaultCapability,
    vaultPolicyDocument,
} from "../components/rights";
import { rightsDocuments, RIGHTS_STACKS, stackScopes } from "../scripts/rights";
import { runStackProgram } from "./support/jestStack";
import { Registered } from "./support/pulumiMocks";
import { stackConfig } from "./support/stack";

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
    test("every Vault and MinIO type the program registers has a row, and every row is registered", () => {
        const registered = vaultAndMinioTypes(Object.values(runs).flatMap((r) => r.map((x) => x.type)));
        expect(registered.length).toBeGreaterThanOrEqual(8);
        expect([...RIGHTS_TYPES].sort()).toEqual(registered);
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
                expect(["auth/token/lookup-self", "auth/token/create", ...scopes.flatMap(own)]).toContain(grant.path);
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
            else expect(scopes.map((s) => `arn:aws:s3:::${s.prefix}-*-bucket`)).toContain(grant.resource);
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
