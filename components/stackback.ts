/**
 * stack-back, the backup sidecar: its image, its environment and its repository set-up.
 *
 * Pure: the component wraps the entries marked secret in `pulumi.secret`.
 * Variable names are stack-back's own (src/restic_compose_backup/config.py, v1.5.4): there is no
 * `BACKUP_CRON`. Its switches come in two kinds, see {@link SWITCHES_ON_WHEN_SET} and
 * {@link SWITCHES_ON_WHEN_TRUE}.
 */
import { readAsset } from "./assets";
import type { EnvEntry } from "./shapes";

/** The sidecar image, pinned to a release (never `latest`). */
export const DEFAULT_STACKBACK_IMAGE = "ghcr.io/lawndoc/stack-back:v1.5.4";

/** The label stack-back uses to find the containers it backs up: those of its own project. */
export const COMPOSE_PROJECT_LABEL = "com.docker.compose.project";

/** Where the Docker API socket is on the host. */
export const DOCKER_SOCKET = "/var/run/docker.sock";

/**
 * Where the sidecar sees the socket. stack-back v1.5.4 connects to `DOCKER_HOST` and falls back to
 * `unix://tmp/docker.sock` (src/restic_compose_backup/utils.py, `docker_client`); its README mounts
 * the host socket at `/tmp/docker.sock`. Mounted anywhere else without `DOCKER_HOST`, every `rcb`
 * command crashes, including the `rcb dump-env` and `rcb crontab` of src/entrypoint.sh: the
 * container stays "Up" and cron runs nothing.
 */
export const SIDECAR_DOCKER_SOCKET = "/tmp/docker.sock";

/** The sidecar's `DOCKER_HOST`, set explicitly too (utils.py calls its fallback one to "remove in 1.0"). */
export const SIDECAR_DOCKER_HOST = `unix://${SIDECAR_DOCKER_SOCKET}`;

/** restic's cache in the sidecar: src/Dockerfile of stack-back v1.5.4 sets `XDG_CACHE_HOME=/cache`. */
export const SIDECAR_CACHE_PATH = "/cache";

/**
 * Where a private CA's PEM is in a container (`RESTIC_CACERT`; restic v0.18.0 cmd/restic/global.go
 * reads that variable as the `--cacert` files). A PEM given as text is written inside the cache
 * volume: stack-back's backup process container gets the sidecar's mounts and environment
 * (src/restic_compose_backup/backup_runner.py and cli.py `backup`, v1.5.4) but not files copied into
 * the sidecar, so the file must live on a mount. A host path is mounted read-only here instead.
 */
export const SIDECAR_CA_FROM_PEM = `${SIDECAR_CACHE_PATH}/platform-backups/ca.pem`;

/** Where a host's CA file (`minio.caCertPath`) is mounted, read-only, in the sidecar and the exporter. */
export const CONTAINER_CA_PATH = "/etc/platform-backups/ca.pem";

/** The variable that carries a PEM given as text into the container, for the start command to write out. */
export const CA_PEM_ENV = "PLATFORM_BACKUPS_CA_PEM";

/** stack-back v1.5.4's own start command (src/Dockerfile: `WORKDIR /restic-compose-backup`, `CMD ["./entrypoint.sh"]`). */
export const SIDECAR_START = "./entrypoint.sh";

/**
 * The container command that writes the PEM of `CA_PEM_ENV` to `file` and then starts `start`
 * (replacing the shell, so signals reach it as before).
 */
export function caWritingCommand(file: string, start: string): string[] {
    const dir = file.slice(0, file.lastIndexOf("/"));
    return ["sh", "-c", `mkdir -p ${dir} && printf '%s\\n' "$${CA_PEM_ENV}" > ${file} && exec ${start}`];
}

/** Problems with a PEM given as text: it must hold at least one certificate. */
export function caCertProblems(pem: string): string[] {
    return /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(pem)
        ? []
        : ["is not a PEM certificate; paste the CA's certificate, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----"];
}

