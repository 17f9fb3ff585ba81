/**
 * Lint rules of our own for .github/workflows, over the parsed YAML: what actionlint cannot know
 * about this project (where secrets may appear, which runner reaches the platform, which Node runs
 * Pulumi, who gets a preview). Each rule returns its problems as `<job>[.steps[i]]: message`;
 * tests/workflows.test.ts runs them on the real workflows and on broken copies of them.
 */

export interface Step {
    id?: string;
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    env?: Record<string, unknown>;
    with?: Record<string, unknown>;
    "continue-on-error"?: unknown;
}
export interface Job {
    needs?: string | string[];
    if?: string;
    "runs-on": unknown;
    environment?: string | { name: string };
    env?: Record<string, unknown>;
    strategy?: { matrix?: Record<string, unknown>; "max-parallel"?: number };
    steps: Step[];
}
export interface Workflow {
    on: Record<string, unknown>;
    env?: Record<string, unknown>;
    concurrency: { group: string; "cancel-in-progress": boolean };
    jobs: Record<string, Job>;
}

const SECRET = /\$\{\{[^}]*\bsecrets\./;
/** The condition that lets a PR reach the preview job: same repository, not Dependabot. */
export const SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository";
export const DEPENDABOT = "'dependabot[bot]'";

const text = (value: unknown): string => (value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value));
const refsSecret = (value: unknown): boolean => SECRET.test(text(value));
const isPulumiAction = (s: Step): boolean => Boolean(s.uses?.startsWith("pulumi/actions@"));
/** A pulumi/actions step that runs a command (preview, up), as opposed to the install-only one. */
export const isPulumiCommand = (s: Step): boolean => isPulumiAction(s) && Boolean(s.with?.command);
export const isLoginStep = (s: Step): boolean => s.id === "pulumi-login";
const isSshAgent = (s: Step): boolean => Boolean(s.uses?.startsWith("webfactory/ssh-agent@"));
const isNpmCi = (s: Step): boolean => /\bnpm ci\b/.test(s.run ?? "");
/** Jobs that talk to the real systems: they run a Pulumi command. */
export const pulumiJobs = (wf: Workflow): [string, Job][] => Object.entries(wf.jobs).filter(([, j]) => j.steps.some(isPulumiCommand));
const environmentName = (job: Job): string | undefined => (typeof job.environment === "string" ? job.environment : job.environment?.name);

/** No secret in a workflow- or job-level `env:` (every step, installs included, would see it). */
export function noJobLevelSecrets(wf: Workflow): string[] {
    const problems = Object.entries(wf.env ?? {})
        .filter(([, v]) => refsSecret(v))
        .map(([k]) => `env.${k}: a secret at workflow level reaches every step; move it to the step that needs it`);
    for (const [name, job] of Object.entries(wf.jobs)) {
        for (const [k, v] of Object.entries(job.env ?? {})) {
            if (refsSecret(v)) problems.push(`${name}.env.${k}: a secret at job level reaches every step; move it to the step that needs it`);
        }
    }
    return problems;
}

/**
 * Only three kinds of step may reference a secret: the backend login (id `pulumi-login`), a
 * pulumi/actions command step, and webfactory/ssh-agent with the Docker hosts' key alone.
 */
export function secretsOnlyInPulumiSteps(wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [name, job] of Object.entries(wf.jobs)) {
        job.steps.forEach((step, i) => {
            const where = `${name}.steps[${i}]${step.name ? ` (${step.name})` : ""}`;
            const { with: inputs, ...rest } = step;
            if (isSshAgent(step)) {
                const other = Object.entries(inputs ?? {}).filter(([k, v]) => refsSecret(v) && k !== "ssh-private-key");
                if (refsSecret(rest) || other.length > 0) problems.push(`${where}: ssh-agent may see the SSH key only`);
                return;
            }
            if (isLoginStep(step) || isPulumiCommand(step)) return;
            if (refsSecret(step)) problems.push(`${where}: references a secret; only the pulumi login and pulumi steps (and ssh-agent) may`);
        });
    }
    return problems;
}

