/**
 * The API reference (`npm run docs:api`: TypeDoc over components/index.ts with typedoc.json) builds
 * with no warning: every export of the public face, every field of its types and every output of
 * `AppBackup` has TSDoc, and every `{@link}` resolves. TypeDoc is an ES module and jest runs
 * CommonJS, so it runs as its CLI, with `--emit none` (the validation without the HTML). A second
 * run, on a copy in which an `AppBackupArgs` field and an output lost their comments, proves that
 * the first one would see exactly that. Slow tier: each run takes TypeDoc's type check.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const TYPEDOC = path.join(ROOT, "node_modules", "typedoc", "bin", "typedoc");

/** TypeDoc's verdict on the project in `dir`: its exit status and every warning or error it printed. */
function typedoc(dir: string): { status: number | null; problems: string[]; output: string } {
    const run = spawnSync(process.execPath, [TYPEDOC, "--emit", "none"], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    // eslint-disable-next-line no-control-regex
    const output = `${run.stdout}${run.stderr}`.replace(/\x1b\[[0-9;]*m/g, "");
    const problems = output
        .split("\n")
        .filter((line) => /^\[(warning|error)\]/.test(line))
        .filter((line) => !/Found \d+ errors? and \d+ warnings?/.test(line));
    return { status: run.status, problems, output };
}

/** `text` without the doc comment right above the first line that matches `declaration`. */
function withoutDocOf(text: string, declaration: RegExp): string {
    const lines = text.split("\n");
    const at = lines.findIndex((line) => declaration.test(line));
    if (at < 0 || !lines[at - 1].trim().endsWith("*/")) throw new Error(`no documented declaration ${declaration}`);
    let start = at - 1;
    while (!lines[start].trim().startsWith("/**")) start--;
    return [...lines.slice(0, start), ...lines.slice(at)].join("\n");
}

test("typedoc.json validates the public face: undocumented symbols and broken links are errors", () => {
    // JSON with comments, as TypeDoc reads it.
    const text = fs.readFileSync(path.join(ROOT, "typedoc.json"), "utf8").replace(/^\s*\/\/.*$/gm, "");
    const config = JSON.parse(text);
    expect(config.entryPoints).toEqual(["components/index.ts"]);
    expect(config.validation).toEqual({ notExported: true, invalidLink: true, notDocumented: true });
    expect(config.treatWarningsAsErrors).toBe(true);
});

test("the API reference builds with no warning: every export, field and output is documented", () => {
    const run = typedoc(ROOT);
    expect(run.problems).toEqual([]);
    // A failure without a warning line (TypeDoc itself failing) shows its whole output.
    expect({ status: run.status, output: run.output }).toEqual({ status: 0, output: run.output });
});

test("an AppBackupArgs field or an AppBackup output without its comment fails the reference", () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "api-reference-"));
    try {
        for (const file of ["typedoc.json", "tsconfig.json", "tsconfig.build.json", "package.json"])
            fs.copyFileSync(path.join(ROOT, file), path.join(copy, file));
        fs.cpSync(path.join(ROOT, "components"), path.join(copy, "components"), { recursive: true });
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"), "dir");
        const strip = (file: string, declaration: RegExp) => {
            const at = path.join(copy, "components", file);
            fs.writeFileSync(at, withoutDocOf(fs.readFileSync(at, "utf8"), declaration));
        };
        strip("appBackupArgs.ts", /^ {4}minioEndpoint: string;$/);
        strip("appBackup.ts", /^ {4}public readonly bucket: /);

        const run = typedoc(copy);
        expect(run.problems).toEqual([
            expect.stringMatching(/^\[warning\] AppBackup\.bucket \(Property\), defined in .*components\/appBackup\.ts, does not have any documentation$/),
            expect.stringMatching(
                /^\[warning\] AppBackupArgs\.minioEndpoint \(Property\), defined in .*components\/appBackupArgs\.ts, does not have any documentation$/,
            ),
        ]);
        expect(run.status).not.toBe(0);
    } finally {
        fs.rmSync(copy, { recursive: true, force: true });
    }
});
