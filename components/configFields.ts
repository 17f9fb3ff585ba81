/**
 * The building blocks of the config schema: one zod field per kind of value, each with the
 * message a person can act on, and the translation of zod's issues into {@link ConfigProblem}s.
 *
 * One reading of values: `pulumi config set` stores every top-level value as a string, and a
 * stack file may hold `retentionDays: 14` or `retentionDays: "14"`. A whole-number field
 * therefore takes a number or a string of digits, a flag takes `true`/`false` or their strings,
 * and a text field takes a number as its digits. The same field reads the same value the same
 * way, whether `pulumi up`, `npm run plan` or `npm run monitoring` reads it.
 *
 * Pure: no Pulumi import.
 */
import * as z from "zod";

import type { ConfigProblem } from "./shapes";

export type { ConfigProblem };

/** A value as a message shows it; a string is called out as quoted, so `"true"` reads as text. */
export function describeValue(value: unknown): string {
    if (Array.isArray(value)) return "a list";
    if (value === null) return "null";
    if (typeof value === "string") return `the quoted string "${value}"`;
    if (typeof value === "object") return "a map";
    return `${typeof value} ${JSON.stringify(value)}`;
}

/** The outcome of checking one value. */
export type Checked<T> = { value: T } | { problem: string };

/**
 * A field checked by `check`. `json` is its JSON Schema (as an editor sees the stack file);
 * `missing` is the hint shown when a required field is absent, or `undefined` for an optional one.
 */
export function field<T>(json: Record<string, unknown>, check: (value: unknown) => Checked<T>) {
    return z
        .unknown()
        .transform((value, ctx): T => {
            const checked = check(value);
            if ("value" in checked) return checked.value;
            ctx.issues.push({ code: "custom", message: checked.problem, input: value });
            return z.NEVER;
        })
        .meta(json);
}

/** Options shared by every scalar field. */
interface Presence<T> {
    /** The hint for a missing required value; omit for an optional field. */
    required?: string;
    /** The value of an absent optional field. */
    default?: T;
    description?: string;
}

function absent<T>(value: unknown, opts: Presence<T>): Checked<T | undefined> | undefined {
    if (value !== undefined && value !== null) return undefined;
    if (opts.required !== undefined) return { problem: `is missing; ${opts.required}` };
    return { value: opts.default };
}

/**
 * A field with a default takes it when the key is absent (zod then counts the key as optional);
 * a required field reports its absence itself; an optional one is marked `.optional()` where used.
 */
function withDefault<S extends z.ZodType>(schema: S, opts: Presence<z.output<S>>) {
    return opts.default !== undefined ? schema.default(opts.default as never) : schema;
}

/** The JSON Schema of a field with its description; the default is told there (zod drops it on input). */
function meta<T>(json: Record<string, unknown>, opts: Presence<T>): Record<string, unknown> {
    const fallback = opts.default !== undefined ? `default: ${JSON.stringify(opts.default)}` : "";
    const description = [opts.description, fallback].filter(Boolean).join("; ");
    return { ...json, ...(description ? { description } : {}) };
}

/** A whole number (of `unit`) from `min` to `max`; a string of digits counts as its number. */
export function wholeNumber(opts: Presence<number> & { unit: string; min: number; max?: number }) {
    const range = { minimum: opts.min, ...(opts.max !== undefined ? { maximum: opts.max } : {}) };
    const json = meta(
        {
            anyOf: [
                { type: "integer", ...range },
                { type: "string", pattern: "^\\s*\\d+\\s*$" },
            ],
        },
        opts,
    );
    return withDefault(
        field(json, (value): Checked<number> => {
            const missing = absent(value, opts);
            if (missing) return missing as Checked<number>;
            const number = typeof value === "number" ? value : typeof value === "string" && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
            if (!Number.isInteger(number)) return { problem: `must be a whole number of ${opts.unit}, got ${describeValue(value)}` };
            if (number < opts.min) return { problem: `is ${number}; it must be at least ${opts.min} ${opts.unit}` };
            if (opts.max !== undefined && number > opts.max) return { problem: `is ${number}; it must be at most ${opts.max} ${opts.unit}` };
            return { value: number };
        }),
        opts,
    );
}

/** `true` or `false`; `pulumi config set` stores them as the strings "true" and "false". */
export function flag(opts: Presence<boolean> = {}) {
    return withDefault(
        field(meta({ anyOf: [{ type: "boolean" }, { type: "string", enum: ["true", "false"] }] }, opts), (value): Checked<boolean> => {
            const missing = absent(value, opts);
            if (missing) return missing as Checked<boolean>;
            if (value === true || value === "true") return { value: true };
            if (value === false || value === "false") return { value: false };
            return { problem: `must be true or false, got ${describeValue(value)}` };
        }),
        opts,
    );
}

/**
 * Non-empty text, optionally checked by `rule` (returns a problem or undefined). A number counts
 * as its digits: the Pulumi CLI hands `namePrefix: 123` to the program as "123".
 */
export function text(opts: Presence<string> & { pattern?: string; rule?: (text: string) => string | undefined } = {}) {
    const json = meta({ type: "string", minLength: 1, ...(opts.pattern ? { pattern: opts.pattern } : {}) }, opts);
    return withDefault(
        field(json, (value): Checked<string> => {
            const missing = absent(value, opts);
            if (missing) return missing as Checked<string>;
            const string = typeof value === "number" && Number.isFinite(value) ? String(value) : value;
            if (typeof string !== "string" || string.trim() === "") return { problem: `must be a non-empty string, got ${describeValue(value)}` };
            const problem = opts.rule?.(string);
            return problem ? { problem } : { value: string };
        }),
        opts,
    );
}

