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
import type { DrillSlot } from "./restoreDrill";
import { GroupWindow, minuteInWindowDay, PlannedSlot, windowEnd } from "./schedule";

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
    drills: readonly DrillSlot[] = [],
): string {
    const overlaps = overlapsOf(slots);
    const sections: string[] = [];
    for (const [group, members] of groupIndices(slots)) {
        const blocks = [`group ${group}${windows?.[group] ? `  (${describeWindow(windows[group])})` : ""}`];
        const groupDrills = drills.filter((d) => d.group === group);
        for (const [host, indices] of partition(members, (i) => hostOf(slots[i].app) ?? "(unknown host)")) {
            const backupRows = [...indices]
                .sort((a, b) => slots[a].start - slots[b].start || a - b)
                .map((i) => [
                    slots[i].app,
                    formatClock(slots[i].start),
                    formatClock(slots[i].end),
                    slots[i].explicit ? "explicit" : "planned",
                    overlaps[i].join(", ") || "-",
                ]);
            // A drill's row names the backups of its group it overlaps: none, when the planner placed it.
            const drillRows = groupDrills
                .filter((d) => (hostOf(d.app) ?? "(unknown host)") === host)
                .sort((a, b) => a.start - b.start)
                .map((d) => [
                    drillName(d.app),
                    formatClock(d.start),
                    formatClock(d.end),
                    "drill",
                    slots
                        .filter((b) => b.group === group && overlapsOnDay(b.start, b.end, d.start, d.end))
                        .map((b) => b.app)
                        .join(", ") || "-",
                ]);
            const rows = [...backupRows, ...drillRows];
            const table = alignColumns([["app", "start", "end", "schedule", "overlaps"], ...rows]);
            blocks.push(indent(`host ${host}\n${table}`));
        }
        sections.push(blocks.join("\n\n"));
    }
    return sections.length > 0 ? `${sections.join("\n\n")}\n` : "(no apps)\n";
}

/** The name a drill's row carries in the table and the timeline. */
export function drillName(app: string): string {
    return `${app} (drill)`;
}

/** Whether [aStart, aEnd) and [bStart, bEnd) meet on the repeating day. */
function overlapsOnDay(aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
    const a = mod(aStart, MINUTES_PER_DAY);
    const b = mod(bStart, MINUTES_PER_DAY);
    return [-MINUTES_PER_DAY, 0, MINUTES_PER_DAY].some((shift) => a < b + shift + (bEnd - bStart) && b + shift < a + (aEnd - aStart));
}

/** What the timeline says besides the plan itself. */
export interface PlanSvgOptions {
    /** The stack the plan belongs to, named in the heading. */
    stack?: string;
    /** The IANA time zone the sidecars' cron runs in, and so the zone of every time drawn (default "UTC"). */
    timezone?: string;
    /** Each app's Docker host, shown beside its bar; without it the host column is left out. */
    hostOf?: (app: string) => string | undefined;
    /** The restore drills (the planner's `plan.drills`): a row each, below its group's backups, in a style of their own. */
    drills?: readonly DrillSlot[];
}

/** Layout of the timeline, in pixels: sized for a screen and for pasting into a review. */
const SVG = {
    targetWidth: 1200,
    margin: 16,
    columnGap: 16,
    titleSize: 18,
    subtitleSize: 12,
    fontSize: 11,
    appSize: 12,
    groupSize: 13,
    markerSize: 10,
    lineGap: 6,
    legendSwatch: 14,
    axisHeight: 24,
    laneHeaderHeight: 26,
    rowHeight: 24,
    barHeight: 16,
    markerLineHeight: 15,
    laneGap: 8,
    labelGap: 5,
    minTickGap: 28,
} as const;

/** The font stack drawn with. Its first member is the widest; {@link textWidth} measures for it. */
const FONT_FAMILY = "DejaVu Sans, Arial, Helvetica, sans-serif";

