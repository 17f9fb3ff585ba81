/**
 * The restore drill of one app: a container on the app's host that restores a sample of the
 * newest snapshot and checks a slice of the repository every day, with the reader's keys only. No
 * Docker socket, no Compose project label (stack-back would count it among the app's containers).
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { AppBackupRestoreDrillArgs, drillSettings } from "../appBackupArgs";
import { DRILL_DIR, DRILL_SCRATCH_DIR, drillContainerSpec } from "../restoreDrill";
import { DEFAULT_STACKBACK_IMAGE } from "../stackback";
import { BuildContext, caMount, caPathIn, CONTAINER_LOGS, containerEnvs, Reader } from "./context";

/** Where the drill finds MinIO's CA when it is given as PEM text (uploaded next to its scripts). */
export const DRILL_CA_FROM_PEM = `${DRILL_DIR}/ca.pem`;

/** The drill's image: the sidecar's unless another is asked for (it has restic, sh, python3 and crond). */
export function drillImage(ctx: BuildContext, drill: AppBackupRestoreDrillArgs, sidecarImage: docker.RemoteImage): docker.RemoteImage {
    const own = drill.image !== undefined && drill.image !== (ctx.args.image ?? DEFAULT_STACKBACK_IMAGE);
    return own ? new docker.RemoteImage(`${ctx.name}-drill-image`, { name: drill.image as string, keepLocally: true }, { parent: ctx.parent }) : sidecarImage;
}

/** The drill container, its metrics volume and its scratch volume; it starts once the repository exists. */
export function buildDrill(
    ctx: BuildContext,
    drill: AppBackupRestoreDrillArgs,
    keys: { resticPassword: pulumi.Output<string>; reader: Reader; image: docker.RemoteImage; after: pulumi.Resource },
): docker.Container {
    const { name, args, parent } = ctx;
    const caPath = caPathIn(args, DRILL_CA_FROM_PEM);
    const spec = drillContainerSpec({
        app: args.app,
        group: args.group ?? "",
        host: args.host ?? "",
        repository: ctx.repository,
        resticPassword: "",
        accessKeyId: ctx.names.readerUser,
        secretAccessKey: "",
        schedule: drill.schedule,
        port: drill.port,
        timezone: args.timezone,
        ...(caPath !== undefined ? { caCertPath: caPath } : {}),
        ...drillSettings(drill),
    });
    const image = drillImage(ctx, drill, keys.image);
    // The metrics keep the last success across re-creation; the scratch space keeps restored
    // samples out of the container's writable layer (the drill empties it on every run).
    const volumes = spec.volumes.map((v, i) => new docker.Volume(`${name}-drill-${i === 0 ? "metrics" : `volume-${i}`}`, { name: v.volumeName }, { parent }));
    const scratch = new docker.Volume(`${name}-drill-scratch`, { name: `${args.app}_restore_drill_scratch` }, { parent });
    return new docker.Container(
        `${name}-restore-drill`,
        {
            name: spec.name,
            image: image.repoDigest,
            command: spec.command,
            envs: containerEnvs(spec.envs, { RESTIC_PASSWORD: keys.resticPassword, AWS_SECRET_ACCESS_KEY: keys.reader.secretKey }),
            uploads: [
                ...spec.uploads.map((u) => ({ file: u.file, content: u.content, executable: u.executable })),
                // A CA certificate is public: it may sit in the container's inputs.
                ...(args.minioCaCert !== undefined ? [{ file: DRILL_CA_FROM_PEM, content: args.minioCaCert, executable: false }] : []),
            ],
            labels: spec.labels,
            ports: spec.ports,
            volumes: [
                ...spec.volumes.map((v, i) => ({ volumeName: volumes[i].name, containerPath: v.containerPath })),
                { volumeName: scratch.name, containerPath: DRILL_SCRATCH_DIR },
                ...caMount(args),
            ],
            restart: spec.restart,
            ...CONTAINER_LOGS,
        },
        // Only once the repository exists and the reader may read it.
        { parent, dependsOn: [keys.reader.attachment, keys.after] },
    );
}
