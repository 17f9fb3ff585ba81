/**
 * Least privilege for restores: what a restore (or a restore drill) may touch, as data.
 *
 * Two identities are involved:
 * - Vault: a token that can read ONE app's KV v2 secret ({@link vaultRestorePolicy}), minted for
 *   an hour when a restore is needed (see docs/restore.md).
 * - MinIO: a read-only S3 identity on the app's bucket. The exporter's reader policy
 *   (`resticReaderPolicy`: `ListBucket`, `GetBucketLocation` on the bucket, `GetObject` on its
 *   objects) is enough, provided restic runs with `--no-lock`: see {@link RESTIC_S3_CALLS}.
 *
 * Why `--no-lock` is both required and sufficient (restic v0.18.0, cmd/restic/lock.go):
 * `restore`, `snapshots`, `ls` and `check` open the repository through `internalOpenWithLocked`;
 * with `--no-lock` (a global flag, cmd/restic/global.go, so every command accepts it) no lock file
 * is written and the repository is switched to dry-run (`repo.SetDryRun()`,
 * internal/repository/repository.go), which wraps the backend in internal/backend/dryrun: every
 * Save and Remove is silently dropped. Without `--no-lock` the same commands write
 * `locks/<id>` and delete it again, which a read-only identity is refused.
 *
 * Pure: no Pulumi import. The component turns {@link vaultRestorePolicy} into a `vault.Policy`.
 */
import { bucketArn, isAllowed, objectsArn, PolicyDocument } from "./iamPolicy";

/** Where a restic repository's files live inside its bucket (restic's repository layout). */
export const RESTIC_REPOSITORY_FILES = ["config", "keys/", "index/", "snapshots/", "data/", "locks/"] as const;

/** One S3 call restic makes, the IAM action it needs, and on which resource. */
export interface ResticS3Call {
    /** What restic does (for messages and docs). */
    what: string;
    /** The IAM action MinIO checks. */
    action: string;
    /** `bucket` for bucket-level calls, or an object key inside the repository (`keys/x`). */
    resource: "bucket" | string;
}

/**
 * The S3 calls of restic's S3 backend (restic v0.18.0, internal/backend/s3/s3.go, via minio-go):
 * `Open` makes no call of its own; `List` is `ListObjects` (s3:ListBucket), `Load` is
 * `GetObject`, `Stat` is `StatObject` (HEAD object, s3:GetObject); minio-go asks the bucket's
 * location (s3:GetBucketLocation) before the first request when no region is configured.
 * `Save` is `PutObject`, `Remove` is `RemoveObject`.
 */
export const RESTIC_S3_CALLS = {
    /** What `snapshots`, `ls`, `restore`, `check --read-data-subset` need with `--no-lock`. */
    readNoLock: [
        { what: "find the bucket's region", action: "s3:GetBucketLocation", resource: "bucket" },
        { what: "list keys, snapshots, indexes and packs", action: "s3:ListBucket", resource: "bucket" },
        { what: "read the repository config", action: "s3:GetObject", resource: "config" },
        { what: "read a key file to open the repository", action: "s3:GetObject", resource: "keys/0000" },
        { what: "read a snapshot", action: "s3:GetObject", resource: "snapshots/0000" },
        { what: "read the index", action: "s3:GetObject", resource: "index/0000" },
        { what: "read pack files (restore, check --read-data-subset)", action: "s3:GetObject", resource: "data/00/0000" },
    ] as readonly ResticS3Call[],
    /** What the same commands add WITHOUT `--no-lock`: a lock file written, then removed. */
    lock: [
        { what: "write a lock file", action: "s3:PutObject", resource: "locks/0000" },
        { what: "remove the lock file", action: "s3:DeleteObject", resource: "locks/0000" },
    ] as readonly ResticS3Call[],
} as const;

/**
 * Every action that could change or destroy a repository or its history, bucket-level and
 * object-level. A restore identity must hold none of them.
 */
