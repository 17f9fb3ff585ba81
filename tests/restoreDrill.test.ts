import * as fc from "fast-check";
import { resticReaderPolicy } from "../components/iamPolicy";
import { backupNames } from "../components/naming";
import { restoreIdentityProblems } from "../components/restoreAccess";
import {
    checkSubsetForDay,
    DRILL_ALERTS,
    DRILL_IMAGE,
    DRILL_METRICS,
    DRILL_SCRIPT,
    drillAlertRules,
    drillContainerSpec,
    DrillOptions,
    drillScrapeJob,
    planDrills,
} from "../components/restoreDrill";
import type { PlannedSlot } from "../components/schedule";
import { COMPOSE_PROJECT_LABEL, DEFAULT_STACKBACK_IMAGE, DOCKER_SOCKET } from "../components/stackback";
import { promqlErrors } from "./support/promql";

// The drill script and metrics server run as processes in tests/restoreDrill.slow.test.ts (slow tier).

const DAY = 86_400_000;

describe("check --read-data-subset rotation", () => {
    test("N consecutive days read every slice exactly once", () => {
        fc.assert(
            fc.property(fc.integer({ min: 1, max: 256 }), fc.integer({ min: 0, max: 40_000 }), (slices, firstDay) => {
                const seen = Array.from({ length: slices }, (_, i) => checkSubsetForDay(new Date((firstDay + i) * DAY + 3_600_000), slices));
                expect(new Set(seen).size).toBe(slices);
                // One expect per run, not per slice: the same check, without 256 matcher calls.
                const form = new RegExp(`^([1-9]\\d*)/${slices}$`);
                expect(seen.filter((s) => !form.test(s))).toEqual([]);
            }),
        );
    });

    test("restic's limit of 256 slices is enforced", () => {
        expect(() => checkSubsetForDay(new Date(0), 257)).toThrow("1-256");
        expect(() => checkSubsetForDay(new Date(0), 0)).toThrow();
        expect(checkSubsetForDay(new Date(Date.UTC(1970, 0, 31)), 30)).toBe("1/30");
    });
});

describe("the drill script", () => {
    test("every restic call carries --no-lock", () => {
        const calls = DRILL_SCRIPT.split("\n").filter((line) => /^\s*restic\s/.test(line));
        expect(calls.length).toBe(4);
        for (const line of calls) expect(line).toMatch(/^\s*restic --no-lock /);
    });
});

describe("the drill container", () => {
    const options: DrillOptions = {
        app: "gitlab",
        group: "blue",
        host: "platform-one-vm3",
        repository: "s3:https://minio:9000/restic-stackback-gitlab-bucket",
        resticPassword: "PW",
        accessKeyId: backupNames("gitlab").readerUser,
        secretAccessKey: "SK",
        schedule: "30 4 * * *",
        port: 9480,
    };

    test("pinned stack-back image, no Docker socket, no compose project label, secrets marked", () => {
        const spec = drillContainerSpec(options);
        expect(spec.image).toBe(DEFAULT_STACKBACK_IMAGE);
        expect(DRILL_IMAGE).toMatch(/:v\d+\.\d+\.\d+$/);
        expect(spec.volumes.map((v) => v.containerPath)).not.toContain(DOCKER_SOCKET);
        expect(spec.labels.map((l) => l.label)).not.toContain(COMPOSE_PROJECT_LABEL);
        expect(spec.envs.filter((e) => e.secret).map((e) => e.name)).toEqual(["RESTIC_PASSWORD", "AWS_SECRET_ACCESS_KEY"]);
        expect(spec.envs.find((e) => e.name === "AWS_ACCESS_KEY_ID")?.value).toBe("restic-stackback-gitlab-ro");
        expect(spec.uploads.map((u) => u.file)).toEqual(["/drill/entrypoint.sh", "/drill/drill.sh", "/drill/drill.py", "/drill/metrics_server.py"]);
        expect(spec.command).toEqual(["sh", "/drill/entrypoint.sh"]);
    });

    test("the identity it is given can read but not change the repository", () => {
        const bucket = backupNames("gitlab").bucket;
        expect(restoreIdentityProblems(resticReaderPolicy(bucket), bucket)).toEqual([]);
    });

    test("bad options are reported together", () => {
        expect(() => drillContainerSpec({ ...options, port: 0, schedule: "*/5 * * * *", checkSlices: 300 })).toThrow(
            /checkSlices: 300 must be a whole number 1-256[\s\S]*port: 0[\s\S]*schedule: "\*\/5 \* \* \* \*"/,
        );
    });
});

