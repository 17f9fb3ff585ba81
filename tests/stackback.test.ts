import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    caWritingCommand,
    CHECK_STARTED_MARKER,
    DockerAccess,
    dockerAccessProblems,
    imageProblems,
    keepPolicyForRetention,
    NO_LABELS_LINE,
    repositoryCheckCommand,
    repositoryCheckShell,
    RepositoryCheckOptions,
    SIDECAR_DOCKER_SOCKET,
    sidecarEnv,
    switchProblem,
    SWITCHES_ON_WHEN_SET,
    SWITCHES_ON_WHEN_TRUE,
} from "../components/stackback";
import { DEFAULT_OPTIONS, runCheck } from "./support/checkRun";

const shells = ["sh", ...(fs.existsSync("/usr/bin/busybox") || fs.existsSync("/bin/busybox") ? ["busybox sh"] : [])];

describe.each(shells)("the deploy-time check, its script run by %s inside the stand-in sidecar", (innerSh) => {
    const run = (fake: Parameters<typeof runCheck>[0], options?: Partial<RepositoryCheckOptions>, access?: DockerAccess) =>
        runCheck({ ...fake, innerSh }, options, access);

    test("fine: the repository opens, rcb status runs, nothing is initialised", () => {
        const r = run({});
        expect(r.status).toBe(0);
        expect(r.calls.filter((c) => !c.startsWith("docker"))).toEqual(["restic cat config", "rcb status --log-level info"]);
        expect(r.output).toContain("platform-backups check passed");
        expect(r.output).toContain("service: db");
    });

    test("no repository (restic exit 10): it is initialised, then stack-back's check runs", () => {
        const r = run({ restic: "none" });
        expect(r.status).toBe(0);
        expect(r.calls.filter((c) => !c.startsWith("docker"))).toEqual(["restic cat config", "restic init", "rcb status --log-level info"]);
        expect(r.output).toContain("initialising");
    });

    test("wrong password (restic exit 12): fails with exit 12, says so, never initialises", () => {
        const r = run({ restic: "password" });
        expect(r.status).toBe(12);
        expect(r.calls).not.toContain("restic init");
        expect(r.output).toMatch(/wrong password: a restic repository exists/);
        // restic's own words are passed on, not only ours.
        expect(r.output).toContain("Fatal: wrong password or no key found");
        expect(r.output).toMatch(/never rotate/);
    });

    test("untrusted certificate: fails with restic's words and names the CA settings", () => {
        const r = run({ restic: "x509" });
        expect(r.status).toBe(1);
        expect(r.output).toContain("x509: certificate signed by unknown authority");
        expect(r.output).toMatch(/not trusted.*minio\.caCert/);
        expect(r.calls).not.toContain("rcb status --log-level info");
    });

    test("a restic call that hangs is stopped at the bound and the message lists the likely causes", () => {
        const r = run({ restic: "hang" }, { timeoutSeconds: 2 });
        expect(r.status).toBe(124);
        expect(r.output).toMatch(/did not finish within 2 seconds/);
        expect(r.output).toMatch(/unreachable/);
        expect(r.output).toMatch(/certificate is not trusted/);
        expect(r.output).toMatch(/access key/);
        expect(r.seconds).toBeLessThan(15);
    });

    test("stack-back cannot reach Docker: fails with its traceback and says where the socket belongs", () => {
        const r = run({ rcb: "dockerdown" });
        expect(r.status).toBe(1);
        expect(r.output).toContain("Error while fetching server API version");
        expect(r.output).toContain(SIDECAR_DOCKER_SOCKET);
    });

    test("nothing labelled: fails and says how to label a service, unless labels are not required", () => {
        const strict = run({ rcb: "nolabels" });
        expect(strict.status).toBe(1);
        expect(strict.output).toContain(NO_LABELS_LINE);
        expect(strict.output).toContain("stack-back.volumes=true");
        expect(strict.output).toContain("requireLabels: false");
        const lenient = run({ rcb: "nolabels" }, { requireLabels: false });
        expect(lenient.status).toBe(0);
        expect(lenient.output).toMatch(/warning: nothing of Compose project 'n8n' is labelled/);
    });

    test("an ERROR line from rcb status fails the check although rcb exits 0", () => {
        const r = run({ rcb: "dberror" });
        expect(r.status).toBe(1);
        expect(r.output).toContain("cannot be reached");
    });

    test("an image without rcb (exit 127): fails, with the exit code in the message", () => {
        const r = run({ rcb: "missing" });
        expect(r.status).toBe(1);
        expect(r.output).toContain("rcb: not found");
        expect(r.output).toMatch(/rcb status\) exited with code 127/);
        expect(r.output).not.toContain("platform-backups check passed");
    });

    test("rcb status that exits non-zero after WARNING lines only: fails, with its exit code", () => {
        const r = run({ rcb: "warnexit" });
        expect(r.status).toBe(1);
        expect(r.output).toMatch(/rcb status\) exited with code 2/);
        expect(r.output).not.toContain("platform-backups check passed");
    });

    test("a labelled app that bind-mounts docker.sock passes: its volume line is not a Docker failure", () => {
        const r = run({ rcb: "socketmount" });
        expect(r.output).not.toContain("cannot use the Docker API");
        expect(r.status).toBe(0);
        expect(r.output).toContain("platform-backups check passed");
    });
});

