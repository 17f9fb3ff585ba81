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
        const runsOn = text(job["runs-on"]);
        const m = /^\$\{\{\s*fromJSON\(\s*vars\.([A-Z0-9_]+_RUNNER_LABELS)\s*\|\|\s*'(\[[^']*\])'\s*\)\s*\}\}$/.exec(runsOn);
        if (!m) {
            problems.push(`${name}.runs-on: must be \${{ fromJSON(vars.<X>_RUNNER_LABELS || '["self-hosted", ...]') }}, got ${runsOn}`);
            continue;
        }
        let fallback: unknown;
        try {
            fallback = JSON.parse(m[2]);
        } catch {
            fallback = undefined;
        }
        if (!Array.isArray(fallback) || !fallback.includes("self-hosted"))
            problems.push(`${name}.runs-on: the default labels must be a JSON list with "self-hosted"`);
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

/** Every job that sees a secret is in a GitHub environment; previews in `preview`, deploys in their stack's. */
export function environments(wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [name, job] of Object.entries(wf.jobs)) {
        const env = environmentName(job);
        if (job.steps.some((s) => refsSecret(s)) && !env) problems.push(`${name}: sees secrets but has no environment`);
        for (const step of job.steps.filter(isPulumiCommand)) {
            const command = step.with?.command;
            const stack = String(step.with?.["stack-name"]);
            if (command === "preview" && env !== "preview")
                problems.push(`${name}: previews run in the "preview" environment (read-only credentials), not ${env}`);
            // A matrix of one environment's stacks (its fleet stack, or the fleet's shard stacks
            // <env>-<shard>, as `npm run shards -- --stack <env>` lists them) deploys in that environment.
            const fleetOfMatrix = /^\$\{\{\s*fromJSON\(needs\.[\w-]+\.outputs\.([\w-]+)\)\s*\}\}$/.exec(text(job.strategy?.matrix?.stack))?.[1];
            const deployed = stack === "${{ matrix.stack }}" && fleetOfMatrix !== undefined ? fleetOfMatrix : stack;
            if (command === "up" && env !== deployed) problems.push(`${name}: \`up\` of ${deployed} runs in environment "${deployed}", not ${env}`);
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