export const REPOSITORY_WRITE_ACTIONS: ReadonlyArray<{ action: string; resource: "bucket" | "objects" }> = [
    { action: "s3:PutObject", resource: "objects" },
    { action: "s3:DeleteObject", resource: "objects" },
    { action: "s3:DeleteObjectVersion", resource: "objects" },
    { action: "s3:PutObjectRetention", resource: "objects" },
    { action: "s3:PutObjectLegalHold", resource: "objects" },
    { action: "s3:BypassGovernanceRetention", resource: "objects" },
    { action: "s3:PutObjectTagging", resource: "objects" },
    { action: "s3:DeleteBucket", resource: "bucket" },
    { action: "s3:PutBucketPolicy", resource: "bucket" },
    { action: "s3:DeleteBucketPolicy", resource: "bucket" },
    { action: "s3:PutLifecycleConfiguration", resource: "bucket" },
    { action: "s3:PutBucketVersioning", resource: "bucket" },
    { action: "s3:PutBucketObjectLockConfiguration", resource: "bucket" },
    { action: "s3:PutReplicationConfiguration", resource: "bucket" },
];

function arnOf(bucket: string, resource: string): string {
    return resource === "bucket" ? bucketArn(bucket) : resource === "objects" ? objectsArn(bucket) : `${bucketArn(bucket)}/${resource}`;
}

/** The calls of `calls` that `policy` refuses on `bucket`, as sentences. Empty when all pass. */
export function deniedCalls(policy: PolicyDocument | string, bucket: string, calls: readonly ResticS3Call[]): string[] {
    return calls
        .filter((call) => !isAllowed(policy, call.action, arnOf(bucket, call.resource)))
        .map((call) => `${call.action} on ${arnOf(bucket, call.resource)} (${call.what}) is not allowed`);
}

/** The write actions `policy` allows on `bucket` or its objects: must be empty for a restore identity. */
export function allowedWriteActions(policy: PolicyDocument | string, bucket: string): string[] {
    return REPOSITORY_WRITE_ACTIONS.filter(({ action, resource }) => isAllowed(policy, action, arnOf(bucket, resource))).map(
        ({ action, resource }) => `${action} on ${arnOf(bucket, resource)}`,
    );
}

/**
 * Problems that keep `policy` from being a restore identity for `bucket`: a read that restic
 * needs with `--no-lock` is refused, or any write is allowed. Empty when it fits.
 */
export function restoreIdentityProblems(policy: PolicyDocument | string, bucket: string): string[] {
    return [
        ...deniedCalls(policy, bucket, RESTIC_S3_CALLS.readNoLock),
        ...allowedWriteActions(policy, bucket).map((w) => `${w} is allowed; a restore identity must not be able to change the repository`),
    ];
}

// ---------------------------------------------------------------------------------------------
// Vault
// ---------------------------------------------------------------------------------------------

/** A KV v2 mount or secret name as this project writes them: no quote, no glob, no `..`. */
const VAULT_PATH_PART = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

/** The HTTP API paths of a KV v2 secret: `<mount>/data/<name>` and `<mount>/metadata/<name>`. */
export function kvV2Paths(mount: string, name: string): { data: string; metadata: string } {
    for (const [what, value] of [
        ["mount", mount],
        ["name", name],
    ] as const) {
        if (!VAULT_PATH_PART.test(value) || value.split("/").includes("..")) {
            throw new RangeError(`Vault ${what} "${value}" must be letters, digits, "_", ".", "-" and "/" separators (no "..", no glob)`);
        }
    }
    return { data: `${mount}/data/${name}`, metadata: `${mount}/metadata/${name}` };
}

/** The name of an app's restore policy in Vault, `<namePrefix>-<app>-restore` (next to its MinIO policy names). */
export function vaultRestorePolicyName(app: string, namePrefix = "restic-stackback"): string {
    return `${namePrefix}-${app}-restore`;
}

/**
 * The Vault policy (HCL) that reads one app's secret and nothing else: `read` on the KV v2 data
 * path (the values) and on its metadata path (versions, so `vault kv get` works). No `list`, no
 * wildcard: a token with it cannot even discover the names of other apps' secrets.
 */
export function vaultRestorePolicy(mount: string, name: string): string {
    const paths = kvV2Paths(mount, name);
    return [
        `# Read-only access to one app's restic secret (${mount}/${name}), for restores.`,
        `path "${paths.data}" {`,
        `  capabilities = ["read"]`,
        `}`,
        ``,
        `path "${paths.metadata}" {`,
        `  capabilities = ["read"]`,
        `}`,
        ``,
    ].join("\n");
}

/** The `vault` command that mints a one-hour, non-renewable-beyond-policy token for one app's restore. */
export function restoreTokenCommand(policyName: string, ttl = "1h"): string {
    return `vault token create -policy=${policyName} -ttl=${ttl} -explicit-max-ttl=${ttl} -no-default-policy -display-name=restore -field=token`;
}
