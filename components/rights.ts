/**
 * The rights the program needs in Vault and MinIO, derived from what each provider really calls.
 *
 * One table: for every Vault and MinIO resource type the program registers (and the two
 * providers themselves), the API calls the bridged Terraform provider makes on create, read
 * (a refresh, and the read-back after each write), update and delete, each with the right it
 * needs and the line of source that makes it. The deploy and preview identities' documents
 * (docs/vault/*.hcl, docs/minio/*.json) are generated from this table by `npm run rights`;
 * tests/rights.test.ts proves that the committed documents are exactly what the table gives,
 * and that every type the program registers has its row.
 *
 * Pinned sources (read at these versions):
 * - @pulumi/vault 7.8.0 bridges hashicorp/terraform-provider-vault v5.8.0 (pulumi-vault v7.8.0's
 *   `upstream` submodule is commit 91f91c5c, the v5.8.0 tag), which uses hashicorp/vault/api v1.22.0.
 * - @pulumi/minio 0.17.1 bridges aminueza/terraform-provider-minio v1.20.1 (pulumi-minio
 *   provider/go.mod), which uses minio-go v7.0.63 and madmin-go v1.7.5.
 * - The rights MinIO checks per API: minio/minio at RELEASE.2025-10-15T17-29-55Z (+11 commits,
 *   7aac2a2c), action names from minio/pkg v3.11.0 (policy/action.go, policy/admin-action.go).
 *
 * Adopted names (docs/migrate.md): an adopted bucket may lie outside `<namePrefix>-*-bucket`, and an
 * adopted Vault secret outside `<mount>/data/<vault namePrefix>*`. The program manages an adopted
 * bucket as its own (imports it, then reads and updates it), so every bucket grant covers it too
 * (`{bucket}`); it only reads an adopted secret, through the KV v2 data source, so that path gets
 * `read` and nothing else (`{adoptedSecret}`). Names the stack's own patterns already cover add
 * nothing.
 *
 * Pure: no Pulumi import.
 */
import type { AdoptSettings } from "./adopt";

/** What a provider does for a resource: `configure` is the provider's own set-up, once per run. */
export type Operation = "configure" | "create" | "read" | "update" | "delete";
export const OPERATIONS: readonly Operation[] = ["configure", "create", "read", "update", "delete"];

/** The operations a `pulumi preview --refresh` runs: the provider's set-up and the reads. */
export const PREVIEW_OPERATIONS: readonly Operation[] = ["configure", "read"];

/** A Vault capability (https://developer.hashicorp.com/vault/docs/concepts/policies#capabilities). */
export type VaultCapability = "create" | "read" | "update" | "delete";

/**
 * A name pattern over the stack's own names. Placeholders: `{mount}` (vault.mount),
 * `{vaultPrefix}` (vault.namePrefix), `{prefix}` (namePrefix); and two that stand for several
 * names: `{bucket}` (the stack's buckets: `{prefix}-*-bucket` and each adopted bucket outside it)
 * and `{adoptedSecret}` (the KV v2 data path of each adopted secret outside the stack's own).
 */
export type NamePattern = string;

export interface VaultGrant {
    system: "vault";
    /** The Vault path (a policy `path`), e.g. `{mount}/data/{vaultPrefix}*`. */
    path: NamePattern;
    capability: VaultCapability;
}

export interface MinioGrant {
    system: "minio";
    /** The IAM action MinIO checks, e.g. `s3:CreateBucket`, `admin:CreateUser`. */
    action: string;
    /**
     * The resource. MinIO ignores the resource of most `admin:` actions (minio/pkg v3.11.0
     * policy/statement.go:125, admin-action.go:437 `AdminActionsWithResource`): those say
     * `arn:minio:admin:::*` here, because that is what they grant.
     */
    resource: NamePattern;
}

export type Grant = VaultGrant | MinioGrant;

/** A condition under which a call happens at all, read from the stacks' settings. */
export type CallCondition = "childToken" | "quota";

/** One API call a provider makes, and the right it needs. */
export interface ApiCall {
    /** The request, as the server sees it. */
    request: string;
    grant: Grant;
    /** Where the provider makes it (and where the server checks the right), file:line at the pinned versions. */
    source: string;
    /** Made only when some stack has this: `childToken` (vault.skipChildToken unset), `quota` (an app with quotaGiB). */
    onlyIf?: CallCondition;
    /** Why the documents do not grant it although the provider can make it; undefined: granted. */
    notGranted?: string;
}

/** One row of the table: a resource type (or provider) and its calls per operation. */
export interface ResourceRights {
    /**
     * The Pulumi type token, e.g. `vault:index/policy:Policy`, `pulumi:providers:minio`; for a data
     * source, the token of the function the program invokes (`invoke`).
     */
    type: string;
    /** A data source the program invokes (at preview and up: its calls are `read`s), not a resource it registers. */
    invoke?: true;
    system: "vault" | "minio";
    /** The provider function per operation, file:line. */
    functions: Partial<Record<Operation, string>>;
    calls: Partial<Record<Operation, ApiCall[]>>;
    /**
     * Whether the program registers every resource of this type with `retainOnDelete`, so that
     * Pulumi never calls the provider's delete for it (its delete calls are then not granted).
     */
    retainedOnDelete?: true;
}

