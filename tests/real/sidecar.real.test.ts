/**
 * The deploy-time repository step and a backup round trip, with real engines: the component runs
 * under Pulumi's mock engine only to produce what it would deploy; everything it deploys is then
 * run for real. The `-repository-init` command's `create` string and `environment` are run
 * verbatim by `/bin/sh`, against a real dockerd, into a real container named as the component
 * names the sidecar, holding restic 0.18 and the sidecar's environment as the component gives it;
 * the repository lives on a real S3 server (s3rver, TLS). The one stand-in is `rcb`
 * (scripts/real/image/rcb). What differs from production: the image (not stack-back's), S3
 * credentials are not checked by s3rver, and the test CA is added as RESTIC_CACERT when the
 * component gives none.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { installMocks, Registered, settle, valueOf } from "../support/pulumiMocks";
import { bucketKeys, createBucket, docker, ensureSidecarImage, ok, required, runShell, SIDECAR_TEST_IMAGE, Run } from "./support/engines";

const registered = installMocks();

// Imported after the mocks so that the component registers against them.
import { AppBackup, AppBackupArgs } from "../../components/appBackup";

const TYPES = {
    container: "docker:index/container:Container",
    command: "command:local:Command",
};

/**
 * The time bound given to the component for every restic call of the deploy-time check
 * (`checkTimeoutSeconds`), and the slack allowed on top of it for
 * `docker exec` and the shell. The test cannot pass before the component bounds its restic calls.
 */
const CHECK_TIMEOUT_SECONDS = 20;
const TIME_SLACK_SECONDS = 15;

/** Where the test CA goes in the container when the component names no RESTIC_CACERT of its own. */
const TEST_CA_PATH = "/etc/platform-backups-real/ca.pem";

/** Test credentials, put where the component has its secret values. */
const TEST_PASSWORD = `real-${crypto.randomBytes(12).toString("hex")}`;
const TEST_SECRET_KEY = `real-${crypto.randomBytes(16).toString("hex")}`;

/** A unique app per run, so every run starts from a bucket nobody used. */
const RUN_ID = `${Date.now().toString(36)}${crypto.randomBytes(2).toString("hex")}`;

/** What the component deploys for one app, as the real tier needs it. */
interface Deployed {
    app: string;
    /** The sidecar container's name, from the mocked `docker.Container`. */
    containerName: string;
    /** The sidecar's env, `KEY=value`, with the test credentials in place of the secret values. */
    env: string[];
    /** The init command's `create`, verbatim. */
    create: string;
    /** The init command's `environment`, verbatim. */
    environment: Record<string, string>;
    bucket: string;
}

let componentCount = 0;

/** Builds one AppBackup under mocks and reads what it would deploy. */
async function deploy(app: string, overrides: Partial<AppBackupArgs> = {}): Promise<Deployed> {
    const name = `real-${++componentCount}`;
    // Settings the component may not know yet are passed through a spread, so that this file
    // type-checks both before and after they exist (checkTimeoutSeconds).
    const contract: Record<string, unknown> = { checkTimeoutSeconds: CHECK_TIMEOUT_SECONDS };
    const args: AppBackupArgs = {
        app,
        schedule: "0 2 * * *",
        minioEndpoint: required("REAL_S3_ENDPOINT"),
        minioSsl: true,
        dockerHost: required("REAL_DOCKER_HOST"),
        ...contract,
        ...overrides,
    };
    const component = new AppBackup(name, args);
    const containerName = await valueOf(component.containerName);
    const bucket = await valueOf(component.bucket);
    await settle();
    const mine = (type: string): Registered[] => registered.filter((r) => r.type === type && r.name.startsWith(`${name}-`));

    const commands = mine(TYPES.command).filter((r) => r.name.endsWith("-repository-init"));
    if (commands.length !== 1) throw new Error(`expected one command:local:Command named *-repository-init, found ${commands.length}`);
    const init = commands[0];
    // The sidecar: the container whose name the init command execs into.
    const sidecars = mine(TYPES.container).filter((r) => r.inputs.name === containerName);
    if (sidecars.length !== 1) throw new Error(`expected one container named ${containerName}, found ${sidecars.length}`);
    const sidecar = sidecars[0];

    const env = (sidecar.inputs.envs as string[]).map((entry) => {
        const key = entry.slice(0, entry.indexOf("="));
        if (key === "RESTIC_PASSWORD") return `${key}=${TEST_PASSWORD}`;
        if (key === "AWS_SECRET_ACCESS_KEY") return `${key}=${TEST_SECRET_KEY}`;
        return entry;
    });
    return {
        app,
        containerName,
        env,
        create: init.inputs.create as string,
        environment: (init.inputs.environment ?? {}) as Record<string, string>,
        bucket,
    };
}

