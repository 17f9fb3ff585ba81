/**
 * The invariants that keep restic backups alive, as CrossGuard rules.
 *
 * Each rule is two things: a pure validator over plain resource inputs (exported, returns the
 * violation messages, so tests call it directly with no engine), and a `ResourceValidationPolicy`
 * that applies it to one resource type. Only `import type` from @pulumi/policy here, apart from the
 * `Secret` marker the remediation returns, so that the rules load without a Pulumi engine.
 *
 * What a policy can see (checked against @pulumi/policy 1.21's server.js and the analyzer proto):
 * - `validateResource` gets the resource INPUTS with secrets unwrapped to their plain values
 *   (`deserializeProperties(..., false)`): a validator cannot tell a secret from plain text, and it
 *   does see secret values in clear. Values not known yet (during `pulumi preview`, anything computed
 *   from a resource that does not exist yet) are sentinels; touching one through `args.props` throws
 *   and the SDK turns it into an advisory "can't run policy during preview". The same rule then runs
 *   with real values at `pulumi up`, before the resource is created.
 * - `remediateResource` gets the inputs with secrets still marked (`deserializeProperties(..., true)`),
 *   and may return new inputs, wrapping values in `Secret` to make them secret. That is the one place
 *   secretness is observable, so the plain-text-secret rule is a remediation.
 * - `args.opts` offers `protect`, `ignoreChanges`, `deleteBeforeReplace`, `aliases`, `customTimeouts`,
 *   `additionalSecretOutputs` and `parent`. `retainOnDelete` is NOT part of the analyzer protocol: no
 *   policy can see it. See `bucketDeletionProblems` for what is enforced instead.
 */
