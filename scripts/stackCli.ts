/**
 * What the offline stack commands (`npm run plan`, `npm run monitoring`) share: the arguments
 * (`--stack`, `--shard`, and for the plan `--write`) and reading `Pulumi.<stack>.yaml` through the
 * same validation as the stack itself, a shard stack through its fleet's file as the program does.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError, Fleet, formatProblems, readStackFileConfig, validateStackConfig } from "../components/config";
import { plainSecretProblems } from "../components/configGuards";
import { fleetFileReader } from "../components/fleetFile";
import { resolveShard, selectShard, ShardRef } from "../components/shards";

/** The repository root, where the stack files are. */
export const REPO_ROOT = path.resolve(__dirname, "..");

/** Stack names as Pulumi allows them; also keeps the name from escaping the repository as a path. */
const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

/** What the arguments ask for. */
export interface StackArgs {
    stack?: string;
    /** One shard of a fleet stack (`--shard a`); a shard stack names its own. */
    shard?: string;
    /** Record missing assignments into the fleet's stack file (the plan only). */
    write?: boolean;
    problem?: string;
}

/** The `--stack` value (`--stack prod` or `--stack=prod`), `--shard`, and `--write` where allowed; or a usage problem. */
export function stackFromArgs(args: readonly string[], usage: string, allow: { write?: boolean } = {}): StackArgs {
    const found: StackArgs = {};
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
        if (flag === "--stack" || flag === "-s") found.stack = inline ?? args[++i];
        else if (flag === "--shard") found.shard = inline ?? args[++i];
        else if (arg === "--write" && allow.write) found.write = true;
        else if (arg === "--help" || arg === "-h") return { problem: usage };
        else return { problem: `unknown argument "${arg}"\n${usage}` };
    }
    if (!found.stack) return { problem: `missing --stack\n${usage}` };
    for (const [what, name] of [
        ["stack", found.stack],
        ["shard", found.shard],
    ] as const) {
        if (name !== undefined && (!STACK_NAME.test(name) || name === "." || name === "..")) return { problem: `"${name}" is not a ${what} name\n${usage}` };
    }
    if (found.write && found.shard) return { problem: `--write records the whole fleet; leave out --shard\n${usage}` };
    return found;
}

/** The path of a stack's file (in `dir`, the repository root unless a test says otherwise). */
export function stackFile(stack: string, dir: string = REPO_ROOT): string {
    return path.join(dir, `Pulumi.${stack}.yaml`);
}

/** A fleet read for a command: the whole fleet, and the part this stack (or `--shard`) deploys. */
export interface LoadedFleet {
    /** The stack named on the command line. */
    stack: string;
    /** The stack whose file describes the fleet (the stack itself unless it is a shard). */
    fleetStack: string;
    /** The shard shown, if any. */
    shard?: string;
    /** What the stack (or shard) deploys. */
    fleet: Fleet;
    /** The whole fleet, as planned. */
    whole: Fleet;
}

/**
 * The fleet of `stack` as `pulumi up` of that stack would see it, or the config problems.
 * `assignments: "assign"` fills in missing ports and drill times instead of refusing (for --write).
 */
export function loadFleet(stack: string, options: { shard?: string; assignments?: "require" | "assign"; dir?: string } = {}): LoadedFleet {
    const dir = options.dir ?? REPO_ROOT;
    const own = fleetFileReader(dir, "--stack")(stack);
    const resolved = resolveShard(own.raw, fleetFileReader(dir));
    const fleetStack = resolved.shard?.fleet ?? stack;
    // The guards `pulumi up` runs: this stack's own keys, and for a shard its fleet's file.
    const fleetPart = Object.fromEntries(Object.entries(resolved.raw).filter(([key]) => own.raw[key] === undefined));
    const guarded = [...plainSecretProblems(own.raw, { stack }), ...(resolved.shard ? plainSecretProblems(fleetPart, { stack: fleetStack }) : [])];
    const { fleet, problems } = validateStackConfig(resolved.raw, [...own.problems, ...resolved.problems, ...guarded], {
        assignments: options.assignments ?? "require",
        stack: fleetStack,
    });
    if (!fleet) throw new ConfigError(problems);
    const shard: ShardRef | undefined = resolved.shard ?? (options.shard !== undefined ? { fleet: stack, name: options.shard } : undefined);
    if (!shard) return { stack, fleetStack, fleet, whole: fleet };
    const hosts = fleet.shards?.[shard.name]?.hosts;
    if (!hosts) {
        const names = Object.keys(fleet.shards ?? {});
        throw new ConfigError([
            {
                path: "--shard",
                message: `"${shard.name}" is not a shard of ${fleetStack}; ${names.length > 0 ? `use one of: ${names.join(", ")}` : "it has no platform-backups:shards"}`,
            },
        ]);
    }
    return { stack, fleetStack, shard: shard.name, fleet: selectShard(fleet, hosts), whole: fleet };
}

/**
 * The validated fleet of the stack named in `args`, or the exit code after printing why not:
 * 2 for wrong usage, 1 for a missing stack file or invalid config (every problem listed, no stack trace).
 */
export function fleetFromArgs(
    args: readonly string[],
    usage: string,
    allow: { write?: boolean } = {},
): (LoadedFleet & { write: boolean }) | { exitCode: number } {
    const parsed = stackFromArgs(args, usage, allow);
    if (!parsed.stack) {
        console.error(parsed.problem);
        return { exitCode: 2 };
    }
    try {
        const loaded = loadFleet(parsed.stack, { shard: parsed.shard, assignments: parsed.write ? "assign" : "require" });
        return { ...loaded, write: parsed.write === true };
    } catch (error) {
        if (error instanceof ConfigError) {
            console.error(error.message);
            return { exitCode: 1 };
        }
        throw error;
    }
}

/**
 * The validated fleet of one stack file, read as `pulumi up` reads the same config (see
 * `readStackFileConfig`), or exit code 1 after printing every problem, YAML syntax errors
 * with file and line, and no stack trace.
 */
export function fleetFromStackFile(file: string, stack?: string): { fleet: Fleet } | { exitCode: number } {
    try {
        const { raw, problems } = readStackFileConfig(file);
        const { fleet, problems: all } = validateStackConfig(raw, [...problems, ...plainSecretProblems(raw, { stack })]);
        if (fleet) return { fleet };
        console.error(formatProblems(all));
        return { exitCode: 1 };
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
