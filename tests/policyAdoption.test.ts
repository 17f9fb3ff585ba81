import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { adoptedPasswordKept, adoptedPasswordProblems, StackResource, stackResources } from "../policy/adoption";
import { allPolicies, stackPolicies } from "../policy/rules";

const APP = "urn:pulumi:prod::platform-backups::platform-backups:index:AppBackup::n8n";
const OTHER = "urn:pulumi:prod::platform-backups::platform-backups:index:AppBackup::mattermost";

function sidecar(parentUrn: string, labels: { label: string; value: string }[]): StackResource {
    return { type: "docker:index/container:Container", name: "x-sidecar", urn: `${parentUrn}-sidecar`, parentUrn, props: { labels } };
}
function password(parentUrn: string, name: string): StackResource {
    return { type: "random:index/randomPassword:RandomPassword", name, urn: `${parentUrn}::${name}`, parentUrn, props: {} };
}
const ADOPTED = [
    { label: "com.docker.compose.project", value: "n8n" },
    { label: "platform-backups.adopted-bucket", value: "restic-stackback-vm1-n8n-bucket" },
    { label: "platform-backups.adopted-password-from", value: "vault:ansible/stackback_n8n version 3" },
];

describe("adopted-repository-keeps-password", () => {
    test("refuses a restic password generator beside an adopted sidecar, naming bucket and secret", () => {
        const problems = adoptedPasswordProblems([sidecar(APP, ADOPTED), password(APP, "n8n-restic-password")]);
        expect(problems).toEqual([{ urn: `${APP}::n8n-restic-password`, message: expect.stringContaining("NEW restic password") }]);
        expect(problems[0].message).toContain("restic-stackback-vm1-n8n-bucket");
        expect(problems[0].message).toContain("vault:ansible/stackback_n8n version 3");
    });
    test("lets an adopted app generate the S3 key of its new user", () => {
        expect(adoptedPasswordProblems([sidecar(APP, ADOPTED), password(APP, "n8n-s3-secret-key"), password(APP, "n8n-reader-secret-key")])).toEqual([]);
    });
    test("an app that adopts nothing generates its password as before, also beside an adopted one", () => {
        const resources = [
            sidecar(APP, ADOPTED),
            sidecar(OTHER, [{ label: "com.docker.compose.project", value: "mattermost" }]),
            password(OTHER, "mattermost-restic-password"),
        ];
        expect(adoptedPasswordProblems(resources)).toEqual([]);
    });
    test("runs as a stack policy of the pack, reporting against the password's URN", () => {
        expect(stackPolicies).toContain(adoptedPasswordKept);
        expect(allPolicies.map((p) => p.name)).toContain("adopted-repository-keeps-password");
        expect(new Set(allPolicies.map((p) => p.name)).size).toBe(allPolicies.length);
        const parent = { urn: APP } as PolicyResource;
        const resources = [
            { type: "docker:index/container:Container", name: "n8n-sidecar", urn: `${APP}-s`, props: { labels: ADOPTED }, parent, opts: {} },
            { type: "random:index/randomPassword:RandomPassword", name: "n8n-restic-password", urn: `${APP}-p`, props: {}, parent, opts: {} },
        ] as unknown as PolicyResource[];
        expect(stackResources(resources).map((r) => r.parentUrn)).toEqual([APP, APP]);
        const seen: { message: string; urn?: string }[] = [];
        void adoptedPasswordKept.validateStack({ resources } as unknown as StackValidationArgs, (message, urn) => seen.push({ message, urn }));
        expect(seen).toEqual([{ message: expect.stringContaining("adopt.vaultSecret"), urn: `${APP}-p` }]);
    });
});