const COLOUR = {
    planned: "#4a90d9",
    drill: "#e6dcf5",
    drillEdge: "#6a3fb5",
    explicit: "#f0b43c",
    late: "#c62828",
    windowStart: "#2e7d32",
    windowEnd: "#c62828",
    text: "#1f2328",
    muted: "#59636e",
    grid: "#d0d7de",
    lane: "#f6f8fa",
} as const;

/**
 * Advance widths of the printable ASCII characters (space to `~`), in em, for DejaVu Sans: the
 * larger of its regular and bold faces, rounded up to 0.01 em (read from the fonts' `hmtx` tables,
 * dejavu-fonts-ttf 2.37). Arial and Helvetica are narrower, so a box sized with these widths holds
 * the text in every font of {@link FONT_FAMILY}; tests/planView.test.ts checks them with a renderer.
 */
const ASCII_EM = [
    0.35, 0.46, 0.53, 0.84, 0.7, 1.01, 0.88, 0.31, 0.46, 0.46, 0.53, 0.84, 0.38, 0.42, 0.38, 0.37, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.4, 0.4,
    0.84, 0.84, 0.84, 0.59, 1, 0.78, 0.77, 0.74, 0.84, 0.69, 0.69, 0.83, 0.84, 0.38, 0.38, 0.78, 0.64, 1, 0.84, 0.86, 0.74, 0.86, 0.78, 0.73, 0.69, 0.82, 0.78,
    1.11, 0.78, 0.73, 0.73, 0.46, 0.37, 0.46, 0.84, 0.5, 0.5, 0.68, 0.72, 0.6, 0.72, 0.68, 0.44, 0.72, 0.72, 0.35, 0.35, 0.67, 0.35, 1.05, 0.72, 0.69, 0.72,
    0.72, 0.5, 0.6, 0.48, 0.72, 0.66, 0.93, 0.65, 0.66, 0.59, 0.72, 0.37, 0.72, 0.84,
];

/** Any other character: wider than every glyph of DejaVu Sans that a plan label can hold. */
const OTHER_EM = 1.2;

/**
 * An upper bound of the width `text` takes at `fontSize` px: the layout places every label with it,
 * so that no label runs into a bar, another label or the edge, whatever the font's real metrics.
 */
export function textWidth(text: string, fontSize: number): number {
    let em = 0;
    for (const char of text) {
        const code = char.codePointAt(0) as number;
        em += code >= 32 && code < 127 ? ASCII_EM[code - 32] : OTHER_EM;
    }
    return em * fontSize;
}

/**
 * An SVG timeline of the night, for a screen (about 1200 px wide): a heading with the stack, the
 * time zone and a legend; hour ticks; one lane per storage group (in order of first appearance)
 * with its window marked; one row per app with its name, its host, its bar, and its start and
 * end. Every label is placed from {@link textWidth} so that none is clipped or overlaps a bar or
 * another label. All groups share one clock, which starts at the window start that follows the
 * longest quiet stretch of the day.
 */
