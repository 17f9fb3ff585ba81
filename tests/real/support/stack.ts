/**
 * The real tier's harness for the containers the program generates: the sidecar, the exporter and
 * the restore drill are taken from an `AppBackup` registered under Pulumi's mock engine (their
 * inputs as the Docker provider would receive them, never retyped) and created through the tier's
 * real dockerd, on images of the real upstream code (scripts/real/images.sh).
 *
 * What is substituted, and only this (SUBSTITUTIONS lists it for the tests that use it):
 * - the image: the pinned upstream image name resolves to the local image built from the same
 *   upstream tag (no registry is reachable);
 * - the host's Docker socket (`/var/run/docker.sock`) is the tier's own dockerd's socket;
 * - the network: each container has its own network namespace on the tier's bridge, with
 *   `$REAL_S3_HOSTNAME` in its /etc/hosts pointing at the relay to s3rver (the program sets no
 *   network: the default bridge, which this dockerd does not have); published ports are not
 *   published: Prometheus scrapes the container's bridge address on the same internal port;
 * - the S3 endpoint and CA: the component is given the tier's S3 server and its CA as a user gives
 *   them (`minioEndpoint`, `minioCaCert`), so nothing in the container settings changes for them.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EXPORTER_VERSION } from "../../../components/monitoring";
import { DEFAULT_STACKBACK_IMAGE, DOCKER_SOCKET } from "../../../components/stackback";
import type { Registered } from "../../support/pulumiMocks";
import { docker, ok, required, run, TOOLS } from "./engines";

/** What is substituted in the generated containers, for the tests to print and assert. */
export const SUBSTITUTIONS = [
    "image: the pinned upstream image -> a local image built offline from the same upstream tag (scripts/real/images.sh)",
    `volume: host ${DOCKER_SOCKET} -> the tier's dockerd socket`,
    "network: the default network -> the tier's bridge, plus /etc/hosts entry for the S3 relay",
    "ports: not published; Prometheus scrapes the container's bridge address on the internal port",
] as const;

/** Local images of the real upstream code. */
export const LOCAL_IMAGES = {
    stackBack: "platform-backups-real/stack-back:v1.5.4",
    exporter: `platform-backups-real/restic-exporter:${EXPORTER_VERSION}`,
    postgres: "platform-backups-real/postgres:17",
} as const;

