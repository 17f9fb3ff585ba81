/** The secrets of one app: the restic password, the Vault secret that holds every key, and the restore policy. */
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { ADOPTED_FIELDS } from "../adopt";
import { DEFAULT_NAME_PREFIX, DEFAULT_VAULT_MOUNT } from "../naming";
import { vaultRestorePolicy, vaultRestorePolicyName } from "../restoreAccess";
import { BuildContext, kept, Reader } from "./context";
import { generatedSecret } from "./identities";

/**
 * The repository password: the only key to existing snapshots, so kept even if the app goes. An
 * adopted repository keeps the password it was made with, read from Vault: never a new one.
 */
export function buildResticPassword(ctx: BuildContext): pulumi.Output<string> {
    if (ctx.adopted) return ctx.adopted.field(ADOPTED_FIELDS.password);
    return generatedSecret(ctx, "restic-password", 48).result;
}

/** Where the app's secret lives: `<mount>/<name>`. */
export function vaultPathOf(ctx: BuildContext): string {
    return `${ctx.args.vaultMount ?? DEFAULT_VAULT_MOUNT}/${ctx.names.vaultSecret}`;
}

/**
 * The Vault KV v2 secret with the password and the keys. Field names are the original Ansible
 * lookups' (`password`, `access_key`), plus the rest. The reader's keys come after them, and only
 * when there is a reader: the existing fields keep their values (nothing is rotated), and an app
 * without a reader keeps exactly the secret it had. `npm run restore` prefers the reader's keys.
 */
export function buildVaultSecret(
    ctx: BuildContext,
    keys: { resticPassword: pulumi.Output<string>; writer: { user: { name: pulumi.Output<string> }; secretKey: pulumi.Output<string> }; reader?: Reader },
): vault.kv.SecretV2 {
    const { resticPassword, writer, reader } = keys;
    return new vault.kv.SecretV2(
        `${ctx.name}-vault-secret`,
        {
            mount: ctx.args.vaultMount ?? DEFAULT_VAULT_MOUNT,
            name: ctx.names.vaultSecret,
            dataJson: pulumi.secret(
                pulumi.jsonStringify({
                    password: resticPassword,
                    access_key: writer.user.name,
                    secret_key: writer.secretKey,
                    repository: ctx.repository,
                    ...(reader ? { reader_access_key: reader.user.name, reader_secret_key: reader.secretKey } : {}),
                }),
            ),
        },
        // The password is the only key to existing snapshots: keep it even if the app goes.
        { ...kept(ctx), ...ctx.adoption.secret },
    );
}

/** Least privilege for restores: a Vault policy that reads this app's secret and nothing else. */
export function buildRestorePolicy(ctx: BuildContext): vault.Policy {
    const { args, names } = ctx;
    return new vault.Policy(
        `${ctx.name}-restore-policy`,
        {
            name: vaultRestorePolicyName(args.app, args.namePrefix ?? DEFAULT_NAME_PREFIX),
            policy: vaultRestorePolicy(args.vaultMount ?? DEFAULT_VAULT_MOUNT, names.vaultSecret),
        },
        { parent: ctx.parent },
    );
}
