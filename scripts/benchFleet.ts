/**
 * The fleets the bench and the fleet tests run: prod's settings (Pulumi.prod.yaml: monitoring,
 * drills, notifications, retention, schedule) with generated hosts and apps, named like a real
 * fleet (`gitlab-payments`, `n8n-growth`), 10 apps per host, storage groups of 10 that span 10
 * hosts, and optionally cut into shards of whole hosts. Ports and drill times are recorded as
 * `npm run plan -- --write` would record them.
 */
import * as path from "path";
import { Assignments } from "../components/assignments";
import { RawStackConfig, readStackFile, validateStackConfig } from "../components/config";

/** Self-hosted apps that teams run; with {@link TEAMS}, 600 distinct names. */
const KINDS = [
    "mattermost",
    "n8n",
    "vault",
    "linkwarden",
    "solidtime",
    "gitlab",
    "nextcloud",
    "wikijs",
    "gitea",
    "keycloak",
    "grafana",
    "plausible",
    "outline",
    "paperless",
    "immich",
    "jellyfin",
    "bookstack",
    "miniflux",
    "umami",
    "listmonk",
    "metabase",
    "zammad",
    "redmine",
    "mastodon",
    "synapse",
    "vaultwarden",
    "uptime-kuma",
    "hedgedoc",
    "penpot",
    "docuseal",
] as const;
const TEAMS = ["ops", "payments", "growth", "data", "web", "mobile", "infra", "search", "billing", "support"] as const;
const REGIONS = ["eu", "us"] as const;

/** The name of the i-th generated app: `<kind>-<team>` then `<kind>-<team>-<region>`. */
export function appName(i: number): string {
    const kind = KINDS[i % KINDS.length];
    const team = TEAMS[Math.floor(i / KINDS.length) % TEAMS.length];
    const round = Math.floor(i / (KINDS.length * TEAMS.length));
    return round === 0 ? `${kind}-${team}` : `${kind}-${team}-${REGIONS[round - 1] ?? `r${round}`}`;
}

/** Apps per host and per storage group. */
export const APPS_PER_HOST = 10;
export const APPS_PER_GROUP = 10;

/** Prod's stack config (without its apps, hosts and record). */
function prodSettings(): RawStackConfig {
    const settings = readStackFile(path.join(__dirname, "..", "Pulumi.prod.yaml"));
    for (const key of ["apps", "hosts", "assignments"]) delete settings[key];
    return settings;
}

/**
 * A fleet of `apps` apps with prod's settings. App i runs on host i mod H (H = apps / perHost) and is in
 * group i div 10, so every group spans up to 10 hosts. With `shards`, the hosts are cut into that
 * many shards, host h in shard h mod S (`s1`, `s2`, ...): a group's 10 hosts lie in every shard,
 * so the shards share groups and must be staggered together.
 */
export function generatedFleet(apps: number, shards = 0, perHost = APPS_PER_HOST): RawStackConfig {
    const hostCount = Math.max(1, Math.ceil(apps / perHost));
    const host = (h: number) => `vm-${String(h + 1).padStart(3, "0")}`;
    const raw: RawStackConfig = {
        ...prodSettings(),
        hosts: Object.fromEntries(Array.from({ length: hostCount }, (_, h) => [host(h), { dockerHost: `ssh://deploy@${host(h)}.bench.internal` }])),
        apps: Array.from({ length: apps }, (_, i) => ({
            name: appName(i),
            host: host(i % hostCount),
            group: `nfs-${String(Math.floor(i / APPS_PER_GROUP) + 1).padStart(3, "0")}`,
        })),
    };
    if (shards > 0) {
        raw.shards = Object.fromEntries(
            Array.from({ length: shards }, (_, s) => [
                `s${s + 1}`,
                {
                    hosts: Array.from({ length: hostCount }, (_, h) => h)
                        .filter((h) => h % shards === s)
                        .map(host),
                },
            ]),
        );
    }
    return { ...raw, assignments: recorded(raw) };
}

/** What `npm run plan -- --write` would record for `raw`. */
export function recorded(raw: RawStackConfig): Assignments {
    const { fleet, problems } = validateStackConfig({ ...raw, assignments: undefined }, [], { assignments: "assign" });
    if (!fleet) throw new Error(`generated fleet is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
    return fleet.assignments;
}