/** Whether `zone` is an IANA time zone this runtime knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(zone: string): boolean {
    try {
        new Intl.DateTimeFormat(undefined, { timeZone: zone });
        return zone.trim() !== "";
    } catch {
        return false;
    }
}

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

/** One environment variable of a container (defined in shapes.ts, exported here as before). */
export type { EnvEntry };

/** A plain (non-secret) environment entry. */
export function plainEnv(name: string, value: string): EnvEntry {
    return { name, value, secret: false };
}

/** An environment entry whose value is a credential. */
export function secretEnv(name: string, value: string): EnvEntry {
    return { name, value, secret: true };
}

/** How restic reaches and opens a repository on S3; secret values may be placeholders. */
export interface ResticAccess {
    repository: string;
    resticPassword: string;
    accessKeyId: string;
    secretAccessKey: string;
}

/**
 * The four entries every restic container starts with (sidecar, exporter, drill), in that order:
 * the repository, its password and the S3 key pair, the password and secret key marked secret.
 */
export function resticAccessEnv(access: ResticAccess): EnvEntry[] {
    return [
        plainEnv("RESTIC_REPOSITORY", access.repository),
        secretEnv("RESTIC_PASSWORD", access.resticPassword),
        plainEnv("AWS_ACCESS_KEY_ID", access.accessKeyId),
        secretEnv("AWS_SECRET_ACCESS_KEY", access.secretAccessKey),
    ];
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
    /** IANA time zone of the container (`TZ`); cron runs in it. Default: unset, which is UTC. */
    timezone?: string;
    /** Path of the CA file inside the container (`RESTIC_CACERT`), when MinIO has a private CA. */
    caCertFile?: string;
    /** PEM text of that CA, written to `caCertFile` at start (see {@link caWritingCommand}). */
    caCertPem?: string;
    /** Extra entries, e.g. failure notifications. */
    extra?: EnvEntry[];
}

/** The sidecar's environment, in a stable order (a changed order would recreate the container). */
export function sidecarEnv(input: SidecarEnvInput): EnvEntry[] {
    const plain = plainEnv;
    const entries: EnvEntry[] = [
        ...resticAccessEnv(input),
        plain("CRON_SCHEDULE", input.schedule),
        plain("RESTIC_KEEP_DAILY", String(input.keep.daily)),
        plain("RESTIC_KEEP_WEEKLY", String(input.keep.weekly)),
        plain("RESTIC_KEEP_MONTHLY", String(input.keep.monthly)),
        plain("RESTIC_KEEP_YEARLY", String(input.keep.yearly)),
    ];
    if (input.logLevel) entries.push(plain("LOG_LEVEL", input.logLevel));
    // Always explicit: the socket is mounted where stack-back looks by default, and this says so.
    entries.push(plain("DOCKER_HOST", SIDECAR_DOCKER_HOST));
    // dcron runs the schedule in the container's zone; the image has tzdata (restic/restic base).
    if (input.timezone) entries.push(plain("TZ", input.timezone));
    if (input.caCertFile) entries.push(plain("RESTIC_CACERT", input.caCertFile));
    if (input.caCertPem) entries.push(plain(CA_PEM_ENV, input.caCertPem));
    return [...entries, ...(input.extra ?? [])];
}

/**
 * stack-back switches that are ON when set to anything non-empty, `false` included: v1.5.4 tests
 * them raw (`config.swarm_mode`, `config.include_all_compose_projects` in containers.py
 * `RunningContainers`). Omit them to turn them off.
 */
export const SWITCHES_ON_WHEN_SET: readonly string[] = ["SWARM_MODE", "INCLUDE_ALL_COMPOSE_PROJECTS"];

/**
 * stack-back switches read with `utils.is_true` (v1.5.4 utils.py `TRUE_VALUES`): ON only for
 * `1`, `true`, `True`, `TRUE`; anything else (`yes`, `on`, `false`) is OFF.
 */
