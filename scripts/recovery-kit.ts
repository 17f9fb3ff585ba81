/**
 * `npm run recovery-kit`: writes the stack's offline recovery kit, every app's restore access read
 * from Vault and encrypted with age to `recovery.ageRecipients` before a byte is written.
 *
 *   npm run recovery-kit -- --stack prod --out prod.kit.age
 *
 * Needs VAULT_TOKEN able to read every app's secret (an operator's token, not a one-app restore
 * token) and restic nowhere. Keep the file offline (docs/restore.md, "Break glass").
 */
import * as fs from "fs";
import * as path from "path";
import { appSecretLocation, RepositoryCredentials } from "./restoreLib";
import { kitText, nativeAge, recipientProblems } from "./recoveryKit";
import { loadFleet, Refusal, RestoreIo, vaultCredentials } from "./restore";
import { REPO_ROOT } from "./stackCli";

export const KIT_USAGE = [
    "usage: npm run recovery-kit -- --stack <name> --out <file> [--force]",
    "environment: VAULT_ADDR (default: the stack's vault.address), VAULT_TOKEN (reads every app's secret), VAULT_CACERT, VAULT_NAMESPACE",
].join("\n");

export interface KitArgs {
    stack: string;
    out: string;
    force: boolean;
}

export function parseKitArgs(argv: readonly string[]): { args?: KitArgs; problems: string[] } {
    const problems: string[] = [];
    let stack: string | undefined;
    let out: string | undefined;
    let force = false;
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] =
            argv[i].startsWith("--") && argv[i].includes("=")
                ? [argv[i].slice(0, argv[i].indexOf("=")), argv[i].slice(argv[i].indexOf("=") + 1)]
                : [argv[i], undefined];
        const value = () => inline ?? (argv[i + 1] !== undefined && !argv[i + 1].startsWith("--") ? argv[++i] : undefined);
        if (flag === "--stack") stack = value();
        else if (flag === "--out") out = value();
        else if (flag === "--force") force = true;
        else if (flag === "--help" || flag === "-h") return { problems: [KIT_USAGE] };
        else problems.push(`unknown argument "${argv[i]}"`);
    }
    if (!stack || !/^[A-Za-z0-9_.-]+$/.test(stack) || stack === "." || stack === "..") problems.push("missing or invalid --stack <name>");
    if (!out) problems.push("missing --out <file> (where the encrypted kit goes, e.g. prod.kit.age)");
    if (problems.length > 0) return { problems: [...problems, KIT_USAGE] };
    return { problems: [], args: { stack: stack as string, out: out as string, force } };
}

/** The command; returns the exit code. */
export async function runRecoveryKit(argv: readonly string[], io: RestoreIo, now: () => Date = () => new Date()): Promise<number> {
    const parsed = parseKitArgs(argv);
    if (!parsed.args) {
        io.stderr.write(parsed.problems.join("\n") + "\n");
        return 2;
    }
    const { stack, out, force } = parsed.args;
    try {
        const fleet = loadFleet(io.stackDir ?? REPO_ROOT, stack);
        const recipients = fleet.recovery?.ageRecipients;
        const problems = recipientProblems(recipients, `Pulumi.${stack}.yaml: platform-backups:recovery.ageRecipients`);
        if (problems.length > 0) throw new Refusal(problems.join("\n"));
        const file = path.resolve(out);
        if (fs.existsSync(file) && !force) throw new Refusal(`${file} exists; name another file, or add --force to replace it`);
        const apps: Record<string, RepositoryCredentials> = {};
        for (const app of fleet.apps) {
            const location = appSecretLocation(fleet, stack, app.name);
            if ("problem" in location) throw new Refusal(location.problem);
            apps[app.name] = await vaultCredentials(fleet.vault.address, location, io);
        }
        const armoured = await (io.age ?? nativeAge).encrypt(kitText(stack, apps, now()), recipients as string[]);
        // Only ciphertext reaches the disk: a private temporary file, renamed over the target.
        const temporary = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(temporary, armoured, { mode: 0o600, flag: "wx" });
        fs.renameSync(temporary, file);
        io.stdout.write(
            `wrote ${file}: restore access of ${Object.keys(apps).length} app(s) (${Object.keys(apps).join(", ")}) of stack ${stack}, ` +
                `encrypted to ${(recipients as string[]).length} age recipient(s). Keep it offline; make it again after adding an app.\n`,
        );
        return 0;
    } catch (error) {
        if (error instanceof Refusal) {
            io.stderr.write(`recovery-kit: ${error.message}\n`);
            return 1;
        }
        throw error;
    }
}

if (require.main === module) {
    runRecoveryKit(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }).then(
        (code) => (process.exitCode = code),
        (error: unknown) => {
            console.error(error);
            process.exitCode = 1;
        },
    );
}