/** The image settings of each local image, as the published image's Dockerfile has them. */
const IMAGE_SETTINGS: Record<keyof typeof LOCAL_IMAGES, { tar: string; changes: string[] }> = {
    // stack-back v1.5.4 src/Dockerfile: WORKDIR /restic-compose-backup, XDG_CACHE_HOME=/cache,
    // ENTRYPOINT [], CMD ["./entrypoint.sh"].
    stackBack: {
        tar: "base.tar",
        changes: [
            "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "ENV XDG_CACHE_HOME=/cache",
            "WORKDIR /restic-compose-backup",
            'CMD ["./entrypoint.sh"]',
        ],
    },
    // restic-exporter Dockerfile: ENTRYPOINT ["/sbin/tini", "--"], CMD python -u /app/exporter.py, EXPOSE 8001.
    exporter: {
        tar: "base.tar",
        changes: [
            "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            'ENTRYPOINT ["/sbin/tini", "--"]',
            'CMD ["/usr/local/bin/python", "-u", "/app/exporter.py"]',
            "EXPOSE 8001",
        ],
    },
    postgres: { tar: "postgres.tar", changes: ["ENV PATH=/usr/lib/postgresql/17/bin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] },
};

/** Imports the local images into the tier's dockerd, unless it holds them from the same build (stamp). */
export function ensureImages(): void {
    const stampFile = path.join(TOOLS, "images", ".stamp");
    if (!fs.existsSync(stampFile)) throw new Error(`${stampFile} is missing: run npm run setup:real`);
    const stamp = fs.readFileSync(stampFile, "utf8").trim();
    for (const key of Object.keys(LOCAL_IMAGES) as Array<keyof typeof LOCAL_IMAGES>) {
        const name = LOCAL_IMAGES[key];
        const have = docker(["image", "inspect", "--format", '{{index .Config.Labels "platform-backups-real.stamp"}}', name]);
        if (have.status === 0 && have.stdout.trim() === stamp) continue;
        const { tar, changes } = IMAGE_SETTINGS[key];
        const file = path.join(TOOLS, "images", tar);
        ok(
            docker(["import", ...[...changes, `LABEL platform-backups-real.stamp=${stamp}`].flatMap((c) => ["--change", c]), file, name]),
            `docker import ${name}`,
        );
    }
}

/** The local image for an image reference the program generated (a repo digest of the pinned name). */
export function localImage(generated: string): string {
    const name = generated.replace(/@sha256:[0-9a-f]{64}$/, "");
    if (name === DEFAULT_STACKBACK_IMAGE) return LOCAL_IMAGES.stackBack;
    if (name === `ngosang/restic-exporter:${EXPORTER_VERSION}`) return LOCAL_IMAGES.exporter;
    throw new Error(`no local image for ${generated}`);
}

/** A `docker.Container` as the program registered it (the provider's input names). */
export interface GeneratedContainer {
    name: string;
    image: string;
    envs: string[];
    command?: string[];
    labels?: Array<{ label: string; value: string }>;
    volumes?: Array<{ volumeName?: string; hostPath?: string; containerPath: string; readOnly?: boolean }>;
    uploads?: Array<{ file: string; content: string; executable?: boolean }>;
    ports?: Array<{ internal: number; external: number }>;
    restart?: string;
    logDriver?: string;
    logOpts?: Record<string, string>;
}

/** The registered `docker.Container` whose name is `name`. */
export function generatedContainer(registered: readonly Registered[], name: string): GeneratedContainer {
    const found = registered.filter((r) => r.type === "docker:index/container:Container" && r.inputs.name === name);
    if (found.length !== 1) throw new Error(`expected one docker.Container named ${name}, found ${found.length}`);
    return found[0].inputs as GeneratedContainer;
}

/** Creates and starts a generated container on the tier's dockerd, with only SUBSTITUTIONS applied. */
export function createGenerated(c: GeneratedContainer, extra: { envOverrides?: Record<string, string> } = {}): void {
    docker(["rm", "-f", "-v", c.name]);
    const flags: string[] = ["--name", c.name, "--network", required("REAL_NETWORK")];
    flags.push("--add-host", `${required("REAL_S3_HOSTNAME")}:${required("REAL_S3_GATEWAY")}`);
    if (c.restart) flags.push("--restart", c.restart);
    if (c.logDriver) flags.push("--log-driver", c.logDriver);
    for (const [k, v] of Object.entries(c.logOpts ?? {})) flags.push("--log-opt", `${k}=${v}`);
    for (const l of c.labels ?? []) flags.push("--label", `${l.label}=${l.value}`);
    for (const v of c.volumes ?? []) {
        if (v.volumeName) flags.push("-v", `${v.volumeName}:${v.containerPath}`);
        else if (v.hostPath === DOCKER_SOCKET) flags.push("-v", `${required("REAL_DOCKER_HOST").replace(/^unix:\/\//, "")}:${v.containerPath}`);
        else throw new Error(`host path ${v.hostPath} has no substitute in the real tier`);
    }
    // Env values reach `docker create` through its environment (`-e KEY`), never its command line;
    // DOCKER_* would redirect the CLI itself, and those are plain values.
    const passed: Record<string, string> = {};
    for (const entry of c.envs) {
        const key = entry.slice(0, entry.indexOf("="));
        const value = extra.envOverrides?.[key] ?? entry.slice(key.length + 1);
        if (key.startsWith("DOCKER_")) flags.push("-e", `${key}=${value}`);
        else {
            passed[key] = value;
            flags.push("-e", key);
        }
    }
    ok(docker(["create", ...flags, localImage(c.image), ...(c.command ?? [])], passed), `docker create ${c.name}`);
    if (c.uploads && c.uploads.length > 0) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "real-uploads-"));
        try {
            const tops = new Set<string>();
            for (const u of c.uploads) {
                const file = path.join(dir, u.file);
                fs.mkdirSync(path.dirname(file), { recursive: true });
                fs.writeFileSync(file, u.content, { mode: u.executable ? 0o755 : 0o644 });
                tops.add(u.file.split("/")[1]);
            }
            ok(run("tar", ["-C", dir, "-cf", `${dir}.tar`, ...tops]), "tar of the uploads");
            // `docker cp -` unpacks a tar stream at the destination, with the files' modes.
            ok(docker(["cp", "-", `${c.name}:/`], {}, fs.readFileSync(`${dir}.tar`)), "docker cp uploads");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
            fs.rmSync(`${dir}.tar`, { force: true });
        }
    }
    ok(docker(["start", c.name]), `docker start ${c.name}`);
}

