/**
 * Pictures of a backup plan for people: a text table for the terminal and an SVG timeline.
 *
 * Pure rendering of the planner's output (no I/O, no Pulumi import): `scripts/plan.ts` prints and
 * writes what these return, and tests check them as strings.
 *
 * Overlaps are computed on the repeating day, not on the planner's linear scale: a backup running
 * 23:50-00:10 overlaps one starting at 00:00, whichever night the planner counted it in.
 */
import { formatClock, MINUTES_PER_DAY } from "./cron";
import { GroupWindow, PlannedSlot, windowEnd } from "./schedule";

/**
 * For each slot (same order), the names of the other apps of its group whose expected run
 * overlaps it at some moment of the day.
 */
export function overlapsOf(slots: readonly PlannedSlot[]): string[][] {
    const overlaps = slots.map(() => new Set<number>());
    for (const members of groupIndices(slots).values()) {
        // Each run, and its copy a day later, on [0, 2880): every overlap on the circle shows up
        // as an overlap of two of these intervals, found by one sweep in start order.
        const runs = members.flatMap((i) => {
            const start = mod(slots[i].start, MINUTES_PER_DAY);
            const length = slots[i].end - slots[i].start;
            return [0, MINUTES_PER_DAY].map((shift) => ({ i, from: start + shift, to: start + shift + length }));
        });
        runs.sort((a, b) => a.from - b.from);
        runs.forEach((run, k) => {
            for (let j = k + 1; j < runs.length && runs[j].from < run.to; j++) {
                if (runs[j].i === run.i) continue;
                overlaps[run.i].add(runs[j].i);
                overlaps[runs[j].i].add(run.i);
            }
        });
    }
    return overlaps.map((set) => [...set].sort((a, b) => a - b).map((i) => slots[i].app));
}

/**
 * A plain-text table per group and host, in config order: app, start, expected end, whether the
 * start was planned or explicit, and the apps of the same group whose runs overlap it.
 * `windows`, when given, adds each group's window and limit to its heading.
 */
export function planTable(
    slots: readonly PlannedSlot[],
    hostOf: (app: string) => string | undefined,
    windows?: Readonly<Record<string, GroupWindow>>,
): string {
    const overlaps = overlapsOf(slots);
    const sections: string[] = [];
    for (const [group, members] of groupIndices(slots)) {
        const blocks = [`group ${group}${windows?.[group] ? `  (${describeWindow(windows[group])})` : ""}`];
        for (const [host, indices] of partition(members, (i) => hostOf(slots[i].app) ?? "(unknown host)")) {
            const rows = [...indices]
                .sort((a, b) => slots[a].start - slots[b].start || a - b)
                .map((i) => [
                    slots[i].app,
                    formatClock(slots[i].start),
                    formatClock(slots[i].end),
                    slots[i].explicit ? "explicit" : "planned",
                    overlaps[i].join(", ") || "-",
                ]);
            const table = alignColumns([["app", "start", "end", "schedule", "overlaps"], ...rows]);
            blocks.push(indent(`host ${host}\n${table}`));
        }
        sections.push(blocks.join("\n\n"));
    }
    return sections.length > 0 ? `${sections.join("\n\n")}\n` : "(no apps)\n";
}

/** Layout constants of the timeline, in pixels. */
const SVG = {
    laneLabelWidth: 130,
    axisHeight: 34,
    rowHeight: 22,
    barHeight: 18,
    lanePadding: 10,
    rightMargin: 30,
    targetPlotWidth: 1100,
    minTickSpacing: 40,
} as const;

/**
 * An SVG timeline of the night: one lane per group (in order of first appearance), a bar per app
 * labelled with its name and start, hour ticks, and the window's start and end marked in each
 * lane. Backups that run at once are drawn on separate rows of their lane. All groups share one
 * clock, which starts at the window start that follows the longest quiet stretch of the day.
 */
