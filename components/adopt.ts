/**
 * Adoption: what an app's pipeline takes over instead of creating, when a bucket with a restic
 * repository, the Vault secret with its password and perhaps a MinIO user already exist (the
 * original Ansible layout, or an app that was removed and is added back).
 *
 * Pure: no Pulumi import. The component turns these into resource options.
 *
 * Import IDs, read in the providers' sources at the versions the installed SDKs bridge:
 * - @pulumi/minio 0.17.1 bridges terraform-provider-minio v1.20.1 (pulumi-minio provider/go.mod).
 *   `minio_s3_bucket`: the ID is the bucket name (minio/resource_minio_s3_bucket.go `minioCreateBucket`
 *   `d.SetId(bucket)`; minio/import_minio_s3_buckets.go reads the bucket named by the ID).
 *   `minio_s3_bucket_versioning` and `minio_ilm_policy`: `ImportStatePassthroughContext`, and their
 *   reads take the ID as the bucket (resource_minio_s3_bucket_versioning.go `minioReadBucketVersioning`,
 *   resource_minio_ilm_policy.go `minioReadILMPolicy`). `minio_iam_user`: passthrough, the ID is the
 *   user name (resource_minio_iam_user.go `minioReadUser` `GetUserInfo(ctx, d.Id())`).
 * - @pulumi/vault 7.8.0 bridges terraform-provider-vault at 91f91c5c (v5.8.0; pulumi-vault's
 *   `upstream` submodule). `vault_kv_secret_v2`: passthrough, the ID is `<mount>/data/<name>`
 *   (vault/resource_kv_secret_v2.go `kvSecretV2Write` `d.SetId(path)`, and `kvSecretV2Read` parses
 *   mount and name back out of the ID).
 *
 * What an import cannot match, so it is ignored until the adoption is proven (Pulumi fails an
 * import whose inputs differ from what the provider read, and honours `ignoreChanges` in that
 * comparison: pulumi/pulumi pkg/resource/deploy/step.go `ImportStep.Apply`):
 * - the bucket's `quota`: minioReadBucket and the importer never read it back;
 * - versioning's `versioningConfiguration`: a bucket never versioned reads back with no status;
 * - the lifecycle's `rules`: the old rules, whatever they are;
 * - the secret's `dataJson`: `kvSecretV2Read` never sets `data_json` (it sets `data` to an empty
 *   map), so an imported secret never has the program's data;
 * - a user's `secret`: MinIO's admin API does not return secret keys (minioReadUser sets only `status`).
 *
 * The restic password is never imported into `random.RandomPassword`: terraform-provider-random
 * v3.9.0 (what @pulumi/random 4.21.x bridges) imports a password BY ITS VALUE
 * (internal/provider/resource_password.go `ImportState`: `Result: req.ID`), so the password would
 * be the import ID: a plain string in the program, in the resource's `importID` in the state, and
 * in the `[id=...]` line of `pulumi preview --diff`. It is read from Vault instead, at a pinned
 * version, and stays a secret output.
 */

/** Where the password of an adopted repository is: a KV v2 secret whose field `password` holds it. */
export interface AdoptedVaultSecret {
    /** The KV v2 mount, e.g. `ansible`. */
    mount: string;
    /** The secret's name below the mount, e.g. `stackback_n8n`. */
    name: string;
    /**
     * The KV v2 version that holds the repository's password. Pin it: the program writes the app's
     * secret (often at this very path), and a re-added app's latest version may hold a password that
     * never opened the repository. Default: the latest version.
     */
    version?: number;
}

/** What already exists for one app and is taken over instead of created. */
export interface AdoptSettings {
    /** The existing bucket that holds the app's restic repository (any name, e.g. `restic-stackback-vm1-n8n-bucket`). */
    bucket?: string;
    /** The Vault secret with the repository's password (field `password`). Required with `bucket`. */
    vaultSecret?: AdoptedVaultSecret;
    /**
     * Whether the bucket has lifecycle rules (`mc ilm rule ls <alias>/<bucket>` lists some): they are
     * then imported and replaced by the program's once proven. Without rules there is nothing to
     * import (the provider's read finds no configuration), so the program's rules are created.
     * Versioning needs no such flag: its read succeeds on any bucket. Default `false`.
     */
    lifecycle?: boolean;
    /**
     * An existing MinIO user that belongs to this app alone, kept with its keys: its access key is
     * the user's name, its secret key the adopted secret's `secret_key`. Leave it out for a user
     * several apps share: the app then gets a new user of its own (the shared one is retired by
     * hand once every app that used it has passed its deploy-time check).
     */
    minioUser?: string;
    /** An existing read-only user of this app alone, kept likewise (secret key: the adopted secret's `reader_secret_key`). */
    readerUser?: string;
    /**
     * Whether the adoption has been proven: set `true` after the first `pulumi up` whose deploy-time
     * check opened the adopted repository. Until then everything adopted is `protect`ed and keeps
     * the settings it had (the import takes it as it is); from then on the program's settings
     * (versioning, lifecycle, quota, the Vault secret's new fields) are applied and `protect` is lifted.
     */
    proven?: boolean;
}

