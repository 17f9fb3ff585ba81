/**
 * The package, as a consumer gets it: build and `npm pack` (the tarball's contents), then
 * examples/basic installed exactly as its README says (`npm install`, which packs this repository
 * through `file:../..`), type-checked against the installed `.d.ts`, and run under the mock engine
 * in a separate Node process that resolves "platform-backups" from the installed copy.
 *
 * This catches what the other tests cannot, since they import components/ directly: a broken
 * `exports` map, a missing declaration or file, a dependency the library needs but does not
 * declare, a second copy of the Pulumi SDK.
 */
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import { builtinModules } from "module";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";

const run = promisify(execFile);

const ROOT = path.resolve(__dirname, "..", "..");
const EXAMPLE = path.join(ROOT, "examples", "basic");
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");

const rootManifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

/** One resource as the example registered it (secret markers removed). */
interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- provider inputs are untyped JSON
    provider?: string;
}

/**
 * The tsconfig of Pulumi's TypeScript template (`pulumi new typescript`), as a new user's program
 * has it: pulumi/templates typescript/tsconfig.json at a3029400 (module commonjs, classic node
 * resolution; programs made until March 2026) and at 81e65225 (nodenext). Neither sets
 * `skipLibCheck` or `esModuleInterop`, so every declaration the package reaches is compiled.
 * One shape; the two variants differ only in their module system.
 */
const templateTsconfig = (module: "commonjs" | "nodenext", moduleResolution: "node" | "nodenext"): object => ({
    compilerOptions: {
        strict: true,
        outDir: "bin",
        target: "es2020",
        module,
        moduleResolution,
        sourceMap: true,
        experimentalDecorators: true,
        pretty: true,
        noFallthroughCasesInSwitch: true,
        noImplicitReturns: true,
        forceConsistentCasingInFileNames: true,
    },
    files: ["index.ts"],
});
const PULUMI_TEMPLATE_TSCONFIGS: Record<string, object> = {
    commonjs: templateTsconfig("commonjs", "node"),
    nodenext: templateTsconfig("nodenext", "nodenext"),
};

/** What the child process reports. */
interface ExampleRun {
    /** Where the child resolved "platform-backups" and "@pulumi/pulumi" (real paths). */
    resolved: { library: string; sdk: string; librarySdk: string };
    /** The packed AppBackup's type token, and whether it is a ComponentResource of the shared SDK. */
    component: { token: string; isComponent: boolean };
    registered: Registered[];
    exports: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the example's exports, as JSON
}

/**
 * Runs in the child, from the consumer directory: installs the mocks with the consumer's own
 * @pulumi/pulumi (before anything creates a resource), loads the example's index.ts through
 * `typescript.transpileModule`, resolves its exports and prints one JSON line.
 */
const RUNNER = String.raw`"use strict";
const fs = require("fs");
const path = require("path");
const ts = require(process.env.TYPESCRIPT_PATH);
const pulumi = require("@pulumi/pulumi");

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
function unwrap(value) {
    if (Array.isArray(value)) return value.map(unwrap);
    if (value && typeof value === "object") {
        if (value[SECRET_SIG]) return unwrap(value.value);
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v)]));
    }
    return value;
}

const registered = [];
pulumi.runtime.setMocks(
    {
        newResource(args) {
            registered.push({ type: args.type, name: args.name, inputs: unwrap(args.inputs), provider: args.provider });
            const state = { ...args.inputs };
            if (args.type === "docker:index/remoteImage:RemoteImage") state.repoDigest = args.inputs.name + "@sha256:" + "0".repeat(64);
            if (args.type === "random:index/randomPassword:RandomPassword") state.result = "mock-" + args.name;
            return { id: args.name + "-id", state };
        },
        call(args) {
            return args.inputs;
        },
    },
    "platform-backups-example",
    "dev",
    false,
);

require.extensions[".ts"] = (module, filename) => {
    const source = fs.readFileSync(filename, "utf8");
    const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
    module._compile(ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText, filename);
};

(async () => {
    const program = require(path.resolve("index.ts"));
    const exports = {};
    for (const [key, value] of Object.entries(program)) {
        exports[key] = await new Promise((resolve) => pulumi.output(value).apply(resolve));
    }
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    const library = require("platform-backups");
    const component = { token: library.APP_BACKUP_TYPE, isComponent: library.AppBackup.prototype instanceof pulumi.ComponentResource };
    const libraryEntry = require.resolve("platform-backups");
    const resolved = {
        library: fs.realpathSync(libraryEntry),
        sdk: fs.realpathSync(require.resolve("@pulumi/pulumi")),
        librarySdk: fs.realpathSync(require.resolve("@pulumi/pulumi", { paths: [path.dirname(libraryEntry)] })),
    };
    process.stdout.write("\nEXAMPLE-RUN " + JSON.stringify({ resolved, component, registered, exports }) + "\n");
})().catch((err) => {
    console.error(err);
    process.exit(1);
});
`;

