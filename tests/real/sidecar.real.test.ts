/**
 * The deploy-time repository step and a backup round trip, with real engines: the component runs
 * under Pulumi's mock engine only to produce what it would deploy; everything it deploys is then
 * run for real. The `-repository-init` command's `create` string and `environment` are run
 * verbatim by `/bin/sh`, against a real dockerd, into the sidecar container as the component
 * generates it, on an image of stack-back v1.5.4's real code (restic 0.18.1, dcron; built offline
 * by scripts/real/images.sh), beside one container of the app's project with a `stack-back.volumes`
 * label. The repository lives on a real S3 server (s3rver, TLS), given to the component as a user
 * gives MinIO (`minioEndpoint`, `minioCaCert`). Substituted: SUBSTITUTIONS in support/stack.ts;
 * S3 credentials are not checked by s3rver.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { installMocks, Registered, settle, valueOf } from "../support/pulumiMocks";
import { bucketKeys, createBucket, docker, ok, required, runShell, Run } from "./support/engines";
import { assertBridgeReachesS3, createGenerated, ensureImages, generatedContainer, GeneratedContainer, LOCAL_IMAGES, startLabelledWeb } from "./support/stack";

const registered = installMocks();

// Imported after the mocks so that the component registers against them.
import { AppBackup, AppBackupArgs } from "../../components/appBackup";

/**
 * The time bound given to the component for every restic call of the deploy-time check
 * (`checkTimeoutSeconds`), and the slack allowed on top of it for `docker exec` and the shell.
 * The test cannot pass before the component bounds its restic calls.
 */
const CHECK_TIMEOUT_SECONDS = 20;
const TIME_SLACK_SECONDS = 15;

/** A unique app per run, so every run starts from a bucket nobody used. */
const RUN_ID = `${Date.now().toString(36)}${crypto.randomBytes(2).toString("hex")}`;

/** What the component deploys for one app, as the real tier needs it. */
interface Deployed {
    app: string;
    /** The sidecar container as generated. */
    sidecar: GeneratedContainer;
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
    const args: AppBackupArgs = {
        app,
        schedule: "0 2 * * *",
        minioEndpoint: required("REAL_S3_BRIDGE_ENDPOINT"),
        minioSsl: true,
        minioCaCert: fs.readFileSync(required("REAL_S3_CACERT"), "utf8"),
        dockerHost: required("REAL_DOCKER_HOST"),
        checkTimeoutSeconds: CHECK_TIMEOUT_SECONDS,
        ...overrides,
    };
    const component = new AppBackup(name, args);
    const containerName = await valueOf(component.containerName);
    const bucket = await valueOf(component.bucket);
    await settle();
    const commands = registered.filter((r: Registered) => r.type === "command:local:Command" && r.name === `${name}-repository-init`);
    if (commands.length !== 1) throw new Error(`expected one command:local:Command named ${name}-repository-init, found ${commands.length}`);
    return {
        app,
        sidecar: generatedContainer(registered, containerName),
        create: commands[0].inputs.create as string,
        environment: (commands[0].inputs.environment ?? {}) as Record<string, string>,
        bucket,
    };
}

/** Value of one `KEY=value` entry. */
function envValue(env: readonly string[], key: string): string | undefined {
    const entry = env.find((e) => e.startsWith(`${key}=`));
    return entry?.slice(key.length + 1);
}

const started: string[] = [];
/** The sidecar as generated, and one labelled container of the app's Compose project beside it. */
function startSidecar(d: Deployed, envOverrides: Record<string, string> = {}): void {
    const web = `${d.app}_web`;
    if (!started.includes(web)) {
        startLabelledWeb(d.app);
        started.push(web);
    }
    createGenerated(d.sidecar, { envOverrides });
    started.push(d.sidecar.name);
}

/** Runs the init command's `create` string under /bin/sh with its `environment`, as the command provider does. */
function runInit(d: Deployed, killAfterSeconds = 300): Promise<Run> {
    return runShell(d.create, d.environment, killAfterSeconds);
}

