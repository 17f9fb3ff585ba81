/**
 * A picture of the Grafana dashboard without a Grafana: each panel of the dashboard JSON drawn as
 * SVG from the answers Prometheus gave to its queries. The layout (grid positions), titles,
 * legends, units, thresholds, per-app overrides, value mappings and table transformations are the
 * ones in the JSON; the drawing is this file's, an approximation of Grafana's dark theme, not
 * Grafana's renderer. Used by the real-engine tier to draw the picture in docs/monitoring.md from
 * a real Prometheus that scraped the real exporter and drill.
 */
import type { Dashboard, Panel, RowPanel, Threshold, ValueMapping } from "@grafana/grafana-foundation-sdk/dashboard";
import { escapeXml, textWidth } from "../components/planView";

/** One series of a query's answer: its labels and its points (Unix seconds, value). */
export interface SeriesData {
    labels: Record<string, string>;
    points: Array<[number, number]>;
}

/** The answers of one panel's targets, by refId. */
export type PanelResults = Record<string, SeriesData[]>;

/** What the picture is drawn from. */
export interface PictureInput {
    board: Dashboard;
    /** Answers by panel id. */
    results: Record<number, PanelResults>;
    /** Dashboard variables as substituted in titles (`$app`). */
    variables: Record<string, string>;
    /** The time range shown, Unix seconds. */
    from: number;
    to: number;
    /** Width of the picture in px. Default 1400. */
    width?: number;
}

const THEME = { background: "#111217", panel: "#181b1f", border: "#2c3235", text: "#ccccdc", weak: "#8e8e9a", grid: "#22252b" };
/** Grafana's named colours (its dark theme) and its classic palette for series. */
const NAMED: Record<string, string> = { green: "#73BF69", red: "#F2495C", orange: "#FF9830", blue: "#5794F2", yellow: "#FADE2A", text: THEME.text };
const PALETTE = ["#7EB26D", "#EAB839", "#6ED0E0", "#EF843C", "#E24D42", "#1F78C1", "#BA43A9", "#705DA0"];
const colour = (name: string) => NAMED[name] ?? name;

/** Pixels per grid unit: Grafana's grid is 24 columns wide, rows 30 px high. */
const ROW_PX = 30;
const GAP = 8;
const FONT = 12;

/** The legend of a target applied to a series' labels, as Grafana names it. */
export function displayName(legend: string | undefined, labels: Record<string, string>): string {
    if (legend) return legend.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) => labels[name] ?? "");
    return `{${Object.entries(labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(", ")}}`;
}

interface FieldConfigView {
    steps?: Threshold[];
    mappings?: ValueMapping[];
    unit?: string;
}

/** A panel's field config for a series of this name: its defaults with the matching overrides applied. */
export function fieldConfigFor(panel: Panel, name: string): FieldConfigView {
    const view: FieldConfigView = {
        steps: panel.fieldConfig?.defaults.thresholds?.steps,
        mappings: panel.fieldConfig?.defaults.mappings,
        unit: panel.fieldConfig?.defaults.unit,
    };
    for (const override of panel.fieldConfig?.overrides ?? []) {
        const options = String(override.matcher.options);
        const matches = override.matcher.id === "byName" ? options === name : override.matcher.id === "byRegexp" ? new RegExp(options).test(name) : false;
        if (!matches) continue;
        for (const property of override.properties) {
            if (property.id === "thresholds") view.steps = (property.value as { steps: Threshold[] }).steps;
            if (property.id === "unit") view.unit = property.value as string;
            if (property.id === "mappings") view.mappings = property.value as ValueMapping[];
        }
    }
    return view;
}

/** The colour and text Grafana gives a value: a value mapping first, else the threshold step it reached. */
export function valueLook(value: number, config: FieldConfigView): { color: string; text: string } {
    for (const mapping of config.mappings ?? []) {
        const hit = mapping.type === "value" ? mapping.options[String(value)] : undefined;
        if (hit) return { color: colour(hit.color ?? "text"), text: hit.text ?? formatValue(value, config.unit) };
    }
    let step = "green";
    for (const s of config.steps ?? []) if (s.value === null || value >= s.value) step = s.color;
    return { color: colour(step), text: formatValue(value, config.unit) };
}