/**
 * Runs in a child, from the repository root: what `pulumi package add <this repository>` does
 * with PulumiPlugin.yaml, short of the CLI: the SDK's analyzer infers the component's schema from
 * the TypeScript source. (The plugin host itself requires the package directory, i.e. its `main`,
 * the built dist/: the manifest test checks that it is there.) Prints one JSON line.
 */
const PLUGIN_CHECK = String.raw`"use strict";
const root = process.cwd();
const { Analyzer } = require(require.resolve("@pulumi/pulumi/provider/experimental/analyzer", { paths: [root] }));
const manifest = require(root + "/package.json");
const { components } = new Analyzer(root, manifest.name, manifest, new Set(["AppBackup"])).analyze();
const appBackup = components.AppBackup;
process.stdout.write("\nPLUGIN-CHECK " + JSON.stringify({
    required: Object.entries(appBackup.inputs).filter(([, p]) => !p.optional).map(([k]) => k),
    inputs: Object.keys(appBackup.inputs),
    outputs: Object.keys(appBackup.outputs),
}) + "\n");
`;

/** What the plugin check reports. */
interface PluginCheck {
    required: string[];
    inputs: string[];
    outputs: string[];
}

let tmp: string;
let consumer: string;
let packed: { filename: string; size: number; files: { path: string }[] };
let exampleRun: ExampleRun;
let typecheck: { code: number; output: string };
let templateChecks: Record<string, { code: number; output: string }>;
let exampleFiles: string[];
let pluginCheck: PluginCheck;

