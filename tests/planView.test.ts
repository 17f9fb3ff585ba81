import * as path from "path";
import { loadStackFile } from "../components/config";
import { escapeXml, overlapsOf, planSvg, planTable } from "../components/planView";
import { formatClock } from "../components/cron";
import { GroupWindow, planSchedules, PlannedSlot, ScheduleRequest } from "../components/schedule";
import { planReport, stackFromArgs } from "../scripts/plan";

const WINDOWS: Record<string, GroupWindow> = {
    green: { start: 120, maxConcurrent: 1 },
    blue: { start: 120, end: 240, maxConcurrent: 2 },
};

const HOSTS: Record<string, string> = { mattermost: "vm1", n8n: "vm1", vault: "vm2", linkwarden: "vm2", solidtime: "vm2", gitlab: "vm3" };

function planOf(requests: ScheduleRequest[], windows: Record<string, GroupWindow> = WINDOWS): PlannedSlot[] {
    return planSchedules(requests, (group) => windows[group]).slots;
}

const FLEET = planOf([
    { app: "mattermost", group: "green", expectedDuration: 20 },
    { app: "n8n", group: "green", expectedDuration: 20 },
    { app: "vault", group: "green", expectedDuration: 20 },
    { app: "linkwarden", group: "blue", expectedDuration: 20 },
    { app: "solidtime", group: "blue", expectedDuration: 30 },
    { app: "gitlab", group: "blue", expectedDuration: 60 },
]);

/** Lines of `text` that are table rows of `app` (the app name first, then the cells). */
function rowOf(text: string, app: string): string[] {
    const line = text.split("\n").find((l) => l.trim().split(/\s{2,}/)[0] === app);
    return line ? line.trim().split(/\s{2,}/) : [];
}

/**
 * Problems that keep `xml` from being well-formed, for the subset of XML the timeline uses:
 * a prolog, elements with double-quoted attributes, text, and the five predefined entities.
 */
function wellFormednessProblems(xml: string): string[] {
    const problems: string[] = [];
    const open: string[] = [];
    const body = xml.replace(/^<\?xml [^?]*\?>\s*/, "");
    const badText = (text: string) => /[<>]/.test(text) || /&(?!(amp|lt|gt|quot|apos);)/.test(text);
    const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"]*")*)\s*(\/?)>/y;
    let at = 0;
    let roots = 0;
    while (at < body.length) {
        const next = body.indexOf("<", at);
        const text = body.slice(at, next < 0 ? body.length : next);
        if (badText(text)) problems.push(`bad text at ${at}: ${text.slice(0, 40)}`);
        if (text.trim() !== "" && open.length === 0) problems.push(`text outside the root at ${at}`);
        if (next < 0) break;
        tag.lastIndex = next;
        const match = tag.exec(body);
        if (!match) {
            problems.push(`malformed tag at ${next}: ${body.slice(next, next + 40)}`);
            break;
        }
        const [whole, closing, name, attributes, selfClosing] = match;
        for (const [, value] of attributes.matchAll(/="([^"]*)"/g)) if (badText(value)) problems.push(`bad attribute value in <${name}>: ${value}`);
        if (closing) {
            const expected = open.pop();
            if (expected !== name) problems.push(`</${name}> closes <${expected}>`);
        } else if (!selfClosing) {
            if (open.length === 0) roots++;
            open.push(name);
        } else if (open.length === 0) {
            roots++;
        }
        at = next + whole.length;
    }
    if (open.length > 0) problems.push(`unclosed: ${open.join(", ")}`);
    if (roots !== 1) problems.push(`${roots} root elements`);
    return problems;
}

describe("wellFormednessProblems (the test's own checker)", () => {
    it("accepts a well-formed document and rejects broken ones", () => {
        expect(wellFormednessProblems('<a x="1"><b/>t &amp; u</a>')).toEqual([]);
        expect(wellFormednessProblems("<a><b></a>")).not.toEqual([]);
        expect(wellFormednessProblems("<a>x & y</a>")).not.toEqual([]);
        expect(wellFormednessProblems('<a t="<"></a>')).not.toEqual([]);
        expect(wellFormednessProblems("<a></a><b></b>")).not.toEqual([]);
    });
});