const TFV = "terraform-provider-vault v5.8.0";
const VAPI = "vault/api v1.22.0";
const TFM = "terraform-provider-minio v1.20.1";
const MGO = "minio-go v7.0.63";
const MADM = "madmin-go v1.7.5";
const MSRV = "minio/minio 7aac2a2c";

const RETAINED = "never called: the program registers this type with retainOnDelete, so Pulumi never deletes it";
const DISABLED_USER =
    "only when the user was disabled outside Pulumi; not granted on purpose: a user an operator disabled (an incident) must stop the deploy with a 403, not be re-enabled silently";

const vault = (path: NamePattern, capability: VaultCapability): VaultGrant => ({ system: "vault", path, capability });
const s3 = (action: string, resource: NamePattern = BUCKET): MinioGrant => ({ system: "minio", action, resource });
const admin = (action: string): MinioGrant => ({ system: "minio", action, resource: ADMIN_ANY });

/** The app buckets of a stack: `<namePrefix>-<app>-bucket` (components/naming.ts backupNames), and the adopted ones. */
export const BUCKET: NamePattern = "arn:aws:s3:::{bucket}";
/** What a resource-less MinIO admin action is granted on: everything (see {@link MinioGrant.resource}). */
export const ADMIN_ANY = "arn:minio:admin:::*";

const KV_DATA = "{mount}/data/{vaultPrefix}*";
const KV_METADATA = "{mount}/metadata/{vaultPrefix}*";
/** Restore policies are named `<namePrefix>-<app>-restore` (components/restoreAccess.ts vaultRestorePolicyName). */
const ACL = "sys/policies/acl/{prefix}-*";

/** minio-go asks a bucket's location before its first request to it (once per run); AccessDenied falls back to us-east-1. */
const location = (): ApiCall => ({
    request: "GET /<bucket>?location",
    grant: s3("s3:GetBucketLocation"),
    source: `${MGO} api.go:752 newRequest -> bucket-cache.go:85 getBucketLocation (AccessDenied tolerated at :140); checked at ${MSRV} cmd/bucket-handlers.go:217`,
});
const headBucket = (): ApiCall => ({
    request: "HEAD /<bucket>",
    grant: s3("s3:ListBucket"),
    source: `${MGO} api-stat.go:29 BucketExists; checked at ${MSRV} cmd/bucket-handlers.go:1661`,
});
const getUserInfo = (): ApiCall => ({
    request: "GET /minio/admin/v3/user-info?accessKey=<user>",
    grant: admin("admin:GetUser"),
    source: `${MADM} user-commands.go:187 GetUserInfo; checked at ${MSRV} cmd/admin-handlers-users.go:204`,
});
const setPolicy = (): ApiCall => ({
    request: "PUT /minio/admin/v3/set-user-or-group-policy?policyName=<all of the user's policies>&userOrGroup=<user>",
    grant: admin("admin:AttachUserOrGroupPolicy"),
    source: `${MADM} policy-commands.go:198 SetPolicy; checked at ${MSRV} cmd/admin-handlers-users.go:1769`,
});

