/**
 * The stack config is the product's interface: this module turns it into a validated fleet.
 *
 * The schema (configSchema.ts) reads every value; the section validators in `config/` add what
 * no schema can say: apps name known hosts (`apps.ts`), names are unique and fit S3, schedules
 * are readable and fit their group's window (`plan.ts`), exporter and drill ports do not clash
 * (`ports.ts`), a quota has its exporter (`quota.ts`), TLS fits the Docker URL (`hosts.ts`).
 * Each is a pure function of the raw config (and what the sections before it accepted) that
 * returns its problems; each rule looks only at the parts the schema accepted, so one mistake is
 * reported once.
 *
 * Pure: no Pulumi import, so the stack, the plan CLI and the tests share one reading of the
 * config. Every problem is collected with its path and a fix, and reported at once, before a
 * single resource is registered.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { validateAdoption } from "./config/adoption";
import { validateApps } from "./config/apps";
import { buildFleet, completeSettings } from "./config/build";
import type { Fleet, RawStackConfig } from "./config/fleet";
import { validateHosts } from "./config/hosts";
import { planBackups, unusedGroupProblems } from "./config/plan";
import { validatePorts } from "./config/ports";
import { quotaProblems } from "./config/quota";
import { isMap, type Section } from "./config/section";
import { unknownKeyProblems, validateSettings } from "./config/settings";
import { closest, isEncrypted } from "./configFields";
import { CONFIG_NAMESPACE, DEFAULTS } from "./configDefaults";
import { emptyFleetProblems } from "./configGuards";
import type { AssignmentMode } from "./fleetAssign";
import { shardsProblems } from "./shards";
import type { MonitoredApp } from "./monitoring";
// Types of the public declarations from zod-free modules only (see components/index.ts).
import type { ConfigProblem, DrilledApp } from "./shapes";

export { CONFIG_NAMESPACE, DEFAULTS };

export type { AppMonitoringSpec, AppRestoreDrillSpec, AppSpec, Fleet, HostSpec, RawStackConfig, RestoreDrillSettings } from "./config/fleet";

export type { ConfigProblem };

/** Thrown when the config is invalid; lists every problem. */
export class ConfigError extends Error {
    constructor(
        /** Every problem, each with its path in the config and the fix; the message lists them all. */
        public readonly problems: ConfigProblem[],
    ) {
        super(formatProblems(problems));
        this.name = "ConfigError";
    }
}

/** One message for all problems, each on its own line with its path. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
    const lines = problems.map((p) => `  - ${p.path}: ${p.message}`);
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    return `Invalid stack config (${count}); nothing was created or changed:\n${lines.join("\n")}`;
}

/** How {@link validateStackConfig} treats the record of ports and drill times. */
export interface ValidateOptions {
    /**
     * `"assign"` (default): an app without a record that holds is given one (what
     * `npm run plan -- --write` records). `"require"`: it is a problem naming that command (what
     * `pulumi up` does, so that nothing is ever assigned at deploy time).
     */
    assignments?: AssignmentMode;
    /** The fleet's stack, named in the refusal's command. */
    stack?: string;
}

/**
 * Validates the stack config and builds the fleet. Returns every problem found; `fleet` is set
 * only when there is none. `found` are problems found while reading the config (namespaces).
 * Each section has its own validator in `config/`; each rule looks only at what the sections
 * before it accepted, so one mistake is reported once.
 */