describe("overlapsOf", () => {
    it("names the other apps of the group whose runs overlap, symmetrically", () => {
        const overlaps = overlapsOf(FLEET);
        const byApp = Object.fromEntries(FLEET.map((s, i) => [s.app, overlaps[i]]));
        // blue runs two at a time: linkwarden and solidtime together, then gitlab once linkwarden is done.
        expect(byApp).toEqual({
            mattermost: [],
            n8n: [],
            vault: [],
            linkwarden: ["solidtime"],
            solidtime: ["linkwarden", "gitlab"],
            gitlab: ["solidtime"],
        });
    });

    it("finds overlaps across midnight", () => {
        const slots = planOf(
            [
                { app: "late", group: "g", expectedDuration: 20 },
                { app: "midnight", group: "g", expectedDuration: 10, explicitStart: 0 },
            ],
            { g: { start: 23 * 60 + 50, maxConcurrent: 2 } },
        );
        expect(overlapsOf(slots)).toEqual([["midnight"], ["late"]]);
    });

    it("does not count apps of other groups", () => {
        const slots = planOf(
            [
                { app: "a", group: "x", expectedDuration: 20 },
                { app: "b", group: "y", expectedDuration: 20 },
            ],
            { x: { start: 120, maxConcurrent: 1 }, y: { start: 120, maxConcurrent: 1 } },
        );
        expect(overlapsOf(slots)).toEqual([[], []]);
    });
});

describe("planTable", () => {
    const table = planTable(FLEET, (app) => HOSTS[app], WINDOWS);

    it("gives each app a row with start, expected end, how it was scheduled and its overlaps", () => {
        expect(rowOf(table, "mattermost")).toEqual(["mattermost", "02:00", "02:20", "planned", "-"]);
        expect(rowOf(table, "vault")).toEqual(["vault", "02:40", "03:00", "planned", "-"]);
        expect(rowOf(table, "solidtime")).toEqual(["solidtime", "02:00", "02:30", "planned", "linkwarden, gitlab"]);
        expect(rowOf(table, "gitlab")).toEqual(["gitlab", "02:20", "03:20", "planned", "solidtime"]);
    });

    it("has a section per group, in config order, with a table per host", () => {
        const headings = table
            .split("\n")
            .filter((l) => /^\s*(group|host) /.test(l))
            .map((l) => l.trim());
        expect(headings).toEqual([
            "group green  (window from 02:00, at most 1 at once)",
            "host vm1",
            "host vm2",
            "group blue  (window 02:00-04:00, at most 2 at once)",
            "host vm2",
            "host vm3",
        ]);
    });

    it("orders rows by start and marks explicit schedules", () => {
        const slots = planOf([
            { app: "b", group: "green", expectedDuration: 20 },
            { app: "a", group: "green", expectedDuration: 20, explicitStart: 100 },
        ]);
        const text = planTable(slots, () => "vm1");
        const rows = text
            .split("\n")
            .filter((l) => /^\s*[ab]\s/.test(l))
            .map((l) => l.trim().split(/\s{2,}/));
        // 01:40 explicit, with a window at 02:00, runs at the end of the group's day: after b.
        expect(rows).toEqual([
            ["b", "02:00", "02:20", "planned", "-"],
            ["a", "01:40", "02:00", "explicit", "-"],
        ]);
    });

    it("says so when the host of an app is unknown, and when there are no apps", () => {
        expect(planTable(FLEET.slice(0, 1), () => undefined)).toContain("host (unknown host)");
        expect(planTable([], () => "vm1")).toBe("(no apps)\n");
    });
});

