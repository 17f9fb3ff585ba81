/**
 * The policy pack installs as deployed: a copy of policy/ (beside a copy of components/, which
 * rules.ts imports), `npm ci --omit=dev` as the workflows run it, then loaded the way the Pulumi
 * CLI's policy host loads it (./loadPolicyPack.js). Needs the npm registry (or a warm npm cache)
 * and ~20-60 s, so it is not part of `npm test`: run it with `npm run test:install`.
 *
 * Why: the host takes `typescript` from the pack's node_modules and otherwise falls back to its
 * vendored TypeScript 3.8.3 (@pulumi/pulumi tsutils.js typeScriptRequireStrings), which rejects
 * the pack's `target: ES2022` and `import { type X }`. A dev dependency is gone after --omit=dev.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { allPolicies } from "../../policy/rules";

const ROOT = path.resolve(__dirname, "..", "..");
const LOADER = path.join(__dirname, "loadPolicyPack.js");
let work: string;
let pack: string;

beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "policy-install-"));
    pack = path.join(work, "policy");
    fs.cpSync(path.join(ROOT, "components"), path.join(work, "components"), { recursive: true });
    fs.mkdirSync(pack);
    for (const file of fs.readdirSync(path.join(ROOT, "policy"))) {
        if (file !== "node_modules") fs.cpSync(path.join(ROOT, "policy", file), path.join(pack, file), { recursive: true });
    }
    execFileSync("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline", "--prefix", pack], { stdio: "pipe" });
}, 300_000);

afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
});

const load = () => spawnSync(process.execPath, [LOADER], { cwd: pack, encoding: "utf8" });

test("typescript is a runtime dependency of the pack", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8")) as Record<string, Record<string, string>>;
    expect(manifest.dependencies.typescript).toBe("~5.9.3");
    expect(manifest.devDependencies?.typescript).toBeUndefined();
    expect(fs.existsSync(path.join(pack, "node_modules", "typescript", "package.json"))).toBe(true);
});

test("after npm ci --omit=dev, the pack loads with its own TypeScript and registers every policy", () => {
    const run = load();
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const found = JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as {
        typescriptRequire: string;
        tsVersion: string;
        served: { name: string; policies: number }[];
    };
    expect(found.typescriptRequire).toBe("typescript"); // not the vendored 3.8.3 path
    expect(found.tsVersion).toMatch(/^5\.9\./);
    expect(found.served).toEqual([{ name: "platform-backups", policies: allPolicies.length }]);
}, 120_000);

test("without typescript in the pack (the old dev dependency), the host's TypeScript 3.8.3 rejects it", () => {
    const ts = path.join(pack, "node_modules", "typescript");
    const aside = path.join(work, "typescript-aside");
    fs.renameSync(ts, aside);
    try {
        const run = load();
        expect(run.status).not.toBe(0);
        expect(run.stderr).toMatch(/TS6046: Argument for '--target' option must be/);
    } finally {
        fs.renameSync(aside, ts);
    }
}, 120_000);
