/**
 * Ports and drill times: each app's exporter and drill get a host port, unique per host across
 * both, and each drill a time outside its group's backups. They come from the stack's record
 * (`assignments`), which they never leave once written: components/fleetAssign.ts joins the record
 * with the planners (ports.ts, drillSlots.ts) and says why `pulumi up` refuses instead of assigning.
 */
import { Assignments } from "../assignments";
import { DEFAULTS, HostConfig, StackConfig } from "../configSchema";
import { DEFAULT_DRILL_CONCURRENCY, DrillGrant } from "../drillSlots";
import { AssignmentMode, assignFleet } from "../fleetAssign";
import { PORT_SPAN, preferredPort } from "../ports";
import { DRILL_DEFAULTS, DrillSlot } from "../restoreDrill";
import type { GroupWindow, PlannedSlot } from "../schedule";
import type { AppMonitoringSpec, RawStackConfig } from "./fleet";
import { hostAddressOf } from "./hosts";
import { problemAt, Section, ValidApp } from "./section";

/** How many ports above `monitoring.portBase` an exporter port may lie. */
export const EXPORTER_PORT_SPAN = PORT_SPAN;

/** How many ports above `restoreDrills.portBase` a drill port may lie. */
export const DRILL_PORT_SPAN = PORT_SPAN;

/**
 * The exporter port an app's probe starts from: `portBase` plus a hash of its name. It is the
 * app's port unless another app of its host holds it; the port actually used is recorded in
 * `assignments` (components/ports.ts).
 */
export function exporterPort(app: string, portBase: number = DEFAULTS.exporterPortBase): number {
    return preferredPort(app, { base: portBase, span: EXPORTER_PORT_SPAN });
}

/**
 * The drill metrics port an app's probe starts from: `portBase` plus the same hash as its exporter
 * port. With the default bases the drills' range (10471-11470) lies right above the exporters'
 * (9471-10470): they cannot meet.
 */
export function drillPort(app: string, portBase: number = DEFAULTS.drillPortBase): number {
    return preferredPort(app, { base: portBase, span: DRILL_PORT_SPAN });
}

/** What the ports section needs from the rest of the stack. */
export interface PortsInput {
    apps: readonly ValidApp[];
    hosts: Record<string, HostConfig>;
    monitoring?: StackConfig["monitoring"];
    drills?: StackConfig["restoreDrills"];
    /** The backup plan, which drills keep clear of. */
    backups: { slots: readonly PlannedSlot[]; windows: Record<string, GroupWindow> };
    recorded: Assignments;
    mode: AssignmentMode;
    /** The fleet's stack, for the command in a refusal. */
    stack?: string;
}

/** The ports and drill times given out, by app index, and the record they make. */
export interface PortsRead {
    exporters: Map<number, AppMonitoringSpec>;
    drillPorts: Map<number, number>;
    /** The usable apps whose drill is on. */
    drilled: ValidApp[];
    /** The drills' times, `drills[i]` for `drilled[i]`. */
    drills: DrillSlot[];
    /** The record as `npm run plan -- --write` writes it. */
    assignments: Assignments;
}

/** A drill time as the plan shows it, without where it came from. */
function slotOf(grant: DrillGrant): DrillSlot {
    return { app: grant.app, group: grant.group, start: grant.start, end: grant.end, cron: grant.cron };
}

/** The exporters' and drills' ports, and the drills' times, of the usable apps. */
export function validatePorts(raw: RawStackConfig, input: PortsInput): Section<PortsRead> {
    const { apps, monitoring, drills } = input;
    const monitored = monitoring ? apps.filter((valid) => valid.app.monitoring?.enabled ?? monitoring.enabled) : [];
    const drilled = drills ? apps.filter((valid) => valid.app.restoreDrills?.enabled ?? drills.enabled) : [];
    const isMonitored = new Set(monitored.map((valid) => valid.index));
    const isDrilled = new Set(drilled.map((valid) => valid.index));
    const assigned = assignFleet({
        apps: apps
            .filter((valid) => isMonitored.has(valid.index) || isDrilled.has(valid.index))
            .map(({ index, app, drillStart }) => ({
                index,
                name: app.name,
                host: app.host,
                group: app.group,
                ...(isMonitored.has(index) ? { exporter: { port: app.monitoring?.port } } : {}),
                ...(isDrilled.has(index) ? { drill: { port: app.restoreDrills?.port, start: drillStart } } : {}),
            })),
        recorded: input.recorded,
        ranges: {
            exporter: { base: monitoring?.portBase ?? DEFAULTS.exporterPortBase, span: EXPORTER_PORT_SPAN },
            drill: { base: drills?.portBase ?? DEFAULTS.drillPortBase, span: DRILL_PORT_SPAN },
        },
        backupSlots: input.backups.slots,
        windows: input.backups.windows,
        drillTiming: {
            duration: drills?.expectedDuration ?? DRILL_DEFAULTS.expectedDuration,
            gap: drills?.gapMinutes ?? DRILL_DEFAULTS.gapMinutes,
            maxConcurrent: drills?.maxConcurrent ?? DEFAULT_DRILL_CONCURRENCY,
        },
        mode: input.mode,
        stack: input.stack,
    });
    const exporters = new Map<number, AppMonitoringSpec>();
    for (const valid of monitored) {
        const port = assigned.exporterPorts.get(valid.index);
        if (port === undefined) continue;
        exporters.set(valid.index, {
            port,
            address: `${hostAddressOf(input.hosts, valid.app.host)}:${port}`,
            graceHours: valid.app.monitoring?.graceHours ?? (monitoring?.graceHours as number),
            refreshIntervalSeconds: monitoring?.refreshIntervalSeconds as number,
        });
    }
    return {
        value: {
            exporters,
            drillPorts: assigned.drillPorts,
            drilled,
            drills: drilled.map((valid) => slotOf(assigned.drills.get(valid.index) as DrillGrant)),
            assignments: assigned.assignments,
        },
        problems: assigned.problems.map((problem) => problemAt(raw, problem.path, problem.message)),
    };
}
