import type { RawStackConfig } from "../../components/config";

/**
 * A small valid stack config (two hosts, three apps in two groups); each test breaks one thing.
 * `second` names the second app of group green, which some messages under test quote.
 */
export function smallFleet(overrides: Partial<RawStackConfig> = {}, second = "n8n"): RawStackConfig {
    return {
        minio: { endpoint: "minio.test:9000" },
        vault: { address: "https://vault.test:8200" },
        hosts: { vm1: { dockerHost: "ssh://deploy@vm1" }, vm2: { dockerHost: "ssh://deploy@vm2" } },
        apps: [
            { name: "mattermost", host: "vm1", group: "green" },
            { name: second, host: "vm1", group: "green" },
            { name: "linkwarden", host: "vm2", group: "blue" },
        ],
        ...overrides,
    };
}