/** The Vault fields an adopted secret is read for (the original Ansible lookups' names). */
export const ADOPTED_FIELDS = { password: "password", secretKey: "secret_key", readerSecretKey: "reader_secret_key" } as const;

/** Import ID of a MinIO bucket, its versioning and its lifecycle: the bucket's name. */
export function bucketImportId(bucket: string): string {
    return bucket;
}

/** Import ID of a MinIO user: its name (= its access key). */
export function minioUserImportId(user: string): string {
    return user;
}

/** Import ID of a KV v2 secret: `<mount>/data/<name>`. */
export function vaultSecretImportId(secret: { mount: string; name: string }): string {
    return `${secret.mount}/data/${secret.name}`;
}

/** `<mount>/<name>` with its version, as messages and labels show an adopted secret. */
export function describeVaultSecret(secret: AdoptedVaultSecret): string {
    return `${secret.mount}/${secret.name} ${secret.version !== undefined ? `version ${secret.version}` : "(latest version)"}`;
}

/**
 * One line that says what was adopted from where, for the deploy-time check's messages.
 * Plain text: no secret is in it.
 */
export function adoptionSummary(adopt: AdoptSettings): string {
    const parts = [
        adopt.bucket !== undefined ? `bucket ${adopt.bucket}` : undefined,
        adopt.vaultSecret !== undefined ? `the restic password from Vault ${describeVaultSecret(adopt.vaultSecret)}` : undefined,
        adopt.minioUser !== undefined ? `MinIO user ${adopt.minioUser}` : undefined,
        adopt.readerUser !== undefined ? `MinIO user ${adopt.readerUser} (read-only)` : undefined,
    ].filter((p): p is string => p !== undefined);
    return `adopted ${parts.join(", ")}`;
}

/** Labels of the sidecar of an adopted app: where its repository and password come from. */
export const ADOPTED_LABELS = { bucket: "platform-backups.adopted-bucket", password: "platform-backups.adopted-password-from" } as const;

/** The sidecar's adoption labels (none when nothing is adopted). Plain text: no secret is in them. */
export function adoptionLabels(adopt: AdoptSettings | undefined): { label: string; value: string }[] {
    if (!adopt?.bucket) return [];
    return [
        { label: ADOPTED_LABELS.bucket, value: adopt.bucket },
        ...(adopt.vaultSecret ? [{ label: ADOPTED_LABELS.password, value: `vault:${describeVaultSecret(adopt.vaultSecret)}` }] : []),
    ];
}

/** The resource options of an adopted resource: the import, and until proven, `protect` and what the import cannot match. */
export interface AdoptedOptions {
    import: string;
    protect: boolean;
    ignoreChanges: string[];
}

/** Options for an adopted resource with import ID `id`; `unmatched` are the inputs an import cannot match. */
export function adoptedOptions(adopt: AdoptSettings, id: string, unmatched: readonly string[]): AdoptedOptions {
    const proven = adopt.proven === true;
    return { import: id, protect: !proven, ignoreChanges: proven ? [] : [...unmatched] };
}

/** Inputs each adopted resource's import cannot match (see the module comment for the sources). */
export const UNMATCHED_ON_IMPORT = {
    bucket: ["quota"],
    versioning: ["versioningConfiguration"],
    lifecycle: ["rules"],
    secret: ["dataJson"],
    user: ["secret"],
} as const;

/** S3 bucket names as MinIO takes them (dots avoided: they break virtual-host TLS names). */
const BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
/** A KV v2 mount or secret name: path segments without spaces, no leading or trailing slash. */
const VAULT_PATH = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
/** MinIO user names (access keys): 3-128 characters, no spaces, `=` or `,` (madmin's rules). */
const MINIO_USER = /^[^\s=,]{3,128}$/;

/** A problem of adoption settings: the key below `adopt` (`vaultSecret.version`) and what to do. */
export interface AdoptProblem {
    key: string;
    message: string;
}

