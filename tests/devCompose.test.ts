/**
 * dev/compose.yaml and Pulumi.dev.yaml, checked without a Docker engine (none here, and no registry
 * either): parsed as YAML, and held against each other and against what stack-back needs.
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { readStackFile, validateStackConfig } from "../components/config";
import { imagePinProblems } from "../policy/rules";

const ROOT = path.resolve(__dirname, "..");
/** The fixed dev passphrase of dev/up.sh, which the committed encryptionsalt belongs to. */
const DEV_PASSPHRASE = "dev-only-passphrase";

interface Service {
    image: string;
    command?: string[];
    environment?: Record<string, string>;
    ports?: string[];
    labels?: Record<string, string>;
    healthcheck?: { test: string[]; interval?: string; retries?: number };
}
interface Compose {
    name: string;
    services: Record<string, Service>;
    volumes?: Record<string, unknown>;
}

const compose = parse(fs.readFileSync(path.join(ROOT, "dev", "compose.yaml"), "utf8")) as Compose;
const dev = readStackFile(path.join(ROOT, "Pulumi.dev.yaml"));
const upScript = fs.readFileSync(path.join(ROOT, "dev", "up.sh"), "utf8");

/** The host-side port a `[ip:]host:container` mapping publishes for `containerPort`, and its bind address. */
function published(service: Service, containerPort: number): { ip?: string; port: number } | undefined {
    for (const mapping of service.ports ?? []) {
        const parts = String(mapping).split(":");
        if (Number(parts[parts.length - 1]) !== containerPort) continue;
        return parts.length === 3 ? { ip: parts[0], port: Number(parts[1]) } : { port: Number(parts[0]) };
    }
    return undefined;
}

describe("dev/compose.yaml", () => {
    test("is compose project 'demo' with MinIO, Vault and the demo Postgres", () => {
        expect(compose.name).toBe("demo");
        expect(Object.keys(compose.services).sort()).toEqual(["minio", "postgres", "vault"]);
    });

    test.each(["minio", "vault", "postgres"])("%s: image pinned, with a healthcheck (so `up --wait` means ready)", (name) => {
        const service = compose.services[name];
        expect(imagePinProblems(service.image, name)).toEqual([]);
        expect(service.healthcheck?.test?.[0]).toMatch(/^CMD(-SHELL)?$/);
    });

    test("MinIO publishes its S3 API on the default bridge gateway only (where the sidecar comes in), the console on loopback", () => {
        const minio = compose.services.minio;
        expect(published(minio, 9000)).toEqual({ ip: "172.17.0.1", port: 9000 });
        expect(published(minio, 9001)).toEqual({ ip: "127.0.0.1", port: 9001 });
        expect(minio.command).toEqual(expect.arrayContaining(["server", "/data"]));
    });

    test("no port of any service is published on every interface (0.0.0.0, ::, or no address)", () => {
        const mappings = Object.values(compose.services).flatMap((service) => (service.ports ?? []).map(String));
        expect(mappings.length).toBeGreaterThan(0);
        for (const mapping of mappings) {
            const ip = mapping.split(":").length === 3 ? mapping.split(":")[0] : undefined;
            expect([mapping, ip]).toEqual([mapping, expect.stringMatching(/^(127\.0\.0\.1|172\.17\.0\.1)$/)]);
        }
    });

    test("Vault runs in dev mode with a known root token, on loopback only", () => {
        const vault = compose.services.vault;
        expect(vault.command).toEqual(["server", "-dev"]);
        expect(vault.environment?.VAULT_DEV_ROOT_TOKEN_ID).toBeTruthy();
        expect(published(vault, 8200)).toEqual({ ip: "127.0.0.1", port: 8200 });
    });

    test("the demo Postgres is labelled for stack-back and keeps its data in a named volume", () => {
        const postgres = compose.services.postgres;
        expect(postgres.labels).toEqual({ "stack-back.postgres": "true" });
        expect(postgres.environment).toMatchObject({
            POSTGRES_USER: expect.any(String),
            POSTGRES_PASSWORD: expect.any(String),
            POSTGRES_DB: expect.any(String),
        });
        expect(postgres.ports).toBeUndefined(); // stack-back reaches it through the Docker API, not the network
        expect(Object.keys(compose.volumes ?? {})).toContain("postgres-data");
    });
});

