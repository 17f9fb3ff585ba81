/**
 * The pure parts of `npm run restore`: arguments, the Vault secret's location and shape, restic's
 * command lines, environment and JSON output. scripts/restore.ts does the I/O.
 */
import type { Fleet } from "../components/config";
import { backupNames } from "../components/naming";
import { kvV2Paths } from "../components/restoreAccess";

export const USAGE = [
    "usage: npm run restore -- --stack <name> --app <app> --list",
    "       npm run restore -- --stack <name> --app <app> [--snapshot latest|<id>] [--path <path set>] --target <dir> [--include <path>]... [--force]",
    "options: --path <path>    the path set to restore (a snapshot's paths, e.g. /volumes or /databases/db/app.sql; repeat for a set of several)",
    "         --cacert <file>  CA of MinIO's certificate (or RESTIC_CACERT)",
    "         --kit <file> --identity <file>  read the app's access from the recovery kit (age) instead of Vault",
    "environment: VAULT_ADDR (default: the stack's vault.address), VAULT_TOKEN (required without --kit), VAULT_CACERT, VAULT_NAMESPACE",
].join("\n");

/** restic's exit codes for "no repository" (>= 0.17.0) and "wrong password" (>= 0.17.1): v0.17.1, cmd/restic/main.go. */
export const MIN_RESTIC_VERSION: readonly [number, number, number] = [0, 17, 1];

/** What the operator asked for. */
export interface RestoreArgs {
    stack: string;
    app: string;
    mode: "list" | "restore";
    snapshot: string;
    target?: string;
    includes: string[];
    /** The path set chosen with `--path` (normalised, sorted); empty when not given. */
    paths: string[];
    force: boolean;
    cacert?: string;
    /** The recovery kit (age-encrypted) and the age identity file that opens it: read instead of Vault. */
    kit?: string;
    identity?: string;
}

const STACK_NAME = /^[A-Za-z0-9_.-]+$/;
/** `latest`, or a snapshot id (restic accepts a unique prefix of at least 8 hex digits). */
const SNAPSHOT = /^(latest|[0-9a-f]{8,64})$/;

/** Parses the command line; every problem at once, with the usage. */
export function parseRestoreArgs(args: readonly string[]): { args?: RestoreArgs; problems: string[] } {
    const problems: string[] = [];
    const values: Record<string, string | undefined> = {};
    const includes: string[] = [];
    const paths: string[] = [];
    let list = false;
    let force = false;
    for (let i = 0; i < args.length; i++) {
        const raw = args[i];
        const eq = raw.indexOf("=");
        const flag = raw.startsWith("--") && eq > 0 ? raw.slice(0, eq) : raw;
        const inline = raw.startsWith("--") && eq > 0 ? raw.slice(eq + 1) : undefined;
        const value = (): string | undefined => {
            if (inline !== undefined) return inline;
            const next = args[i + 1];
            if (next === undefined || next.startsWith("--")) {
                problems.push(`${flag} needs a value`);
                return undefined;
            }
            i++;
            return next;
        };
        switch (flag) {
            case "--stack":
            case "--app":
            case "--snapshot":
            case "--target":
            case "--cacert":
            case "--kit":
            case "--identity":
                values[flag.slice(2)] = value();
                break;
            case "--include": {
                const v = value();
                if (v !== undefined) includes.push(v);
                break;
            }
            case "--path": {
                const v = value();
                if (v !== undefined) paths.push(v);
                break;
            }
            case "--list":
                list = true;
                break;
            case "--force":
                force = true;
                break;
            case "--help":
            case "-h":
                return { problems: [USAGE] };
            default:
                problems.push(`unknown argument "${raw}"`);
        }
    }
    const { stack, app, snapshot, target, cacert, kit, identity } = values;
    if (!stack) problems.push("missing --stack <name>");
    else if (!STACK_NAME.test(stack) || stack === "." || stack === "..") problems.push(`"${stack}" is not a stack name`);
    if (!app) problems.push("missing --app <app>");
    if (snapshot !== undefined && !SNAPSHOT.test(snapshot))
        problems.push(`--snapshot "${snapshot}" must be "latest" or a snapshot id (8-64 hex digits, from --list)`);
    if (list && (target !== undefined || snapshot !== undefined || includes.length > 0 || paths.length > 0 || force)) {
        problems.push("--list only lists; leave out --snapshot, --path, --target, --include and --force");
    }
    for (const p of paths) if (!p.startsWith("/")) problems.push(`--path "${p}" must be an absolute path of a snapshot, as --list shows it (e.g. /volumes)`);
    if ((kit === undefined) !== (identity === undefined))
        problems.push("--kit <file> and --identity <file> go together: the kit is opened with the age identity");
    if (!list && target === undefined) problems.push("say what to do: --list, or --target <dir> to restore");
    if (target !== undefined && target.trim() === "") problems.push("--target must name a directory");
    for (const include of includes) if (include.trim() === "") problems.push("--include must name a path inside the snapshot");
    if (problems.length > 0) return { problems: [...problems, USAGE] };
    return {
        problems: [],
        args: {
            stack: stack as string,
            app: app as string,
            mode: list ? "list" : "restore",
            snapshot: snapshot ?? "latest",
            ...(target !== undefined ? { target } : {}),
            includes,
            paths: normalisePathSet(paths),
            force,
            ...(cacert !== undefined ? { cacert } : {}),
            ...(kit !== undefined ? { kit } : {}),
            ...(identity !== undefined ? { identity } : {}),
        },
    };
}

