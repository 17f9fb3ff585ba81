/**
 * The other environments, staging and dev: valid configs with the same keys as prod where they
 * must match, and programs that the policy pack passes (run under mocks as in policyProd.test.ts).
 */
import { validateStackConfig } from "../components/config";
import { RESOURCE_TYPES, violations } from "../policy/rules";
import { stackConfig } from "./support/stack";
import { runStackProgram } from "./support/jestStack";

const prod = stackConfig("prod");
const staging = stackConfig("staging");

describe("Pulumi.staging.yaml", () => {
    test("has every key of prod, and validates", () => {
        for (const key of Object.keys(prod)) expect(Object.keys(staging)).toContain(key);
        expect(validateStackConfig(staging).problems).toEqual([]);
    });

    test("differs from prod where an environment should: endpoints, hosts, names, retention, start", () => {
        const { fleet } = validateStackConfig(staging);
        const { fleet: prodFleet } = validateStackConfig(prod);
        expect(fleet!.minio.endpoint).not.toBe(prodFleet!.minio.endpoint);
        expect(fleet!.vault.address).not.toBe(prodFleet!.vault.address);
        const prodHosts = Object.values(prodFleet!.hosts).map((h) => h.dockerHost);
        for (const host of Object.values(fleet!.hosts)) expect(prodHosts).not.toContain(host.dockerHost);
        expect(fleet!.namePrefix).not.toBe(prodFleet!.namePrefix);
        expect(fleet!.vault.namePrefix).not.toBe(prodFleet!.vault.namePrefix);
        expect(staging.retentionDays).toBe(14);
        expect(fleet!.apps.find((a) => a.name === "mattermost")!.schedule).toBe("0 1 * * *");
    });
});

describe.each(["staging", "dev"])("the %s program under the policy pack", (stack) => {
    test("registers no resource that any rule of the pack rejects", async () => {
        const run = await runStackProgram(stackConfig(stack));
        const resources = run.registered.filter((r) => !r.type.startsWith("pulumi:providers:"));
        expect(resources.filter((r) => r.type === RESOURCE_TYPES.container).length).toBeGreaterThan(0);
        // protect is never set by this program (see policyProd.test.ts, which reads it from the engine requests)
        const found = resources.flatMap((r) => violations({ type: r.type, name: r.name, props: r.inputs, opts: {} }).map((v) => `${r.name}: ${v}`));
        expect(found).toEqual([]);
    });
});
