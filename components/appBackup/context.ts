/**
 * What the builders of {@link AppBackup} share: the component's context, the read-only identity,
 * the container environment with secrets swapped in, and the CA mount.
 */
import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import type { AdoptionPlan } from "../adopt";
import type { AdoptedSecret } from "../adoptedSecret";
import type { AppBackupArgs } from "../appBackupArgs";
import type { BackupNames } from "../naming";
import { CONTAINER_CA_PATH, type EnvEntry } from "../stackback";

/**
 * Characters allowed in generated secrets besides letters and digits. stack-back writes its
 * environment into a shell file inside single quotes without escaping, so quotes, backslash,
 * `$` and other shell-active characters are excluded.
 */
export const SECRET_SPECIAL_CHARACTERS = "-_.+=";

/** One app's pipeline as every builder sees it. */
export interface BuildContext {
    /** The component's resource name: every child's name starts with it. */
    name: string;
    args: AppBackupArgs;
    names: BackupNames;
    /** The restic repository URL. */
    repository: string;
    /** Every child's parent: the component. */
    parent: pulumi.Resource;
    /** Which children are imported instead of created, and how (empty when nothing is adopted). */
    adoption: AdoptionPlan;
    /** The adopted Vault secret, read at its pinned version, when a bucket is adopted. */
    adopted?: AdoptedSecret;
}

/** Children that hold backups or their keys: kept when removed from the program (never delete backups). */
export function kept(ctx: BuildContext): pulumi.CustomResourceOptions {
    return { parent: ctx.parent, retainOnDelete: true };
}

/** The app's read-only MinIO identity. */
export interface Reader {
    user: minio.IamUser;
    /** Its secret key (a secret output). */
    secretKey: pulumi.Output<string>;
    /** The policy attachment: anything that reads with the reader waits for it. */
    attachment: minio.IamUserPolicyAttachment;
}

/** Docker's log settings of every container of the pipeline: rotated, 30 MB at most. */
export const CONTAINER_LOGS = { logDriver: "json-file", logOpts: { "max-size": "10m", "max-file": "3" } };

/** The read-only mount of the host's CA file, when `minioCaCertPath` is set. */
export function caMount(args: AppBackupArgs): Array<{ hostPath: string; containerPath: string; readOnly: boolean }> {
    return args.minioCaCertPath !== undefined ? [{ hostPath: args.minioCaCertPath, containerPath: CONTAINER_CA_PATH, readOnly: true }] : [];
}

/** Where a container finds the CA: `fromPem` when given as PEM text, the mount when given as a path. */
export function caPathIn(args: AppBackupArgs, fromPem: string): string | undefined {
    return args.minioCaCert !== undefined ? fromPem : args.minioCaCertPath !== undefined ? CONTAINER_CA_PATH : undefined;
}

/**
 * `KEY=value` strings for a container, with the real secret values swapped in for the
 * placeholders of the pure env builders; each entry that carries a secret is a secret output.
 */
export function containerEnvs(env: readonly EnvEntry[], secretValues: Record<string, pulumi.Output<string>>): pulumi.Input<string>[] {
    return env.map((entry) => {
        // Only secret entries take a swapped-in value: a plain entry can never carry an Output.
        if (!entry.secret) return `${entry.name}=${entry.value}`;
        return pulumi.secret(pulumi.interpolate`${entry.name}=${secretValues[entry.name] ?? entry.value}`);
    });
}
