/**
 * stack-back's failure notifications: e-mail and a Discord webhook.
 *
 * Variable names and rules are stack-back's own (src/restic_compose_backup/alerts/smtp.py and
 * discord.py):
 * - e-mail is sent only when `EMAIL_HOST`, `EMAIL_PORT`, `EMAIL_HOST_USER` and `EMAIL_SEND_TO`
 *   are all set (`EMAIL_HOST_PASSWORD` may be empty); otherwise it is silently off;
 * - it always logs in; it uses TLS only on port 465 (SMTPS) and 587 (STARTTLS), compared as the
 *   exact strings "465" and "587";
 * - `EMAIL_SEND_TO` is split on "," without trimming;
 * - `DISCORD_WEBHOOK` is used only when it starts with `https://`; otherwise it is silently off;
 * - every value ends up in a shell file between single quotes, without escaping (`rcb dump-env`),
 *   so a value with `'` breaks the sidecar's cron job.
 * Silence is the failure this module prevents: a half-configured channel is a reported problem.
 *
 * Pure: no Pulumi import. The component wraps the entries marked secret in `pulumi.secret`.
 */
import * as z from "zod";
import { Checked, ConfigProblem, describeValue, field, parseWith, secretText } from "./configFields";
import { mergeNotifications, missingEmailFields, NOTIFICATION_KEYS } from "./notificationEnv";
import type { NotificationSettings } from "./shapes";

// The env side (no zod) lives in notificationEnv.ts, which the public face exports.
export { mergeNotifications, missingEmailFields, NOTIFICATION_ENV, NOTIFICATION_KEYS, notificationEnv } from "./notificationEnv";
export type { NotificationSettings };

/** Ports on which stack-back encrypts the SMTP session. */
export const SMTP_TLS_PORTS: readonly number[] = [465, 587];

const HOST_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;
const ADDRESS_PATTERN = /^[^\s@,'"<>]+@[^\s@,'"<>]+\.[^\s@,'"<>]+$/;

const QUOTE_PROBLEM = "must not contain a single quote ('): stack-back writes its environment between single quotes and its cron job would break";

/** A plain string setting that may be empty (`""` turns the channel off in an app). */
function plain(rule?: (text: string) => string | undefined, description?: string) {
    return field({ type: "string", ...(description ? { description } : {}) }, (value): Checked<string | undefined> => {
        if (value === undefined || value === null) return { value: undefined };
        if (typeof value !== "string") return { problem: `must be a string, got ${describeValue(value)}` };
        if (value.includes("'")) return { problem: QUOTE_PROBLEM };
        const trimmed = value.trim();
        const problem = trimmed === "" ? undefined : rule?.(trimmed);
        return problem ? { problem } : { value: trimmed };
    }).optional();
}

const noQuote = (text: string) => (text.includes("'") ? QUOTE_PROBLEM : undefined);

