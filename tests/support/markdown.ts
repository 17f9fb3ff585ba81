/**
 * Markdown headings as GitHub turns them into anchors, shared by the link checker
 * (tests/docsLinks.test.ts) and the runbook anchor test (tests/runbookAnchors.test.ts).
 * Slugs: lower case, punctuation dropped except `-` and `_`, spaces to `-`, and `-1`, `-2`, ...
 * for repeated headings.
 */

/** GitHub's anchor for a heading's text. */
export function githubSlug(heading: string): string {
    const text = heading
        .replace(/`/g, "")
        .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // a link in a heading keeps its text
        .replace(/<[^>]+>/g, "")
        .trim()
        .toLowerCase();
    return text.replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, "").replace(/ /g, "-");
}

/** The anchors a Markdown file offers: one per heading, repeated headings numbered. */
export function anchorsOf(markdown: string): Set<string> {
    const anchors = new Set<string>();
    const seen = new Map<string, number>();
    // Only fenced blocks are blanked here: inline code in a heading is part of its text (`apps[]`).
    for (const line of withoutFences(markdown).split("\n")) {
        const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
        if (!heading) continue;
        const slug = githubSlug(heading[1]);
        const count = seen.get(slug) ?? 0;
        seen.set(slug, count + 1);
        anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const [, name] of markdown.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(name);
    return anchors;
}

/** The text with fenced code blocks blanked, line for line. */
export function withoutFences(markdown: string): string {
    return markdown.replace(/^ {0,3}(```|~~~)[^\n]*\n[\s\S]*?^ {0,3}\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, " "));
}

/** The text with fenced code blocks and inline code blanked (links there are examples, not links). */
export function withoutCode(markdown: string): string {
    return withoutFences(markdown).replace(/`[^`\n]*`/g, (code) => " ".repeat(code.length));
}
