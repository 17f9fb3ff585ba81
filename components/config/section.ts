/**
 * What the section validators share: the result shape, problems with paths that name the apps
 * beside their indexes, and an app the schema accepted.
 */
import { formatPath, parseWith } from "../configFields";
import type { ConfigProblem } from "../shapes";
import { AppConfig, stackConfigSchema, StackConfig } from "../configSchema";
import type { RawStackConfig } from "./fleet";

/** What a section validator returns: what it read (when readable) and every problem it found. */
export interface Section<T> {
    value: T;
    problems: ConfigProblem[];
}

/** A problem at `path` of the stack config `raw` (apps are named beside their index). */
export function problemAt(raw: RawStackConfig, path: readonly PropertyKey[], message: string): ConfigProblem {
    return { path: formatPath(path, raw), message };
}

/** Whether `value` is a map (not null, not a list). */
export function isMap(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An app the schema accepted, with where it is. */
export interface ValidApp {
    index: number;
    app: AppConfig;
    explicitStart?: number;
    /** The explicit start of the app's restore drill (minutes after midnight). */
    drillStart?: number;
}

/** What to write when one of the required maps is missing. */
export const REQUIRED_MAPS = {
    minio: 'add platform-backups:minio with at least endpoint: "minio.example.internal:9000"',
    vault: 'add platform-backups:vault with at least address: "https://vault.example.internal:8200"',
    hosts: 'add platform-backups:hosts, a map from host name to { dockerHost: "ssh://deploy@vm1.example.internal" }',
    apps: "add platform-backups:apps, the list of apps to back up, each { name, host, group }",
} as const;

const shape = stackConfigSchema.shape;

/** One top-level key read by its schema; a missing required map says what to add. */
export function readTop<K extends keyof typeof shape>(raw: RawStackConfig, key: K): Section<StackConfig[K] | undefined> {
    if ((raw[key] === undefined || raw[key] === null) && key in REQUIRED_MAPS) {
        return {
            value: undefined,
            problems: [problemAt(raw, [key], `is missing; ${REQUIRED_MAPS[key as keyof typeof REQUIRED_MAPS]} (see docs/configuration.md)`)],
        };
    }
    const { data, problems } = parseWith(shape[key], raw[key], [key], raw);
    return { value: data as StackConfig[K] | undefined, problems };
}
