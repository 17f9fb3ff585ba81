/**
 * The dashboard JSON as written, checked against Grafana's published types by the TypeScript
 * compiler: the JSON becomes an object literal typed as
 * - the SDK's `dashboard.Dashboard` (@grafana/grafana-foundation-sdk), each target as its
 *   `prometheus.Dataquery`, each panel's options and custom field config as the SDK's type of that
 *   panel kind (`stat.Options`, `timeseries.FieldConfig`, ...);
 * - `Dashboard` of @grafana/schema, the types Grafana generates from its own dashboard schema.
 * Neither package ships a JSON schema (nor any runtime validator); their TypeScript types are the
 * published schema. Object literals get excess-property checks, so an unknown key fails as surely
 * as a wrong type. `Wire<T>` is the type as JSON carries it: string enums as their string values,
 * and no methods (the SDK's query types carry a marker method that no JSON has).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import type { Dashboard, Panel, RowPanel } from "@grafana/grafana-foundation-sdk/dashboard";
import { loadStackFile } from "../components/config";
import { fleetView } from "../components/dashboardQueries";
import { grafanaDashboard } from "../components/grafanaDashboard";

const ROOT = path.resolve(__dirname, "..");
const SDK = path.join(ROOT, "node_modules/@grafana/grafana-foundation-sdk/dist");

/** The panel kinds the dashboard uses, each with the SDK module of its options and field config. */
const PANEL_MODULES: Record<string, string> = {
    stat: "stat",
    timeseries: "timeseries",
    bargauge: "bargauge",
    table: "table",
    "state-timeline": "statetimeline",
};

const PRELUDE = `
import type * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import type * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
${[...new Set(Object.values(PANEL_MODULES))].map((m) => `import type * as ${m} from "@grafana/grafana-foundation-sdk/${m}";`).join("\n")}
import type { Dashboard as SchemaDashboard } from "@grafana/schema";
type IsAny<T> = 0 extends 1 & T ? true : false;
type Method = (...args: never[]) => unknown;
type Wire<T> = IsAny<T> extends true ? T
    : T extends Method ? never
    : T extends string ? \`\${T}\`
    : T extends number | boolean | null | undefined ? T
    : T extends ReadonlyArray<infer U> ? Array<Wire<U>>
    : T extends object ? { [K in keyof T as T[K] extends Method ? never : K]: Wire<T[K]> }
    : T;
`;

/** TypeScript declarations (named `<name>...`) that type every part of `board` as Grafana's types say it must be. */
function typedDeclarations(board: Dashboard, name: string): string {
    const lines: string[] = [];
    const literal = (value: unknown) => JSON.stringify(value, null, 1);
    lines.push(`export const ${name}Sdk: Wire<dashboard.Dashboard> = ${literal(board)};`);
    lines.push(`export const ${name}Schema: Wire<SchemaDashboard> = ${literal(board)};`);
    (board.panels ?? []).forEach((p: Panel | RowPanel, i) => {
        if (p.type === "row") return;
        const panel = p as Panel;
        const mod = PANEL_MODULES[panel.type];
        if (!mod) throw new Error(`panel ${panel.title}: no SDK module known for type ${panel.type}; add it to PANEL_MODULES`);
        lines.push(`export const ${name}Options${i}: Wire<${mod}.Options> = ${literal(panel.options ?? {})};`);
        if (panel.fieldConfig?.defaults.custom !== undefined)
            lines.push(`export const ${name}Custom${i}: Wire<${mod}.FieldConfig> = ${literal(panel.fieldConfig.defaults.custom)};`);
        (panel.targets ?? []).forEach((t, j) => lines.push(`export const ${name}Target${i}_${j}: Wire<prometheus.Dataquery> = ${literal(t)};`));
    });
    return lines.join("\n");
}

/** The compiler's errors for `source`, as `line: message`. */
function typeErrors(source: string): string[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dashboard-types-"));
    const file = path.join(dir, "dashboard.ts");
    fs.writeFileSync(file, source);
    try {
        const program = ts.createProgram([file], {
            strict: true,
            noEmit: true,
            target: ts.ScriptTarget.ES2022,
            module: ts.ModuleKind.CommonJS,
            moduleResolution: ts.ModuleResolutionKind.Node10,
            skipLibCheck: true,
            types: [],
            baseUrl: ROOT,
            paths: {
                "@grafana/grafana-foundation-sdk/*": [`${SDK}/*`],
                "@grafana/schema": [path.join(ROOT, "node_modules/@grafana/schema")],
            },
        });
        return ts.getPreEmitDiagnostics(program).map((d) => {
            const where = d.file && d.start !== undefined ? `${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : "";
            return `${where}${ts.flattenDiagnosticMessageText(d.messageText, "\n").split("\n").slice(0, 3).join(" / ")}`;
        });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const board = grafanaDashboard(fleetView("prod", loadStackFile(path.join(ROOT, "Pulumi.prod.yaml")).fleet), { at: new Date("2026-01-15T12:00:00Z") });
const asWritten = JSON.parse(JSON.stringify(board)) as Dashboard;

// One compile for all (about 5 s): the written dashboard first, then broken copies, told apart by line.
const copy = () => JSON.parse(JSON.stringify(asWritten)) as Dashboard;
const first = (d: Dashboard, type: string) => (d.panels ?? []).find((p) => p.type === type) as Panel;
const unknownKey = Object.assign(copy(), { colour: "red" });
const wrongEnum = copy();
(first(wrongEnum, "stat").options as Record<string, unknown>).colorMode = "rainbow";
const wrongTarget = copy();
((first(wrongTarget, "timeseries").targets ?? [])[0] as unknown as Record<string, unknown>).format = "cubes";
const wrongType = Object.assign(copy(), { schemaVersion: "42" });
const good = PRELUDE + typedDeclarations(asWritten, "prod");
const goodLines = good.split("\n").length;
const errors = typeErrors([good, ...[unknownKey, wrongEnum, wrongTarget, wrongType].map((d, i) => typedDeclarations(d as Dashboard, `broken${i}`))].join("\n"));
const lineOf = (e: string) => Number(/^(\d+): /.exec(e)?.[1]);

test("the prod dashboard's JSON is a Dashboard of the SDK and of @grafana/schema, every panel's options and target of its kind", () => {
    expect(goodLines).toBeGreaterThan(1000);
    expect(errors.filter((e) => !(lineOf(e) > goodLines))).toEqual([]);
});

test("the check fails on an unknown key, a wrong enum value and a wrong type", () => {
    const broken = errors.filter((e) => lineOf(e) > goodLines).join("\n");
    expect(broken).toMatch(/'"colour"' does not exist in type/);
    expect(broken).toMatch(/Type '"rainbow"' is not assignable/);
    expect(broken).toMatch(/Type '"cubes"' is not assignable/);
    expect(broken).toMatch(/Type 'string' is not assignable to type 'number'/);
});
