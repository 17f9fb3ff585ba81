/**
 * The section validators of components/config/, each alone: what it reads and what it reports.
 * tests/config.test.ts and tests/configMessages.test.ts hold the composed messages.
 */
import { appHostProblem, appNameProblems, dailyStart, validateApp, validateApps } from "../components/config/apps";
import { validateHost, validateHosts } from "../components/config/hosts";
import { groupWindows, planBackups, unusedGroupProblems } from "../components/config/plan";
import { exporterPort, validatePorts } from "../components/config/ports";
import { quotaProblems } from "../components/config/quota";
import { readTop, ValidApp } from "../components/config/section";
import { unknownKeyProblems, validateMinio, validateSettings } from "../components/config/settings";
import { CONFIG_PARTS } from "../components/configSchema";
import { smallFleet } from "./support/fleet";

const context = { hostNames: ["vm1", "vm2"], notificationsValid: true, firstIndexOf: new Map<string, number>() };
const app = (index: number, name: string, host = "vm1", group = "green"): ValidApp => ({ index, app: { name, host, group } as ValidApp["app"] });

describe("settings", () => {
    test("unknown keys name the nearest known key; a missing required map says what to add", () => {
        const raw = smallFleet({ retentionDay: 7, minio: undefined });
        expect(unknownKeyProblems(raw)).toEqual([{ path: "retentionDay", message: expect.stringContaining("retentionDays") }]);
        expect(readTop(raw, "minio").problems).toEqual([{ path: "minio", message: expect.stringMatching(/^is missing; add platform-backups:minio/) }]);
    });

    test("minio takes one CA, not two", () => {
        const raw = smallFleet({
            minio: { endpoint: "m:9000", caCert: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", caCertPath: "/ca.pem" },
        });
        expect(validateMinio(raw).problems.map((p) => p.path)).toContain("minio.caCertPath");
    });

    test("sections left out get their defaults; nothing is reported for a small valid stack", () => {
        const { value, problems } = validateSettings(smallFleet());
        expect(problems).toEqual([]);
        expect(value.monitoring).toEqual(CONFIG_PARTS.monitoring.parse({}));
        expect(value.restoreDrills).toEqual(CONFIG_PARTS.restoreDrills.parse({}));
        expect(value.schedule).toEqual(CONFIG_PARTS.schedule.parse({}));
        expect(validateSettings(smallFleet({ monitoring: { enabled: false } })).value.monitoring?.enabled).toBe(false);
    });
});

describe("hosts", () => {
    test("tcp:// needs tls; ssh:// must not carry it", () => {
        const raw = smallFleet({
            hosts: { a: { dockerHost: "tcp://a:2376" }, b: { dockerHost: "ssh://b", tls: { caFile: "/a", certFile: "/b", keyFile: "/c" } } },
        });
        expect(validateHost(raw, "a").problems).toEqual([{ path: "hosts.a.tls", message: expect.stringMatching(/^is missing; a tcp:\/\//) }]);
        expect(validateHost(raw, "b").problems).toEqual([{ path: "hosts.b.tls", message: expect.stringMatching(/^applies only to tcp:\/\//) }]);
    });

    test("an empty map is reported; a broken host leaves the others readable", () => {
        expect(validateHosts(smallFleet({ hosts: {} })).problems.map((p) => p.message)).toEqual(["is empty; add at least one host"]);
        const { value } = validateHosts(smallFleet({ hosts: { good: { dockerHost: "ssh://g" }, bad: { dockerHost: 5 } } }));
        expect(Object.keys(value.hosts)).toEqual(["good"]);
        expect(value.hostNames).toEqual(["good", "bad"]);
    });
});

describe("apps", () => {
    test("a name taken by an earlier app, and an unknown host with a guess", () => {
        expect(appNameProblems("n8n", 3, { ...context, firstIndexOf: new Map([["n8n", 1]]) })).toEqual([
            '"n8n" is already apps[1]; each app appears once (rename one, or remove the duplicate)',
        ]);
        expect(appHostProblem("vm3", ["vm1", "vm2"])).toMatch(/^"vm3" is not a known host; did you mean `vm1`\?/);
        expect(appHostProblem("vm1", ["vm1"])).toBeUndefined();
    });

    test("a daily cron gives its start; another gives the problem and a daily replacement", () => {
        expect(dailyStart("30 2 * * *", () => "")).toEqual({ start: 150 });
        expect(dailyStart("*/15 3 * * *", (r) => ` use ${r}`).problem).toMatch(/ use 0 3 \* \* \*$/);
    });

    test("an app with a bad schedule is reported and left out of planning; its name still counts", () => {
        const raw = smallFleet();
        const checked = validateApp(raw, { name: "n8n", host: "vm1", group: "green", schedule: "*/5 * * * *" }, 1, context);
        expect(checked.value).toBeUndefined();
        expect(checked.name).toBe("n8n");
        expect(checked.problems.map((p) => p.path)).toEqual(["apps[1] (n8n).schedule"]);
    });

    test("the second app of a name is reported against the first, and only the first is usable", () => {
        const raw = smallFleet({
            apps: [
                { name: "a", host: "vm1", group: "g" },
                { name: "a", host: "vm1", group: "g" },
            ],
        });
        const { value, problems } = validateApps(raw, { hostNames: ["vm1"], notificationsValid: true });
        expect(value.map((v) => v.index)).toEqual([0]);
        expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/is already apps\[0\]/)]);
    });
});

describe("ports", () => {
    test("two explicit ports that clash are reported on the later app; a derived port probes past them", () => {
        const withPort = (valid: ValidApp, port: number) => ({ ...valid, app: { ...valid.app, monitoring: { port } } }) as ValidApp;
        const apps = [withPort(app(0, "a"), 9500), withPort(app(1, "b"), 9500), app(2, "c")];
        const monitoring = { enabled: true, portBase: 9500, graceHours: 2, refreshIntervalSeconds: 3600 } as Parameters<typeof validatePorts>[1]["monitoring"];
        const backups = planBackups(smallFleet(), apps, undefined).value;
        const { value, problems } = validatePorts(smallFleet(), {
            apps,
            hosts: {} as never,
            monitoring,
            drills: undefined,
            backups,
            recorded: {},
            mode: "assign",
        });
        expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/^9500 is already the exporter port of a on host vm1/)]);
        expect(value.exporters.get(2)?.port).not.toBe(9500);
    });

    test("exporters get their address and grace; drilled apps are listed for the planner", () => {
        const apps = [app(0, "a"), app(1, "b", "vm2")];
        const monitoring = { enabled: true, portBase: 9000, graceHours: 2, refreshIntervalSeconds: 3600 } as Parameters<typeof validatePorts>[1]["monitoring"];
        const drills = { enabled: true, portBase: 12000 } as Parameters<typeof validatePorts>[1]["drills"];
        const backups = planBackups(smallFleet(), apps, undefined).value;
        const hosts = { vm1: { dockerHost: "ssh://deploy@vm1" } } as never;
        const { value } = validatePorts(smallFleet(), { apps, hosts, monitoring, drills, backups, recorded: {}, mode: "assign" });
        expect(value.exporters.get(0)).toEqual({
            port: exporterPort("a", 9000),
            address: `vm1:${exporterPort("a", 9000)}`,
            graceHours: 2,
            refreshIntervalSeconds: 3600,
        });
        expect(value.drilled.map((v) => v.app.name)).toEqual(["a", "b"]);
        expect(value.drillPorts.size).toBe(2);
        // The drills' times, outside the group's backups, for the planner's view.
        expect(value.drills.map((d) => d.app)).toEqual(["a", "b"]);
    });
});

describe("quota", () => {
    test("a quota needs the app's exporter, unless its monitoring is already reported", () => {
        const raw = smallFleet();
        const quota = { ...app(0, "mattermost"), app: { ...app(0, "mattermost").app, quotaGiB: 10 } };
        const input = { apps: [quota], monitoringRead: true, exporters: new Map(), earlier: [] };
        expect(quotaProblems(raw, input).map((p) => p.path)).toEqual(["apps[0] (mattermost).quotaGiB"]);
        expect(quotaProblems(raw, { ...input, earlier: [{ path: "apps[0] (mattermost).monitoring.port", message: "x" }] })).toEqual([]);
        expect(quotaProblems(raw, { ...input, monitoringRead: false })).toEqual([]);
    });
});

describe("plan", () => {
    test("a group no app names is reported", () => {
        expect(unusedGroupProblems(smallFleet(), { groups: { ghost: {} } } as never).map((p) => p.path)).toEqual(["schedule.groups.ghost"]);
    });

    test("each group gets one window; backups are planned in it", () => {
        const apps = [app(0, "a", "vm1", "g"), app(1, "b", "vm1", "g")];
        expect(Object.keys(groupWindows(apps, undefined))).toEqual(["g"]);
        const backups = planBackups(smallFleet(), apps, undefined);
        expect(backups.problems).toEqual([]);
        expect(backups.value.slots.map((s) => s.app)).toEqual(["a", "b"]);
    });
});