/** A value in a Grafana unit, roughly as Grafana writes it. */
export function formatValue(value: number, unit: string | undefined): string {
    const round = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));
    switch (unit) {
        case "s": {
            const a = Math.abs(value);
            if (a >= 86_400 * 365) return `${round(value / (86_400 * 365))} year`;
            if (a >= 86_400) return `${round(value / 86_400)} day`;
            if (a >= 3600) return `${round(value / 3600)} hour`;
            if (a >= 60) return `${round(value / 60)} min`;
            return `${round(value)} s`;
        }
        case "m":
            return Math.abs(value) >= 60 ? `${round(value / 60)} hour` : `${Math.round(value)} min`;
        case "bytes": {
            const units = ["B", "KiB", "MiB", "GiB", "TiB"];
            let v = value;
            let i = 0;
            while (Math.abs(v) >= 1024 && i < units.length - 1) {
                v /= 1024;
                i++;
            }
            return `${i === 0 ? Math.round(v) : round(v)} ${units[i]}`;
        }
        case "dateTimeAsIso":
            return new Date(value).toISOString().replace("T", " ").slice(0, 19);
        default:
            return round(value);
    }
}

function text(x: number, y: number, content: string, options: { size?: number; fill?: string; anchor?: string; weight?: string } = {}): string {
    const attrs = [`x="${x.toFixed(1)}"`, `y="${y.toFixed(1)}"`, `font-size="${options.size ?? FONT}"`, `fill="${options.fill ?? THEME.text}"`];
    if (options.anchor) attrs.push(`text-anchor="${options.anchor}"`);
    if (options.weight) attrs.push(`font-weight="${options.weight}"`);
    return `<text ${attrs.join(" ")}>${escapeXml(content)}</text>`;
}

/** `content` cut to fit `width` px at `size`. */
function fit(content: string, width: number, size: number = FONT): string {
    if (textWidth(content, size) <= width) return content;
    let cut = content;
    while (cut.length > 1 && textWidth(`${cut}…`, size) > width) cut = cut.slice(0, -1);
    return `${cut}…`;
}

interface Box {
    x: number;
    y: number;
    w: number;
    h: number;
}

interface Named {
    name: string;
    series: SeriesData;
    config: FieldConfigView;
    last: number;
}

/** Every series of a panel with its display name and field config, in target order. */
function namedSeries(panel: Panel, results: PanelResults): Named[] {
    return (panel.targets ?? []).flatMap((t) => {
        const target = t as unknown as { refId?: string; legendFormat?: string };
        return (results[target.refId ?? "A"] ?? []).map((series) => {
            const name = displayName(target.legendFormat, series.labels);
            return { name, series, config: fieldConfigFor(panel, name), last: series.points[series.points.length - 1]?.[1] ?? NaN };
        });
    });
}

function noData(box: Box): string {
    return text(box.x + box.w / 2, box.y + box.h / 2, "No data", { fill: THEME.weak, anchor: "middle" });
}

function drawStat(panel: Panel, items: Named[], box: Box): string {
    if (items.length === 0)
        return text(box.x + box.w / 2, box.y + box.h / 2, panel.fieldConfig?.defaults.noValue ?? "No data", { fill: THEME.weak, anchor: "middle" });
    const h = Math.min(44, (box.h - (items.length - 1) * 4) / items.length);
    return items
        .map((item, i) => {
            const look = valueLook(item.last, item.config);
            const y = box.y + i * (h + 4);
            const size = Math.min(16, h * 0.5);
            return (
                `<rect x="${box.x}" y="${y.toFixed(1)}" width="${box.w}" height="${h.toFixed(1)}" rx="2" fill="${look.color}"/>` +
                text(box.x + 8, y + h / 2 + size * 0.35, fit(item.name, box.w * 0.5, size), { size, fill: "#ffffff" }) +
                text(box.x + box.w - 8, y + h / 2 + size * 0.4, look.text, { size: size * 1.15, fill: "#ffffff", anchor: "end", weight: "bold" })
            );
        })
        .join("");
}

