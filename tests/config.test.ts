import { ConfigError, DEFAULTS, formatProblems, parseStackConfig, RawStackConfig, validateStackConfig } from "../components/config";
import { EXPORTER_PORT_SPAN, exporterPort } from "../components/config/ports";
import { stackConfig } from "./support/stack";
import { smallFleet } from "./support/fleet";

function fleet(overrides: Partial<RawStackConfig> = {}): RawStackConfig {
    return smallFleet(overrides);
}

function problemsOf(raw: RawStackConfig): string[] {
    return validateStackConfig(raw).problems.map((p) => `${p.path}: ${p.message}`);
}

describe("a valid config", () => {
    test("becomes a fleet with defaults that reproduce the original", () => {
        const f = parseStackConfig(fleet());
        expect(f.apps.map((a) => [a.name, a.schedule, a.retentionDays, a.composeProject])).toEqual([
            ["mattermost", "0 2 * * *", 30, "mattermost"],
            ["n8n", "20 2 * * *", 30, "n8n"],
            ["linkwarden", "0 2 * * *", 30, "linkwarden"],
        ]);
        expect(f.minio.ssl).toBe(true);
        expect(f.vault.mount).toBe("secret");
        expect(f.image).toMatch(/^ghcr\.io\/lawndoc\/stack-back:v/);
    });

    test("Pulumi.prod.yaml is valid", () => {
        expect(problemsOf(stackConfig("prod"))).toEqual([]);
    });

    test("an explicit schedule overrides staggering and is kept verbatim", () => {
        const apps = [
            { name: "mattermost", host: "vm1", group: "green", schedule: "10 3 * * *" },
            { name: "n8n", host: "vm1", group: "green" },
        ];
        expect(parseStackConfig(fleet({ apps })).apps.map((a) => [a.schedule, a.explicitSchedule])).toEqual([
            ["10 3 * * *", true],
            ["0 2 * * *", false],
        ]);
    });

    test("without schedule settings, a group's apps start 20 minutes apart from 02:00, each expected to take 20", () => {
        const apps = ["a", "b", "c", "d"].map((name) => ({ name, host: "vm1", group: "g" }));
        const f = parseStackConfig(fleet({ apps }));
        expect(f.apps.map((a) => [a.schedule, a.expectedDuration])).toEqual([
            ["0 2 * * *", 20],
            ["20 2 * * *", 20],
            ["40 2 * * *", 20],
            ["0 3 * * *", 20],
        ]);
    });

    test("start and spacing are configurable per stack, and wrap past midnight", () => {
        const apps = ["a", "b", "c"].map((name) => ({ name, host: "vm1", group: "g" }));
        const f = parseStackConfig(fleet({ apps, schedule: { start: "23:30", spacingMinutes: 20 } }));
        expect(f.apps.map((a) => a.schedule)).toEqual(["30 23 * * *", "50 23 * * *", "10 0 * * *"]);
    });
});

