/**
 * `npm run retire`: forgets the snapshots of an app's retired path sets (`apps[].retiredPaths`)
 * once `retentionDays` have passed since their `retiredOn`. Without `--apply` it only says what it
 * would do. See scripts/retireLib.ts for why stack-back's own cleanup never does this.
 *
 *   npm run retire -- --stack prod --app n8n            # what is due, and when the rest is
 *   npm run retire -- --stack prod --app n8n --apply    # forget the due sets' snapshots
 *
 * Identity: the app's BACKUP identity (the sidecar's MinIO user: `access_key`/`secret_key` of the
 * app's Vault secret), the one stack-back's own `forget` and `prune` run as. The read-only
 * identity cannot delete, and `forget` writes a lock. The next backup's prune frees the space.
 */
import { appSecretLocation, resticEnv, resticExitProblem, resticListArgs, snapshotRows } from "./restoreLib";
import { formatRetirePlan, idsToForget, resticForgetArgs, retirePlan } from "./retireLib";
import { loadFleet, Refusal, requireRestic, RestoreIo, run, vaultCredentials } from "./restore";
import { REPO_ROOT } from "./stackCli";

export const RETIRE_USAGE = [
    "usage: npm run retire -- --stack <name> --app <app> [--apply] [--cacert <file>]",
    "environment: VAULT_ADDR, VAULT_TOKEN (reads the app's secret, as for npm run restore), VAULT_CACERT, VAULT_NAMESPACE",
].join("\n");

interface RetireArgs {
    stack: string;
    app: string;
    apply: boolean;
    cacert?: string;
}

function parseRetireArgs(argv: readonly string[]): { args?: RetireArgs; problems: string[] } {
    const problems: string[] = [];
    const values: Record<string, string | undefined> = {};
    let apply = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const eq = arg.indexOf("=");
        const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
        if (flag === "--stack" || flag === "--app" || flag === "--cacert") values[flag.slice(2)] = eq > 0 ? arg.slice(eq + 1) : argv[++i];
        else if (flag === "--apply") apply = true;
        else if (flag === "--help" || flag === "-h") return { problems: [RETIRE_USAGE] };
        else problems.push(`unknown argument "${arg}"`);
    }
    if (!values.stack || !/^[A-Za-z0-9_.-]+$/.test(values.stack) || values.stack === "." || values.stack === "..")
        problems.push("missing or invalid --stack <name>");
    if (!values.app) problems.push("missing --app <app>");
    if (problems.length > 0) return { problems: [...problems, RETIRE_USAGE] };
    return { problems: [], args: { stack: values.stack as string, app: values.app as string, apply, ...(values.cacert ? { cacert: values.cacert } : {}) } };
}

/** The command; returns the exit code. `now` is the clock (tests pass their own). */
export async function runRetire(argv: readonly string[], io: RestoreIo, now: () => Date = () => new Date()): Promise<number> {
    const parsed = parseRetireArgs(argv);
    if (!parsed.args) {
        io.stderr.write(parsed.problems.join("\n") + "\n");
        return 2;
    }
    const { stack, app, apply, cacert } = parsed.args;
    try {
        const fleet = loadFleet(io.stackDir ?? REPO_ROOT, stack);
        const location = appSecretLocation(fleet, stack, app);
        if ("problem" in location) throw new Refusal(location.problem);
        const spec = fleet.apps.find((a) => a.name === app);
        const retired = spec?.retiredPaths ?? [];
        if (retired.length === 0) {
            io.stdout.write(`${app}: no retired path sets (apps[].retiredPaths); nothing to do\n`);
            return 0;
        }
        const bin = io.env.RESTIC_BIN || "restic";
        await requireRestic(bin, io);
        const credentials = await vaultCredentials(fleet.vault.address, location, io, "writer");
        const env = resticEnv(io.env, credentials, cacert);
        const listed = await run(bin, resticListArgs(), env, io);
        if (listed.code !== 0) throw new Refusal(resticExitProblem(listed.code, credentials.repository));
        const plans = retirePlan(retired, spec?.retentionDays ?? 30, snapshotRows(listed.stdout), now());
        for (const line of formatRetirePlan(app, plans, apply)) io.stdout.write(`${line}\n`);
        const ids = idsToForget(plans);
        if (!apply || ids.length === 0) return plans.some((p) => p.newerThanRetirement.length > 0) ? 1 : 0;
        const forgot = await run(bin, resticForgetArgs(ids), env, io);
        if (forgot.code !== 0)
            throw new Refusal(`${resticExitProblem(forgot.code, credentials.repository)} (is a backup running? forget needs the repository's lock)`);
        io.stdout.write(`${app}: forgot ${ids.length} snapshot(s); the next backup's prune (stack-back) frees their data\n`);
        return plans.some((p) => p.newerThanRetirement.length > 0) ? 1 : 0;
    } catch (error) {
        if (error instanceof Refusal) {
            io.stderr.write(`retire: ${error.message}\n`);
            return 1;
        }
        throw error;
    }
}

if (require.main === module) {
    runRetire(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }).then(
        (code) => (process.exitCode = code),
        (error: unknown) => {
            console.error(error);
            process.exitCode = 1;
        },
    );
}