export function validateStackConfig(
    raw: RawStackConfig,
    found: readonly ConfigProblem[] = [],
    options: ValidateOptions = {},
): {
    /** The validated fleet; absent when there is any problem. */
    fleet?: Fleet;
    /** Every problem, `found` first; empty when `fleet` is set. */
    problems: ConfigProblem[];
} {
    // An empty fleet first: on purpose only (allowEmptyFleet), as `up` would remove every app's pipeline.
    const problems: ConfigProblem[] = [...found, ...unknownKeyProblems(raw), ...emptyFleetProblems(raw)];
    const take = <T>(section: Section<T>): T => {
        problems.push(...section.problems);
        return section.value;
    };
    const settings = take(validateSettings(raw));
    const notificationsValid = !problems.some((q) => q.path.startsWith("notifications"));
    const { hosts, hostNames } = take(validateHosts(raw));
    if (settings.shards && hostNames) problems.push(...shardsProblems(settings.shards, hostNames));
    const apps = take(validateApps(raw, { namePrefix: settings.namePrefix, hostNames, notificationsValid }));
    const sharedUsers = take(validateAdoption(raw, apps, settings.namePrefix));
    problems.push(...unusedGroupProblems(raw, settings.schedule));
    const backups = take(planBackups(raw, apps, settings.schedule));
    const ports = take(
        validatePorts(raw, {
            apps,
            hosts,
            monitoring: settings.monitoring,
            drills: settings.restoreDrills,
            backups,
            recorded: settings.assignments ?? {},
            mode: options.assignments ?? "assign",
            stack: options.stack,
        }),
    );
    problems.push(...quotaProblems(raw, { apps, monitoringRead: settings.monitoring !== undefined, exporters: ports.exporters, earlier: problems }));
    const complete = completeSettings(settings);
    if (problems.length > 0 || !complete) return { problems };
    return { problems: [], fleet: buildFleet({ settings: complete, hosts, apps, ports, backups: { ...backups, drills: ports.drills }, sharedUsers }) };
}

/** The monitored apps of a fleet, as the Prometheus rule and scrape generators take them. */
export function monitoredApps(fleet: Fleet): MonitoredApp[] {
    return fleet.apps.flatMap((app) =>
        app.monitoring
            ? [
                  {
                      app: app.name,
                      group: app.group,
                      host: app.host,
                      exporterAddress: app.monitoring.address,
                      intervalHours: 24,
                      graceHours: app.monitoring.graceHours,
                      refreshIntervalSeconds: app.monitoring.refreshIntervalSeconds,
                      ...(app.quotaGiB !== undefined ? { quotaBytes: quotaBytes(app.quotaGiB) } : {}),
                      // The exporter's snapshot_paths label is the snapshot's paths, comma-joined (exporter.py, 2.0.2 and 2.1.2).
                      ...(app.retiredPaths.length > 0 ? { retiredPaths: app.retiredPaths.map((r) => r.path) } : {}),
                  },
              ]
            : [],
    );
}

/** A quota in GiB as MinIO takes it: bytes (madmin-go v1.7.5 `BucketQuota.Quota`, set by terraform-provider-minio v1.20.1). */
export function quotaBytes(quotaGiB: number): number {
    return quotaGiB * 2 ** 30;
}

/** The apps of a fleet that have a restore drill, as the drill's scrape job and alerts take them. */
export function drilledApps(fleet: Fleet): DrilledApp[] {
    return fleet.apps.flatMap((app) =>
        app.restoreDrill
            ? [
                  {
                      app: app.name,
                      group: app.group,
                      host: app.host,
                      address: app.restoreDrill.address,
                      intervalHours: 24,
                      graceHours: fleet.restoreDrills.graceHours,
                  },
              ]
            : [],
    );
}

/** Like {@link validateStackConfig}, but throws a {@link ConfigError} listing every problem. */
export function parseStackConfig(raw: RawStackConfig, found: readonly ConfigProblem[] = []): Fleet {
    const { fleet, problems } = validateStackConfig(raw, found);
    if (!fleet) throw new ConfigError(problems);
    return fleet;
}

/**
 * A top-level value as the program sees it. The Pulumi CLI hands every value to the program as
 * a string (maps and lists as JSON, `retentionDays: 14` and `retentionDays: "14"` both as "14"),
 * and the program reads it back with JSON where it can: so `"14"` is 14 and `"true"` is true,
 * whoever wrote them.
 */
