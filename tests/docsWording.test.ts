/**
 * The docs, the code and its comments speak of the project, not of how or where they were
 * written: no ticket numbers ("issue #15", "(#13)"), no "this machine" or "the machines that
 * built this", no work sessions. An upstream project's issue is named with its repository
 * (`restic/restic#5324`), which says where to read it. The phrases are in WORDING below; this
 * file is the one place allowed to spell them.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");

/** Each pattern with what to write instead. */
const WORDING: { pattern: RegExp; instead: string }[] = [
    { pattern: /\bissues? #?\d+/i, instead: "say what changed or why, not which ticket asked for it" },
    { pattern: /(^|[\s(])#\d+\b/, instead: "no bare ticket number; an upstream issue is owner/repo#N" },
    { pattern: /\bthis machine\b/i, instead: '"the machine that runs Pulumi", "the host", "your machine"' },
    { pattern: /\bmachines? that (built|wrote|ran) (this|these|it)\b/i, instead: "name the check that backs the claim, or say none yet" },
    { pattern: /\b(this|last|previous|next|earlier|coding) session\b/i, instead: "describe the project, not the work on it" },
];

/** Tracked text files: docs, README, CHANGELOG, code and its comments, configs. */
function trackedTextFiles(): string[] {
    const skip = [/^package-lock\.json$/, /(^|\/)package-lock\.json$/, /^schema\//, /^tests\/fixtures\//, /^tests\/docsWording\.test\.ts$/];
    return execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" })
        .split("\0")
        .filter((f) => f && /\.(md|ts|js|mjs|sh|py|ya?ml|json|hcl|env)$|^\.ci\/run$/.test(f))
        .filter((f) => !skip.some((re) => re.test(f)))
        .filter((f) => fs.existsSync(path.join(ROOT, f)));
}

/** `file:line: "match" (instead)` for every line of `text` that speaks of how it was written. */
function wordingProblems(file: string, text: string): string[] {
    const found: string[] = [];
    text.split("\n").forEach((line, i) => {
        for (const { pattern, instead } of WORDING) {
            const m = pattern.exec(line);
            if (m) found.push(`${file}:${i + 1}: "${m[0].trim()}" (${instead})`);
        }
    });
    return found;
}

test("the check finds ticket numbers, machines and sessions, and lets upstream references and anchors pass", () => {
    const text = [
        "fixed in issue #15",
        "the README (#13) said",
        "measured on this machine",
        "no CLI on the machines that built this",
        "as decided in the last session",
        "restic/restic#5324 is fixed in 0.18.1",
        "see [the runbook](#resticcheckfailed) and `${#list[@]}`",
        "the SMTP session is encrypted; the machine that runs Pulumi needs ssh",
    ].join("\n");
    expect([...new Set(wordingProblems("x.md", text).map((p) => p.split(":")[1]))]).toEqual(["1", "2", "3", "4", "5"]);
});

test("no tracked doc, code comment or config speaks of how or where it was written", () => {
    const files = trackedTextFiles();
    expect(files).toEqual(expect.arrayContaining(["README.md", "CHANGELOG.md", "docs/library.md", "components/index.ts"]));
    const problems = files.flatMap((file) => wordingProblems(file, fs.readFileSync(path.join(ROOT, file), "utf8")));
    expect(problems).toEqual([]);
});