export const SWITCHES_ON_WHEN_TRUE: readonly string[] = [
    "INCLUDE_PROJECT_NAME",
    "EXCLUDE_BIND_MOUNTS",
    "AUTO_BACKUP_ALL",
    "INCLUDE_ALL_VOLUMES",
    "CHECK_WITH_CACHE",
];

/** The values stack-back's `is_true` accepts as ON (utils.py `TRUE_VALUES`, v1.5.4). */
export const STACK_BACK_TRUE_VALUES: readonly string[] = ["1", "true", "True", "TRUE"];

/** Problems with one stack-back switch's value, as a sentence with a fix; undefined when it means what it looks like. */
export function switchProblem(name: string, value: string): string | undefined {
    if (SWITCHES_ON_WHEN_SET.includes(name) && /^(false|0|no|off|n)$/i.test(value.trim())) {
        return `${name}=${value} turns the switch ON (stack-back tests only whether it is set); omit ${name} to turn it off`;
    }
    if (SWITCHES_ON_WHEN_TRUE.includes(name) && !STACK_BACK_TRUE_VALUES.includes(value) && !/^(false|False|FALSE|0)$/.test(value)) {
        return `${name}=${value} silently means OFF (stack-back turns it on only for ${STACK_BACK_TRUE_VALUES.join(", ")}); write ${name}=true, or omit it`;
    }
    return undefined;
}

// ---------------------------------------------------------------------------------------------
// The deploy-time check
// ---------------------------------------------------------------------------------------------

/** What the deploy-time check needs to know besides the sidecar's own environment. */
export interface RepositoryCheckOptions {
    /** The sidecar container the check runs in. */
    container: string;
    /** The bound, in seconds, on each restic call and on `rcb status`. */
    timeoutSeconds: number;
    /** Whether a project with no `stack-back.*` label fails the check. */
    requireLabels: boolean;
    /** The app's Compose project, for the message that says how to label a service. */
    composeProject: string;
}

/** Default bound on each restic call of the check, in seconds. */
export const DEFAULT_CHECK_TIMEOUT_SECONDS = 120;

/** The line `rcb status` logs when it would back up nothing (cli.py `status`, v1.5.4). */
export const NO_LABELS_LINE = "No containers in the project has 'stack-back.*' label";

/** The first line the check prints inside the sidecar; its absence means `docker exec` itself failed. */
export const CHECK_STARTED_MARKER = "platform-backups check: running inside the sidecar";

/** Exit code of the check when a call was killed at its time bound (as coreutils' `timeout`). */
export const CHECK_TIMEOUT_EXIT = 124;

/**
 * The check that runs inside the sidecar (busybox `sh`), so it uses the sidecar's own
 * credentials, CA, network path and restic. Steps:
 *
 * 1. `restic cat config`: 0 = the repository opens; 10 = none yet (restic >= 0.17,
 *    cmd/restic/main.go of v0.18.0), so `restic init`; 12 = wrong password; anything else fails
 *    with restic's words (an untrusted certificate or an unknown key is named as such).
 * 2. `rcb status --log-level info`, stack-back's own check (cli.py `status`, v1.5.4): it connects
 *    to Docker, lists the project, prints what it will back up and pings databases. Any non-zero
 *    exit fails, with its code (127: no `rcb` in the image). It does not always exit non-zero, so
 *    its output is read too: a traceback or an `ERROR:` line fails, and so does "No containers in
 *    the project has 'stack-back.*' label" unless labels are not required. Signs of a Docker
 *    failure are looked for outside its own `INFO`/`DEBUG`/`WARNING` lines (log.py format
 *    `%(asctime)s - %(levelname)s: %(message)s`), where a labelled app's bind-mounted
 *    `/var/run/docker.sock` is listed as a volume (cli.py `status`). `--log-level info` because a
 *    configured `LOG_LEVEL=warning` would hide the "No containers" line.
 *
 * Every call is bounded by a watchdog of its own rather than busybox `timeout`: restic traps
 * SIGTERM and exits with its own code (cmd/restic/cleanup.go, v0.18.0), so the exit status cannot
 * tell a kill from a failure; the watchdog leaves a flag file named after its call instead, and
 * is stopped when its call ends, so no call's bound counts another's time. `restic init` refuses
 * to overwrite an existing repository, so even a mis-detected state cannot destroy one.
 *
 * The script is the file `components/assets/check.sh`, preceded by three assignments: `T` (the
 * time bound), `REQUIRE_LABELS` (1 or 0) and `COMPOSE_PROJECT` (shell-quoted).
 */