/** Where the app's secret is in Vault, or why the app is not in the stack (listing its apps). */
export function appSecretLocation(fleet: Fleet, stack: string, app: string): { mount: string; name: string; dataPath: string } | { problem: string } {
    if (!fleet.apps.some((a) => a.name === app)) {
        const apps = fleet.apps.map((a) => a.name).join(", ") || "(none)";
        return { problem: `app "${app}" is not in stack ${stack}; its apps are: ${apps}` };
    }
    const name = backupNames(app, { namePrefix: fleet.namePrefix, vaultNamePrefix: fleet.vault.namePrefix }).vaultSecret;
    return { mount: fleet.vault.mount, name, dataPath: kvV2Paths(fleet.vault.mount, name).data };
}

/** The URL of a KV v2 secret's data: `<addr>/v1/<mount>/data/<name>`. */
export function vaultSecretUrl(address: string, dataPath: string): string {
    return `${address.replace(/\/+$/, "")}/v1/${dataPath.split("/").map(encodeURIComponent).join("/")}`;
}

/** What the restore needs from the app's Vault secret (fields written by AppBackup). */
export interface RepositoryCredentials {
    repository: string;
    password: string;
    accessKeyId: string;
    secretAccessKey: string;
    /** Whether the read-only identity is used (`reader_access_key`/`reader_secret_key` fields). */
    readOnly: boolean;
}

/**
 * Interprets Vault's answer to `GET /v1/<mount>/data/<name>`. Messages never contain a value of
 * the secret: only field names, the path and what to do.
 */
export function credentialsFromVault(
    status: number,
    body: string,
    where: string,
    /** `writer` takes the backup identity even when a reader exists (only `npm run retire` needs it: forget writes). */
    identity: "reader" | "writer" = "reader",
): { credentials?: RepositoryCredentials; problem?: string } {
    if (status === 403) {
        return {
            problem: `Vault refused to read ${where} (403 permission denied): VAULT_TOKEN is expired or lacks the app's restore policy; mint one as docs/restore.md shows`,
        };
    }
    if (status === 404) {
        return {
            problem: `Vault has no secret at ${where} (404): is the app deployed (pulumi up), and are vault.mount and vault.namePrefix of the stack right?`,
        };
    }
    if (status !== 200) return { problem: `Vault answered ${status} for ${where}; check VAULT_ADDR and Vault's health` };
    let data: Record<string, unknown> | undefined;
    try {
        const parsed = JSON.parse(body) as { data?: { data?: unknown } };
        const inner = parsed?.data?.data;
        if (inner && typeof inner === "object" && !Array.isArray(inner)) data = inner as Record<string, unknown>;
    } catch {
        // reported below; the body may hold secrets, so it is never echoed
    }
    if (!data) return { problem: `Vault's answer for ${where} is not a KV version 2 secret (no data.data); is ${where.split("/")[0]} a KV v2 mount?` };
    const field = (key: string) => (typeof data?.[key] === "string" && data[key] !== "" ? (data[key] as string) : undefined);
    const readOnly = identity === "reader" && field("reader_access_key") !== undefined && field("reader_secret_key") !== undefined;
    const wanted = ["repository", "password", ...(readOnly ? [] : ["access_key", "secret_key"])];
    const missing = wanted.filter((key) => field(key) === undefined);
    if (missing.length > 0)
        return { problem: `the secret at ${where} lacks the field(s) ${missing.join(", ")}; it was not written by platform-backups' AppBackup` };
    return {
        credentials: {
            repository: field("repository") as string,
            password: field("password") as string,
            accessKeyId: (readOnly ? field("reader_access_key") : field("access_key")) as string,
            secretAccessKey: (readOnly ? field("reader_secret_key") : field("secret_key")) as string,
            readOnly,
        },
    };
}