describe("bad input is reported all at once, each with its path and a fix", () => {
    test("unknown host, missing fields", () => {
        const problems = problemsOf(fleet({ apps: [{ name: "mattermost", host: "vm9", group: "green" }, { host: "vm1" }] }));
        expect(problems).toEqual(
            expect.arrayContaining([
                expect.stringMatching(
                    /^apps\[0\] \(mattermost\)\.host: "vm9" is not a known host; did you mean `vm1`\? add it under platform-backups:hosts or use one of: vm1, vm2$/,
                ),
                expect.stringMatching(/^apps\[1\]\.name: is missing/),
                expect.stringMatching(/^apps\[1\]\.group: is missing/),
            ]),
        );
        expect(problemsOf({ apps: [] })).toEqual(
            expect.arrayContaining([
                expect.stringMatching(/^minio: is missing/),
                expect.stringMatching(/^vault: is missing/),
                expect.stringMatching(/^hosts: is missing/),
            ]),
        );
    });

    test("a duplicate app", () => {
        const apps = [
            { name: "n8n", host: "vm1", group: "green" },
            { name: "n8n", host: "vm2", group: "blue" },
        ];
        expect(problemsOf(fleet({ apps }))).toEqual([expect.stringMatching(/^apps\[1\] \(n8n\)\.name: "n8n" is already apps\[0\]/)]);
    });

    test("an invalid name, and a bucket name that is too long", () => {
        const long = "a".repeat(40);
        const apps = [
            { name: "Matter_Most", host: "vm1", group: "green" },
            { name: long, host: "vm1", group: "green" },
        ];
        const problems = problemsOf(fleet({ apps }));
        expect(problems).toEqual([
            expect.stringMatching(/^apps\[0\] \(Matter_Most\)\.name: "Matter_Most" is not a valid app name: use 1-63 lowercase/),
            expect.stringMatching(
                /^apps\[1\] \(a+\)\.name: the bucket name "restic-stackback-a+-bucket" is 64 characters, more than S3's 63: shorten the app name by 1/,
            ),
        ]);
    });

    test("a schedule stack-back cannot parse", () => {
        for (const schedule of ["*/15 2 * * *", "0 2-4 * * *", "0,30 2 * * *", "0 2 * * MON", "0 2 * *", "60 2 * * *"]) {
            const problems = problemsOf(fleet({ apps: [{ name: "n8n", host: "vm1", group: "green", schedule }] }));
            expect(problems).toHaveLength(1);
            expect(problems[0]).toMatch(/^apps\[0\] \(n8n\)\.schedule: /);
        }
    });

    test("two apps of one group with the same explicit start", () => {
        const apps = [
            { name: "mattermost", host: "vm1", group: "green", schedule: "0 3 * * *" },
            { name: "n8n", host: "vm1", group: "green", schedule: "0 3 * * *" },
            { name: "linkwarden", host: "vm2", group: "blue", schedule: "0 3 * * *" },
        ];
        const problems = problemsOf(fleet({ apps }));
        expect(problems.length).toBeGreaterThanOrEqual(1);
        expect(problems.every((p) => p.startsWith("apps[1] (n8n).schedule: "))).toBe(true);
        expect(problems.join("\n")).toMatch(/mattermost/);
    });

    test("a retention below 1 day, per stack and per app", () => {
        const problems = problemsOf(fleet({ retentionDays: 0, apps: [{ name: "n8n", host: "vm1", group: "green", retentionDays: -3 }] }));
        expect(problems).toEqual([
            expect.stringMatching(/^retentionDays: is 0; it must be at least 1 days$/),
            expect.stringMatching(/^apps\[0\] \(n8n\)\.retentionDays: is -3; it must be at least 1 days$/),
        ]);
    });

    test("typos, wrong types and bad endpoints are caught rather than ignored", () => {
        const problems = problemsOf(
            fleet({
                minio: { endpoint: "https://minio.test", ssl: "yes" },
                vault: { address: "vault.test" },
                hosts: { vm1: { dockerHost: "vm1.example" } },
                apps: [{ name: "n8n", host: "vm1", group: "green", shedule: "0 3 * * *" }],
                image: "ghcr.io/lawndoc/stack-back:latest",
                schedule: { start: "25:00" },
            }),
        );
        for (const path of ["minio.endpoint", "minio.ssl", "vault.address", "hosts.vm1.dockerHost", "apps[0] (n8n).shedule", "image", "schedule.start"]) {
            expect(problems.some((p) => p.startsWith(`${path}: `))).toBe(true);
        }
    });

    test("parseStackConfig throws one ConfigError that lists them all", () => {
        const raw = fleet({ retentionDays: 0, apps: [{ name: "BAD", host: "nowhere", group: "g" }] });
        let error: unknown;
        try {
            parseStackConfig(raw);
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(ConfigError);
        const message = (error as ConfigError).message;
        expect(message).toMatch(/^Invalid stack config \(3 problems\); nothing was created or changed:/);
        expect(message.split("\n")).toHaveLength(4);
        expect(formatProblems([{ path: "a", message: "b" }])).toMatch(/\(1 problem\)/);
    });
});

describe("monitoring and notifications in the config", () => {
    test("exporter ports come from the app's name, explicit ports respected, addresses from the host", () => {
        const apps = [
            { name: "a", host: "vm1", group: "g", monitoring: { port: 9471 } },
            { name: "b", host: "vm1", group: "g" },
            { name: "c", host: "vm2", group: "g" },
            { name: "d", host: "vm1", group: "g", monitoring: { enabled: false } },
        ];
        const f = parseStackConfig(
            fleet({
                apps,
                monitoring: { enabled: true },
                hosts: { vm1: { dockerHost: "ssh://deploy@vm1.x:22", address: "10.0.0.1" }, vm2: { dockerHost: "ssh://deploy@vm2.x" } },
            }),
        );
        expect(f.apps.map((a) => a.monitoring?.address)).toEqual(["10.0.0.1:9471", `10.0.0.1:${exporterPort("b")}`, `vm2.x:${exporterPort("c")}`, undefined]);
        expect(f.apps[0].monitoring?.graceHours).toBe(2);
        // The derived port lies in [portBase, portBase + span) and moves with portBase only.
        expect(exporterPort("b", 20000) - 20000).toBe(exporterPort("b") - DEFAULTS.exporterPortBase);
        expect(exporterPort("b")).toBeGreaterThanOrEqual(DEFAULTS.exporterPortBase);
        expect(exporterPort("b")).toBeLessThan(DEFAULTS.exporterPortBase + EXPORTER_PORT_SPAN);
    });

    describe("an explicit port that is another app's derived port moves the derived one, in either list order", () => {
        // The explicit port is the user's word; the other app probes on to the next free port (its
        // record keeps that port from then on: tests/fleetAssign.test.ts).
        const derivedOfB = exporterPort("b");
        const a = { name: "a", host: "vm1", group: "g", monitoring: { port: derivedOfB } };
        const b = { name: "b", host: "vm1", group: "g" };
        test.each([
            ["explicit first", [a, b]],
            ["explicit last", [b, a]],
        ])("%s", (_, apps) => {
            const f = parseStackConfig(fleet({ apps, monitoring: { enabled: true } }));
            const portOf = (name: string) => f.apps.find((app) => app.name === name)?.monitoring?.port;
            expect([portOf("a"), portOf("b")]).toEqual([derivedOfB, derivedOfB + 1]);
        });

        test("on another host the same port is no clash", () => {
            const f = parseStackConfig(fleet({ apps: [a, { ...b, host: "vm2" }], monitoring: { enabled: true } }));
            expect(f.apps.map((app) => app.monitoring?.port)).toEqual([derivedOfB, derivedOfB]);
        });

        test("two explicit ports that clash are refused on the later app, naming the other", () => {
            const apps = [
                { name: "a", host: "vm1", group: "g", monitoring: { port: 9600 } },
                { name: "b", host: "vm1", group: "g", monitoring: { port: 9600 } },
            ];
            expect(problemsOf(fleet({ apps, monitoring: { enabled: true } }))).toEqual([
                "apps[1] (b).monitoring.port: 9600 is already the exporter port of a on host vm1; set another port, or remove it and let the planner assign one",
            ]);
        });
    });

    test("an app's own retentionDays and graceHours override the stack's", () => {
        const apps = [
            { name: "a", host: "vm1", group: "g", retentionDays: 7, monitoring: { graceHours: 10 } },
            { name: "b", host: "vm1", group: "g" },
        ];
        const f = parseStackConfig(fleet({ apps, retentionDays: 45, monitoring: { enabled: true, graceHours: 3 } }));
        expect(f.apps.map((app) => [app.name, app.retentionDays, app.monitoring?.graceHours])).toEqual([
            ["a", 7, 10],
            ["b", 45, 3],
        ]);
    });

    test("monitoring is off unless the stack or the app turns it on", () => {
        expect(parseStackConfig(fleet()).apps.every((a) => a.monitoring === undefined)).toBe(true);
    });

    test("clashing exporter ports and bad notification settings are reported with their paths", () => {
        const apps = [
            { name: "a", host: "vm1", group: "g", monitoring: { port: 9500 } },
            { name: "b", host: "vm1", group: "g", monitoring: { port: 9500 } },
            { name: "c", host: "vm1", group: "g", notifications: { discordWebhook: "http://discord.example/x" } },
        ];
        const problems = problemsOf(fleet({ apps, monitoring: { enabled: true }, notifications: { emailPort: 25 } }));
        expect(problems).toEqual(
            expect.arrayContaining([
                expect.stringMatching(/^apps\[1\] \(b\)\.monitoring\.port: 9500 is already the exporter port of a on host vm1/),
                expect.stringMatching(/^apps\[2\] \(c\)\.notifications\.discordWebhook: must start with https:\/\//),
                expect.stringMatching(/^notifications\.emailPort: is 25/),
            ]),
        );
    });

    test("per-app notification settings override the stack's, field by field", () => {
        const apps = [
            { name: "a", host: "vm1", group: "g", notifications: { emailSendTo: ["a-team@example.com"] } },
            { name: "b", host: "vm1", group: "g" },
        ];
        const notifications = { emailHost: "smtp.example.com", emailPort: 587, emailUser: "backup@example.com", emailSendTo: ["ops@example.com"] };
        const f = parseStackConfig(fleet({ apps, notifications }));
        expect(f.apps.map((a) => a.notifications.emailSendTo)).toEqual([["a-team@example.com"], ["ops@example.com"]]);
        expect(f.apps[0].notifications.emailHost).toBe("smtp.example.com");
    });
});

describe("the settings of the deploy-time check, time zone, private CA and Vault (config contract)", () => {
    const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

    test("defaults: UTC, 120 s, labels required, child token, no CA, no runbook base", () => {
        const f = parseStackConfig(fleet());
        expect(f.timezone).toBe("UTC");
        expect(f.checkTimeoutSeconds).toBe(120);
        expect(f.apps.every((a) => a.requireLabels === true)).toBe(true);
        expect(f.vault.skipChildToken).toBe(false);
        expect(f.vault.maxLeaseTtlSeconds).toBeUndefined();
        expect(f.minio.caCert).toBeUndefined();
        expect(f.minio.caCertPath).toBeUndefined();
        expect(f.monitoring).toEqual({});
    });

    test("each setting reaches the fleet in the contract's shape", () => {
        const f = parseStackConfig(
            fleet({
                timezone: "Europe/Berlin",
                checkTimeoutSeconds: 30,
                minio: { endpoint: "minio.test:9000", caCert: PEM },
                vault: { address: "https://vault.test:8200", skipChildToken: true, maxLeaseTtlSeconds: 600 },
                monitoring: { runbookBaseUrl: "https://git.example.com/p/README.md" },
                hosts: {
                    vm1: { dockerHost: "tcp://vm1:2376", tls: { caFile: "/t/ca.pem", certFile: "/t/cert.pem", keyFile: "/t/key.pem" } },
                    vm2: { dockerHost: "ssh://deploy@vm2" },
                },
                apps: [
                    { name: "mattermost", host: "vm1", group: "green", requireLabels: false },
                    { name: "n8n", host: "vm2", group: "green" },
                ],
            }),
        );
        expect(f.timezone).toBe("Europe/Berlin");
        expect(f.checkTimeoutSeconds).toBe(30);
        expect(f.minio.caCert).toBe(PEM);
        expect(f.vault).toMatchObject({ skipChildToken: true, maxLeaseTtlSeconds: 600 });
        expect(f.monitoring.runbookBaseUrl).toBe("https://git.example.com/p/README.md");
        expect(f.hosts.vm1.tls).toEqual({ caFile: "/t/ca.pem", certFile: "/t/cert.pem", keyFile: "/t/key.pem" });
        expect(f.apps.map((a) => a.requireLabels)).toEqual([false, true]);
    });

    test("bad values are all reported with their paths", () => {
        const problems = problemsOf(
            fleet({
                timezone: "Mars/Olympus",
                checkTimeoutSeconds: 5000,
                minio: { endpoint: "minio.test:9000", caCert: "nope", caCertPath: "ca.pem" },
                vault: { address: "https://vault.test:8200", skipChildToken: "yes", maxLeaseTtlSeconds: 30 },
                monitoring: { runbookBaseUrl: "README.md" },
                hosts: { vm1: { dockerHost: "tcp://vm1:2375" }, vm2: { dockerHost: "ssh://deploy@vm2", tls: { caFile: "/a", certFile: "/b", keyFile: "/c" } } },
            }),
        );
        for (const path of [
            "timezone:",
            "checkTimeoutSeconds:",
            "minio.caCert:",
            "minio.caCertPath:",
            "vault.skipChildToken:",
            "vault.maxLeaseTtlSeconds:",
            "monitoring.runbookBaseUrl:",
            "hosts.vm1.tls: is missing",
            "hosts.vm2.tls: applies only to tcp:// hosts",
        ]) {
            expect(problems.some((p) => p.startsWith(path))).toBe(true);
        }
        expect(problemsOf(fleet({ checkTimeoutSeconds: 9 })).some((p) => p.startsWith("checkTimeoutSeconds:"))).toBe(true);
        const both = problemsOf(fleet({ minio: { endpoint: "minio.test:9000", caCert: PEM, caCertPath: "/etc/ssl/ca.pem" } }));
        expect(both.some((p) => p.startsWith("minio.caCertPath: set only one of caCert and caCertPath"))).toBe(true);
    });

    test("prod states UTC explicitly", () => {
        expect(stackConfig("prod").timezone).toBe("UTC");
    });
});