import type { Policies, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { Secret } from "@pulumi/policy";
import { bucketArn, isAllowed, objectsArn, type PolicyDocument } from "../components/iamPolicy";
import { CRON_FIELDS } from "../components/cron";
import { switchProblem, SWITCHES_ON_WHEN_SET, SWITCHES_ON_WHEN_TRUE } from "../components/stackback";
import { adoptedPasswordKept } from "./adoption";

/** Resource type tokens the rules apply to (checked against the provider SDKs' `__pulumiType`). */
export const RESOURCE_TYPES = {
    bucket: "minio:index/s3Bucket:S3Bucket",
    ilmPolicy: "minio:index/ilmPolicy:IlmPolicy",
    iamPolicy: "minio:index/iamPolicy:IamPolicy",
    remoteImage: "docker:index/remoteImage:RemoteImage",
    container: "docker:index/container:Container",
} as const;

/** Resource options as far as a policy can see them (a subset of `PolicyResourceOptions`). */
export interface VisibleOptions {
    protect?: boolean;
}

/** Plain resource inputs, as policies receive them. */
export type Props = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// MinIO: lifecycle rules

/**
 * The one `expiration` value that is safe: `DeleteMarker` removes delete markers whose older
 * versions are all gone (S3's ExpiredObjectDeleteMarker). It never touches a current object.
 */
const SAFE_EXPIRATION = "DeleteMarker";

/** Violations of "no lifecycle rule expires current objects" for one `IlmPolicy`'s inputs. */
export function ilmExpirationProblems(props: Props): string[] {
    const rules = Array.isArray(props.rules) ? (props.rules as Props[]) : [];
    const problems: string[] = [];
    rules.forEach((rule, index) => {
        const expiration = rule?.expiration;
        if (expiration === undefined || expiration === null || expiration === "" || expiration === SAFE_EXPIRATION) return;
        const id = typeof rule.id === "string" && rule.id !== "" ? `"${rule.id}"` : `#${index}`;
        problems.push(
            `ILM rule ${id} on bucket "${String(props.bucket ?? "?")}" sets expiration "${String(expiration)}", which deletes CURRENT objects. ` +
                "restic writes its config and keys once and keeps referencing old pack files from new snapshots, so this destroys the repository. " +
                "Remove `expiration`; expire only non-current versions (`noncurrentVersionExpirationDays`) and leave retention to restic (stack-back's RESTIC_KEEP_*).",
        );
    });
    return problems;
}

// ---------------------------------------------------------------------------------------------
// MinIO: IAM policies

/** Bucket-level administration that a backup writer must never hold (MinIO grants it with `s3:*`). */
export const BUCKET_ADMIN_ACTIONS: readonly string[] = [
    "s3:DeleteBucket",
    "s3:ForceDeleteBucket",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketVersioning",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutObjectRetention",
    "s3:BypassGovernanceRetention",
];

const ARN_PREFIX = "arn:aws:s3:::";

function asStrings(value: unknown): string[] {
    if (Array.isArray(value)) return value.map(String);
    return value === undefined || value === null ? [] : [String(value)];
}

/** The bucket named by an S3 ARN (`arn:aws:s3:::<bucket>[/<key pattern>]`), or undefined when not an S3 ARN. */
export function arnBucket(arn: string): string | undefined {
    if (!arn.startsWith(ARN_PREFIX)) return undefined;
    const rest = arn.slice(ARN_PREFIX.length);
    const slash = rest.indexOf("/");
    return slash === -1 ? rest : rest.slice(0, slash);
}

/**
 * Violations of "an IAM policy grants explicit actions on one single bucket" for one `IamPolicy`'s
 * inputs (`policy` is the JSON document). Deny statements only take rights away and are not checked.
 */
export function iamPolicyProblems(props: Props): string[] {
    const name = String(props.name ?? "?");
    let doc: { Statement?: unknown };
    try {
        doc = typeof props.policy === "string" ? JSON.parse(props.policy) : (props.policy as { Statement?: unknown });
    } catch (e) {
        return [`IAM policy "${name}": its document is not valid JSON (${(e as Error).message}).`];
    }
    const statements = Array.isArray(doc?.Statement) ? (doc.Statement as Props[]) : doc?.Statement ? [doc.Statement as Props] : [];
    const problems: string[] = [];
    const buckets = new Set<string>();
    statements.forEach((statement, index) => {
        if (statement.Effect !== "Allow") return;
        const where = `IAM policy "${name}", statement ${typeof statement.Sid === "string" ? `"${statement.Sid}"` : `#${index}`}`;
        for (const key of ["NotAction", "NotResource", "Principal", "NotPrincipal"]) {
            if (statement[key] !== undefined) {
                problems.push(`${where} uses ${key}: an Allow with ${key} grants far more than it names. List explicit Action and Resource instead.`);
            }
        }
        for (const action of asStrings(statement.Action)) {
            if (action === "*" || action.toLowerCase() === "s3:*") {
                problems.push(
                    `${where} allows "${action}". On MinIO that includes bucket administration (lifecycle, policy, versioning, DeleteBucket). ` +
                        `Grant restic's actions explicitly: s3:ListBucket, s3:GetBucketLocation on ${bucketArn("<bucket>")}; s3:GetObject, s3:PutObject, s3:DeleteObject on ${bucketArn("<bucket>")}/*.`,
                );
            }
        }
        const resources = asStrings(statement.Resource);
        if (resources.length === 0) problems.push(`${where} names no Resource; name the bucket's ARNs.`);
        for (const resource of resources) {
            const bucket = arnBucket(resource);
            if (bucket === undefined || bucket === "") {
                problems.push(
                    `${where} has Resource "${resource}", which is not an S3 bucket ARN; use ${bucketArn("<bucket>")} and ${bucketArn("<bucket>")}/*.`,
                );
            } else if (/[*?]/.test(bucket)) {
                problems.push(`${where} has Resource "${resource}" with a wildcard in the bucket name; it reaches other buckets. Name the one bucket.`);
            } else {
                buckets.add(bucket);
            }
        }
    });
    if (buckets.size > 1) {
        problems.push(
            `IAM policy "${name}" reaches ${buckets.size} buckets (${[...buckets].sort().join(", ")}); one app's credentials must reach only its own bucket.`,
        );
    }
    for (const bucket of buckets) {
        // MinIO also matches bucket-level requests against `<bucket>/*` statements, so check both ARNs.
        const granted = BUCKET_ADMIN_ACTIONS.filter((action) =>
            [bucketArn(bucket), objectsArn(bucket)].some((arn) => isAllowed(doc as PolicyDocument, action, arn)),
        );
        if (granted.length > 0) {
            problems.push(
                `IAM policy "${name}" allows bucket administration on "${bucket}" (${granted.join(", ")}): a compromised app could delete its own backups. Remove these actions.`,
            );
        }
    }
    return problems;
}

// ---------------------------------------------------------------------------------------------
// MinIO: buckets

/**
 * Violations of "a backup bucket cannot be wiped by a deletion" for one `S3Bucket`.
 *
 * `retainOnDelete` is invisible to policies, so the rule rests on what is visible: a bucket with
 * `forceDestroy: true` is emptied and deleted when its resource is deleted, whereas without it MinIO
 * refuses to delete a bucket that still holds a restic repository. So `forceDestroy: true` is only
 * tolerated on a `protect`ed bucket. AppBackup (retainOnDelete, no protect, no forceDestroy) passes;
 * the retainOnDelete it sets is the first line of defence and this rule the second.
 */
export function bucketDeletionProblems(props: Props, opts: VisibleOptions): string[] {
    if (props.forceDestroy !== true || opts.protect === true) return [];
    return [
        `Bucket "${String(props.bucket ?? "?")}" has forceDestroy: true and is not protected: deleting this resource (removing the app, renaming the component, ` +
            "`pulumi destroy`) empties the bucket and its restic repository. Drop forceDestroy (MinIO then refuses to delete a non-empty bucket), " +
            "and keep retainOnDelete: true or protect: true on it (policies cannot see retainOnDelete).",
    ];
}

/** Advisory: `forceDestroy: true` on a protected bucket is one `unprotect` away from a wipe. */
export function bucketForceDestroyAdvice(props: Props, opts: VisibleOptions): string[] {
    if (props.forceDestroy !== true || opts.protect !== true) return [];
    return [
        `Bucket "${String(props.bucket ?? "?")}" is protected but has forceDestroy: true; once unprotected, a delete wipes its backups. Drop forceDestroy.`,
    ];
}

// ---------------------------------------------------------------------------------------------
// Docker: images

/** An image reference split into its parts (`[registry[:port]/]path[:tag][@digest]`). */
export interface ImageReference {
    repository: string;
    tag?: string;
    digest?: string;
}

/** Parses a Docker image reference. The tag is after the last `:` of the last path segment, so `registry:5000/img` has none. */
export function parseImageReference(reference: string): ImageReference {
    const at = reference.indexOf("@");
    const digest = at === -1 ? undefined : reference.slice(at + 1);
    const nameAndTag = at === -1 ? reference : reference.slice(0, at);
    const lastSlash = nameAndTag.lastIndexOf("/");
    const colon = nameAndTag.indexOf(":", lastSlash + 1);
    return colon === -1 ? { repository: nameAndTag, digest } : { repository: nameAndTag.slice(0, colon), tag: nameAndTag.slice(colon + 1), digest };
}

/** A bare image id (`sha256:<64 hex>`), as `RemoteImage.imageId` yields: immutable, so pinned. */
const IMAGE_ID = /^sha256:[0-9a-f]{64}$/i;

/** Violations of "an image is pinned": a digest, an image id, or an explicit tag other than `latest`. */
export function imagePinProblems(reference: unknown, what: string): string[] {
    if (typeof reference !== "string" || reference === "") return [];
    if (IMAGE_ID.test(reference)) return [];
    const parsed = parseImageReference(reference);
    if (parsed.digest !== undefined) {
        return /^sha256:[0-9a-f]{64}$/i.test(parsed.digest) ? [] : [`${what} "${reference}" has a malformed digest; use @sha256:<64 hex digits>.`];
    }
    if (parsed.tag === undefined) {
        return [
            `${what} "${reference}" has no tag, so it means :latest and changes under you. Pin a release tag (e.g. ghcr.io/lawndoc/stack-back:v1.5.4) or a digest.`,
        ];
    }
    if (parsed.tag === "latest") {
        return [
            `${what} "${reference}" uses :latest, which changes under you and differs between hosts. Pin a release tag (e.g. ghcr.io/lawndoc/stack-back:v1.5.4) or a digest.`,
        ];
    }
    return [];
}

// ---------------------------------------------------------------------------------------------
// Docker: the stack-back sidecar's container

/** Splits `KEY=value` strings into a map. Entries that are not strings (unknowns) or have no `=` are skipped. */
export function parseEnvs(envs: unknown): Map<string, string> {
    const result = new Map<string, string>();
    if (!Array.isArray(envs)) return result;
    for (const entry of envs) {
        if (typeof entry !== "string") continue;
        const eq = entry.indexOf("=");
        if (eq <= 0) continue;
        result.set(entry.slice(0, eq), entry.slice(eq + 1));
    }
    return result;
}

/**
 * Problems of a cron expression against stack-back's grammar only: five fields, each a plain number
 * in range or `*`. (components/cron.ts `parseCron` additionally demands a fixed minute and hour, which
 * is this program's choice, not stack-back's; a policy for every AppBackup user checks the grammar.)
 */
export function cronGrammarProblems(expression: string): string[] {
    const fields = expression
        .trim()
        .split(/\s+/)
        .filter((f) => f !== "");
    if (fields.length !== 5) return [`"${expression}" has ${fields.length} fields; stack-back needs five ("M H * * *")`];
    const problems: string[] = [];
    fields.forEach((field, index) => {
        const spec = CRON_FIELDS[index];
        if (field === "*") return;
        if (!/^\d+$/.test(field)) {
            problems.push(`the ${spec.name} field "${field}" is not a plain number or "*"`);
        } else if (Number(field) < spec.min || Number(field) > spec.max) {
            problems.push(`the ${spec.name} field ${field} is outside ${spec.min}-${spec.max}`);
        }
    });
    return problems;
}

/** Violations of stack-back's schedule grammar in a container's `CRON_SCHEDULE` / `MAINTENANCE_SCHEDULE`. */
export function scheduleProblems(props: Props): string[] {
    const env = parseEnvs(props.envs);
    const problems: string[] = [];
    const consequences: Record<string, string> = {
        CRON_SCHEDULE: "stack-back silently falls back to 02:00, colliding with the rest of the storage group",
        MAINTENANCE_SCHEDULE: "stack-back silently disables maintenance (forget/prune/check), so retention stops",
    };
    for (const key of Object.keys(consequences)) {
        const value = env.get(key);
        if (value === undefined) continue;
        const found = cronGrammarProblems(value);
        if (found.length > 0) {
            problems.push(`Container "${String(props.name ?? "?")}": ${key}="${value}": ${found.join("; ")}. ${consequences[key]}. Write plain "M H * * *".`);
        }
    }
    return problems;
}

/**
 * stack-back v1.5.4's switches, in its two kinds (config.py, utils.py `is_true`): `SWARM_MODE` and
 * `INCLUDE_ALL_COMPOSE_PROJECTS` are ON when set to anything, `false` included; the others are ON
 * only for 1/true/True/TRUE, so `AUTO_BACKUP_ALL=false` is fine and `=yes` silently means OFF.
 */
export const STACK_BACK_SWITCHES: readonly string[] = [...SWITCHES_ON_WHEN_SET, ...SWITCHES_ON_WHEN_TRUE];

/** Violations of "each stack-back switch means what it says", plus the ignored `BACKUP_CRON`. */
export function stackBackEnvProblems(props: Props): string[] {
    const env = parseEnvs(props.envs);
    const name = String(props.name ?? "?");
    const problems: string[] = [];
    for (const key of STACK_BACK_SWITCHES) {
        const value = env.get(key);
        const problem = value === undefined ? undefined : switchProblem(key, value);
        if (problem) problems.push(`Container "${name}": ${problem}.`);
    }
    if (env.has("BACKUP_CRON")) {
        problems.push(
            `Container "${name}": BACKUP_CRON is not a stack-back variable and is silently ignored (backups run at the 02:00 default). Use CRON_SCHEDULE.`,
        );
    }
    return problems;
}

/** Keys whose values are credentials in a restic / stack-back container. */
export const SECRET_ENV_KEYS: readonly string[] = ["RESTIC_PASSWORD", "AWS_SECRET_ACCESS_KEY", "EMAIL_HOST_PASSWORD", "DISCORD_WEBHOOK"];

/** The role label of the restore drill container (components/restoreDrill.ts, `drillContainerSpec`). */
export const RESTORE_DRILL_ROLE = { label: "platform-backups.role", value: "restore-drill" } as const;

/** Whether a container is labelled as a restore drill. Such a container must be isolated: see {@link restoreDrillProblems}. */
export function isRestoreDrillContainer(props: Props): boolean {
    return labelValue(props, RESTORE_DRILL_ROLE.label) === RESTORE_DRILL_ROLE.value;
}

/**
 * Whether a container looks like the stack-back sidecar: by image name, or by its schedule plus a
 * restic repository. A restore drill runs stack-back's image too, for its restic, sh, python3 and
 * crond, but is no sidecar: it is held to {@link restoreDrillProblems} instead, which a sidecar
 * cannot pass, so the label is no way around the sidecar rule.
 */
export function isStackBackContainer(props: Props): boolean {
    if (isRestoreDrillContainer(props)) return false;
    const image = typeof props.image === "string" ? props.image : "";
    if (/stack-back|restic-compose-backup/.test(image)) return true;
    const env = parseEnvs(props.envs);
    return env.has("RESTIC_REPOSITORY") && (env.has("CRON_SCHEDULE") || env.has("BACKUP_CRON"));
}

function labelValue(props: Props, label: string): string | undefined {
    const labels = Array.isArray(props.labels) ? (props.labels as Props[]) : [];
    const found = labels.find((l) => l?.label === label);
    return found === undefined ? undefined : String(found.value ?? "");
}

/**
 * Violations of what the stack-back sidecar needs to back anything up at all: no `hostname` (it
 * finds its own container by hostname == container id), the compose project label of the app (its
 * scope), a repository and a password, and no single quote in any value (it writes its environment
 * into a single-quoted shell file, so a `'` breaks the cron job).
 */
export function sidecarProblems(props: Props): string[] {
    if (!isStackBackContainer(props)) return [];
    const name = String(props.name ?? "?");
    const problems: string[] = [];
    if (typeof props.hostname === "string" && props.hostname !== "") {
        problems.push(
            `stack-back container "${name}" sets hostname "${props.hostname}": stack-back finds its own container by hostname == container id and fails. Remove hostname.`,
        );
    }
    const project = labelValue(props, "com.docker.compose.project");
    if (project === undefined || project === "") {
        problems.push(
            `stack-back container "${name}" has no com.docker.compose.project label: it backs up only containers of its own compose project, so it would back up nothing. Label it with the app's compose project.`,
        );
    }
    const env = parseEnvs(props.envs);
    for (const key of ["RESTIC_REPOSITORY", "RESTIC_PASSWORD"]) {
        if (Array.isArray(props.envs) && !env.has(key)) problems.push(`stack-back container "${name}" has no ${key}; restic cannot run without it.`);
    }
    for (const [key, value] of env) {
        if (value.includes("'")) {
            problems.push(
                `stack-back container "${name}": the value of ${key} contains a single quote, which breaks stack-back's generated env file and so every backup. Regenerate it without quotes.`,
            );
        }
    }
    return problems;
}

/**
 * Violations of what keeps a restore drill harmless: no Docker socket (it needs no Docker API, and
 * with one it could stop the app's containers), no `com.docker.compose.project` label (stack-back
 * would count it among the app's containers and may stop it during a backup), and no stack-back
 * schedule (it must not be a sidecar in disguise).
 */
export function restoreDrillProblems(props: Props): string[] {
    if (!isRestoreDrillContainer(props)) return [];
    const name = String(props.name ?? "?");
    const problems: string[] = [];
    const volumes = Array.isArray(props.volumes) ? (props.volumes as Props[]) : [];
    for (const volume of volumes) {
        if (typeof volume?.hostPath === "string" && /docker\.sock$/.test(volume.hostPath)) {
            problems.push(`restore drill container "${name}" mounts the Docker socket ${volume.hostPath}: a drill needs no Docker API. Remove the mount.`);
        }
    }
    if (labelValue(props, "com.docker.compose.project") !== undefined) {
        problems.push(
            `restore drill container "${name}" carries a com.docker.compose.project label: stack-back would count it among the app's containers. Remove the label.`,
        );
    }
    const env = parseEnvs(props.envs);
    if (env.has("CRON_SCHEDULE") || env.has("BACKUP_CRON")) {
        problems.push(`restore drill container "${name}" sets a stack-back schedule (CRON_SCHEDULE): a drill only reads. Remove it.`);
    }
    return problems;
}

/** Secret-bearing keys present in `envs` (the pure half of the plain-text-secret remediation). */
export function secretEnvKeys(envs: unknown): string[] {
    const env = parseEnvs(envs);
    return SECRET_ENV_KEYS.filter((key) => env.has(key) && env.get(key) !== "");
}

/**
 * The remediated inputs when `envs` carries credentials but is not secret, else undefined.
 * `envsAreSecret` is whether the whole list (or every secret-bearing entry) is already marked secret.
 */
export function remediateSecretEnvs(props: Props, envsAreSecret: boolean): Props | undefined {
    if (envsAreSecret || secretEnvKeys(props.envs).length === 0) return undefined;
    return { ...props, envs: new Secret(props.envs) };
}

// ---------------------------------------------------------------------------------------------
// Wiring the validators into policies

/**
 * Key under which @pulumi/policy's proxies hand out their target (`getSpecialProxyTarget` in its
 * proxy.js; internal, so read defensively). Through it a remediation sees `Secret` wrappers that the
 * proxies otherwise unwrap.
 */
const PROXY_TARGET = "__getSpecialProxyTarget";

function rawTarget(value: unknown): unknown {
    let current = value;
    for (let i = 0; i < 4 && current instanceof Object; i++) {
        const inner = (current as Record<string, unknown>)[PROXY_TARGET];
        if (inner === undefined || inner === current) break;
        current = inner;
    }
    return current;
}

/** Whether the `envs` input is marked secret: as a whole, or in each entry that carries a credential. */
export function envsMarkedSecret(rawEnvs: unknown): boolean {
    if (rawEnvs instanceof Secret) return true;
    if (!Array.isArray(rawEnvs)) return false;
    return rawEnvs.every((entry) => entry instanceof Secret || secretEnvKeys([entry]).length === 0);
}

function unwrapSecrets(value: unknown): unknown {
    if (value instanceof Secret) return unwrapSecrets(value.value);
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    return value;
}

type Validator = (props: Props, opts: VisibleOptions) => string[];

/** A `validateResource` that runs `validator` on resources of `type` and reports each message. */
export function validateType(type: string, validator: Validator) {
    return (args: ResourceValidationArgs, reportViolation: ReportViolation): void => {
        if (args.type !== type) return;
        for (const message of validator(args.props, { protect: args.opts?.protect })) reportViolation(message);
    };
}

export const noCurrentObjectExpiration: ResourceValidationPolicy = {
    name: "backup-ilm-no-current-expiration",
    description: "No MinIO lifecycle rule expires current objects: it would destroy restic repositories. Expire only non-current versions.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: validateType(RESOURCE_TYPES.ilmPolicy, (props) => ilmExpirationProblems(props)),
};

export const iamPolicyScoped: ResourceValidationPolicy = {
    name: "backup-iam-explicit-single-bucket",
    description: "MinIO IAM policies grant explicit actions (never s3:* or *) on exactly one bucket, without bucket administration.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: validateType(RESOURCE_TYPES.iamPolicy, (props) => iamPolicyProblems(props)),
};

export const bucketDeletionGuarded: ResourceValidationPolicy = {
    name: "backup-bucket-deletion-guarded",
    description:
        "A MinIO bucket with forceDestroy: true must be protected. (retainOnDelete, which AppBackup sets, is not visible to policies; " +
        "without forceDestroy MinIO refuses to delete a non-empty bucket, which is the guard a policy can check.)",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: validateType(RESOURCE_TYPES.bucket, bucketDeletionProblems),
};

export const bucketNoForceDestroy: ResourceValidationPolicy = {
    name: "backup-bucket-no-force-destroy",
    description: "Protected MinIO buckets should not have forceDestroy: true either.",
    enforcementLevel: "advisory",
    severity: "medium",
    validateResource: validateType(RESOURCE_TYPES.bucket, bucketForceDestroyAdvice),
};

export const imagesPinned: ResourceValidationPolicy = {
    name: "docker-image-pinned",
    description: "Docker images (RemoteImage name, Container image) carry a tag other than latest, or a digest.",
    enforcementLevel: "mandatory",
    severity: "medium",
    validateResource: [
        validateType(RESOURCE_TYPES.remoteImage, (props) => imagePinProblems(props.name, "Image")),
        validateType(RESOURCE_TYPES.container, (props) => imagePinProblems(props.image, `Container "${String(props.name ?? "?")}" image`)),
    ],
};

export const scheduleGrammar: ResourceValidationPolicy = {
    name: "stackback-schedule-grammar",
    description: "CRON_SCHEDULE and MAINTENANCE_SCHEDULE use stack-back's grammar: five fields, each a plain number or *.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: validateType(RESOURCE_TYPES.container, (props) => scheduleProblems(props)),
};

export const stackBackSwitches: ResourceValidationPolicy = {
    name: "stackback-env-meaningful",
    description:
        "stack-back switches mean what they say: SWARM_MODE and INCLUDE_ALL_COMPOSE_PROJECTS are omitted rather than set to false (any value turns them on); " +
        "the others are true or omitted (yes/on silently mean off); the ignored BACKUP_CRON is not used.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: validateType(RESOURCE_TYPES.container, (props) => stackBackEnvProblems(props)),
};

export const sidecarWorkable: ResourceValidationPolicy = {
    name: "stackback-sidecar-workable",
    description:
        "The stack-back container has no hostname, carries its app's com.docker.compose.project label, a repository and password, and no single quotes in its environment.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: validateType(RESOURCE_TYPES.container, (props) => sidecarProblems(props)),
};

export const restoreDrillIsolated: ResourceValidationPolicy = {
    name: "restore-drill-isolated",
    description:
        "A container labelled platform-backups.role=restore-drill has no Docker socket, no com.docker.compose.project label and no stack-back schedule: it only reads the repository.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: validateType(RESOURCE_TYPES.container, (props) => restoreDrillProblems(props)),
};

export const secretEnvsAreSecret: ResourceValidationPolicy = {
    name: "container-credentials-secret",
    description:
        "A Container whose envs carry credentials (RESTIC_PASSWORD, AWS_SECRET_ACCESS_KEY, ...) has them marked secret. " +
        "Validations cannot see secretness, so this is a remediation: it marks such envs secret before they reach the state.",
    enforcementLevel: "remediate",
    severity: "high",
    remediateResource: (args) => {
        if (args.type !== RESOURCE_TYPES.container) return undefined;
        const raw = rawTarget(args.props) as Props;
        const rawEnvs = raw?.envs;
        if (!Array.isArray(rawEnvs) && !(rawEnvs instanceof Secret)) return undefined; // absent or not yet known
        const plain = { ...raw, envs: unwrapSecrets(rawEnvs) };
        return remediateSecretEnvs(plain, envsMarkedSecret(rawEnvs));
    },
};

/** Every policy of the pack, in the order they are reported. */
export const policies: ResourceValidationPolicy[] = [
    noCurrentObjectExpiration,
    iamPolicyScoped,
    bucketDeletionGuarded,
    bucketNoForceDestroy,
    imagesPinned,
    scheduleGrammar,
    stackBackSwitches,
    sidecarWorkable,
    restoreDrillIsolated,
    secretEnvsAreSecret,
];

/** Rules over the whole stack (they need several resources at once). */
export const stackPolicies: StackValidationPolicy[] = [adoptedPasswordKept];

/** What the pack serves: every resource rule, then every stack rule. */
export const allPolicies: Policies = [...policies, ...stackPolicies];

/** A plain resource as tests reconstruct it: what a validator needs. */
export interface PlainResource {
    type: string;
    name: string;
    props: Props;
    opts: VisibleOptions;
}

/** Runs every validating policy on `resource` and returns `policy: message` for each violation. For tests and scripts. */
export function violations(resource: PlainResource): string[] {
    const found: string[] = [];
    for (const policy of policies) {
        const validations =
            policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
        for (const validate of validations) {
            const args = {
                type: resource.type,
                name: resource.name,
                urn: `urn:pulumi:test::test::${resource.type}::${resource.name}`,
                props: resource.props,
                opts: {
                    protect: resource.opts.protect === true,
                    ignoreChanges: [],
                    aliases: [],
                    additionalSecretOutputs: [],
                    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
                },
                stackTags: new Map<string, string>(),
            } as unknown as ResourceValidationArgs; // the helpers (isType, getConfig, ...) are unused by these rules
            void validate(args, (message) => found.push(`${policy.name}: ${message}`));
        }
    }
    return found;
}
