/**
 * What a person sees when the config is wrong: every problem at once, with a path that names
 * the app, a fix, no cascades, and one reading of values wherever they come from.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import {
    ConfigError,
    configFromPulumi,
    loadStackFile,
    parseStackConfig,
    projectConfig,
    RawStackConfig,
    readStackFileConfig,
    validateStackConfig,
} from "../components/config";
import { dailyReplacement } from "../components/config/apps";
import { parseCron } from "../components/cron";
import { fleetFromStackFile } from "../scripts/stackCli";
import { ROOT } from "./support/stack";
import { smallFleet } from "./support/fleet";

function fleet(overrides: Partial<RawStackConfig> = {}): RawStackConfig {
    return smallFleet(overrides, "chat");
}

const problemsOf = (raw: RawStackConfig) => validateStackConfig(raw).problems.map((p) => `${p.path}: ${p.message}`);

/** A temporary stack file with `text`; removed after the test. */
function stackFile(text: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-backups-config-"));
    const file = path.join(dir, "Pulumi.test.yaml");
    fs.writeFileSync(file, text);
    return file;
}

describe("a misspelled key gets a 'did you mean'", () => {
    test.each([
        [{ shedule: { start: "02:00" } }, "shedule: is not a known key; did you mean `schedule`?"],
        [{ retentonDays: 7 }, "retentonDays: is not a known key; did you mean `retentionDays`?"],
        [{ apps: [{ name: "n8n", host: "vm1", group: "g", shedule: "0 3 * * *" }] }, "apps[0] (n8n).shedule: is not a known key; did you mean `schedule`?"],
        [{ hosts: { vm1: { dockerHots: "ssh://x" } }, apps: [] }, "hosts.vm1.dockerHots: is not a known key; did you mean `dockerHost`?"],
        [{ monitoring: { enabeld: true } }, "monitoring.enabeld: is not a known key; did you mean `enabled`?"],
        [{ notifications: { emailHots: "smtp.example.com" } }, "notifications.emailHots: is not a known key; did you mean `emailHost`?"],
        [{ schedule: { groups: { green: { maxConcurent: 2 } } } }, "schedule.groups.green.maxConcurent: is not a known key; did you mean `maxConcurrent`?"],
        [{ vault: { address: "https://v:8200", mout: "kv" } }, "vault.mout: is not a known key; did you mean `mount`?"],
    ])("%j", (overrides, expected) => {
        expect(problemsOf(fleet(overrides as RawStackConfig))).toContain(expected);
    });

    test("a key like nothing known lists the known ones instead", () => {
        expect(problemsOf(fleet({ monitoring: { prometheus: true } }))).toEqual([
            expect.stringMatching(/^monitoring\.prometheus: is not a known key; use one of: enabled, portBase, /),
        ]);
    });
});

describe("paths name the app beside its index", () => {
    test("apps[1] (chat).host", () => {
        const apps = [
            { name: "mattermost", host: "vm1", group: "green" },
            { name: "chat", host: "vm3", group: "green" },
        ];
        expect(problemsOf(fleet({ apps }))).toEqual([expect.stringMatching(/^apps\[1\] \(chat\)\.host: "vm3" is not a known host; did you mean `vm1`\?/)]);
    });

    test("an app without a readable name keeps a bare index", () => {
        expect(problemsOf(fleet({ apps: [{ name: 42, host: "vm1", group: "g" }] }))).toEqual([]);
        expect(problemsOf(fleet({ apps: [{ name: ["x"], host: "vm1", group: "g" }] }))).toEqual([
            expect.stringMatching(/^apps\[0\]\.name: must be a non-empty string, got a list$/),
        ]);
    });
});

