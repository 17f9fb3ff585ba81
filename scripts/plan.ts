/**
 * `npm run plan -- --stack <name> [--shard <name>] [--write]`: shows when each app's backup and
 * drill start, before anything is deployed.
 *
 * Reads `Pulumi.<stack>.yaml` from the repository root through the same validation as the stack
 * (so the plan shown is the plan deployed; a shard stack through its fleet's file), prints a table
 * per group and host, and writes an SVG timeline to `out/plan-<stack>.svg`. Offline: no Pulumi
 * CLI, no cloud, no credentials.
 *
 * `--write` records the ports and drill times of apps that have none yet (new apps, an app moved
 * to another host, a drill its group's backups grew into) into the fleet's stack file, keeps every
 * other record as it is, drops the records of removed apps, and prints each change.
 *
 * Exit codes: 0 plan shown, 1 invalid config (every problem is listed), 2 wrong usage.
 */
import * as fs from "fs";
import * as path from "path";
import { assignmentChanges, assignmentsCommand, Assignments, withAssignments } from "../components/assignments";
import { CONFIG_NAMESPACE, Fleet, readStackFileConfig } from "../components/config";
import { planSvg, planTable } from "../components/planView";
import { fleetFromArgs, stackFile, stackFromArgs as parseStackArgs, StackArgs, writeOut } from "./stackCli";

const USAGE =
    "usage: npm run plan -- --stack <name> [--shard <name>] [--write]   (reads Pulumi.<name>.yaml, writes out/plan-<name>.svg)\n" +
    "  --shard <name>  only the apps of one shard of the fleet (planned with the whole fleet)\n" +
    "  --write         record the ports and drill times of new apps in the fleet's stack file";

/** The arguments (`--stack prod` or `--stack=prod`, `--shard`, `--write`), or a usage problem. */
export function stackFromArgs(args: readonly string[]): StackArgs {
    return parseStackArgs(args, USAGE, { write: true });
}

/** The text the CLI prints for a fleet: a summary line and the table. */
export function planReport(stack: string, fleet: Fleet): string {
    const hostOf = new Map(fleet.apps.map((app) => [app.name, app.host]));
    const groups = Object.keys(fleet.plan.windows).length;
    const apps = fleet.apps.length;
    const summary = `stack ${stack}: ${apps} app${apps === 1 ? "" : "s"} in ${groups} storage group${groups === 1 ? "" : "s"}; times in ${fleet.timezone}`;
    return `${summary}\n\n${planTable(fleet.plan.slots, (app) => hostOf.get(app), fleet.plan.windows, fleet.plan.drills)}`;
}

/** Records the fleet's assignments in its stack file; returns the lines to print. */
export function writeAssignments(fleetStack: string, whole: Fleet): string[] {
    const file = stackFile(fleetStack);
    const before = (readStackFileConfig(file).raw.assignments ?? {}) as Assignments;
    const changes = assignmentChanges(before, whole.assignments);
    const shown = path.relative(process.cwd(), file) || file;
    if (changes.length === 0) return [`${shown}: every app already has its recorded ports and drill time; nothing to write`];
    fs.writeFileSync(file, withAssignments(fs.readFileSync(file, "utf8"), whole.assignments, CONFIG_NAMESPACE, assignmentsCommand(fleetStack)));
    return [
        `${shown}: recorded ${changes.length} change${changes.length === 1 ? "" : "s"} (commit the file with the apps):`,
        ...changes.map((line) => `  ${line}`),
    ];
}

function main(args: readonly string[]): number {
    const loaded = fleetFromArgs(args, USAGE, { write: true });
    if ("exitCode" in loaded) return loaded.exitCode;
    const { stack, fleet, shard } = loaded;
    if (loaded.write) console.log(`${writeAssignments(loaded.fleetStack, loaded.whole).join("\n")}\n`);
    const name = shard && stack === loaded.fleetStack ? `${stack} (shard ${shard})` : stack;
    process.stdout.write(planReport(name, fleet));
    const hostOf = new Map(fleet.apps.map((app) => [app.name, app.host]));
    const label = shard && stack === loaded.fleetStack ? `${stack}-${shard}` : stack;
    const svgFile = writeOut(
        `plan-${label}.svg`,
        planSvg(fleet.plan.slots, fleet.plan.windows, { stack: label, timezone: fleet.timezone, hostOf: (app) => hostOf.get(app), drills: fleet.plan.drills }),
    );
    console.log(`\ntimeline: ${svgFile}`);
    return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