function drawBarGauge(panel: Panel, items: Named[], box: Box): string {
    if (items.length === 0) return noData(box);
    const min = panel.fieldConfig?.defaults.min ?? 0;
    const stepsMax = Math.max(...items.flatMap((i) => (i.config.steps ?? []).map((s) => s.value ?? 0)));
    const max = Math.max(...items.map((i) => i.last), stepsMax) * 1.15 || 1;
    const h = Math.min(34, box.h / items.length);
    return items
        .map((item, i) => {
            const look = valueLook(item.last, item.config);
            const y = box.y + i * h;
            const barX = box.x;
            const barW = box.w - 70;
            const len = Math.max(2, ((Math.max(min, item.last) - min) / (max - min)) * barW);
            return (
                text(barX, y + 11, fit(item.name, box.w, 11), { size: 11, fill: THEME.text }) +
                `<rect x="${barX}" y="${(y + 14).toFixed(1)}" width="${barW}" height="${(h - 18).toFixed(1)}" fill="${THEME.grid}"/>` +
                `<rect x="${barX}" y="${(y + 14).toFixed(1)}" width="${len.toFixed(1)}" height="${(h - 18).toFixed(1)}" fill="${look.color}"/>` +
                text(box.x + box.w, y + h - 6, look.text, { size: 12, fill: look.color, anchor: "end", weight: "bold" })
            );
        })
        .join("");
}

/** A tick's label: `HH:MM` (UTC), with seconds when the range is under 10 minutes. */
function clock(t: number, span: number): string {
    return new Date(t * 1000).toISOString().slice(11, span < 600 ? 19 : 16);
}

/** Tick times of a time axis: at most `count`, on a round step. */
function timeTicks(from: number, to: number, count: number): number[] {
    const span = to - from;
    const steps = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600, 43_200, 86_400];
    const step = steps.find((s) => span / s <= count) ?? 86_400;
    const first = Math.ceil(from / step) * step;
    const out: number[] = [];
    for (let t = first; t <= to; t += step) out.push(t);
    return out;
}

function drawTimeSeries(items: Named[], box: Box, from: number, to: number, unit: string | undefined): string {
    if (items.length === 0) return noData(box);
    const legendH = 16 * Math.ceil(items.length / 2);
    const plot: Box = { x: box.x + 64, y: box.y + 4, w: box.w - 70, h: box.h - legendH - 24 };
    const values = items.flatMap((i) => i.series.points.map((p) => p[1]));
    let lo = Math.min(0, ...values);
    let hi = Math.max(...values);
    // Threshold lines of the series shown, when they fall near the data (Grafana does not stretch the axis for them).
    const lines = items.flatMap((i) =>
        (i.config.steps ?? []).filter((s) => s.value !== null).map((s) => ({ value: s.value as number, color: colour(s.color) })),
    );
    for (const l of lines) if (l.value <= hi * 1.5) hi = Math.max(hi, l.value);
    if (hi === lo) hi = lo + 1;
    hi += (hi - lo) * 0.08;
    lo = lo < 0 ? lo - (hi - lo) * 0.05 : lo;
    const x = (t: number) => plot.x + ((t - from) / (to - from)) * plot.w;
    const y = (v: number) => plot.y + plot.h - ((v - lo) / (hi - lo)) * plot.h;
    const parts: string[] = [];
    for (let k = 0; k <= 4; k++) {
        const v = lo + ((hi - lo) * k) / 4;
        parts.push(`<line x1="${plot.x}" x2="${plot.x + plot.w}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${THEME.grid}"/>`);
        parts.push(text(plot.x - 6, y(v) + 4, formatValue(v, unit), { size: 10, fill: THEME.weak, anchor: "end" }));
    }
    for (const t of timeTicks(from, to, 6)) {
        parts.push(text(x(t), plot.y + plot.h + 14, clock(t, to - from), { size: 10, fill: THEME.weak, anchor: "middle" }));
    }
    for (const l of lines) {
        if (l.value < lo || l.value > hi) continue;
        parts.push(
            `<line x1="${plot.x}" x2="${plot.x + plot.w}" y1="${y(l.value).toFixed(1)}" y2="${y(l.value).toFixed(1)}" stroke="${l.color}" stroke-dasharray="6 4"/>`,
        );
    }
    items.forEach((item, i) => {
        const c = PALETTE[i % PALETTE.length];
        const pts = item.series.points.filter(([t]) => t >= from && t <= to);
        if (pts.length === 1) parts.push(`<circle cx="${x(pts[0][0]).toFixed(1)}" cy="${y(pts[0][1]).toFixed(1)}" r="2.5" fill="${c}"/>`);
        else
            parts.push(
                `<polyline fill="none" stroke="${c}" stroke-width="1.5" points="${pts.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" ")}"/>`,
            );
        const lx = box.x + 8 + (i % 2) * (box.w / 2);
        const ly = plot.y + plot.h + 30 + Math.floor(i / 2) * 16;
        parts.push(`<rect x="${lx}" y="${ly - 8}" width="12" height="3" fill="${c}"/>`);
        parts.push(text(lx + 18, ly - 2, fit(item.name, box.w / 2 - 30, 11), { size: 11 }));
    });
    return parts.join("");
}