describe("how the check reaches the host", () => {
    test("the runner cannot reach Docker: the message says the check did not start, not a restic error", () => {
        const r = runCheck({ dockerDown: true });
        expect(r.status).toBe(1);
        expect(r.output).toContain("Cannot connect to the Docker daemon");
        expect(r.output).toMatch(/could not run the deploy-time check in container n8n_stackback on unix:\/\/\/var\/run\/docker\.sock/);
        expect(r.output).not.toContain(CHECK_STARTED_MARKER);
    });

    test("unix:// and ssh:// without sshOpts: docker exec with DOCKER_HOST in the environment", () => {
        for (const dockerHost of ["unix:///var/run/docker.sock", "ssh://deploy@vm1.test"]) {
            const { create, environment } = repositoryCheckCommand(DEFAULT_OPTIONS, { dockerHost });
            expect(environment).toEqual({ DOCKER_HOST: dockerHost });
            expect(create).toContain("| docker exec -i n8n_stackback sh -s 2>&1");
        }
    });

    test("ssh:// with sshOpts: the same ssh call as the provider's connection helper, opts first", () => {
        const access = { dockerHost: "ssh://deploy@vm1.test:2222", sshOpts: ["-i", "/keys/id ed", "-o", "StrictHostKeyChecking=yes"] };
        const { environment } = repositoryCheckCommand(DEFAULT_OPTIONS, access);
        expect(environment).toEqual({});
        const r = runCheck({}, {}, access);
        expect(r.status).toBe(0);
        expect(r.calls[0]).toBe("ssh -i /keys/id ed -o StrictHostKeyChecking=yes -l deploy -p 2222 -- vm1.test docker exec -i n8n_stackback sh -s");
    });

    test("tcp:// needs TLS files, which go to docker as --tlsverify flags; tcp:// without them is refused", () => {
        const tls = { caFile: "/etc/pb/ca.pem", certFile: "/etc/pb/cert.pem", keyFile: "/etc/pb/key.pem" };
        const r = runCheck({}, {}, { dockerHost: "tcp://vm1.test:2376", tls });
        expect(r.status).toBe(0);
        expect(r.calls[0]).toBe(
            "docker --tlsverify --tlscacert /etc/pb/ca.pem --tlscert /etc/pb/cert.pem --tlskey /etc/pb/key.pem exec -i n8n_stackback sh -s",
        );
        expect(dockerAccessProblems({ dockerHost: "tcp://vm1.test:2376" })[0]).toMatch(/plain TCP/);
        expect(() => repositoryCheckCommand(DEFAULT_OPTIONS, { dockerHost: "tcp://vm1.test:2376" })).toThrow(/tls/);
        expect(dockerAccessProblems({ dockerHost: "unix:///var/run/docker.sock", sshOpts: ["-p", "22"] })[0]).toMatch(/not ssh/);
        expect(dockerAccessProblems({ dockerHost: "ssh://deploy@vm1", tls })[0]).toMatch(/only for tcp/);
    });

    const shellcheck = ["/usr/bin/shellcheck", "/usr/local/bin/shellcheck"].find((p) => fs.existsSync(p));
    (shellcheck ? test : test.skip)("shellcheck -s sh finds nothing in the command or the script", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pb-sc-"));
        const access = { dockerHost: "tcp://vm1:2376", tls: { caFile: "/a", certFile: "/b", keyFile: "/c" } };
        fs.writeFileSync(path.join(dir, "outer.sh"), repositoryCheckCommand(DEFAULT_OPTIONS, access).create);
        fs.writeFileSync(path.join(dir, "inner.sh"), repositoryCheckShell(DEFAULT_OPTIONS));
        const out = spawnSync(shellcheck as string, ["-s", "sh", path.join(dir, "outer.sh"), path.join(dir, "inner.sh")], { encoding: "utf8" });
        fs.rmSync(dir, { recursive: true, force: true });
        expect(out.stdout).toBe("");
        expect(out.status).toBe(0);
    });
});

