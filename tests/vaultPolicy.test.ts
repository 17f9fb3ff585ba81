/**
 * docs/vault/deploy.hcl and preview.hcl: parsed by a real HCL parser (@cdktf/hcl2json, HashiCorp's
 * hcl v2 compiled to WebAssembly, offline), then held against what the stacks need, path by path,
 * with Vault's own matching. The files are generated from the rights table (components/rights.ts,
 * which cites terraform-provider-vault v5.8.0 for each call); tests/rights.test.ts proves they are
 * exactly the table. This file checks the result from the other side: each app's real names.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "@cdktf/hcl2json";
import { backupNames } from "../components/naming";
import { readStackFile, validateStackConfig } from "../components/config";
import { vaultRestorePolicyName } from "../components/restoreAccess";

const ROOT = path.resolve(__dirname, "..");
type Policy = Map<string, Set<string>>;

/** Vault's capability words (https://developer.hashicorp.com/vault/docs/concepts/policies#capabilities). */
const CAPABILITIES = new Set(["create", "read", "update", "patch", "delete", "list", "sudo", "deny", "subscribe", "recover"]);

/** Parses a policy; throws on HCL syntax errors or on anything but `path "<p>" { capabilities = [...] }`. */
async function parsePolicy(file: string, source: string): Promise<Policy> {
    const doc = (await parse(file, source)) as Record<string, unknown>;
    const extra = Object.keys(doc).filter((k) => k !== "path");
    if (extra.length > 0) throw new Error(`${file}: only path blocks expected, got ${extra.join(", ")}`);
    const policy: Policy = new Map();
    for (const [p, blocks] of Object.entries(doc.path as Record<string, Record<string, unknown>[]>)) {
        if (blocks.length !== 1 || policy.has(p)) throw new Error(`${file}: path "${p}" appears more than once`);
        const keys = Object.keys(blocks[0]);
        if (keys.join() !== "capabilities") throw new Error(`${file}: path "${p}" may only set capabilities, got ${keys.join(", ")}`);
        const caps = blocks[0].capabilities as string[];
        for (const c of caps) if (!CAPABILITIES.has(c)) throw new Error(`${file}: path "${p}": unknown capability "${c}"`);
        policy.set(p, new Set(caps));
    }
    return policy;
}

/** Vault path matching: a trailing `*` is a prefix match, `+` one path segment, else exact. */
function matches(pattern: string, target: string): boolean {
    const glob = pattern.endsWith("*");
    const parts = (glob ? pattern.slice(0, -1) : pattern).split("/");
    const segs = target.split("/");
    for (let i = 0; i < parts.length; i++) {
        const last = i === parts.length - 1;
        if (parts[i] === "+") {
            if (segs[i] === undefined) return false;
            continue;
        }
        if (last && glob) return segs.slice(i).join("/").startsWith(parts[i]) && segs.length >= parts.length;
        if (parts[i] !== segs[i]) return false;
    }
    return segs.length === parts.length;
}

/** The capabilities a policy grants on a path (the union over matching rules, enough for these files). */
const granted = (policy: Policy, target: string) => new Set([...policy.entries()].filter(([p]) => matches(p, target)).flatMap(([, c]) => [...c]));

const read = (name: string) => fs.readFileSync(path.join(ROOT, "docs", "vault", name), "utf8");
let deploy: Policy;
let preview: Policy;
beforeAll(async () => {
    deploy = await parsePolicy("deploy.hcl", read("deploy.hcl"));
    preview = await parsePolicy("preview.hcl", read("preview.hcl"));
});

