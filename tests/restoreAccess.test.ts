import { isAllowed, PolicyDocument, resticReaderPolicy, resticWriterPolicy } from "../components/iamPolicy";
import { backupNames } from "../components/naming";
import {
    allowedWriteActions,
    deniedCalls,
    kvV2Paths,
    restoreIdentityProblems,
    restoreTokenCommand,
    RESTIC_S3_CALLS,
    vaultRestorePolicy,
    vaultRestorePolicyName,
} from "../components/restoreAccess";

const BUCKET = backupNames("gitlab").bucket;

describe("the exporter's read-only MinIO policy as the restore identity", () => {
    test("allows every read restic makes with --no-lock (snapshots, ls, restore, check --read-data-subset)", () => {
        expect(deniedCalls(resticReaderPolicy(BUCKET), BUCKET, RESTIC_S3_CALLS.readNoLock)).toEqual([]);
    });

    test("refuses the lock file a restore without --no-lock would write: --no-lock is required", () => {
        expect(deniedCalls(resticReaderPolicy(BUCKET), BUCKET, RESTIC_S3_CALLS.lock)).toEqual([
            `s3:PutObject on arn:aws:s3:::${BUCKET}/locks/0000 (write a lock file) is not allowed`,
            `s3:DeleteObject on arn:aws:s3:::${BUCKET}/locks/0000 (remove the lock file) is not allowed`,
        ]);
    });

    test("allows no write of any kind: nothing a drill or restore does can change the repository", () => {
        expect(allowedWriteActions(resticReaderPolicy(BUCKET), BUCKET)).toEqual([]);
        expect(restoreIdentityProblems(resticReaderPolicy(BUCKET), BUCKET)).toEqual([]);
    });

    test("reaches no other app's bucket", () => {
        const other = backupNames("n8n").bucket;
        expect(isAllowed(resticReaderPolicy(BUCKET), "s3:GetObject", `arn:aws:s3:::${other}/config`)).toBe(false);
        expect(deniedCalls(resticReaderPolicy(BUCKET), other, RESTIC_S3_CALLS.readNoLock).length).toBe(RESTIC_S3_CALLS.readNoLock.length);
    });

    test("the writer's policy is not a restore identity, and neither is s3:*", () => {
        expect(restoreIdentityProblems(resticWriterPolicy(BUCKET), BUCKET)).toEqual([
            `s3:PutObject on arn:aws:s3:::${BUCKET}/* is allowed; a restore identity must not be able to change the repository`,
            `s3:DeleteObject on arn:aws:s3:::${BUCKET}/* is allowed; a restore identity must not be able to change the repository`,
        ]);
        const star: PolicyDocument = {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: ["s3:*"], Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`] }],
        };
        expect(allowedWriteActions(star, BUCKET)).toContain(`s3:DeleteBucket on arn:aws:s3:::${BUCKET}`);
    });

    test("a read-only policy missing ListBucket is reported", () => {
        const noList: PolicyDocument = {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: [`arn:aws:s3:::${BUCKET}/*`] }],
        };
        expect(restoreIdentityProblems(noList, BUCKET)).toEqual([
            `s3:GetBucketLocation on arn:aws:s3:::${BUCKET} (find the bucket's region) is not allowed`,
            `s3:ListBucket on arn:aws:s3:::${BUCKET} (list keys, snapshots, indexes and packs) is not allowed`,
        ]);
    });
});

describe("the per-app Vault restore policy", () => {
    const hcl = vaultRestorePolicy("ansible", "stackback_gitlab");

    test("reads the data and metadata paths of one secret, nothing else", () => {
        const blocks = [...hcl.matchAll(/path "([^"]+)" \{\s*capabilities = \[([^\]]*)\]\s*\}/g)].map((m) => [m[1], m[2]]);
        expect(blocks).toEqual([
            ["ansible/data/stackback_gitlab", '"read"'],
            ["ansible/metadata/stackback_gitlab", '"read"'],
        ]);
        expect(hcl).not.toMatch(/[*+]/);
        expect(hcl).not.toContain("list");
    });

    test("refuses names that would widen it", () => {
        expect(() => kvV2Paths("ansible", "stackback_*")).toThrow("no glob");
        expect(() => kvV2Paths("ansible", "../sys")).toThrow();
        expect(() => kvV2Paths('an"sible', "x")).toThrow();
        expect(kvV2Paths("kv/team", "stackback_n8n")).toEqual({ data: "kv/team/data/stackback_n8n", metadata: "kv/team/metadata/stackback_n8n" });
    });

    test("a one-hour token with only that policy", () => {
        const cmd = restoreTokenCommand(vaultRestorePolicyName("gitlab"));
        expect(cmd).toBe(
            "vault token create -policy=restic-stackback-gitlab-restore -ttl=1h -explicit-max-ttl=1h -no-default-policy -display-name=restore -field=token",
        );
    });
});
