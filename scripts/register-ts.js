/**
 * Lets Node run this repository's TypeScript scripts without ts-node or tsx:
 *
 *   node --require ./scripts/register-ts.js scripts/plan.ts --stack prod
 *
 * Each `.ts` file is transpiled on require with the `typescript` package already in
 * devDependencies. Types are not checked here (`npm run typecheck` does that once, for the whole
 * project); transpiling file by file keeps the start fast.
 */
"use strict";

const fs = require("fs");
const ts = require("typescript");

/** CommonJS output so that `require` between the transpiled files keeps working. */
const compilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    sourceMap: false,
    inlineSourceMap: true,
};

require.extensions[".ts"] = function compileTypeScript(module, filename) {
    const source = fs.readFileSync(filename, "utf8");
    const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename, reportDiagnostics: false });
    module._compile(outputText, filename);
};
