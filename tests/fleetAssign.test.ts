/**
 * The record of ports and drill times (components/fleetAssign.ts, assignments.ts): `pulumi up`
 * refuses what it lacks with the exact command, `--write` fills it in and keeps the rest, and the
 * stack file keeps its comments and gains one line per app.
 */
import * as fs from "fs";
import * as YAML from "yaml";
import { assignmentChanges, assignmentsCommand, withAssignments } from "../components/assignments";
import { DEFAULT_DRILL_CONCURRENCY } from "../components/drillSlots";
import { AssignApp, assignFleet, AssignInput } from "../components/fleetAssign";
import { planSchedules } from "../components/schedule";
import { loadFleet, REPO_ROOT } from "../scripts/stackCli";

const apps: AssignApp[] = [
    { index: 0, name: "mattermost", host: "vm1", group: "green", exporter: {}, drill: {} },
    { index: 1, name: "n8n", host: "vm1", group: "green", exporter: { port: 9999 }, drill: {} },
    { index: 2, name: "linkwarden", host: "vm2", group: "blue", exporter: {} },
];

function input(overrides: Partial<AssignInput> = {}): AssignInput {
    const slots = planSchedules(
        apps.map((a) => ({ app: a.name, group: a.group, expectedDuration: 20 })),
        () => ({ start: 120, maxConcurrent: 1 }),
    ).slots;
    return {
        apps,
        recorded: {},
        ranges: { exporter: { base: 9471, span: 1000 }, drill: { base: 10471, span: 1000 } },
        backupSlots: slots,
        windows: { green: { start: 120, maxConcurrent: 1 }, blue: { start: 120, maxConcurrent: 1 } },
        drillTiming: { duration: 60, gap: 30, maxConcurrent: DEFAULT_DRILL_CONCURRENCY },
        mode: "assign",
        stack: "prod",
        ...overrides,
    };
}

describe("assignFleet", () => {
    it("records every planned port and drill time, and leaves explicit ones out of the record", () => {
        const { assignments, problems, exporterPorts } = assignFleet(input());
        expect(problems).toEqual([]);
        expect(exporterPorts.get(1)).toBe(9999);
        expect(assignments).toEqual({
            mattermost: { host: "vm1", exporterPort: 9590, drillPort: 10590, drill: "00:30" },
            n8n: { host: "vm1", drillPort: expect.any(Number), drill: "00:30" },
            linkwarden: { host: "vm2", exporterPort: expect.any(Number) },
        });
    });

    it("refuses in require mode, once, naming the apps and the exact command", () => {
        const { problems } = assignFleet(input({ mode: "require" }));
        expect(problems).toEqual([
            {
                path: ["assignments"],
                message:
                    "3 apps have no recorded port or drill time that still holds: mattermost (no exporter port, no drill port, no drill time); " +
                    "n8n (no drill port, no drill time); linkwarden (no exporter port). Ports and drill times are assigned once and kept; " +
                    "run `npm run plan -- --stack prod --write` and commit the stack file",
            },
        ]);
    });

    it("accepts a complete record in require mode and keeps it exactly", () => {
        const recorded = assignFleet(input()).assignments;
        // A record that differs from what the planner would pick now: kept, not re-planned.
        recorded.mattermost = { ...recorded.mattermost, exporterPort: 9500, drill: "23:00" };
        const again = assignFleet(input({ mode: "require", recorded }));
        expect(again.problems).toEqual([]);
        expect(again.assignments).toEqual(recorded);
        expect(again.drills.get(0)?.cron).toBe("0 23 * * *");
    });

    it("names an app moved to another host, and re-assigns only its port", () => {
        const recorded = assignFleet(input()).assignments;
        const moved = apps.map((a) => (a.name === "linkwarden" ? { ...a, host: "vm1" } : a));
        const result = assignFleet(input({ apps: moved, recorded, mode: "require" }));
        expect(result.problems[0].message).toMatch(
            /^1 app has no recorded port or drill time that still holds: linkwarden \(its exporter port \(recorded for host vm2, the app is now on vm1\)\)/,
        );
        const written = assignFleet(input({ apps: moved, recorded }));
        expect(assignmentChanges(recorded, written.assignments)).toEqual([
            `~ linkwarden: host vm2, exporter ${recorded.linkwarden.exporterPort} -> host vm1, exporter ${written.assignments.linkwarden.exporterPort}`,
        ]);
        expect(written.assignments.mattermost).toEqual(recorded.mattermost);
    });

    it("drops the record of a removed app, and says so", () => {
        const recorded = assignFleet(input()).assignments;
        const written = assignFleet(input({ apps: apps.slice(1), recorded }));
        expect(assignmentChanges(recorded, written.assignments)).toEqual([expect.stringMatching(/^- mattermost: dropped \(no longer in the fleet\)/)]);
    });
});

describe("the record in the stack file", () => {
    const file = ["# the fleet", "config:", "  platform-backups:apps: [] # none yet", "  platform-backups:monitoring:", "    enabled: true", ""].join("\n");

    it("is one sorted line per app under a comment naming the command, every other line kept", () => {
        const text = withAssignments(
            file,
            { zulu: { host: "vm1", exporterPort: 9000 }, alpha: { host: "vm2", drill: "01:30" } },
            "platform-backups",
            assignmentsCommand("prod"),
        );
        expect(text.startsWith(file)).toBe(true);
        expect(text.slice(file.length).split("\n")).toEqual([
            "  # Written by `npm run plan -- --stack prod --write`: the ports and drill time each app got once",
            "  # and keeps (docs/operating.md). Commit it with the apps; do not edit it by hand.",
            "  platform-backups:assignments:",
            '    alpha: { host: vm2, drill: "01:30" }',
            "    zulu: { host: vm1, exporterPort: 9000 }",
            "",
        ]);
        // A YAML 1.1 reader would take an unquoted 01:30 for the number 90: it is quoted.
        expect(YAML.parse(text, { version: "1.1" }).config["platform-backups:assignments"].alpha.drill).toBe("01:30");
    });

    it("is replaced in place on the next write", () => {
        const once = withAssignments(file, { a: { host: "vm1", exporterPort: 9000 } }, "platform-backups", "x");
        const twice = withAssignments(once, { b: { host: "vm1", exporterPort: 9001 } }, "platform-backups", "x");
        expect(twice.match(/platform-backups:assignments/g)).toHaveLength(1);
        expect(twice).toContain("    b: { host: vm1, exporterPort: 9001 }");
        expect(twice).not.toContain("    a: ");
    });
});

describe("the repository's stacks", () => {
    const stacks = fs
        .readdirSync(REPO_ROOT)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined);

    test.each(stacks)("%s carries a record of every port and drill time it deploys (as pulumi up requires)", (stack) => {
        expect(() => loadFleet(stack, { assignments: "require" })).not.toThrow();
    });

    test("there are stacks to check", () => {
        expect(stacks).toEqual(expect.arrayContaining(["dev", "staging", "prod"]));
    });
});
