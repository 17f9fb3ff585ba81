/**
 * The resource counts that docs/resource-counts.md quotes are the program's own (hand-counted
 * numbers drift: a README once said "13 creates" for prod, where monitoring is on and an app is 19).
 */
import * as fs from "fs";
import * as path from "path";
import { evaluateProgram } from "./support/program";
import { resourceCountsPerApp, ResourceCounts } from "./support/resourceCounts";

const DOC = path.join(__dirname, "..", "docs", "resource-counts.md");

/** The number in the doc's table row whose first cell is `label`. */
function quoted(label: string): number | undefined {
    const row = fs
        .readFileSync(DOC, "utf8")
        .split("\n")
        .map((line) => line.split("|").map((cell) => cell.trim()))
        .find((cells) => cells[1] === label);
    return row ? Number(row[2]) : undefined;
}

let counts: ResourceCounts;
beforeAll(async () => {
    counts = await resourceCountsPerApp(evaluateProgram);
}, 180_000); // eight program runs: over 30 s on a loaded machine

test("monitoring and drills add resources to every app (the counts measure something)", () => {
    expect(counts.withoutMonitoring).toBeGreaterThan(1);
    expect(counts.withMonitoring).toBeGreaterThan(counts.withoutMonitoring);
    expect(counts.withDrills).toBeGreaterThan(counts.withoutMonitoring);
    // The reader is shared: monitoring and drills together are less than the two added separately.
    expect(counts.withMonitoringAndDrills).toBeLessThan(counts.withMonitoring + counts.withDrills - counts.withoutMonitoring);
});

test("docs/resource-counts.md quotes the program's own counts", () => {
    expect({
        withoutMonitoring: quoted("monitoring off, drills off"),
        withMonitoring: quoted("monitoring on, drills off"),
        withDrills: quoted("monitoring off, drills on"),
        withMonitoringAndDrills: quoted("monitoring on, drills on"),
    }).toEqual(counts);
});