describe("planSvg", () => {
    const svg = planSvg(FLEET, WINDOWS, { stack: "prod", hostOf: (app) => HOSTS[app] });

    it("is well-formed XML with an svg root", () => {
        expect(wellFormednessProblems(svg)).toEqual([]);
        expect(svg).toMatch(/^<\?xml[^>]*\?>\s*<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    });

    it("names the stack and the time zone, UTC unless told", () => {
        expect(svg).toContain(">Backup plan: stack prod</text>");
        expect(svg).toContain("all times UTC");
        const berlin = planSvg(FLEET, WINDOWS, { timezone: "Europe/Berlin" });
        expect(berlin).toContain("all times Europe/Berlin");
        expect(berlin).toContain(">Backup plan</text>");
    });

    it("has a legend for planned and explicit starts, late ends and the window lines", () => {
        const legend = [...svg.matchAll(/class="legend-label"[^>]*>([^<]*)</g)].map((m) => m[1]);
        expect(legend).toEqual([
            "planned start (spaced by the planner)",
            "explicit start (apps[].schedule)",
            "expected to end after the window",
            "window start",
            "window end",
        ]);
    });

    it("draws one lane per group and, per app, a bar with its name, host, start and end", () => {
        expect(svg.match(/<g class="lane"/g)).toHaveLength(2);
        for (const slot of FLEET) {
            const group = new RegExp(`<g class="app" data-app="${slot.app}">.*?</g>`).exec(svg)?.[0] ?? "";
            expect(group).toContain(`class="app-name" `);
            expect(group).toContain(`>${slot.app}</text>`);
            expect(group).toContain(`>${HOSTS[slot.app]}</text>`);
            expect(group).toContain(`>${formatClock(slot.start)}–${formatClock(slot.end)}</text>`);
            expect(group).toMatch(/<rect class="bar"/);
        }
        expect(svg).not.toContain("(unknown host)");
    });

    it("marks hours and window starts and ends", () => {
        expect(svg).toContain(">02:00</text>");
        expect(svg).toContain(">04:00</text>");
        expect(svg.match(/class="window-start"/g)).toHaveLength(2);
        expect(svg.match(/class="window-end"/g)).toHaveLength(1); // green has no end
        expect(svg).toContain(">window end 04:00</text>");
    });

    it("gives each app its own row, so backups that run at once do not cover each other", () => {
        const yOf = (app: string) => new RegExp(`data-app="${app}">.*?<rect class="bar" x="[\\d.]+" y="([\\d.]+)"`).exec(svg)?.[1];
        const ys = FLEET.map((s) => yOf(s.app));
        expect(ys.every((y) => y !== undefined)).toBe(true);
        expect(new Set(ys).size).toBe(FLEET.length);
    });

    it("marks explicit starts and planned runs expected to end after their window", () => {
        const windows = { g: { start: 120, end: 150, maxConcurrent: 1 } };
        const slots = planOf(
            [
                { app: "on-time", group: "g", expectedDuration: 20 },
                { app: "late", group: "g", expectedDuration: 20 },
                { app: "pinned", group: "g", expectedDuration: 10, explicitStart: 60 },
            ],
            windows,
        );
        const text = planSvg(slots, windows);
        const barOf = (app: string) => new RegExp(`data-app="${app}">.*?(<rect class="bar"[^>]*>)`).exec(text)?.[1] ?? "";
        expect(barOf("on-time")).toContain('fill="#4a90d9"');
        expect(barOf("on-time")).not.toContain("stroke=");
        expect(barOf("late")).toContain('stroke="#c62828"');
        expect(barOf("pinned")).toContain('fill="#f0b43c"');
        expect(text).toContain(">02:20–02:40, past the window</text>");
    });

    it("escapes names, keeping the document well-formed", () => {
        const slots = planOf([{ app: `x<y&"z'`, group: "<blue & co>", expectedDuration: 20 }], { "<blue & co>": { start: 120, maxConcurrent: 1 } });
        const text = planSvg(slots, { "<blue & co>": { start: 120, maxConcurrent: 1 } }, { stack: "a&b", hostOf: () => "<vm>" });
        expect(wellFormednessProblems(text)).toEqual([]);
        expect(text).toContain(escapeXml(`x<y&"z'`));
        expect(text).toContain("&lt;blue &amp; co&gt;");
        expect(text).not.toContain("<blue");
        expect(text).not.toContain("<vm>");
    });

    it("puts groups at 23:30 and 02:00 on one short night, not a whole day", () => {
        const windows = { late: { start: 23 * 60 + 30, maxConcurrent: 1 }, early: { start: 120, maxConcurrent: 1 } };
        const slots = planOf(
            [
                { app: "a", group: "late", expectedDuration: 20 },
                { app: "b", group: "late", expectedDuration: 20 },
                { app: "c", group: "late", expectedDuration: 20 },
                { app: "d", group: "early", expectedDuration: 20 },
            ],
            windows,
        );
        const text = planSvg(slots, windows);
        expect(wellFormednessProblems(text)).toEqual([]);
        const hours = [...text.matchAll(/>(\d\d:00)<\/text>/g)].map((m) => m[1]);
        expect(hours).toEqual(["23:00", "00:00", "01:00", "02:00", "03:00"]);
        const xOf = (app: string) => Number(new RegExp(`data-app="${app}">.*?<rect class="bar" x="([\\d.]+)"`).exec(text)?.[1]);
        expect(xOf("c")).toBeGreaterThan(xOf("b")); // 00:10 is drawn after 23:50
        expect(xOf("d")).toBeGreaterThan(xOf("c"));
    });
});

describe("restore drills in the plan view", () => {
    const { fleet } = loadStackFile(path.join(__dirname, "..", "Pulumi.prod.yaml"));
    const hosts = new Map(fleet.apps.map((a) => [a.name, a.host]));
    const svg = planSvg(fleet.plan.slots, fleet.plan.windows, { stack: "prod", hostOf: (app) => hosts.get(app), drills: fleet.plan.drills });

    it("draws a row per drill, in a bar style of its own, with a legend entry", () => {
        expect(wellFormednessProblems(svg)).toEqual([]);
        for (const drill of fleet.plan.drills) {
            const row = new RegExp(`<g class="drill" data-drill="${drill.app}">.*?</g>`).exec(svg)?.[0] ?? "";
            expect(row).toContain(`>${drill.app} (drill)</text>`);
            expect(row).toContain(`>${formatClock(drill.start)}–${formatClock(drill.end)}</text>`);
            expect(row).toMatch(/<rect class="bar"[^>]*stroke-dasharray="3 2"/);
            expect(row).not.toContain('fill="#4a90d9"');
        }
        const legend = [...svg.matchAll(/class="legend-label"[^>]*>([^<]*)</g)].map((m) => m[1]);
        expect(legend).toContain("restore drill (outside the group&apos;s backups)"); // escaped in the XML
        // Without drills, no drill legend entry and no drill row.
        const plain = planSvg(fleet.plan.slots, fleet.plan.windows, { stack: "prod" });
        expect(plain).not.toContain("restore drill");
        expect(plain).not.toContain('class="drill"');
    });

    it("draws each drill after its group's backups on the shared clock", () => {
        const xOf = (re: string) => Number(new RegExp(re).exec(svg)?.[1]);
        const gitlabBackup = xOf(`data-app="gitlab">.*?<rect class="bar" x="([\\d.]+)"`);
        const gitlabDrill = xOf(`data-drill="gitlab">.*?<rect class="bar" x="([\\d.]+)"`);
        expect(gitlabDrill).toBeGreaterThan(gitlabBackup);
    });

    it("lists drills in the table, naming any backup of the group they overlap", () => {
        const report = planReport("prod", fleet);
        const row = rowOf(report, "gitlab (drill)");
        const drill = fleet.plan.drills.find((d) => d.app === "gitlab");
        expect(row).toEqual(["gitlab (drill)", formatClock(drill!.start), formatClock(drill!.end), "drill", "-"]);
        // A drill placed on a backup by hand is shown with it.
        const clash = planTable(fleet.plan.slots, (app) => hosts.get(app), fleet.plan.windows, [{ ...drill!, start: 160, end: 220, cron: "40 2 * * *" }]);
        expect(rowOf(clash, "gitlab (drill)")).toEqual(["gitlab (drill)", "02:40", "03:40", "drill", "gitlab"]);
    });
});

describe("the plan CLI (scripts/plan.ts)", () => {
    it("reads --stack in both spellings and refuses anything else", () => {
        expect(stackFromArgs(["--stack", "prod"])).toEqual({ stack: "prod" });
        expect(stackFromArgs(["--stack=dev-1"])).toEqual({ stack: "dev-1" });
        expect(stackFromArgs([]).problem).toMatch(/missing --stack/);
        expect(stackFromArgs(["--stack", "../etc/passwd"]).problem).toMatch(/not a stack name/);
        expect(stackFromArgs(["--stack", "prod", "--force"]).problem).toMatch(/unknown argument "--force"/);
    });

    it("prints the original table for the prod stack", () => {
        const { fleet } = loadStackFile(path.join(__dirname, "..", "Pulumi.prod.yaml"));
        const report = planReport("prod", fleet);
        expect(report).toMatch(/^stack prod: 6 apps in 2 storage groups/);
        expect(report.split("\n")[0]).toMatch(/; times in UTC$/);
        expect(planReport("prod", { ...fleet, timezone: "Europe/Berlin" }).split("\n")[0]).toMatch(/times in Europe\/Berlin$/);
        expect(rowOf(report, "n8n")).toEqual(["n8n", "02:20", "02:40", "planned", "-"]);
        expect(rowOf(report, "solidtime")).toEqual(["solidtime", "02:20", "02:40", "planned", "-"]);
        expect(rowOf(report, "gitlab")).toEqual(["gitlab", "02:40", "03:00", "planned", "-"]);
    });
});
