/**
 * The guards against an empty fleet and plain-text secrets: in the program (under mocks, with the
 * secret keys set as the CLI sets them), in `npm run plan` (a stack file), and as pure functions.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { validateStackConfig } from "../components/config";
import { cliPath, emptyFleetProblems, plainSecretProblems, setSecretCommand } from "../components/configGuards";
import { fleetFromStackFile } from "../scripts/stackCli";
import { smallFleet } from "./support/fleet";
import { programError } from "./support/program";
import { installMocks } from "./support/pulumiMocks";
import { setStackConfig } from "./support/stack";

const PASSWORD = "hunter2-not-real";
const WEBHOOK = "https://discord.com/api/webhooks/1/not-real";
/** Complete e-mail settings but the password (stack-back needs all of them). */
const EMAIL = { emailHost: "smtp.example.com", emailPort: 587, emailUser: "backups@example.com", emailSendTo: ["ops@example.com"] };

describe("the SDK fact the program relies on (@pulumi/pulumi 3.276.0 runtime/config.js:72)", () => {
    test("runtime.isConfigSecret exists and answers from the secret keys that setAllConfig (and the CLI's PULUMI_CONFIG_SECRET_KEYS) give", () => {
        const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret: (key: string) => boolean }).isConfigSecret;
        expect(typeof isConfigSecret).toBe("function");
        pulumi.runtime.setAllConfig({ "platform-backups:minioPassword": "x", "platform-backups:retentionDays": "7" }, ["platform-backups:minioPassword"]);
        expect(isConfigSecret("platform-backups:minioPassword")).toBe(true);
        expect(isConfigSecret("platform-backups:retentionDays")).toBe(false);
    });
});

