// Loads the policy pack in the current directory the way the Pulumi CLI's policy host does
// (@pulumi/pulumi cmd/run-policy-pack/run.js: its tsutils picks `typescript` from the pack's
// node_modules, else its vendored 3.8.3; then ts-node with the pack's tsconfig), with the gRPC
// server stubbed out, and prints what it found as JSON. Used by policyPack.install.test.ts.
const path = require("path");
const cwd = process.cwd();
// Resolve modules as the CLI's policy host does: from inside the pack's own @pulumi/pulumi.
const hostRequire = require("module").createRequire(path.join(cwd, "node_modules/@pulumi/pulumi/cmd/run-policy-pack/run.js"));
const tsutils = hostRequire("../../tsutils");
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const ts = hostRequire(typescriptRequire);
const compilerOptions = tsutils.loadTypeScriptCompilerOptions("tsconfig.json");
hostRequire(tsnodeRequire).register({
    typeCheck: true,
    skipProject: false,
    compiler: typescriptRequire,
    compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...compilerOptions },
});
const served = [];
hostRequire("@pulumi/policy/server").serve = (name, version, level, args) => served.push({ name, policies: args.policies.length });
require(path.join(cwd, "index.ts"));
console.log(JSON.stringify({ typescriptRequire, tsVersion: ts.version, served }));
