/**
 * One fleet, several stacks. The fleet's stack file (`Pulumi.<fleet>.yaml`) describes every host
 * and app and cuts the hosts into shards (`platform-backups:shards`); each shard is a stack of
 * its own (`Pulumi.<fleet>-<shard>.yaml`) whose config says only which shard it is
 * (`platform-backups:shard: { fleet, name }`) and holds that stack's own secrets.
 *
 * Every shard reads the whole fleet and plans it whole: backup times, ports and drill times are
 * the unsplit fleet's, so a storage group that spans shards stays staggered, and the union of
 * the shards' alert rules is the unsplit fleet's rules. Then it keeps the apps of its own hosts.
 * A shard therefore deploys alone, or beside the others in parallel, from its own runner.
 *
 * Why shards cut by host: a host's Docker provider, and so every container on it, belongs to one
 * stack; ports are unique per host; moving a host between shards moves whole apps, never half of one.
 *
 * Pure: no Pulumi import; the fleet file is read through the function the caller passes.
 */
// Types only from zod-free modules: these declarations are part of the library's public face.
import { type Same, shardSchema, type shardsSchema } from "./fleetSchemas";
import type * as z from "zod";
import type { ConfigProblem } from "./shapes";

/** The fleet file's key: shard name to the hosts it deploys. */
export const SHARDS_KEY = "shards";
/** A shard stack's key: which fleet and which shard it is. */
export const SHARD_KEY = "shard";

/**
 * The keys a shard stack sets in its own file: which shard it is, and the values encrypted with
 * that stack's own key (a shard cannot decrypt the fleet file's secrets). Everything else is the
 * fleet's, read from the fleet file, so that no shard can plan differently from the others.
 */
export const SHARD_OWN_KEYS = [SHARD_KEY, "minioUser", "minioPassword", "vaultToken", "notifications"] as const;

/** Shard names become stack names (`<fleet>-<shard>`) and workflow matrix entries. */
const SHARD_NAME = /^[a-z0-9][a-z0-9-]{0,30}$/;

/** The fleet file's `shards`: shard name to the hosts it deploys (schema: fleetSchemas.ts). */
export type Shards = Record<
    string,
    {
        /** The hosts (keys of `platform-backups:hosts`) the shard deploys; every host is in exactly one shard. */
        hosts: string[];
    }
>;
/** A shard stack's `shard`: which fleet and which of its shards (schema: fleetSchemas.ts). */
export interface ShardRef {
    /** The fleet's stack: its config is read from `Pulumi.<fleet>.yaml` beside `Pulumi.yaml`. */
    fleet: string;
    /** The shard's name, a key of the fleet's `platform-backups:shards`; its stack is `<fleet>-<name>`. */
    name: string;
}
// The schemas give exactly these types (a compile error otherwise).
const shardTypesMatch: [Same<z.output<typeof shardsSchema>, Shards>, Same<z.output<typeof shardSchema>, ShardRef>] = [true, true];
void shardTypesMatch;

/** The stack name of a shard. */
export function shardStackName(fleet: string, shard: string): string {
    return `${fleet}-${shard}`;
}

/** Problems with a fleet's `shards`: every host in exactly one shard, names fit for stacks. */
export function shardsProblems(shards: Shards, hostNames: readonly string[]): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const owner = new Map<string, string>();
    for (const [name, shard] of Object.entries(shards)) {
        if (!SHARD_NAME.test(name))
            problems.push({
                path: `${SHARDS_KEY}.${name}`,
                message: "a shard name is lowercase letters, digits and hyphens (at most 31): it becomes part of a stack name",
            });
        if (shard.hosts.length === 0) problems.push({ path: `${SHARDS_KEY}.${name}.hosts`, message: "is empty; give the shard a host or remove it" });
        shard.hosts.forEach((host, i) => {
            const where = `${SHARDS_KEY}.${name}.hosts[${i}]`;
            if (!hostNames.includes(host)) problems.push({ path: where, message: `"${host}" is not a key of hosts; use one of: ${hostNames.join(", ")}` });
            else if (owner.has(host))
                problems.push({ path: where, message: `"${host}" is already in shard ${owner.get(host)}; a host belongs to exactly one shard` });
            else owner.set(host, name);
        });
    }
    const missing = hostNames.filter((host) => !owner.has(host));
    if (Object.keys(shards).length > 0 && missing.length > 0)
        problems.push({
            path: SHARDS_KEY,
            message: `host${missing.length === 1 ? "" : "s"} ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} in no shard; add each to one shard (nothing of a host outside every shard would be deployed)`,
        });
    return problems;
}

