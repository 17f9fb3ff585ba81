/**
 * `npm test` gives the same result whatever else is installed.
 *
 * policy/ is its own npm project (the Pulumi CLI runs the policy pack from that folder), so after
 * `npm ci --prefix policy` a second copy of @pulumi/policy and @pulumi/pulumi sits in
 * policy/node_modules. Without the moduleNameMapper of jest.config.js, policy/rules.ts loaded that
 * copy while the tests loaded the root's: two `Secret` classes, and `instanceof` failed.
 *
 * This builds the same situation in a temporary folder (a module beside its own, different copy of
 * @pulumi/policy) and checks that the module still gets the root's copy.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Secret } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";

const ROOT = path.resolve(__dirname, "..");

let tmp: string;

beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "platform-backups-install-state-"));
    for (const name of ["policy", "pulumi"]) {
        const dir = path.join(tmp, "node_modules", "@pulumi", name);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: `@pulumi/${name}`, version: "0.0.0-stray", main: "index.js" }));
        fs.writeFileSync(path.join(dir, "index.js"), `exports.Secret = class Secret {};\nexports.stray = true;\n`);
    }
    fs.writeFileSync(
        path.join(tmp, "probe.js"),
        `module.exports = { policy: require("@pulumi/policy"), pulumi: require("@pulumi/pulumi"), where: require.resolve("@pulumi/policy") };\n`,
    );
});

afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("a module with its own node_modules/@pulumi copies (as policy/ after `npm ci --prefix policy`)", () => {
    it("the stray copy is really there, so Node alone would load it", () => {
        const nodeResolved = require("child_process")
            .execFileSync(process.execPath, ["-p", `require.resolve("@pulumi/policy")`], { cwd: tmp, encoding: "utf8" })
            .trim();
        expect(nodeResolved).toBe(path.join(tmp, "node_modules", "@pulumi", "policy", "index.js"));
    });

    it("still gets the root's @pulumi/policy and @pulumi/pulumi under jest", () => {
        const probe = require(path.join(tmp, "probe.js"));
        expect(probe.policy.stray).toBeUndefined();
        expect(probe.policy.Secret).toBe(Secret);
        expect(probe.pulumi).toBe(pulumi);
        expect(fs.realpathSync(probe.where)).toBe(fs.realpathSync(require.resolve(path.join(ROOT, "node_modules", "@pulumi", "policy"))));
    });

    it("so policy/rules.ts and the tests share one Secret class", () => {
        const rules = require(path.join(ROOT, "policy", "rules.ts"));
        expect(Object.keys(rules).length).toBeGreaterThan(0);
        expect(new Secret("x")).toBeInstanceOf(Secret);
        const viaPolicyFolder = require(require.resolve("@pulumi/policy", { paths: [path.join(ROOT, "policy")] }));
        expect(viaPolicyFolder.Secret).toBe(Secret);
    });
});