beforeAll(async () => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "platform-backups-package-")));

    // The schema inference reads the source only: it runs while the library builds.
    const plugin = run(process.execPath, ["-e", PLUGIN_CHECK], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }).catch(
        (err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? "", stderr: err.stderr ?? "" }),
    );
    // The build that `prepare` runs; `npm pack` then skips scripts so it does not build twice.
    await run("npm", ["run", "--silent", "build"], { cwd: ROOT });
    const packJson = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], { cwd: ROOT, encoding: "utf8" });
    [packed] = JSON.parse(packJson);

    // examples/basic installed as its README says, with `npm install`, in a copy of the repository
    // (every tracked file, as a fresh clone has them): the example depends on it as `file:../..`
    // and its .npmrc makes npm pack and copy it. node_modules is the root's, so that the pack's
    // `prepare` finds the compiler; the @pulumi peers come from the npm cache or the registry.
    const mirror = path.join(tmp, "repo");
    const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
    for (const file of tracked) {
        if (!fs.existsSync(path.join(ROOT, file))) continue; // deleted in the work tree
        fs.mkdirSync(path.dirname(path.join(mirror, file)), { recursive: true });
        fs.copyFileSync(path.join(ROOT, file), path.join(mirror, file));
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(mirror, "node_modules"), "dir");
    consumer = path.join(mirror, "examples", "basic");
    exampleFiles = fs.readdirSync(consumer);
    await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: consumer, maxBuffer: 16 * 1024 * 1024 });
    fs.writeFileSync(path.join(consumer, "run-under-mocks.js"), RUNNER);

    // The example once more under each of Pulumi's template tsconfigs, beside its own (outside the
    // consumer directory, so that the tracked files stay as they are).
    const templates = path.join(tmp, "templates");
    for (const [name, tsconfig] of Object.entries(PULUMI_TEMPLATE_TSCONFIGS)) {
        fs.mkdirSync(path.join(templates, name), { recursive: true });
        fs.writeFileSync(path.join(templates, name, "tsconfig.json"), JSON.stringify({ ...tsconfig, files: [path.join(consumer, "index.ts")] }));
        // The consumer's packages, @types/node included, as they sit beside a user's tsconfig.
        fs.symlinkSync(path.join(consumer, "node_modules"), path.join(templates, name, "node_modules"), "dir");
    }
    const tsc = (project: string) =>
        run(process.execPath, [TSC, "--noEmit", "--pretty", "false", "-p", project], { cwd: consumer }).then(
            ({ stdout }) => ({ code: 0, output: stdout }),
            (err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code ?? 1, output: `${err.stdout ?? ""}${err.stderr ?? ""}` }),
        );

    // Type-check and run side by side: both take a few seconds loading the provider SDKs.
    const [checked, ran, ...templateResults] = await Promise.all([
        tsc(consumer),
        run(process.execPath, ["run-under-mocks.js"], {
            cwd: consumer,
            env: { ...process.env, TYPESCRIPT_PATH: require.resolve("typescript") },
            maxBuffer: 64 * 1024 * 1024,
        }),
        ...Object.keys(PULUMI_TEMPLATE_TSCONFIGS).map((name) => tsc(path.join(templates, name))),
    ]);
    typecheck = checked;
    templateChecks = Object.fromEntries(Object.keys(PULUMI_TEMPLATE_TSCONFIGS).map((name, i) => [name, templateResults[i]]));
    const line = ran.stdout.split("\n").find((l) => l.startsWith("EXAMPLE-RUN "));
    if (!line) throw new Error(`the example printed no result:\n${ran.stdout}\n${ran.stderr}`);
    exampleRun = JSON.parse(line.slice("EXAMPLE-RUN ".length));
    const { stdout: pluginOut, stderr: pluginErr } = await plugin;
    const pluginLine = pluginOut.split("\n").find((l) => l.startsWith("PLUGIN-CHECK "));
    if (!pluginLine) throw new Error(`the plugin check printed no result:\n${pluginOut}\n${pluginErr}`);
    pluginCheck = JSON.parse(pluginLine.slice("PLUGIN-CHECK ".length));
}, 900_000); // a bound for hangs: npm install and two compiles take minutes on shared cores

afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("the tarball", () => {
    const paths = () => packed.files.map((f) => f.path);

    test("holds the compiled library and its declarations", () => {
        expect(paths()).toEqual(
            expect.arrayContaining(["package.json", "dist/index.js", "dist/index.d.ts", "dist/appBackup.js", "dist/appBackup.d.ts", "CHANGELOG.md"]),
        );
        // Every module of the library is there with its declaration; a tool that tsconfig.build.json
        // leaves out of the library (the dashboard builder, run from source) is not.
        const buildConfig = fs.readFileSync(path.join(ROOT, "tsconfig.build.json"), "utf8");
        const modules = fs.readdirSync(path.join(ROOT, "components")).filter((f) => f.endsWith(".ts"));
        for (const file of modules) {
            const compiled = `dist/${file.replace(/\.ts$/, ".js")}`;
            if (buildConfig.includes(`"components/${file}"`)) expect(paths()).not.toContain(compiled);
            else expect(paths()).toEqual(expect.arrayContaining([compiled, compiled.replace(/\.js$/, ".d.ts")]));
        }
    });

    test("holds the script files of components/assets/, and the installed dist/ reads them (readAsset)", () => {
        const assets = fs.readdirSync(path.join(ROOT, "components", "assets"));
        expect(assets.length).toBeGreaterThan(0);
        const installed = path.join(consumer, "node_modules", "platform-backups");
        const { readAsset } = require(path.join(installed, "dist", "assets.js"));
        for (const file of assets) {
            expect(paths()).toContain(`components/assets/${file}`);
            expect(readAsset(file)).toBe(fs.readFileSync(path.join(ROOT, "components", "assets", file), "utf8"));
        }
    });

    test("holds no tests, stack program, stack files, policy, scripts, examples or CI", () => {
        const unwanted = paths().filter((p) => /^(tests|policy|scripts|examples|\.github|\.ci|dev|out)\/|^index\.ts$|^Pulumi(\..+)?\.yaml$|^tsconfig/.test(p));
        expect(unwanted).toEqual([]);
    });

    test("the packed manifest points at files that are in the tarball", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(consumer, "node_modules", "platform-backups", "package.json"), "utf8"));
        expect(manifest.private).toBeUndefined();
        for (const target of [manifest.main, manifest.types, manifest.exports["."].types, manifest.exports["."].default]) {
            expect(paths()).toContain(path.posix.normalize(target));
        }
    });

    test("every package the compiled library requires is declared: @pulumi ones as peers, the rest as dependencies", () => {
        const dist = path.join(consumer, "node_modules", "platform-backups", "dist");
        const required = new Set<string>();
        for (const file of fs.readdirSync(dist).filter((f) => f.endsWith(".js"))) {
            for (const [, spec] of fs.readFileSync(path.join(dist, file), "utf8").matchAll(/require\("([^".][^"]*)"\)/g)) {
                const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
                if (!builtinModules.includes(name.replace(/^node:/, ""))) required.add(name);
            }
        }
        expect(required.size).toBeGreaterThan(0);
        for (const name of required) {
            if (name.startsWith("@pulumi/")) {
                // A peer, so a consumer's program and the library share one SDK and one provider
                // package; also a devDependency, so this repository still installs it.
                expect([name, rootManifest.peerDependencies?.[name]]).toEqual([name, expect.any(String)]);
                expect([name, rootManifest.devDependencies?.[name]]).toEqual([name, expect.any(String)]);
                expect([name, rootManifest.dependencies?.[name]]).toEqual([name, undefined]);
            } else {
                expect([name, rootManifest.dependencies?.[name]]).toEqual([name, expect.any(String)]);
            }
        }
    });
});