/**
 * Problems of one app's adoption settings, each with its key below `adopt` and a fix. Types are
 * the schema's job; this says what no schema can: which settings need which.
 */
export function adoptProblems(adopt: AdoptSettings): AdoptProblem[] {
    const problems: AdoptProblem[] = [];
    const add = (key: string, message: string) => problems.push({ key, message });
    if (adopt.bucket !== undefined && !BUCKET.test(adopt.bucket)) {
        add("bucket", `"${adopt.bucket}" is not a bucket name MinIO takes (3-63 lowercase letters, digits and inner hyphens); copy it from \`mc ls <alias>\``);
    }
    if (adopt.bucket !== undefined && adopt.vaultSecret === undefined) {
        add(
            "vaultSecret",
            `is missing: bucket ${adopt.bucket} holds a restic repository that only its old password opens, and without it the program would generate a new one. Name the Vault secret that holds it, e.g. vaultSecret: { mount: ansible, name: stackback_<app>, version: <n> }`,
        );
    }
    if (adopt.bucket === undefined) {
        for (const key of ["vaultSecret", "lifecycle", "minioUser", "readerUser", "proven"] as const) {
            if (adopt[key] !== undefined && adopt[key] !== false) {
                add(key, "needs adopt.bucket: adoption starts from the bucket that holds the repository; name it, or remove the adopt settings");
            }
        }
    }
    const secret = adopt.vaultSecret;
    if (secret !== undefined) {
        if (!VAULT_PATH.test(secret.mount))
            add("vaultSecret.mount", `"${secret.mount}" is not a KV v2 mount path; write it without slashes around, e.g. "ansible"`);
        if (!VAULT_PATH.test(secret.name) || secret.name.startsWith("data/")) {
            add("vaultSecret.name", `"${secret.name}" is not a secret name below the mount; write e.g. "stackback_n8n" (no "data/" and no mount)`);
        }
        if (secret.version !== undefined && (!Number.isInteger(secret.version) || secret.version < 1)) {
            add(
                "vaultSecret.version",
                `${secret.version} is not a KV v2 version; versions count from 1 (\`vault kv metadata get -mount=${secret.mount} ${secret.name}\` lists them)`,
            );
        }
    }
    for (const key of ["minioUser", "readerUser"] as const) {
        const user = adopt[key];
        if (user !== undefined && !MINIO_USER.test(user))
            add(key, `"${user}" is not a MinIO user name (3-128 characters, no spaces, "=" or ","); copy it from \`mc admin user list <alias>\``);
    }
    if (adopt.minioUser !== undefined && adopt.minioUser === adopt.readerUser) {
        add("readerUser", `is the writer too (${adopt.minioUser}); a read-only user must be another user, or leave readerUser out for a new one`);
    }
    return problems;
}

/** How each part of an app's pipeline is adopted; a part left out is created as usual. */
export interface AdoptionPlan {
    bucket?: AdoptedOptions;
    versioning?: AdoptedOptions;
    lifecycle?: AdoptedOptions;
    /** The app's own Vault secret, imported only when it is at the adopted path. */
    secret?: AdoptedOptions;
    writer?: AdoptedOptions;
    reader?: AdoptedOptions;
    /** What was adopted from where, for the check's messages (no secret in it). */
    summary?: string;
}

/**
 * Which of the app's resources are imported, by which ID, with which options. `ownSecret` is
 * where the program writes the app's secret: it is imported only when it is the adopted one
 * (the prod stack's case, `ansible/stackback_<app>`); otherwise the adopted secret is only read.
 */
export function adoptionPlan(adopt: AdoptSettings | undefined, ownSecret: { mount: string; name: string }): AdoptionPlan {
    if (!adopt?.bucket) return {};
    const bucketId = bucketImportId(adopt.bucket);
    const at = adopt.vaultSecret;
    const sameSecret = at !== undefined && at.mount === ownSecret.mount && at.name === ownSecret.name;
    return {
        bucket: adoptedOptions(adopt, bucketId, UNMATCHED_ON_IMPORT.bucket),
        versioning: adoptedOptions(adopt, bucketId, UNMATCHED_ON_IMPORT.versioning),
        ...(adopt.lifecycle ? { lifecycle: adoptedOptions(adopt, bucketId, UNMATCHED_ON_IMPORT.lifecycle) } : {}),
        ...(sameSecret ? { secret: adoptedOptions(adopt, vaultSecretImportId(at), UNMATCHED_ON_IMPORT.secret) } : {}),
        ...(adopt.minioUser ? { writer: adoptedOptions(adopt, minioUserImportId(adopt.minioUser), UNMATCHED_ON_IMPORT.user) } : {}),
        ...(adopt.readerUser ? { reader: adoptedOptions(adopt, minioUserImportId(adopt.readerUser), UNMATCHED_ON_IMPORT.user) } : {}),
        summary: adoptionSummary(adopt),
    };
}

