/**
 * Adoption with real engines: a restic repository made beforehand (as the original setup left it)
 * on a real S3 server (s3rver, TLS), adopted by the component. The component runs under Pulumi's
 * mock engine only to produce what it would deploy, with the Vault data source served by the
 * mocks' KV v2 store; the sidecar's environment (the adopted password included) and the deploy-time
 * check's `create` string are then run for real, in a real container of the tier's dockerd, with
 * restic 0.18. The one stand-in is `rcb` (scripts/real/image/rcb).
 */
import * as crypto from "crypto";
import { installMocks, Registered, setVaultSecret, settle, valueOf } from "../support/pulumiMocks";
import { bucketKeys, createBucket, docker, ensureSidecarImage, ok, required, run, runShell, SIDECAR_TEST_IMAGE, Run } from "./support/engines";

const registered = installMocks();

// Imported after the mocks so that the component registers against them.
import { AppBackup } from "../../components";

const RUN_ID = `${Date.now().toString(36)}${crypto.randomBytes(2).toString("hex")}`;
/** The password the old setup created the repository with, as it sits in Vault. */
const OLD_PASSWORD = `old-${crypto.randomBytes(12).toString("hex")}`;
/** Where the test CA goes in the container (the component names no RESTIC_CACERT of its own here). */
const TEST_CA_PATH = "/etc/platform-backups-real/ca.pem";
/** The adopted bucket with the repository, and one that was never a repository. */
const ADOPTED_BUCKET = `restic-stackback-vm1-adopt-${RUN_ID}-bucket`;
const EMPTY_BUCKET = `restic-stackback-vm1-empty-${RUN_ID}-bucket`;

/** restic on this machine, as the old setup's own restic: plain env, the test CA. */
function oldResticEnv(bucket: string): Record<string, string> {
    return {
        RESTIC_REPOSITORY: `s3:https://${required("REAL_S3_ENDPOINT")}/${bucket}`,
        RESTIC_PASSWORD: OLD_PASSWORD,
        RESTIC_CACERT: required("REAL_S3_CACERT"),
        AWS_ACCESS_KEY_ID: "stackback",
        AWS_SECRET_ACCESS_KEY: "old-shared-secret-key",
    };
}

interface Deployed {
    containerName: string;
    env: string[];
    create: string;
    environment: Record<string, string>;
}

/** One adopted app under mocks, with `version` of its Vault secret pinned. */
async function deploy(app: string, bucket: string, version: number): Promise<Deployed> {
    const component = new AppBackup(app, {
        app,
        schedule: "0 2 * * *",
        minioEndpoint: required("REAL_S3_ENDPOINT"),
        dockerHost: required("REAL_DOCKER_HOST"),
        checkTimeoutSeconds: 60,
        vaultMount: "ansible",
        adopt: { bucket, vaultSecret: { mount: "ansible", name: `stackback_${app}`, version } },
    });
    const containerName = await valueOf(component.containerName);
    await settle();
    const one = (type: string, suffix: string): Registered => {
        const found = registered.filter((r) => r.type === type && r.name === `${app}-${suffix}`);
        if (found.length !== 1) throw new Error(`expected one ${type} ${app}-${suffix}, found ${found.length}`);
        return found[0];
    };
    const check = one("command:local:Command", "repository-init");
    return {
        containerName,
        env: one("docker:index/container:Container", "sidecar").inputs.envs as string[],
        create: check.inputs.create as string,
        environment: (check.inputs.environment ?? {}) as Record<string, string>,
    };
}

/** The sidecar as a real container: its name and env (values through `docker run`'s own environment), the host network. */
function startSidecar(d: Deployed): void {
    docker(["rm", "-f", d.containerName]);
    const passed: Record<string, string> = { RESTIC_CACERT: TEST_CA_PATH, RCB_STANDIN_PROJECT: d.containerName, RCB_STANDIN_SERVICES: "app" };
    const flags = ["-e", "RESTIC_CACERT", "-e", "RCB_STANDIN_PROJECT", "-e", "RCB_STANDIN_SERVICES"];
    for (const entry of d.env) {
        const key = entry.slice(0, entry.indexOf("="));
        // DOCKER_HOST would redirect this very `docker run`: the sidecar's plain value goes on the command line.
        if (key.startsWith("DOCKER_")) flags.push("-e", entry);
        else {
            passed[key] = entry.slice(key.length + 1);
            flags.push("-e", key);
        }
    }
    const ca = `${required("REAL_S3_CACERT")}:${TEST_CA_PATH}:ro`;
    ok(docker(["run", "-d", "--name", d.containerName, "--network", "host", "-v", ca, ...flags, SIDECAR_TEST_IMAGE, "sleep", "86400"], passed), "docker run");
}

const inSidecar = (d: Deployed, args: readonly string[]): Run => docker(["exec", d.containerName, ...args]);
const running = (d: Deployed): string => docker(["inspect", "-f", "{{.State.Running}}", d.containerName]).stdout.trim();

const started: string[] = [];
let configBefore: string;
beforeAll(async () => {
    ensureSidecarImage();
    // The old setup's repository, with one snapshot, made by restic on this machine.
    await createBucket(ADOPTED_BUCKET);
    await createBucket(EMPTY_BUCKET);
    ok(run("restic", ["init"], { env: oldResticEnv(ADOPTED_BUCKET) }), "restic init (the old setup)");
    ok(run("restic", ["backup", "--host", "old-sidecar", "scripts/real/versions.env"], { env: oldResticEnv(ADOPTED_BUCKET) }), "restic backup (the old setup)");
    configBefore = ok(run("restic", ["cat", "config"], { env: oldResticEnv(ADOPTED_BUCKET) }), "restic cat config").stdout;
});
afterAll(() => {
    for (const name of started) docker(["rm", "-f", name]);
});

