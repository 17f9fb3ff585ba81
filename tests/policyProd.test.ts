/**
 * The policy pack against the real prod program: runs index.ts over Pulumi.prod.yaml under the
 * SDK's mock engine (as stack.test.ts does), hands every registered resource to every rule of the
 * pack, and expects no violation and no remediation. This is what `pulumi preview --policy-pack
 * policy` would report, minus the CLI.
 *
 * What the rules get, and how it is reconstructed here:
 * - props: the inputs as the engine received them, secrets unwrapped (what `validateResource` sees);
 * - opts.protect: read from the engine request itself (the mock engine does not report options;
 *   tests/support/pulumiMocks.ts wraps the mock monitor's `registerResource`); retainOnDelete is
 *   recorded too, to show that AppBackup relies on it, though no policy can see it;
 * - secretness: `Registered.secretPaths`, re-wrapped as the SDK's `Secret` for the remediation.
 */
import { Secret } from "@pulumi/policy";
import type { ResourceValidationArgs } from "@pulumi/policy";
import { isStackBackContainer, RESOURCE_TYPES, secretEnvsAreSecret, violations } from "../policy/rules";
import { Registered } from "./support/pulumiMocks";
import { ProgramRun, stackConfig } from "./support/stack";
import { runStackProgram } from "./support/jestStack";

const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as { unknownCheckingProxy: <T>(x: T) => T };

const { secretsPreservingProxy } = require("@pulumi/policy/secret") as { secretsPreservingProxy: <T>(x: T) => T };

let run: ProgramRun;
let resources: Registered[];
beforeAll(async () => {
    run = await runStackProgram(stackConfig("prod"));
    resources = run.registered.filter((r) => !r.type.startsWith("pulumi:providers:"));
});

// The mock records each engine request's options (tests/support/pulumiMocks.ts recordRequests) and
// fails the registration when it has none, so a missing record cannot pass for `protect: false`.
const optionsOf = (r: Registered): Registered["options"] => r.options;

test("the prod program registers every resource type the pack guards", () => {
    const types = new Set(resources.map((r) => r.type));
    for (const type of Object.values(RESOURCE_TYPES)) expect(types).toContain(type);
});

test("no rule of the pack reports a violation on any prod resource", () => {
    const found = resources.flatMap((r) =>
        violations({ type: r.type, name: r.name, props: r.inputs, opts: { protect: optionsOf(r).protect } }).map((v) => `${r.name}: ${v}`),
    );
    expect(found).toEqual([]);
});

test("the pack would block a prod bucket if it were made force-destroyable (the check runs on real inputs)", () => {
    const bucket = resources.find((r) => r.type === RESOURCE_TYPES.bucket)!;
    const forced = { ...bucket.inputs, forceDestroy: true };
    expect(violations({ type: bucket.type, name: bucket.name, props: forced, opts: optionsOf(bucket) })).toHaveLength(1);
});

test("buckets pass through retainOnDelete, which no policy can see", () => {
    const buckets = resources.filter((r) => r.type === RESOURCE_TYPES.bucket);
    expect(buckets).toHaveLength(6);
    for (const bucket of buckets) expect(optionsOf(bucket).retainOnDelete).toBe(true);
});

test("the credential remediation finds nothing to do: the sidecars' credentials are already secret", async () => {
    const containers = resources.filter((r) => r.type === RESOURCE_TYPES.container);
    expect(containers.length).toBeGreaterThan(0);
    for (const container of containers) {
        // Re-wrap the entries that reached the engine as secrets, as the analyzer receives them.
        const envs = (container.inputs.envs as string[]).map((entry, i) => (container.secretPaths.includes(`envs[${i}]`) ? new Secret(entry) : entry));
        const props = container.secretPaths.includes("envs") ? { ...container.inputs, envs: new Secret(container.inputs.envs) } : { ...container.inputs, envs };
        const args = {
            type: container.type,
            name: container.name,
            urn: container.name,
            opts: optionsOf(container),
            props: unknownCheckingProxy(secretsPreservingProxy(props)),
        };
        expect(await secretEnvsAreSecret.remediateResource!(args as unknown as ResourceValidationArgs)).toBeUndefined();
    }
});

test("the sidecar rules really ran: every prod container is recognised as a stack-back sidecar", () => {
    const containers = resources.filter((r) => r.type === RESOURCE_TYPES.container && r.name.endsWith("-sidecar"));
    expect(containers).toHaveLength(6);
    for (const container of containers) expect(isStackBackContainer(container.inputs)).toBe(true);
    // and a broken copy of one is caught, so the silence above is not an accident of shape
    const broken = { ...containers[0].inputs, hostname: "backup", envs: [...containers[0].inputs.envs, "SWARM_MODE=false"] };
    expect(violations({ type: RESOURCE_TYPES.container, name: "broken", props: broken, opts: {} })).toHaveLength(2);
});
