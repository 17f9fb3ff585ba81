/**
 * dev/compose.yaml and Pulumi.dev.yaml, checked without a Docker engine (none here, and no registry
 * either): parsed as YAML, and held against each other and against what stack-back needs.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { readStackFile, validateStackConfig } from "../components/config";
import { imagePinProblems } from "../policy/rules";

const ROOT = path.resolve(__dirname, "..");

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

    test("MinIO publishes its S3 API on every interface (the sidecar comes in via the bridge gateway), the console on loopback", () => {
        const minio = compose.services.minio;
        expect(published(minio, 9000)).toEqual({ port: 9000 });
        expect(published(minio, 9001)).toEqual({ ip: "127.0.0.1", port: 9001 });
        expect(minio.command).toEqual(expect.arrayContaining(["server", "/data"]));
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
        expect(postgres.environment).toMatchObject({ POSTGRES_USER: expect.any(String), POSTGRES_PASSWORD: expect.any(String), POSTGRES_DB: expect.any(String) });
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
        expect(upScript).toMatch(/--policy-pack policy/);
        expect(fs.readFileSync(path.join(ROOT, ".gitignore"), "utf8")).toMatch(/^\.pulumi\/$/m);
    });
});
