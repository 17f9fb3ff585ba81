/**
 * Guards against the stack-config mistakes that empty a fleet or leak a secret (the first runs in
 * validateStackConfig; the second needs to know which values are encrypted, so its callers run it):
 *
 * - `apps: []` is refused unless the stack says `allowEmptyFleet: true`: `pulumi up` of an empty
 *   fleet removes every app's sidecar, exporter, drill and check (buckets and secrets are kept).
 * - A setting that is a secret (the provider credentials, the SMTP password, the Discord webhook)
 *   given in plain text is refused, with the `pulumi config set --secret` command that stores it
 *   encrypted. The value itself is never printed.
 *
 * Pure: no Pulumi import. The program asks the SDK which keys are secret; `npm run plan` reads the
 * stack file, where an encrypted value is a `secure:` object.
 */
import { formatPath, isEncrypted, parseWith } from "./configFields";
import type { RawStackConfig } from "./config/fleet";
import type { ConfigProblem } from "./shapes";
import { CONFIG_NAMESPACE, stackConfigSchema } from "./configSchema";

const isMap = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The problems of `apps: []` without `allowEmptyFleet: true` (and of a malformed allowEmptyFleet). */
export function emptyFleetProblems(raw: RawStackConfig): ConfigProblem[] {
    const parsed = parseWith(stackConfigSchema.shape.allowEmptyFleet, raw.allowEmptyFleet, ["allowEmptyFleet"], raw);
    if (parsed.problems.length > 0) return parsed.problems;
    if (!Array.isArray(raw.apps) || raw.apps.length > 0 || parsed.data === true) return [];
    return [
        {
            path: "apps",
            message:
                "is empty: `pulumi up` would remove every app's sidecar, exporter, restore drill and deploy-time check (buckets and Vault secrets are kept, but nothing backs up any more). " +
                "If a list went missing, restore it; if you really want no apps, say so with platform-backups:allowEmptyFleet: true",
        },
    ];
}

/** Where the secret settings are: top-level keys, and the notification secrets of the stack and of each app. */
export const SECRET_SETTINGS = {
    topLevel: ["minioPassword", "vaultToken"],
    notifications: ["emailPassword", "discordWebhook"],
} as const;

/** Every location of a secret setting that holds a value in `raw`, as a path. */
export function secretSettingPaths(raw: RawStackConfig): (string | number)[][] {
    const paths: (string | number)[][] = SECRET_SETTINGS.topLevel.filter((key) => raw[key] !== undefined).map((key) => [key]);
    const inNotifications = (notifications: unknown, prefix: (string | number)[]) => {
        if (!isMap(notifications)) return;
        for (const key of SECRET_SETTINGS.notifications) if (notifications[key] !== undefined) paths.push([...prefix, "notifications", key]);
    };
    inNotifications(raw.notifications, []);
    if (Array.isArray(raw.apps)) raw.apps.forEach((app, i) => inNotifications(isMap(app) ? app.notifications : undefined, ["apps", i]));
    return paths;
}

const valueAt = (raw: RawStackConfig, path: readonly (string | number)[]): unknown =>
    path.reduce<unknown>((value, key) => (value === undefined || value === null ? undefined : (value as Record<string | number, unknown>)[key]), raw);

/** The `--path` form Pulumi's CLI takes: `apps[2].notifications.emailPassword`. */
export function cliPath(path: readonly (string | number)[]): string {
    return path.map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? key : `.${key}`)).join("");
}

/** The command that stores the setting at `path` encrypted (the value stays a placeholder: it is never printed). */
export function setSecretCommand(path: readonly (string | number)[], stack?: string): string {
    const key = `${CONFIG_NAMESPACE}:${cliPath(path)}`;
    return `pulumi config set${stack ? ` --stack ${stack}` : ""} --secret${path.length > 1 ? " --path" : ""} '${key}' '<value>'`;
}

/** How the caller knows whether a value is stored encrypted. */
export interface SecrecyOracle {
    /**
     * Whether the top-level key (`minioPassword`, `notifications`, `apps`) is a secret as the
     * program receives it. The Pulumi CLI lists a key as secret when its value, or any value inside
     * it, is `secure:`, so for a nested setting this says only that something in the key is
     * encrypted. Undefined: read the leaf itself (a stack file, where encrypted values are `secure:` objects).
     */
    topLevelIsSecret?: (key: string) => boolean;
    /** The stack, for the command in the message. */
    stack?: string;
}

/**
 * A secret setting with a plain-text value: one problem per setting, with the command that stores
 * it encrypted. Empty values are not secrets (`discordWebhook: ""` turns Discord off for an app).
 */
export function plainSecretProblems(raw: RawStackConfig, oracle: SecrecyOracle = {}): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const path of secretSettingPaths(raw)) {
        const value = valueAt(raw, path);
        if (value === null || value === "" || isEncrypted(value)) continue;
        if (oracle.topLevelIsSecret?.(String(path[0]))) continue;
        problems.push({
            path: formatPath(path, raw),
            message: `is a secret but is stored in plain text in the stack config, where everyone who can read the repository or the state can read it; store it encrypted instead: ${setSecretCommand(path, oracle.stack)} (it replaces the plain value; then rotate the credential, as it was exposed)`,
        });
    }
    return problems;
}
