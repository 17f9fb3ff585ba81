/**
 * `npm run restore`: lists an app's snapshots, or restores one into an empty local directory,
 * with restic on the operator's machine and the app's credentials read from Vault's HTTP API.
 *
 *   npm run restore -- --stack prod --app gitlab --list
 *   npm run restore -- --stack prod --app gitlab --path /volumes --target ./gitlab-restore [--include /volumes/x]
 *   npm run restore -- --stack prod --app vault --kit prod.kit.age --identity ~/.age/ops.txt --list
 *
 * `latest` is the newest snapshot of one path set (stack-back writes one per backup for the
 * volumes and one per database dump): refused when the repository holds several and `--path`
 * does not choose. A restore that writes 0 files fails.
 *
 * Secrets travel only in restic's environment: never in its arguments, never printed.
 * See docs/restore.md for the runbook and the one-app Vault token.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as path from "path";
import { ConfigError, Fleet, loadStackFile } from "../components/config";
import {
    appSecretLocation,
    chooseSnapshot,
    credentialsFromVault,
    formatPathSetTable,
    formatSnapshotTable,
    includeProblems,
    parseRestoreArgs,
    pathSetLabel,
    pathSets,
    progressLine,
    RepositoryCredentials,
    RestoreSummary,
    resticEnv,
    resticExitProblem,
    resticListArgs,
    resticRestoreArgs,
    resticVersionProblem,
    restoreOutcomeProblem,
    restoreSummary,
    snapshotRows,
    vaultSecretUrl,
} from "./restoreLib";
import { AgeCodec, credentialsFromKit, identitiesOf, nativeAge } from "./recoveryKit";
import { REPO_ROOT } from "./stackCli";

/** Where the command writes and what it reads; tests pass their own. */
export interface RestoreIo {
    env: NodeJS.ProcessEnv;
    stdout: { write(text: string): unknown; isTTY?: boolean };
    stderr: { write(text: string): unknown; isTTY?: boolean };
    /** Directory of the `Pulumi.<stack>.yaml` files. Default: the repository root. */
    stackDir?: string;
    /** Milliseconds between progress lines when stderr is not a terminal. Default 10 s. */
    progressIntervalMs?: number;
    /** The age library for the recovery kit. Default: the `age-encryption` package in this process. */
    age?: AgeCodec;
}

export class Refusal extends Error {}

export function loadFleet(stackDir: string, stack: string): Fleet {
    const file = path.join(stackDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) throw new Refusal(`${file} does not exist; name a stack of this repository`);
    try {
        return loadStackFile(file).fleet;
    } catch (error) {
        if (error instanceof ConfigError) throw new Refusal(error.message);
        throw error;
    }
}

/** Runs a child, collecting its stdout (or handing each line to `onLine`); stderr passes through. */
export function run(
    bin: string,
    args: string[],
    env: Record<string, string> | NodeJS.ProcessEnv,
    io: RestoreIo,
    onLine?: (line: string) => void,
): Promise<{ code: number; stdout: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(bin, args, { env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let pending = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
            if (!onLine) {
                stdout += chunk;
                return;
            }
            pending += chunk;
            const lines = pending.split("\n");
            pending = lines.pop() ?? "";
            lines.forEach(onLine);
        });
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => io.stderr.write(chunk));
        child.on("error", (error: NodeJS.ErrnoException) => {
            if (error.code === "ENOENT") reject(new Refusal(`restic not found (${bin}); install restic >= 0.17.1 (https://restic.net) or set RESTIC_BIN`));
            else reject(error);
        });
        child.on("close", (code, signal) => {
            if (onLine && pending) onLine(pending);
            resolve({ code: code ?? (signal ? 130 : 1), stdout });
        });
    });
}

/**
 * GET a Vault URL; the CA of VAULT_CACERT is trusted when set. Only the status and body come back.
 * A connection of its own per request (`agent: false`): Node's default agent keeps connections
 * alive, and a request on one the server is just closing fails with ECONNRESET.
 */