/** Every install runs before the first step that sees a secret, without install scripts in jobs that have secrets. */
export function installsBeforeSecrets(wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [name, job] of Object.entries(wf.jobs)) {
        const firstSecret = job.steps.findIndex((s) => refsSecret(s));
        if (firstSecret < 0) continue;
        job.steps.forEach((step, i) => {
            if (!isNpmCi(step)) return;
            if (i > firstSecret) problems.push(`${name}.steps[${i}]: npm ci after a step that sees a secret; install first`);
            if (!/--ignore-scripts\b/.test(step.run ?? "")) problems.push(`${name}.steps[${i}]: npm ci in a job with secrets needs --ignore-scripts`);
        });
        // `--ignore-scripts` on the root install also skips our `prepare`, which builds the dist/ the stack imports.
        const rootInstall = job.steps.findIndex((s) => isNpmCi(s) && !/--prefix\b/.test(s.run ?? ""));
        const build = job.steps.findIndex((s) => /\bnpm run build\b/.test(s.run ?? ""));
        if (rootInstall >= 0 && (build < rootInstall || build > firstSecret)) {
            problems.push(`${name}: run \`npm run build\` after the --ignore-scripts install and before any secret (dist/ is needed at run time)`);
        }
    }
    return problems;
}

/** Jobs that run Pulumi are on a self-hosted runner whose labels come from a repository variable. */
export function selfHostedFromVars(wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [name, job] of pulumiJobs(wf)) {
        const parsed = runnerLabels(job);
        if (!parsed) problems.push(`${name}.runs-on: must be \${{ fromJSON(vars.<X>_RUNNER_LABELS || '["self-hosted", ...]') }}, got ${text(job["runs-on"])}`);
        else if (!parsed.defaults.includes("self-hosted")) problems.push(`${name}.runs-on: the default labels must be a JSON list with "self-hosted"`);
    }
    return problems;
}

/** Node 22 (setup-node before the Pulumi steps) in every job that runs Pulumi. */
export function node22WherePulumiRuns(wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [name, job] of Object.entries(wf.jobs)) {
        const firstPulumi = job.steps.findIndex(isPulumiAction);
        if (firstPulumi < 0) continue;
        const setups = job.steps.slice(0, firstPulumi).filter((s) => s.uses?.startsWith("actions/setup-node@"));
        if (setups.length === 0 || setups.some((s) => String(s.with?.["node-version"]) !== "22")) {
            problems.push(`${name}: set up Node 22 (actions/setup-node, node-version: 22) before Pulumi runs`);
        }
    }
    return problems;
}

/** A failed login fails the job: an explicit `pulumi login` + `pulumi whoami` step before each Pulumi command. */
export function loginFailsTheJob(wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [name, job] of pulumiJobs(wf)) {
        const login = job.steps.findIndex(isLoginStep);
        const command = job.steps.findIndex(isPulumiCommand);
        const step = job.steps[login];
        if (login < 0 || login > command) {
            problems.push(`${name}: needs a step with id pulumi-login before the Pulumi command (pulumi/actions only warns on a failed login)`);
        } else if (!/\bpulumi login\b/.test(step.run ?? "") || !/\bpulumi whoami\b/.test(step.run ?? "") || step["continue-on-error"] !== undefined) {
            problems.push(`${name}.pulumi-login: must run \`pulumi login\` and \`pulumi whoami\`, and must not continue on error`);
        }
    }
    return problems;
}

/** Every job that sees a secret is in a GitHub environment; previews in `preview-<stack>`, deploys in their stack's. */
export function environments(wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [name, job] of Object.entries(wf.jobs)) {
        const env = environmentName(job);
        if (job.steps.some((s) => refsSecret(s)) && !env) problems.push(`${name}: sees secrets but has no environment`);
        for (const step of job.steps.filter(isPulumiCommand)) {
            const command = step.with?.command;
            for (const { stack, environment } of stackEnvironments(job, step)) {
                if (command === "preview" && environment !== `preview-${stack}`)
                    problems.push(
                        `${name}: the preview of ${stack} runs in the "preview-${stack}" environment (read-only credentials of that stack), not ${environment}`,
                    );
                if (command === "up" && environment !== stack) problems.push(`${name}: \`up\` of ${stack} runs in environment "${stack}", not ${environment}`);
            }
        }
    }
    return problems;
}

const MATRIX_STACK = /\$\{\{\s*matrix\.stack\s*\}\}/g;