export function planSvg(slots: readonly PlannedSlot[], groupsWindows: Readonly<Record<string, GroupWindow>>, options: PlanSvgOptions = {}): string {
    const timezone = options.timezone ?? "UTC";
    const hostOf = options.hostOf;
    const drills = options.drills ?? [];
    const lanes = [...groupIndices(slots)].map(([group, members]) => laneOf(group, members, slots, groupsWindows[group], drills));
    const origin = timelineOrigin(lanes.map((g) => g.window.start));
    for (const lane of lanes) lane.offset = origin + mod(lane.window.start - origin, MINUTES_PER_DAY) - lane.window.start;

    // A window without an end would stretch the picture over the whole day: only a real end counts.
    const times = lanes.flatMap((g) => [
        g.window.start + g.offset,
        ...(g.window.end !== undefined ? [g.windowEnd + g.offset] : []),
        ...g.slots.map((s) => s.end + g.offset),
        ...g.drills.map((d) => d.end + g.offset),
    ]);
    const from = Math.floor(Math.min(origin, ...times) / 60) * 60;
    const to = Math.max(from + 60, Math.ceil(Math.max(...times) / 60) * 60);

    // Columns: app, host, then the plot; on the right, room for the widest bar label.
    const hosts = new Map(slots.map((s) => [s.app, hostOf?.(s.app) ?? "(unknown host)"]));
    const drillRows = lanes.flatMap((lane) => lane.drills);
    const appColumn = Math.max(
        textWidth("app", SVG.fontSize),
        ...slots.map((s) => textWidth(s.app, SVG.appSize)),
        ...drillRows.map((d) => textWidth(drillName(d.app), SVG.appSize)),
    );
    const hostColumn = hostOf ? Math.max(textWidth("host", SVG.fontSize), ...[...hosts.values()].map((h) => textWidth(h, SVG.fontSize))) : 0;
    const appX = SVG.margin + 10;
    const hostX = appX + appColumn + SVG.columnGap;
    const plotLeft = round((hostOf ? hostX + hostColumn : appX + appColumn) + SVG.columnGap * 1.5);
    const barLabels = lanes.flatMap((lane) => [...lane.slots.map((slot) => barLabel(slot, lane)), ...lane.drills.map((d) => drillLabel(d))]);
    const markerLabels = lanes.flatMap((lane) => markerTexts(lane).map((m) => m.text));
    const rightRoom = Math.max(
        ...barLabels.map((l) => textWidth(l, SVG.fontSize) + SVG.labelGap),
        ...markerLabels.map((l) => textWidth(l, SVG.markerSize) + SVG.labelGap),
        0,
    );
    const plotWidth = Math.max(240, SVG.targetWidth - SVG.margin - rightRoom - plotLeft);
    const perMinute = plotWidth / (to - from);
    const x = (minute: number) => round(plotLeft + (minute - from) * perMinute);

    const heading = renderHeading({
        stack: options.stack,
        timezone,
        apps: slots.length,
        groups: lanes.length,
        hosts: hostOf ? new Set(hosts.values()).size : undefined,
        drills: drillRows.length > 0,
    });
    const parts = [heading.svg];
    const title = heading.title;
    let y = heading.bottom;

    // Hour ticks: every 5, 10, 15, ... minutes, as close as the labels allow.
    const axisTop = y;
    const tickLabel = textWidth("00:00", SVG.fontSize) + SVG.minTickGap;
    const step = [5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720].find((m) => m * perMinute >= tickLabel) ?? 1440;
    y += SVG.axisHeight;
    const laneParts: string[] = [];
    const backgrounds: string[] = [];
    for (const lane of lanes) {
        const markers = markerLayout(lane, x, SVG.targetWidth - SVG.margin);
        const height = SVG.laneHeaderHeight + (lane.slots.length + lane.drills.length) * SVG.rowHeight + markers.lines * SVG.markerLineHeight + 4;
        backgrounds.push(
            `<rect class="lane-background" x="${SVG.margin}" y="${y}" width="${round(SVG.targetWidth - 2 * SVG.margin)}" height="${height}" rx="4" fill="${COLOUR.lane}"/>`,
        );
        laneParts.push(renderLane(lane, y, height, x, markers, { appX, hostX: hostOf ? hostX : undefined, hosts }));
        y += height + SVG.laneGap;
    }
    const bottom = y - SVG.laneGap;
    const ticks = renderTicks({ from, to, step, x, top: axisTop, bottom });
    const height = round(bottom + SVG.margin);
    return svgDocument(`${title} (${timezone})`, height, [...parts, ...backgrounds, `<g class="hours">`, ...ticks, `</g>`, ...laneParts]);
}

/** The hour ticks: a grid line and a clock label every `step` minutes from `from` to `to`. */
function renderTicks(axis: { from: number; to: number; step: number; x: (minute: number) => number; top: number; bottom: number }): string[] {
    const { step, x, top } = axis;
    const ticks: string[] = [];
    for (let minute = Math.ceil(axis.from / step) * step; minute <= axis.to; minute += step) {
        ticks.push(
            `<line x1="${x(minute)}" y1="${top + SVG.axisHeight - 6}" x2="${x(minute)}" y2="${axis.bottom}" stroke="${COLOUR.grid}"/>`,
            text(x(minute), top + SVG.fontSize + 2, formatClock(minute), { anchor: "middle", fill: COLOUR.muted, cls: "tick" }),
        );
    }
    return ticks;
}