/** State of a container: restarts, running, its bridge address. */
export function containerState(name: string): { running: boolean; restarts: number; pid: number; ip: string; startedAt: string } {
    const r = ok(docker(["inspect", "--format", "{{json .}}", name]), `docker inspect ${name}`);
    const j = JSON.parse(r.stdout) as {
        RestartCount: number;
        State: { Running: boolean; Pid: number; StartedAt: string };
        NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
    };
    const net = j.NetworkSettings.Networks[process.env.REAL_NETWORK ?? ""];
    return { running: j.State.Running, restarts: j.RestartCount, pid: j.State.Pid, ip: net?.IPAddress ?? "", startedAt: j.State.StartedAt };
}

/** The container's processes (`ps -o pid,args` inside it). */
export function processes(name: string): string {
    return ok(docker(["exec", name, "ps", "-o", "pid,args"]), `ps in ${name}`).stdout;
}

/** The container's log, both streams. */
export function logs(name: string): string {
    return docker(["logs", name]).output;
}

/** Waits until `probe` returns a value (not undefined), polling every `everyMs`; fails after `seconds`. */
export async function waitFor<T>(what: string, seconds: number, probe: () => T | undefined | Promise<T | undefined>, everyMs = 1000): Promise<T> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
        const v = await probe();
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
        await new Promise((r) => setTimeout(r, everyMs));
    }
}

/** One HTTP GET over plain http (metrics endpoints), with a short timeout. */
export async function httpGet(url: string): Promise<{ status: number; body: string; contentType: string }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 5000);
    try {
        const res = await fetch(url, { signal: controller.signal });
        return { status: res.status, body: await res.text(), contentType: res.headers.get("content-type") ?? "" };
    } finally {
        clearTimeout(timer);
    }
}

/**
 * Fails at once, with the host's routes, unless a container on the tier's bridge can open a TCP
 * connection to the S3 relay: without it every later step would only wait for its own timeout.
 * Call after ensureImages().
 */
export function assertBridgeReachesS3(): void {
    const [host, port] = required("REAL_S3_BRIDGE_ENDPOINT").split(":");
    const probe = docker([
        "run",
        "--rm",
        "--network",
        required("REAL_NETWORK"),
        "--add-host",
        `${host}:${required("REAL_S3_GATEWAY")}`,
        LOCAL_IMAGES.stackBack,
        "python3",
        "-c",
        `import socket; socket.create_connection(("${host}", ${Number(port)}), 5).close(); print("reached")`,
    ]);
    if (probe.status !== 0 || !/reached/.test(probe.stdout)) {
        let routes = "(ip is not installed)";
        try {
            routes = run("ip", ["route"]).output;
        } catch {
            // the message below says so
        }
        throw new Error(`a container on ${required("REAL_NETWORK")} cannot reach S3 at ${host}:${port}:\n${probe.output}\nhost routes:\n${routes}`);
    }
}

/**
 * Starts `<app>_web`, one container of the app's Compose project with a labelled volume
 * `<app>_data` at /data, as docs/operating.md tells users to label it, on the tier's bridge.
 * Removes a left one of the same name first. Returns its name.
 */
export function startLabelledWeb(app: string): string {
    const web = `${app}_web`;
    docker(["rm", "-f", "-v", web]);
    ok(
        docker([
            "run",
            "-d",
            "--name",
            web,
            "--network",
            required("REAL_NETWORK"),
            "--label",
            `com.docker.compose.project=${app}`,
            "--label",
            "com.docker.compose.service=web",
            "--label",
            "stack-back.volumes=true",
            "-v",
            `${app}_data:/data`,
            // Not the stack-back image: stack-back skips every container whose image name holds "stack-back" (containers.py).
            LOCAL_IMAGES.postgres,
            "sleep",
            "86400",
        ]),
        `starting ${web}`,
    );
    return web;
}