export function repositoryCheckShell(options: RepositoryCheckOptions): string {
    // The script is components/assets/check.sh; its settings go in front as assignments.
    return `T=${options.timeoutSeconds}\nREQUIRE_LABELS=${options.requireLabels ? 1 : 0}\nCOMPOSE_PROJECT=${shellQuote(options.composeProject)}\n${readAsset("check.sh")}`;
}

/** Client TLS files for a `tcp://` Docker host: paths on the machine running Pulumi. */
export interface DockerTlsFiles {
    /** CA certificate that signed the Docker daemon's certificate. */
    caFile: string;
    /** Client certificate. */
    certFile: string;
    /** Client private key. */
    keyFile: string;
}

/** How the machine running Pulumi reaches an app host's Docker engine: as the Docker provider does. */
export interface DockerAccess {
    /** `unix://`, `tcp://` or `ssh://` address; the provider's `host`. Unset: the runner's own default. */
    dockerHost?: string;
    /** Extra `ssh` flags for an `ssh://` host; the provider's `sshOpts`. */
    sshOpts?: string[];
    /** Client TLS files (paths on the runner) for a `tcp://` host. */
    tls?: DockerTlsFiles;
}

/** Problems with a {@link DockerAccess}, as sentences with a fix. */
export function dockerAccessProblems(access: DockerAccess): string[] {
    const host = access.dockerHost ?? "";
    const problems: string[] = [];
    if (access.sshOpts && access.sshOpts.length > 0 && !host.startsWith("ssh://")) {
        problems.push(`sshOpts are set but dockerHost "${host}" is not ssh://; remove sshOpts or use an ssh:// host`);
    }
    if (host.startsWith("tcp://") && !access.tls) {
        problems.push(
            `dockerHost "${host}" is plain TCP: the Docker API would be open to anyone on the network. Give tls: { caFile, certFile, keyFile } or use ssh://`,
        );
    }
    if (access.tls && !host.startsWith("tcp://")) problems.push(`tls is only for tcp:// hosts; "${host || "(default)"}" does not use it, remove tls`);
    if (host.startsWith("ssh://")) {
        const url = sshUrl(host);
        if (!url) problems.push(`dockerHost "${host}" is not ssh://[user@]host[:port]`);
    }
    return problems;
}

