/** The fleet, built from the sections once none of them found a problem. */
import { componentAdoptSettings } from "../adopt";
import { DrillSlot } from "../restoreDrill";
import { mergeNotifications } from "../notifications";
import type { HostConfig } from "../configSchema";
import type { AppRestoreDrillSpec, Fleet, HostSpec } from "./fleet";
import { hostAddressOf } from "./hosts";
import type { PortsRead } from "./ports";
import type { ValidApp } from "./section";
import type { StackSettings } from "./settings";

/** The object without its undefined fields, so that optional fields are absent rather than undefined. */
export function dropUndefined<T extends object>(object: T): T {
    return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

function hostSpec(host: HostConfig): HostSpec {
    return dropUndefined({ dockerHost: host.dockerHost, sshOpts: host.sshOpts, address: host.address, tls: host.tls });
}

/** Everything the sections read, all of it valid. */
export interface FleetParts {
    settings: StackSettings & Required<Pick<StackSettings, "minio" | "vault" | "monitoring" | "restoreDrills">>;
    hosts: Record<string, HostConfig>;
    apps: readonly ValidApp[];
    ports: PortsRead;
    backups: Fleet["plan"] & { requests: Array<{ expectedDuration?: number }> };
    /** MinIO users several adopting apps name (adoption.ts): kept by none, retired after the proof. */
    sharedUsers: Record<string, string[]>;
}

/** The apps of the fleet, in config order, with their planned schedules, exporters and drills. */
export function fleetApps(parts: FleetParts): Fleet["apps"] {
    const { settings, ports, backups } = parts;
    const drillOf = new Map(ports.drilled.map((valid, i) => [valid.index, { valid, slot: backups.drills[i] }]));
    const drillSpec = (drill: { valid: ValidApp; slot: DrillSlot }, port: number): AppRestoreDrillSpec => ({
        port,
        address: `${hostAddressOf(parts.hosts, drill.valid.app.host)}:${port}`,
        schedule: drill.slot.cron,
        explicitSchedule: drill.valid.drillStart !== undefined,
    });
    return parts.apps.map(({ index, app }, i) => ({
        name: app.name,
        host: app.host,
        group: app.group,
        composeProject: app.composeProject ?? app.name,
        schedule: app.schedule ?? backups.slots[i].cron,
        explicitSchedule: app.schedule !== undefined,
        expectedDuration: backups.requests[i].expectedDuration as number,
        retentionDays: app.retentionDays ?? (settings.retentionDays as number),
        notifications: mergeNotifications(settings.notifications ?? {}, app.notifications),
        requireLabels: app.requireLabels,
        ...(ports.exporters.has(index) ? { monitoring: ports.exporters.get(index) } : {}),
        ...(drillOf.has(index) ? { restoreDrill: drillSpec(drillOf.get(index)!, ports.drillPorts.get(index) as number) } : {}),
        ...(app.quotaGiB !== undefined ? { quotaGiB: app.quotaGiB } : {}),
        ...(app.adopt ? { adopt: componentAdoptSettings(app.adopt, parts.sharedUsers) } : {}),
        retiredPaths: app.retiredPaths ?? [],
    }));
}

/** The whole fleet. */
export function buildFleet(parts: FleetParts): Fleet {
    const { settings } = parts;
    const { minio, vault, restoreDrills: drills } = settings;
    return {
        hosts: Object.fromEntries(Object.entries(parts.hosts).map(([name, h]) => [name, hostSpec(h)])),
        apps: fleetApps(parts),
        minio: dropUndefined({ endpoint: minio.endpoint, ssl: minio.ssl, region: minio.region, caCert: minio.caCert, caCertPath: minio.caCertPath }),
        vault: dropUndefined({ ...vault }),
        namePrefix: settings.namePrefix as string,
        image: settings.image as string,
        initRepository: settings.initRepository as boolean,
        ...(settings.logLevel ? { logLevel: settings.logLevel } : {}),
        timezone: settings.timezone as string,
        checkTimeoutSeconds: settings.checkTimeoutSeconds as number,
        monitoring: dropUndefined({ runbookBaseUrl: settings.monitoring.runbookBaseUrl }),
        restoreDrills: dropUndefined({
            checkSlices: drills.checkSlices,
            sampleFiles: drills.sampleFiles,
            sampleBytes: drills.sampleBytes,
            expectedDuration: drills.expectedDuration,
            gapMinutes: drills.gapMinutes,
            graceHours: drills.graceHours,
        }),
        ...(settings.recovery ? { recovery: { ageRecipients: settings.recovery.ageRecipients } } : {}),
        plan: { slots: parts.backups.slots, windows: parts.backups.windows, drills: parts.backups.drills },
        assignments: parts.ports.assignments,
        ...(settings.shards && Object.keys(settings.shards).length > 0 ? { shards: settings.shards } : {}),
        ...(Object.keys(parts.sharedUsers).length > 0 ? { retireAfterProof: { minioUsers: parts.sharedUsers } } : {}),
    };
}

/** Re-typed for the composer: the settings when the required ones were readable. */
export function completeSettings(settings: StackSettings): FleetParts["settings"] | undefined {
    const { minio, vault, monitoring, restoreDrills } = settings;
    return minio && vault && monitoring && restoreDrills ? { ...settings, minio, vault, monitoring, restoreDrills } : undefined;
}