/** restic inside the sidecar, with the sidecar's own environment. */
function resticInSidecar(d: Deployed, args: readonly string[]): Run {
    return docker(["exec", d.sidecar.name, "restic", ...args]);
}

afterAll(() => {
    for (const name of started) docker(["rm", "-f", "-v", name]);
});

beforeAll(() => {
    ensureImages();
    assertBridgeReachesS3();
    const version = ok(docker(["run", "--rm", LOCAL_IMAGES.stackBack, "restic", "version"]), "restic version in the stack-back image");
    expect(version.stdout).toMatch(/^restic 0\.18\.1 /);
});

describe("deploy-time repository step, as the component generates it", () => {
    let d: Deployed;
    beforeAll(async () => {
        d = await deploy(`init-${RUN_ID}`);
        await createBucket(d.bucket);
        startSidecar(d);
    });

    test("the command targets the component's sidecar over the given Docker host", () => {
        expect(d.create).toContain(d.sidecar.name);
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
        startSidecar(d, { RESTIC_PASSWORD: `${envValue(d.sidecar.envs, "RESTIC_PASSWORD")}-wrong` });
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
        // The bridge's gateway answers, but nothing listens on port 9 (discard): connections are refused.
        const d = await deploy(`down-${RUN_ID}`, { minioEndpoint: `${required("REAL_S3_GATEWAY")}:9` });
        startSidecar(d);
        const r = await runInit(d, CHECK_TIMEOUT_SECONDS + TIME_SLACK_SECONDS + 30);
        docker(["rm", "-f", d.sidecar.name]); // stops a restic that outlived a killed docker exec
        expect({ killed: r.killed, failed: r.status !== 0 }).toEqual({ killed: false, failed: true });
        expect(r.seconds).toBeLessThanOrEqual(CHECK_TIMEOUT_SECONDS + TIME_SLACK_SECONDS);
    });
});

describe("backup and restore with exactly the sidecar's environment", () => {
    test("restored bytes equal the backed-up bytes", async () => {
        const d = await deploy(`trip-${RUN_ID}`);
        await createBucket(d.bucket);
        startSidecar(d);
        // The repository as the deploy-time step leaves it.
        expect((await runInit(d)).status).toBe(0);
        // The env restic sees is the component's: repository URL and key id.
        const seen = ok(docker(["exec", d.sidecar.name, "sh", "-c", 'echo "$RESTIC_REPOSITORY $AWS_ACCESS_KEY_ID"']), "env").stdout.trim();
        expect(seen).toBe(`${envValue(d.sidecar.envs, "RESTIC_REPOSITORY")} ${envValue(d.sidecar.envs, "AWS_ACCESS_KEY_ID")}`);
        expect(envValue(d.sidecar.envs, "RESTIC_REPOSITORY")).toBe(`s3:https://${required("REAL_S3_BRIDGE_ENDPOINT")}/${d.bucket}`);

        const work = fs.mkdtempSync(path.join(os.tmpdir(), "real-trip-"));
        try {
            const original = crypto.randomBytes(3 * 1024 * 1024 + 17);
            fs.mkdirSync(path.join(work, "in"));
            fs.writeFileSync(path.join(work, "in", "data.bin"), original);
            ok(docker(["exec", d.sidecar.name, "mkdir", "-p", "/volumes/app"]), "mkdir");
            ok(docker(["cp", path.join(work, "in", "data.bin"), `${d.sidecar.name}:/volumes/app/data.bin`]), "docker cp in");
            ok(resticInSidecar(d, ["backup", "/volumes"]), "restic backup");
            ok(docker(["exec", d.sidecar.name, "rm", "-rf", "/volumes"]), "removing the source");
            ok(resticInSidecar(d, ["restore", "latest", "--target", "/restore"]), "restic restore");
            ok(docker(["cp", `${d.sidecar.name}:/restore/volumes/app/data.bin`, path.join(work, "restored.bin")]), "docker cp out");
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