export function vaultGet(url: string, token: string, env: NodeJS.ProcessEnv): Promise<{ status: number; body: string }> {
    const target = new URL(url);
    const headers: Record<string, string> = { "X-Vault-Token": token };
    if (env.VAULT_NAMESPACE) headers["X-Vault-Namespace"] = env.VAULT_NAMESPACE;
    const ca = env.VAULT_CACERT ? fs.readFileSync(env.VAULT_CACERT) : undefined;
    return new Promise((resolve, reject) => {
        const request = (target.protocol === "https:" ? https : http).get(
            target,
            { headers, timeout: 15000, agent: false, ...(ca ? { ca } : {}) },
            (response) => {
                let body = "";
                response.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
                response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
            },
        );
        request.on("timeout", () => request.destroy(new Error("timed out after 15 s")));
        request.on("error", (error) =>
            reject(new Refusal(`Vault at ${target.origin} is unreachable (${error.message}); check VAULT_ADDR, the network and VAULT_CACERT`)),
        );
    });
}

/** Problems with the target directory: it must not exist, or be an empty directory (unless forced). */
function targetProblem(target: string, force: boolean): string | undefined {
    if (!fs.existsSync(target)) return undefined;
    if (!fs.statSync(target).isDirectory()) return `--target ${target} exists and is not a directory`;
    const entries = fs.readdirSync(target);
    if (entries.length > 0 && !force) {
        return `--target ${target} is not empty (${entries.length} entr${entries.length === 1 ? "y" : "ies"}); restore into an empty or new directory, or add --force to let restic overwrite files there`;
    }
    return undefined;
}

/** Refuses a missing or too old restic (before any secret is read). */
export async function requireRestic(bin: string, io: RestoreIo): Promise<void> {
    const version = await run(bin, ["version"], io.env, io);
    const versionProblem = version.code === 0 ? resticVersionProblem(version.stdout) : `"${bin} version" failed (exit ${version.code})`;
    if (versionProblem) throw new Refusal(versionProblem);
}

/** The app's access from its Vault secret (VAULT_TOKEN, VAULT_ADDR or the stack's vault.address). */
export async function vaultCredentials(
    stackAddress: string,
    location: { mount: string; name: string; dataPath: string },
    io: RestoreIo,
    identity: "reader" | "writer" = "reader",
): Promise<RepositoryCredentials> {
    const token = io.env.VAULT_TOKEN;
    if (!token) {
        throw new Refusal(
            "VAULT_TOKEN is not set; export a token that can read the app's secret (docs/restore.md, minting a restore token), or restore with the recovery kit (--kit <file> --identity <file>) when Vault is down",
        );
    }
    const address = io.env.VAULT_ADDR || stackAddress;
    const where = `${location.mount}/${location.name}`;
    const answer = await vaultGet(vaultSecretUrl(address, location.dataPath), token, io.env);
    const { credentials, problem } = credentialsFromVault(answer.status, answer.body, where, identity);
    if (!credentials) throw new Refusal(problem as string);
    return credentials;
}

/** The app's access from the age-encrypted recovery kit, decrypted in memory only. */
async function kitCredentials(kitFile: string, identityFile: string, stack: string, app: string, age: AgeCodec): Promise<RepositoryCredentials> {
    for (const file of [kitFile, identityFile]) if (!fs.existsSync(file)) throw new Refusal(`${file} does not exist`);
    const identities = identitiesOf(fs.readFileSync(identityFile, "utf8"));
    if (identities.length === 0) throw new Refusal(`${identityFile} holds no age identity (an "AGE-SECRET-KEY-1..." line, as age-keygen writes)`);
    let text: string;
    try {
        text = await age.decrypt(fs.readFileSync(kitFile, "utf8"), identities);
    } catch (error) {
        throw new Refusal(
            `${identityFile} does not open ${kitFile} (${(error as Error).message}); use the identity of one of the kit's recipients (recovery.ageRecipients)`,
        );
    }
    const { credentials, problem } = credentialsFromKit(text, stack, app, kitFile);
    if (!credentials) throw new Refusal(problem as string);
    return credentials;
}

