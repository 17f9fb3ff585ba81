/**
 * The plan picture as a person sees it: rendered to PNG by a real SVG renderer (resvg, through
 * @resvg/resvg-js, a prebuilt binary from npm, no install script) with fonts shipped by npm
 * (dejavu-fonts-ttf), so the result does not depend on the fonts of the machine.
 *
 * Each label's box is measured by the renderer itself (the bounding box of that text alone), then
 * checked against the canvas, every bar, every legend swatch and every other label. The layout
 * places labels from `textWidth`; a test checks that estimate against the renderer too.
 */
import * as fs from "fs";
import * as path from "path";
import { Resvg, ResvgRenderOptions } from "@resvg/resvg-js";
import { loadStackFile } from "../components/config";
import { planSvg, textWidth } from "../components/planView";
import { GroupWindow, planSchedules, ScheduleRequest } from "../components/schedule";

const ROOT = path.resolve(__dirname, "..");
const FONTS = path.join(ROOT, "node_modules", "dejavu-fonts-ttf", "ttf");
const RENDER: ResvgRenderOptions = {
    font: {
        loadSystemFonts: false,
        fontFiles: [path.join(FONTS, "DejaVuSans.ttf"), path.join(FONTS, "DejaVuSans-Bold.ttf")],
        defaultFontFamily: "DejaVu Sans",
        sansSerifFamily: "DejaVu Sans",
    },
    logLevel: "off",
};

interface Box {
    what: string;
    x: number;
    y: number;
    width: number;
    height: number;
}

interface TextElement {
    source: string;
    content: string;
    x: number;
    y: number;
    size: number;
    anchor: string;
}

function attribute(attributes: string, name: string): string | undefined {
    return new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(attributes)?.[1];
}

function unescapeXml(text: string): string {
    return text
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&amp;/g, "&");
}

function rootOf(svg: string): { open: string; width: number; height: number; fontSize: number } {
    const open = /<svg [^>]*>/.exec(svg)?.[0] ?? "";
    return { open, width: Number(attribute(open, "width")), height: Number(attribute(open, "height")), fontSize: Number(attribute(open, "font-size")) };
}

function textsOf(svg: string): TextElement[] {
    const { fontSize } = rootOf(svg);
    return [...svg.matchAll(/<text ([^>]*)>([^<]*)<\/text>/g)].map(([source, attributes, content]) => ({
        source,
        content: unescapeXml(content),
        x: Number(attribute(attributes, "x")),
        y: Number(attribute(attributes, "y")),
        size: Number(attribute(attributes, "font-size") ?? fontSize),
        anchor: attribute(attributes, "text-anchor") ?? "start",
    }));
}

function rectsOf(svg: string, cls: string): Box[] {
    return [...svg.matchAll(new RegExp(`<rect class="${cls}" ([^>]*)>`, "g"))].map(([, attributes]) => ({
        what: `${cls} at ${attribute(attributes, "x")},${attribute(attributes, "y")}`,
        x: Number(attribute(attributes, "x")),
        y: Number(attribute(attributes, "y")),
        width: Number(attribute(attributes, "width")),
        height: Number(attribute(attributes, "height")),
    }));
}

/** The box the renderer draws one text element in: the element alone, in the document's root. */
function measured(svg: string, element: TextElement): Box {
    const alone = `${rootOf(svg).open}${element.source}</svg>`;
    const box = new Resvg(alone, RENDER).getBBox();
    if (!box) throw new Error(`the renderer drew nothing for ${element.source} (fonts not loaded?)`);
    return { what: `"${element.content}"`, x: box.x, y: box.y, width: box.width, height: box.height };
}

/** Half the width of the halo stroke drawn around every label (the renderer counts it in the box). */
const HALO = 1.5;

/** The box the layout reserves for a text element: its estimated advance width, ascent and descent, and the halo. */
function estimated(element: TextElement): Box {
    const width = textWidth(element.content, element.size);
    const left = element.anchor === "end" ? element.x - width : element.anchor === "middle" ? element.x - width / 2 : element.x;
    return {
        what: `"${element.content}"`,
        x: left - HALO,
        y: element.y - element.size - HALO,
        width: width + 2 * HALO,
        height: element.size * 1.25 + 2 * HALO,
    };
}

