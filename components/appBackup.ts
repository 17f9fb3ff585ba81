import * as pulumi from "@pulumi/pulumi";
import { buildCheck, buildSidecar } from "./appBackup/sidecar";
import { BuildContext } from "./appBackup/context";
import { buildDrill } from "./appBackup/drill";
import { buildExporter } from "./appBackup/exporter";
import { buildReader, buildWriter } from "./appBackup/identities";
import { buildResticPassword, buildRestorePolicy, buildVaultSecret, vaultPathOf } from "./appBackup/secret";
import { buildStorage } from "./appBackup/storage";
import { adoptedNames, adoptionPlan } from "./adopt";
import { readAdoptedSecret } from "./adoptedSecret";
import { AppBackupArgs, validateAppBackupArgs } from "./appBackupArgs";
import { backupNames, DEFAULT_VAULT_MOUNT } from "./naming";
import { restoreTokenCommand } from "./restoreAccess";
import { repositoryUrl } from "./stackback";

// The arguments and the builders' shared names, exported here as before.
export type { AppBackupArgs, AppBackupMonitoringArgs, AppBackupRestoreDrillArgs } from "./appBackupArgs";
export { validateAppBackupArgs } from "./appBackupArgs";
export { SECRET_SPECIAL_CHARACTERS } from "./appBackup/context";
export { DRILL_CA_FROM_PEM } from "./appBackup/drill";

/** The component's type token; the `index` module keeps multi-language packaging possible. */
export const APP_BACKUP_TYPE = "platform-backups:index:AppBackup";

/**
 * One app's isolated, restic-based backup pipeline: a versioned MinIO bucket with a restic-safe
 * lifecycle, a MinIO user that reaches only that bucket, secrets in Vault, a stack-back sidecar on
 * the app's Docker host, and the restic repository initialised at deploy time.
 *
 * Providers (MinIO, Vault, Docker for the app's host) are passed with `opts.providers`.
 * The children are built by the named builders of `appBackup/` (storage, identities, secret,
 * sidecar and check, exporter, drill); their names are the component's name plus a suffix, as
 * before the builders existed (tests/prodUrns.test.ts holds the prod stack's URNs).
 */
export class AppBackup extends pulumi.ComponentResource {
    /** Name of the MinIO bucket that holds the restic repository. */
    public readonly bucket: pulumi.Output<string>;
    /** The restic repository URL, `s3:https://<endpoint>/<bucket>`. */
    public readonly repositoryUrl: pulumi.Output<string>;
    /**
     * Where the secrets live in Vault, `<mount>/<name>` (`vault kv get <vaultPath>`): `password`,
     * `access_key`, `secret_key`, `repository`, and with monitoring or a drill `reader_access_key`
     * and `reader_secret_key`.
     */
    public readonly vaultPath: pulumi.Output<string>;
    /** The S3 access key id (the MinIO user) the sidecar writes with. Not a secret. */
    public readonly accessKeyId: pulumi.Output<string>;
    /** Name of the stack-back container on the app's host, `<app>_stackback`. */
    public readonly containerName: pulumi.Output<string>;
    /** The cron schedule stack-back runs the backup on. */
    public readonly schedule: pulumi.Output<string>;
    /** Name of the Vault policy that reads only this app's secret (mint restore tokens with it). */
    public readonly restorePolicyName: pulumi.Output<string>;
    /** The `vault token create` command that mints a one-hour token for a restore of this app. */
    public readonly restoreTokenCommand: pulumi.Output<string>;
    /** The restore drill's cron schedule, or undefined when the app has no drill. */
    public readonly drillSchedule: pulumi.Output<string | undefined>;
    /** Name of the restore drill's container, or undefined when the app has no drill. */
    public readonly drillContainerName: pulumi.Output<string | undefined>;

    constructor(name: string, args: AppBackupArgs, opts: pulumi.ComponentResourceOptions = {}) {
        const problems = validateAppBackupArgs(args);
        if (problems.length > 0) {
            // Thrown before super(): not even the component is registered on bad input.
            throw new pulumi.RunError(`AppBackup "${name}" has invalid arguments; nothing was created:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        }
        super(APP_BACKUP_TYPE, name, {}, opts);
        // An adopted bucket and kept users take the place of the program's names.
        const names = adoptedNames(backupNames(args.app, { namePrefix: args.namePrefix, vaultNamePrefix: args.vaultNamePrefix }), args.adopt);
        const repository = repositoryUrl(args.minioEndpoint, names.bucket, args.minioSsl ?? true);
        // What is imported instead of created, by which ID, protected until the adoption is proven.
        const adoption = adoptionPlan(args.adopt, { mount: args.vaultMount ?? DEFAULT_VAULT_MOUNT, name: names.vaultSecret });
        const adopted = args.adopt?.bucket && args.adopt.vaultSecret ? readAdoptedSecret(args.adopt.vaultSecret, this) : undefined;
        const ctx: BuildContext = { name, args, names, repository, parent: this, adoption, ...(adopted ? { adopted } : {}) };

        const { bucket } = buildStorage(ctx);
        const resticPassword = buildResticPassword(ctx);
        const writer = buildWriter(ctx);
        // The read-only identity, shared by the exporter and the restore drill (and `npm run restore`).
        const reader = args.monitoring || args.restoreDrill ? buildReader(ctx) : undefined;
        const secret = buildVaultSecret(ctx, { resticPassword, writer, reader });
        const sidecar = buildSidecar(ctx, { resticPassword, writerSecretKey: writer.secretKey, after: writer.attachment });
        const after = buildCheck(ctx, sidecar.container, secret) ?? sidecar.container;
        if (args.monitoring && reader) buildExporter(ctx, args.monitoring, { resticPassword, reader, after });
        const drill = args.restoreDrill && reader ? buildDrill(ctx, args.restoreDrill, { resticPassword, reader, image: sidecar.image, after }) : undefined;
        const restorePolicy = buildRestorePolicy(ctx);

        this.bucket = bucket.bucket;
        this.repositoryUrl = pulumi.output(repository);
        this.vaultPath = pulumi.output(vaultPathOf(ctx));
        this.accessKeyId = writer.user.name;
        this.containerName = sidecar.container.name;
        this.schedule = pulumi.output(args.schedule);
        this.restorePolicyName = restorePolicy.name;
        this.restoreTokenCommand = restorePolicy.name.apply((policyName) => restoreTokenCommand(policyName));
        this.drillSchedule = pulumi.output(args.restoreDrill?.schedule);
        this.drillContainerName = drill ? drill.name.apply((n): string | undefined => n) : pulumi.output(undefined);
        this.registerOutputs({
            bucket: this.bucket,
            repositoryUrl: this.repositoryUrl,
            vaultPath: this.vaultPath,
            accessKeyId: this.accessKeyId,
            containerName: this.containerName,
            schedule: this.schedule,
            restorePolicyName: this.restorePolicyName,
            restoreTokenCommand: this.restoreTokenCommand,
            drillSchedule: this.drillSchedule,
            drillContainerName: this.drillContainerName,
        });
    }
}
