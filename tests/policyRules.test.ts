import { Secret } from "@pulumi/policy";
import type { ResourceValidationArgs } from "@pulumi/policy";
import { resticReaderPolicy, resticWriterPolicy } from "../components/iamPolicy";
import {
    arnBucket,
    bucketDeletionProblems,
    bucketForceDestroyAdvice,
    cronGrammarProblems,
    iamPolicyProblems,
    ilmExpirationProblems,
    imagePinProblems,
    parseImageReference,
    policies,
    RESOURCE_TYPES,
    scheduleProblems,
    secretEnvsAreSecret,
    sidecarProblems,
    stackBackEnvProblems,
    violations,
} from "../policy/rules";

// The SDK's own proxies, as server.js wraps remediation inputs. Internal modules (their .d.ts export
// nothing), hence the require: the point is to test the remediation against the real wrapping.

const { unknownCheckingProxy, unknownStringValue } = require("@pulumi/policy/proxy") as {
    unknownCheckingProxy: <T>(x: T) => T;
    unknownStringValue: string;
};

const { secretsPreservingProxy } = require("@pulumi/policy/secret") as { secretsPreservingProxy: <T>(x: T) => T };

const SIDECAR_IMAGE = "ghcr.io/lawndoc/stack-back:v1.5.4";

function sidecar(overrides: Record<string, unknown> = {}, extraEnvs: string[] = []) {
    return {
        name: "mattermost_stackback",
        image: SIDECAR_IMAGE,
        restart: "unless-stopped",
        envs: [
            "RESTIC_REPOSITORY=s3:https://minio.example:9000/restic-stackback-mattermost-bucket",
            "RESTIC_PASSWORD=abcDEF123",
            "AWS_ACCESS_KEY_ID=restic-stackback-mattermost",
            "AWS_SECRET_ACCESS_KEY=xyz789",
            "CRON_SCHEDULE=0 2 * * *",
            "RESTIC_KEEP_DAILY=30",
            ...extraEnvs,
        ],
        labels: [{ label: "com.docker.compose.project", value: "mattermost" }],
        ...overrides,
    };
}

describe("backup-ilm-no-current-expiration", () => {
    const safe = { bucket: "b", rules: [{ id: "expire-noncurrent", status: "Enabled", noncurrentVersionExpirationDays: 30 }] };

    it("accepts rules that expire only non-current versions (and DeleteMarker cleanup)", () => {
        expect(ilmExpirationProblems(safe)).toEqual([]);
        expect(ilmExpirationProblems({ bucket: "b", rules: [{ id: "markers", expiration: "DeleteMarker", noncurrentVersionExpirationDays: 30 }] })).toEqual([]);
    });

    it("rejects any expiration of current objects, by duration or date, even in a disabled rule", () => {
        const problems = ilmExpirationProblems({
            bucket: "b",
            rules: [
                { id: "thirty-days", status: "Enabled", expiration: "30d" },
                { id: "by-date", status: "Disabled", expiration: "2030-01-01" },
                { id: "ok", noncurrentVersionExpirationDays: 7 },
            ],
        });
        expect(problems).toHaveLength(2);
        expect(problems[0]).toMatch(/"thirty-days".*"30d".*CURRENT/);
        expect(problems[1]).toMatch(/"by-date"/);
    });
});