/** The SVG document around `body`: size, font, title and a white background. */
function svgDocument(title: string, height: number, body: readonly string[]): string {
    const width = SVG.targetWidth;
    return [
        `<?xml version="1.0" encoding="UTF-8"?>`,
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}" font-size="${SVG.fontSize}">`,
        `<title>${escapeXml(title)}</title>`,
        `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
        ...body,
        `</svg>`,
        ``,
    ].join("\n");
}

/**
 * The heading of the plan picture: what, which stack, how many apps, groups and hosts, which
 * zone, then the legend. Returns its SVG, the title and where the heading ends.
 */
function renderHeading(about: { stack?: string; timezone: string; apps: number; groups: number; hosts?: number; drills: boolean }): {
    svg: string;
    title: string;
    bottom: number;
} {
    const parts: string[] = [];
    let y = SVG.margin;
    const title = about.stack !== undefined ? `Backup plan: stack ${about.stack}` : "Backup plan";
    y += SVG.titleSize;
    parts.push(text(SVG.margin, y, title, { size: SVG.titleSize, weight: "bold", cls: "title" }));
    const summary = [
        `${about.apps} app${about.apps === 1 ? "" : "s"} in ${about.groups} storage group${about.groups === 1 ? "" : "s"}`,
        ...(about.hosts !== undefined ? [`${about.hosts} host${about.hosts === 1 ? "" : "s"}`] : []),
        `all times ${about.timezone}, the zone the sidecars' cron runs in`,
    ].join(" · ");
    y += SVG.lineGap + SVG.subtitleSize;
    parts.push(text(SVG.margin, y, summary, { size: SVG.subtitleSize, fill: COLOUR.muted, cls: "subtitle" }));
    y += SVG.lineGap * 2;
    const legend = renderLegend(SVG.margin, y, SVG.targetWidth - SVG.margin, about.drills);
    parts.push(legend.svg);
    return { svg: parts.join("\n"), title, bottom: legend.bottom + SVG.lineGap * 2 };
}

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

interface Lane {
    group: string;
    window: GroupWindow;
    windowEnd: number;
    /** The group's slots, in start order: one row each. */
    slots: PlannedSlot[];
    /** The group's restore drills, in start order, on the window's day: a row each, below the slots. */
    drills: DrillSlot[];
    /** Added to the group's times to put them on the shared clock. */
    offset: number;
}

