/** The storage of one app: its versioned bucket, with a restic-safe lifecycle and an optional quota. */
import * as minio from "@pulumi/minio";
import { DEFAULT_RETENTION_DAYS } from "../stackback";
import { BuildContext, kept } from "./context";

/** The bucket, its versioning and its lifecycle. Kept on delete: it holds the backups. An adopted bucket is imported. */
export function buildStorage(ctx: BuildContext): { bucket: minio.S3Bucket } {
    const { name, args, names, adoption } = ctx;
    const keep = kept(ctx);
    const bucket = new minio.S3Bucket(
        `${name}-bucket`,
        {
            bucket: names.bucket,
            forceDestroy: false,
            // Bytes: terraform-provider-minio v1.20.1 (minio/resource_minio_s3_bucket.go, minioUpdateBucket)
            // sends it as madmin.BucketQuota{Quota, Type: HardQuota}, a byte count (madmin-go v1.7.5,
            // quota-commands.go). Not ForceNew: adding or changing it updates the bucket in place.
            ...(args.quotaGiB !== undefined ? { quota: args.quotaGiB * 2 ** 30 } : {}),
        },
        { ...keep, ...adoption.bucket },
    );
    const versioning = new minio.S3BucketVersioning(
        `${name}-versioning`,
        { bucket: bucket.bucket, versioningConfiguration: { status: "Enabled" } },
        { ...keep, ...adoption.versioning },
    );
    // Never expire current objects: restic's config, keys and old packs stay referenced for
    // ever. Only superseded versions expire; retention itself is restic's forget/prune.
    new minio.IlmPolicy(
        `${name}-lifecycle`,
        {
            bucket: bucket.bucket,
            // No `status`: terraform-provider-minio v1.20.1 (minio/resource_minio_ilm_policy.go)
            // has it Computed and always writes "Enabled".
            rules: [
                { id: "expire-noncurrent-versions", noncurrentVersionExpirationDays: args.retentionDays ?? DEFAULT_RETENTION_DAYS },
                // restic deletes its lock files on every run; in a versioned bucket each delete
                // leaves a marker. This removes markers whose versions have all expired.
                { id: "expire-delete-markers", expiration: "DeleteMarker" },
            ],
        },
        { ...keep, dependsOn: [versioning], ...adoption.lifecycle },
    );
    return { bucket };
}
