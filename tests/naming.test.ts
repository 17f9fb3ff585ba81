import { backupNames, nameProblems } from "../components/naming";
import { isAllowed, resticReaderPolicy, resticWriterPolicy } from "../components/iamPolicy";

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

test("every name of one pipeline, from the app's name alone", () => {
    expect(backupNames("n8n")).toEqual({
        bucket: "restic-stackback-n8n-bucket",
        writerUser: "restic-stackback-n8n",
        writerPolicy: "restic-stackback-n8n-rw",
        readerUser: "restic-stackback-n8n-ro",
        readerPolicy: "restic-stackback-n8n-ro",
        vaultSecret: "stackback_n8n",
        container: "n8n_stackback",
        exporterContainer: "n8n_restic_exporter",
        cacheVolume: "n8n_stackback_cache",
        exporterCacheVolume: "n8n_restic_exporter_cache",
    });
});

test("each name problem says what is wrong and how to fix it", () => {
    expect(nameProblems("Git_Lab")).toEqual([
        '"Git_Lab" is not a valid app name: use 1-63 lowercase letters, digits and inner hyphens (DNS label style), e.g. "gitlab" or "n8n"',
    ]);
    expect(nameProblems("a")).toEqual([]);
    const long = "a".repeat(42);
    expect(nameProblems(long)).toEqual([
        `the bucket name "restic-stackback-${long}-bucket" is 66 characters, more than S3's 63: shorten the app name by 3 or use a shorter namePrefix`,
    ]);
    expect(nameProblems(long, { namePrefix: "rs" })).toEqual([]);
    expect(nameProblems("app", { namePrefix: "-rs" })).toEqual([
        'the bucket name "-rs-app-bucket" is not a valid S3 bucket name: namePrefix must be lowercase letters, digits and hyphens',
    ]);
});

describe("the IAM documents and their evaluator", () => {
    test("writer and reader documents in full: MinIO's policy version, one statement per resource", () => {
        expect(resticWriterPolicy("b")).toEqual({
            Version: "2012-10-17",
            Statement: [
                { Sid: "ResticWriterBucket", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: ["arn:aws:s3:::b"] },
                { Sid: "ResticWriterObjects", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: ["arn:aws:s3:::b/*"] },
            ],
        });
        expect(resticReaderPolicy("b").Statement.map((s) => [s.Sid, s.Action])).toEqual([
            ["ResticReaderBucket", ["s3:ListBucket", "s3:GetBucketLocation"]],
            ["ResticReaderObjects", ["s3:GetObject"]],
        ]);
    });

    test("patterns match whole values, case-insensitively, with * and ? as the only wildcards", () => {
        const allow = (Action: string | string[], Resource: string | string[]) => JSON.stringify({ Statement: [{ Effect: "Allow", Action, Resource }] });
        expect(isAllowed(allow("s3:GetObject", "arn:aws:s3:::b/*"), "S3:GETOBJECT", "arn:aws:s3:::b/x")).toBe(true);
        expect(isAllowed(allow("s3:Get", "arn:aws:s3:::b/*"), "s3:GetObject", "arn:aws:s3:::b/x")).toBe(false);
        expect(isAllowed(allow("s3:GetObject", "arn:aws:s3:::b"), "s3:GetObject", "arn:aws:s3:::bb")).toBe(false);
        expect(isAllowed(allow("s3:GetObject", "arn:aws:s3:::b"), "s3:GetObject", "xarn:aws:s3:::b")).toBe(false);
        expect(isAllowed(allow("s3:GetObject", "arn:aws:s3:::b.c"), "s3:GetObject", "arn:aws:s3:::bxc")).toBe(false);
        expect(isAllowed(allow("s3:GetObject", "arn:aws:s3:::b.c+d/*"), "s3:GetObject", "arn:aws:s3:::b.c+d/x")).toBe(true);
        expect(isAllowed(allow("s3:GetObject", "arn:aws:s3:::b?"), "s3:GetObject", "arn:aws:s3:::b1")).toBe(true);
        expect(isAllowed(allow("s3:GetObject", "arn:aws:s3:::b?"), "s3:GetObject", "arn:aws:s3:::b12")).toBe(false);
        expect(isAllowed(allow(["s3:PutObject", "s3:GetObject"], ["arn:aws:s3:::a", "arn:aws:s3:::b"]), "s3:GetObject", "arn:aws:s3:::b")).toBe(true);
    });

    test("only Allow grants, Deny wins in any order, and a document without a statement list grants nothing", () => {
        const statement = (Effect: string) => ({ Effect, Action: ["s3:*"], Resource: ["*"] });
        expect(isAllowed(JSON.stringify({ Statement: [statement("Deny"), statement("Allow")] }), "s3:GetObject", "arn:aws:s3:::b")).toBe(false);
        expect(isAllowed(JSON.stringify({ Statement: [statement("Allow"), statement("Deny")] }), "s3:GetObject", "arn:aws:s3:::b")).toBe(false);
        expect(isAllowed(JSON.stringify({ Statement: [statement("allow")] }), "s3:GetObject", "arn:aws:s3:::b")).toBe(false);
        expect(isAllowed(JSON.stringify({ Statement: statement("Allow") }), "s3:GetObject", "arn:aws:s3:::b")).toBe(false);
        expect(isAllowed(JSON.stringify({ Statement: [{ Effect: "Allow", Resource: ["*"] }] }), "s3:GetObject", "arn:aws:s3:::b")).toBe(false);
    });
});
