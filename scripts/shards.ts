/**
 * `npm run shards -- --stack <fleet> [--stack <fleet> ...]`: the stacks that deploy the fleets, as
 * one JSON list (the workflows' matrix): `["prod"]` for a fleet in one stack, `["prod-a","prod-b"]`
 * for a split one; with `--include`, entries `{ stack, fleet }` (a matrix `include` for jobs whose
 * environment is named after the fleet).
 * Refuses (exit 1) when a shard's stack file is missing or names another fleet or shard.
 *
 * `npm run shards -- --stack <fleet> --move-host <host> --to <shard>`: what moving a host to
 * another shard takes, as commands to run BEFORE the config change is deployed (docs/operating.md,
 * "Moving a host to another shard"): `pulumi state move` of the host's apps from the stack that
 * holds them to the shard's stack, then the config edit.
 */
import * as fs from "fs";
import * as path from "path";
import { APP_BACKUP_TYPE } from "../components/appBackup";
import { ConfigError, readStackFileConfig } from "../components/config";
import { shardSchema } from "../components/fleetSchemas";
import { SHARD_KEY, shardStackName } from "../components/shards";
import { loadFleet, REPO_ROOT, stackFile } from "./stackCli";

const USAGE = "usage: npm run shards -- --stack <fleet> [--stack <fleet> ...] [--include] | --stack <fleet> --move-host <host> --to <shard>";

/** The Pulumi project name (Pulumi.yaml `name:`), part of every URN. */
function projectName(): string {
    const match = /^name:\s*(\S+)/m.exec(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8"));
    if (!match) throw new Error("Pulumi.yaml has no name");
    return match[1];
}

/** The stacks that deploy `fleetStack`, or the problems that stop them. */
export function deployStacks(fleetStack: string, dir: string = REPO_ROOT): { stacks: string[]; problems: string[] } {
    const { whole } = loadFleet(fleetStack, { dir });
    const shards = Object.keys(whole.shards ?? {});
    if (shards.length === 0) return { stacks: [fleetStack], problems: [] };
    const problems: string[] = [];
    const stacks = shards.map((shard) => shardStackName(fleetStack, shard));
    shards.forEach((shard, i) => {
        const file = stackFile(stacks[i], dir);
        const shown = path.relative(process.cwd(), file) || file;
        const expected = `config:\n  platform-backups:${SHARD_KEY}: { fleet: ${fleetStack}, name: ${shard} }`;
        if (!fs.existsSync(file)) {
            problems.push(`${shown} does not exist; create it with\n${expected}\n(and \`pulumi stack init ${stacks[i]}\`)`);
            return;
        }
        const parsed = shardSchema.safeParse(readStackFileConfig(file).raw[SHARD_KEY]);
        if (!parsed.success || parsed.data.fleet !== fleetStack || parsed.data.name !== shard)
            problems.push(`${shown} must say which shard it is:\n${expected}`);
    });
    return { stacks, problems };
}

/** The stacks of several fleets, in order (`--stack staging --stack prod`). */
function allStacks(fleets: readonly string[]): { stacks: string[]; problems: string[] } {
    const each = fleets.map((fleet) => deployStacks(fleet));
    return { stacks: each.flatMap((e) => e.stacks), problems: each.flatMap((e) => e.problems) };
}

/** `{ stack, fleet }` for every stack of the fleets, in order. */
export function includeEntries(fleets: readonly string[], dir: string = REPO_ROOT): Array<{ stack: string; fleet: string }> {
    return fleets.flatMap((fleet) => deployStacks(fleet, dir).stacks.map((stack) => ({ stack, fleet })));
}

/** The commands that move `host` into shard `to` without losing any state. */
export function moveHostCommands(
    fleetStack: string,
    host: string,
    to: string,
    dir: string = REPO_ROOT,
): { commands: string[]; urns: string[]; problems: string[] } {
    const { whole } = loadFleet(fleetStack, { dir });
    const problems: string[] = [];
    if (!whole.hosts[host]) problems.push(`"${host}" is not a host of ${fleetStack}; use one of: ${Object.keys(whole.hosts).join(", ")}`);
    const shards = whole.shards ?? {};
    if (!shards[to])
        problems.push(
            `"${to}" is not a shard of ${fleetStack}; add it under platform-backups:shards first (use one of: ${Object.keys(shards).join(", ") || "none yet"})`,
        );
    if (problems.length > 0) return { commands: [], urns: [], problems };
    const from = Object.entries(shards).find(([, shard]) => shard.hosts.includes(host))?.[0];
    if (from === to) return { commands: [], urns: [], problems: [`${host} is already in shard ${to}`] };
    const source = from === undefined ? fleetStack : shardStackName(fleetStack, from);
    const dest = shardStackName(fleetStack, to);
    const apps = whole.apps.filter((app) => app.host === host).map((app) => app.name);
    const project = projectName();
    const urns = apps.map((app) => `urn:pulumi:${source}::${project}::${APP_BACKUP_TYPE}::${app}`);
    return {
        commands: [
            `# 1. Pause deploys of ${fleetStack} (no pulumi up of ${source} or ${dest} until step 3 is deployed).`,
            `# 2. Move the state of the ${apps.length} app${apps.length === 1 ? "" : "s"} of ${host}; children and providers come along:`,
            ...(apps.length > 0
                ? [`pulumi state move --source ${source} --dest ${dest} --yes \\\n  ${urns.map((urn) => `'${urn}'`).join(" \\\n  ")}`]
                : [`# (no app runs on ${host}: nothing to move)`]),
            `# 3. In Pulumi.${fleetStack}.yaml, move ${host} from ${from === undefined ? "(the unsplit fleet)" : `shards.${from}.hosts`} to shards.${to}.hosts, merge, deploy;`,
            `#    pulumi preview --stack ${dest} then shows no change for these apps, and ${source} only drops its copy of the provider docker-${host}.`,
        ],
        urns,
        problems: [],
    };
}

function main(args: readonly string[]): number {
    const value = (flag: string) => {
        const i = args.indexOf(flag);
        return i >= 0 ? args[i + 1] : args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
    };
    const stacks = args.flatMap((arg, i) => (arg === "--stack" ? [args[i + 1]] : arg.startsWith("--stack=") ? [arg.slice("--stack=".length)] : []));
    const stack = stacks[0];
    const host = value("--move-host");
    const to = value("--to");
    if (!stack || (host === undefined) !== (to === undefined)) {
        console.error(USAGE);
        return 2;
    }
    try {
        const result = host !== undefined && to !== undefined ? moveHostCommands(stack, host, to) : allStacks(stacks);
        if (result.problems.length > 0) {
            console.error(result.problems.join("\n"));
            return 1;
        }
        if (!("stacks" in result)) console.log(result.commands.join("\n"));
        // --include: matrix entries that carry their fleet, for jobs that name an environment after it.
        else if (args.includes("--include")) console.log(JSON.stringify(includeEntries(stacks)));
        else console.log(JSON.stringify(result.stacks));
        return 0;
    } catch (error) {
        if (error instanceof ConfigError) {
            console.error(error.message);
            return 1;
        }
        throw error;
    }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