/** The table. One row per Vault/MinIO resource type the program registers, and per provider. */
export const RIGHTS: readonly ResourceRights[] = [
    {
        type: "pulumi:providers:vault",
        system: "vault",
        functions: { configure: `${TFV} internal/provider/meta.go:188 setClient` },
        calls: {
            configure: [
                {
                    request: "GET /v1/auth/token/lookup-self",
                    grant: vault("auth/token/lookup-self", "read"),
                    source: `${TFV} internal/provider/meta.go:327 (also granted by Vault's default policy)`,
                },
                {
                    request:
                        "POST /v1/auth/token/create (ttl = explicit_max_ttl = max_lease_ttl_seconds, default 1200 s; no policies: the child inherits the parent's)",
                    grant: vault("auth/token/create", "update"),
                    source: `${TFV} internal/provider/meta.go:345 -> :613 createChildToken`,
                    onlyIf: "childToken",
                },
            ],
        },
    },
    {
        type: "vault:kv/secretV2:SecretV2",
        system: "vault",
        functions: {
            create: `${TFV} vault/resource_kv_secret_v2.go:209 kvSecretV2Write`,
            read: `${TFV} vault/resource_kv_secret_v2.go:264 kvSecretV2Read`,
            update: `${TFV} vault/resource_kv_secret_v2.go:209 kvSecretV2Write`,
            delete: `${TFV} vault/resource_kv_secret_v2.go:379 kvSecretV2Delete`,
        },
        retainedOnDelete: true,
        calls: {
            create: [
                {
                    request: "PUT /v1/<mount>/data/<name> (new secret)",
                    grant: vault(KV_DATA, "create"),
                    source: `${TFV} vault/resource_kv_secret_v2.go:244 util.RetryWrite`,
                },
                {
                    request: "GET /v1/<mount>/data/<name> (read back)",
                    grant: vault(KV_DATA, "read"),
                    source: `${TFV} vault/resource_kv_secret_v2.go:261 -> :302`,
                },
                {
                    request: "GET /v1/<mount>/metadata/<name> (read back; KV v2 of Vault 1.9+ always answers with custom_metadata)",
                    grant: vault(KV_METADATA, "read"),
                    source: `${TFV} vault/resource_kv_secret_v2.go:327 -> :346 readKVV2Metadata`,
                },
            ],
            read: [
                { request: "GET /v1/<mount>/data/<name>", grant: vault(KV_DATA, "read"), source: `${TFV} vault/resource_kv_secret_v2.go:302` },
                { request: "GET /v1/<mount>/metadata/<name>", grant: vault(KV_METADATA, "read"), source: `${TFV} vault/resource_kv_secret_v2.go:327 -> :346` },
            ],
            update: [
                {
                    request: "PUT /v1/<mount>/data/<name> (existing secret)",
                    grant: vault(KV_DATA, "update"),
                    source: `${TFV} vault/resource_kv_secret_v2.go:244 util.RetryWrite`,
                },
                {
                    request: "GET /v1/<mount>/data/<name> (read back)",
                    grant: vault(KV_DATA, "read"),
                    source: `${TFV} vault/resource_kv_secret_v2.go:261 -> :302`,
                },
                {
                    request: "GET /v1/<mount>/metadata/<name> (read back)",
                    grant: vault(KV_METADATA, "read"),
                    source: `${TFV} vault/resource_kv_secret_v2.go:327 -> :346`,
                },
            ],
            delete: [
                {
                    request: "DELETE /v1/<mount>/data/<name>",
                    grant: vault(KV_DATA, "delete"),
                    source: `${TFV} vault/resource_kv_secret_v2.go:397`,
                    notGranted: RETAINED,
                },
            ],
        },
    },
    {
        // An adopted app's password (and kept users' keys) are read from the adopted secret at its
        // pinned version (components/adoptedSecret.ts). One GET of the data path, no metadata read.
        // Read at commit 02917fc7 of terraform-provider-vault, not at the pinned v5.8.0 tag.
        type: "vault:kv/getSecretV2:getSecretV2",
        system: "vault",
        invoke: true,
        functions: { read: "terraform-provider-vault 02917fc7 vault/data_source_kv_secret_v2.go:89 kvSecretV2DataSourceRead" },
        calls: {
            read: [
                {
                    request: "GET /v1/<mount>/data/<name>?version=<n> (the adopted secret; Vault's ACL ignores the query)",
                    grant: vault("{adoptedSecret}", "read"),
                    source: "terraform-provider-vault 02917fc7 vault/data_source_kv_secret_v2.go:112 client.Logical().Read",
                },
            ],
        },
    },
    {
        type: "vault:index/policy:Policy",
        system: "vault",
        functions: {
            create: `${TFV} vault/resource_policy.go:42 policyWrite`,
            read: `${TFV} vault/resource_policy.go:80 policyRead`,
            update: `${TFV} vault/resource_policy.go:42 policyWrite`,
            delete: `${TFV} vault/resource_policy.go:62 policyDelete`,
        },
        calls: {
            create: [
                {
                    request: "PUT /v1/sys/policies/acl/<name> (new policy)",
                    grant: vault(ACL, "create"),
                    source: `${TFV} vault/resource_policy.go:52; ${VAPI} sys_policy.go PutPolicyWithContext`,
                },
                {
                    request: "GET /v1/sys/policies/acl/<name> (read back)",
                    grant: vault(ACL, "read"),
                    source: `${TFV} vault/resource_policy.go:59 -> :88; ${VAPI} sys_policy.go GetPolicyWithContext`,
                },
            ],
            read: [{ request: "GET /v1/sys/policies/acl/<name>", grant: vault(ACL, "read"), source: `${TFV} vault/resource_policy.go:88` }],
            update: [
                { request: "PUT /v1/sys/policies/acl/<name> (existing policy)", grant: vault(ACL, "update"), source: `${TFV} vault/resource_policy.go:52` },
                { request: "GET /v1/sys/policies/acl/<name> (read back)", grant: vault(ACL, "read"), source: `${TFV} vault/resource_policy.go:59 -> :88` },
            ],
            delete: [
                {
                    request: "DELETE /v1/sys/policies/acl/<name> (an app removed from the stack)",
                    grant: vault(ACL, "delete"),
                    source: `${TFV} vault/resource_policy.go:72; ${VAPI} sys_policy.go DeletePolicyWithContext`,
                },
            ],
        },
    },
    {
        type: "pulumi:providers:minio",
        system: "minio",
        // NewClient builds the S3 and admin clients without a request (minio/new_client.go:18-67).
        functions: { configure: `${TFM} minio/new_client.go:18 NewClient` },
        calls: { configure: [] },
    },
    {
        type: "minio:index/s3Bucket:S3Bucket",
        system: "minio",
        functions: {
            create: `${TFM} minio/resource_minio_s3_bucket.go:85 minioCreateBucket`,
            read: `${TFM} minio/resource_minio_s3_bucket.go:142 minioReadBucket`,
            update: `${TFM} minio/resource_minio_s3_bucket.go:168 minioUpdateBucket`,
            delete: `${TFM} minio/resource_minio_s3_bucket.go:202 minioDeleteBucket`,
        },
        retainedOnDelete: true,
        calls: {
            create: [
                location(),
                { ...headBucket(), source: `${TFM} minio/resource_minio_s3_bucket.go:111 BucketExists; checked at ${MSRV} cmd/bucket-handlers.go:1661` },
                {
                    request: "PUT /<bucket>",
                    grant: s3("s3:CreateBucket"),
                    source: `${TFM} minio/resource_minio_s3_bucket.go:117 MakeBucket (${MGO} api-put-bucket.go:121); checked at ${MSRV} cmd/bucket-handlers.go:758`,
                },
                {
                    request: "PUT /minio/admin/v3/set-bucket-quota?bucket=<bucket>",
                    grant: s3("admin:SetBucketQuota"),
                    source: `${TFM} minio/resource_minio_s3_bucket.go:139 -> :190 -> :289 (${MADM} quota-commands.go:91); checked at ${MSRV} cmd/admin-bucket-handlers.go:60`,
                    onlyIf: "quota",
                },
                { ...headBucket(), request: "HEAD /<bucket> (read back)", source: `${TFM} minio/resource_minio_s3_bucket.go:199 -> :147 BucketExists` },
            ],
            read: [
                location(),
                { ...headBucket(), source: `${TFM} minio/resource_minio_s3_bucket.go:147 BucketExists; checked at ${MSRV} cmd/bucket-handlers.go:1661` },
            ],
            update: [
                location(),
                {
                    request: "PUT /minio/admin/v3/set-bucket-quota?bucket=<bucket> (quota changed)",
                    grant: s3("admin:SetBucketQuota"),
                    source: `${TFM} minio/resource_minio_s3_bucket.go:190 -> :289; checked at ${MSRV} cmd/admin-bucket-handlers.go:60`,
                    onlyIf: "quota",
                },
                { ...headBucket(), request: "HEAD /<bucket> (read back)", source: `${TFM} minio/resource_minio_s3_bucket.go:199 -> :147` },
            ],
            delete: [
                {
                    request: "DELETE /<bucket>",
                    grant: s3("s3:DeleteBucket"),
                    source: `${TFM} minio/resource_minio_s3_bucket.go:207 RemoveBucket; checked at ${MSRV} cmd/bucket-handlers.go:1693`,
                    notGranted: RETAINED,
                },
            ],
        },
    },
    {
        type: "minio:index/s3BucketVersioning:S3BucketVersioning",
        system: "minio",
        functions: {
            create: `${TFM} minio/resource_minio_s3_bucket_versioning.go:58 minioPutBucketVersioning`,
            read: `${TFM} minio/resource_minio_s3_bucket_versioning.go:83 minioReadBucketVersioning`,
            update: `${TFM} minio/resource_minio_s3_bucket_versioning.go:58 minioPutBucketVersioning`,
            delete: `${TFM} minio/resource_minio_s3_bucket_versioning.go:117 minioDeleteBucketVersioning`,
        },
        retainedOnDelete: true,
        calls: {
            create: [
                location(),
                {
                    request: "PUT /<bucket>?versioning",
                    grant: s3("s3:PutBucketVersioning"),
                    source: `${TFM} minio/resource_minio_s3_bucket_versioning.go:68 SetBucketVersioning (${MGO} api-bucket-versioning.go:30); checked at ${MSRV} cmd/bucket-versioning-handler.go:57`,
                },
                {
                    request: "GET /<bucket>?versioning (read back)",
                    grant: s3("s3:GetBucketVersioning"),
                    source: `${TFM} minio/resource_minio_s3_bucket_versioning.go:88; checked at ${MSRV} cmd/bucket-versioning-handler.go:137`,
                },
            ],
            read: [
                location(),
                {
                    request: "GET /<bucket>?versioning",
                    grant: s3("s3:GetBucketVersioning"),
                    source: `${TFM} minio/resource_minio_s3_bucket_versioning.go:88 GetBucketVersioning (${MGO} api-bucket-versioning.go:114); checked at ${MSRV} cmd/bucket-versioning-handler.go:137`,
                },
            ],
            update: [
                location(),
                { request: "PUT /<bucket>?versioning", grant: s3("s3:PutBucketVersioning"), source: `${TFM} minio/resource_minio_s3_bucket_versioning.go:68` },
                {
                    request: "GET /<bucket>?versioning (read back)",
                    grant: s3("s3:GetBucketVersioning"),
                    source: `${TFM} minio/resource_minio_s3_bucket_versioning.go:88`,
                },
            ],
            delete: [
                {
                    request: "PUT /<bucket>?versioning (Suspended)",
                    grant: s3("s3:PutBucketVersioning"),
                    source: `${TFM} minio/resource_minio_s3_bucket_versioning.go:127 SuspendVersioning (${MGO} api-bucket-versioning.go:75)`,
                    notGranted: RETAINED,
                },
            ],
        },
    },
    {
        type: "minio:index/ilmPolicy:IlmPolicy",
        system: "minio",
        functions: {
            create: `${TFM} minio/resource_minio_ilm_policy.go:92 minioCreateILMPolicy`,
            read: `${TFM} minio/resource_minio_ilm_policy.go:139 minioReadILMPolicy`,
            update: `${TFM} minio/resource_minio_ilm_policy.go:199 minioUpdateILMPolicy`,
            delete: `${TFM} minio/resource_minio_ilm_policy.go:207 minioDeleteILMPolicy`,
        },
        retainedOnDelete: true,
        calls: {
            create: [
                location(),
                {
                    request: "PUT /<bucket>?lifecycle",
                    grant: s3("s3:PutLifecycleConfiguration"),
                    source: `${TFM} minio/resource_minio_ilm_policy.go:130 SetBucketLifecycle (${MGO} api-bucket-lifecycle.go:34); checked at ${MSRV} cmd/bucket-lifecycle-handlers.go:60`,
                },
                {
                    request: "GET /<bucket>?lifecycle (read back)",
                    grant: s3("s3:GetLifecycleConfiguration"),
                    source: `${TFM} minio/resource_minio_ilm_policy.go:143; checked at ${MSRV} cmd/bucket-lifecycle-handlers.go:165`,
                },
            ],
            read: [
                location(),
                {
                    request: "GET /<bucket>?lifecycle",
                    grant: s3("s3:GetLifecycleConfiguration"),
                    source: `${TFM} minio/resource_minio_ilm_policy.go:143 GetBucketLifecycle (${MGO} api-bucket-lifecycle.go:105); checked at ${MSRV} cmd/bucket-lifecycle-handlers.go:165`,
                },
            ],
            update: [
                location(),
                {
                    request: "PUT /<bucket>?lifecycle (rules changed)",
                    grant: s3("s3:PutLifecycleConfiguration"),
                    source: `${TFM} minio/resource_minio_ilm_policy.go:201 -> :130`,
                },
                {
                    request: "GET /<bucket>?lifecycle (read back)",
                    grant: s3("s3:GetLifecycleConfiguration"),
                    source: `${TFM} minio/resource_minio_ilm_policy.go:204 -> :143`,
                },
            ],
            delete: [
                {
                    request: "DELETE /<bucket>?lifecycle (an empty configuration)",
                    grant: s3("s3:PutLifecycleConfiguration"),
                    source: `${TFM} minio/resource_minio_ilm_policy.go:212 (${MGO} api-bucket-lifecycle.go:85 removeBucketLifecycle); checked at ${MSRV} cmd/bucket-lifecycle-handlers.go:212`,
                    notGranted: RETAINED,
                },
            ],
        },
    },
    {
        type: "minio:index/iamUser:IamUser",
        system: "minio",
        functions: {
            create: `${TFM} minio/resource_minio_iam_user.go:72 minioCreateUser`,
            read: `${TFM} minio/resource_minio_iam_user.go:145 minioReadUser`,
            update: `${TFM} minio/resource_minio_iam_user.go:104 minioUpdateUser`,
            delete: `${TFM} minio/resource_minio_iam_user.go:178 minioDeleteUser`,
        },
        calls: {
            create: [
                {
                    request: "PUT /minio/admin/v3/add-user?accessKey=<user>",
                    grant: admin("admin:CreateUser"),
                    source: `${TFM} minio/resource_minio_iam_user.go:86 AddUser (${MADM} user-commands.go:266 -> :228 SetUser); checked at ${MSRV} cmd/admin-handlers-users.go:495`,
                },
                {
                    ...getUserInfo(),
                    request: "GET /minio/admin/v3/user-info?accessKey=<user> (read back)",
                    source: `${TFM} minio/resource_minio_iam_user.go:101 -> :149`,
                },
            ],
            read: [
                {
                    ...getUserInfo(),
                    source: `${TFM} minio/resource_minio_iam_user.go:149 GetUserInfo (${MADM} user-commands.go:187); checked at ${MSRV} cmd/admin-handlers-users.go:204`,
                },
            ],
            update: [
                { ...getUserInfo(), source: `${TFM} minio/resource_minio_iam_user.go:117 GetUserInfo` },
                {
                    request: "PUT /minio/admin/v3/set-user-status?accessKey=<user>&status=enabled",
                    grant: admin("admin:EnableUser"),
                    source: `${TFM} minio/resource_minio_iam_user.go:119 SetUserStatus (${MADM} user-commands.go:271); checked at ${MSRV} cmd/admin-handlers-users.go:404`,
                    notGranted: DISABLED_USER,
                },
                {
                    request: "PUT /minio/admin/v3/add-user?accessKey=<user> (secret changed)",
                    grant: admin("admin:CreateUser"),
                    source: `${TFM} minio/resource_minio_iam_user.go:135 SetUser (${MADM} user-commands.go:228); checked at ${MSRV} cmd/admin-handlers-users.go:495`,
                },
                {
                    ...getUserInfo(),
                    request: "GET /minio/admin/v3/user-info?accessKey=<user> (read back)",
                    source: `${TFM} minio/resource_minio_iam_user.go:142 -> :149`,
                },
            ],
            delete: [
                {
                    ...getUserInfo(),
                    request: "GET /minio/admin/v3/user-info?accessKey=<user> (its groups)",
                    source: `${TFM} minio/resource_minio_iam_user.go:223`,
                },
                {
                    request: "DELETE /minio/admin/v3/remove-user?accessKey=<user> (an app removed from the stack)",
                    grant: admin("admin:DeleteUser"),
                    source: `${TFM} minio/resource_minio_iam_user.go:214 RemoveUser (${MADM} user-commands.go:131); checked at ${MSRV} cmd/admin-handlers-users.go:52`,
                },
            ],
        },
    },
    {
        type: "minio:index/iamPolicy:IamPolicy",
        system: "minio",
        functions: {
            create: `${TFM} minio/resource_minio_iam_policy.go:54 minioCreatePolicy`,
            read: `${TFM} minio/resource_minio_iam_policy.go:80 minioReadPolicy`,
            update: `${TFM} minio/resource_minio_iam_policy.go:102 minioUpdatePolicy`,
            delete: `${TFM} minio/resource_minio_iam_policy.go:115 minioDeletePolicy`,
        },
        calls: {
            create: [
                {
                    request: "PUT /minio/admin/v3/add-canned-policy?name=<policy>",
                    grant: admin("admin:CreatePolicy"),
                    source: `${TFM} minio/resource_minio_iam_policy.go:70 AddCannedPolicy (${MADM} policy-commands.go:168); checked at ${MSRV} cmd/admin-handlers-users.go:1693`,
                },
                {
                    request: "GET /minio/admin/v3/info-canned-policy?name=<policy> (read back)",
                    grant: admin("admin:GetPolicy"),
                    source: `${TFM} minio/resource_minio_iam_policy.go:77 -> :86; checked at ${MSRV} cmd/admin-handlers-users.go:1558`,
                },
            ],
            read: [
                {
                    request: "GET /minio/admin/v3/info-canned-policy?name=<policy>",
                    grant: admin("admin:GetPolicy"),
                    source: `${TFM} minio/resource_minio_iam_policy.go:86 InfoCannedPolicy (${MADM} policy-commands.go:31); checked at ${MSRV} cmd/admin-handlers-users.go:1558`,
                },
            ],
            update: [
                {
                    request: "PUT /minio/admin/v3/add-canned-policy?name=<policy> (document changed)",
                    grant: admin("admin:CreatePolicy"),
                    source: `${TFM} minio/resource_minio_iam_policy.go:107`,
                },
                {
                    request: "GET /minio/admin/v3/info-canned-policy?name=<policy> (read back)",
                    grant: admin("admin:GetPolicy"),
                    source: `${TFM} minio/resource_minio_iam_policy.go:112 -> :86`,
                },
            ],
            delete: [
                {
                    request: "DELETE /minio/admin/v3/remove-canned-policy?name=<policy> (an app removed from the stack)",
                    grant: admin("admin:DeletePolicy"),
                    source: `${TFM} minio/resource_minio_iam_policy.go:118 RemoveCannedPolicy (${MADM} policy-commands.go:143); checked at ${MSRV} cmd/admin-handlers-users.go:1666`,
                },
            ],
        },
    },
    {
        type: "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment",
        system: "minio",
        // No update: both inputs are ForceNew (a change is delete + create).
        functions: {
            create: `${TFM} minio/resource_minio_iam_user_policy_attachment.go:43 minioCreateUserPolicyAttachment`,
            read: `${TFM} minio/resource_minio_iam_user_policy_attachment.go:69 minioReadUserPolicyAttachment`,
            delete: `${TFM} minio/resource_minio_iam_user_policy_attachment.go:99 minioDeleteUserPolicyAttachment`,
        },
        calls: {
            create: [
                {
                    ...getUserInfo(),
                    request: "GET /minio/admin/v3/user-info?accessKey=<user> (its policies)",
                    source: `${TFM} minio/resource_minio_iam_user_policy_attachment.go:52 -> :153`,
                },
                {
                    ...setPolicy(),
                    source: `${TFM} minio/resource_minio_iam_user_policy_attachment.go:59 SetPolicy (${MADM} policy-commands.go:198); checked at ${MSRV} cmd/admin-handlers-users.go:1769`,
                },
                {
                    ...getUserInfo(),
                    request: "GET /minio/admin/v3/user-info?accessKey=<user> (read back)",
                    source: `${TFM} minio/resource_minio_iam_user_policy_attachment.go:67 -> :81 -> :153`,
                },
            ],
            read: [{ ...getUserInfo(), source: `${TFM} minio/resource_minio_iam_user_policy_attachment.go:81 -> :153 minioReadUserPolicies` }],
            delete: [
                {
                    ...getUserInfo(),
                    request: "GET /minio/admin/v3/user-info?accessKey=<user> (its policies)",
                    source: `${TFM} minio/resource_minio_iam_user_policy_attachment.go:108 -> :153`,
                },
                {
                    ...setPolicy(),
                    request: "PUT /minio/admin/v3/set-user-or-group-policy (the user's policies without this one)",
                    source: `${TFM} minio/resource_minio_iam_user_policy_attachment.go:119`,
                },
            ],
        },
    },
];

