/** The `hosts` section: one host at a time, so that one broken host leaves the others usable. */
import type { ConfigProblem } from "../shapes";
import { parseWith } from "../configFields";
import { CONFIG_PARTS, HostConfig } from "../configSchema";
import type { RawStackConfig } from "./fleet";
import { isMap, problemAt, readTop, Section } from "./section";

/** The readable hosts, and the names of all hosts when `hosts` is a map (undefined when it is not). */
export interface HostsRead {
    hosts: Record<string, HostConfig>;
    hostNames?: string[];
}

/** One host: its schema, and TLS exactly when its Docker engine is `tcp://`. */
export function validateHost(raw: RawStackConfig, name: string): Section<HostConfig | undefined> {
    const { data: host, problems } = parseWith(CONFIG_PARTS.host, (raw.hosts as Record<string, unknown>)[name], ["hosts", name], raw);
    if (!host) return { value: undefined, problems };
    const scheme = host.dockerHost.split(":")[0];
    if (scheme === "tcp" && !host.tls)
        problems.push(
            problemAt(
                raw,
                ["hosts", name, "tls"],
                "is missing; a tcp:// Docker engine needs caFile, certFile and keyFile (an engine without TLS is open to anyone who can reach it)",
            ),
        );
    if (scheme !== "tcp" && host.tls)
        problems.push(problemAt(raw, ["hosts", name, "tls"], `applies only to tcp:// hosts; ${scheme}:// does not use it, remove it`));
    return { value: host, problems };
}

/** `hosts`: a non-empty map of hosts. */
export function validateHosts(raw: RawStackConfig): Section<HostsRead> {
    if (!isMap(raw.hosts)) return { value: { hosts: {} }, problems: readTop(raw, "hosts").problems };
    const problems: ConfigProblem[] = [];
    const hosts: Record<string, HostConfig> = {};
    const hostNames = Object.keys(raw.hosts);
    if (hostNames.length === 0) problems.push(problemAt(raw, ["hosts"], "is empty; add at least one host"));
    for (const name of hostNames) {
        const host = validateHost(raw, name);
        problems.push(...host.problems);
        if (host.value) hosts[name] = host.value;
    }
    return { value: { hosts, hostNames }, problems };
}

/** The host part of a Docker host URL (`ssh://deploy@vm1:22` -> `vm1`). */
export function hostNameOf(dockerHost: string): string {
    const authority = dockerHost.replace(/^[a-z]+:\/\//, "").split("/")[0];
    return authority.replace(/^.*@/, "").replace(/:\d+$/, "") || "localhost";
}

/** Where Prometheus reaches an app's host: its `address`, else the host name of its Docker URL. */
export function hostAddressOf(hosts: Record<string, HostConfig>, host: string): string {
    const config = hosts[host];
    return config ? (config.address ?? hostNameOf(config.dockerHost)) : host;
}
