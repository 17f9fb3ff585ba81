/**
 * `npm run plan -- --stack <name>`: shows when each app's backup starts, before anything is deployed.
 *
 * Reads `Pulumi.<stack>.yaml` from the repository root through the same validation as the stack
 * (so the plan shown is the plan deployed), prints a table per group and host, and writes an SVG
 * timeline to `out/plan-<stack>.svg`. Offline: no Pulumi CLI, no cloud, no credentials.
 *
 * Exit codes: 0 plan shown, 1 invalid config (every problem is listed), 2 wrong usage.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError, Fleet, loadStackFile } from "../components/config";
import { planSvg, planTable } from "../components/planView";

const REPO_ROOT = path.resolve(__dirname, "..");
const USAGE = "usage: npm run plan -- --stack <name>   (reads Pulumi.<name>.yaml, writes out/plan-<name>.svg)";

/** Stack names as Pulumi allows them; also keeps the name from escaping the repository as a path. */
const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

/** The `--stack` value (`--stack prod` or `--stack=prod`), or a usage problem. */
export function stackFromArgs(args: readonly string[]): { stack?: string; problem?: string } {
    let stack: string | undefined;
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (arg === "--stack" || arg === "-s") stack = args[++i];
        else if (arg.startsWith("--stack=")) stack = arg.slice("--stack=".length);
        else if (arg === "--help" || arg === "-h") return { problem: USAGE };
        else return { problem: `unknown argument "${arg}"\n${USAGE}` };
    }
    if (!stack) return { problem: `missing --stack\n${USAGE}` };
    if (!STACK_NAME.test(stack) || stack === "." || stack === "..") return { problem: `"${stack}" is not a stack name\n${USAGE}` };
    return { stack };
}

/** The text the CLI prints for a fleet: a summary line and the table. */
export function planReport(stack: string, fleet: Fleet): string {
    const hostOf = new Map(fleet.apps.map((app) => [app.name, app.host]));
    const groups = Object.keys(fleet.plan.windows).length;
    const apps = fleet.apps.length;
    const summary = `stack ${stack}: ${apps} app${apps === 1 ? "" : "s"} in ${groups} storage group${groups === 1 ? "" : "s"}`;
    return `${summary}\n\n${planTable(fleet.plan.slots, (app) => hostOf.get(app), fleet.plan.windows)}`;
}

function main(args: readonly string[]): number {
    const { stack, problem } = stackFromArgs(args);
    if (!stack) {
        console.error(problem);
        return 2;
    }
    const stackFile = path.join(REPO_ROOT, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        console.error(`${path.relative(process.cwd(), stackFile)} does not exist; create the stack first (pulumi stack init ${stack}) or name another`);
        return 1;
    }
    let fleet: Fleet;
    try {
        fleet = loadStackFile(stackFile).fleet;
    } catch (error) {
        // Config problems are the user's to fix: print them, not a stack trace.
        if (error instanceof ConfigError) {
            console.error(error.message);
            return 1;
        }
        throw error;
    }
    process.stdout.write(planReport(stack, fleet));
    const outDir = path.join(REPO_ROOT, "out");
    fs.mkdirSync(outDir, { recursive: true });
    const svgFile = path.join(outDir, `plan-${stack}.svg`);
    fs.writeFileSync(svgFile, planSvg(fleet.plan.slots, fleet.plan.windows));
    console.log(`\ntimeline: ${path.relative(process.cwd(), svgFile) || svgFile}`);
    return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