/** The names one stack's grants are scoped to, and the conditions that decide which calls happen. */
export interface RightsScope {
    /** The stack, for the comments of the generated documents. */
    stack: string;
    /** vault.mount */
    mount: string;
    /** vault.namePrefix */
    vaultPrefix: string;
    /** namePrefix (buckets, MinIO users and policies, Vault restore policies). */
    prefix: string;
    /** Whether the provider creates a child token (vault.skipChildToken unset or false). */
    childToken: boolean;
    /** Whether some app sets quotaGiB. */
    quota: boolean;
    /** The buckets the stack's apps adopt (`apps[].adopt.bucket`). */
    adoptedBuckets: readonly string[];
    /** The KV v2 data paths (`<mount>/data/<name>`) of the secrets the stack's apps adopt (`apps[].adopt.vaultSecret`). */
    adoptedSecrets: readonly string[];
}

/** Which identity a document is for: `deploy` runs `pulumi up`, `preview` runs `pulumi preview --refresh`. */
export type Identity = "deploy" | "preview";

/** The operations an identity runs. */
export const operationsOf = (identity: Identity): readonly Operation[] => (identity === "preview" ? PREVIEW_OPERATIONS : OPERATIONS);

/** A pattern with the scope's single names filled in. */
export function expand(pattern: NamePattern, scope: RightsScope): string {
    return pattern
        .replace(/\{mount\}/g, scope.mount)
        .replace(/\{vaultPrefix\}/g, scope.vaultPrefix)
        .replace(/\{prefix\}/g, scope.prefix);
}