function intersect(a: Box, b: Box): boolean {
    return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Every problem a person would see: labels clipped by the canvas, or meeting a bar, a swatch or another label. */
function layoutProblems(svg: string): string[] {
    const { width, height } = rootOf(svg);
    const labels = textsOf(svg).map((t) => measured(svg, t));
    const shapes = [...rectsOf(svg, "bar"), ...rectsOf(svg, "swatch")];
    const problems: string[] = [];
    for (const label of labels) {
        if (label.x < 0 || label.y < 0 || label.x + label.width > width || label.y + label.height > height)
            problems.push(`${label.what} is clipped by the ${width}x${height} canvas`);
    }
    labels.forEach((label, i) => {
        for (const other of labels.slice(i + 1)) if (intersect(label, other)) problems.push(`${label.what} overlaps ${other.what}`);
        for (const shape of shapes) if (intersect(label, shape)) problems.push(`${label.what} overlaps ${shape.what}`);
    });
    return problems;
}

function pngSize(png: Buffer): { width: number; height: number } {
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.toString("ascii", 12, 16)).toBe("IHDR");
    return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function planOf(requests: ScheduleRequest[], windows: Record<string, GroupWindow>) {
    return planSchedules(requests, (group) => windows[group]).slots;
}

const prod = (() => {
    const { fleet } = loadStackFile(path.join(ROOT, "Pulumi.prod.yaml"));
    const hosts = new Map(fleet.apps.map((app) => [app.name, app.host]));
    // With the restore drills, as `npm run plan` draws them.
    return planSvg(fleet.plan.slots, fleet.plan.windows, { stack: "prod", hostOf: (app) => hosts.get(app), drills: fleet.plan.drills });
})();

/** Long names, a short window whose start and end labels meet, explicit and late runs, a group past midnight. */
const crowded = (() => {
    const windows: Record<string, GroupWindow> = {
        "storage-group-with-a-long-name": { start: 23 * 60 + 40, end: 30, maxConcurrent: 2 },
        tight: { start: 60, end: 70, maxConcurrent: 1 },
        open: { start: 120, maxConcurrent: 3 },
    };
    const requests: ScheduleRequest[] = [
        { app: "mattermost-enterprise-production", group: "storage-group-with-a-long-name", expectedDuration: 35 },
        { app: "n8n", group: "storage-group-with-a-long-name", expectedDuration: 20 },
        { app: "vault", group: "storage-group-with-a-long-name", expectedDuration: 30 },
        { app: "wiki", group: "tight", expectedDuration: 10 },
        { app: "forgejo", group: "tight", expectedDuration: 15 },
        { app: "pinned", group: "tight", expectedDuration: 5, explicitStart: 65 },
        { app: "gitlab", group: "open", expectedDuration: 90 },
        { app: "linkwarden", group: "open", expectedDuration: 10 },
        { app: "solidtime", group: "open", expectedDuration: 10 },
        { app: "WWWWWWWWWWWW", group: "open", expectedDuration: 1 },
    ];
    const hosts: Record<string, string> = { gitlab: "platform-one-vm3-with-a-long-hostname.internal" };
    return planSvg(planOf(requests, windows), windows, {
        stack: "staging-eu-west",
        timezone: "America/Argentina/Buenos_Aires",
        hostOf: (app) => hosts[app] ?? "vm1",
    });
})();

describe("the plan picture, rendered by resvg", () => {
    it.each([
        ["prod", prod],
        ["a crowded plan", crowded],
    ])("%s renders to a PNG of the SVG's size, about a screen wide", (_, svg) => {
        const { width, height } = rootOf(svg);
        const png = new Resvg(svg, RENDER).render().asPng();
        expect(pngSize(png)).toEqual({ width, height });
        expect(width).toBeGreaterThanOrEqual(1000);
        expect(width).toBeLessThanOrEqual(1600);
        expect(height).toBeGreaterThan(200);
        expect(height).toBeLessThan(width);
        if (process.env.PLAN_PNG_DIR) fs.writeFileSync(path.join(process.env.PLAN_PNG_DIR, `${_.replace(/\W+/g, "-")}.png`), png);
    });

    it.each([
        ["prod", prod],
        ["a crowded plan", crowded],
    ])("%s: no label is clipped or meets a bar, a legend swatch or another label", (_, svg) => {
        expect(textsOf(svg).length).toBeGreaterThan(20);
        expect(layoutProblems(svg)).toEqual([]);
    });

    it("the checker sees a label that runs into a bar, and one cut off by the edge", () => {
        const broken = prod.replace(/(<text class="times" )x="[\d.]+"/, '$1x="300"').replace(/(<text class="title" )x="[\d.]+"/, '$1x="1150"');
        const problems = layoutProblems(broken);
        expect(problems.some((p) => /^"\d\d:\d\d–\d\d:\d\d" overlaps bar/.test(p))).toBe(true);
        expect(problems.some((p) => /^"Backup plan: stack prod" is clipped/.test(p))).toBe(true);
    });

    it("the layout's width estimate holds every label as the renderer draws it", () => {
        for (const svg of [prod, crowded]) {
            for (const element of textsOf(svg)) {
                const real = measured(svg, element);
                const reserved = estimated(element);
                expect([element.content, real.x >= reserved.x - 0.5 && real.x + real.width <= reserved.x + reserved.width + 0.5]).toEqual([
                    element.content,
                    true,
                ]);
            }
        }
    });

    it("the width estimate covers every printable ASCII character in both faces", () => {
        for (let code = 33; code < 127; code++) {
            const char = String.fromCharCode(code).repeat(10);
            for (const weight of ["normal", "bold"]) {
                const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="40" font-family="DejaVu Sans" font-size="20"><text x="0" y="30" font-weight="${weight}">|${char.replace(/&/g, "&amp;").replace(/</g, "&lt;")}|</text></svg>`;
                const box = new Resvg(svg, RENDER).getBBox();
                // The bars' outer edges are at most the text's advance width apart.
                expect([char[0], weight, (box?.width ?? Infinity) <= textWidth(`|${char}|`, 20) + 0.5]).toEqual([char[0], weight, true]);
            }
        }
    });
});
