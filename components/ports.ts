/**
 * Host ports of the exporters and the restore drills: assigned once, recorded, never moved.
 *
 * ## Why a record and not a hash
 * A port that is a pure function of the app's name (`portBase + hash % span`) never moves, but two
 * names collide with the birthday odds: at 20 apps on a host one fleet in six is refused, at 50
 * apps three in four. A port from config order never collides but moves whenever an app before
 * it is added or removed, and a moved port re-creates the container and breaks the scrape target.
 * The only rule that gives both is a choice made once and written down, like a lockfile: the
 * stack file's `assignments` map (written by `npm run plan -- --stack <name> --write`).
 *
 * ## The rule
 * Per host, in this order:
 *   1. an explicit `port` from the app's config is taken as given (two explicit ones that clash
 *      are the user's to fix);
 *   2. a recorded port is kept while it is still valid: recorded for the app's current host, and
 *      not the explicit port of an app nor the recorded port of an app listed before it;
 *   3. any other app probes from its name's hash position (`base + hash % span`), upwards and
 *      round the span, and takes the first port no one on the host holds, exporters and drills
 *      counted together.
 * So a fleet of up to `span` apps per host is never refused for a port (the default ranges of
 * exporters and drills do not overlap), and an app without a collision gets exactly the port
 * the old hash rule gave it: recording today's fleet moves nothing.
 *
 * Pure: no Pulumi import.
 */

/** How many ports above a base an exporter's or a drill's port may lie. */
export const PORT_SPAN = 1000;

/** The two kinds of host port an app may need. */
export type PortKind = "exporter" | "drill";

/** Where a kind's ports are taken from: [base, base + span). */
export interface PortRange {
    base: number;
    span: number;
}

/** One app asking for one host port. */
export interface PortRequest {
    app: string;
    host: string;
    kind: PortKind;
    /** A port the app's config sets explicitly: taken as given. */
    explicit?: number;
    /** The port recorded for this app and kind, with the host it was recorded for. */
    recorded?: { host: string; port: number };
}

/** Where a port came from. */
export type PortSource = "explicit" | "recorded" | "assigned";

/** The port given to one request. */
export interface PortGrant {
    port: number;
    source: PortSource;
    /** For an assigned port: why the record was not kept (absent when there was no record). */
    replaced?: string;
}

/** FNV-1a (32 bit) of an app's name: where its probe starts, and the whole port of an app that collides with no one. */
export function nameHash(app: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < app.length; i++) hash = Math.imul(hash ^ app.charCodeAt(i), 0x01000193) >>> 0;
    return hash;
}

/** The first port an app's probe tries: `base + hash(app) % span`. */
export function preferredPort(app: string, range: PortRange): number {
    return range.base + (nameHash(app) % range.span);
}

/**
 * Gives every request a port (see the module comment for the rule). `grants[i]` belongs to
 * `requests[i]`; a request that cannot get one (a host with every port of its range taken, or an
 * explicit clash) has `undefined` and a problem naming its index.
 */
export function assignPorts(
    requests: readonly PortRequest[],
    ranges: Readonly<Record<PortKind, PortRange>>,
): { grants: Array<PortGrant | undefined>; problems: Array<{ index: number; message: string }> } {
    const grants: Array<PortGrant | undefined> = requests.map(() => undefined);
    const problems: Array<{ index: number; message: string }> = [];
    const taken = new Map<string, Map<number, { index: number; kind: PortKind }>>();
    const on = (host: string) => {
        let ports = taken.get(host);
        if (!ports) taken.set(host, (ports = new Map()));
        return ports;
    };
    const holder = (index: number, kind: PortKind) => `the ${kind} port of ${requests[index].app}`;

    requests.forEach((request, index) => {
        if (request.explicit === undefined) return;
        const ports = on(request.host);
        const other = ports.get(request.explicit);
        if (other) {
            problems.push({
                index,
                message: `${request.explicit} is already ${holder(other.index, other.kind)} on host ${request.host}; set another port, or remove it and let the planner assign one`,
            });
            return;
        }
        ports.set(request.explicit, { index, kind: request.kind });
        grants[index] = { port: request.explicit, source: "explicit" };
    });

    const replaced = new Map<number, string>();
    requests.forEach((request, index) => {
        if (request.explicit !== undefined || !request.recorded) return;
        const { host, port } = request.recorded;
        const ports = on(request.host);
        const other = ports.get(port);
        if (host !== request.host) replaced.set(index, `recorded for host ${host}, the app is now on ${request.host}`);
        else if (other) replaced.set(index, `${port} is now ${holder(other.index, other.kind)}`);
        else {
            ports.set(port, { index, kind: request.kind });
            grants[index] = { port, source: "recorded" };
        }
    });

    requests.forEach((request, index) => {
        if (request.explicit !== undefined || grants[index]) return;
        const range = ranges[request.kind];
        const ports = on(request.host);
        const first = preferredPort(request.app, range) - range.base;
        for (let step = 0; step < range.span; step++) {
            const port = range.base + ((first + step) % range.span);
            if (ports.has(port)) continue;
            ports.set(port, { index, kind: request.kind });
            const why = replaced.get(index);
            grants[index] = { port, source: "assigned", ...(why ? { replaced: why } : {}) };
            return;
        }
        problems.push({
            index,
            message:
                `host ${request.host} has no free ${request.kind} port in ${range.base}-${range.base + range.span - 1}: ` +
                `all ${range.span} are taken; move some apps to another host or give this one an explicit port outside the range`,
        });
    });
    problems.sort((a, b) => a.index - b.index);
    return { grants, problems };
}