/** Whether a grant's glob (`*`: any run of characters, as MinIO and a trailing Vault `*` match) covers `name`. */
export function globCovers(glob: string, name: string): boolean {
    const pattern = glob
        .split("*")
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*");
    return new RegExp(`^${pattern}$`).test(name);
}

/** The names `{bucket}` stands for: the stack's own `<prefix>-*-bucket`, and each adopted bucket it does not cover. */
export function bucketNames(scope: RightsScope): string[] {
    const own = `${scope.prefix}-*-bucket`;
    return [own, ...new Set(scope.adoptedBuckets.filter((b) => !globCovers(own, b)))];
}

/** The paths `{adoptedSecret}` stands for: each adopted secret's data path that the stack's own secrets' path does not cover. */
export function adoptedSecretPaths(scope: RightsScope): string[] {
    const own = expand("{mount}/data/{vaultPrefix}*", scope);
    return [...new Set(scope.adoptedSecrets.filter((p) => !globCovers(own, p)))];
}

/** A pattern with every name filled in: one string per name of a placeholder that stands for several (none when it stands for none). */
export function expandAll(pattern: NamePattern, scope: RightsScope): string[] {
    const one = expand(pattern, scope);
    if (one.includes("{bucket}")) return bucketNames(scope).map((b) => one.replace(/\{bucket\}/g, b));
    if (one.includes("{adoptedSecret}")) return adoptedSecretPaths(scope).map((p) => one.replace(/\{adoptedSecret\}/g, p));
    return [one];
}

