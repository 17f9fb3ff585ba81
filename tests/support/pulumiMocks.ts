/**
 * Runs Pulumi programs under the SDK's mock engine and records what they register.
 * No CLI, no provider plugins, no network.
 */
import * as pulumi from "@pulumi/pulumi";

/** One resource as the program registered it. */
export interface Registered {
    type: string;
    name: string;
    /** Inputs as the engine received them, with secret markers removed (see `secretPaths`). */
    inputs: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- provider inputs are untyped JSON
    /** Paths of the inputs that reached the engine as secrets, e.g. `envs[1]`, `dataJson`. */
    secretPaths: string[];
    /** Outputs the mock engine returned beyond the inputs, e.g. a `RandomPassword`'s `result`. */
    computed: Record<string, unknown>;
    /** Provider reference `urn::id`, when one was set. */
    provider?: string;
    /**
     * Names of the resources this one waits for, as the engine request lists them: its `dependsOn`
     * and every resource whose output feeds one of its inputs (the mock engine itself reports neither).
     */
    dependsOn: string[];
    /** Resource options from the engine request, which the mock engine does not report either. */
    options: { protect: boolean; retainOnDelete: boolean; ignoreChanges: string[] };
    /** The `import` option: the ID the engine would import this resource by (the mock hands it to `newResource` as `id`). */
    importId?: string;
}

/** What `recordRequests` reads from an engine request (the SDK's gRPC message). */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getDependenciesList(): string[];
    getProtect(): boolean;
    getRetainondelete(): boolean;
    getIgnorechangesList(): string[];
}

/** The name part of a URN (`urn:pulumi:stack::project::type$type::name`). */
export function urnName(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

/** The marker the SDK puts on secret values it sends to the engine. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** Removes secret markers from `value`, noting where they were. */
export function unwrapSecrets(value: unknown, path = "", found: string[] = []): unknown {
    if (Array.isArray(value)) return value.map((v, i) => unwrapSecrets(v, `${path}[${i}]`, found));
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SECRET_SIG] === SECRET_VALUE) {
            found.push(path);
            return unwrapSecrets(obj.value, path, []);
        }
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, unwrapSecrets(v, path ? `${path}.${k}` : k, found)]));
    }
    return value;
}

/** Options seen by a transformation: what the mock engine itself does not report. */
export interface SeenOptions {
    type: string;
    name: string;
    opts: pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions;
    parent?: pulumi.Resource;
}

/** Computed outputs a real provider would return, so that dependants get realistic values. */
function computedState(type: string, inputs: Record<string, unknown>, name: string): Record<string, unknown> {
    switch (type) {
        case "docker:index/remoteImage:RemoteImage":
            return { repoDigest: `${inputs.name}@sha256:${"0".repeat(64)}`, imageId: `sha256:${"1".repeat(64)}` };
        case "random:index/randomPassword:RandomPassword":
            return { result: `mock-${name}-${"x".repeat(Number(inputs.length ?? 16))}`.slice(0, Number(inputs.length ?? 16)) };
        default:
            return {};
    }
}

/**
 * Wraps the (mock) engine's registerResource to keep what each request carries beyond its inputs:
 * dependencies and options, keyed `type::name`, for `newResource` to pick up.
 */
function recordRequests(sent: Map<string, Pick<Registered, "dependsOn" | "options">>): void {
    // The monitor is the SDK's gRPC client shape; only registerResource is wrapped.
    const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: (req: RegisterRequest, ...rest: unknown[]) => unknown };
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, ...rest) => {
        sent.set(`${req.getType()}::${req.getName()}`, {
            dependsOn: req.getDependenciesList().map(urnName).sort(),
            options: { protect: req.getProtect(), retainOnDelete: req.getRetainondelete(), ignoreChanges: req.getIgnorechangesList() },
        });
        return original(req, ...rest);
    };
}

/** The invoke that reads a KV v2 secret (@pulumi/vault kv/getSecretV2.js). */
export const VAULT_KV2_READ = "vault:kv/getSecretV2:getSecretV2";

/** Every invoke the program made, in order: token and arguments. */
export const invoked: { token: string; inputs: Record<string, unknown> }[] = [];

/** KV v2 secrets the mock Vault holds: `<mount>/<name>` -> versions, version 1 first. */
const vaultSecrets = new Map<string, Record<string, string>[]>();

/** Puts versions of a KV v2 secret into the mock Vault (version 1 first); the last is the latest. */
export function setVaultSecret(mount: string, name: string, versions: Record<string, string>[]): void {
    vaultSecrets.set(`${mount}/${name}`, versions);
}

/**
 * The data source's answer, as terraform-provider-vault (vault/data_source_kv_secret_v2.go) gives
 * it: the given version or the latest, and an error when the secret or version does not exist.
 */
function readVaultSecret(args: { mount: string; name: string; version?: number }): Record<string, unknown> {
    const versions = vaultSecrets.get(`${args.mount}/${args.name}`);
    const version = args.version ?? versions?.length;
    const data = versions && version !== undefined ? versions[version - 1] : undefined;
    if (!data) throw new Error(`no secret found at "${args.mount}/data/${args.name}"${args.version !== undefined ? ` version ${args.version}` : ""}`);
    return { ...args, path: `${args.mount}/data/${args.name}`, version, data, dataJson: JSON.stringify(data) };
}

/** Installs mocks; returns the list that fills as resources are registered. */
export function installMocks(project = "platform-backups", stack = "test", preview = false): Registered[] {
    const registered: Registered[] = [];
    const sent = new Map<string, Pick<Registered, "dependsOn" | "options">>();
    pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                const secretPaths: string[] = [];
                const inputs = unwrapSecrets(args.inputs, "", secretPaths) as Record<string, unknown>;
                const request = sent.get(`${args.type}::${args.name}`);
                if (!request) throw new Error(`no engine request recorded for ${args.type}::${args.name}`);
                const computed = computedState(args.type, inputs, args.name);
                const importId = args.id ? { importId: args.id } : {};
                registered.push({ type: args.type, name: args.name, inputs, secretPaths, computed, provider: args.provider, ...request, ...importId });
                return { id: args.id || `${args.name}-id`, state: { ...args.inputs, ...computed } };
            },
            call(args: pulumi.runtime.MockCallArgs) {
                invoked.push({ token: args.token, inputs: args.inputs as Record<string, unknown> });
                if (args.token === VAULT_KV2_READ) return readVaultSecret(args.inputs as { mount: string; name: string; version?: number });
                return args.inputs;
            },
        },
        project,
        stack,
        preview,
    );
    recordRequests(sent);
    return registered;
}

/** Resolves an output's value (mocks resolve every output). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/** Resolves whether an output is secret. */
export function secrecyOf<T>(output: pulumi.Output<T>): Promise<boolean> {
    return pulumi.isSecret(output);
}

/** Waits until the mock engine has seen every registration the program started. */
export async function settle(): Promise<void> {
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Finds the one resource of `type` named `name`, or fails with the names that exist. */
export function find(registered: readonly Registered[], type: string, name: string): Registered {
    const found = registered.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) {
        const names = registered.filter((r) => r.type === type).map((r) => r.name);
        throw new Error(`expected one ${type} named ${name}, found ${found.length}; have: ${names.join(", ")}`);
    }
    return found[0];
}
