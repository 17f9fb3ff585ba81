/**
 * `npm run plan -- --stack <name>`: shows when each app's backup starts, before anything is deployed.
 *
 * Reads `Pulumi.<stack>.yaml` from the repository root through the same validation as the stack
 * (so the plan shown is the plan deployed), prints a table per group and host, and writes an SVG
 * timeline to `out/plan-<stack>.svg`. Offline: no Pulumi CLI, no cloud, no credentials.
 *
 * Exit codes: 0 plan shown, 1 invalid config (every problem is listed), 2 wrong usage.
 */
import { Fleet } from "../components/config";
import { planSvg, planTable } from "../components/planView";
import { fleetFromArgs, stackFromArgs as parseStackArgs, writeOut } from "./stackCli";

const USAGE = "usage: npm run plan -- --stack <name>   (reads Pulumi.<name>.yaml, writes out/plan-<name>.svg)";

/** The `--stack` value (`--stack prod` or `--stack=prod`), or a usage problem. */
export function stackFromArgs(args: readonly string[]): { stack?: string; problem?: string } {
    return parseStackArgs(args, USAGE);
}

/** The text the CLI prints for a fleet: a summary line and the table. */
export function planReport(stack: string, fleet: Fleet): string {
    const hostOf = new Map(fleet.apps.map((app) => [app.name, app.host]));
    const groups = Object.keys(fleet.plan.windows).length;
    const apps = fleet.apps.length;
    const summary = `stack ${stack}: ${apps} app${apps === 1 ? "" : "s"} in ${groups} storage group${groups === 1 ? "" : "s"}; times in ${fleet.timezone}`;
    return `${summary}\n\n${planTable(fleet.plan.slots, (app) => hostOf.get(app), fleet.plan.windows, fleet.plan.drills)}`;
}

function main(args: readonly string[]): number {
    const loaded = fleetFromArgs(args, USAGE);
    if ("exitCode" in loaded) return loaded.exitCode;
    const { stack, fleet } = loaded;
    process.stdout.write(planReport(stack, fleet));
    const hostOf = new Map(fleet.apps.map((app) => [app.name, app.host]));
    const svgFile = writeOut(
        `plan-${stack}.svg`,
        planSvg(fleet.plan.slots, fleet.plan.windows, { stack, timezone: fleet.timezone, hostOf: (app) => hostOf.get(app), drills: fleet.plan.drills }),
    );
    console.log(`\ntimeline: ${svgFile}`);
    return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