/** Every Vault path each stack's SecretV2 and Policy resources use. */
const stackSecrets = (stack: string) => {
    const { fleet, problems } = validateStackConfig(readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`)));
    if (!fleet) throw new Error(problems.join("\n"));
    return fleet.apps.map((app) => {
        const name = backupNames(app.name, { vaultNamePrefix: fleet.vault.namePrefix }).vaultSecret;
        return {
            data: `${fleet.vault.mount}/data/${name}`,
            metadata: `${fleet.vault.mount}/metadata/${name}`,
            policy: `sys/policies/acl/${vaultRestorePolicyName(app.name, fleet.namePrefix)}`,
        };
    });
};

describe("the parser and the matcher can fail", () => {
    test("a syntax error is rejected", async () => {
        await expect(parsePolicy("bad.hcl", 'path "ansible/data/x" {\n  capabilities = ["read"\n}\n')).rejects.toThrow(/Unterminated|Missing|bracket/i);
    });
    test("a misspelt capability and a stray attribute are rejected", async () => {
        await expect(parsePolicy("bad.hcl", 'path "a" {\n  capabilities = ["raed"]\n}\n')).rejects.toThrow(/unknown capability "raed"/);
        await expect(parsePolicy("bad.hcl", 'path "a" {\n  capabilities = ["read"]\n  policy = "write"\n}\n')).rejects.toThrow(/may only set capabilities/);
    });
    test("Vault globs: trailing * is a prefix, + one segment, otherwise exact", () => {
        expect(matches("ansible/data/stackback_*", "ansible/data/stackback_gitlab")).toBe(true);
        expect(matches("ansible/data/stackback_*", "ansible/data/staging_stackback_gitlab")).toBe(false);
        expect(matches("ansible/data/stackback_*", "ansible/metadata/stackback_gitlab")).toBe(false);
        expect(matches("auth/token/create", "auth/token/create-orphan")).toBe(false);
        expect(matches("+/data/x", "ansible/data/x")).toBe(true);
    });
});

describe.each(["staging", "prod"])("the %s stack", (stack) => {
    test("deploy: create, update and read on each app's KV v2 data path, read on its metadata", () => {
        for (const secret of stackSecrets(stack)) {
            expect([...granted(deploy, secret.data)].sort()).toEqual(["create", "read", "update"]);
            expect([...granted(deploy, secret.metadata)]).toEqual(["read"]);
        }
    });
    test("preview: read only, on the same paths", () => {
        for (const secret of stackSecrets(stack)) {
            expect([...granted(preview, secret.data)]).toEqual(["read"]);
            expect([...granted(preview, secret.metadata)]).toEqual(["read"]);
            expect([...granted(preview, secret.policy)]).toEqual(["read"]);
        }
    });
    test("deploy: create, read, update and delete on each app's restore policy (vault.Policy), and on no other stack's", () => {
        for (const secret of stackSecrets(stack)) {
            expect([...granted(deploy, secret.policy)].sort()).toEqual(["create", "delete", "read", "update"]);
            expect(granted(deploy, secret.policy.replace(/[^/]+$/, "vault-admin")).size).toBe(0);
        }
    });
});

describe.each([
    ["deploy.hcl", () => deploy],
    ["preview.hcl", () => preview],
])("%s", (_file, policy) => {
    test("lets the provider look its token up and mint its child token", () => {
        expect([...granted(policy(), "auth/token/lookup-self")]).toEqual(["read"]);
        expect([...granted(policy(), "auth/token/create")]).toEqual(["update"]);
        expect(granted(policy(), "auth/token/create-orphan").size).toBe(0);
    });
    test("grants nothing else: no list or sudo, delete only on the stacks' own policies, no path outside the secrets, policies and token", () => {
        for (const [p, caps] of policy()) {
            for (const c of ["list", "sudo", "patch", "deny"]) expect(caps.has(c)).toBe(false);
            if (caps.has("delete")) expect(p).toMatch(/^sys\/policies\/acl\//);
            expect(p).toMatch(
                /^(auth\/token\/(lookup-self|create)|ansible\/(data|metadata)\/(staging_)?stackback_\*|sys\/policies\/acl\/(staging|restic)-stackback-\*)$/,
            );
        }
    });
});

test("preview grants a subset of deploy, and no write at all", () => {
    for (const [p, caps] of preview) {
        for (const c of caps) expect(deploy.get(p)?.has(c)).toBe(true);
        if (p !== "auth/token/create") expect([...caps]).toEqual(["read"]);
    }
});