/** The (stack, environment) pairs a Pulumi step runs with: one per `matrix.stack` value, or the literal ones. */
export function stackEnvironments(job: Job, step: Step): { stack: string; environment: string | undefined }[] {
    const stackName = String(step.with?.["stack-name"]);
    const env = environmentName(job);
    const matrix = job.strategy?.matrix?.stack;
    // A matrix a job computes (`npm run shards -- --stack <env>`): the stacks of one fleet, `<env>`
    // itself or its shards `<env>-<shard>`, deploy in that fleet's environment.
    const fleet = /^\$\{\{\s*fromJSON\(needs\.[\w-]+\.outputs\.([\w-]+)\)\s*\}\}$/.exec(text(matrix))?.[1];
    if (/\$\{\{\s*matrix\.stack\s*\}\}/.test(stackName) && fleet !== undefined) return [{ stack: fleet, environment: env }];
    const stacks = MATRIX_STACK.test(stackName) && Array.isArray(matrix) ? matrix.map(String) : [stackName];
    return stacks.map((stack) => ({ stack, environment: env?.replace(MATRIX_STACK, stack) }));
}

/** The runner pool label of each kind of Pulumi job: a runner carries exactly one of them. */
export const POOL_LABELS = { preview: "platform-backups-preview", deploy: "platform-backups-deploy" } as const;