describe("the program", () => {
    test("apps: [] is refused with one clear message, and nothing is registered", async () => {
        const registered = installMocks();
        setStackConfig(smallFleet({ apps: [] }));
        const error = await programError();
        expect(pulumi.RunError.isInstance(error)).toBe(true);
        const lines = (error as Error).message.split("\n");
        expect(lines[0]).toBe("Invalid stack config (1 problem); nothing was created or changed:");
        expect(lines.slice(1)).toEqual([expect.stringMatching(/^ {2}- apps: is empty: `pulumi up` would remove every app's sidecar.*allowEmptyFleet: true$/)]);
        expect(registered).toEqual([]);
    });

    test("apps: [] with allowEmptyFleet: true is accepted: providers only, no app", async () => {
        const registered = installMocks();
        setStackConfig(smallFleet({ apps: [], allowEmptyFleet: true }));
        expect(await programError()).toBeUndefined();
        expect(registered.length).toBeGreaterThan(0);
        expect(registered.every((r) => r.type.startsWith("pulumi:providers:"))).toBe(true);
    });

    test("a plain minioPassword is refused with the exact command, the value is never printed, nothing is registered", async () => {
        const registered = installMocks();
        setStackConfig(smallFleet({ minioPassword: PASSWORD }));
        const error = await programError();
        expect(pulumi.RunError.isInstance(error)).toBe(true);
        const message = (error as Error).message;
        expect(message.split("\n")).toEqual([
            "Invalid stack config (1 problem); nothing was created or changed:",
            expect.stringContaining("  - minioPassword: is a secret but is stored in plain text"),
        ]);
        expect(message).toContain("pulumi config set --stack test --secret 'platform-backups:minioPassword' '<value>'");
        expect(message).not.toContain(PASSWORD);
        expect(registered).toEqual([]);
    });

    test("the same minioPassword set as a secret is accepted", async () => {
        const registered = installMocks();
        setStackConfig(smallFleet(), { minioPassword: PASSWORD, vaultToken: "not-a-real-token" });
        expect(await programError()).toBeUndefined();
        expect(registered.length).toBeGreaterThan(10);
    });

    test("a plain SMTP password and Discord webhook are refused (stack and app), each with its --path command", async () => {
        const registered = installMocks();
        const raw = smallFleet();
        const apps = (raw.apps as Record<string, unknown>[]).map((app, i) => (i === 1 ? { ...app, notifications: { discordWebhook: WEBHOOK } } : app));
        setStackConfig({ ...raw, apps, notifications: { ...EMAIL, emailPassword: PASSWORD } });
        const error = await programError();
        const message = (error as Error).message;
        expect(message.split("\n").slice(1)).toEqual([
            expect.stringMatching(/^ {2}- notifications\.emailPassword: is a secret but is stored in plain text/),
            expect.stringMatching(/^ {2}- apps\[1\] \(n8n\)\.notifications\.discordWebhook: is a secret but is stored in plain text/),
        ]);
        expect(message).toContain("pulumi config set --stack test --secret --path 'platform-backups:notifications.emailPassword' '<value>'");
        expect(message).toContain("--path 'platform-backups:apps[1].notifications.discordWebhook' '<value>'");
        expect(message).not.toContain(PASSWORD);
        expect(message).not.toContain(WEBHOOK);
        expect(registered).toEqual([]);
    });

    test("a nested secret in a key the CLI marks secret is accepted (the program cannot see further than the key)", async () => {
        const registered = installMocks();
        setStackConfig(smallFleet(), { notifications: JSON.stringify({ ...EMAIL, emailPassword: PASSWORD }) });
        expect(await programError()).toBeUndefined();
        expect(registered.length).toBeGreaterThan(10);
    });
});

describe("npm run plan (a stack file)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pb-guards-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const prod = fs.readFileSync(path.resolve(__dirname, "..", "Pulumi.prod.yaml"), "utf8");
    const withLines = (extra: string) => {
        const file = path.join(dir, `Pulumi.s${fs.readdirSync(dir).length}.yaml`);
        fs.writeFileSync(file, prod.replace("config:\n", `config:\n${extra}`));
        return file;
    };
    const run = (file: string) => {
        const printed: string[] = [];
        const spy = jest.spyOn(console, "error").mockImplementation((text: string) => void printed.push(text));
        try {
            return { result: fleetFromStackFile(file, "prod"), printed: printed.join("\n") };
        } finally {
            spy.mockRestore();
        }
    };

    test("a plain minioPassword in the file is refused with the command; a secure: one is accepted", () => {
        const plain = run(withLines(`  platform-backups:minioPassword: ${PASSWORD}\n`));
        expect(plain.result).toEqual({ exitCode: 1 });
        expect(plain.printed).toContain("minioPassword: is a secret but is stored in plain text");
        expect(plain.printed).toContain("pulumi config set --stack prod --secret 'platform-backups:minioPassword' '<value>'");
        expect(plain.printed).not.toContain(PASSWORD);
        const secure = run(withLines("  platform-backups:minioPassword:\n    secure: v1:AAAAAAAAAAAAAAAA:BBBBBBBB\n"));
        expect(secure.result).toHaveProperty("fleet");
    });

    test("apps: [] in the file is refused (the plan no longer prints an empty fleet)", () => {
        const file = path.join(dir, "Pulumi.empty.yaml");
        fs.writeFileSync(file, prod.replace(/ {2}platform-backups:apps:\n(?: {4}.*\n| *#.*\n|\n)*/, "  platform-backups:apps: []\n"));
        const r = run(file);
        expect(r.result).toEqual({ exitCode: 1 });
        expect(r.printed).toContain("- apps: is empty");
    });
});

describe("the pure guards", () => {
    test("empty fleet: only an empty list, and only without allowEmptyFleet: true; a malformed flag is named", () => {
        expect(emptyFleetProblems({ apps: [] }).map((p) => p.path)).toEqual(["apps"]);
        expect(emptyFleetProblems({ apps: [], allowEmptyFleet: true })).toEqual([]);
        expect(emptyFleetProblems({ apps: [], allowEmptyFleet: "true" })).toEqual([]);
        expect(emptyFleetProblems({ apps: [{ name: "a" }] })).toEqual([]);
        expect(emptyFleetProblems({})).toEqual([]); // a missing apps is the validator's own problem
        expect(emptyFleetProblems({ apps: [], allowEmptyFleet: "yes" })).toEqual([
            { path: "allowEmptyFleet", message: expect.stringMatching(/must be true or false/) },
        ]);
    });

    test("validateStackConfig itself refuses apps: [] (library callers too), once, and accepts it with allowEmptyFleet", () => {
        const refused = validateStackConfig(smallFleet({ apps: [] }));
        expect(refused.fleet).toBeUndefined();
        expect(refused.problems.map((p) => p.path)).toEqual(["apps"]);
        const allowed = validateStackConfig(smallFleet({ apps: [], allowEmptyFleet: true }));
        expect(allowed.problems).toEqual([]);
        expect(allowed.fleet?.apps).toEqual([]);
    });

    test("plain secrets: empty webhooks are no secret, secure: values pass, a secret top-level key passes", () => {
        const raw = {
            minioPassword: "p",
            vaultToken: { secure: "v1:x" },
            notifications: { discordWebhook: "" },
            apps: [{ name: "a", notifications: { emailPassword: "q" } }],
        };
        expect(plainSecretProblems(raw).map((p) => p.path)).toEqual(["minioPassword", "apps[0] (a).notifications.emailPassword"]);
        expect(plainSecretProblems(raw, { topLevelIsSecret: (key) => key === "apps" }).map((p) => p.path)).toEqual(["minioPassword"]);
    });

    test("the command: --path only for nested settings, Pulumi's path syntax, the value a placeholder", () => {
        expect(cliPath(["apps", 3, "notifications", "emailPassword"])).toBe("apps[3].notifications.emailPassword");
        expect(setSecretCommand(["vaultToken"])).toBe("pulumi config set --secret 'platform-backups:vaultToken' '<value>'");
        expect(setSecretCommand(["notifications", "discordWebhook"], "staging")).toBe(
            "pulumi config set --stack staging --secret --path 'platform-backups:notifications.discordWebhook' '<value>'",
        );
    });
});