describe("Pulumi.dev.yaml against the compose file", () => {
    const minio = dev.minio as { endpoint: string; ssl: boolean };
    const vault = dev.vault as { address: string; mount: string };

    test("is a valid stack config: the same validation as prod", () => {
        const { fleet, problems } = validateStackConfig(dev);
        expect(problems).toEqual([]);
        expect(fleet?.apps.map((a) => [a.name, a.composeProject])).toEqual([["demo", compose.name]]);
    });

    test("the MinIO endpoint is the compose MinIO's published S3 port, reached through the default bridge gateway, without TLS", () => {
        const [host, port] = minio.endpoint.split(":");
        expect(Number(port)).toBe(published(compose.services.minio, 9000)?.port);
        expect(host).toBe("172.17.0.1"); // not localhost: that would be the sidecar container itself
        expect(published(compose.services.minio, 9000)?.ip).toBe(host); // published exactly there
        expect(minio.ssl).toBe(false);
    });

    test("Vault is the compose Vault, and the mount is the one dev mode creates", () => {
        expect(new URL(vault.address).port).toBe(String(published(compose.services.vault, 8200)?.port));
        expect(vault.mount).toBe("secret");
    });

    test("the sidecar runs on the local engine, and dev names cannot collide with prod's", () => {
        expect(Object.values(dev.hosts as Record<string, { dockerHost: string }>).map((h) => h.dockerHost)).toEqual(["unix:///var/run/docker.sock"]);
        expect(dev.namePrefix).toBe("dev-stackback");
    });

    test("dev/up.sh exports the compose file's credentials and uses a local file backend", () => {
        const env = (service: string, key: string) => compose.services[service].environment?.[key];
        expect(upScript).toContain(`MINIO_USER=${env("minio", "MINIO_ROOT_USER")}`);
        expect(upScript).toContain(`MINIO_PASSWORD=${env("minio", "MINIO_ROOT_PASSWORD")}`);
        expect(upScript).toContain(`VAULT_TOKEN=${env("vault", "VAULT_DEV_ROOT_TOKEN_ID")}`);
        expect(upScript).toMatch(/PULUMI_BACKEND_URL="file:\/\/\$PWD\/\.pulumi"/);
        expect(upScript).toContain(`export PULUMI_CONFIG_PASSPHRASE=${DEV_PASSPHRASE}\n`);
        expect(upScript).toMatch(/--policy-pack policy/);
        expect(fs.readFileSync(path.join(ROOT, ".gitignore"), "utf8")).toMatch(/^\.pulumi\/$/m);
    });
});

/**
 * Pulumi's passphrase secrets manager, as read in pulumi/pulumi pkg/secrets/passphrase/manager.go
 * (symmetricCrypterFromPhraseAndState) and sdk/go/common/resource/config/crypt.go
 * (NewSymmetricCrypterFromPassphrase, decryptAES256GCM): the state is `v1:<salt>:<value>`, the salt
 * 8 random bytes (base64), the key PBKDF2-SHA256(passphrase, salt, 1,000,000 iterations, 32 bytes),
 * and <value> = `v1:<12-byte nonce>:<AES-256-GCM ciphertext+tag>` of the text "pulumi".
 * Returns the decrypted check text, or throws as the CLI would report "incorrect passphrase".
 */
function openPassphraseState(passphrase: string, state: string): string {
    const [version, salt, ...rest] = state.split(":");
    if (version !== "v1" || rest.length !== 3 || rest[0] !== "v1") throw new Error("malformed state value");
    const key = crypto.pbkdf2Sync(passphrase, Buffer.from(salt, "base64"), 1_000_000, 32, "sha256");
    const nonce = Buffer.from(rest[1], "base64");
    const sealed = Buffer.from(rest[2], "base64");
    if (nonce.length !== 12 || sealed.length < 16) throw new Error("bad value");
    const decipher = crypto.createDecipheriv("aes-256-gcm", key, nonce);
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]).toString("utf8");
}