/**
 * Variables of the operator's environment that would change which repository or identity restic
 * uses (a password file, an AWS profile, a session token). They are dropped from restic's env.
 */
const INHERITED_OVERRIDES = /^(RESTIC_(?!CACERT$|CACHE_DIR$|PROGRESS_FPS$|COMPRESSION$|READ_CONCURRENCY$|PACK_SIZE$).*|AWS_.*)$/;

/** restic's environment: the operator's, minus conflicting settings, plus the credentials. */
export function resticEnv(base: NodeJS.ProcessEnv, credentials: RepositoryCredentials, cacert?: string): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(base)) {
        if (value !== undefined && !INHERITED_OVERRIDES.test(key)) env[key] = value;
    }
    env.RESTIC_REPOSITORY = credentials.repository;
    env.RESTIC_PASSWORD = credentials.password;
    env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    if (cacert) env.RESTIC_CACERT = cacert;
    return env;
}

/**
 * restic's arguments. Every call carries `--no-lock`: with it restic 0.18 writes nothing to the
 * repository (dry-run backend), so a read-only identity suffices and a restore never blocks or
 * is blocked by a backup's lock. No secret is ever an argument.
 */
export function resticListArgs(): string[] {
    return ["--no-lock", "--json", "snapshots"];
}

/**
 * `restore` of one snapshot, named by its full id (chosen by {@link chooseSnapshot}, never restic's
 * own `latest`). Includes are arguments, never `--include-file`: restic trims the lines of such a
 * file and expands `$VAR` in them (v0.18.1 internal/filter/exclude.go, `readPatternsFromFiles`).
 */
export function resticRestoreArgs(snapshotId: string, includes: readonly string[], targetPath: string): string[] {
    return ["--no-lock", "--json", "restore", snapshotId, "--target", targetPath, ...includes.flatMap((p) => ["--include", p])];
}