export function planSvg(slots: readonly PlannedSlot[], groupsWindows: Readonly<Record<string, GroupWindow>>, options: { timezone?: string } = {}): string {
    const groups = [...groupIndices(slots)].map(([group, members]) => laneOf(group, members, slots, groupsWindows[group]));
    const origin = timelineOrigin(groups.map((g) => g.window.start));
    for (const lane of groups) lane.offset = origin + mod(lane.window.start - origin, MINUTES_PER_DAY) - lane.window.start;

    // A window without an end would stretch the picture over the whole day: only a real end counts.
    const times = groups.flatMap((g) => [
        g.window.start + g.offset,
        ...(g.window.end !== undefined ? [g.windowEnd + g.offset] : []),
        ...g.bars.map((b) => b.slot.end + g.offset),
    ]);
    const from = Math.floor(Math.min(origin, ...times) / 60) * 60;
    const to = Math.max(from + 60, Math.ceil(Math.max(...times) / 60) * 60);
    const perMinute = Math.min(4, Math.max(0.5, SVG.targetPlotWidth / (to - from)));
    const x = (minute: number) => round(SVG.laneLabelWidth + (minute - from) * perMinute);

    // Backgrounds first, then the hour lines over them, then the bars over both.
    const backgrounds: string[] = [];
    const contents: string[] = [];
    let y = SVG.axisHeight;
    for (const lane of groups) {
        const height = lane.rows * SVG.rowHeight + 2 * SVG.lanePadding;
        backgrounds.push(`<rect class="lane-background" x="0" y="${y}" width="100%" height="${height}" fill="#f6f8fa" stroke="#ffffff" stroke-width="2"/>`);
        contents.push(renderLane(lane, y, height, x));
        y += height;
    }
    const width = round(x(to) + SVG.rightMargin);
    const height = y + 10;
    return [
        `<?xml version="1.0" encoding="UTF-8"?>`,
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
        `<title>Backup plan${options.timezone ? ` (times in ${escapeXml(options.timezone)})` : ""}</title>`,
        ...(options.timezone ? [`<text class="timezone" x="4" y="12" fill="#57606a">${escapeXml(options.timezone)}</text>`] : []),
        `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
        ...backgrounds,
        renderHourTicks(from, to, perMinute, x, y),
        ...contents,
        `</svg>`,
        ``,
    ].join("\n");
}

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

interface Bar {
    slot: PlannedSlot;
    row: number;
}

interface Lane {
    group: string;
    window: GroupWindow;
    windowEnd: number;
    bars: Bar[];
    rows: number;
    /** Added to the group's times to put them on the shared clock. */
    offset: number;
}

function laneOf(group: string, members: readonly number[], slots: readonly PlannedSlot[], known: GroupWindow | undefined): Lane {
    // A group missing from the windows (not expected from the config loader) is drawn from its earliest start, without an end.
    const window = known ?? { start: Math.min(...members.map((i) => slots[i].start)), maxConcurrent: 1 };
    const bars = assignRows(members.map((i) => slots[i]));
    return { group, window, windowEnd: windowEnd(window), bars, rows: Math.max(1, ...bars.map((b) => b.row + 1)), offset: 0 };
}

/** Puts each bar on the first row that is free when it starts, so that overlapping bars do not cover each other. */
function assignRows(slots: readonly PlannedSlot[]): Bar[] {
    const rowEnds: number[] = [];
    return [...slots]
        .sort((a, b) => a.start - b.start)
        .map((slot) => {
            let row = rowEnds.findIndex((end) => end <= slot.start);
            if (row < 0) row = rowEnds.length;
            rowEnds[row] = slot.end;
            return { slot, row };
        });
}

/**
 * The minute of the day the timeline starts at: the window start that follows the longest gap
 * between window starts, so that groups at 23:30 and 02:00 share one short night rather than
 * spreading over a whole day.
 */
function timelineOrigin(starts: readonly number[]): number {
    const sorted = [...new Set(starts.map((s) => mod(s, MINUTES_PER_DAY)))].sort((a, b) => a - b);
    if (sorted.length === 0) return 0;
    let best = sorted[0];
    let widest = -1;
    sorted.forEach((start, i) => {
        const previous = sorted[(i + sorted.length - 1) % sorted.length];
        const gap = mod(start - previous, MINUTES_PER_DAY) || MINUTES_PER_DAY;
        if (gap > widest) [best, widest] = [start, gap];
    });
    return best;
}

/** Hour lines and labels; every 2, 3, 4 or 6 hours when hourly labels would collide. */
function renderHourTicks(from: number, to: number, perMinute: number, x: (minute: number) => number, bottom: number): string {
    const step = 60 * ([1, 2, 3, 4, 6].find((hours) => hours * 60 * perMinute >= SVG.minTickSpacing) ?? 12);
    const ticks: string[] = [];
    for (let minute = from; minute <= to; minute += step) {
        ticks.push(
            `<line x1="${x(minute)}" y1="${SVG.axisHeight - 6}" x2="${x(minute)}" y2="${bottom}" stroke="#d0d7de"/>` +
                `<text x="${x(minute)}" y="${SVG.axisHeight - 10}" text-anchor="middle" fill="#555555">${formatClock(minute)}</text>`,
        );
    }
    return `<g class="hours">\n${ticks.join("\n")}\n</g>`;
}

function renderLane(lane: Lane, top: number, height: number, x: (minute: number) => number): string {
    const { group, window } = lane;
    const windowStart = x(window.start + lane.offset);
    const windowStop = x(lane.windowEnd + lane.offset);
    const label = `max ${window.maxConcurrent} at once`;
    const lines = [
        `<g class="lane" data-group="${escapeXml(group)}">`,
        `<text x="8" y="${top + 16}" font-weight="bold">${escapeXml(group)}</text>`,
        `<text x="8" y="${top + 30}" fill="#555555">${escapeXml(label)}</text>`,
        `<line class="window-start" x1="${windowStart}" y1="${top}" x2="${windowStart}" y2="${top + height}" stroke="#2e7d32" stroke-width="2"/>`,
        `<text x="${windowStart + 2}" y="${top + height - 2}" fill="#2e7d32" font-size="9">start ${formatClock(window.start)}</text>`,
    ];
    if (window.end !== undefined) {
        lines.push(
            `<line class="window-end" x1="${windowStop}" y1="${top}" x2="${windowStop}" y2="${top + height}" stroke="#c62828" stroke-width="2" stroke-dasharray="4 3"/>`,
            `<text x="${windowStop + 2}" y="${top + height - 2}" fill="#c62828" font-size="9">end ${formatClock(window.end)}</text>`,
        );
    }
    for (const bar of lane.bars) lines.push(renderBar(bar, lane, top, x));
    lines.push(`</g>`);
    return lines.join("\n");
}

function renderBar({ slot, row }: Bar, lane: Lane, top: number, x: (minute: number) => number): string {
    const left = x(slot.start + lane.offset);
    const width = Math.max(1, round(x(slot.end + lane.offset) - left));
    const y = top + SVG.lanePadding + row * SVG.rowHeight;
    const late = !slot.explicit && slot.end > lane.windowEnd;
    const fill = slot.explicit ? "#f0b43c" : "#4a90d9";
    const stroke = late ? ` stroke="#c62828" stroke-width="2"` : "";
    const label = `${slot.app} ${formatClock(slot.start)}`;
    const tooltip = `${slot.app}: ${formatClock(slot.start)}-${formatClock(slot.end)}, group ${slot.group}, ${slot.explicit ? "explicit" : "planned"}${late ? ", ends after the window" : ""}`;
    return (
        `<g class="app" data-app="${escapeXml(slot.app)}"><title>${escapeXml(tooltip)}</title>` +
        `<rect x="${left}" y="${y}" width="${width}" height="${SVG.barHeight}" rx="3" fill="${fill}"${stroke}/>` +
        `<text x="${left + 3}" y="${y + 13}" fill="#111111">${escapeXml(label)}</text></g>`
    );
}

/** Slot indices by group, groups in order of first appearance. */
function groupIndices(slots: readonly PlannedSlot[]): Map<string, number[]> {
    return partition(
        slots.map((_, i) => i),
        (i) => slots[i].group,
    );
}

function partition<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
    const parts = new Map<string, T[]>();
    for (const item of items) {
        const key = keyOf(item);
        const part = parts.get(key);
        if (part) part.push(item);
        else parts.set(key, [item]);
    }
    return parts;
}

function describeWindow(window: GroupWindow): string {
    const span = window.end !== undefined ? `${formatClock(window.start)}-${formatClock(window.end)}` : `from ${formatClock(window.start)}`;
    return `window ${span}, at most ${window.maxConcurrent} at once`;
}

/** Left-aligned columns separated by two spaces, without trailing blanks. */
function alignColumns(rows: readonly string[][]): string {
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd()).join("\n");
}

function indent(text: string): string {
    return text.replace(/^/gm, "  ");
}

function mod(value: number, modulus: number): number {
    return ((value % modulus) + modulus) % modulus;
}

function round(value: number): number {
    return Math.round(value * 10) / 10;
}
