/**
 * The restic exporter of one app: a container that reads the repository with the reader's keys
 * (never the writer's) and `--no-lock`, so reading needs no write access.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { AppBackupMonitoringArgs } from "../appBackupArgs";
import {
    EXPORTER_CA_FROM_PEM,
    EXPORTER_CACHE_PATH,
    EXPORTER_COMMAND,
    EXPORTER_IMAGE,
    EXPORTER_PORT,
    EXPORTER_START,
    exporterEnv,
    exporterLabels,
} from "../monitoring";
import { caWritingCommand } from "../stackback";
import { BuildContext, caMount, caPathIn, CONTAINER_LOGS, containerEnvs, Reader } from "./context";

/** The exporter's image, cache volume (kept) and container; it starts once the repository exists. */
export function buildExporter(
    ctx: BuildContext,
    monitoring: AppBackupMonitoringArgs,
    keys: { resticPassword: pulumi.Output<string>; reader: Reader; after: pulumi.Resource },
): docker.Container {
    const { name, args, names, parent } = ctx;
    const image = new docker.RemoteImage(`${name}-exporter-image`, { name: monitoring.image ?? EXPORTER_IMAGE, keepLocally: true }, { parent });
    const cache = new docker.Volume(`${name}-exporter-cache`, { name: names.exporterCacheVolume }, { parent, retainOnDelete: true });
    const env = exporterEnv({
        repository: ctx.repository,
        resticPassword: "",
        accessKeyId: names.readerUser,
        secretAccessKey: "",
        refreshIntervalSeconds: monitoring.refreshIntervalSeconds,
        timezone: args.timezone,
        caCertFile: caPathIn(args, EXPORTER_CA_FROM_PEM),
        caCertPem: args.minioCaCert,
    });
    return new docker.Container(
        `${name}-exporter`,
        {
            name: names.exporterContainer,
            image: image.repoDigest,
            envs: containerEnvs(env, { RESTIC_PASSWORD: keys.resticPassword, AWS_SECRET_ACCESS_KEY: keys.reader.secretKey }),
            labels: exporterLabels({ app: args.app, group: args.group ?? "", host: args.host ?? "" }),
            ports: [{ internal: EXPORTER_PORT, external: monitoring.port }],
            volumes: [{ volumeName: cache.name, containerPath: EXPORTER_CACHE_PATH }, ...caMount(args)],
            // Always this start: the exporter's own code, with "no backup yet" given a metric (EXPORTER_START_PYTHON).
            command: args.minioCaCert !== undefined ? caWritingCommand(EXPORTER_CA_FROM_PEM, EXPORTER_START) : [...EXPORTER_COMMAND],
            restart: "unless-stopped",
            ...CONTAINER_LOGS,
        },
        // Only once the repository exists: the exporter reads it at start.
        { parent, dependsOn: [keys.reader.attachment, keys.after] },
    );
}