/** One app's adoption settings where the fleet lists them. */
export interface AdoptingApp {
    /** Its index in `apps`. */
    index: number;
    name: string;
    adopt: AdoptSettings;
}

/** A problem of one app's adoption among the fleet's apps. */
export interface FleetAdoptProblem extends AdoptProblem {
    /** The index in `apps` of the app the problem is reported on. */
    index: number;
}

/**
 * What no single app's settings can show: two apps adopting one bucket, an adopted bucket that is
 * another app's own bucket (`bucketOf` gives the bucket the program names for an app), and a
 * read-only user named by two apps (it would reach two buckets).
 */
export function fleetAdoptProblems(apps: readonly AdoptingApp[], bucketOf: (app: string) => string): FleetAdoptProblem[] {
    const problems: FleetAdoptProblem[] = [];
    const adoptedBy = new Map<string, AdoptingApp>();
    const readers = new Map<string, AdoptingApp>();
    const owners = new Map(apps.map((a) => [bucketOf(a.name), a] as const));
    for (const app of apps) {
        const bucket = app.adopt.bucket;
        if (bucket !== undefined) {
            const first = adoptedBy.get(bucket);
            if (first) {
                problems.push({
                    index: app.index,
                    key: "bucket",
                    message: `"${bucket}" is also adopted by apps[${first.index}] (${first.name}); one repository belongs to one app`,
                });
            } else adoptedBy.set(bucket, app);
            const owner = owners.get(bucket);
            if (owner && owner.name !== app.name) {
                problems.push({
                    index: app.index,
                    key: "bucket",
                    message: `"${bucket}" is the bucket of apps[${owner.index}] (${owner.name}); adopt a bucket no other app of the stack uses`,
                });
            }
        }
        const reader = app.adopt.readerUser;
        if (reader !== undefined) {
            const first = readers.get(reader);
            if (first) {
                problems.push({
                    index: app.index,
                    key: "readerUser",
                    message: `"${reader}" is also apps[${first.index}] (${first.name})'s reader; a read-only user reaches one bucket only`,
                });
            } else readers.set(reader, app);
        }
    }
    return problems;
}

/**
 * MinIO users named as `minioUser` by more than one app: shared credentials, which no app keeps.
 * Each such app gets a new user of its own; the shared one is retired by hand after every app that
 * used it has passed its check. Keys are user names, values the apps, in the fleet's order.
 */
export function sharedMinioUsers(apps: readonly AdoptingApp[]): Record<string, string[]> {
    const users = new Map<string, string[]>();
    for (const app of apps) {
        const user = app.adopt.bucket !== undefined ? app.adopt.minioUser : undefined;
        if (user !== undefined) users.set(user, [...(users.get(user) ?? []), app.name]);
    }
    return Object.fromEntries([...users].filter(([, named]) => named.length > 1));
}

/** The settings an app's component gets: a shared user is not kept (the app gets a new one). */
export function componentAdoptSettings(adopt: AdoptSettings, shared: Record<string, string[]>): AdoptSettings {
    if (adopt.minioUser === undefined || shared[adopt.minioUser] === undefined) return adopt;
    const { minioUser: _shared, ...rest } = adopt; // eslint-disable-line @typescript-eslint/no-unused-vars -- left out on purpose
    return rest;
}

/** Names an adoption changes: the bucket, and the users that are kept. */
export interface AdoptableNames {
    bucket: string;
    writerUser: string;
    readerUser: string;
}

/**
 * The app's names with what it adopted in their place: the adopted bucket (so the repository URL
 * and the IAM policies name it), and a kept user's name (its access key). Everything else keeps
 * the names the program gives.
 */
export function adoptedNames<N extends AdoptableNames>(names: N, adopt: AdoptSettings | undefined): N {
    if (!adopt?.bucket) return names;
    return {
        ...names,
        bucket: adopt.bucket,
        ...(adopt.minioUser !== undefined ? { writerUser: adopt.minioUser } : {}),
        ...(adopt.readerUser !== undefined ? { readerUser: adopt.readerUser } : {}),
    };
}