function drawStateTimeline(items: Named[], box: Box, from: number, to: number): string {
    if (items.length === 0) return noData(box);
    const labelW = Math.max(...items.map((i) => textWidth(i.name, 11))) + 12;
    const plot: Box = { x: box.x + labelW, y: box.y + 4, w: box.w - labelW - 4, h: box.h - 24 };
    const laneH = Math.min(40, plot.h / items.length);
    const x = (t: number) => plot.x + ((Math.min(Math.max(t, from), to) - from) / (to - from)) * plot.w;
    const parts: string[] = [];
    items.forEach((item, i) => {
        const ly = plot.y + i * laneH;
        parts.push(text(box.x, ly + laneH / 2 + 4, item.name, { size: 11 }));
        // One span per run of equal values, from its first point to the next change (or the end).
        const spans: Array<{ from: number; to: number; value: number }> = [];
        for (const [t, v] of item.series.points) {
            const last = spans[spans.length - 1];
            if (last && last.value === v) last.to = t;
            else {
                if (last) last.to = t;
                spans.push({ from: t, to: t, value: v });
            }
        }
        if (spans.length > 0) spans[spans.length - 1].to = Math.max(spans[spans.length - 1].to, Math.min(to, spans[spans.length - 1].to + 60));
        for (const span of spans) {
            const look = valueLook(span.value, item.config);
            const x0 = x(span.from);
            const w = Math.max(1, x(span.to) - x0);
            parts.push(
                `<rect x="${x0.toFixed(1)}" y="${(ly + 2).toFixed(1)}" width="${w.toFixed(1)}" height="${(laneH - 4).toFixed(1)}" fill="${look.color}"/>`,
            );
            if (w > textWidth(look.text, 11) + 6) parts.push(text(x0 + 4, ly + laneH / 2 + 4, look.text, { size: 11, fill: "#ffffff" }));
        }
    });
    for (const t of timeTicks(from, to, 6)) {
        parts.push(text(x(t), plot.y + items.length * laneH + 14, clock(t, to - from), { size: 10, fill: THEME.weak, anchor: "middle" }));
    }
    return parts.join("");
}

interface Organize {
    excludeByName?: Record<string, boolean>;
    indexByName?: Record<string, number>;
    renameByName?: Record<string, string>;
}

