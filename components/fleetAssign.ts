/**
 * The fleet's ports and drill times, from the record and the planners: ports.ts gives ports,
 * drillSlots.ts drill times, assignments.ts the record they are kept in. This module joins them
 * for the config validator: it reads the record, asks the planners, and either refuses what the
 * record lacks (`pulumi up`, `npm run plan`) or fills it in (`npm run plan -- --write`).
 *
 * Pure: no Pulumi import.
 */
import { AppAssignment, assignmentOf, Assignments, ASSIGNMENTS_KEY, assignmentsCommand } from "./assignments";
import { parseClock } from "./cron";
import { assignDrills, DrillAsk, DrillGrant, DrillTiming } from "./drillSlots";
import { assignPorts, PortKind, PortRange, PortRequest } from "./ports";
import type { GroupWindow, PlannedSlot } from "./schedule";

/** One validated app, as far as ports and drills are concerned. */
export interface AssignApp {
    /** Its index in `apps`, for problem paths. */
    index: number;
    name: string;
    host: string;
    group: string;
    /** Set when the app has an exporter: its explicit port, if any. */
    exporter?: { port?: number };
    /** Set when the app has a restore drill: its explicit port and start, if any. */
    drill?: { port?: number; start?: number };
}

/** What to do with an app the record does not cover. */
export type AssignmentMode = "require" | "assign";

export interface AssignInput {
    apps: readonly AssignApp[];
    recorded: Assignments;
    ranges: Readonly<Record<PortKind, PortRange>>;
    backupSlots: readonly PlannedSlot[];
    windows: Readonly<Record<string, GroupWindow>>;
    drillTiming: DrillTiming;
    mode: AssignmentMode;
    /** The fleet's stack, for the command in a refusal. */
    stack?: string;
}

export interface AssignResult {
    /** By app index. */
    exporterPorts: Map<number, number>;
    drillPorts: Map<number, number>;
    drills: Map<number, DrillGrant>;
    /** The record as `--write` leaves it: every app that has a port or a drill, nothing else. */
    assignments: Assignments;
    problems: Array<{ path: PropertyKey[]; message: string }>;
}

/** How many app names a refusal lists before "and N more". */
const NAMED = 8;

type Problems = AssignResult["problems"];
/** Notes an app the record does not cover, and why. */
type Note = (app: string, why: string) => void;
type RecordOf = (app: AssignApp) => AppAssignment | undefined;

/** Every app's exporter and drill ports: explicit, else recorded while it holds, else assigned. */
function fleetPorts(
    input: AssignInput,
    record: RecordOf,
    note: Note,
    problems: Problems,
): { exporterPorts: Map<number, number>; drillPorts: Map<number, number> } {
    const requests: Array<PortRequest & { app_: AssignApp }> = [];
    for (const app of input.apps) {
        const rec = record(app);
        const ask = (kind: PortKind, explicit: number | undefined, port: number | undefined) =>
            requests.push({
                app: app.name,
                host: app.host,
                kind,
                ...(explicit !== undefined ? { explicit } : {}),
                ...(explicit === undefined && rec && port !== undefined ? { recorded: { host: rec.host, port } } : {}),
                app_: app,
            });
        if (app.exporter) ask("exporter", app.exporter.port, rec?.exporterPort);
        if (app.drill) ask("drill", app.drill.port, rec?.drillPort);
    }
    const ports = assignPorts(requests, input.ranges);
    const exporterPorts = new Map<number, number>();
    const drillPorts = new Map<number, number>();
    requests.forEach((request, i) => {
        const grant = ports.grants[i];
        if (!grant) return;
        (request.kind === "exporter" ? exporterPorts : drillPorts).set(request.app_.index, grant.port);
        if (grant.source === "assigned") note(request.app, grant.replaced ? `its ${request.kind} port (${grant.replaced})` : `no ${request.kind} port`);
    });
    for (const problem of ports.problems) {
        const request = requests[problem.index];
        const section = request.kind === "exporter" ? "monitoring" : "restoreDrills";
        problems.push({
            path: request.explicit !== undefined ? ["apps", request.app_.index, section, "port"] : ["apps", request.app_.index],
            message: problem.message,
        });
    }
    return { exporterPorts, drillPorts };
}

