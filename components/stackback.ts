/**
 * stack-back, the backup sidecar: its image, its environment and its repository set-up.
 *
 * Pure: the component wraps the entries marked secret in `pulumi.secret`.
 * Variable names are stack-back's own (src/restic_compose_backup/config.py): there is no
 * `BACKUP_CRON`, and boolean switches are ON when set to anything, so none is ever emitted.
 */

/** The sidecar image, pinned to a release (never `latest`). */
export const DEFAULT_STACKBACK_IMAGE = "ghcr.io/lawndoc/stack-back:v1.5.4";

/** The label stack-back uses to find the containers it backs up: those of its own project. */
export const COMPOSE_PROJECT_LABEL = "com.docker.compose.project";

/** Where the Docker API socket is on the host and in the sidecar. */
export const DOCKER_SOCKET = "/var/run/docker.sock";

/** How many snapshots restic keeps, per period (stack-back's `RESTIC_KEEP_*`). */
export interface ResticKeepPolicy {
    /** Daily snapshots to keep. */
    daily: number;
    /** Weekly snapshots to keep. */
    weekly: number;
    /** Monthly snapshots to keep. */
    monthly: number;
    /** Yearly snapshots to keep. */
    yearly: number;
}

/**
 * The keep policy that holds `retentionDays` of history: one snapshot a day for the whole
 * period, plus the weekly and monthly snapshots inside it. Yearly is 0 on purpose: unset,
 * stack-back would keep 3 yearly snapshots and silently hold data for 3 years.
 */
export function keepPolicyForRetention(retentionDays: number): ResticKeepPolicy {
    return {
        daily: retentionDays,
        weekly: Math.ceil(retentionDays / 7),
        monthly: Math.floor(retentionDays / 30),
        yearly: Math.floor(retentionDays / 365),
    };
}

/** Problems with an image reference: it must name a fixed tag or digest. */
export function imageProblems(image: string): string[] {
    const lastSegment = image.slice(image.lastIndexOf("/") + 1);
    if (image.includes("@sha256:")) return [];
    const tag = lastSegment.includes(":") ? lastSegment.slice(lastSegment.indexOf(":") + 1) : undefined;
    if (tag === undefined) return [`"${image}" has no tag; pin a release, e.g. "${DEFAULT_STACKBACK_IMAGE}"`];
    if (tag === "latest") return [`"${image}" uses the moving tag "latest"; pin a release, e.g. "${DEFAULT_STACKBACK_IMAGE}"`];
    return [];
}

/** Default days of history: 30 (7 proved too short in the original setup). */
export const DEFAULT_RETENTION_DAYS = 30;

/** Why `endpoint` is not a MinIO endpoint (`host[:port]`, no scheme or path), or undefined. */
export function minioEndpointProblem(endpoint: string): string | undefined {
    return /^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(endpoint)
        ? undefined
        : `"${endpoint}" must be host[:port] without scheme or path; say whether it speaks TLS with the ssl setting instead`;
}

/** The restic repository URL of a bucket on MinIO: `s3:https://<endpoint>/<bucket>`. */
export function repositoryUrl(endpoint: string, bucket: string, ssl: boolean): string {
    return `s3:${ssl ? "https" : "http"}://${endpoint}/${bucket}`;
}

/** One environment variable of a container; `secret` ones must never be shown in plain text. */
export interface EnvEntry {
    /** Variable name, e.g. `DISCORD_WEBHOOK`. */
    name: string;
    /** Its value. */
    value: string;
    /** Whether the value is a credential; the component then makes the entry a secret output. */
    secret: boolean;
}

/** What the sidecar's environment is made of. Secret values may be placeholders the caller swaps. */
export interface SidecarEnvInput {
    repository: string;
    resticPassword: string;
    accessKeyId: string;
    secretAccessKey: string;
    schedule: string;
    keep: ResticKeepPolicy;
    logLevel?: string;
    /** Extra entries, e.g. failure notifications. */
    extra?: EnvEntry[];
}

/** The sidecar's environment, in a stable order (a changed order would recreate the container). */
export function sidecarEnv(input: SidecarEnvInput): EnvEntry[] {
    const plain = (name: string, value: string): EnvEntry => ({ name, value, secret: false });
    const secret = (name: string, value: string): EnvEntry => ({ name, value, secret: true });
    const entries: EnvEntry[] = [
        plain("RESTIC_REPOSITORY", input.repository),
        secret("RESTIC_PASSWORD", input.resticPassword),
        plain("AWS_ACCESS_KEY_ID", input.accessKeyId),
        secret("AWS_SECRET_ACCESS_KEY", input.secretAccessKey),
        plain("CRON_SCHEDULE", input.schedule),
        plain("RESTIC_KEEP_DAILY", String(input.keep.daily)),
        plain("RESTIC_KEEP_WEEKLY", String(input.keep.weekly)),
        plain("RESTIC_KEEP_MONTHLY", String(input.keep.monthly)),
        plain("RESTIC_KEEP_YEARLY", String(input.keep.yearly)),
    ];
    if (input.logLevel) entries.push(plain("LOG_LEVEL", input.logLevel));
    return [...entries, ...(input.extra ?? [])];
}

/**
 * The shell script that initialises the app's restic repository at deploy time, run through
 * `docker exec` in the sidecar, so it uses the sidecar's own credentials, network path and restic
 * version. restic >= 0.17 exits with 10 when the repository does not exist: only then is it
 * initialised. Any other failure (12: wrong password, or an S3 error) fails `pulumi up` with
 * restic's message, instead of the 02:00 backup. `restic init` refuses to overwrite an existing
 * repository, so even a mis-detected state cannot destroy one.
 */
export function repositoryInitShell(): string {
    return [
        "set -eu",
        "rc=0; restic cat config >/dev/null 2>&1 || rc=$?",
        'if [ "$rc" -eq 10 ]; then',
        '  echo "no restic repository yet: initialising"',
        "  restic init",
        'elif [ "$rc" -ne 0 ]; then',
        '  echo "restic cannot open the repository (exit $rc):" >&2',
        "  restic cat config >/dev/null || true",
        '  exit "$rc"',
        "fi",
        "restic snapshots --latest 1 >/dev/null",
        'echo "restic repository ready"',
    ].join("\n");
}

/** The command the machine running Pulumi executes: {@link repositoryInitShell} inside the sidecar. */
export function repositoryInitCommand(container: string): string {
    return `docker exec ${container} sh -c '${repositoryInitShell()}'`;
}
