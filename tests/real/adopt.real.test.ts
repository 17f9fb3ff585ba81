/**
 * Adoption with real engines: a restic repository made beforehand (as the original setup left it)
 * on a real S3 server (s3rver, TLS), adopted by the component. The component runs under Pulumi's
 * mock engine only to produce what it would deploy, with the Vault data source served by the
 * mocks' KV v2 store; the sidecar is then created exactly as the component generates it, on an
 * image of stack-back v1.5.4's real code (restic 0.18.1, dcron, `rcb`; scripts/real/images.sh), on
 * the tier's bridge, beside one labelled container of the app's Compose project, and the deploy-time
 * check's `create` string is run verbatim. Substituted: SUBSTITUTIONS in support/stack.ts.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import { installMocks, setVaultSecret, settle, valueOf } from "../support/pulumiMocks";
import { bucketKeys, createBucket, docker, ok, required, run, Run, runShell } from "./support/engines";
import { assertBridgeReachesS3, createGenerated, ensureImages, generatedContainer, GeneratedContainer, LOCAL_IMAGES, startLabelledWeb } from "./support/stack";

const registered = installMocks();

// Imported after the mocks so that the component registers against them.
import { AppBackup } from "../../components/appBackup";

const RUN_ID = `${Date.now().toString(36)}${crypto.randomBytes(2).toString("hex")}`;
/** The password the old setup created the repository with, as it sits in Vault. */
const OLD_PASSWORD = `old-${crypto.randomBytes(12).toString("hex")}`;
/** The adopted bucket with the repository, and one that was never a repository (names of the old layout). */
const ADOPTED_BUCKET = `restic-stackback-vm1-adopt-${RUN_ID}-bucket`;
const EMPTY_BUCKET = `restic-stackback-vm1-empty-${RUN_ID}-bucket`;

/** restic on the host, as the old setup's own restic: plain env, the test CA, the host's view of S3. */
function oldResticEnv(bucket: string): Record<string, string> {
    return {
        RESTIC_REPOSITORY: `s3:https://${required("REAL_S3_ENDPOINT")}/${bucket}`,
        RESTIC_PASSWORD: OLD_PASSWORD,
        RESTIC_CACERT: required("REAL_S3_CACERT"),
        AWS_ACCESS_KEY_ID: "stackback",
        AWS_SECRET_ACCESS_KEY: "old-shared-secret-key",
    };
}

/** What the component deploys for one adopted app, as the real tier needs it. */
interface Deployed {
    app: string;
    /** The sidecar container as generated. */
    sidecar: GeneratedContainer;
    /** The check's `create`, verbatim. */
    create: string;
    /** The check's `environment`, verbatim. */
    environment: Record<string, string>;
}

/** One adopted app under mocks, with `version` of its Vault secret pinned. */
async function deploy(app: string, bucket: string, version: number): Promise<Deployed> {
    const component = new AppBackup(app, {
        app,
        schedule: "0 2 * * *",
        minioEndpoint: required("REAL_S3_BRIDGE_ENDPOINT"),
        minioSsl: true,
        minioCaCert: fs.readFileSync(required("REAL_S3_CACERT"), "utf8"),
        dockerHost: required("REAL_DOCKER_HOST"),
        checkTimeoutSeconds: 60,
        vaultMount: "ansible",
        adopt: { bucket, vaultSecret: { mount: "ansible", name: `stackback_${app}`, version } },
    });
    const containerName = await valueOf(component.containerName);
    await settle();
    const checks = registered.filter((r) => r.type === "command:local:Command" && r.name === `${app}-repository-init`);
    if (checks.length !== 1) throw new Error(`expected one command:local:Command named ${app}-repository-init, found ${checks.length}`);
    return {
        app,
        sidecar: generatedContainer(registered, containerName),
        create: checks[0].inputs.create as string,
        environment: (checks[0].inputs.environment ?? {}) as Record<string, string>,
    };
}