function drawTable(panel: Panel, results: PanelResults, box: Box): string {
    const rows = Object.values(results).flat();
    if (rows.length === 0) return noData(box);
    const organize = (panel.transformations ?? []).find((t) => t.id === "organize")?.options as Organize | undefined;
    const names = [...new Set(rows.flatMap((r) => Object.keys(r.labels))), "Value"].filter((n) => !organize?.excludeByName?.[n]);
    const index = organize?.indexByName ?? {};
    names.sort((a, b) => (index[a] ?? 99) - (index[b] ?? 99));
    const colW = box.w / names.length;
    const rowH = 22;
    const parts: string[] = [];
    names.forEach((n, c) =>
        parts.push(text(box.x + c * colW + 6, box.y + 14, organize?.renameByName?.[n] ?? n, { size: 11, fill: THEME.weak, weight: "bold" })),
    );
    parts.push(`<line x1="${box.x}" x2="${box.x + box.w}" y1="${box.y + 20}" y2="${box.y + 20}" stroke="${THEME.border}"/>`);
    rows.forEach((row, r) => {
        const y = box.y + 20 + (r + 1) * rowH - 6;
        if (y > box.y + box.h) return;
        names.forEach((n, c) => {
            const value =
                n === "Value" ? formatValue(row.points[row.points.length - 1]?.[1] ?? NaN, fieldConfigFor(panel, "Value").unit) : (row.labels[n] ?? "");
            parts.push(text(box.x + c * colW + 6, y, fit(value, colW - 10, 12), { size: 12 }));
        });
    });
    return parts.join("");
}

/** The dashboard as an SVG document. */
export function dashboardSvg(input: PictureInput): string {
    const width = input.width ?? 1400;
    const unit = (width - GAP) / 24;
    const header = 44;
    const all = input.board.panels ?? [];
    const bottom = Math.max(...all.map((p) => (p.gridPos?.y ?? 0) + (p.gridPos?.h ?? 0)));
    const height = header + bottom * ROW_PX + GAP;
    const vars = (s: string) => s.replace(/\$([A-Za-z_]+)/g, (m, name: string) => input.variables[name] ?? m);
    const parts: string[] = [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, sans-serif">`,
        `<rect width="${width}" height="${height}" fill="${THEME.background}"/>`,
        text(GAP + 4, 28, input.board.title ?? "", { size: 18, weight: "bold" }),
        text(
            width - GAP - 4,
            28,
            `${Object.entries(input.variables)
                .map(([k, v]) => `${k} = ${v}`)
                .join("   ")}   ·   ${new Date(input.from * 1000).toISOString().slice(0, 16).replace("T", " ")} to ${new Date(input.to * 1000)
                .toISOString()
                .slice(11, 16)} UTC`,
            { size: 12, fill: THEME.weak, anchor: "end" },
        ),
    ];
    for (const p of all) {
        const g = p.gridPos ?? { x: 0, y: 0, w: 24, h: 8 };
        const box: Box = { x: GAP + g.x * unit, y: header + g.y * ROW_PX, w: g.w * unit - GAP, h: g.h * ROW_PX - GAP };
        if (p.type === "row") {
            parts.push(text(box.x + 4, box.y + 20, vars((p as RowPanel).title ?? ""), { size: 15, weight: "bold" }));
            continue;
        }
        const panel = p as Panel;
        const results = input.results[panel.id ?? -1] ?? {};
        const items = namedSeries(panel, results);
        parts.push(
            `<rect x="${box.x.toFixed(1)}" y="${box.y}" width="${box.w.toFixed(1)}" height="${box.h}" rx="3" fill="${THEME.panel}" stroke="${THEME.border}"/>`,
        );
        parts.push(text(box.x + 10, box.y + 20, fit(vars(panel.title ?? ""), box.w - 20, 13), { size: 13, weight: "bold" }));
        const inner: Box = { x: box.x + 10, y: box.y + 30, w: box.w - 20, h: box.h - 38 };
        switch (panel.type) {
            case "stat":
                parts.push(drawStat(panel, items, inner));
                break;
            case "bargauge":
                parts.push(drawBarGauge(panel, items, inner));
                break;
            case "timeseries":
                parts.push(drawTimeSeries(items, inner, input.from, input.to, panel.fieldConfig?.defaults.unit));
                break;
            case "state-timeline":
                parts.push(drawStateTimeline(items, inner, input.from, input.to));
                break;
            case "table":
                parts.push(drawTable(panel, results, inner));
                break;
            default:
                parts.push(noData(inner));
        }
    }
    parts.push("</svg>");
    return parts.join("\n");
}
