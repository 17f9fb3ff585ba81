/**
 * IAM policy documents for restic on MinIO, and a small evaluator for them.
 *
 * restic's own example policy is the model: bucket-level `ListBucket` and `GetBucketLocation`,
 * object-level `Get/Put/DeleteObject`. The original setup granted `s3:*` on `<bucket>/*`, which on
 * MinIO also grants bucket administration (lifecycle, policy, versioning, DeleteBucket), so the
 * actions here are always explicit.
 */

/** One statement of an S3 IAM policy, in the shape MinIO and AWS accept. */
export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Action: string[];
    Resource: string[];
}

/** An S3 IAM policy document. */
export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

/** The ARN of a bucket (`arn:aws:s3:::<bucket>`). */
export function bucketArn(bucket: string): string {
    return `arn:aws:s3:::${bucket}`;
}

/** The ARN that matches every object of a bucket (`arn:aws:s3:::<bucket>/*`). */
export function objectsArn(bucket: string): string {
    return `${bucketArn(bucket)}/*`;
}

/** Bucket-level actions restic needs: find the repository and list its files. */
export const RESTIC_BUCKET_ACTIONS: readonly string[] = ["s3:ListBucket", "s3:GetBucketLocation"];

/** Object-level actions a restic writer needs: read, write and delete pack files, indexes, locks. */
export const RESTIC_WRITER_OBJECT_ACTIONS: readonly string[] = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"];

/** Object-level actions a read-only consumer (a metrics exporter, a restore) needs. */
export const RESTIC_READER_OBJECT_ACTIONS: readonly string[] = ["s3:GetObject"];

function bucketPolicy(bucket: string, objectActions: readonly string[], sidPrefix: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: `${sidPrefix}Bucket`, Effect: "Allow", Action: [...RESTIC_BUCKET_ACTIONS], Resource: [bucketArn(bucket)] },
            { Sid: `${sidPrefix}Objects`, Effect: "Allow", Action: [...objectActions], Resource: [objectsArn(bucket)] },
        ],
    };
}

/** The policy of an app's backup writer: exactly what restic needs on `bucket`, nothing else. */
export function resticWriterPolicy(bucket: string): PolicyDocument {
    return bucketPolicy(bucket, RESTIC_WRITER_OBJECT_ACTIONS, "ResticWriter");
}

/** A read-only policy on `bucket`: list and read, never write or delete. */
export function resticReaderPolicy(bucket: string): PolicyDocument {
    return bucketPolicy(bucket, RESTIC_READER_OBJECT_ACTIONS, "ResticReader");
}

/** Shell-style match where `*` matches any run of characters and `?` one character. */
function globMatch(pattern: string, value: string): boolean {
    const escaped = pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${escaped}$`, "i").test(value);
}

function asArray(value: unknown): string[] {
    if (Array.isArray(value)) return value.map(String);
    return value === undefined ? [] : [String(value)];
}

/**
 * Whether `policy` allows `action` on `resource`, with IAM semantics: an explicit Deny wins,
 * otherwise any matching Allow allows, otherwise the request is denied. Accepts a parsed
 * document or its JSON text; `Action` and `Resource` may be strings or lists, with wildcards.
 */
export function isAllowed(policy: PolicyDocument | string, action: string, resource: string): boolean {
    const doc = (typeof policy === "string" ? JSON.parse(policy) : policy) as { Statement?: unknown };
    const statements = Array.isArray(doc.Statement) ? (doc.Statement as Record<string, unknown>[]) : [];
    let allowed = false;
    for (const statement of statements) {
        const matches =
            asArray(statement.Action).some((pattern) => globMatch(pattern, action)) &&
            asArray(statement.Resource).some((pattern) => globMatch(pattern, resource));
        if (!matches) continue;
        if (statement.Effect === "Deny") return false;
        if (statement.Effect === "Allow") allowed = true;
    }
    return allowed;
}