/** One granted right, with the names filled in, and the table's reasons for it. */
export interface ScopedGrant {
    grant: Grant;
    /** `type operation: request` for each call that needs it. */
    because: string[];
}

/** The key that identifies a right: `vault <path> <capability>` or `minio <action> <resource>`. */
export function grantKey(grant: Grant): string {
    return grant.system === "vault" ? `vault ${grant.path} ${grant.capability}` : `minio ${grant.action} ${grant.resource}`;
}

/** A table grant with the scope's names filled in: one per name (none when a placeholder stands for none). */
function scopedGrants(grant: Grant, scope: RightsScope): Grant[] {
    return grant.system === "vault"
        ? expandAll(grant.path, scope).map((path) => ({ ...grant, path }))
        : expandAll(grant.resource, scope).map((resource) => ({ ...grant, resource }));
}

/**
 * Every right an identity needs in one system for the given resource types and stacks: the union
 * of the table's granted calls of those operations, names filled in per stack. Types without a
 * row throw (a new resource type must get its row first).
 */
export function requiredGrants(system: "vault" | "minio", identity: Identity, types: readonly string[], scopes: readonly RightsScope[]): ScopedGrant[] {
    const rows = types.map((type) => {
        const row = RIGHTS.find((r) => r.type === type);
        if (!row) throw new Error(`${type}: no row in the rights table (components/rights.ts); add its API calls before registering it`);
        return row;
    });
    const found = new Map<string, ScopedGrant>();
    for (const scope of scopes) {
        for (const row of rows.filter((r) => r.system === system)) {
            for (const operation of operationsOf(identity)) {
                for (const call of row.calls[operation] ?? []) {
                    if (call.notGranted !== undefined) continue;
                    if (call.onlyIf && !scope[call.onlyIf]) continue;
                    for (const grant of scopedGrants(call.grant, scope)) {
                        const key = grantKey(grant);
                        const entry = found.get(key) ?? { grant, because: [] };
                        const reason = `${row.type} ${operation}`;
                        if (!entry.because.includes(reason)) entry.because.push(reason);
                        found.set(key, entry);
                    }
                }
            }
        }
    }
    return [...found.values()].sort((a, b) => grantKey(a.grant).localeCompare(grantKey(b.grant)));
}

