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
} from "../components/restoreDrill";
import type { PlannedSlot } from "../components/schedule";
import { assignDrills } from "../components/drillSlots";
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

describe("planning drills outside the group's backups (the planner: components/drillSlots.ts)", () => {
    const slot = (app: string, group: string, start: number, end: number): PlannedSlot => ({ app, group, start, end, cron: "", explicit: false });
    const PROD: PlannedSlot[] = [
        slot("mattermost", "green", 120, 140),
        slot("n8n", "green", 140, 160),
        slot("vault", "green", 160, 180),
        slot("linkwarden", "blue", 120, 140),
        slot("solidtime", "blue", 140, 160),
        slot("gitlab", "blue", 160, 180),
    ];
    const WINDOWS = { green: { start: 120, maxConcurrent: 1 }, blue: { start: 120, maxConcurrent: 1 } };
    const timing = (maxConcurrent: number) => ({ duration: 60, gap: 30, maxConcurrent });

    test("prod: drills end 30 min before the next night, two of a group at a time", () => {
        const { grants, problems } = assignDrills(
            PROD.map((s) => ({ app: s.app, group: s.group })),
            PROD,
            WINDOWS,
            timing(2),
        );
        expect(problems).toEqual([]);
        expect(grants.map((s) => `${s.app} ${s.cron}`)).toEqual([
            "mattermost 30 0 * * *",
            "n8n 30 0 * * *",
            "vault 30 23 * * *",
            "linkwarden 30 0 * * *",
            "solidtime 30 0 * * *",
            "gitlab 30 23 * * *",
        ]);
    });

    test("a pinned drill is held free before planned drills listed ahead of it are placed", () => {
        // One at a time: mattermost (planned) would otherwise take 00:30, where n8n is pinned.
        const { grants, problems } = assignDrills(
            [
                { app: "mattermost", group: "green" },
                { app: "n8n", group: "green", explicitStart: 30 },
            ],
            PROD,
            WINDOWS,
            timing(1),
        );
        expect(problems).toEqual([]);
        expect(grants.map((s) => [s.app, s.start])).toEqual([
            ["mattermost", 23 * 60 + 30],
            ["n8n", 30],
        ]);
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
