/**
 * Ports never collide and never move (components/ports.ts): no fleet of up to `span` apps per
 * host is refused, and no insert, removal or reorder of other apps moves a recorded port.
 * A small span (12) makes full hosts and wrapped probes common in the generated fleets.
 */
import fc from "fast-check";
import { assignPorts, PortKind, PortRange, PortRequest, preferredPort } from "../components/ports";

const RUNS = { numRuns: 200 };
const SPAN = 12;
const RANGES: Record<PortKind, PortRange> = { exporter: { base: 9000, span: SPAN }, drill: { base: 9100, span: SPAN } };
const HOSTS = ["vm1", "vm2", "vm3"];

interface App {
    name: string;
    host: string;
    exporter: boolean;
    drill: boolean;
}

/** Up to `SPAN` apps on each host, realistic-looking names (hash collisions happen at this span). */
const fleetArb: fc.Arbitrary<App[]> = fc
    .uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), { minLength: 1, maxLength: SPAN * HOSTS.length })
    .chain((names) =>
        fc.tuple(...names.map((name) => fc.record({ name: fc.constant(name), host: fc.constantFrom(...HOSTS), exporter: fc.boolean(), drill: fc.boolean() }))),
    )
    .map((apps) => {
        const perHost = new Map<string, number>();
        return apps.filter((app) => {
            const n = perHost.get(app.host) ?? 0;
            perHost.set(app.host, n + 1);
            return n < SPAN;
        });
    });

type Record_ = Map<string, { host: string; port: number }>;
const key = (app: string, kind: PortKind) => `${app}/${kind}`;

function requestsOf(apps: readonly App[], recorded: Record_ = new Map()): PortRequest[] {
    return apps.flatMap((app) =>
        (["exporter", "drill"] as const)
            .filter((kind) => app[kind])
            .map((kind) => {
                const rec = recorded.get(key(app.name, kind));
                return { app: app.name, host: app.host, kind, ...(rec ? { recorded: rec } : {}) };
            }),
    );
}

/** Assigns and returns the record that `--write` would keep. */
function assign(apps: readonly App[], recorded: Record_ = new Map()): Record_ {
    const requests = requestsOf(apps, recorded);
    const { grants, problems } = assignPorts(requests, RANGES);
    expect(problems).toEqual([]);
    return new Map(requests.map((r, i) => [key(r.app, r.kind), { host: r.host, port: grants[i]!.port }]));
}

describe("assignPorts", () => {
    it("never refuses a fleet of up to the span per host, and never gives one port twice on a host", () => {
        fc.assert(
            fc.property(fleetArb, (apps) => {
                const record = assign(apps);
                const seen = new Set<string>();
                for (const [, { host, port }] of record) {
                    expect(seen.has(`${host}:${port}`)).toBe(false);
                    seen.add(`${host}:${port}`);
                }
            }),
            RUNS,
        );
    });

    it("no insert, removal or reorder of other apps moves a recorded port", () => {
        const change = fc.constantFrom("insert", "remove", "reorder");
        fc.assert(
            fc.property(
                fleetArb,
                change,
                fc.nat(),
                fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
                fc.constantFrom(...HOSTS),
                (apps, what, seed, newName, newHost) => {
                    const before = assign(apps);
                    let after: App[] = [...apps];
                    const at = seed % (apps.length + 1);
                    if (what === "insert" && !apps.some((a) => a.name === newName) && apps.filter((a) => a.host === newHost).length < SPAN)
                        after.splice(at, 0, { name: newName, host: newHost, exporter: true, drill: true });
                    else if (what === "remove") after.splice(seed % apps.length, 1);
                    else after = [...apps.slice(at), ...apps.slice(0, at)].reverse();
                    const again = assign(after, before);
                    for (const app of after) {
                        for (const kind of ["exporter", "drill"] as const) {
                            const old = before.get(key(app.name, kind));
                            if (old) expect(again.get(key(app.name, kind))).toEqual(old);
                        }
                    }
                },
            ),
            RUNS,
        );
    });

    it("gives an app that collides with no one the port the name hash always gave it", () => {
        const { grants } = assignPorts([{ app: "mattermost", host: "vm1", kind: "exporter" }], {
            exporter: { base: 9471, span: 1000 },
            drill: { base: 10471, span: 1000 },
        });
        expect(grants[0]).toEqual({ port: preferredPort("mattermost", { base: 9471, span: 1000 }), source: "assigned" });
        // FNV-1a of "mattermost" is 0x4511b417: 9471 + 0x4511b417 % 1000 = 9590, the port it has had
        // since ports were hashes. A change of hash would move every deployed port.
        expect(grants[0]!.port).toBe(9590);
    });

    it("probes past a taken port instead of refusing, and keeps exporters and drills apart when their ranges overlap", () => {
        const shared = { base: 100, span: 3 };
        const requests: PortRequest[] = [
            { app: "a", host: "h", kind: "exporter", explicit: 101 },
            { app: "b", host: "h", kind: "drill" },
            { app: "c", host: "h", kind: "exporter" },
        ];
        const { grants, problems } = assignPorts(requests, { exporter: shared, drill: shared });
        expect(problems).toEqual([]);
        expect(new Set(grants.map((g) => g!.port))).toEqual(new Set([100, 101, 102]));
    });

    it("re-assigns a record that no longer holds, and says why", () => {
        const { grants } = assignPorts(
            [
                { app: "a", host: "vm2", kind: "exporter", recorded: { host: "vm1", port: 9000 } },
                { app: "b", host: "vm2", kind: "exporter", explicit: 9001 },
                { app: "c", host: "vm2", kind: "exporter", recorded: { host: "vm2", port: 9001 } },
            ],
            RANGES,
        );
        expect(grants[0]).toMatchObject({ source: "assigned", replaced: "recorded for host vm1, the app is now on vm2" });
        expect(grants[1]).toEqual({ port: 9001, source: "explicit" });
        expect(grants[2]).toMatchObject({ source: "assigned", replaced: "9001 is now the exporter port of b" });
    });

    it("refuses only past the span, naming the host and the range", () => {
        const requests: PortRequest[] = Array.from({ length: 3 }, (_, i) => ({ app: `a${i}`, host: "h", kind: "exporter" as const }));
        const { problems } = assignPorts(requests, { exporter: { base: 100, span: 2 }, drill: { base: 200, span: 2 } });
        expect(problems).toEqual([{ index: 2, message: expect.stringMatching(/^host h has no free exporter port in 100-101: all 2 are taken/) }]);
    });

    it("reports two explicit ports that clash", () => {
        const { problems } = assignPorts(
            [
                { app: "a", host: "h", kind: "exporter", explicit: 9000 },
                { app: "b", host: "h", kind: "drill", explicit: 9000 },
            ],
            RANGES,
        );
        expect(problems).toEqual([{ index: 1, message: expect.stringContaining("9000 is already the exporter port of a on host h") }]);
    });
});