const started: string[] = [];
/** The sidecar as generated, and one container of the app's Compose project with a labelled volume beside it. */
function startSidecar(d: Deployed): void {
    const web = startLabelledWeb(d.app);
    started.push(web);
    createGenerated(d.sidecar);
    started.push(d.sidecar.name);
}

const inSidecar = (d: Deployed, args: readonly string[]): Run => docker(["exec", d.sidecar.name, ...args]);
const running = (d: Deployed): string => docker(["inspect", "-f", "{{.State.Running}}", d.sidecar.name]).stdout.trim();
const envOf = (d: Deployed, key: string): string | undefined => d.sidecar.envs.find((e) => e.startsWith(`${key}=`))?.slice(key.length + 1);

let configBefore: string;
beforeAll(async () => {
    ensureImages();
    assertBridgeReachesS3();
    // The old setup's repository, with one snapshot, made by restic on the host.
    await createBucket(ADOPTED_BUCKET);
    await createBucket(EMPTY_BUCKET);
    ok(run("restic", ["init"], { env: oldResticEnv(ADOPTED_BUCKET) }), "restic init (the old setup)");
    ok(run("restic", ["backup", "--host", "old-sidecar", "scripts/real/versions.env"], { env: oldResticEnv(ADOPTED_BUCKET) }), "restic backup (the old setup)");
    configBefore = ok(run("restic", ["cat", "config"], { env: oldResticEnv(ADOPTED_BUCKET) }), "restic cat config").stdout;
});
afterAll(() => {
    for (const name of started) docker(["rm", "-f", "-v", name]);
});

describe("a repository made beforehand, adopted", () => {
    let d: Deployed;
    beforeAll(async () => {
        const app = `ad-${RUN_ID}`;
        setVaultSecret("ansible", `stackback_${app}`, [{ password: OLD_PASSWORD, access_key: "stackback", secret_key: "old-shared-secret-key" }]);
        d = await deploy(app, ADOPTED_BUCKET, 1);
        startSidecar(d);
    });

    test("the sidecar's password is the adopted one, read from Vault, and its repository the adopted bucket", () => {
        expect(envOf(d, "RESTIC_PASSWORD")).toBe(OLD_PASSWORD);
        expect(envOf(d, "RESTIC_REPOSITORY")).toBe(`s3:https://${required("REAL_S3_BRIDGE_ENDPOINT")}/${ADOPTED_BUCKET}`);
        expect(d.sidecar.labels).toEqual(expect.arrayContaining([{ label: "platform-backups.adopted-bucket", value: ADOPTED_BUCKET }]));
    });

    test("the check opens it (and stack-back's own rcb status passes), and initialises nothing", async () => {
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
        // The old setup's own restic still opens it and sees both: nothing was replaced.
        const seenByOld = JSON.parse(ok(run("restic", ["snapshots", "--json"], { env: oldResticEnv(ADOPTED_BUCKET) }), "old snapshots").stdout) as unknown[];
        expect(seenByOld).toHaveLength(2);
        expect(ok(run("restic", ["cat", "config"], { env: oldResticEnv(ADOPTED_BUCKET) }), "old cat config").stdout).toBe(configBefore);
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
        expect(inSidecar(d, ["restic", "cat", "config"]).status).toBe(10);
        const r = await runShell(d.create, d.environment, 300);
        expect(r.status).toBe(10);
        expect(r.output).toContain(`no restic repository at s3:https://${required("REAL_S3_BRIDGE_ENDPOINT")}/${EMPTY_BUCKET}`);
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
            ok(docker(["run", "--rm", "-v", `${name}:/cache`, LOCAL_IMAGES.stackBack, "sh", "-c", "echo kept > /cache/mark"]), "writing into it");
            expect(ok(docker(["volume", "create", name]), "second create").stdout.trim()).toBe(name);
            expect(ok(docker(["run", "--rm", "-v", `${name}:/cache`, LOCAL_IMAGES.stackBack, "cat", "/cache/mark"]), "reading").stdout.trim()).toBe("kept");
        } finally {
            docker(["volume", "rm", "-f", name]);
        }
    });
});
