/**
 * The fleet's record of what was assigned once and must never move: each app's exporter port,
 * drill port and drill time. It is the stack file's `platform-backups:assignments` map, written by
 * `npm run plan -- --stack <name> --write` and committed beside the apps it belongs to, like a
 * lockfile beside package.json.
 *
 * ## Why `pulumi up` refuses instead of assigning
 * A deploy could assign a missing entry itself (deterministically) and ask for a commit. Then an
 * entry that is never committed is decided afresh on every deploy, from whatever other unrecorded
 * apps exist at that moment: remove one of them, and another's port moves. Refusing keeps one
 * source of truth, read by the stack, `npm run plan` and `npm run monitoring` alike, and turns
 * "someone forgot" into a failed preview on the pull request, before anything is deployed.
 * The refusal names the exact command; the command prints what it assigned and what it kept.
 *
 * Pure: no Pulumi import; the YAML edit keeps every comment of the file.
 */
import * as YAML from "yaml";
import { formatClock } from "./cron";
import type { assignmentsSchema, Same } from "./fleetSchemas";
import type * as z from "zod";

/** The config key (`platform-backups:assignments`). */
export const ASSIGNMENTS_KEY = "assignments";

/** What was assigned to one app, for the host it was assigned on. */
export interface AppAssignment {
    /** The host the ports were assigned on: ports are unique per host. */
    host: string;
    /** Host port of the app's exporter, when it has one. */
    exporterPort?: number;
    /** Host port of the app's restore drill metrics, when it has a drill. */
    drillPort?: number;
    /** Start of the restore drill, `HH:MM`. */
    drill?: string;
}

/** App name to what it was assigned. */
export type Assignments = Record<string, AppAssignment>;
// The schema gives exactly this type (a compile error otherwise).
const assignmentTypesMatch: Same<z.output<typeof assignmentsSchema>, Assignments> = true;
void assignmentTypesMatch;

/** The command that records the assignments of a stack's fleet. */
export function assignmentsCommand(stack: string): string {
    return `npm run plan -- --stack ${stack} --write`;
}

/** One app's record as the file keeps it, fields in a fixed order. */
export function assignmentOf(host: string, ports: { exporter?: number; drill?: number }, drillStart?: number): AppAssignment {
    return {
        host,
        ...(ports.exporter !== undefined ? { exporterPort: ports.exporter } : {}),
        ...(ports.drill !== undefined ? { drillPort: ports.drill } : {}),
        ...(drillStart !== undefined ? { drill: formatClock(drillStart) } : {}),
    };
}

/** What changed between two records, one line per app, for the command to print. */
export function assignmentChanges(before: Assignments, after: Assignments): string[] {
    const lines: string[] = [];
    const show = (a: AppAssignment) =>
        [`host ${a.host}`, a.exporterPort && `exporter ${a.exporterPort}`, a.drillPort && `drill port ${a.drillPort}`, a.drill && `drill ${a.drill}`]
            .filter(Boolean)
            .join(", ");
    for (const app of Object.keys({ ...before, ...after }).sort()) {
        const [b, a] = [before[app], after[app]];
        if (b && !a) lines.push(`- ${app}: dropped (no longer in the fleet): ${show(b)}`);
        else if (!b && a) lines.push(`+ ${app}: ${show(a)}`);
        else if (b && a && JSON.stringify(b) !== JSON.stringify(a)) lines.push(`~ ${app}: ${show(b)} -> ${show(a)}`);
    }
    return lines;
}

/**
 * The stack file's text with `platform-backups:assignments` set to `assignments` (apps sorted by
 * name, one line each, so that adding an app adds one line), every other line and comment kept.
 */
export function withAssignments(fileText: string, assignments: Assignments, namespace: string, command: string): string {
    const doc = YAML.parseDocument(fileText);
    const key = `${namespace}:${ASSIGNMENTS_KEY}`;
    const sorted = Object.fromEntries(
        Object.keys(assignments)
            .sort()
            .map((app) => [app, assignments[app]]),
    );
    const node = doc.createNode(sorted) as YAML.YAMLMap;
    for (const item of node.items) {
        const entry = item.value as YAML.YAMLMap;
        entry.flow = true;
        // Quoted: an unquoted 01:30 is a number (sexagesimal) to a YAML 1.1 reader.
        const drill = entry.get("drill", true) as YAML.Scalar | undefined;
        if (drill) drill.type = YAML.Scalar.QUOTE_DOUBLE;
    }
    if (!YAML.isMap(doc.get("config"))) doc.set("config", doc.createNode({}));
    const config = doc.get("config") as YAML.YAMLMap;
    let pair = config.items.find((item) => (YAML.isScalar(item.key) ? item.key.value : item.key) === key);
    if (pair) pair.value = node;
    else config.items.push((pair = doc.createPair(key, node)));
    if (YAML.isScalar(pair.key)) {
        pair.key.commentBefore = ` Written by \`${command}\`: the ports and drill time each app got once\n and keeps (docs/operating.md). Commit it with the apps; do not edit it by hand.`;
    }
    // Flow sequences stay as written ([a, b]); one-line flow maps get Prettier's padding ({ a: 1 }).
    return doc.toString({ lineWidth: 0, flowCollectionPadding: false }).replace(/: \{(\S[^{}\n]*\S)\}$/gm, ": { $1 }");
}
