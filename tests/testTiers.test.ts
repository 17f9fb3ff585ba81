/**
 * The unit tier (`npm test`) leaves the slow tests (`*.slow.test.ts`) to the slow tier
 * (`npm run test:slow`), and everything that runs `npm test` in CI runs the slow tier too, so a
 * test moved out of `npm test` is still run before a merge and a deploy.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

const ROOT = path.resolve(__dirname, "..");
const unit = require("../jest.config.js");
const slow = require("../jest.slow.config.js");
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

const ignoredByUnit = (file: string) => (unit.testPathIgnorePatterns as string[]).some((p) => new RegExp(p.replace("<rootDir>", ROOT)).test(file));

test("the unit tier skips *.slow.test.ts and the slow tier runs only those", () => {
    expect(ignoredByUnit(path.join(ROOT, "tests", "fleetChurn.slow.test.ts"))).toBe(true);
    expect(ignoredByUnit(path.join(ROOT, "tests", "restoreDrill.test.ts"))).toBe(false);
    expect(slow.testMatch).toEqual(["**/*.slow.test.ts"]);
    expect(slow.roots).toEqual(unit.roots);
    expect(manifest.scripts["test:slow"]).toBe("jest --config jest.slow.config.js");
    const slowFiles = fs.readdirSync(path.join(ROOT, "tests")).filter((f) => f.endsWith(".slow.test.ts"));
    expect(slowFiles.length).toBeGreaterThan(0);
});

test("CI runs the slow tier right after the unit tier", () => {
    const ci = fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8").split("\n");
    const at = (command: string) => ci.findIndex((line) => line.startsWith("run ") && line.endsWith(` ${command}`));
    expect(at("npm test")).toBeGreaterThan(0);
    expect(at("npm run test:slow")).toBe(at("npm test") + 1);
});

test("every workflow job that runs npm test runs npm run test:slow after it", () => {
    const dir = path.join(ROOT, ".github", "workflows");
    let jobs = 0;
    for (const file of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
        const wf = parse(fs.readFileSync(path.join(dir, file), "utf8")) as { jobs: Record<string, { steps?: { run?: string }[] }> };
        for (const [name, job] of Object.entries(wf.jobs)) {
            const runs = (job.steps ?? []).map((s) => s.run);
            if (!runs.includes("npm test")) continue;
            jobs++;
            expect({ job: `${file}:${name}`, next: runs[runs.indexOf("npm test") + 1] }).toEqual({ job: `${file}:${name}`, next: "npm run test:slow" });
        }
    }
    expect(jobs).toBeGreaterThanOrEqual(2);
});