export function readCliValue(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/** A stack file's value as the CLI would hand it to the program, read back the same way. */
function asProgramSees(value: unknown): unknown {
    if (isEncrypted(value)) return value; // a secret the file cannot reveal; the schema accepts it unread
    if (typeof value === "string") return readCliValue(value);
    return readCliValue(JSON.stringify(value));
}

/** Whether `namespace` is a typo of this project's namespace. */
function nearNamespace(namespace: string): boolean {
    const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
    return namespace !== CONFIG_NAMESPACE && (squash(namespace) === squash(CONFIG_NAMESPACE) || closest(namespace, [CONFIG_NAMESPACE]) !== undefined);
}

/**
 * Splits the stack's config (`namespace:key` -> value, as the program reads it) into this
 * project's keys, without the namespace, and problems for keys in a namespace a few letters away
 * from it (a typo there would otherwise be ignored). Other namespaces belong to providers.
 */
export function projectConfig(entries: Record<string, unknown>): { raw: RawStackConfig; problems: ConfigProblem[] } {
    const raw: RawStackConfig = {};
    const problems: ConfigProblem[] = [];
    for (const [key, value] of Object.entries(entries)) {
        const colon = key.indexOf(":");
        // A stack file may leave out the project's own namespace (Pulumi adds it).
        const namespace = colon < 0 ? CONFIG_NAMESPACE : key.slice(0, colon);
        const name = colon < 0 ? key : key.slice(colon + 1);
        if (namespace === CONFIG_NAMESPACE) raw[name] = value;
        else if (nearNamespace(namespace)) {
            problems.push({ path: key, message: `is in namespace "${namespace}", which nothing reads; did you mean \`${CONFIG_NAMESPACE}:${name}\`?` });
        }
    }
    return { raw, problems };
}

/** The program's config: `pulumi.runtime.allConfig()` (every value a string), read as one. */
export function configFromPulumi(all: Record<string, string>): {
    /** This project's keys without the `platform-backups:` namespace, each value read back from the CLI's string. */
    raw: RawStackConfig;
    /** Keys in a namespace a few letters away from `platform-backups` (a likely typo, which nothing would read). */
    problems: ConfigProblem[];
} {
    return projectConfig(Object.fromEntries(Object.entries(all).map(([key, value]) => [key, readCliValue(value)])));
}

/**
 * Reads the config of a `Pulumi.<stack>.yaml` file as the program would see it, without the
 * namespace. `secure:` values stay encrypted objects; the pure fleet does not use them. A YAML
 * syntax error becomes a {@link ConfigError} naming the file and line.
 */
export function readStackFileConfig(file: string): { raw: RawStackConfig; problems: ConfigProblem[] } {
    const where = path.relative(process.cwd(), file) || file;
    const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
    if (doc.errors.length > 0) {
        // The first error only: the parser's later ones usually follow from it.
        const [error] = doc.errors;
        const at = error.linePos?.[0];
        const message = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
        throw new ConfigError([
            { path: `${where}:${at?.line ?? "?"}:${at?.col ?? "?"}`, message: `YAML syntax error: ${message}; fix the file, then run again` },
        ]);
    }
    const content = (doc.toJS() ?? {}) as { config?: unknown };
    if (content.config !== undefined && !isMap(content.config))
        throw new ConfigError([{ path: `${where}: config`, message: "must be a map of namespace:key entries" }]);
    return projectConfig(Object.fromEntries(Object.entries(content.config ?? {}).map(([key, value]) => [key, asProgramSees(value)])));
}

/** The namespace-less config of a stack file (see {@link readStackFileConfig}). */
export function readStackFile(file: string): RawStackConfig {
    return readStackFileConfig(file).raw;
}

/** Reads and validates a stack file: what `npm run plan`, `npm run monitoring` and the tests use. */
export function loadStackFile(file: string): {
    /** The validated fleet (an invalid file throws a {@link ConfigError} instead). */
    fleet: Fleet;
    /** The file's `platform-backups:` keys without the namespace, as the program would read them. */
    raw: RawStackConfig;
} {
    const { raw, problems } = readStackFileConfig(file);
    return { fleet: parseStackConfig(raw, problems), raw };
}