describe("examples/basic installed as its README says", () => {
    test("type-checks against the installed declarations", () => {
        expect(typecheck.output).toBe("");
        expect(typecheck.code).toBe(0);
    });

    test.each(Object.keys(PULUMI_TEMPLATE_TSCONFIGS))(
        "type-checks with the tsconfig of Pulumi's TypeScript template (%s; no skipLibCheck, no esModuleInterop)",
        (name) => {
            // The public declarations reach no zod types: zod's own need esModuleInterop (TS1259).
            expect(templateChecks[name].output).toBe("");
            expect(templateChecks[name].code).toBe(0);
        },
    );

    test("`npm install` as the README says: a copy of the library, one Pulumi SDK, no tracked file changed", () => {
        const installed = path.join(consumer, "node_modules", "platform-backups");
        expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false);
        expect(exampleRun.resolved.library).toBe(path.join(installed, "dist", "index.js"));
        expect(exampleRun.resolved.sdk).toBe(path.join(consumer, "node_modules", "@pulumi", "pulumi", "index.js"));
        expect(exampleRun.resolved.librarySdk).toBe(exampleRun.resolved.sdk);
        for (const file of exampleFiles) {
            expect([file, fs.readFileSync(path.join(consumer, file), "utf8") === fs.readFileSync(path.join(EXAMPLE, file), "utf8")]).toEqual([file, true]);
        }
        expect(
            fs
                .readdirSync(consumer)
                .filter((f) => !exampleFiles.includes(f))
                .sort(),
        ).toEqual(["node_modules", "run-under-mocks.js"]);
    });

    test("the example depends on the repository, not on an unpublished registry package", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(EXAMPLE, "package.json"), "utf8"));
        expect(manifest.dependencies["platform-backups"]).toBe("file:../..");
        expect(fs.readFileSync(path.join(EXAMPLE, ".npmrc"), "utf8")).toMatch(/^install-links=true$/m);
    });

    test("registers one AppBackup component per app", () => {
        const components = exampleRun.registered.filter((r) => r.type === "platform-backups:index:AppBackup");
        expect(components.map((c) => c.name).sort()).toEqual(["git", "wiki"]);
    });

    const CHILDREN: Record<string, string> = {
        bucket: "minio:index/s3Bucket:S3Bucket",
        versioning: "minio:index/s3BucketVersioning:S3BucketVersioning",
        lifecycle: "minio:index/ilmPolicy:IlmPolicy",
        "restic-password": "random:index/randomPassword:RandomPassword",
        "s3-secret-key": "random:index/randomPassword:RandomPassword",
        user: "minio:index/iamUser:IamUser",
        policy: "minio:index/iamPolicy:IamPolicy",
        "policy-attachment": "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment",
        "vault-secret": "vault:kv/secretV2:SecretV2",
        image: "docker:index/remoteImage:RemoteImage",
        sidecar: "docker:index/container:Container",
        cache: "docker:index/volume:Volume",
        "repository-init": "command:local:Command",
        "restore-policy": "vault:index/policy:Policy",
    };

    test.each(["wiki", "git"])("%s gets its fourteen children under their stable names", (app) => {
        const children = exampleRun.registered.filter((r) => r.name.startsWith(`${app}-`)).map((r) => [r.name.slice(app.length + 1), r.type]);
        expect(Object.fromEntries(children)).toEqual(CHILDREN);
    });

    const child = (name: string) => {
        const found = exampleRun.registered.filter((r) => r.name === name);
        expect(found).toHaveLength(1);
        return found[0];
    };

    test("each app's children reach its own Docker host through the providers passed to the component", () => {
        expect(child("wiki-sidecar").provider).toMatch(/::pulumi:providers:docker::docker-vm4::/);
        expect(child("git-sidecar").provider).toMatch(/::pulumi:providers:docker::docker-vm5::/);
        expect(child("wiki-bucket").provider).toMatch(/::pulumi:providers:minio::minio::/);
        expect(child("git-vault-secret").provider).toMatch(/::pulumi:providers:vault::vault::/);
        expect(child("git-repository-init").inputs.environment).toEqual({ DOCKER_HOST: "ssh://deploy@vm5.example.internal" });
    });

    test("the example's arguments reach the resources", () => {
        expect(child("wiki-bucket").inputs.bucket).toBe("restic-stackback-wiki-bucket");
        expect(child("wiki-lifecycle").inputs.rules[0].noncurrentVersionExpirationDays).toBe(14);
        expect(child("git-vault-secret").inputs).toMatchObject({ mount: "kv", name: "stackback_git" });
        const gitEnv: string[] = child("git-sidecar").inputs.envs;
        expect(gitEnv).toEqual(expect.arrayContaining(["CRON_SCHEDULE=0 3 * * *", "RESTIC_KEEP_DAILY=14", "RESTIC_KEEP_YEARLY=2"]));
        expect(child("git-sidecar").inputs.labels).toContainEqual({ label: "com.docker.compose.project", value: "forgejo" });
        expect(child("wiki-sidecar").inputs.envs).toContain("CRON_SCHEDULE=30 1 * * *");
    });

    test("exports each app's bucket, repository, Vault path, container and schedule", () => {
        expect(exampleRun.exports.backups).toEqual({
            wiki: {
                bucket: "restic-stackback-wiki-bucket",
                repositoryUrl: "s3:https://minio.example.internal:9000/restic-stackback-wiki-bucket",
                vaultPath: "kv/stackback_wiki",
                container: "wiki_stackback",
                schedule: "30 1 * * *",
            },
            git: {
                bucket: "restic-stackback-git-bucket",
                repositoryUrl: "s3:https://minio.example.internal:9000/restic-stackback-git-bucket",
                vaultPath: "kv/stackback_git",
                container: "git_stackback",
                schedule: "0 3 * * *",
            },
        });
    });
});

describe("multi-language packaging (PulumiPlugin.yaml)", () => {
    test("declares a Node.js plugin", () => {
        expect(fs.readFileSync(path.join(ROOT, "PulumiPlugin.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
    });

    test("the component's type token is the one the component provider expects: <package>:index:<Class>", () => {
        expect(exampleRun.component.isComponent).toBe(true);
        expect(exampleRun.component.token).toBe(`${rootManifest.name}:index:AppBackup`);
    });

    test("the SDK's schema inference accepts AppBackupArgs and the outputs", () => {
        expect(pluginCheck.required.sort()).toEqual(["app", "minioEndpoint", "schedule"]);
        expect(pluginCheck.inputs).toEqual(expect.arrayContaining(["retentionDays", "keep", "extraEnv", "dockerHost"]));
        expect(pluginCheck.outputs).toEqual(expect.arrayContaining(["bucket", "repositoryUrl", "vaultPath", "accessKeyId", "containerName", "schedule"]));
    });
});
