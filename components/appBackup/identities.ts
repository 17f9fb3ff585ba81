/** The MinIO identities of one app: the writer the sidecar uses, and the read-only reader. */
import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ADOPTED_FIELDS } from "../adopt";
import { resticReaderPolicy, resticWriterPolicy } from "../iamPolicy";
import { BuildContext, kept, Reader, SECRET_SPECIAL_CHARACTERS } from "./context";

/** Generator settings that a later release may change without rotating a live credential. */
export const SECRET_GENERATOR_SETTINGS = ["length", "special", "overrideSpecial", "upper", "lower", "numeric", "minSpecial"];

/** A generated secret (kept on delete, never rotated by a changed generator setting). */
export function generatedSecret(ctx: BuildContext, suffix: string, length: number): random.RandomPassword {
    return new random.RandomPassword(
        `${ctx.name}-${suffix}`,
        { length, special: true, overrideSpecial: SECRET_SPECIAL_CHARACTERS },
        { ...kept(ctx), ignoreChanges: SECRET_GENERATOR_SETTINGS },
    );
}

/** The writer: the MinIO user the sidecar backs up with, allowed only on the app's bucket. */
export function buildWriter(ctx: BuildContext): { user: minio.IamUser; secretKey: pulumi.Output<string>; attachment: minio.IamUserPolicyAttachment } {
    const { name, names, parent, adoption, adopted } = ctx;
    // A kept user keeps its key (read from the adopted secret); any other writer gets a new one.
    const secretKey = adopted && adoption.writer ? adopted.field(ADOPTED_FIELDS.secretKey) : generatedSecret(ctx, "s3-secret-key", 40).result;
    const user = new minio.IamUser(
        `${name}-user`,
        // No updateSecret: with it, terraform-provider-minio v1.20.1 (minio/resource_minio_iam_user.go,
        // minioUpdateUser) sets a new RANDOM key on every update, and Vault and the sidecar keep a dead one.
        { name: names.writerUser, secret: secretKey, forceDestroy: false },
        { parent, ...adoption.writer },
    );
    const policy = new minio.IamPolicy(`${name}-policy`, { name: names.writerPolicy, policy: JSON.stringify(resticWriterPolicy(names.bucket)) }, { parent });
    const attachment = new minio.IamUserPolicyAttachment(`${name}-policy-attachment`, { userName: user.name, policyName: policy.name }, { parent });
    return { user, secretKey, attachment };
}

/**
 * The app's read-only MinIO user: list and read its bucket, nothing else. The exporter and the
 * restore drill share it (both run restic with `--no-lock`). Its children keep the names they
 * had when only the exporter used it, so sharing it replaced nothing.
 */
export function buildReader(ctx: BuildContext): Reader {
    const { name, names, parent, adoption, adopted } = ctx;
    // A kept reader keeps its key, as a kept writer does.
    const readerKey =
        adopted && adoption.reader
            ? adopted.field(ADOPTED_FIELDS.readerSecretKey)
            : new random.RandomPassword(
                  `${name}-reader-secret-key`,
                  { length: 40, special: true, overrideSpecial: SECRET_SPECIAL_CHARACTERS },
                  { parent, ignoreChanges: ["length", "special", "overrideSpecial"] },
              ).result;
    // No updateSecret, as for the writer: it would replace the key with a random one on each update.
    const user = new minio.IamUser(`${name}-reader`, { name: names.readerUser, secret: readerKey }, { parent, ...adoption.reader });
    const policy = new minio.IamPolicy(
        `${name}-reader-policy`,
        { name: names.readerPolicy, policy: JSON.stringify(resticReaderPolicy(names.bucket)) },
        { parent },
    );
    const attachment = new minio.IamUserPolicyAttachment(`${name}-reader-policy-attachment`, { userName: user.name, policyName: policy.name }, { parent });
    return { user, secretKey: readerKey, attachment };
}
