/**
 * The stack-wide settings: unknown top-level keys, and every top-level value except hosts and
 * apps, each read by its schema. A section left out of the stack file gets its defaults.
 */
import type { ConfigProblem } from "../shapes";
import { unknownKeyMessage } from "../configFields";
import { CONFIG_KEYS, CONFIG_PARTS, StackConfig } from "../configSchema";
import type { RawStackConfig } from "./fleet";
import { NO_RECIPIENTS } from "../recovery";
import { problemAt, readTop, Section } from "./section";

/** Top-level keys the product does not know, each with the nearest known one. */
export function unknownKeyProblems(raw: RawStackConfig): ConfigProblem[] {
    return Object.keys(raw)
        .filter((key) => !(CONFIG_KEYS as readonly string[]).includes(key))
        .map((key) => problemAt(raw, [key], unknownKeyMessage(key, CONFIG_KEYS)));
}

/** `minio`, with the one rule its schema cannot say: a CA given once. */
export function validateMinio(raw: RawStackConfig): Section<StackConfig["minio"] | undefined> {
    const minio = readTop(raw, "minio");
    if (minio.value?.caCert !== undefined && minio.value.caCertPath !== undefined)
        minio.problems.push(problemAt(raw, ["minio", "caCertPath"], "set only one of caCert and caCertPath: they say the same thing two ways"));
    return minio;
}

/**
 * `recovery`, with what its schema cannot say: at least one recipient, none twice (an empty list
 * would let `npm run recovery-kit` encrypt to nobody).
 */
export function validateRecovery(raw: RawStackConfig): Section<StackConfig["recovery"] | undefined> {
    const recovery = readTop(raw, "recovery");
    if (recovery.value === undefined || recovery.problems.length > 0) return recovery;
    const listed = recovery.value.ageRecipients;
    if (listed.length === 0) recovery.problems.push(problemAt(raw, ["recovery", "ageRecipients"], `is empty; ${NO_RECIPIENTS}`));
    listed.forEach((r, i) => {
        if (listed.indexOf(r) < i)
            recovery.problems.push(
                problemAt(raw, ["recovery", "ageRecipients", i], `"${r}" is already ageRecipients[${listed.indexOf(r)}]; list each key once`),
            );
    });
    return recovery;
}

/** The settings of the whole stack, as read (undefined where unreadable). */
export interface StackSettings {
    minio?: StackConfig["minio"];
    vault?: StackConfig["vault"];
    namePrefix?: string;
    retentionDays?: number;
    image?: string;
    logLevel?: string;
    initRepository?: boolean;
    timezone?: string;
    checkTimeoutSeconds?: number;
    notifications?: StackConfig["notifications"];
    monitoring?: StackConfig["monitoring"];
    schedule?: StackConfig["schedule"];
    restoreDrills?: StackConfig["restoreDrills"];
    recovery?: StackConfig["recovery"];
    /** The record of ports and drill times (components/assignments.ts). */
    assignments?: StackConfig["assignments"];
    /** The shards the fleet's hosts are cut into (components/shards.ts). */
    shards?: StackConfig["shards"];
}

/** Every top-level setting but hosts and apps, in the order its problems are reported. */
export function validateSettings(raw: RawStackConfig): Section<StackSettings> {
    const problems: ConfigProblem[] = [];
    const take = <T>(section: Section<T>): T => {
        problems.push(...section.problems);
        return section.value;
    };
    const top = <K extends keyof StackConfig>(key: K) => take(readTop(raw, key));
    const orDefault = <K extends "monitoring" | "schedule" | "restoreDrills">(key: K) =>
        raw[key] === undefined ? (CONFIG_PARTS[key].parse({}) as StackConfig[K]) : top(key);
    const minio = take(validateMinio(raw));
    const vault = top("vault");
    const namePrefix = top("namePrefix");
    const scalars = {
        retentionDays: top("retentionDays"),
        image: top("image"),
        logLevel: top("logLevel"),
        initRepository: top("initRepository"),
        timezone: top("timezone"),
        checkTimeoutSeconds: top("checkTimeoutSeconds"),
    };
    for (const key of ["minioUser", "minioPassword", "vaultToken"] as const) top(key);
    const notifications = top("notifications");
    const monitoring = orDefault("monitoring");
    const schedule = orDefault("schedule");
    const restoreDrills = orDefault("restoreDrills");
    const recovery = take(validateRecovery(raw));
    const assignments = top("assignments");
    const shards = top("shards");
    if (raw.shard !== undefined)
        problems.push(
            problemAt(
                raw,
                ["shard"],
                "this is a shard's stack file: read it through its fleet (pulumi up, npm run plan -- --stack <this stack>), not on its own",
            ),
        );
    return { value: { minio, vault, namePrefix, ...scalars, notifications, monitoring, schedule, restoreDrills, recovery, assignments, shards }, problems };
}