describe("stack-back v1.5.4 facts the sidecar depends on", () => {
    test("utils.py docker_client: the sidecar's DOCKER_HOST names the path the socket is mounted at", () => {
        const env = sidecarEnv({
            repository: "s3:https://m:9000/b",
            resticPassword: "p",
            accessKeyId: "k",
            secretAccessKey: "s",
            schedule: "0 2 * * *",
            keep: keepPolicyForRetention(30),
        });
        expect(env.find((e) => e.name === "DOCKER_HOST")?.value).toBe("unix:///tmp/docker.sock");
        expect(SIDECAR_DOCKER_SOCKET).toBe("/tmp/docker.sock");
    });

    test("config.py / utils.py is_true: two kinds of switches", () => {
        expect(SWITCHES_ON_WHEN_SET).toEqual(["SWARM_MODE", "INCLUDE_ALL_COMPOSE_PROJECTS"]);
        expect(switchProblem("SWARM_MODE", "false")).toMatch(/turns the switch ON/);
        expect(switchProblem("INCLUDE_ALL_COMPOSE_PROJECTS", "0")).toMatch(/ON/);
        expect(switchProblem("SWARM_MODE", "true")).toBeUndefined();
        for (const name of SWITCHES_ON_WHEN_TRUE) {
            expect(switchProblem(name, "false")).toBeUndefined();
            expect(switchProblem(name, "true")).toBeUndefined();
            expect(switchProblem(name, "1")).toBeUndefined();
            expect(switchProblem(name, "yes")).toMatch(/silently means OFF/);
            expect(switchProblem(name, "on")).toMatch(/silently means OFF/);
        }
        expect(switchProblem("LOG_LEVEL", "false")).toBeUndefined();
    });

    test("a CA given as PEM is written to a file before the original start command runs", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pb-ca-"));
        const file = path.join(dir, "sub", "ca.pem");
        const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
        const [cmd, flag, script] = caWritingCommand(file, "cat " + file);
        const out = execFileSync(cmd, [flag, script], { env: { PATH: process.env.PATH, PLATFORM_BACKUPS_CA_PEM: pem }, encoding: "utf8" });
        fs.rmSync(dir, { recursive: true, force: true });
        expect(out).toBe(`${pem}\n`);
    });
});

describe("sidecar settings", () => {
    test("retention becomes restic's keep policy, with no yearly default of 3 left behind", () => {
        expect(keepPolicyForRetention(30)).toEqual({ daily: 30, weekly: 5, monthly: 1, yearly: 0 });
        expect(keepPolicyForRetention(7)).toEqual({ daily: 7, weekly: 1, monthly: 0, yearly: 0 });
        expect(keepPolicyForRetention(400)).toEqual({ daily: 400, weekly: 58, monthly: 13, yearly: 1 });
    });

    test("the environment uses stack-back's variable names and marks secrets", () => {
        const env = sidecarEnv({
            repository: "s3:https://m:9000/b",
            resticPassword: "p",
            accessKeyId: "k",
            secretAccessKey: "s",
            schedule: "0 2 * * *",
            keep: keepPolicyForRetention(30),
        });
        expect(env.map((e) => e.name)).toEqual([
            "RESTIC_REPOSITORY",
            "RESTIC_PASSWORD",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "CRON_SCHEDULE",
            "RESTIC_KEEP_DAILY",
            "RESTIC_KEEP_WEEKLY",
            "RESTIC_KEEP_MONTHLY",
            "RESTIC_KEEP_YEARLY",
            "DOCKER_HOST",
        ]);
        expect(env.filter((e) => e.secret).map((e) => e.name)).toEqual(["RESTIC_PASSWORD", "AWS_SECRET_ACCESS_KEY"]);
    });

    test("images must be pinned", () => {
        expect(imageProblems("ghcr.io/lawndoc/stack-back:v1.5.4")).toEqual([]);
        expect(imageProblems("registry.local:5000/stack-back@sha256:abc")).toEqual([]);
        expect(imageProblems("ghcr.io/lawndoc/stack-back:latest")[0]).toMatch(/latest/);
        expect(imageProblems("registry.local:5000/stack-back")[0]).toMatch(/no tag/);
    });
});
