/**
 * Ports: each app's exporter and drill get a host port, unique per host across both. Exporters
 * are placed first, so turning drills on never moves an exporter that is already deployed.
 */
import type { ConfigProblem } from "../shapes";
import { DEFAULTS, HostConfig, StackConfig } from "../configSchema";
import type { AppMonitoringSpec, RawStackConfig } from "./fleet";
import { hostAddressOf } from "./hosts";
import { problemAt, Section, ValidApp } from "./section";

/** How many ports above `monitoring.portBase` an exporter port may lie. */
export const EXPORTER_PORT_SPAN = 1000;

/** How many ports above `restoreDrills.portBase` a drill port may lie. */
export const DRILL_PORT_SPAN = EXPORTER_PORT_SPAN;

/** FNV-1a (32 bit) of an app's name: the part of its ports that depends on nothing else. */
function nameHash(app: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < app.length; i++) hash = Math.imul(hash ^ app.charCodeAt(i), 0x01000193) >>> 0;
    return hash;
}

/**
 * The exporter's host port of an app without an explicit one: `portBase` plus a hash of the
 * app's name. It depends on nothing else, so adding, removing or moving another app never
 * moves it (a port from config order would move every later app on the host).
 */
export function exporterPort(app: string, portBase: number = DEFAULTS.exporterPortBase): number {
    return portBase + (nameHash(app) % EXPORTER_PORT_SPAN);
}

/**
 * The restore drill's metrics port of an app without an explicit one: `portBase` plus the same
 * hash of the app's name as its exporter port (so the drill port is the exporter port plus the
 * distance between the two bases, and no other app moves it). With the default bases the drills'
 * range (10471-11470) lies right above the exporters' (9471-10470): they cannot meet.
 */
export function drillPort(app: string, portBase: number = DEFAULTS.drillPortBase): number {
    return portBase + (nameHash(app) % DRILL_PORT_SPAN);
}

/** What the ports section needs from the rest of the stack. */
export interface PortsInput {
    apps: readonly ValidApp[];
    hosts: Record<string, HostConfig>;
    monitoring?: StackConfig["monitoring"];
    drills?: StackConfig["restoreDrills"];
}

/** The ports given out: exporters and drill ports by app index, and the apps with a drill. */
export interface PortsRead {
    exporters: Map<number, AppMonitoringSpec>;
    drillPorts: Map<number, number>;
    /** The usable apps whose drill is on (ported or not: the planner places each). */
    drilled: ValidApp[];
}

/** One port ask: `port` for the app's `key` (`monitoring` or `restoreDrills`), from `base`. */
interface Ask {
    valid: ValidApp;
    port: number;
    what: string;
    key: string;
    base: number;
}

/** Gives each ask its port in turn, or reports whose it is and a free one, free of every ask of the host. */
export function assignPorts(raw: RawStackConfig, asks: readonly Ask[]): Section<Set<Ask>> {
    const problems: ConfigProblem[] = [];
    const given = new Set<Ask>();
    const used = new Map<string, Map<number, Ask>>();
    const requested = new Map<string, Set<number>>();
    for (const ask of asks) requested.set(ask.valid.app.host, (requested.get(ask.valid.app.host) ?? new Set<number>()).add(ask.port));
    for (const ask of asks) {
        const onHost = used.get(ask.valid.app.host) ?? new Map<number, Ask>();
        used.set(ask.valid.app.host, onHost);
        const other = onHost.get(ask.port);
        if (!other) {
            onHost.set(ask.port, ask);
            given.add(ask);
            continue;
        }
        const asked = requested.get(ask.valid.app.host);
        let free = ask.base;
        while (onHost.has(free) || asked?.has(free)) free++;
        problems.push(
            problemAt(
                raw,
                ["apps", ask.valid.index, ask.key, "port"],
                `${ask.port} is already the ${other.what} port of apps[${other.valid.index}] (${other.valid.app.name}) on host ${ask.valid.app.host}; set ${ask.key}.port on this app to a free port, e.g. ${free}`,
            ),
        );
    }
    return { value: given, problems };
}

/** The exporters' and drills' ports of the usable apps. */
export function validatePorts(raw: RawStackConfig, input: PortsInput): Section<PortsRead> {
    const { apps, monitoring, drills } = input;
    const monitored = monitoring ? apps.filter((valid) => valid.app.monitoring?.enabled ?? monitoring.enabled) : [];
    const drilled = drills ? apps.filter((valid) => valid.app.restoreDrills?.enabled ?? drills.enabled) : [];
    const asksOf = (
        list: ValidApp[],
        what: string,
        key: "monitoring" | "restoreDrills",
        base: number | undefined,
        portOf: (valid: ValidApp) => number,
    ): Ask[] => list.map((valid) => ({ valid, port: valid.app[key]?.port ?? portOf(valid), what, key, base: base as number }));
    const exporterAsks = asksOf(monitored, "exporter", "monitoring", monitoring?.portBase, (v) => exporterPort(v.app.name, monitoring?.portBase));
    const drillAsks = asksOf(drilled, "restore drill", "restoreDrills", drills?.portBase, (v) => drillPort(v.app.name, drills?.portBase));
    const { value: given, problems } = assignPorts(raw, [...exporterAsks, ...drillAsks]);
    const exporters = new Map<number, AppMonitoringSpec>();
    for (const ask of exporterAsks.filter((a) => given.has(a))) {
        exporters.set(ask.valid.index, {
            port: ask.port,
            address: `${hostAddressOf(input.hosts, ask.valid.app.host)}:${ask.port}`,
            graceHours: ask.valid.app.monitoring?.graceHours ?? (monitoring?.graceHours as number),
            refreshIntervalSeconds: monitoring?.refreshIntervalSeconds as number,
        });
    }
    const drillPorts = new Map(drillAsks.filter((a) => given.has(a)).map((a) => [a.valid.index, a.port]));
    return { value: { exporters, drillPorts, drilled }, problems };
}
