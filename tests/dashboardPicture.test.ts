/**
 * The picture's reading of the dashboard JSON: series names from legends, per-app overrides,
 * threshold steps (from their value up) and value mappings before thresholds, as Grafana applies
 * them. The real-engine test uses the same functions to check the colours of real values.
 */
import * as path from "path";
import type { Panel } from "@grafana/grafana-foundation-sdk/dashboard";
import { loadStackFile } from "../components/config";
import { fleetView } from "../components/dashboardQueries";
import { grafanaDashboard } from "../components/grafanaDashboard";
import { dashboardSvg, displayName, fieldConfigFor, formatValue, valueLook } from "../scripts/dashboardPicture";

const board = grafanaDashboard(fleetView("prod", loadStackFile(path.resolve(__dirname, "..", "Pulumi.prod.yaml")).fleet), {
    at: new Date("2026-01-15T12:00:00Z"),
});
const panel = (title: string) => (board.panels ?? []).find((p) => p.title === title) as Panel;
const RED = "#F2495C";
const GREEN = "#73BF69";
const ORANGE = "#FF9830";

test("a legend names a series from its labels, as Grafana does", () => {
    expect(displayName("{{app}} {{ snapshot_paths }}", { app: "n8n", snapshot_paths: "/volumes" })).toBe("n8n /volumes");
    expect(displayName("{{app}} ({{group}}, planned {{planned}})", { app: "n8n", group: "green", planned: "02:20" })).toBe("n8n (green, planned 02:20)");
});

test("each app's override applies to its own series only: gitlab red from 28 h, mattermost from 26 h", () => {
    const age = panel("Last backup (oldest path set)");
    expect(valueLook(27 * 3600, fieldConfigFor(age, "gitlab")).color).toBe(GREEN);
    expect(valueLook(28 * 3600, fieldConfigFor(age, "gitlab")).color).toBe(RED);
    expect(valueLook(27 * 3600, fieldConfigFor(age, "mattermost")).color).toBe(RED);
    expect(valueLook(26 * 3600 - 1, fieldConfigFor(age, "mattermost")).color).toBe(GREEN);
    const perPath = panel("Snapshot age per path set");
    expect(valueLook(27 * 3600, fieldConfigFor(perPath, "gitlab /databases/db.sql")).color).toBe(GREEN);
    expect(valueLook(27 * 3600, fieldConfigFor(perPath, "vault /volumes")).color).toBe(RED);
});

test("value mappings come before thresholds: a failed check is red and says so", () => {
    expect(valueLook(0, fieldConfigFor(panel("Repository check"), "vault"))).toEqual({ color: RED, text: "failed" });
    expect(valueLook(2, fieldConfigFor(panel("Repository check"), "vault")).text).toBe("not checked");
});

test("the quota steps of gitlab: orange from 400 GiB, red at 500 GiB", () => {
    const size = panel("Repository size and 7-day trend");
    expect(valueLook(400 * 2 ** 30 - 1, fieldConfigFor(size, "gitlab size")).color).toBe(GREEN);
    expect(valueLook(400 * 2 ** 30, fieldConfigFor(size, "gitlab size")).color).toBe(ORANGE);
    expect(valueLook(500 * 2 ** 30, fieldConfigFor(size, "gitlab in 7 days at this trend")).color).toBe(RED);
});

test("units are written as Grafana writes them, roughly", () => {
    expect(formatValue(2.69 * 86_400, "s")).toBe("2.69 day");
    expect(formatValue(28, "m")).toBe("28 min");
    expect(formatValue(1536, "bytes")).toBe("1.50 KiB");
    expect(formatValue(Date.UTC(2026, 11, 3, 2, 48), "dateTimeAsIso")).toBe("2026-12-03 02:48:00");
});

test("the SVG has every panel's title, and a panel without answers says No data", () => {
    const svg = dashboardSvg({ board, results: {}, variables: { app: "gitlab" }, from: 0, to: 600 });
    for (const p of board.panels ?? []) expect(svg).toContain(`>${(p.title ?? "").replace("$app", "gitlab")}<`);
    expect(svg.match(/>No data</g)?.length).toBeGreaterThan(5);
});
