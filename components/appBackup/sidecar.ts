/** The stack-back sidecar of one app, and the deploy-time check that runs inside it. */
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { adoptionLabels } from "../adopt";
import {
    caWritingCommand,
    COMPOSE_PROJECT_LABEL,
    DEFAULT_CHECK_TIMEOUT_SECONDS,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_STACKBACK_IMAGE,
    DOCKER_SOCKET,
    keepPolicyForRetention,
    repositoryCheckCommand,
    SIDECAR_CA_FROM_PEM,
    SIDECAR_CACHE_PATH,
    SIDECAR_DOCKER_SOCKET,
    SIDECAR_START,
    sidecarEnv,
} from "../stackback";
import { BuildContext, caMount, caPathIn, CONTAINER_LOGS, containerEnvs, kept } from "./context";

/** The sidecar's labels: its Compose project (how stack-back finds what to back up) and where it belongs. */
export function sidecarLabels(ctx: BuildContext): Array<{ label: string; value: string }> {
    const { args } = ctx;
    return [
        { label: COMPOSE_PROJECT_LABEL, value: args.composeProject ?? args.app },
        { label: "platform-backups.app", value: args.app },
        ...(args.group ? [{ label: "platform-backups.group", value: args.group }] : []),
        ...(args.host ? [{ label: "platform-backups.host", value: args.host }] : []),
        // Where an adopted app's repository and password come from (a policy rule reads them).
        ...adoptionLabels(args.adopt),
    ];
}

/** The sidecar: its image, its restic cache volume and its container, with the writer's keys. */
export function buildSidecar(
    ctx: BuildContext,
    keys: { resticPassword: pulumi.Output<string>; writerSecretKey: pulumi.Output<string>; after: pulumi.Resource },
): { image: docker.RemoteImage; container: docker.Container } {
    const { name, args, names, parent } = ctx;
    const image = new docker.RemoteImage(`${name}-image`, { name: args.image ?? DEFAULT_STACKBACK_IMAGE, keepLocally: true }, { parent });
    // restic's cache survives a recreated sidecar, so a run does not download every index again.
    const cache = new docker.Volume(`${name}-cache`, { name: names.cacheVolume }, kept(ctx));
    const env = sidecarEnv({
        repository: ctx.repository,
        resticPassword: "",
        accessKeyId: names.writerUser,
        secretAccessKey: "",
        schedule: args.schedule,
        keep: args.keep ?? keepPolicyForRetention(args.retentionDays ?? DEFAULT_RETENTION_DAYS),
        logLevel: args.logLevel,
        timezone: args.timezone,
        caCertFile: caPathIn(args, SIDECAR_CA_FROM_PEM),
        caCertPem: args.minioCaCert,
        extra: args.extraEnv,
    });
    const container = new docker.Container(
        `${name}-sidecar`,
        {
            name: names.container,
            image: image.repoDigest,
            envs: containerEnvs(env, { RESTIC_PASSWORD: keys.resticPassword, AWS_SECRET_ACCESS_KEY: keys.writerSecretKey }),
            labels: sidecarLabels(ctx),
            // stack-back execs into database containers and starts helper containers, so it needs
            // the API. Mounting the socket read-only would not restrict the API; a socket proxy would.
            volumes: [
                { hostPath: DOCKER_SOCKET, containerPath: SIDECAR_DOCKER_SOCKET },
                { volumeName: cache.name, containerPath: SIDECAR_CACHE_PATH },
                ...caMount(args),
            ],
            ...(args.minioCaCert !== undefined ? { command: caWritingCommand(SIDECAR_CA_FROM_PEM, SIDECAR_START) } : {}),
            restart: "unless-stopped",
            // No hostname: stack-back finds its own container by hostname == container id.
            ...CONTAINER_LOGS,
        },
        { parent, dependsOn: [keys.after] },
    );
    return { image, container };
}

/**
 * The deploy-time check (unless `initRepository` is false): opens or initialises the repository
 * and runs stack-back's `rcb status` inside the sidecar, again whenever the sidecar is recreated.
 */
export function buildCheck(ctx: BuildContext, container: docker.Container, secret: pulumi.Resource): command.local.Command | undefined {
    const { args, names } = ctx;
    if (!(args.initRepository ?? true)) return undefined;
    const check = repositoryCheckCommand(
        {
            container: names.container,
            timeoutSeconds: args.checkTimeoutSeconds ?? DEFAULT_CHECK_TIMEOUT_SECONDS,
            requireLabels: args.requireLabels ?? true,
            composeProject: args.composeProject ?? args.app,
            ...(ctx.adoption.summary !== undefined ? { adoptedFrom: ctx.adoption.summary } : {}),
        },
        { dockerHost: args.dockerHost, sshOpts: args.sshOpts, tls: args.dockerTls },
    );
    return new command.local.Command(
        `${ctx.name}-repository-init`,
        {
            create: check.create,
            ...(Object.keys(check.environment).length > 0 ? { environment: check.environment } : {}),
            // Re-run whenever the sidecar is recreated (new image, credentials or schedule).
            triggers: [container.id],
        },
        { parent: ctx.parent, dependsOn: [container, secret] },
    );
}