/** The version in `restic version`'s output (`restic 0.18.0 compiled with ...`). */
export function parseResticVersion(output: string): [number, number, number] | undefined {
    const match = /restic (\d+)\.(\d+)\.(\d+)/.exec(output);
    return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** Why this restic is too old or unknown, or undefined when it will do. */
export function resticVersionProblem(output: string): string | undefined {
    const version = parseResticVersion(output);
    const need = MIN_RESTIC_VERSION.join(".");
    if (!version) return `could not read restic's version from "${output.trim().slice(0, 80)}"; restic >= ${need} is needed`;
    for (let i = 0; i < 3; i++) {
        if (version[i] > MIN_RESTIC_VERSION[i]) return undefined;
        if (version[i] < MIN_RESTIC_VERSION[i]) {
            return `restic ${version.join(".")} is too old: restic >= ${need} is needed (its exit codes 10 and 12 tell a missing repository from a wrong password); install a newer restic (https://restic.net)`;
        }
    }
    return undefined;
}

/** What restic's exit code means, for the operator. */
export function resticExitProblem(code: number, repository: string): string {
    switch (code) {
        case 10:
            return `restic: no repository at ${repository} (exit 10); has the app's first backup run?`;
        case 12:
            return `restic: the password in Vault does not open ${repository} (exit 12)`;
        case 130:
            return "restic was interrupted";
        default:
            return `restic failed (exit ${code}); its messages are above`;
    }
}

/** One row of `--list`. */
export interface SnapshotRow {
    /** Short id (8 hex digits). */
    id: string;
    /** The full id (restic's `id`; the short id when restic printed no full one). */
    fullId: string;
    time: string;
    /** Unix milliseconds of the snapshot's time (restic keeps nanoseconds; ties are rare and broken by id). */
    unixMs: number;
    host: string;
    /** The paths as one cell (`, `-joined). */
    paths: string;
    /** The snapshot's path set: its paths, normalised and sorted. */
    pathSet: string[];
    /** Bytes the backup read (`summary.total_bytes_processed`, restic >= 0.17); undefined for older snapshots. */
    size?: number;
}

/**
 * Rows of `restic snapshots --json` (v0.18.0, cmd/restic/cmd_snapshots.go: `Snapshot` embeds
 * internal/restic/snapshot.go's struct plus `id` and `short_id`; `summary` exists on snapshots
 * made by restic >= 0.17 and carries `total_bytes_processed`).
 */
export function snapshotRows(json: string): SnapshotRow[] {
    const parsed = JSON.parse(json) as unknown;
    if (!Array.isArray(parsed)) throw new Error("restic snapshots --json did not print a list");
    return parsed.map((raw) => {
        const s = raw as { id?: string; short_id?: string; time?: string; hostname?: string; paths?: string[]; summary?: { total_bytes_processed?: number } };
        const size = s.summary?.total_bytes_processed;
        const unixMs = s.time ? Date.parse(s.time) : NaN;
        return {
            id: (s.id ?? s.short_id ?? "").slice(0, 8),
            fullId: s.id ?? s.short_id ?? "",
            time: Number.isFinite(unixMs) ? new Date(unixMs).toISOString().replace(/\.\d+Z$/, "Z") : "?",
            unixMs: Number.isFinite(unixMs) ? unixMs : 0,
            host: s.hostname ?? "",
            paths: (s.paths ?? []).join(", "),
            pathSet: normalisePathSet(s.paths ?? []),
            ...(typeof size === "number" ? { size } : {}),
        };
    });
}

/** Bytes as a short human size (1024-based, like restic). */
export function formatBytes(bytes: number): string {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
    }
    return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** The snapshot table, oldest first as restic lists them. */
export function formatSnapshotTable(rows: readonly SnapshotRow[]): string {
    if (rows.length === 0) return "no snapshots yet";
    const table = [
        ["ID", "Time (UTC)", "Host", "Size", "Paths"],
        ...rows.map((r) => [r.id, r.time, r.host, r.size === undefined ? "-" : formatBytes(r.size), r.paths]),
    ];
    const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
    return table.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join("  ")).join("\n");
}

/** One line of restic's `--json` output as an object, or undefined for a line that is not one. */
function jsonLine(line: string): Record<string, unknown> | undefined {
    if (!line.startsWith("{")) return undefined;
    try {
        return JSON.parse(line) as Record<string, unknown>;
    } catch {
        return undefined;
    }
}

/** A progress line from one of restic restore's `--json` lines, or undefined for other lines. */
export function progressLine(line: string): { text: string; final: boolean } | undefined {
    const msg = jsonLine(line);
    if (!msg) return undefined;
    const n = (key: string) => (typeof msg[key] === "number" ? (msg[key] as number) : 0);
    if (msg.message_type === "status") {
        const pct = (n("percent_done") * 100).toFixed(1);
        return {
            text: `restoring ${pct}%  ${formatBytes(n("bytes_restored"))} / ${formatBytes(n("total_bytes"))}  ${n("files_restored")}/${n("total_files")} files`,
            final: false,
        };
    }
    if (msg.message_type === "summary") {
        return { text: `restored ${n("files_restored")} files, ${formatBytes(n("bytes_restored"))} in ${n("seconds_elapsed")} s`, final: true };
    }
    if (msg.message_type === "error") {
        const error = msg.error as { message?: string } | undefined;
        return { text: `error: ${error?.message ?? "?"} (${String(msg.item ?? "")})`, final: false };
    }
    return undefined;
}

