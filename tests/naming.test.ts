import { backupNames, nameProblems } from "../components/naming";
import { isAllowed, resticWriterPolicy } from "../components/iamPolicy";

test("one naming function: the original's bucket name, no host in any name", () => {
    const names = backupNames("mattermost");
    expect(names.bucket).toBe("restic-stackback-mattermost-bucket");
    expect(names.vaultSecret).toBe("stackback_mattermost");
    expect(names.container).toBe("mattermost_stackback");
    expect(Object.values(names).some((n) => n.includes("vm"))).toBe(false);
    expect(backupNames("n8n", { namePrefix: "staging-stackback", vaultNamePrefix: "backup/" })).toMatchObject({
        bucket: "staging-stackback-n8n-bucket",
        vaultSecret: "backup/n8n",
    });
});

test("names are checked as DNS labels and as S3 bucket names", () => {
    expect(nameProblems("gitlab")).toEqual([]);
    for (const bad of ["GitLab", "git_lab", "-gitlab", "gitlab-", "", "a".repeat(64)]) expect(nameProblems(bad)).toHaveLength(1);
    expect(nameProblems("a".repeat(39))).toEqual([]);
    expect(nameProblems("a".repeat(40))[0]).toMatch(/64 characters/);
    expect(nameProblems("app", { namePrefix: "Bad_Prefix" })[0]).toMatch(/not a valid S3 bucket name/);
});

describe("the IAM evaluator", () => {
    test("matches wildcards, and an explicit Deny wins", () => {
        const doc = {
            Version: "2012-10-17" as const,
            Statement: [
                { Effect: "Allow" as const, Action: ["s3:*"], Resource: ["arn:aws:s3:::b*"] },
                { Effect: "Deny" as const, Action: ["s3:DeleteBucket"], Resource: ["arn:aws:s3:::b"] },
            ],
        };
        expect(isAllowed(doc, "s3:PutObject", "arn:aws:s3:::b/x")).toBe(true);
        expect(isAllowed(doc, "s3:DeleteBucket", "arn:aws:s3:::b")).toBe(false);
        expect(isAllowed(doc, "s3:GetObject", "arn:aws:s3:::c/x")).toBe(false);
    });

    test("the writer policy lists explicit actions on exactly two resources", () => {
        const doc = resticWriterPolicy("bkt");
        expect(doc.Statement.flatMap((s) => s.Resource)).toEqual(["arn:aws:s3:::bkt", "arn:aws:s3:::bkt/*"]);
        expect(doc.Statement.flatMap((s) => s.Action).some((a) => a.includes("*"))).toBe(false);
        // Objects are not buckets: object actions do not apply to the bucket ARN, nor the reverse.
        expect(isAllowed(doc, "s3:PutObject", "arn:aws:s3:::bkt")).toBe(false);
        expect(isAllowed(doc, "s3:ListBucket", "arn:aws:s3:::bkt/x")).toBe(false);
        expect(isAllowed(doc, "s3:GetObject", "arn:aws:s3:::bkt-other/x")).toBe(false);
    });
});