/** A stack file's config as read (namespace-less), or the problems of reading it. */
export type ReadFleet = (fleet: string) => {
    /** The fleet file's `platform-backups:` keys without the namespace; empty when it could not be read. */
    raw: Record<string, unknown>;
    /** Why the file could not be read (missing, YAML error), each with its path; empty when it was. */
    problems: ConfigProblem[];
};

/**
 * A shard stack's config resolved against its fleet: the fleet file's config, with the shard
 * stack's own keys (`SHARD_OWN_KEYS`) over it. A stack without `shard` is returned as it is.
 */
export function resolveShard(
    own: Record<string, unknown>,
    readFleet: ReadFleet,
): {
    /** The config to validate: the fleet's, with the shard's own keys over it; `own` itself for a stack that is no shard. */
    raw: Record<string, unknown>;
    /** What is wrong with the shard's `shard`, its other keys or its fleet file; empty when nothing is. */
    problems: ConfigProblem[];
    /** Which fleet and shard the stack is; absent when it is no shard or its `shard` is unreadable. */
    shard?: ShardRef;
} {
    if (own[SHARD_KEY] === undefined) return { raw: own, problems: [] };
    const problems: ConfigProblem[] = [];
    const parsed = shardSchema.safeParse(own[SHARD_KEY]);
    if (!parsed.success) {
        const messages = parsed.error.issues.map((issue) => ({ path: [SHARD_KEY, ...issue.path].join("."), message: issue.message }));
        return { raw: own, problems: messages };
    }
    const shard = parsed.data;
    for (const key of Object.keys(own)) {
        if (!(SHARD_OWN_KEYS as readonly string[]).includes(key))
            problems.push({
                path: key,
                message: `a shard stack takes the fleet's settings from Pulumi.${shard.fleet}.yaml; set ${key} there (a shard may set only ${SHARD_OWN_KEYS.join(", ")})`,
            });
    }
    const fleet = readFleet(shard.fleet);
    problems.push(...fleet.problems);
    if (fleet.raw[SHARD_KEY] !== undefined)
        problems.push({ path: `${SHARD_KEY}.fleet`, message: `Pulumi.${shard.fleet}.yaml is itself a shard; name the fleet's stack` });
    const shards = fleet.raw[SHARDS_KEY];
    const names = typeof shards === "object" && shards !== null ? Object.keys(shards) : [];
    if (!names.includes(shard.name))
        problems.push({
            path: `${SHARD_KEY}.name`,
            message: `"${shard.name}" is not a shard of ${shard.fleet}; ${names.length > 0 ? `use one of: ${names.join(", ")}` : `add platform-backups:shards to Pulumi.${shard.fleet}.yaml`}`,
        });
    const merged = { ...fleet.raw };
    for (const key of SHARD_OWN_KEYS) if (key !== SHARD_KEY && own[key] !== undefined) merged[key] = own[key];
    return { raw: merged, problems, shard };
}

/** The part of a fleet that {@link selectShard} narrows. */
export interface Narrowable {
    /** The hosts by name; a shard keeps its own. */
    hosts: Record<string, unknown>;
    /** The apps; a shard keeps those on its hosts. */
    apps: ReadonlyArray<{
        /** The app's name. */
        name: string;
        /** The host it runs on. */
        host: string;
        /** Its storage group. */
        group: string;
    }>;
    /** The whole fleet's plan; a shard keeps the parts of its apps. */
    plan: {
        /** Backup slots; a shard keeps its apps'. */
        slots: ReadonlyArray<{
            /** The app the slot is for. */
            app: string;
        }>;
        /** Restore drill slots; a shard keeps its apps'. */
        drills: ReadonlyArray<{
            /** The app the drill is for. */
            app: string;
        }>;
        /** Storage group windows by group; a shard keeps those of its apps' groups. */
        windows: Record<string, unknown>;
    };
}

/**
 * The fleet as one shard deploys it: the apps of `hosts` only, with the times, ports and drills
 * they were given in the whole fleet's plan (nothing is planned again).
 */
export function selectShard<F extends Narrowable>(fleet: F, hosts: readonly string[]): F {
    const apps = fleet.apps.filter((app) => hosts.includes(app.host));
    const names = new Set(apps.map((app) => app.name));
    const groups = new Set(apps.map((app) => app.group));
    return {
        ...fleet,
        hosts: Object.fromEntries(Object.entries(fleet.hosts).filter(([host]) => hosts.includes(host))),
        apps,
        plan: {
            ...fleet.plan,
            slots: fleet.plan.slots.filter((slot) => names.has(slot.app)),
            drills: fleet.plan.drills.filter((drill) => names.has(drill.app)),
            windows: Object.fromEntries(Object.entries(fleet.plan.windows).filter(([group]) => groups.has(group))),
        },
    };
}