describe("backup-iam-explicit-single-bucket", () => {
    const doc = (statements: unknown[]) => ({ name: "p", policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) });

    it("accepts the writer and reader policies the component generates", () => {
        expect(iamPolicyProblems({ name: "rw", policy: JSON.stringify(resticWriterPolicy("restic-stackback-n8n-bucket")) })).toEqual([]);
        expect(iamPolicyProblems({ name: "ro", policy: JSON.stringify(resticReaderPolicy("restic-stackback-n8n-bucket")) })).toEqual([]);
    });

    it("rejects s3:* and *, as the original setup had", () => {
        const problems = iamPolicyProblems(doc([{ Effect: "Allow", Action: ["s3:*"], Resource: ["arn:aws:s3:::b/*"] }]));
        expect(problems.some((p) => /allows "s3:\*"/.test(p))).toBe(true);
        expect(problems.some((p) => /bucket administration.*s3:DeleteBucket/.test(p))).toBe(true);
        expect(iamPolicyProblems(doc([{ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::b" }])).some((p) => /allows "\*"/.test(p))).toBe(true);
    });

    it("rejects a second bucket, a wildcard bucket, a non-S3 resource, and bucket administration via a narrower wildcard", () => {
        expect(iamPolicyProblems(doc([{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"] }])).join("\n")).toMatch(
            /reaches 2 buckets \(a, b\)/,
        );
        expect(iamPolicyProblems(doc([{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::restic-*/*"] }])).join("\n")).toMatch(
            /wildcard in the bucket name/,
        );
        expect(iamPolicyProblems(doc([{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"] }])).join("\n")).toMatch(/not an S3 bucket ARN/);
        expect(iamPolicyProblems(doc([{ Effect: "Allow", Action: ["s3:Put*"], Resource: ["arn:aws:s3:::b"] }])).join("\n")).toMatch(
            /PutLifecycleConfiguration/,
        );
        expect(iamPolicyProblems(doc([{ Effect: "Allow", NotAction: ["s3:GetObject"], Resource: ["arn:aws:s3:::b"] }])).join("\n")).toMatch(/uses NotAction/);
    });

    it("ignores Deny statements (they only take rights away) and reports unparseable JSON", () => {
        expect(
            iamPolicyProblems(
                doc([
                    { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::b/*"] },
                    { Effect: "Deny", Action: ["*"], Resource: ["*"] },
                ]),
            ),
        ).toEqual([]);
        expect(iamPolicyProblems({ name: "p", policy: "{not json" })[0]).toMatch(/not valid JSON/);
    });

    it("reads the bucket of an ARN", () => {
        expect(arnBucket("arn:aws:s3:::b/*")).toBe("b");
        expect(arnBucket("arn:aws:s3:::b")).toBe("b");
        expect(arnBucket("*")).toBeUndefined();
    });
});

describe("backup bucket deletion", () => {
    it("passes AppBackup's bucket (retainOnDelete, which policies cannot see; no protect; no forceDestroy)", () => {
        expect(bucketDeletionProblems({ bucket: "b" }, { protect: false })).toEqual([]);
        expect(bucketDeletionProblems({ bucket: "b", forceDestroy: false }, {})).toEqual([]);
    });

    it("rejects forceDestroy on an unprotected bucket, tolerates it on a protected one with advice", () => {
        expect(bucketDeletionProblems({ bucket: "b", forceDestroy: true }, { protect: false })[0]).toMatch(/forceDestroy: true and is not protected/);
        expect(bucketDeletionProblems({ bucket: "b", forceDestroy: true }, { protect: true })).toEqual([]);
        expect(bucketForceDestroyAdvice({ bucket: "b", forceDestroy: true }, { protect: true })).toHaveLength(1);
        expect(bucketForceDestroyAdvice({ bucket: "b" }, { protect: true })).toEqual([]);
    });
});

describe("docker-image-pinned", () => {
    it.each([
        SIDECAR_IMAGE,
        "ghcr.io/lawndoc/stack-back@sha256:" + "a".repeat(64),
        "ghcr.io/lawndoc/stack-back:v1.5.4@sha256:" + "b".repeat(64),
        "registry:5000/team/stack-back:v1.5.4",
        "sha256:" + "c".repeat(64),
    ])("accepts %s", (image) => expect(imagePinProblems(image, "Image")).toEqual([]));

    it.each([
        ["ghcr.io/lawndoc/stack-back:latest", /uses :latest/],
        ["ghcr.io/lawndoc/stack-back", /has no tag/],
        ["registry:5000/stack-back", /has no tag/],
        ["ghcr.io/lawndoc/stack-back@sha256:abc", /malformed digest/],
    ])("rejects %s", (image, message) => expect(imagePinProblems(image, "Image").join()).toMatch(message));

    it("does not take a registry port for a tag", () => {
        expect(parseImageReference("registry:5000/img")).toEqual({ repository: "registry:5000/img", tag: undefined, digest: undefined });
        expect(parseImageReference("registry:5000/img:1.2").tag).toBe("1.2");
    });
});

describe("stackback-schedule-grammar", () => {
    it("accepts plain numbers and *", () => {
        expect(cronGrammarProblems("20 2 * * *")).toEqual([]);
        expect(cronGrammarProblems("* * * * 0")).toEqual([]);
        expect(scheduleProblems(sidecar({}, ["MAINTENANCE_SCHEDULE=0 5 * * 0"]))).toEqual([]);
    });

    it("rejects steps, ranges, lists, names, wrong field counts and out-of-range numbers", () => {
        expect(cronGrammarProblems("*/20 2 * * *")[0]).toMatch(/minute field "\*\/20"/);
        expect(cronGrammarProblems("0 1-3 * * *")[0]).toMatch(/hour field/);
        expect(cronGrammarProblems("0 2 * * mon")[0]).toMatch(/day of week/);
        expect(cronGrammarProblems("0 2 * *")[0]).toMatch(/4 fields/);
        expect(cronGrammarProblems("0 24 * * *")[0]).toMatch(/outside 0-23/);
        const problems = scheduleProblems(sidecar({ envs: ["CRON_SCHEDULE=0,30 2 * * *", "MAINTENANCE_SCHEDULE=@weekly"] }));
        expect(problems).toHaveLength(2);
        expect(problems[0]).toMatch(/CRON_SCHEDULE.*falls back to 02:00/);
        expect(problems[1]).toMatch(/MAINTENANCE_SCHEDULE.*disables maintenance/);
    });
});

describe("stackback-env-meaningful", () => {
    it("accepts switches that are absent or on", () => {
        expect(stackBackEnvProblems(sidecar({}, ["EXCLUDE_BIND_MOUNTS=true"]))).toEqual([]);
    });

    it("rejects on-when-set switches set to false, and the ignored BACKUP_CRON", () => {
        const problems = stackBackEnvProblems(sidecar({}, ["INCLUDE_ALL_COMPOSE_PROJECTS=false", "SWARM_MODE=0", "BACKUP_CRON=0 3 * * *"]));
        expect(problems).toHaveLength(3);
        expect(problems[0]).toMatch(/SWARM_MODE=0 turns the switch ON/);
        expect(problems[1]).toMatch(/INCLUDE_ALL_COMPOSE_PROJECTS=false/);
        expect(problems[2]).toMatch(/BACKUP_CRON is not a stack-back variable/);
    });

    // stack-back v1.5.4 utils.py is_true: TRUE_VALUES = ["1", "true", "True", "TRUE", ...]
    it("accepts is_true switches set to false (off) or true (on)", () => {
        expect(
            stackBackEnvProblems(sidecar({}, ["AUTO_BACKUP_ALL=false", "EXCLUDE_BIND_MOUNTS=0", "INCLUDE_PROJECT_NAME=True", "CHECK_WITH_CACHE=1"])),
        ).toEqual([]);
    });

    it("rejects is_true switches whose value silently means off", () => {
        const problems = stackBackEnvProblems(sidecar({}, ["AUTO_BACKUP_ALL=yes", "CHECK_WITH_CACHE=on"]));
        expect(problems).toHaveLength(2);
        expect(problems[0]).toMatch(/AUTO_BACKUP_ALL=yes silently means OFF/);
        expect(problems[1]).toMatch(/CHECK_WITH_CACHE=on silently means OFF/);
    });
});

describe("stackback-sidecar-workable", () => {
    it("accepts a sidecar with its compose project label, repository and password", () => {
        expect(sidecarProblems(sidecar())).toEqual([]);
    });

    it("leaves other containers alone (e.g. the restic exporter)", () => {
        expect(sidecarProblems({ name: "exporter", image: "ngosang/restic-exporter:1.6.0", envs: ["RESTIC_REPOSITORY=s3:x"], hostname: "x" })).toEqual([]);
    });

    it("rejects hostname, a missing compose project label, missing RESTIC_PASSWORD and quotes in values", () => {
        const problems = sidecarProblems({
            ...sidecar(),
            hostname: "backup",
            labels: [],
            envs: ["RESTIC_REPOSITORY=s3:x", "CRON_SCHEDULE=0 2 * * *", "AWS_SECRET_ACCESS_KEY=it's"],
        });
        expect(problems.join("\n")).toMatch(/sets hostname "backup"/);
        expect(problems.join("\n")).toMatch(/no com.docker.compose.project label/);
        expect(problems.join("\n")).toMatch(/no RESTIC_PASSWORD/);
        expect(problems.join("\n")).toMatch(/AWS_SECRET_ACCESS_KEY contains a single quote/);
    });

    it("recognises a sidecar by its environment when the image is an image id", () => {
        expect(sidecarProblems({ ...sidecar({ image: "sha256:" + "d".repeat(64) }), hostname: "h" })).toHaveLength(1);
    });
});

describe("container-credentials-secret (remediation)", () => {
    /** Inputs wrapped exactly as @pulumi/policy's server.js wraps them for remediateResource. */
    function remediationArgs(props: Record<string, unknown>, type: string = RESOURCE_TYPES.container) {
        return {
            type,
            name: "c",
            urn: "urn",
            opts: { protect: false },
            props: unknownCheckingProxy(secretsPreservingProxy(props)),
        } as unknown as ResourceValidationArgs;
    }
    const remediate = secretEnvsAreSecret.remediateResource!;

    it("leaves envs alone when they are already secret (whole list, or each credential entry)", async () => {
        const { envs } = sidecar();
        expect(await remediate(remediationArgs({ ...sidecar(), envs: new Secret(envs) }))).toBeUndefined();
        const perEntry = envs.map((e) => (/^(RESTIC_PASSWORD|AWS_SECRET_ACCESS_KEY)=/.test(e) ? new Secret(e) : e));
        expect(await remediate(remediationArgs({ ...sidecar(), envs: perEntry }))).toBeUndefined();
    });

    it("marks plain-text credentials secret", async () => {
        const result = (await remediate(remediationArgs(sidecar()))) as Record<string, unknown>;
        expect(result.envs).toBeInstanceOf(Secret);
        expect((result.envs as Secret).value).toEqual(sidecar().envs);
        expect(result.image).toBe(SIDECAR_IMAGE);
    });

    it("skips envs not known yet (preview) and other resource types", async () => {
        expect(await remediate(remediationArgs({ ...sidecar(), envs: unknownStringValue }))).toBeUndefined();
        expect(await remediate(remediationArgs(sidecar(), RESOURCE_TYPES.remoteImage))).toBeUndefined();
    });
});

describe("the pack", () => {
    it("has unique names and a validation or remediation in every policy", () => {
        expect(new Set(policies.map((p) => p.name)).size).toBe(policies.length);
        for (const p of policies) expect(p.validateResource ?? p.remediateResource).toBeDefined();
    });

    it("routes each validator to its resource type only", () => {
        const ilm = { bucket: "b", rules: [{ id: "x", expiration: "1d" }] };
        expect(violations({ type: RESOURCE_TYPES.ilmPolicy, name: "i", props: ilm, opts: {} })).toHaveLength(1);
        expect(violations({ type: RESOURCE_TYPES.bucket, name: "i", props: ilm, opts: {} })).toEqual([]);
        expect(violations({ type: RESOURCE_TYPES.remoteImage, name: "img", props: { name: "ghcr.io/lawndoc/stack-back:latest" }, opts: {} })[0]).toMatch(
            /^docker-image-pinned: /,
        );
        expect(violations({ type: RESOURCE_TYPES.container, name: "c", props: sidecar(), opts: {} })).toEqual([]);
    });

    it("checks a Container's own image too, not only RemoteImage: a container can name an image directly", () => {
        const latest = violations({ type: RESOURCE_TYPES.container, name: "c", props: sidecar({ image: "ghcr.io/lawndoc/stack-back:latest" }), opts: {} });
        expect(latest).toEqual([expect.stringMatching(/^docker-image-pinned: Container "mattermost_stackback" image .*uses :latest/)]);
        const untagged = violations({ type: RESOURCE_TYPES.container, name: "c", props: sidecar({ image: "ghcr.io/lawndoc/stack-back" }), opts: {} });
        expect(untagged).toEqual([expect.stringMatching(/^docker-image-pinned: .*has no tag/)]);
        // The digest a RemoteImage hands the container (repoDigest) is pinned.
        const digest = `ghcr.io/lawndoc/stack-back@sha256:${"a".repeat(64)}`;
        expect(violations({ type: RESOURCE_TYPES.container, name: "c", props: sidecar({ image: digest }), opts: {} })).toEqual([]);
    });
});
