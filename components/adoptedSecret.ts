/**
 * Reading an adopted app's secret values from Vault: the repository's password (and the keys of a
 * kept MinIO user), never a new one.
 *
 * The read is a data source (`vault.kv.getSecretV2Output`), so it runs at every preview and up
 * and nothing of it is stored in the state; its values are wrapped as secrets before anything
 * uses them. terraform-provider-vault (91f91c5c, what @pulumi/vault 7.8.0 bridges;
 * vault/data_source_kv_secret_v2.go `kvSecretV2DataSourceRead`) reads `<mount>/data/<name>` with
 * `?version=N` when a version is given, fails with "no secret found" when there is nothing at the
 * path, and leaves `data` empty for a deleted or destroyed version: each case stops the program
 * here with a message instead of a password.
 */
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { AdoptedVaultSecret, describeVaultSecret } from "./adopt";

/** An adopted secret, read once: each field as a secret output. */
export interface AdoptedSecret {
    /** A field's value (a secret); the program stops with a message when the field is missing or empty. */
    field(name: string): pulumi.Output<string>;
}

/** The message when a field of the adopted secret is missing or empty. */
export function missingFieldMessage(secret: AdoptedVaultSecret, field: string, present: readonly string[]): string {
    const where = describeVaultSecret(secret);
    if (present.length === 0) {
        return `the adopted Vault secret ${where} holds no data: that version was deleted or destroyed. Undelete it (vault kv undelete -mount=${secret.mount} -versions=<n> ${secret.name}) or pin adopt.vaultSecret.version to a version that holds the repository's password`;
    }
    return `the adopted Vault secret ${where} has no field "${field}" (it has: ${[...present].sort().join(", ")}). Pin adopt.vaultSecret.version to the version that holds it (vault kv metadata get -mount=${secret.mount} ${secret.name} lists the versions)`;
}

/** Reads `secret` (at its pinned version) through the Vault provider of `parent`. */
export function readAdoptedSecret(secret: AdoptedVaultSecret, parent: pulumi.Resource): AdoptedSecret {
    const read = vault.kv.getSecretV2Output(
        { mount: secret.mount, name: secret.name, ...(secret.version !== undefined ? { version: secret.version } : {}) },
        { parent },
    );
    return {
        field: (name) =>
            pulumi.secret(
                read.data.apply((data) => {
                    const value = data?.[name];
                    if (typeof value !== "string" || value === "") throw new Error(missingFieldMessage(secret, name, Object.keys(data ?? {})));
                    return value;
                }),
            ),
    };
}