describe("a repository made beforehand, adopted", () => {
    let d: Deployed;
    beforeAll(async () => {
        const app = `ad-${RUN_ID}`;
        setVaultSecret("ansible", `stackback_${app}`, [{ password: OLD_PASSWORD, access_key: "stackback", secret_key: "old-shared-secret-key" }]);
        d = await deploy(app, ADOPTED_BUCKET, 1);
        startSidecar(d);
        started.push(d.containerName);
    });

    test("the sidecar's password is the adopted one, read from Vault", () => {
        expect(d.env).toContain(`RESTIC_PASSWORD=${OLD_PASSWORD}`);
        expect(d.env).toContain(`RESTIC_REPOSITORY=s3:https://${required("REAL_S3_ENDPOINT")}/${ADOPTED_BUCKET}`);
    });

    test("the check opens it, and initialises nothing", async () => {
        const keysBefore = await bucketKeys(ADOPTED_BUCKET);
        const r = await runShell(d.create, d.environment, 300);
        expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: expect.stringContaining("restic repository opens") });
        expect(r.output).not.toContain("initialising");
        expect(await bucketKeys(ADOPTED_BUCKET)).toEqual(keysBefore);
        expect(ok(inSidecar(d, ["restic", "cat", "config"]), "cat config").stdout).toBe(configBefore);
    });

    test("the new sidecar backs up into it, beside the old setup's snapshot", () => {
        ok(inSidecar(d, ["sh", "-c", "mkdir -p /volumes/app && echo adopted > /volumes/app/file"]), "a file to back up");
        ok(inSidecar(d, ["restic", "backup", "/volumes"]), "restic backup in the sidecar");
        const snapshots = JSON.parse(ok(inSidecar(d, ["restic", "snapshots", "--json"]), "snapshots").stdout) as { hostname: string; paths: string[] }[];
        expect(snapshots).toHaveLength(2);
        expect(snapshots[0].hostname).toBe("old-sidecar");
        expect(snapshots[1].paths).toEqual(["/volumes"]);
    });
});

describe("the wrong version of the secret", () => {
    test("stops the check with exit 12 and says what was adopted from where; the repository is untouched", async () => {
        const app = `aw-${RUN_ID}`;
        setVaultSecret("ansible", `stackback_${app}`, [
            { password: OLD_PASSWORD, access_key: "stackback", secret_key: "k" },
            { password: "written-over-by-mistake", access_key: "stackback", secret_key: "k" },
        ]);
        const d = await deploy(app, ADOPTED_BUCKET, 2);
        startSidecar(d);
        started.push(d.containerName);
        const keysBefore = await bucketKeys(ADOPTED_BUCKET);
        const r = await runShell(d.create, d.environment, 300);
        expect(r.status).toBe(12);
        expect(r.output).toContain("wrong password or no key found");
        expect(r.output).toContain(`adopted bucket ${ADOPTED_BUCKET}, the restic password from Vault ansible/stackback_${app} version 2`);
        expect(r.output).toContain("adopt.vaultSecret.version");
        expect(r.output).not.toContain("written-over-by-mistake");
        expect(await bucketKeys(ADOPTED_BUCKET)).toEqual(keysBefore);
    });
});

describe("an adopted location without a repository", () => {
    test("is refused, not initialised, and the sidecar is stopped", async () => {
        const app = `ae-${RUN_ID}`;
        setVaultSecret("ansible", `stackback_${app}`, [{ password: OLD_PASSWORD, access_key: "stackback", secret_key: "k" }]);
        const d = await deploy(app, EMPTY_BUCKET, 1);
        startSidecar(d);
        started.push(d.containerName);
        expect(inSidecar(d, ["restic", "cat", "config"]).status).toBe(10);
        const r = await runShell(d.create, d.environment, 300);
        expect(r.status).toBe(10);
        expect(r.output).toContain(`no restic repository at s3:https://${required("REAL_S3_ENDPOINT")}/${EMPTY_BUCKET}`);
        expect(r.output).toContain(`adopted bucket ${EMPTY_BUCKET}`);
        expect(r.output).toContain("not initialised");
        expect(await bucketKeys(EMPTY_BUCKET)).toEqual([]);
        expect(running(d)).toBe("false");
    });
});

describe("what a removed app left on its host", () => {
    test("a named volume that exists is taken as it is when created again", () => {
        const name = `adopt_cache_${RUN_ID}`;
        try {
            ok(docker(["volume", "create", name]), "first create");
            ok(docker(["run", "--rm", "-v", `${name}:/cache`, SIDECAR_TEST_IMAGE, "sh", "-c", "echo kept > /cache/mark"]), "writing into it");
            expect(ok(docker(["volume", "create", name]), "second create").stdout.trim()).toBe(name);
            expect(ok(docker(["run", "--rm", "-v", `${name}:/cache`, SIDECAR_TEST_IMAGE, "cat", "/cache/mark"]), "reading").stdout.trim()).toBe("kept");
        } finally {
            docker(["volume", "rm", "-f", name]);
        }
    });
});