function laneOf(group: string, members: readonly number[], slots: readonly PlannedSlot[], known: GroupWindow | undefined, drills: readonly DrillSlot[]): Lane {
    // A group missing from the windows (not expected from the config loader) is drawn from its earliest start, without an end.
    const window = known ?? { start: Math.min(...members.map((i) => slots[i].start)), maxConcurrent: 1 };
    const ordered = members.map((i) => slots[i]).sort((a, b) => a.start - b.start);
    // Drills start on the day of the group's window (a 01:00 drill after a 02:00 window is the next morning's).
    const ownDrills = drills
        .filter((d) => d.group === group)
        .map((d) => {
            const start = minuteInWindowDay(d.start, window.start);
            return { ...d, start, end: start + (d.end - d.start) };
        })
        .sort((a, b) => a.start - b.start);
    return { group, window, windowEnd: windowEnd(window), slots: ordered, drills: ownDrills, offset: 0 };
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

interface TextStyle {
    size?: number;
    weight?: "bold";
    fill?: string;
    anchor?: "middle" | "end";
    cls?: string;
}

/** A label, with a white halo so that grid and window lines behind it do not cut through it. */
function text(x: number, y: number, content: string, style: TextStyle = {}): string {
    const attributes = [
        ...(style.cls ? [`class="${style.cls}"`] : []),
        `x="${round(x)}"`,
        `y="${round(y)}"`,
        ...(style.size !== undefined && style.size !== SVG.fontSize ? [`font-size="${style.size}"`] : []),
        ...(style.weight ? [`font-weight="${style.weight}"`] : []),
        ...(style.anchor ? [`text-anchor="${style.anchor}"`] : []),
        `fill="${style.fill ?? COLOUR.text}"`,
        // The halo: a stroke in the lane's colour, painted under the glyphs.
        `stroke="${COLOUR.lane}" stroke-width="3" stroke-linejoin="round" paint-order="stroke"`,
    ];
    return `<text ${attributes.join(" ")}>${escapeXml(content)}</text>`;
}

/** The legend, left to right, wrapping before `right`. */
function renderLegend(left: number, top: number, right: number, withDrills = false): { svg: string; bottom: number } {
    const swatch = SVG.legendSwatch;
    const items: { mark: (x: number, y: number) => string; label: string }[] = [
        {
            mark: (x, y) => `<rect class="swatch" x="${x}" y="${y}" width="${swatch}" height="${swatch - 4}" rx="2" fill="${COLOUR.planned}"/>`,
            label: "planned start (spaced by the planner)",
        },
        {
            mark: (x, y) => `<rect class="swatch" x="${x}" y="${y}" width="${swatch}" height="${swatch - 4}" rx="2" fill="${COLOUR.explicit}"/>`,
            label: "explicit start (apps[].schedule)",
        },
        {
            mark: (x, y) =>
                `<rect class="swatch" x="${x + 1}" y="${y + 1}" width="${swatch - 2}" height="${swatch - 6}" rx="2" fill="${COLOUR.planned}" stroke="${COLOUR.late}" stroke-width="2"/>`,
            label: "expected to end after the window",
        },
        ...(withDrills
            ? [
                  {
                      mark: (x: number, y: number) =>
                          `<rect class="swatch" x="${x + 1}" y="${y + 1}" width="${swatch - 2}" height="${swatch - 6}" rx="2" fill="${COLOUR.drill}" stroke="${COLOUR.drillEdge}" stroke-width="2" stroke-dasharray="3 2"/>`,
                      label: "restore drill (outside the group's backups)",
                  },
              ]
            : []),
        {
            mark: (x, y) =>
                `<line x1="${x + swatch / 2}" y1="${y - 2}" x2="${x + swatch / 2}" y2="${y + swatch - 2}" stroke="${COLOUR.windowStart}" stroke-width="2"/>`,
            label: "window start",
        },
        {
            mark: (x, y) =>
                `<line x1="${x + swatch / 2}" y1="${y - 2}" x2="${x + swatch / 2}" y2="${y + swatch - 2}" stroke="${COLOUR.windowEnd}" stroke-width="2" stroke-dasharray="4 3"/>`,
            label: "window end",
        },
    ];
    const lineHeight = SVG.fontSize + SVG.lineGap;
    const parts: string[] = [`<g class="legend">`];
    let x = left;
    let y = top;
    for (const item of items) {
        const width = swatch + 6 + textWidth(item.label, SVG.fontSize);
        if (x > left && x + width > right) {
            x = left;
            y += lineHeight;
        }
        parts.push(item.mark(round(x), round(y)), text(x + swatch + 6, y + swatch - 4, item.label, { cls: "legend-label" }));
        x += width + 20;
    }
    parts.push(`</g>`);
    return { svg: parts.join("\n"), bottom: y + lineHeight };
}

/** The texts that label a lane's window lines. */
function markerTexts(lane: Lane): { kind: "window-start" | "window-end"; minute: number; text: string }[] {
    return [
        { kind: "window-start" as const, minute: lane.window.start + lane.offset, text: `window start ${formatClock(lane.window.start)}` },
        ...(lane.window.end !== undefined
            ? [{ kind: "window-end" as const, minute: lane.windowEnd + lane.offset, text: `window end ${formatClock(lane.window.end)}` }]
            : []),
    ];
}

interface MarkerLabel {
    kind: "window-start" | "window-end";
    lineX: number;
    textX: number;
    anchor?: "end";
    line: number;
    text: string;
}

/**
 * Where the labels of a lane's window lines go, below its rows: right of their line, or left of
 * it when the picture ends first; on a second line when the two would meet.
 */
function markerLayout(lane: Lane, x: (minute: number) => number, right: number): { labels: MarkerLabel[]; lines: number } {
    const labels: MarkerLabel[] = [];
    const taken: { line: number; from: number; to: number }[] = [];
    for (const marker of markerTexts(lane)) {
        const lineX = x(marker.minute);
        const width = textWidth(marker.text, SVG.markerSize);
        const fitsRight = lineX + SVG.labelGap + width <= right;
        const from = fitsRight ? lineX + SVG.labelGap : lineX - SVG.labelGap - width;
        let line = 0;
        while (taken.some((t) => t.line === line && from < t.to + SVG.labelGap && t.from < from + width + SVG.labelGap)) line++;
        taken.push({ line, from, to: from + width });
        labels.push({
            kind: marker.kind,
            lineX,
            textX: fitsRight ? from : lineX - SVG.labelGap,
            anchor: fitsRight ? undefined : "end",
            line,
            text: marker.text,
        });
    }
    return { labels, lines: Math.max(1, ...labels.map((l) => l.line + 1)) };
}

/** The text beside a bar: its start and end, and a warning when it is expected to run past its window. */
function barLabel(slot: PlannedSlot, lane: Lane): string {
    return `${formatClock(slot.start)}–${formatClock(slot.end)}${isLate(slot, lane) ? ", past the window" : ""}`;
}

function isLate(slot: PlannedSlot, lane: Lane): boolean {
    return !slot.explicit && slot.end > lane.windowEnd;
}

function renderLane(
    lane: Lane,
    top: number,
    height: number,
    x: (minute: number) => number,
    markers: { labels: MarkerLabel[] },
    columns: { appX: number; hostX?: number; hosts: ReadonlyMap<string, string> },
): string {
    const { group, window } = lane;
    const heading = `window ${describeSpan(window)}, at most ${window.maxConcurrent} at once`;
    const headingY = top + 18;
    const lines = [
        `<g class="lane" data-group="${escapeXml(group)}">`,
        text(SVG.margin + 8, headingY, group, { size: SVG.groupSize, weight: "bold", cls: "group" }),
        text(SVG.margin + 8 + textWidth(group, SVG.groupSize) + 10, headingY, heading, { fill: COLOUR.muted, cls: "group-window" }),
    ];
    const rowsTop = top + SVG.laneHeaderHeight;
    const rowsBottom = rowsTop + (lane.slots.length + lane.drills.length) * SVG.rowHeight;
    for (const label of markers.labels) {
        const colour = label.kind === "window-start" ? COLOUR.windowStart : COLOUR.windowEnd;
        const dash = label.kind === "window-end" ? ` stroke-dasharray="4 3"` : "";
        lines.push(
            `<line class="${label.kind}" x1="${label.lineX}" y1="${rowsTop - 4}" x2="${label.lineX}" y2="${top + height - 2}" stroke="${colour}" stroke-width="2"${dash}/>`,
            text(label.textX, rowsBottom + (label.line + 1) * SVG.markerLineHeight - 4, label.text, {
                size: SVG.markerSize,
                fill: colour,
                anchor: label.anchor,
                cls: `${label.kind}-label`,
            }),
        );
    }
    lane.slots.forEach((slot, row) => lines.push(renderBar(slot, lane, rowsTop + row * SVG.rowHeight, x, columns)));
    lane.drills.forEach((drill, row) => lines.push(renderDrill(drill, lane, rowsTop + (lane.slots.length + row) * SVG.rowHeight, x, columns)));
    lines.push(`</g>`);
    return lines.join("\n");
}

function renderBar(
    slot: PlannedSlot,
    lane: Lane,
    rowTop: number,
    x: (minute: number) => number,
    columns: { appX: number; hostX?: number; hosts: ReadonlyMap<string, string> },
): string {
    const left = x(slot.start + lane.offset);
    const width = Math.max(2, round(x(slot.end + lane.offset) - left));
    const barY = rowTop + (SVG.rowHeight - SVG.barHeight) / 2;
    const baseline = rowTop + SVG.rowHeight / 2 + 4;
    const late = isLate(slot, lane);
    const fill = slot.explicit ? COLOUR.explicit : COLOUR.planned;
    const stroke = late ? ` stroke="${COLOUR.late}" stroke-width="2"` : "";
    const host = columns.hosts.get(slot.app) ?? "(unknown host)";
    const tooltip = `${slot.app} on ${host}: ${formatClock(slot.start)}-${formatClock(slot.end)}, group ${slot.group}, ${slot.explicit ? "explicit" : "planned"}${late ? ", ends after the window" : ""}`;
    return [
        `<g class="app" data-app="${escapeXml(slot.app)}"><title>${escapeXml(tooltip)}</title>`,
        text(columns.appX, baseline, slot.app, { size: SVG.appSize, cls: "app-name" }),
        ...(columns.hostX !== undefined ? [text(columns.hostX, baseline, host, { fill: COLOUR.muted, cls: "host" })] : []),
        `<rect class="bar" x="${left}" y="${barY}" width="${width}" height="${SVG.barHeight}" rx="3" fill="${fill}"${stroke}/>`,
        text(left + width + SVG.labelGap, baseline, barLabel(slot, lane), { cls: "times", fill: late ? COLOUR.late : COLOUR.text }),
        `</g>`,
    ].join("");
}

/** The text beside a drill's bar: its start and expected end. */
function drillLabel(drill: DrillSlot): string {
    return `${formatClock(drill.start)}–${formatClock(drill.end)}`;
}

/** A drill's row: a pale bar with a dashed edge, so it never reads as a backup. */
function renderDrill(
    drill: DrillSlot,
    lane: Lane,
    rowTop: number,
    x: (minute: number) => number,
    columns: { appX: number; hostX?: number; hosts: ReadonlyMap<string, string> },
): string {
    const left = x(drill.start + lane.offset);
    const width = Math.max(2, round(x(drill.end + lane.offset) - left));
    const barY = rowTop + (SVG.rowHeight - SVG.barHeight) / 2;
    const baseline = rowTop + SVG.rowHeight / 2 + 4;
    const host = columns.hosts.get(drill.app) ?? "(unknown host)";
    const tooltip = `restore drill of ${drill.app} on ${host}: ${formatClock(drill.start)}-${formatClock(drill.end)}, group ${drill.group}, outside the group's backups`;
    return [
        `<g class="drill" data-drill="${escapeXml(drill.app)}"><title>${escapeXml(tooltip)}</title>`,
        text(columns.appX, baseline, drillName(drill.app), { size: SVG.appSize, cls: "app-name" }),
        ...(columns.hostX !== undefined ? [text(columns.hostX, baseline, host, { fill: COLOUR.muted, cls: "host" })] : []),
        `<rect class="bar" x="${left}" y="${barY}" width="${width}" height="${SVG.barHeight}" rx="3" fill="${COLOUR.drill}" stroke="${COLOUR.drillEdge}" stroke-width="2" stroke-dasharray="3 2"/>`,
        text(left + width + SVG.labelGap, baseline, drillLabel(drill), { cls: "times" }),
        `</g>`,
    ].join("");
}

function describeSpan(window: GroupWindow): string {
    return window.end !== undefined ? `${formatClock(window.start)}–${formatClock(window.end)}` : `from ${formatClock(window.start)}`;
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
    return rows
        .map((r) =>
            r
                .map((cell, c) => cell.padEnd(widths[c]))
                .join("  ")
                .trimEnd(),
        )
        .join("\n");
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