/** The grants of `document` that `required` does not have (a document that grants more than the table). */
export function excessGrants(document: readonly Grant[], required: readonly Grant[]): string[] {
    const allowed = new Set(required.map(grantKey));
    return document.map(grantKey).filter((key) => !allowed.has(key));
}

/** `type op` reasons as `type (op, op); type (op)`, in the table's order of operations. */
function describeReasons(because: Iterable<string>): string {
    const byType = new Map<string, Set<string>>();
    for (const reason of because) {
        const [type, operation] = reason.split(" ");
        byType.set(type, (byType.get(type) ?? new Set()).add(operation));
    }
    return [...byType.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([type, ops]) => `${type} (${OPERATIONS.filter((o) => ops.has(o)).join(", ")})`)
        .join("; ");
}

const CAPABILITY_ORDER: readonly VaultCapability[] = ["create", "read", "update", "delete"];

/** The Vault policy (HCL) for an identity: one `path` block per path, commented with the calls that need it. */
export function vaultPolicyDocument(identity: Identity, types: readonly string[], scopes: readonly RightsScope[]): string {
    const grants = requiredGrants("vault", identity, types, scopes);
    const byPath = new Map<string, { caps: Set<VaultCapability>; because: Set<string> }>();
    for (const { grant, because } of grants) {
        if (grant.system !== "vault") continue;
        const entry = byPath.get(grant.path) ?? { caps: new Set(), because: new Set() };
        entry.caps.add(grant.capability);
        for (const b of because) entry.because.add(b);
        byPath.set(grant.path, entry);
    }
    const header = [
        `# Vault policy of the ${identity === "deploy" ? "deploy identity (`pulumi up`)" : "preview identity (`pulumi preview --refresh`)"} for the stacks ${scopes.map((s) => s.stack).join(", ")}.`,
        "# GENERATED by `npm run rights` from the rights table in components/rights.ts (each API call the",
        "# providers make, with its source line); tests/rights.test.ts fails when this file differs. Do not edit.",
        ...(identity === "preview"
            ? [
                  "# Read only: no create, update or delete on any data path. `update` on auth/token/create mints the",
                  "# provider's short-lived child token, which can only hold this token's own policies (docs/ci.md).",
              ]
            : []),
        "",
    ];
    const blocks = [...byPath.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([p, { caps, because }]) => {
            const list = CAPABILITY_ORDER.filter((c) => caps.has(c))
                .map((c) => `"${c}"`)
                .join(", ");
            return [`# ${describeReasons(because)}`, `path "${p}" {`, `  capabilities = [${list}]`, `}`].join("\n");
        });
    return `${header.join("\n")}${blocks.join("\n\n")}\n`;
}

