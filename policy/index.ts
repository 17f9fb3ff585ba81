/**
 * The `platform-backups` policy pack: `pulumi preview --policy-pack policy` (or `pulumi up ...`).
 * The rules live in ./rules.ts as plain validators so that tests call them without the CLI.
 */
import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./rules";

new PolicyPack("platform-backups", {
    description:
        "Keeps per-app restic backups on MinIO recoverable: no expiry of current objects, least-privilege IAM, guarded buckets, a working stack-back sidecar.",
    policies: allPolicies,
});