// ---------------------------------------------------------------------------------------------
// Path sets: stack-back writes one snapshot per path set (`/volumes`, and one per database dump)
// ---------------------------------------------------------------------------------------------

/** A path set as restic compares them: each path without trailing slashes, sorted, duplicates dropped. */
export function normalisePathSet(paths: readonly string[]): string[] {
    return [...new Set(paths.map((p) => (p.length > 1 ? p.replace(/\/+$/, "") : p)))].sort();
}

/** The path set as one line (what `--path` takes, `+`-joined when a set has several paths). */
export function pathSetLabel(pathSet: readonly string[]): string {
    return pathSet.length === 0 ? "(no paths)" : pathSet.join(" + ");
}

/** The flags that choose a path set. */
export function pathSetFlags(pathSet: readonly string[]): string {
    return pathSet.map((p) => `--path ${/^[A-Za-z0-9_./@:+-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`}`).join(" ");
}

/** One path set of a repository: how many snapshots it has, and its newest. */
export interface PathSet {
    pathSet: string[];
    count: number;
    newest: SnapshotRow;
}

function newer(a: SnapshotRow, b: SnapshotRow): boolean {
    return a.unixMs !== b.unixMs ? a.unixMs > b.unixMs : a.fullId > b.fullId;
}

/**
 * The repository's path sets, sorted by their paths. Hostnames play no part: stack-back's hostname
 * is its container id, which changes whenever the sidecar is re-created (restic's own
 * `snapshots --latest 1 --group-by paths` still keeps one per hostname: v0.18.1
 * cmd/restic/cmd_snapshots.go, `FilterLatestSnapshots` keys on hostname and paths).
 */
export function pathSets(rows: readonly SnapshotRow[]): PathSet[] {
    const sets = new Map<string, PathSet>();
    for (const row of rows) {
        const key = JSON.stringify(row.pathSet);
        const set = sets.get(key);
        if (!set) sets.set(key, { pathSet: row.pathSet, count: 1, newest: row });
        else {
            set.count++;
            if (newer(row, set.newest)) set.newest = row;
        }
    }
    return [...sets.values()].sort((a, b) => (pathSetLabel(a.pathSet) < pathSetLabel(b.pathSet) ? -1 : 1));
}

/** `--list`'s first table: one line per path set with its newest snapshot. */
export function formatPathSetTable(sets: readonly PathSet[]): string {
    if (sets.length === 0) return "no snapshots yet";
    const table = [
        ["Path set", "Snapshots", "Newest (UTC)", "Newest ID"],
        ...sets.map((s) => [pathSetLabel(s.pathSet), String(s.count), s.newest.time, s.newest.id]),
    ];
    const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
    return table.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join("  ")).join("\n");
}

function listSets(sets: readonly PathSet[]): string {
    return sets
        .map((s) => `  ${pathSetFlags(s.pathSet)}   (${s.count} snapshot${s.count === 1 ? "" : "s"}, newest ${s.newest.time}, ${s.newest.id})`)
        .join("\n");
}

/**
 * The snapshot a restore takes, by restic's full id, or why none can be chosen. `latest` is the
 * newest snapshot of ONE path set: restic's own `latest` without `--path` is the newest over every
 * path set (v0.18.1 internal/restic/snapshot_find.go, `findLatest`), usually a database dump, so
 * `latest` is refused when the repository holds several path sets and `--path` does not pick one.
 */
export function chooseSnapshot(rows: readonly SnapshotRow[], snapshot: string, paths: readonly string[]): { row: SnapshotRow } | { problem: string } {
    const sets = pathSets(rows);
    if (sets.length === 0) return { problem: "the repository holds no snapshot yet; has the app's first backup run?" };
    const wanted = normalisePathSet(paths);
    const wantedKey = JSON.stringify(wanted);
    if (snapshot === "latest") {
        const candidates = wanted.length > 0 ? sets.filter((s) => JSON.stringify(s.pathSet) === wantedKey) : sets;
        if (candidates.length === 0) {
            return { problem: `no snapshot has the path set ${pathSetLabel(wanted)}; the repository's path sets are:\n${listSets(sets)}` };
        }
        if (candidates.length > 1) {
            return {
                problem:
                    `"latest" is ambiguous: the repository holds ${sets.length} path sets (stack-back writes one snapshot for the volumes and one per database dump). ` +
                    `Choose one with --path (or name a snapshot id from --list):\n${listSets(sets)}`,
            };
        }
        return { row: candidates[0].newest };
    }
    const matches = rows.filter((r) => r.fullId.startsWith(snapshot));
    if (matches.length === 0) return { problem: `no snapshot ${snapshot} in the repository; --list shows them` };
    if (matches.length > 1)
        return { problem: `the id ${snapshot} matches ${matches.length} snapshots (${matches.map((m) => m.id).join(", ")}); give more digits` };
    const row = matches[0];
    if (wanted.length > 0 && JSON.stringify(row.pathSet) !== wantedKey) {
        return {
            problem: `snapshot ${row.id} holds the path set ${pathSetLabel(row.pathSet)}, not ${pathSetLabel(wanted)}; leave out --path or name another snapshot`,
        };
    }
    return { row };
}

