/**
 * From notification settings to the sidecar's environment (stack-back's variable names; the
 * rules are described in notifications.ts, which validates the settings). No zod here: the
 * public face exports `notificationEnv`, and its declarations must not reach zod's.
 *
 * Pure: no Pulumi import.
 */
import type { EnvEntry, NotificationSettings } from "./shapes";

/** The config keys of a notifications map, in the order they are emitted. */
export const NOTIFICATION_KEYS = ["emailHost", "emailPort", "emailUser", "emailPassword", "emailSendTo", "discordWebhook"] as const;

/** The stack-back variable each setting becomes, and whether its value is secret. */
export const NOTIFICATION_ENV: Readonly<Record<(typeof NOTIFICATION_KEYS)[number], { name: string; secret: boolean }>> = {
    emailHost: { name: "EMAIL_HOST", secret: false },
    emailPort: { name: "EMAIL_PORT", secret: false },
    emailUser: { name: "EMAIL_HOST_USER", secret: false },
    emailPassword: { name: "EMAIL_HOST_PASSWORD", secret: true },
    emailSendTo: { name: "EMAIL_SEND_TO", secret: false },
    discordWebhook: { name: "DISCORD_WEBHOOK", secret: true },
};

/** The fields without which stack-back sends no e-mail. */
const EMAIL_REQUIRED = ["emailHost", "emailPort", "emailUser", "emailSendTo"] as const;
/** Every e-mail field. */
const EMAIL_FIELDS = ["emailHost", "emailPort", "emailUser", "emailPassword", "emailSendTo"] as const;

/** Whether a merged setting counts as set: empty strings and lists mean "off". */
function isSet(value: unknown): boolean {
    if (value === undefined || value === null || value === "") return false;
    if (Array.isArray(value)) return value.length > 0;
    return true;
}

/** The app's effective settings: each field of `appOverride` that is present wins over the stack's. */
export function mergeNotifications(stackDefaults: NotificationSettings = {}, appOverride: NotificationSettings = {}): NotificationSettings {
    const merged: NotificationSettings = {};
    for (const key of NOTIFICATION_KEYS) {
        const value = appOverride[key] !== undefined ? appOverride[key] : stackDefaults[key];
        if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
    }
    return merged;
}

/** Whether e-mail is turned off on purpose (`emailHost: ""`). */
function emailOff(settings: NotificationSettings): boolean {
    return settings.emailHost === "";
}

/** E-mail fields that are missing for e-mail to work, when some e-mail field is set; else empty. */
export function missingEmailFields(settings: NotificationSettings): string[] {
    if (emailOff(settings) || !EMAIL_FIELDS.some((key) => isSet(settings[key]))) return [];
    return EMAIL_REQUIRED.filter((key) => !isSet(settings[key]));
}

/**
 * The sidecar's notification variables for one app: the stack's defaults with the app's
 * overrides, field by field. Unset and empty values are omitted; stack-back has no boolean switch
 * here, so nothing is ever set to "false". Throws when the merged settings would be silently
 * ignored by stack-back (validate with `notificationProblems` first).
 */
export function notificationEnv(stackDefaults?: NotificationSettings, appOverride?: NotificationSettings): EnvEntry[] {
    const merged = mergeNotifications(stackDefaults, appOverride);
    const missing = missingEmailFields(merged);
    if (missing.length > 0)
        throw new Error(`e-mail notifications are missing ${missing.join(", ")}; stack-back would send no e-mail (see notificationProblems)`);
    if (isSet(merged.discordWebhook) && !String(merged.discordWebhook).startsWith("https://")) {
        throw new Error("the Discord webhook must start with https://; stack-back would ignore it (see notificationProblems)");
    }
    const entries: EnvEntry[] = [];
    for (const key of NOTIFICATION_KEYS) {
        const value = merged[key];
        if (!isSet(value)) continue;
        if (emailOff(merged) && (EMAIL_FIELDS as readonly string[]).includes(key)) continue;
        const text = Array.isArray(value) ? value.join(",") : String(value);
        entries.push({ name: NOTIFICATION_ENV[key].name, value: text, secret: NOTIFICATION_ENV[key].secret });
    }
    return entries;
}