/** Value of one `KEY=value` entry. */
function envValue(env: readonly string[], key: string): string | undefined {
    const entry = env.find((e) => e.startsWith(`${key}=`));
    return entry?.slice(key.length + 1);
}

/**
 * Starts the sidecar as a real container: the component's name and env, the test image, the
 * host's network (dockerd runs without a bridge; s3rver listens on 127.0.0.1). Env values reach
 * `docker run` through its own environment (`-e KEY`), never its command line.
 */
function startSidecar(d: Deployed, envOverrides: Record<string, string> = {}): void {
    docker(["rm", "-f", d.containerName]);
    const env = d.env.map((e) => {
        const key = e.slice(0, e.indexOf("="));
        return key in envOverrides ? `${key}=${envOverrides[key]}` : e;
    });
    const caPath = envValue(env, "RESTIC_CACERT") ?? TEST_CA_PATH;
    if (envValue(env, "RESTIC_CACERT") === undefined) env.push(`RESTIC_CACERT=${TEST_CA_PATH}`);
    // What the rcb stand-in cannot read from Docker labels: the project and a labelled service.
    env.push(`RCB_STANDIN_PROJECT=${d.app}`, `RCB_STANDIN_SERVICES=${d.app}`);
    const passed: Record<string, string> = {};
    const flags: string[] = [];
    for (const entry of env) {
        const key = entry.slice(0, entry.indexOf("="));
        // The docker CLI reads DOCKER_* itself (the sidecar's DOCKER_HOST would redirect this very
        // `docker run`): those plain values go on the command line, every other one through `-e KEY`.
        if (key.startsWith("DOCKER_")) {
            flags.push("-e", entry);
            continue;
        }
        passed[key] = entry.slice(key.length + 1);
        flags.push("-e", key);
    }
    ok(
        docker(
            [
                "run",
                "-d",
                "--name",
                d.containerName,
                "--network",
                "host",
                "-v",
                `${required("REAL_S3_CACERT")}:${caPath}:ro`,
                ...flags,
                SIDECAR_TEST_IMAGE,
                "sleep",
                "86400",
            ],
            passed,
        ),
        `starting container ${d.containerName}`,
    );
}

/** Runs the init command's `create` string under /bin/sh with its `environment`, as the command provider does. */
function runInit(d: Deployed, killAfterSeconds = 300): Promise<Run> {
    return runShell(d.create, d.environment, killAfterSeconds);
}

/** restic inside the sidecar, with the sidecar's own environment. */
function resticInSidecar(d: Deployed, args: readonly string[]): Run {
    return docker(["exec", d.containerName, "restic", ...args]);
}

const started: string[] = [];
afterAll(() => {
    for (const name of started) docker(["rm", "-f", name]);
});

beforeAll(() => {
    ensureSidecarImage();
    const version = ok(docker(["run", "--rm", SIDECAR_TEST_IMAGE, "restic", "version"]), "restic version in the test image");
    expect(version.stdout).toMatch(/^restic 0\.18\./);
});

describe("deploy-time repository step, as the component generates it", () => {
    let d: Deployed;
    beforeAll(async () => {
        d = await deploy(`init-${RUN_ID}`);
        await createBucket(d.bucket);
        startSidecar(d);
        started.push(d.containerName);
    });

    test("the command targets the component's sidecar over the given Docker host", () => {
        expect(d.create).toContain(d.containerName);
        expect(d.environment.DOCKER_HOST).toBe(required("REAL_DOCKER_HOST"));
    });

    test("a new repository is initialised", async () => {
        // Before: restic >= 0.17 says "no repository" with exit code 10.
        expect(resticInSidecar(d, ["cat", "config"]).status).toBe(10);
        const r = await runInit(d);
        expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: expect.any(String) });
        const config = JSON.parse(ok(resticInSidecar(d, ["cat", "config"]), "restic cat config").stdout) as { id: string; version: number };
        expect(config.id).toMatch(/^[0-9a-f]{64}$/);
        expect(await bucketKeys(d.bucket)).toEqual(expect.arrayContaining(["config"]));
    });

    test("a second run changes nothing", async () => {
        const configBefore = ok(resticInSidecar(d, ["cat", "config"]), "restic cat config").stdout;
        const keysBefore = await bucketKeys(d.bucket);
        const r = await runInit(d);
        expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: expect.any(String) });
        expect(await bucketKeys(d.bucket)).toEqual(keysBefore);
        expect(ok(resticInSidecar(d, ["cat", "config"]), "restic cat config").stdout).toBe(configBefore);
    });

    test("a wrong password fails with restic's message and leaves the repository alone", async () => {
        const keysBefore = await bucketKeys(d.bucket);
        // A changed password recreates the sidecar (envs changed), and the command runs again.
        startSidecar(d, { RESTIC_PASSWORD: `${TEST_PASSWORD}-wrong` });
        try {
            const r = await runInit(d);
            expect(r.status).not.toBe(0);
            expect(r.output).toContain("wrong password or no key found");
            expect(await bucketKeys(d.bucket)).toEqual(keysBefore);
        } finally {
            startSidecar(d);
        }
    });
});