/** A Pulumi job's runner variable and default labels, from `${{ fromJSON(vars.X || '[...]') }}`. */
export function runnerLabels(job: Job): { variable: string; defaults: string[] } | undefined {
    const m = /^\$\{\{\s*fromJSON\(\s*vars\.([A-Z0-9_]+_RUNNER_LABELS)\s*\|\|\s*'(\[[^']*\])'\s*\)\s*\}\}$/.exec(text(job["runs-on"]));
    if (!m) return undefined;
    try {
        const defaults: unknown = JSON.parse(m[2]);
        return Array.isArray(defaults) ? { variable: m[1], defaults: defaults.map(String) } : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Preview and deploy jobs run on separate runner pools whose label sets cannot meet: a runner is
 * offered a job when it carries every label the job asks for, so if one pool's labels are a subset
 * of the other's, a runner of the other pool takes its jobs. Each pool's default labels carry its
 * own pool label and not the other's, and the two pools are set by two different variables.
 * Over all workflows at once: the preview and the deploy jobs live in different files.
 */
export function runnerPoolsApart(workflows: Record<string, Workflow>): string[] {
    const problems: string[] = [];
    const pools: { where: string; kind: "preview" | "deploy"; variable: string; labels: Set<string> }[] = [];
    for (const [file, wf] of Object.entries(workflows)) {
        for (const [name, job] of pulumiJobs(wf)) {
            const where = `${file}: ${name}.runs-on`;
            const commands = new Set(job.steps.filter(isPulumiCommand).map((s) => String(s.with?.command)));
            const kind = commands.has("up") ? "deploy" : "preview";
            if (commands.has("up") && commands.has("preview")) problems.push(`${file}: ${name}: a job either previews or deploys, never both`);
            const parsed = runnerLabels(job);
            if (!parsed) {
                problems.push(`${where}: cannot read the runner labels (expected \${{ fromJSON(vars.<X>_RUNNER_LABELS || '[...]') }})`);
                continue;
            }
            const labels = new Set(parsed.defaults);
            const other = kind === "preview" ? "deploy" : "preview";
            if (!labels.has(POOL_LABELS[kind])) problems.push(`${where}: the default labels must include the ${kind} pool's label "${POOL_LABELS[kind]}"`);
            if (labels.has(POOL_LABELS[other])) problems.push(`${where}: the default labels include the ${other} pool's label "${POOL_LABELS[other]}"`);
            pools.push({ where, kind, variable: parsed.variable, labels });
        }
    }
    const subset = (a: Set<string>, b: Set<string>) => [...a].every((l) => b.has(l));
    for (const p of pools.filter((x) => x.kind === "preview")) {
        for (const d of pools.filter((x) => x.kind === "deploy")) {
            if (p.variable === d.variable)
                problems.push(`${p.where} and ${d.where}: preview and deploy read the same variable ${p.variable}; each pool needs its own`);
            if (subset(p.labels, d.labels) || subset(d.labels, p.labels))
                problems.push(
                    `${p.where} [${[...p.labels].join(", ")}] and ${d.where} [${[...d.labels].join(", ")}]: the label sets can meet, so a runner of one pool would take the other's jobs; give each pool a label of its own`,
                );
        }
    }
    return problems;
}

/** `.github/environments.yml`: the environments and their protection rules, as declared. */
export interface EnvironmentSettings {
    environments: {
        name: string;
        prevent_self_review?: boolean;
        reviewers?: { type: "User" | "Team"; slug?: string; login?: string }[];
        deployment_branch_policy?: { protected_branches: boolean; custom_branch_policies: boolean };
        branches?: string[];
    }[];
}

/**
 * Every environment a workflow uses is declared; the prod preview's environment has at least one
 * required reviewer and prevents self-review (the PR's author cannot release prod's secrets to
 * their own code); deploy environments admit only `main`.
 */
export function reviewedEnvironments(workflows: Record<string, Workflow>, settings: EnvironmentSettings): string[] {
    const problems: string[] = [];
    const declared = new Map((settings.environments ?? []).map((e) => [e.name, e]));
    for (const [file, wf] of Object.entries(workflows)) {
        for (const [name, job] of pulumiJobs(wf)) {
            for (const step of job.steps.filter(isPulumiCommand)) {
                for (const { stack, environment } of stackEnvironments(job, step)) {
                    const where = `${file}: ${name} (${step.with?.command} ${stack})`;
                    const env = environment === undefined ? undefined : declared.get(environment);
                    if (!env) {
                        problems.push(`${where}: environment ${environment ?? "(none)"} is not declared in .github/environments.yml`);
                        continue;
                    }
                    if (step.with?.command === "preview" && stack === "prod") {
                        if ((env.reviewers ?? []).length === 0)
                            problems.push(
                                `${where}: environment ${env.name} needs required reviewers: prod's secrets must wait for a maintainer who has read the diff`,
                            );
                        if (env.prevent_self_review !== true)
                            problems.push(
                                `${where}: environment ${env.name} must set prevent_self_review: true (the PR's author cannot approve their own run)`,
                            );
                    }
                    if (step.with?.command === "up") {
                        const mainOnly =
                            env.deployment_branch_policy?.custom_branch_policies === true && JSON.stringify(env.branches ?? []) === JSON.stringify(["main"]);
                        if (!mainOnly) problems.push(`${where}: environment ${env.name} must admit only main (deployment_branch_policy with branches: [main])`);
                    }
                }
            }
        }
    }
    return problems;
}

/**
 * Pull requests: the preview jobs skip forks and Dependabot, a notice job says so with the exact
 * opposite condition, and the tests run for everyone with no secret.
 */
export function forkAndDependabot(wf: Workflow): string[] {
    if (!("pull_request" in wf.on) && !("pull_request_target" in wf.on)) return [];
    const problems: string[] = [];
    for (const [name, job] of pulumiJobs(wf)) {
        const cond = job.if ?? "";
        if (!cond.includes(SAME_REPO) || !cond.includes(`!= ${DEPENDABOT}`)) {
            problems.push(`${name}.if: must skip forks (${SAME_REPO}) and Dependabot (!= ${DEPENDABOT})`);
        }
    }
    const notices = Object.entries(wf.jobs).filter(([, j]) => j.steps.some((s) => /::notice\b/.test(s.run ?? "") && /GITHUB_STEP_SUMMARY/.test(s.run ?? "")));
    const negated = (cond: string) => cond.includes(SAME_REPO.replace("==", "!=")) && cond.includes(`== ${DEPENDABOT}`);
    if (!notices.some(([, j]) => negated(j.if ?? ""))) {
        problems.push("a job must explain a skipped preview (::notice and $GITHUB_STEP_SUMMARY) for forks and Dependabot");
    }
    const tests = Object.entries(wf.jobs).filter(([, j]) => j.steps.some((s) => s.run === "npm test"));
    if (tests.length === 0) problems.push("pull requests must run `npm test`");
    for (const [name, job] of tests) {
        if (job.if !== undefined) problems.push(`${name}: the tests run for every PR (no if:)`);
        if (job.steps.some((s) => refsSecret(s))) problems.push(`${name}: the tests run without secrets`);
    }
    return problems;
}

export const RULES = {
    noJobLevelSecrets,
    secretsOnlyInPulumiSteps,
    installsBeforeSecrets,
    selfHostedFromVars,
    node22WherePulumiRuns,
    loginFailsTheJob,
    environments,
    forkAndDependabot,
} as const;
