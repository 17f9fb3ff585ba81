/**
 * Runs the stack program (index.ts) many times in one module registry: transpiled once and
 * evaluated per run against the SDK already loaded. Reloading the provider SDKs for every run
 * (what `jest.isolateModules` does) costs more than the run itself, so every test that runs the
 * program goes through here (./jestStack.ts, the property tests).
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { installMocks, Registered, settle } from "./pulumiMocks";
import { ROOT, setStackConfig } from "./stack";
import { RawStackConfig } from "../../components/config";

let compiled: string | undefined;

function programSource(): string {
    compiled ??= ts.transpileModule(fs.readFileSync(path.join(ROOT, "index.ts"), "utf8"), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    return compiled;
}

/** What the program registered, keyed `type::name`, with inputs and provider. */
export type Resources = Map<string, Pick<Registered, "inputs" | "provider" | "options">>;

/**
 * Evaluates index.ts once more in this registry and returns its exports; whatever it throws at the
 * top (a RunError for bad config) is thrown here. Install the mocks and set the config first.
 */
export function evaluateProgram(): Record<string, unknown> {
    const module = { exports: {} as Record<string, unknown> };
    // The program's own imports, served from this registry: that is the point of running in place.
    const load = (id: string): unknown => (id === "platform-backups" ? require("../../components") : require(id));
    new Function("exports", "require", "module", "__filename", "__dirname", programSource())(module.exports, load, module, path.join(ROOT, "index.ts"), ROOT);
    return module.exports;
}

/** Evaluates the program (mocks installed, config set) and returns what it threw (undefined if nothing), once the engine settled. */
export async function programError(): Promise<unknown> {
    let error: unknown;
    try {
        evaluateProgram();
    } catch (e) {
        error = e;
    }
    await settle();
    return error;
}

/** Runs index.ts over `raw` under the mock engine and returns every registered resource. */
export async function runInPlace(raw: RawStackConfig): Promise<Resources> {
    const registered = installMocks();
    setStackConfig(raw);
    evaluateProgram();
    await settle();
    const resources: Resources = new Map();
    for (const r of registered) {
        const key = `${r.type}::${r.name}`;
        if (resources.has(key)) throw new Error(`registered twice: ${key}`);
        resources.set(key, { inputs: r.inputs, provider: r.provider, options: r.options });
    }
    return resources;
}

/** The app a resource belongs to (its component or a child named `<app>-...`), or undefined. */
export function ownerOf(key: string, apps: readonly string[]): string | undefined {
    const name = key.slice(key.indexOf("::") + 2);
    // Longest match first: "web" must not claim "web-api-bucket" when "web-api" is an app.
    return [...apps].sort((a, b) => b.length - a.length).find((app) => name === app || name.startsWith(`${app}-`));
}