/** One notifications map (the stack's or an app's), as the stack file holds it. */
export const notificationsSchema = z
    .strictObject({
        emailHost: plain(
            (host) =>
                HOST_PATTERN.test(host)
                    ? undefined
                    : `"${host}" is not a host name; write the SMTP server's name without scheme or port, e.g. "smtp.example.com" (the port goes in emailPort)`,
            'SMTP server host name without scheme; "" in an app turns e-mail off',
        ),
        emailPort: field(
            { anyOf: [{ enum: SMTP_TLS_PORTS }, { type: "string", enum: SMTP_TLS_PORTS.map(String) }], description: "465 (implicit TLS) or 587 (STARTTLS)" },
            (port): Checked<number | undefined> => {
                if (port === undefined || port === null) return { value: undefined };
                const number = typeof port === "number" ? port : typeof port === "string" && /^\d+$/.test(port.trim()) ? Number(port) : NaN;
                if (!Number.isInteger(number) || number < 1 || number > 65535)
                    return { problem: `must be a port number, 465 or 587; got ${describeValue(port)}` };
                if (!SMTP_TLS_PORTS.includes(number)) {
                    return {
                        problem: `is ${number}: stack-back encrypts SMTP only on 465 (implicit TLS) and 587 (STARTTLS) and always logs in, so on ${number} the password would cross the network in clear text; use 465 or 587`,
                    };
                }
                return { value: number };
            },
        ).optional(),
        emailUser: plain(undefined, "SMTP login; also the sender address"),
        emailPassword: secretText({ rule: noQuote, description: "SMTP password; store it with pulumi config set --secret --path" }),
        emailSendTo: field(
            { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }], description: "recipient address, or a list of them" },
            (sendTo): Checked<string[] | undefined> => {
                if (sendTo === undefined || sendTo === null) return { value: undefined };
                const list = typeof sendTo === "string" ? sendTo.split(",") : Array.isArray(sendTo) ? sendTo : undefined;
                if (list === undefined || !list.every((item) => typeof item === "string"))
                    return { problem: `must be an address or a list of addresses, got ${describeValue(sendTo)}` };
                const addresses = (list as string[]).map((a) => a.trim()).filter((a) => a !== "");
                const bad = addresses.filter((a) => !ADDRESS_PATTERN.test(a));
                if (bad.length === 0) return { value: addresses };
                return {
                    problem: `${bad.map((a) => `"${a}"`).join(", ")} ${bad.length === 1 ? "is not an" : "are not"} e-mail address${bad.length === 1 ? "" : "es"}, e.g. "ops@example.com"`,
                };
            },
        ).optional(),
        discordWebhook: secretText({
            description: 'https:// webhook URL (a secret: the URL is the credential); "" in an app turns Discord off',
            rule: (webhook) => {
                if (webhook === "") return undefined;
                if (webhook.includes("'")) return QUOTE_PROBLEM;
                if (!webhook.startsWith("https://")) return "must start with https://; stack-back silently ignores any other webhook";
                if (/\s/.test(webhook)) return "must not contain spaces";
                return undefined;
            },
        }),
    })
    .transform((map): NotificationSettings => Object.fromEntries(Object.entries(map).filter(([, value]) => value !== undefined)));

/**
 * Reads one notifications map (the stack's or an app's) from untyped config. Returns what could
 * be read and every problem with its path. Encrypted (`secure:`) values are accepted unread.
 */
export function readNotifications(raw: unknown, path: string): { settings: NotificationSettings; problems: ConfigProblem[] } {
    if (raw === undefined || raw === null) return { settings: {}, problems: [] };
    const { data, problems } = parseWith(notificationsSchema, raw, [], raw);
    const prefixed = problems.map((p) => ({
        path: p.path ? `${path}.${p.path}` : path,
        message: p.path ? p.message : p.message.replace(/^must be a map/, `must be a map of ${NOTIFICATION_KEYS.join(", ")}`),
    }));
    return { settings: data ?? {}, problems: prefixed };
}

/**
 * Problems with a notifications map at `path`, each with its path and a fix. With
 * `stackDefaults` (the stack's raw map), `config` is an app's override and the e-mail settings it
 * ends up with are checked for completeness too; call it that way for every app, also those
 * without a notifications map. The stack's own fields are reported once, at their own path, by
 * the call without `stackDefaults`.
 */
export function notificationProblems(config: unknown, path: string, stackDefaults?: unknown): ConfigProblem[] {
    const own = readNotifications(config, path);
    // The stack's map may leave fields to the apps (server here, recipients there): completeness
    // is a property of what each app ends up with, so it is checked only with stackDefaults.
    if (stackDefaults === undefined || own.problems.length > 0) return own.problems;
    const merged = mergeNotifications(readNotifications(stackDefaults, "notifications").settings, own.settings);
    const missing = missingEmailFields(merged);
    return missing.length > 0 ? [incomplete(path, missing, config !== undefined && config !== null)] : [];
}

function incomplete(path: string, missing: readonly string[], hasOwnMap: boolean): ConfigProblem {
    const inherited = hasOwnMap ? "" : " (inherited from notifications)";
    return {
        path,
        message: `e-mail is half configured${inherited}: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing, and stack-back then silently sends no e-mail; set ${missing.length === 1 ? "it" : "them"} here or under notifications, or set emailHost: "" to turn e-mail off`,
    };
}
