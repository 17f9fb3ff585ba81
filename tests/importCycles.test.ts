/**
 * No import circle among components/, scripts/ and index.ts. Every import counts, `import type`
 * and `export ... from` too: a circle of types still ties two modules into one.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..");

/** The TypeScript files of `dir`, recursively (no node_modules). */
function tsFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === "node_modules" ? [] : tsFiles(full);
        return /\.ts$/.test(e.name) && !e.name.endsWith(".d.ts") ? [full] : [];
    });
}

/** The project file an import specifier names, or undefined for a package (the package's own name is components/index.ts). */
function resolve(from: string, spec: string): string | undefined {
    if (spec === "platform-backups") return path.join(ROOT, "components", "index.ts");
    if (!spec.startsWith(".")) return undefined;
    const base = path.resolve(path.dirname(from), spec);
    return [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(f));
}

/** File -> the project files it imports. */
export function importGraph(files: readonly string[]): Map<string, string[]> {
    const graph = new Map<string, string[]>();
    for (const file of files) {
        const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
        graph.set(file, [...new Set(importedFiles.map((i) => resolve(file, i.fileName)).filter((f): f is string => f !== undefined))]);
    }
    return graph;
}

/** Every circle found by a depth-first walk, each as the list of files round it. */
export function cycles(graph: Map<string, string[]>): string[][] {
    const found: string[][] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (file: string) => {
        state.set(file, "open");
        stack.push(file);
        for (const next of graph.get(file) ?? []) {
            if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next]);
            else if (!state.has(next)) visit(next);
        }
        stack.pop();
        state.set(file, "done");
    };
    for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
    return found;
}

const rel = (f: string) => path.relative(ROOT, f);

test("the walker finds a circle, of types too, when there is one", () => {
    const dir = fs.mkdtempSync(path.join(require("os").tmpdir(), "cycles-"));
    fs.writeFileSync(path.join(dir, "a.ts"), 'import type { B } from "./b";\nexport interface A { b?: B }\n');
    fs.writeFileSync(path.join(dir, "b.ts"), 'export { x } from "./c";\nexport interface B { n: number }\n');
    fs.writeFileSync(path.join(dir, "c.ts"), 'import { A } from "./a";\nexport const x: A = {};\n');
    const found = cycles(importGraph(tsFiles(dir)));
    fs.rmSync(dir, { recursive: true, force: true });
    expect(found.map((c) => c.map((f) => path.basename(f)))).toEqual([["a.ts", "b.ts", "c.ts", "a.ts"]]);
});

test("no import circle among components/, scripts/ and index.ts", () => {
    const files = [...tsFiles(path.join(ROOT, "components")), ...tsFiles(path.join(ROOT, "scripts")), path.join(ROOT, "index.ts")];
    const graph = importGraph(files);
    // The walk sees the modules that are known to import each other's neighbours.
    expect(graph.get(path.join(ROOT, "components", "monitoring.ts"))?.map(rel)).toContain(path.join("components", "restoreDrill.ts"));
    expect(graph.get(path.join(ROOT, "index.ts"))?.map(rel)).toContain(path.join("components", "index.ts"));
    expect(cycles(graph).map((c) => c.map(rel).join(" -> "))).toEqual([]);
});
