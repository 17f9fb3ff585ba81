import * as fc from "fast-check";
import {
    mergeNotifications,
    missingEmailFields,
    notificationEnv,
    notificationProblems,
    NotificationSettings,
    readNotifications,
} from "../components/notifications";

const STACK: NotificationSettings = {
    emailHost: "smtp.platform-one.internal",
    emailPort: 587,
    emailUser: "backups@platform-one.internal",
    emailPassword: "smtp-password",
    emailSendTo: ["ops@platform-one.internal"],
    discordWebhook: "https://discord.com/api/webhooks/1/abc",
};

/** stack-back's variable names (alerts/smtp.py, alerts/discord.py, stack-back.env.template). */
const STACKBACK_NAMES = ["EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_SEND_TO", "DISCORD_WEBHOOK"];

const envOf = (entries: ReturnType<typeof notificationEnv>) => Object.fromEntries(entries.map((e) => [e.name, e.value]));

describe("notificationEnv", () => {
    test("emits stack-back's variables from the stack's defaults", () => {
        expect(envOf(notificationEnv(STACK))).toEqual({
            EMAIL_HOST: "smtp.platform-one.internal",
            EMAIL_PORT: "587",
            EMAIL_HOST_USER: "backups@platform-one.internal",
            EMAIL_HOST_PASSWORD: "smtp-password",
            EMAIL_SEND_TO: "ops@platform-one.internal",
            DISCORD_WEBHOOK: "https://discord.com/api/webhooks/1/abc",
        });
    });

    test("marks the SMTP password and the webhook (its URL is the credential) as secret, nothing else", () => {
        const secret = notificationEnv(STACK)
            .filter((e) => e.secret)
            .map((e) => e.name);
        expect(secret).toEqual(["EMAIL_HOST_PASSWORD", "DISCORD_WEBHOOK"]);
    });

    test("an app's override wins field by field", () => {
        const env = envOf(notificationEnv(STACK, { emailSendTo: ["dba@platform-one.internal", "oncall@platform-one.internal"], emailPort: 465 }));
        expect(env.EMAIL_SEND_TO).toBe("dba@platform-one.internal,oncall@platform-one.internal");
        expect(env.EMAIL_PORT).toBe("465");
        expect(env.EMAIL_HOST).toBe(STACK.emailHost);
        expect(env.EMAIL_HOST_PASSWORD).toBe(STACK.emailPassword);
        expect(env.DISCORD_WEBHOOK).toBe(STACK.discordWebhook);
    });

    test("an app turns a channel off with an empty value", () => {
        expect(notificationEnv(STACK, { discordWebhook: "" }).map((e) => e.name)).not.toContain("DISCORD_WEBHOOK");
        expect(notificationEnv(STACK, { emailHost: "" }).map((e) => e.name)).toEqual(["DISCORD_WEBHOOK"]);
    });

    test("emits nothing without settings", () => {
        expect(notificationEnv()).toEqual([]);
        expect(notificationEnv({}, {})).toEqual([]);
    });

    test("only stack-back's names, never an empty value, never false", () => {
        const settings = fc.record(
            {
                emailHost: fc.constantFrom("", "smtp.example.com"),
                emailPort: fc.constantFrom(465, 587),
                emailUser: fc.constantFrom("", "u@example.com"),
                emailPassword: fc.constantFrom("", "pw"),
                emailSendTo: fc.constantFrom([], ["a@example.com"], ["a@example.com", "b@example.com"]),
                discordWebhook: fc.constantFrom("", "https://discord.com/api/webhooks/2/x"),
            },
            { requiredKeys: [] },
        );
        fc.assert(
            fc.property(settings, settings, (stack, app) => {
                const merged = mergeNotifications(stack, app);
                fc.pre(missingEmailFields(merged).length === 0);
                for (const entry of notificationEnv(stack, app)) {
                    expect(STACKBACK_NAMES).toContain(entry.name);
                    expect(entry.value).not.toBe("");
                    expect(entry.value.toLowerCase()).not.toBe("false");
                    expect(entry.secret).toBe(entry.name === "EMAIL_HOST_PASSWORD" || entry.name === "DISCORD_WEBHOOK");
                }
            }),
        );
    });

    test("refuses settings stack-back would silently ignore", () => {
        expect(() => notificationEnv({ discordWebhook: "http://discord.com/api/webhooks/1/abc" })).toThrow(/https:\/\//);
        expect(() => notificationEnv({ emailHost: "smtp.example.com", emailPort: 587 })).toThrow(/emailUser, emailSendTo/);
    });
});

describe("notificationProblems", () => {
    test("a valid map has no problem; no map is fine too", () => {
        expect(notificationProblems({ ...STACK, emailSendTo: "ops@platform-one.internal" }, "notifications")).toEqual([]);
        expect(notificationProblems(undefined, "notifications")).toEqual([]);
    });

    test("reports a webhook that is not https with its path", () => {
        expect(notificationProblems({ discordWebhook: "http://discord.com/api/webhooks/1/abc" }, "notifications")).toEqual([
            { path: "notifications.discordWebhook", message: expect.stringMatching(/^must start with https:\/\//) },
        ]);
        expect(notificationProblems({ discordWebhook: "discord.com/api/webhooks/1" }, "apps[2].notifications")[0].path).toBe(
            "apps[2].notifications.discordWebhook",
        );
    });

    test("reports a port on which the password would travel in clear text", () => {
        const problems = notificationProblems({ emailPort: 25 }, "notifications");
        expect(problems).toEqual([{ path: "notifications.emailPort", message: expect.stringMatching(/465 or 587/) }]);
        expect(notificationProblems({ emailPort: "587" }, "notifications")).toEqual([]);
        expect(readNotifications({ emailPort: "587" }, "n").settings.emailPort).toBe(587);
        expect(notificationProblems({ emailPort: "smtp" }, "notifications")[0].path).toBe("notifications.emailPort");
    });

    test("reports a single quote, which would break stack-back's cron job", () => {
        expect(notificationProblems({ emailPassword: "it's" }, "notifications")).toEqual([
            { path: "notifications.emailPassword", message: expect.stringMatching(/single quote/) },
        ]);
    });

    test("reports unknown keys, bad hosts and bad addresses", () => {
        const paths = notificationProblems(
            { emailHots: "x", emailHost: "smtp://mail.example.com", emailSendTo: ["ops@example.com", "nobody"] },
            "notifications",
        ).map((p) => p.path);
        expect(paths.sort()).toEqual(["notifications.emailHost", "notifications.emailHots", "notifications.emailSendTo"]);
        expect(notificationProblems("https://discord.com/x", "notifications")).toEqual([
            { path: "notifications", message: expect.stringMatching(/must be a map/) },
        ]);
    });

    test("accepts encrypted secrets from a stack file read without decryption", () => {
        expect(notificationProblems({ discordWebhook: { secure: "v1:abc" }, emailPassword: { secure: "v1:def" } }, "notifications")).toEqual([]);
    });

    test("checks what each app ends up with: half-configured e-mail is reported at the app", () => {
        const stack = { emailHost: "smtp.example.com", emailPort: 587, emailUser: "backups@example.com" };
        // The stack leaves the recipients to the apps: not a problem on its own ...
        expect(notificationProblems(stack, "notifications")).toEqual([]);
        // ... but an app that sets none gets no e-mail.
        expect(notificationProblems(undefined, "apps[0].notifications", stack)).toEqual([
            { path: "apps[0].notifications", message: expect.stringMatching(/inherited from notifications.*emailSendTo is missing/) },
        ]);
        expect(notificationProblems({ emailSendTo: ["dba@example.com"] }, "apps[1].notifications", stack)).toEqual([]);
        expect(notificationProblems({ emailHost: "" }, "apps[2].notifications", stack)).toEqual([]);
    });

    test("does not repeat the stack's own problems at every app", () => {
        expect(notificationProblems(undefined, "apps[0].notifications", { discordWebhook: "http://x" })).toEqual([]);
    });
});