/** The command; returns the exit code. */
export async function runRestore(argv: readonly string[], io: RestoreIo): Promise<number> {
    const parsed = parseRestoreArgs(argv);
    if (!parsed.args) {
        io.stderr.write(parsed.problems.join("\n") + "\n");
        return 2;
    }
    const args = parsed.args;
    try {
        const fleet = loadFleet(io.stackDir ?? REPO_ROOT, args.stack);
        const location = appSecretLocation(fleet, args.stack, args.app);
        if ("problem" in location) throw new Refusal(location.problem);

        const target = args.target === undefined ? undefined : path.resolve(args.target);
        const problem = target === undefined ? undefined : targetProblem(target, args.force);
        if (problem) throw new Refusal(problem);

        const bin = io.env.RESTIC_BIN || "restic";
        await requireRestic(bin, io);

        const credentials = args.kit
            ? await kitCredentials(args.kit, args.identity as string, args.stack, args.app, io.age ?? nativeAge)
            : await vaultCredentials(fleet.vault.address, location, io);
        const env = resticEnv(io.env, credentials, args.cacert);
        io.stderr.write(`${args.app}: repository ${credentials.repository} (${credentials.readOnly ? "read-only identity" : "backup identity, --no-lock"})\n`);

        const listed = await run(bin, resticListArgs(), env, io);
        if (listed.code !== 0) throw new Refusal(resticExitProblem(listed.code, credentials.repository));
        const rows = snapshotRows(listed.stdout);
        const sets = pathSets(rows);

        if (args.mode === "list") {
            io.stdout.write(`${formatPathSetTable(sets)}\n`);
            if (rows.length > 0) io.stdout.write(`\n${formatSnapshotTable(rows)}\n`);
            return 0;
        }

        const chosen = chooseSnapshot(rows, args.snapshot, args.paths);
        if ("problem" in chosen) throw new Refusal(chosen.problem);
        const row = chosen.row;
        const outside = includeProblems(row, args.includes, sets);
        if (outside.length > 0) throw new Refusal(outside.join("\n"));

        fs.mkdirSync(target as string, { recursive: true });
        io.stderr.write(
            `restoring snapshot ${row.id} of ${args.app} (path set ${pathSetLabel(row.pathSet)}, ${row.time}) into ${target}${args.includes.length ? ` (only ${args.includes.join(", ")})` : ""}\n`,
        );
        const tty = io.stderr.isTTY === true;
        const interval = io.progressIntervalMs ?? 10000;
        let lastShown = 0;
        let shownOnLine = false;
        let summary: RestoreSummary | undefined;
        const restored = await run(bin, resticRestoreArgs(row.fullId, args.includes, target as string), env, io, (line) => {
            summary = restoreSummary(line.trim()) ?? summary;
            const progress = progressLine(line.trim());
            if (!progress) return;
            if (progress.final || progress.text.startsWith("error")) {
                io.stderr.write(`${shownOnLine ? "\n" : ""}${progress.text}\n`);
                shownOnLine = false;
            } else if (tty) {
                io.stderr.write(`\r${progress.text.padEnd(79)}`);
                shownOnLine = true;
            } else if (Date.now() - lastShown >= interval) {
                io.stderr.write(`${progress.text}\n`);
                lastShown = Date.now();
            }
        });
        if (shownOnLine) io.stderr.write("\n");
        if (restored.code !== 0) throw new Refusal(resticExitProblem(restored.code, credentials.repository));
        const empty = restoreOutcomeProblem(summary, row, args.includes);
        if (empty) throw new Refusal(empty);
        io.stdout.write(`restored ${args.app} snapshot ${row.id} (path set ${pathSetLabel(row.pathSet)}) into ${target}\n`);
        return 0;
    } catch (error) {
        if (error instanceof Refusal) {
            io.stderr.write(`restore: ${error.message}\n`);
            return 1;
        }
        throw error;
    }
}

if (require.main === module) {
    runRestore(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }).then(
        (code) => (process.exitCode = code),
        (error: unknown) => {
            console.error(error);
            process.exitCode = 1;
        },
    );
}