/** Every drilled app's drill time: explicit, else recorded while it holds, else planned. */
function fleetDrills(input: AssignInput, record: RecordOf, note: Note, problems: Problems): Map<number, DrillGrant> {
    const drilled = input.apps.filter((app) => app.drill);
    const asks: DrillAsk[] = drilled.map((app) => {
        const start = record(app)?.drill;
        const recordedStart = start !== undefined ? parseClock(start) : undefined;
        return {
            app: app.name,
            group: app.group,
            ...(app.drill?.start !== undefined ? { explicitStart: app.drill.start } : {}),
            ...(app.drill?.start === undefined && recordedStart !== undefined ? { recordedStart } : {}),
        };
    });
    const drillPlan = assignDrills(asks, input.backupSlots, input.windows, input.drillTiming);
    const drills = new Map<number, DrillGrant>();
    drillPlan.grants.forEach((grant, i) => {
        drills.set(drilled[i].index, grant);
        if (grant.source === "assigned" && !drillPlan.problems.some((p) => p.index === i))
            note(grant.app, grant.replaced ? `its drill time (${grant.replaced})` : "no drill time");
    });
    for (const problem of drillPlan.problems) {
        const app = drilled[problem.index];
        const explicit = app.drill?.start !== undefined;
        problems.push({
            path: explicit ? ["apps", app.index, "restoreDrills", "schedule"] : ["apps", app.index, "restoreDrills"],
            message: explicit ? `${problem.message}; choose another time, or remove it and let the planner place the drill` : problem.message,
        });
    }
    return drills;
}

/** The refusal of `require` mode: the apps the record does not cover, the first few by name. */
function unrecordedProblem(unrecorded: ReadonlyMap<string, string[]>, stack: string | undefined): Problems[number] {
    const names = [...unrecorded.keys()];
    const listed = names
        .slice(0, NAMED)
        .map((name) => `${name} (${unrecorded.get(name)!.join(", ")})`)
        .join("; ");
    const more = names.length > NAMED ? `; and ${names.length - NAMED} more` : "";
    return {
        path: [ASSIGNMENTS_KEY],
        message:
            `${names.length} app${names.length === 1 ? " has" : "s have"} no recorded port or drill time that still holds: ${listed}${more}. ` +
            `Ports and drill times are assigned once and kept; run \`${assignmentsCommand(stack ?? "<stack>")}\` and commit the stack file`,
    };
}

export function assignFleet(input: AssignInput): AssignResult {
    const { apps, recorded } = input;
    const problems: Problems = [];
    const record: RecordOf = (app) => (Object.prototype.hasOwnProperty.call(recorded, app.name) ? recorded[app.name] : undefined);
    const unrecorded = new Map<string, string[]>();
    const note: Note = (app, why) => unrecorded.set(app, [...(unrecorded.get(app) ?? []), why]);

    const { exporterPorts, drillPorts } = fleetPorts(input, record, note, problems);
    const drills = fleetDrills(input, record, note, problems);

    const assignments: Assignments = {};
    for (const app of apps) {
        const exporter = app.exporter && app.exporter.port === undefined ? exporterPorts.get(app.index) : undefined;
        const drillPort = app.drill && app.drill.port === undefined ? drillPorts.get(app.index) : undefined;
        const grant = app.drill && app.drill.start === undefined ? drills.get(app.index) : undefined;
        if (exporter === undefined && drillPort === undefined && grant === undefined) continue;
        assignments[app.name] = assignmentOf(app.host, { exporter, drill: drillPort }, grant?.start);
    }

    if (input.mode === "require" && unrecorded.size > 0) problems.push(unrecordedProblem(unrecorded, input.stack));
    return { exporterPorts, drillPorts, drills, assignments, problems };
}