describe("the committed encryptionsalt of Pulumi.dev.yaml", () => {
    const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")) as { encryptionsalt?: string };

    test("is a v1 passphrase state with an 8-byte salt", () => {
        expect(doc.encryptionsalt).toMatch(/^v1:[A-Za-z0-9+/=]+:v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
        expect(Buffer.from(String(doc.encryptionsalt).split(":")[1], "base64")).toHaveLength(8);
    });

    test("opens with the fixed dev passphrase, as the Pulumi CLI checks it ('pulumi')", () => {
        expect(openPassphraseState(DEV_PASSPHRASE, String(doc.encryptionsalt))).toBe("pulumi");
    });

    test("does not open with another passphrase (so the check above could fail)", () => {
        expect(() => openPassphraseState("not-the-dev-passphrase", String(doc.encryptionsalt))).toThrow();
    });
});

/**
 * `npm run dev` in a throw-away git clone of the files it touches, with stand-ins for `docker`,
 * `pulumi` and `npm` on PATH (none of them exists here). The pulumi stand-in records what it is
 * asked and, on `stack select --create`, writes an encryptionsalt into Pulumi.dev.yaml only when
 * none is there, as the CLI's passphrase manager does (NewPassphraseSecretsManager saves the stack
 * file only after minting a new salt). The tree must be clean afterwards.
 */
describe("npm run dev (dev/up.sh) with stand-ins for docker and pulumi", () => {
    const TOOLS = ["bash", "dirname", "sed", "head", "mkdir", "cat", "grep", "printf", "env", "git"];
    const FILES = ["dev/up.sh", "dev/compose.yaml", "Pulumi.dev.yaml", "Pulumi.yaml", ".gitignore"];

    /** A bin dir with only the named system tools and the given stand-in scripts. */
    function binDir(dir: string, standIns: Record<string, string>): string {
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin);
        for (const tool of TOOLS) {
            const found = spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
            if (found.startsWith("/")) fs.symlinkSync(found, path.join(bin, tool));
        }
        for (const [name, script] of Object.entries(standIns)) fs.writeFileSync(path.join(bin, name), `#!/usr/bin/env bash\n${script}\n`, { mode: 0o755 });
        return bin;
    }

    const LOG = 'printf "%s %s\\n" "$(basename "$0")" "$*" >> "$STANDIN_LOG"';
    const dockerV2 = `${LOG}\n[[ "$1 $2" == "compose version" ]] && echo "Docker Compose version v2.29.7"\n[[ "$1 $2" == "network inspect" ]] && echo 172.17.0.1\nexit 0`;
    const pulumi = [
        'printf "pulumi %s | passphrase=%s backend=%s\\n" "$*" "$PULUMI_CONFIG_PASSPHRASE" "$PULUMI_BACKEND_URL" >> "$STANDIN_LOG"',
        'if [[ "$1 $2" == "stack select" ]] && ! grep -q "^encryptionsalt:" Pulumi.dev.yaml; then echo "encryptionsalt: v1:new-salt" >> Pulumi.dev.yaml; fi',
    ].join("\n");

    const made: string[] = [];
    afterAll(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

    function clone(): string {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dev-up-"));
        made.push(dir);
        const repo = path.join(dir, "repo");
        for (const file of FILES) {
            fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
            fs.copyFileSync(path.join(ROOT, file), path.join(repo, file));
        }
        fs.mkdirSync(path.join(repo, "node_modules")); // git-ignored, as after `npm ci`
        fs.mkdirSync(path.join(repo, "policy", "node_modules"), { recursive: true });
        const git = (...args: string[]) => spawnSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", ...args], { encoding: "utf8" });
        git("init", "-q");
        git("add", "-A");
        git("commit", "-qm", "clone");
        return repo;
    }

    function run(repo: string, standIns: Record<string, string>, env: Record<string, string> = {}) {
        const log = path.join(repo, "..", "standin.log");
        fs.writeFileSync(log, "");
        const bin = binDir(path.join(repo, ".."), standIns);
        const result = spawnSync(path.join(bin, "bash"), ["dev/up.sh", "--yes"], {
            cwd: repo,
            encoding: "utf8",
            env: { PATH: bin, HOME: path.join(repo, ".."), STANDIN_LOG: log, ...env },
        });
        return { ...result, calls: fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean) };
    }
    const status = (repo: string) => spawnSync("git", ["-C", repo, "status", "--porcelain", "--untracked-files=all"], { encoding: "utf8" }).stdout;
    const basename = `basename() { local p="$1"; echo "\${p##*/}"; }`;
    /** A stand-in `node` of the given major version (`node -p ...` prints it, `node --version` too). */
    const nodeOf = (major: number) => `[[ "$1" == "--version" ]] && echo v${major}.1.0 || echo ${major}`;
    const node = nodeOf(22);

    test("a run leaves the work tree clean, with the fixed passphrase and the local backend", () => {
        const repo = clone();
        const result = run(
            repo,
            { docker: `${basename}\n${dockerV2}`, pulumi, npm: `${basename}\n${LOG}`, node },
            { PULUMI_CONFIG_PASSPHRASE: "someone-elses" },
        );
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        const pulumiCalls = result.calls.filter((c) => c.startsWith("pulumi "));
        expect(pulumiCalls).toEqual([
            `pulumi stack select --create dev | passphrase=${DEV_PASSPHRASE} backend=file://${repo}/.pulumi`,
            `pulumi up --stack dev --policy-pack policy --yes | passphrase=${DEV_PASSPHRASE} backend=file://${repo}/.pulumi`,
        ]);
        expect(result.calls).toContain("docker compose -f dev/compose.yaml up -d --wait");
        expect(status(repo)).toBe(""); // .pulumi/ and node_modules/ are ignored
        expect(fs.existsSync(path.join(repo, ".pulumi"))).toBe(true);
    });

    test("the stand-in would dirty the tree without the committed salt (so the test above could fail)", () => {
        const repo = clone();
        const file = path.join(repo, "Pulumi.dev.yaml");
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/^encryptionsalt:.*\n/m, ""));
        spawnSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "no salt"]);
        const result = run(repo, { docker: `${basename}\n${dockerV2}`, pulumi, npm: `${basename}\n${LOG}`, node });
        expect(result.status).toBe(0);
        expect(status(repo)).toBe(" M Pulumi.dev.yaml\n");
    });

    test("names every missing prerequisite with how to get it, before doing anything", () => {
        const repo = clone();
        const result = run(repo, {});
        expect(result.status).toBe(1);
        expect(result.stderr).toMatch(/missing prerequisites/);
        expect(result.stderr).toMatch(/the Pulumi CLI \(pulumi\): install it with .*get\.pulumi\.com/);
        expect(result.stderr).toMatch(/Docker \(docker\): install Docker Engine/);
        expect(result.stderr).toMatch(/Node\.js 22 or newer with npm \(node, npm\)/);
        expect(result.calls).toEqual([]);
    });

    test("Node 20 is named: pulumi up runs the program on it and the SDK needs 22", () => {
        const repo = clone();
        const result = run(repo, { docker: `${basename}\n${dockerV2}`, pulumi, npm: `${basename}\n${LOG}`, node: nodeOf(20) });
        expect(result.status).toBe(1);
        expect(result.stderr).toMatch(/Node\.js 22 or newer \(node\): found v20\.1\.0/);
        expect(result.stderr).not.toMatch(/Pulumi CLI|Docker/);
        expect(result.calls.filter((c) => !c.startsWith("docker compose version"))).toEqual([]);
    });

    test("a docker without Compose v2 is named as such, not left to fail with \"unknown shorthand flag: 'f'\"", () => {
        const repo = clone();
        const dockerV1 = `${basename}\n${LOG}\necho "unknown shorthand flag: 'f' in -f" >&2; exit 125`;
        const result = run(repo, { docker: dockerV1, pulumi, npm: `${basename}\n${LOG}`, node });
        expect(result.status).toBe(1);
        expect(result.stderr).toMatch(/Docker Compose v2 \(the 'docker compose' plugin.*docker-compose-plugin/);
        expect(result.stderr).not.toMatch(/the Pulumi CLI|Node\.js/);
        expect(result.calls).toEqual(["docker compose version"]);
    });

    test("another bridge gateway stops the run before compose starts, saying which address to use", () => {
        const repo = clone();
        const otherGateway = `${basename}\n${LOG}\n[[ "$1 $2" == "network inspect" ]] && echo 172.18.0.1\nexit 0`;
        const result = run(repo, { docker: otherGateway, pulumi, npm: `${basename}\n${LOG}`, node });
        expect(result.status).toBe(1);
        expect(result.stderr).toMatch(/gateway here is 172\.18\.0\.1.*use 172\.17\.0\.1/);
        expect(result.calls.some((c) => c.includes(" up "))).toBe(false);
    });
});
