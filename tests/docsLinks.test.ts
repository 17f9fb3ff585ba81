/**
 * No dead relative link or anchor in any tracked Markdown file (a README once linked
 * to pages that did not exist). Anchors follow GitHub's heading slugs: lower case, punctuation
 * dropped except `-` and `_`, spaces to `-`, and `-1`, `-2`, ... for repeated headings.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { anchorsOf, githubSlug, withoutCode } from "./support/markdown";

const ROOT = path.resolve(__dirname, "..");
const SKIPPED = /(^|\/)(node_modules|\.tools|dist)\//;

/** Link targets: inline `[text](target)`, images, and reference definitions `[label]: target`. */
function targetsOf(markdown: string): string[] {
    const text = withoutCode(markdown);
    const inline = [...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
    const references = [...text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]);
    return [...inline, ...references];
}

/** Every dead relative link or anchor in the Markdown files, as `file: target (why)`. */
export function deadLinks(root: string, files: readonly string[]): string[] {
    const dead: string[] = [];
    const anchorCache = new Map<string, Set<string>>();
    const anchors = (file: string) => {
        if (!anchorCache.has(file)) anchorCache.set(file, anchorsOf(fs.readFileSync(file, "utf8")));
        return anchorCache.get(file) as Set<string>;
    };
    for (const file of files) {
        const absolute = path.join(root, file);
        for (const target of targetsOf(fs.readFileSync(absolute, "utf8"))) {
            if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) continue; // absolute URL, mailto:
            const [rawPath, anchor] = target.split("#", 2);
            const linkPath = decodeURIComponent(rawPath);
            const resolved = linkPath === "" ? absolute : linkPath.startsWith("/") ? path.join(root, linkPath) : path.resolve(path.dirname(absolute), linkPath);
            if (!fs.existsSync(resolved)) {
                dead.push(`${file}: ${target} (no such file)`);
                continue;
            }
            if (anchor !== undefined && resolved.endsWith(".md") && !anchors(resolved).has(decodeURIComponent(anchor).toLowerCase())) {
                dead.push(`${file}: ${target} (no heading with anchor #${anchor})`);
            }
        }
    }
    return dead;
}

function trackedMarkdown(): string[] {
    return execFileSync("git", ["ls-files", "-z", "--", "*.md"], { cwd: ROOT, encoding: "utf8" })
        .split("\0")
        .filter((file) => file && !SKIPPED.test(file) && fs.existsSync(path.join(ROOT, file)));
}

describe("githubSlug", () => {
    it.each([
        ["Two commands", "two-commands"],
        ["Add, remove, restore", "add-remove-restore"],
        ["`npm run plan`: the picture", "npm-run-plan-the-picture"],
        ["Node 20 & 22 (why?)", "node-20--22-why"],
        ["apps[].requireLabels", "appsrequirelabels"],
        ["snake_case stays", "snake_case-stays"],
    ])("%s -> #%s", (heading, slug) => {
        expect(githubSlug(heading)).toBe(slug);
    });
});

describe("deadLinks (the checker itself)", () => {
    let tmp: string;
    beforeAll(() => {
        tmp = fs.mkdtempSync(path.join(require("os").tmpdir(), "platform-backups-links-"));
        fs.mkdirSync(path.join(tmp, "docs"));
        fs.writeFileSync(path.join(tmp, "docs", "a.md"), "# Page A\n\n## Setup\n\n## Setup\n\n### `apps[]`\n\n```\n## not a heading\n```\n");
        fs.writeFileSync(
            path.join(tmp, "README.md"),
            [
                "# Top",
                "[ok](docs/a.md) [ok](docs/a.md#setup) [ok](docs/a.md#setup-1) [ok](docs/a.md#apps) [ok](#top) [web](https://example.org/x#y)",
                "[in a fence](docs/a.md#not-a-heading)",
                "[gone](docs/missing.md) [bad anchor](docs/a.md#install) [bad local](#nowhere)",
                "`[in code](docs/nope.md)`",
                "```",
                "[in a block](docs/nope.md)",
                "```",
                "[ref]: docs/also-missing.md",
            ].join("\n"),
        );
    });
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("finds missing files and anchors, and only those", () => {
        expect(deadLinks(tmp, ["README.md", "docs/a.md"])).toEqual([
            "README.md: docs/a.md#not-a-heading (no heading with anchor #not-a-heading)",
            "README.md: docs/missing.md (no such file)",
            "README.md: docs/a.md#install (no heading with anchor #install)",
            "README.md: #nowhere (no heading with anchor #nowhere)",
            "README.md: docs/also-missing.md (no such file)",
        ]);
    });
});

test("no tracked Markdown file has a dead relative link or anchor", () => {
    const files = trackedMarkdown();
    expect(files).toContain("README.md");
    expect(deadLinks(ROOT, files)).toEqual([]);
});
