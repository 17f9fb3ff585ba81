/**
 * The one place where names of per-app things are made.
 *
 * The original setup named the bucket `restic-stackback-<app>-bucket` in one place and
 * `restic-stackback-<vm>-<app>-bucket` in another. Names here never contain the host: an app that
 * moves to another VM keeps its bucket, its credentials and its restic repository.
 */

/** Default prefix of bucket and IAM user names; with it, bucket names match the original's. */
export const DEFAULT_NAME_PREFIX = "restic-stackback";

/** Default Vault KV v2 mount. The original setup used `ansible`; pass that to keep its paths. */
export const DEFAULT_VAULT_MOUNT = "secret";

/** Default prefix of the Vault secret's name; with it, names match the original's `stackback_<app>`. */
export const DEFAULT_VAULT_NAME_PREFIX = "stackback_";

/** App names are DNS labels: lowercase letters, digits and inner hyphens, 1-63 characters. */
export const APP_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** S3 bucket names as MinIO accepts them: 3-63 lowercase letters, digits, hyphens (and dots, which we avoid). */
const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** The names of everything one app's backup pipeline creates outside Pulumi's own state. */
export interface BackupNames {
    /** MinIO bucket that holds the app's restic repository. */
    bucket: string;
    /** MinIO IAM user (its access key id) that stack-back writes with. */
    writerUser: string;
    /** MinIO IAM policy attached to the writer. */
    writerPolicy: string;
    /** MinIO IAM user with read-only access, for metrics and restores. */
    readerUser: string;
    /** MinIO IAM policy attached to the reader. */
    readerPolicy: string;
    /** Name of the Vault KV v2 secret, below its mount. */
    vaultSecret: string;
    /** Name of the stack-back container on the app's host. */
    container: string;
    /** Name of the restic exporter container on the app's host. */
    exporterContainer: string;
    /** Docker volume with the sidecar's restic cache. */
    cacheVolume: string;
    /** Docker volume with the exporter's restic cache. */
    exporterCacheVolume: string;
}

/** Prefixes that shape the names; all optional. */
export interface NamingOptions {
    /** Prefix of bucket, user and policy names. Default `restic-stackback`. */
    namePrefix?: string;
    /** Prefix of the Vault secret name. Default `stackback_`. */
    vaultNamePrefix?: string;
}

/** Derives every name of an app's backup pipeline. Pure: the same app always gets the same names. */
export function backupNames(app: string, options: NamingOptions = {}): BackupNames {
    const prefix = options.namePrefix ?? DEFAULT_NAME_PREFIX;
    const vaultPrefix = options.vaultNamePrefix ?? DEFAULT_VAULT_NAME_PREFIX;
    return {
        bucket: `${prefix}-${app}-bucket`,
        writerUser: `${prefix}-${app}`,
        writerPolicy: `${prefix}-${app}-rw`,
        readerUser: `${prefix}-${app}-ro`,
        readerPolicy: `${prefix}-${app}-ro`,
        vaultSecret: `${vaultPrefix}${app}`,
        container: `${app}_stackback`,
        exporterContainer: `${app}_restic_exporter`,
        cacheVolume: `${app}_stackback_cache`,
        exporterCacheVolume: `${app}_restic_exporter_cache`,
    };
}

/**
 * Problems with an app name and the names derived from it, as sentences that say how to fix them.
 * Empty when all is well.
 */
export function nameProblems(app: string, options: NamingOptions = {}): string[] {
    if (!APP_NAME_PATTERN.test(app)) {
        return [`"${app}" is not a valid app name: use 1-63 lowercase letters, digits and inner hyphens (DNS label style), e.g. "gitlab" or "n8n"`];
    }
    const bucket = backupNames(app, options).bucket;
    if (bucket.length > 63) {
        return [
            `the bucket name "${bucket}" is ${bucket.length} characters, more than S3's 63: shorten the app name by ${bucket.length - 63} or use a shorter namePrefix`,
        ];
    }
    if (!BUCKET_NAME_PATTERN.test(bucket)) {
        return [`the bucket name "${bucket}" is not a valid S3 bucket name: namePrefix must be lowercase letters, digits and hyphens`];
    }
    return [];
}