/** A restic include pattern without glob characters (`*`, `?`, `[`, `\`: v0.18.1 internal/filter/filter.go `preparePattern`). */
function isLiteral(pattern: string): boolean {
    return !/[*?[\\]/.test(pattern);
}

function within(a: string, b: string): boolean {
    return a === b || a.startsWith(b === "/" ? "/" : `${b}/`);
}

/**
 * Includes that cannot match anything in the chosen snapshot, checked before restic runs: an
 * absolute literal path outside every path of the snapshot (`/volumes/x` against a database dump).
 * The message names the path sets that hold it.
 */
export function includeProblems(row: SnapshotRow, includes: readonly string[], sets: readonly PathSet[]): string[] {
    const problems: string[] = [];
    for (const include of includes) {
        if (!include.startsWith("/") || !isLiteral(include)) continue;
        const clean = include.length > 1 ? include.replace(/\/+$/, "") : include;
        const inSet = (set: readonly string[]) => set.some((p) => within(clean, p) || within(p, clean));
        if (inSet(row.pathSet)) continue;
        const holders = sets.filter((s) => inSet(s.pathSet));
        problems.push(
            `--include ${include} is not inside snapshot ${row.id} (path set ${pathSetLabel(row.pathSet)})` +
                (holders.length > 0
                    ? `; it is in the path set chosen by ${holders.map((h) => pathSetFlags(h.pathSet)).join(" or ")}`
                    : "; no path set of the repository holds it"),
        );
    }
    return problems;
}

/** What restic restore's `--json` summary says (v0.18.1 internal/ui/restore/json.go `summaryOutput`; zero fields are left out). */
export interface RestoreSummary {
    totalFiles: number;
    filesRestored: number;
    filesSkipped: number;
    bytesRestored: number;
}

/** The summary of one `restore --json` line, or undefined for other lines. */
export function restoreSummary(line: string): RestoreSummary | undefined {
    const msg = jsonLine(line);
    if (!msg) return undefined;
    if (msg.message_type !== "summary") return undefined;
    const n = (key: string) => (typeof msg[key] === "number" ? (msg[key] as number) : 0);
    return { totalFiles: n("total_files"), filesRestored: n("files_restored"), filesSkipped: n("files_skipped"), bytesRestored: n("bytes_restored") };
}

/**
 * Why a restore that restic ended with exit 0 did not do its job, or undefined. restic exits 0
 * when an `--include` matches nothing and nothing is restored; that is a failure here.
 */
export function restoreOutcomeProblem(summary: RestoreSummary | undefined, row: SnapshotRow, includes: readonly string[]): string | undefined {
    if (!summary) return `restic printed no summary for snapshot ${row.id}; what it restored is unknown, so the restore counts as failed`;
    if (summary.filesRestored + summary.filesSkipped > 0) return undefined;
    if (includes.length > 0) {
        return `--include ${includes.join(", ")} matched no file of snapshot ${row.id} (path set ${pathSetLabel(row.pathSet)}): 0 files restored. List the snapshot's files with "restic ls ${row.id}" (docs/restore.md) and give a path inside it`;
    }
    return `snapshot ${row.id} (path set ${pathSetLabel(row.pathSet)}) restored 0 files`;
}