describe("deploy-time repository step against an unreachable endpoint", () => {
    test(`fails within the time bound (${CHECK_TIMEOUT_SECONDS} s + ${TIME_SLACK_SECONDS} s)`, async () => {
        // Nothing listens on port 9 (discard) of 127.0.0.1 here: connections are refused.
        const d = await deploy(`down-${RUN_ID}`, { minioEndpoint: "127.0.0.1:9" });
        startSidecar(d);
        started.push(d.containerName);
        const r = await runInit(d, CHECK_TIMEOUT_SECONDS + TIME_SLACK_SECONDS + 30);
        docker(["rm", "-f", d.containerName]); // stops a restic that outlived a killed docker exec
        expect({ killed: r.killed, failed: r.status !== 0 }).toEqual({ killed: false, failed: true });
        expect(r.seconds).toBeLessThanOrEqual(CHECK_TIMEOUT_SECONDS + TIME_SLACK_SECONDS);
    });
});

describe("backup and restore with exactly the sidecar's environment", () => {
    test("restored bytes equal the backed-up bytes", async () => {
        const d = await deploy(`trip-${RUN_ID}`);
        await createBucket(d.bucket);
        startSidecar(d);
        started.push(d.containerName);
        // The repository as the deploy-time step leaves it.
        expect((await runInit(d)).status).toBe(0);
        // The env restic sees is the component's: repository URL, key id and password.
        const seen = ok(docker(["exec", d.containerName, "sh", "-c", 'echo "$RESTIC_REPOSITORY $AWS_ACCESS_KEY_ID"']), "env").stdout.trim();
        expect(seen).toBe(`${envValue(d.env, "RESTIC_REPOSITORY")} ${envValue(d.env, "AWS_ACCESS_KEY_ID")}`);
        expect(envValue(d.env, "RESTIC_REPOSITORY")).toBe(`s3:https://${required("REAL_S3_ENDPOINT")}/${d.bucket}`);

        const work = fs.mkdtempSync(path.join(os.tmpdir(), "real-trip-"));
        try {
            const original = crypto.randomBytes(3 * 1024 * 1024 + 17);
            fs.mkdirSync(path.join(work, "in"));
            fs.writeFileSync(path.join(work, "in", "data.bin"), original);
            ok(docker(["exec", d.containerName, "mkdir", "-p", "/volumes/app"]), "mkdir");
            ok(docker(["cp", path.join(work, "in", "data.bin"), `${d.containerName}:/volumes/app/data.bin`]), "docker cp in");
            ok(resticInSidecar(d, ["backup", "/volumes"]), "restic backup");
            ok(docker(["exec", d.containerName, "rm", "-rf", "/volumes"]), "removing the source");
            ok(resticInSidecar(d, ["restore", "latest", "--target", "/restore"]), "restic restore");
            ok(docker(["cp", `${d.containerName}:/restore/volumes/app/data.bin`, path.join(work, "restored.bin")]), "docker cp out");
            const restored = fs.readFileSync(path.join(work, "restored.bin"));
            expect(restored.length).toBe(original.length);
            expect(restored.equals(original)).toBe(true);
            // The pack files really are on the S3 server.
            expect((await bucketKeys(d.bucket)).some((k) => k.startsWith("data/"))).toBe(true);
        } finally {
            fs.rmSync(work, { recursive: true, force: true });
        }
    });
});