describe("a schedule stack-back cannot read gets the plain one it should be", () => {
    test.each([
        ["*/30 2 * * *", "0 2 * * *"],
        ["15 2-4 * * *", "15 2 * * *"],
        ["0,30 3 * * *", "0 3 * * *"],
        ["10 4 * * MON", "10 4 * * *"],
    ])("%s -> %s", (schedule, replacement) => {
        const problems = problemsOf(fleet({ apps: [{ name: "n8n", host: "vm1", group: "g", schedule }] }));
        expect(problems).toHaveLength(1);
        expect(problems[0]).toContain(`apps[0] (n8n).schedule: `);
        expect(problems[0]).toContain(`write "${replacement}"`);
        // The replacement is itself one stack-back reads, with a fixed daily start.
        expect(parseCron(replacement).problems).toEqual([]);
    });

    test("what has no daily reading gets no invented one", () => {
        expect(dailyReplacement("MON 2 * * *")).toBeUndefined();
        expect(dailyReplacement("2")).toBeUndefined();
        expect(problemsOf(fleet({ apps: [{ name: "n8n", host: "vm1", group: "g", schedule: "@daily" }] }))).toEqual([
            expect.stringMatching(/^apps\[0\] \(n8n\)\.schedule: .*; or remove schedule and let the planner place it$/),
        ]);
    });
});

describe("no cascades", () => {
    test("one wrong hosts is reported once, not again at every app's host", () => {
        expect(problemsOf(fleet({ hosts: "vm1" }))).toEqual(['hosts: must be a map, got the quoted string "vm1"']);
        expect(problemsOf(fleet({ hosts: { vm1: { dockerHost: "vm1.example" }, vm2: { dockerHost: "ssh://deploy@vm2" } } }))).toEqual([
            expect.stringMatching(/^hosts\.vm1\.dockerHost: "vm1\.example" is not a Docker host URL/),
        ]);
    });

    test("an unreadable schedule is not also planned into an overlap", () => {
        const apps = [
            { name: "a", host: "vm1", group: "g", schedule: "*/30 2 * * *" },
            { name: "b", host: "vm1", group: "g", schedule: "0 2 * * *" },
        ];
        expect(problemsOf(fleet({ apps }))).toEqual([expect.stringMatching(/^apps\[0\] \(a\)\.schedule: /)]);
    });

    test("a broken app is not also reported as leaving its group unused", () => {
        const apps = [{ name: "a", host: "vm1", group: "g", expectedDuration: "long" }];
        expect(problemsOf(fleet({ apps, schedule: { groups: { g: { maxConcurrent: 2 } } } }))).toEqual([
            'apps[0] (a).expectedDuration: must be a whole number of minutes, got the quoted string "long"',
        ]);
    });

    test("but a broken app's other problems are still reported, each once", () => {
        const apps = [
            { name: "mattermost", host: "vm1", group: "green" },
            { name: "chat", host: "vm3", group: "green", shedule: "0 3 * * *" },
            { name: "mattermost", host: "vm1", group: "green", schedule: "*/30 2 * * *", retentionDays: 0 },
        ];
        expect(problemsOf(fleet({ apps }))).toEqual([
            "apps[1] (chat).shedule: is not a known key; did you mean `schedule`?",
            expect.stringMatching(/^apps\[1\] \(chat\)\.host: "vm3" is not a known host/),
            "apps[2] (mattermost).retentionDays: is 0; it must be at least 1 days",
            expect.stringMatching(/^apps\[2\] \(mattermost\)\.name: "mattermost" is already apps\[0\]/),
            expect.stringMatching(/^apps\[2\] \(mattermost\)\.schedule: .*write "0 2 \* \* \*"/),
        ]);
    });

    test("broken stack notifications are not also reported as every app's half-configured e-mail", () => {
        expect(problemsOf(fleet({ notifications: { emailHost: "smtp.example.com", emailPort: "smtp" } }))).toEqual([
            expect.stringMatching(/^notifications\.emailPort: must be a port number/),
        ]);
    });
});