describe("planning drills outside the group's backups", () => {
    const slot = (app: string, group: string, start: number, end: number): PlannedSlot => ({ app, group, start, end, cron: "", explicit: false });
    const PROD: PlannedSlot[] = [
        slot("mattermost", "green", 120, 140),
        slot("n8n", "green", 140, 160),
        slot("vault", "green", 160, 180),
        slot("linkwarden", "blue", 120, 140),
        slot("solidtime", "blue", 140, 160),
        slot("gitlab", "blue", 160, 180),
    ];

    test("prod: drills follow the night's backups, one after another per group", () => {
        const { slots, problems } = planDrills(
            PROD.map((s) => ({ app: s.app, group: s.group })),
            PROD,
        );
        expect(problems).toEqual([]);
        expect(slots.map((s) => `${s.app} ${s.cron}`)).toEqual([
            "mattermost 30 3 * * *",
            "n8n 30 4 * * *",
            "vault 30 5 * * *",
            "linkwarden 30 3 * * *",
            "solidtime 30 4 * * *",
            "gitlab 30 5 * * *",
        ]);
    });

    test("a pinned drill is held free before planned drills listed ahead of it are placed", () => {
        // mattermost (planned) would otherwise take 03:30, where n8n is pinned.
        const { slots, problems } = planDrills(
            [
                { app: "mattermost", group: "green" },
                { app: "n8n", group: "green", explicitStart: 210 },
            ],
            PROD,
        );
        expect(problems).toEqual([]);
        expect(slots.map((s) => [s.app, s.start])).toEqual([
            ["mattermost", 270],
            ["n8n", 210],
        ]);
    });

    test("an explicit drill time inside a backup of its group is reported", () => {
        const { problems } = planDrills([{ app: "gitlab", group: "blue", explicitStart: 150 }], PROD);
        expect(problems).toEqual([
            {
                index: 0,
                message:
                    "the drill at 02:30 (60 min) overlaps the backup of linkwarden (02:00-02:20); drills must run outside the group's backups and other drills",
            },
        ]);
    });

    test("property: no drill overlaps a backup of its group (with the gap) or another drill of its group", () => {
        const arbSlots = fc.array(
            fc.record({ group: fc.constantFrom("a", "b"), start: fc.integer({ min: 0, max: 1439 }), length: fc.integer({ min: 1, max: 120 }) }),
            { maxLength: 8 },
        );
        fc.assert(
            fc.property(
                arbSlots,
                fc.array(fc.record({ group: fc.constantFrom("a", "b"), duration: fc.integer({ min: 1, max: 90 }) }), { maxLength: 5 }),
                (raw, drills) => {
                    const backups = raw.map((r, i) => slot(`app${i}`, r.group, r.start, r.start + r.length));
                    const { slots, problems } = planDrills(
                        drills.map((d, i) => ({ app: `d${i}`, group: d.group, expectedDuration: d.duration })),
                        backups,
                        {},
                        30,
                    );
                    const minuteSets = (start: number, end: number) => {
                        const set = new Set<number>();
                        for (let m = start; m < end; m++) set.add(((m % 1440) + 1440) % 1440);
                        return set;
                    };
                    // Every shared minute, named; one expect per run rather than one per minute.
                    const clashes: string[] = [];
                    const clash = (mine: Set<number>, what: string, start: number, end: number) => {
                        for (const m of minuteSets(start, end)) if (mine.has(m)) clashes.push(`${what} at minute ${m}`);
                    };
                    slots.forEach((s, i) => {
                        if (problems.some((p) => p.index === i)) return;
                        const mine = minuteSets(s.start, s.end);
                        for (const b of backups.filter((b) => b.group === s.group)) clash(mine, `${s.app} and backup ${b.app}`, b.start - 30, b.end + 30);
                        slots
                            .slice(0, i)
                            .filter((o) => o.group === s.group)
                            .forEach((o) => clash(mine, `${s.app} and drill ${o.app}`, o.start, o.end));
                    });
                    expect(clashes).toEqual([]);
                },
            ),
            { numRuns: 40 },
        );
    });

    test("appending an app moves no existing drill", () => {
        const requests = PROD.map((s) => ({ app: s.app, group: s.group }));
        const before = planDrills(requests, PROD).slots;
        const after = planDrills([...requests, { app: "new", group: "green" }], PROD).slots;
        expect(after.slice(0, before.length)).toEqual(before);
    });
});

describe("drill alerts and scrape job", () => {
    const entry = { app: "gitlab", group: "blue", host: "platform-one-vm3", address: "vm3.platform-one.internal:9480" };

    test("two rules with the labels of the other alerts, valid PromQL", () => {
        const rules = drillAlertRules(entry);
        expect(rules.map((r) => r.alert)).toEqual([DRILL_ALERTS.failed, DRILL_ALERTS.stale]);
        for (const rule of rules) {
            expect(Object.keys(rule.labels).sort()).toEqual(["app", "group", "host", "severity"]);
            expect(rule.labels).toMatchObject({ app: "gitlab", group: "blue", host: "platform-one-vm3" });
            expect(promqlErrors(rule.expr)).toBe(0);
            expect(rule.annotations.runbook_url).toBeUndefined(); // no page given: no dead relative link
        }
        const page = "https://git.example.com/p/-/blob/main/docs/restore.md";
        for (const rule of drillAlertRules(entry, { runbookPageUrl: page })) expect(rule.annotations.runbook_url).toBe(`${page}#${rule.alert.toLowerCase()}`);
        expect(rules[0].labels.severity).toBe("critical");
        expect(rules[1].expr).toContain("> 108000");
        expect(rules[1].expr).toContain(`absent(${DRILL_METRICS.started}{job="restore-drill",app="gitlab"})`);
    });

    test("scrape job: one target per app with app, group, host labels", () => {
        expect(drillScrapeJob([entry])).toEqual({
            job_name: "restore-drill",
            metrics_path: "/metrics",
            static_configs: [{ targets: ["vm3.platform-one.internal:9480"], labels: { app: "gitlab", group: "blue", host: "platform-one-vm3" } }],
        });
    });
});
