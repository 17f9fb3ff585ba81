/**
 * What the offline stack commands (`npm run plan`, `npm run monitoring`) share: the `--stack`
 * argument and reading `Pulumi.<stack>.yaml` through the same validation as the stack itself.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError, Fleet, parseStackConfig, readStackFileConfig } from "../components/config";
import { plainSecretProblems } from "../components/configGuards";

/** The repository root, where the stack files are. */
export const REPO_ROOT = path.resolve(__dirname, "..");

/** Stack names as Pulumi allows them; also keeps the name from escaping the repository as a path. */
const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

/** The `--stack` value (`--stack prod` or `--stack=prod`), or a usage problem. */
export function stackFromArgs(args: readonly string[], usage: string): { stack?: string; problem?: string } {
    let stack: string | undefined;
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (arg === "--stack" || arg === "-s") stack = args[++i];
        else if (arg.startsWith("--stack=")) stack = arg.slice("--stack=".length);
        else if (arg === "--help" || arg === "-h") return { problem: usage };
        else return { problem: `unknown argument "${arg}"\n${usage}` };
    }
    if (!stack) return { problem: `missing --stack\n${usage}` };
    if (!STACK_NAME.test(stack) || stack === "." || stack === "..") return { problem: `"${stack}" is not a stack name\n${usage}` };
    return { stack };
}

/**
 * The validated fleet of the stack named in `args`, or the exit code after printing why not:
 * 2 for wrong usage, 1 for a missing stack file or invalid config (every problem listed).
 */
export function fleetFromArgs(args: readonly string[], usage: string): { stack: string; fleet: Fleet } | { exitCode: number } {
    const { stack, problem } = stackFromArgs(args, usage);
    if (!stack) {
        console.error(problem);
        return { exitCode: 2 };
    }
    const stackFile = path.join(REPO_ROOT, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        console.error(`${path.relative(process.cwd(), stackFile)} does not exist; create the stack first (pulumi stack init ${stack}) or name another`);
        return { exitCode: 1 };
    }
    const loaded = fleetFromStackFile(stackFile, stack);
    return "fleet" in loaded ? { stack, fleet: loaded.fleet } : loaded;
}

/**
 * The validated fleet of one stack file, read as `pulumi up` reads the same config (see
 * `readStackFileConfig`), or exit code 1 after printing every problem, YAML syntax errors
 * with file and line, and no stack trace. A secret setting in plain text is refused as the program
 * refuses it (in the file, an encrypted value is a `secure:` object).
 */
export function fleetFromStackFile(stackFile: string, stack?: string): { fleet: Fleet } | { exitCode: number } {
    try {
        const { raw, problems } = readStackFileConfig(stackFile);
        return { fleet: parseStackConfig(raw, [...problems, ...plainSecretProblems(raw, { stack })]) };
    } catch (error) {
        // Config problems are the user's to fix: print them, not a stack trace.
        if (error instanceof ConfigError) {
            console.error(error.message);
            return { exitCode: 1 };
        }
        throw error;
    }
}

/** Writes `content` to `out/<name>` and returns the path to show. */
export function writeOut(name: string, content: string): string {
    const file = path.join(REPO_ROOT, "out", name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    return path.relative(process.cwd(), file) || file;
}