describe("values", () => {
    test('a whole number given as "true" is called a quoted string', () => {
        const problems = problemsOf(fleet({ apps: [{ name: "a", host: "vm1", group: "g", expectedDuration: "true" }] }));
        expect(problems).toEqual(['apps[0] (a).expectedDuration: must be a whole number of minutes, got the quoted string "true"']);
    });

    test("pulumi config set's strings mean what the numbers and booleans mean", () => {
        const typed = parseStackConfig(fleet({ retentionDays: 14, initRepository: false, monitoring: { enabled: true, graceHours: 3 } }));
        const strings = parseStackConfig(fleet({ retentionDays: "14", initRepository: "false", monitoring: { enabled: "true", graceHours: "3" } }));
        expect(strings).toEqual(typed);
        expect(typed.apps[0].retentionDays).toBe(14);
    });

    test("every problem at once, each with a path and a fix", () => {
        const problems = problemsOf(
            fleet({
                retentionDays: 0,
                timezone: "Mars/Olympus",
                checkTimeoutSeconds: 5,
                minio: { endpoint: "minio.test:9000", caCert: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----", caCertPath: "/etc/ssl/ca.pem" },
                vault: { address: "https://vault.test:8200", maxLeaseTtlSeconds: 30 },
                hosts: { vm1: { dockerHost: "tcp://vm1:2376" }, vm2: { dockerHost: "ssh://deploy@vm2", tls: { caFile: "a", certFile: "b", keyFile: "c" } } },
                monitoring: { runbookBaseUrl: "/runbooks" },
            }),
        );
        expect(problems).toEqual([
            "minio.caCertPath: set only one of caCert and caCertPath: they say the same thing two ways",
            "vault.maxLeaseTtlSeconds: is 30; it must be at least 60 seconds",
            "retentionDays: is 0; it must be at least 1 days",
            'timezone: "Mars/Olympus" is not a time zone; write an IANA name such as "UTC" or "Europe/Berlin"',
            "checkTimeoutSeconds: is 5; it must be at least 10 seconds",
            expect.stringMatching(/^monitoring\.runbookBaseUrl: "\/runbooks" is not an absolute http\(s\) URL; give the address/),
            expect.stringMatching(/^hosts\.vm1\.tls: is missing; a tcp:\/\/ Docker engine needs caFile, certFile and keyFile/),
            "hosts.vm2.tls: applies only to tcp:// hosts; ssh:// does not use it, remove it",
        ]);
    });

    test("the new settings have their contract's defaults and shapes", () => {
        const f = parseStackConfig(fleet());
        expect(f.timezone).toBe("UTC");
        expect(f.checkTimeoutSeconds).toBe(120);
        expect(f.vault).toEqual({ address: "https://vault.test:8200", mount: "secret", namePrefix: "stackback_", skipChildToken: false });
        expect(f.minio).toEqual({ endpoint: "minio.test:9000", ssl: true });
        expect(f.monitoring).toEqual({});
        expect(f.apps.every((a) => a.requireLabels === true)).toBe(true);
        const set = parseStackConfig(
            fleet({
                timezone: "Europe/Berlin",
                checkTimeoutSeconds: "300",
                minio: { endpoint: "minio.test:9000", caCertPath: "/etc/ssl/minio-ca.pem" },
                vault: { address: "https://vault.test:8200", skipChildToken: true, maxLeaseTtlSeconds: 3600 },
                hosts: { vm1: { dockerHost: "tcp://vm1:2376", tls: { caFile: "/ca.pem", certFile: "/cert.pem", keyFile: "/key.pem" } } },
                apps: [{ name: "a", host: "vm1", group: "g", requireLabels: false }],
                monitoring: { runbookBaseUrl: "https://runbooks.example.internal/backups" },
            }),
        );
        expect(set).toMatchObject({
            timezone: "Europe/Berlin",
            checkTimeoutSeconds: 300,
            minio: { caCertPath: "/etc/ssl/minio-ca.pem" },
            vault: { skipChildToken: true, maxLeaseTtlSeconds: 3600 },
            hosts: { vm1: { tls: { caFile: "/ca.pem", certFile: "/cert.pem", keyFile: "/key.pem" } } },
            monitoring: { runbookBaseUrl: "https://runbooks.example.internal/backups" },
        });
        expect(set.apps[0].requireLabels).toBe(false);
    });
});

describe("namespaces: every key of the stack is read", () => {
    test("an unknown key of ours and a namespace a few letters away are refused; providers' are not", () => {
        const { raw, problems } = configFromPulumi({
            "platform-backups:retentonDays": "7",
            "platform-backup:image": "ghcr.io/lawndoc/stack-back:v1.5.4",
            "platfrom-backups:namePrefix": "x",
            "platform_backups:logLevel": "debug",
            "minio:region": "us-east-1",
            "vault:address": "https://vault.test:8200",
            "docker:host": "ssh://x",
            "pulumi:disable-default-providers": '["*"]',
            "random:seed": "1",
            "command:interpreter": '["/bin/sh"]',
        });
        expect(problems.map((p) => p.path)).toEqual(["platform-backup:image", "platfrom-backups:namePrefix", "platform_backups:logLevel"]);
        expect(problems[0].message).toBe('is in namespace "platform-backup", which nothing reads; did you mean `platform-backups:image`?');
        expect(raw).toEqual({ retentonDays: 7 });
        expect(validateStackConfig(fleet(raw), problems).problems.map((p) => p.path)).toEqual([...problems.map((p) => p.path), "retentonDays"]);
    });

    test("a stack file may leave out our namespace, as Pulumi allows", () => {
        expect(projectConfig({ retentionDays: 7, "platform-backups:image": "x" }).raw).toEqual({ retentionDays: 7, image: "x" });
    });
});

describe("stack files", () => {
    test("a YAML syntax error names the file and the line", () => {
        const file = stackFile('config:\n  platform-backups:retentionDays: 7\n  platform-backups:image: "ghcr.io/lawndoc/stack-back:v1.5.4\n');
        let error: unknown;
        try {
            loadStackFile(file);
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(ConfigError);
        const message = (error as ConfigError).message;
        expect(message.split("\n")).toEqual([
            "Invalid stack config (1 problem); nothing was created or changed:",
            `  - ${path.relative(process.cwd(), file)}:4:1: YAML syntax error: Missing closing "quote; fix the file, then run again`,
        ]);
        expect(message).not.toMatch(/\n\s+at /);
    });

    test("npm run plan / monitoring print the problems, not a stack trace, and exit 1", () => {
        const file = stackFile("config:\n  platform-backups:retentionDays: [\n");
        const printed: string[] = [];
        const spy = jest.spyOn(console, "error").mockImplementation((text: string) => void printed.push(text));
        try {
            expect(fleetFromStackFile(file)).toEqual({ exitCode: 1 });
        } finally {
            spy.mockRestore();
        }
        expect(printed).toHaveLength(1);
        expect(printed[0]).toContain(`${path.relative(process.cwd(), file)}:3:1: YAML syntax error: `);
        expect(printed[0]).not.toMatch(/\n\s+at /);
    });

    test("the plan reads a stack file as the program reads the same config from the CLI", () => {
        for (const stack of ["prod", "staging", "dev"]) {
            const file = path.join(ROOT, `Pulumi.${stack}.yaml`);
            const config = (YAML.parse(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> }).config;
            // What the Pulumi CLI hands the program: strings as they are, everything else as JSON.
            const cli = Object.fromEntries(Object.entries(config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
            const fromFile = readStackFileConfig(file);
            const fromCli = configFromPulumi(cli);
            expect(fromFile).toEqual(fromCli);
            expect(validateStackConfig(fromFile.raw).problems).toEqual([]);
        }
    });

    test('retentionDays: "14" as pulumi config set stores it plans like 14', () => {
        const file = stackFile(
            [
                "config:",
                '  platform-backups:retentionDays: "14"',
                '  platform-backups:initRepository: "false"',
                "  platform-backups:minio: { endpoint: 'minio.test:9000' }",
                "  platform-backups:vault: { address: 'https://vault.test:8200' }",
                "  platform-backups:hosts: { vm1: { dockerHost: 'ssh://deploy@vm1' } }",
                "  platform-backups:apps: [{ name: a, host: vm1, group: g }]",
            ].join("\n"),
        );
        const { fleet: f } = loadStackFile(file);
        expect(f.apps[0].retentionDays).toBe(14);
        expect(f.initRepository).toBe(false);
    });
});