/** A MinIO (AWS-style) policy document. */
export interface MinioPolicyDocument {
    Version: "2012-10-17";
    Statement: { Effect: "Allow"; Action: string[]; Resource: string[] }[];
}

/** The MinIO policy for an identity: one statement per set of resources, actions sorted. */
export function minioPolicyDocument(identity: Identity, types: readonly string[], scopes: readonly RightsScope[]): MinioPolicyDocument {
    const grants = requiredGrants("minio", identity, types, scopes);
    const byAction = new Map<string, Set<string>>();
    for (const { grant } of grants) {
        if (grant.system !== "minio") continue;
        byAction.set(grant.action, (byAction.get(grant.action) ?? new Set()).add(grant.resource));
    }
    // MinIO refuses a statement that mixes s3: and admin: actions (minio/pkg v3.11.0
    // policy/statement.go:174, "mixing action types in the same statement is not allowed").
    const byResources = new Map<string, string[]>();
    for (const [action, resources] of byAction) {
        const key = JSON.stringify([action.split(":")[0], [...resources].sort()]);
        byResources.set(key, [...(byResources.get(key) ?? []), action]);
    }
    return {
        Version: "2012-10-17",
        Statement: [...byResources.entries()]
            .map(([key, actions]) => ({ Effect: "Allow" as const, Action: actions.sort(), Resource: (JSON.parse(key) as [string, string[]])[1] }))
            .sort((a, b) => a.Action[0].localeCompare(b.Action[0])),
    };
}

/** Every (action, resource) pair a MinIO policy document grants. */
export function minioDocumentGrants(doc: MinioPolicyDocument): MinioGrant[] {
    return doc.Statement.flatMap((s) => s.Action.flatMap((action) => s.Resource.map((resource) => ({ system: "minio" as const, action, resource }))));
}

/** The Vault and MinIO types of the table (what the program may register or invoke). */
export const RIGHTS_TYPES: readonly string[] = RIGHTS.map((r) => r.type);

/** The types among `registered` that belong to Vault or MinIO (resources and providers). */
export function vaultAndMinioTypes(registered: Iterable<string>): string[] {
    return [...new Set(registered)].filter((t) => /^(vault|minio):/.test(t) || /^pulumi:providers:(vault|minio)$/.test(t)).sort();
}

/** The parts of a validated fleet that decide a stack's rights. */
export interface RightsFleet {
    namePrefix: string;
    vault: { mount: string; namePrefix: string; skipChildToken: boolean };
    apps: readonly { quotaGiB?: number; adopt?: AdoptSettings }[];
}

/** A stack's scope: its names, whether its provider mints a child token, whether it sets quotas. */
export function rightsScope(stack: string, fleet: RightsFleet): RightsScope {
    return {
        stack,
        mount: fleet.vault.mount,
        vaultPrefix: fleet.vault.namePrefix,
        prefix: fleet.namePrefix,
        childToken: !fleet.vault.skipChildToken,
        quota: fleet.apps.some((app) => app.quotaGiB !== undefined),
        // As AppBackup adopts: nothing without a bucket, and the secret is read only beside one.
        adoptedBuckets: fleet.apps.flatMap((app) => (app.adopt?.bucket ? [app.adopt.bucket] : [])),
        adoptedSecrets: fleet.apps.flatMap(({ adopt }) =>
            adopt?.bucket && adopt.vaultSecret ? [`${adopt.vaultSecret.mount}/data/${adopt.vaultSecret.name}`] : [],
        ),
    };
}
