/**
 * Pulumi.yaml's `config:` block: what the Pulumi CLI checks before the program runs. The rules
 * below are the CLI's own (pulumi/pulumi sdk/go/common/workspace/project.go: Project.Validate,
 * configKeyIsNamespacedByProject, ValidateConfigValue, and ValidateStackConfigAndApplyProjectConfig,
 * which requires a value in every stack for a typed key without a default).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { CONFIG_KEYS, CONFIG_NAMESPACE, stackConfigSchema } from "../components/configSchema";
import { ROOT } from "./support/stack";

interface ProjectConfigType {
    type?: string;
    description?: string;
    default?: unknown;
    value?: unknown;
    items?: unknown;
    secret?: boolean;
}

const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { name: string; config: Record<string, ProjectConfigType> };
const declared = Object.entries(project.config);

/** The CLI's ValidateConfigValue for the scalar types. */
function cliAccepts(type: string, value: unknown): boolean {
    if (type === "string") return typeof value === "string";
    if (type === "integer") return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^[+-]?\d+$/.test(value));
    if (type === "boolean") return typeof value === "boolean" || value === "true" || value === "false";
    return false;
}

test("every declared key is one of ours, namespaced by the project, typed, with a default and no value", () => {
    expect(project.name).toBe(CONFIG_NAMESPACE);
    expect(declared.length).toBeGreaterThan(0);
    for (const [key, type] of declared) {
        expect(key.startsWith(`${project.name}:`)).toBe(true);
        expect(CONFIG_KEYS).toContain(key.slice(project.name.length + 1));
        expect(["string", "integer", "boolean"]).toContain(type.type);
        expect([key, type.value]).toEqual([key, undefined]);
        expect([key, cliAccepts(type.type as string, type.default)]).toEqual([key, true]);
    }
});

test("each default is the program's own default, so `pulumi up` and `npm run plan` agree", () => {
    for (const [key, type] of declared) {
        const name = key.slice(project.name.length + 1) as keyof typeof stackConfigSchema.shape;
        expect([key, type.default]).toEqual([key, stackConfigSchema.shape[name].parse(undefined)]);
    }
});

test.each(["prod", "staging", "dev"])("Pulumi.%s.yaml passes the CLI's type checks", (stack) => {
    const config = (YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> }).config;
    for (const [key, type] of declared) {
        if (key in config) expect([key, cliAccepts(type.type as string, config[key])]).toEqual([key, true]);
    }
});

test("a value the CLI's integer check lets through is still checked by the program", () => {
    // Pulumi accepts "-3" as an integer; the schema wants at least one day.
    expect(cliAccepts("integer", "-3")).toBe(true);
    expect(stackConfigSchema.shape.retentionDays.safeParse("-3").success).toBe(false);
});
