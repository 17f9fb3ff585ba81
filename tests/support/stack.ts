/**
 * Runs the stack program (index.ts) under the mock engine with a given stack config.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, RawStackConfig, readStackFile, validateStackConfig } from "../../components/config";
import { installMocks, Registered, settle } from "./pulumiMocks";

/** Repository root, where the `Pulumi.<stack>.yaml` files are. */
export const ROOT = path.resolve(__dirname, "..", "..");

/** The namespace-less config of `Pulumi.<stack>.yaml`. */
export function stackConfig(stack: string): RawStackConfig {
    return readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`));
}

/**
 * `raw` as a committed stack file holds it: with the record of ports and drill times that
 * `npm run plan -- --write` would have written, unless `raw` brings its own (`assignments: {}`
 * tests the refusal). An invalid config is left as it is, for the program to refuse.
 */
export function withRecord(raw: RawStackConfig): RawStackConfig {
    if (raw.assignments !== undefined || !Array.isArray(raw.apps)) return raw;
    const { fleet } = validateStackConfig(raw, [], { assignments: "assign" });
    return fleet ? { ...raw, assignments: fleet.assignments } : raw;
}

/** Sets the program's config as the Pulumi CLI would: every value a string, maps and lists as JSON. */
export function setStackConfig(raw: RawStackConfig, secrets: Record<string, string> = {}): void {
    const all: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...withRecord(raw), ...secrets })) {
        if (value === undefined) continue;
        all[`${CONFIG_NAMESPACE}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    pulumi.runtime.setAllConfig(
        all,
        Object.keys(secrets).map((key) => `${CONFIG_NAMESPACE}:${key}`),
    );
}

/** What a program run left behind. */
export interface ProgramRun {
    registered: Registered[];
    /** The program's exports, resolved. */
    exports: Record<string, unknown>;
}

/**
 * Installs mocks, sets the config, loads the program with `load` (so that jest's or Node's own
 * module loading can be used), waits for every registration and resolves the exports.
 */
export async function runProgram(
    raw: RawStackConfig,
    load: () => Record<string, unknown>,
    secrets: Record<string, string> = {},
    /** Called once with the list the mocks fill, before the program loads (the bench reports progress from it). */
    watch?: (registered: readonly Registered[]) => void,
    /** Run as `pulumi preview` does (`pulumi.runtime.isDryRun()`), rather than as `pulumi up`. */
    preview = false,
): Promise<ProgramRun> {
    const registered = installMocks(CONFIG_NAMESPACE, "test", preview);
    watch?.(registered);
    setStackConfig(raw, secrets);
    const module = load();
    const exports: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(module)) {
        exports[key] = await new Promise((resolve) => (pulumi.output(value) as pulumi.Output<unknown>).apply(resolve));
    }
    await settle();
    return { registered, exports };
}
