/**
 * A consumer of the platform-backups library: two self-hosted apps on two Docker hosts, each with
 * its own backup pipeline. Nothing here reads platform-backups' stack config; every setting is
 * explicit, and the providers are this program's own.
 *
 * Credentials: MINIO_USER / MINIO_PASSWORD and VAULT_TOKEN in the environment (read by the
 * providers); SSH access to both hosts as a user in the `docker` group.
 */
import * as docker from "@pulumi/docker";
import * as minio from "@pulumi/minio";
import * as vault from "@pulumi/vault";
import { AppBackup } from "platform-backups";

const minioEndpoint = "minio.example.internal:9000";

const minioProvider = new minio.Provider("minio", { minioServer: minioEndpoint, minioSsl: true });
const vaultProvider = new vault.Provider("vault", { address: "https://vault.example.internal:8200" });

/** One Docker provider per host; its name is part of every child's identity, so keep it stable. */
const hosts = {
    vm4: "ssh://deploy@vm4.example.internal",
    vm5: "ssh://deploy@vm5.example.internal",
};
const dockerProviders = {
    vm4: new docker.Provider("docker-vm4", { host: hosts.vm4 }),
    vm5: new docker.Provider("docker-vm5", { host: hosts.vm5 }),
};

/** The wiki: two weeks of daily snapshots, at 01:30. */
const wiki = new AppBackup(
    "wiki",
    {
        app: "wiki",
        schedule: "30 1 * * *",
        minioEndpoint,
        retentionDays: 14,
        vaultMount: "kv",
        host: "vm4",
        dockerHost: hosts.vm4,
    },
    { providers: { minio: minioProvider, vault: vaultProvider, docker: dockerProviders.vm4 } },
);

/** The git server: its Compose project is called `forgejo`; an explicit keep policy at 03:00. */
const git = new AppBackup(
    "git",
    {
        app: "git",
        composeProject: "forgejo",
        schedule: "0 3 * * *",
        minioEndpoint,
        retentionDays: 60,
        keep: { daily: 14, weekly: 8, monthly: 12, yearly: 2 },
        vaultMount: "kv",
        host: "vm5",
        dockerHost: hosts.vm5,
    },
    { providers: { minio: minioProvider, vault: vaultProvider, docker: dockerProviders.vm5 } },
);

/** Where each app's backups are and where to find the credentials to restore them. */
export const backups = Object.fromEntries(
    Object.entries({ wiki, git }).map(([app, backup]) => [
        app,
        {
            bucket: backup.bucket,
            repositoryUrl: backup.repositoryUrl,
            vaultPath: backup.vaultPath,
            container: backup.containerName,
            schedule: backup.schedule,
        },
    ]),
);
