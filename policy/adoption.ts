/**
 * An adopted repository keeps its password: a stack rule.
 *
 * An app whose bucket is adopted already holds a restic repository that only its old password
 * opens. A new `RandomPassword` for that app would reach Vault and the sidecar, and every backup
 * would fail with "wrong password" while the old password survives only as an earlier KV version.
 *
 * What a policy can see of an adoption: not the `import` option (the analyzer protocol carries no
 * import ID; @pulumi/policy 1.21 `PolicyResourceOptions`), but the labels AppBackup puts on an
 * adopted app's sidecar (`platform-backups.adopted-bucket`, components/adopt.ts). The rule
 * groups resources by their parent (the AppBackup component) and refuses a restic password
 * generator (`<component>-restic-password`) beside an adopted sidecar. It is a stack rule because
 * it needs two resources at once; it runs at the end of every preview, so `pulumi up` (which
 * previews first) stops before anything is written.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { ADOPTED_LABELS } from "../components/adopt";

/** Resource types the rule reads. */
const TYPES = {
    container: "docker:index/container:Container",
    randomPassword: "random:index/randomPassword:RandomPassword",
} as const;

/** The suffix of AppBackup's restic password generator (components/appBackup.ts). */
export const RESTIC_PASSWORD_SUFFIX = "-restic-password";

/** A resource as the rule needs it: its parent's URN instead of the parent object. */
export interface StackResource {
    type: string;
    name: string;
    urn: string;
    parentUrn?: string;
    props: Record<string, unknown>;
}

function label(props: Record<string, unknown>, name: string): string | undefined {
    const labels = Array.isArray(props.labels) ? (props.labels as Record<string, unknown>[]) : [];
    const found = labels.find((l) => l?.label === name);
    return typeof found?.value === "string" ? found.value : undefined;
}

/** Violations of "an app whose bucket is adopted gets no new restic password", with the URN of the offending password. */
export function adoptedPasswordProblems(resources: readonly StackResource[]): { urn: string; message: string }[] {
    const adoptedBy = new Map<string, { bucket: string; from?: string }>();
    for (const r of resources) {
        if (r.type !== TYPES.container || r.parentUrn === undefined) continue;
        const bucket = label(r.props, ADOPTED_LABELS.bucket);
        if (bucket !== undefined) adoptedBy.set(r.parentUrn, { bucket, from: label(r.props, ADOPTED_LABELS.password) });
    }
    const problems: { urn: string; message: string }[] = [];
    for (const r of resources) {
        if (r.type !== TYPES.randomPassword || !r.name.endsWith(RESTIC_PASSWORD_SUFFIX) || r.parentUrn === undefined) continue;
        const adopted = adoptedBy.get(r.parentUrn);
        if (!adopted) continue;
        problems.push({
            urn: r.urn,
            message:
                `"${r.name}" would generate a NEW restic password for an app whose bucket ${adopted.bucket} is adopted` +
                `${adopted.from ? ` (its password comes from ${adopted.from})` : ""}. The repository there opens only with its old password: ` +
                "every backup would fail, and Vault would keep the old one only as an earlier version. " +
                "Name the Vault secret that holds it in the app's adopt.vaultSecret (docs/migrate.md).",
        });
    }
    return problems;
}

/** The stack's resources in the rule's shape. */
export function stackResources(resources: readonly PolicyResource[]): StackResource[] {
    return resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, parentUrn: r.parent?.urn ?? r.opts?.parent, props: r.props }));
}

export const adoptedPasswordKept: StackValidationPolicy = {
    name: "adopted-repository-keeps-password",
    description: "An app whose bucket is adopted (an existing restic repository) gets no new restic password: its password is read from Vault.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateStack: (args, reportViolation) => {
        for (const problem of adoptedPasswordProblems(stackResources(args.resources))) reportViolation(problem.message, problem.urn);
    },
};