/** Single-quotes a word for POSIX sh. */
export function shellQuote(word: string): string {
    return `'${word.replace(/'/g, `'\\''`)}'`;
}

function sshUrl(host: string): { user?: string; host: string; port?: string } | undefined {
    const m = /^ssh:\/\/(?:([^@/:\s]+)@)?([^@/:\s]+)(?::(\d{1,5}))?\/?$/.exec(host);
    if (!m || m[2].startsWith("-") || (m[1] ?? "").startsWith("-")) return undefined;
    return { ...(m[1] ? { user: m[1] } : {}), host: m[2], ...(m[3] ? { port: m[3] } : {}) };
}

/** Environment variable names of the check's `create` command for a TLS host's client files. */
export const CHECK_TLS_ENV = { ca: "PLATFORM_BACKUPS_TLS_CA", cert: "PLATFORM_BACKUPS_TLS_CERT", key: "PLATFORM_BACKUPS_TLS_KEY" } as const;

/**
 * The command (`sh`) that runs {@link repositoryCheckShell} inside the sidecar, and the
 * environment to run it with.
 *
 * - `unix://`, `tcp://`, and `ssh://` without `sshOpts`: `docker exec -i <container> sh -s` with
 *   `DOCKER_HOST` in the environment; a `tcp://` host adds `--tlsverify --tlscacert/--tlscert/--tlskey`
 *   from `PLATFORM_BACKUPS_TLS_*` (the same files the provider gets).
 * - `ssh://` with `sshOpts`: the docker CLI would ignore them, so the command runs
 *   `ssh <sshOpts> [-l user] [-p port] -- host docker exec -i <container> sh -s`, the same ssh
 *   invocation as the provider's connection helper (docker/cli cli/connhelper, used by
 *   terraform-provider-docker v4 internal/provider/config.go `GetConnectionHelperWithSSHOpts`).
 *
 * The script goes in on stdin (a quoted here-document), so nothing in it is re-parsed by a shell
 * on the way. The output is captured: when the script did not start (Docker unreachable, sidecar
 * not running) the message says so instead of showing a restic error.
 */
export function repositoryCheckCommand(options: RepositoryCheckOptions, access: DockerAccess = {}): { create: string; environment: Record<string, string> } {
    const problems = dockerAccessProblems(access);
    if (problems.length > 0) throw new Error(`cannot reach the Docker host for the deploy-time check: ${problems.join("; ")}`);
    const host = access.dockerHost;
    const environment: Record<string, string> = {};
    let transport: string;
    let where: string;
    const ssh = host?.startsWith("ssh://") && access.sshOpts && access.sshOpts.length > 0 ? sshUrl(host) : undefined;
    if (ssh) {
        const words = [
            ...(access.sshOpts ?? []).map(shellQuote),
            ...(ssh.user ? ["-l", shellQuote(ssh.user)] : []),
            ...(ssh.port ? ["-p", shellQuote(ssh.port)] : []),
            "--",
            shellQuote(ssh.host),
        ];
        transport = `ssh ${words.join(" ")} docker exec -i ${options.container} sh -s`;
        where = host as string;
    } else {
        if (host) environment.DOCKER_HOST = host;
        let flags = "";
        if (access.tls) {
            environment[CHECK_TLS_ENV.ca] = access.tls.caFile;
            environment[CHECK_TLS_ENV.cert] = access.tls.certFile;
            environment[CHECK_TLS_ENV.key] = access.tls.keyFile;
            flags = ` --tlsverify --tlscacert "$${CHECK_TLS_ENV.ca}" --tlscert "$${CHECK_TLS_ENV.cert}" --tlskey "$${CHECK_TLS_ENV.key}"`;
        }
        transport = `docker${flags} exec -i ${options.container} sh -s`;
        where = host ?? "the default Docker engine";
    }
    const create = `check_script() {
cat <<'PLATFORM_BACKUPS_CHECK'
${repositoryCheckShell(options)}PLATFORM_BACKUPS_CHECK
}
out=$(check_script | ${transport} 2>&1)
rc=$?
case "$out" in
  *"${CHECK_STARTED_MARKER}"*)
    if [ "$rc" -eq 0 ]; then printf '%s\\n' "$out"; else printf '%s\\n' "$out" >&2; fi
    exit "$rc" ;;
esac
printf '%s\\n' "$out" >&2
echo "platform-backups: could not run the deploy-time check in container ${options.container} on ${where} (exit $rc); Docker's words are above." >&2
echo "Check that the machine running Pulumi reaches that Docker engine (ssh keys or agent, firewall, TLS files) and that the sidecar runs: docker logs ${options.container}" >&2
exit 1
`;
    return { create, environment };
}