/** Text that may instead be a `secure:` value; an encrypted value is accepted unread (`undefined`). */
export function secretText(opts: { description?: string; rule?: (text: string) => string | undefined } = {}) {
    const json = meta({ anyOf: [{ type: "string" }, SECURE_JSON] }, opts);
    return field(json, (value): Checked<string | undefined> => {
        if (value === undefined || value === null || isEncrypted(value)) return { value: undefined };
        if (typeof value !== "string") return { problem: `must be a string, got ${typeof value}` };
        const problem = opts.rule?.(value);
        return problem ? { problem } : { value };
    }).optional();
}

/** How a `secure:` value looks in a stack file. */
export const SECURE_JSON = { type: "object", properties: { secure: { type: "string" } }, required: ["secure"], additionalProperties: false };

/** A Pulumi `secure:` value as it appears in a stack file read without decryption. */
export function isEncrypted(value: unknown): boolean {
    return typeof value === "object" && value !== null && !Array.isArray(value) && typeof (value as Record<string, unknown>).secure === "string";
}

/** Levenshtein distance, for "did you mean" (keys are short: quadratic is fine). */
export function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}

/** The known word closest to `word`, when it is close enough to be a typo of it. */
export function closest(word: string, known: readonly string[]): string | undefined {
    let best: { candidate: string; distance: number } | undefined;
    for (const candidate of known) {
        const distance = candidate.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word, candidate);
        if (distance <= Math.max(2, Math.floor(candidate.length / 3)) && (!best || distance < best.distance)) best = { candidate, distance };
    }
    return best?.candidate;
}

/** The message for a key that is not in `known`. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
    const guess = closest(key, known);
    return guess ? `is not a known key; did you mean \`${guess}\`?` : `is not a known key; use one of: ${known.join(", ")}`;
}

type Segment = PropertyKey;

/**
 * `apps[1] (chat).host`: indexes in brackets, and next to an index the `name` of the element it
 * points at in `raw`, when it has one, so the reader need not count.
 */
export function formatPath(path: readonly Segment[], raw: unknown): string {
    let text = "";
    let node: unknown = raw;
    for (const segment of path) {
        node = node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[segment as string] : undefined;
        if (typeof segment === "number") {
            const name = node !== null && typeof node === "object" ? (node as Record<string, unknown>).name : undefined;
            text += `[${segment}]${typeof name === "string" && name !== "" ? ` (${name})` : ""}`;
        } else {
            text += text ? `.${String(segment)}` : String(segment);
        }
    }
    return text;
}

/** The keys a strict map at `path` knows, found by walking the schema. */
function knownKeysAt(schema: z.ZodType, path: readonly Segment[]): string[] {
    let node: z.ZodType | undefined = schema;
    for (const segment of [...path, undefined]) {
        // Unwrap what does not change the shape: optional, default, pipes.
        for (;;) {
            const def: Record<string, unknown> = (node as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
            if (def.type === "optional" || def.type === "default" || def.type === "nullable") node = def.innerType as z.ZodType;
            else if (def.type === "pipe") node = def.in as z.ZodType;
            else break;
        }
        const def: Record<string, unknown> = (node as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
        if (segment === undefined) return def.type === "object" ? Object.keys(def.shape as object) : [];
        if (def.type === "object") node = (def.shape as Record<string, z.ZodType>)[segment as string];
        else if (def.type === "array") node = def.element as z.ZodType;
        else if (def.type === "record") node = def.valueType as z.ZodType;
        else return [];
        if (!node) return [];
    }
    return [];
}

/**
 * Parses `value` with `schema` and returns the data, or every problem with its path (prefixed
 * with `prefix`) and a fix. `root` is the whole raw config, for the names beside indexes.
 */
export function parseWith<S extends z.ZodType>(
    schema: S,
    value: unknown,
    prefix: readonly Segment[],
    root: unknown,
): { data?: z.output<S>; problems: ConfigProblem[] } {
    const result = schema.safeParse(value, { reportInput: true });
    if (result.success) return { data: result.data, problems: [] };
    const problems: ConfigProblem[] = [];
    for (const issue of result.error.issues) {
        const path = [...prefix, ...issue.path];
        if (issue.code === "unrecognized_keys") {
            const known = knownKeysAt(schema, issue.path);
            for (const key of issue.keys) problems.push({ path: formatPath([...path, key], root), message: unknownKeyMessage(key, known) });
        } else if (issue.code === "invalid_type" && (issue.input === undefined || issue.input === null)) {
            problems.push({ path: formatPath(path, root), message: "is missing; add it to the stack config (see docs/configuration.md)" });
        } else if (issue.code === "invalid_type" && (issue.expected === "object" || issue.expected === "record")) {
            problems.push({ path: formatPath(path, root), message: `must be a map, got ${describeValue(issue.input)}` });
        } else if (issue.code === "invalid_type" && issue.expected === "array") {
            problems.push({ path: formatPath(path, root), message: `must be a list, got ${describeValue(issue.input)}` });
        } else {
            problems.push({ path: formatPath(path, root), message: issue.message });
        }
    }
    return { problems };
}
