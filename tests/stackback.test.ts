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
    SIDECAR_DOCKER_HOST,
    SIDECAR_DOCKER_SOCKET,
    sidecarEnv,
    switchProblem,
    SWITCHES_ON_WHEN_SET,
    SWITCHES_ON_WHEN_TRUE,
} from "../components/stackback";

/*
 * The deploy-time check runs under a real `sh` against stand-ins on PATH that answer the way
 * their originals do: `docker` (reachable or not; `exec -i <c> sh -s` runs the script here),
 * `restic` (0.18 exit codes: 10 no repository, 12 wrong password) and `rcb status` (stack-back
 * v1.5.4's log lines). The script is also run under busybox sh, the sidecar's shell, where present.
 */
const STANDINS = {
    docker: `#!/bin/sh
echo "docker $*" >> "$FAKE_DIR/calls"
if [ -n "\${FAKE_DOCKER_DOWN:-}" ]; then
  echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2
  exit 1
fi
while [ "$1" != exec ]; do shift; done
shift; [ "$1" = -i ] && shift; shift
shift
exec $FAKE_INNER_SH "$@"
`,
    ssh: `#!/bin/sh
echo "ssh $*" >> "$FAKE_DIR/calls"
while [ "$1" != -- ]; do shift; done
shift 2
exec sh -c "$*"
`,
    restic: `#!/bin/sh
echo "restic $*" >> "$FAKE_DIR/calls"
case "$1" in
  cat)
    [ -f "$FAKE_DIR/initialised" ] && exit 0
    case "$FAKE_RESTIC" in
      ok) exit 0 ;;
      none) echo "Fatal: repository does not exist: unable to open config file: Stat: The specified key does not exist." >&2; exit 10 ;;
      password) echo "Fatal: wrong password or no key found" >&2; exit 12 ;;
      hang) exec sleep 30 ;;
      slow) sleep "$FAKE_SLOW_CAT"; exit 0 ;;
      x509) echo 'Fatal: unable to open config file: Stat: Get "https://minio.test:9000/b/?location=": tls: failed to verify certificate: x509: certificate signed by unknown authority' >&2; exit 1 ;;
      *) echo "Fatal: unexpected" >&2; exit 1 ;;
    esac ;;
  init) touch "$FAKE_DIR/initialised"; echo "created restic repository 5a1b at $RESTIC_REPOSITORY"; exit 0 ;;
esac
exit 0
`,
    rcb: `#!/bin/sh
echo "rcb $*" >> "$FAKE_DIR/calls"
# An image without rcb: what sh says for a missing command, and its exit code.
if [ "$FAKE_RCB" = missing ]; then echo "sh: rcb: not found" >&2; exit 127; fi
[ "$FAKE_RCB" = slow ] && sleep "$FAKE_SLOW_RCB"
log() { echo "2026-01-01 02:00:00,000 - $1: $2"; }
log INFO "Status for compose project 'n8n'"
log INFO "Checking docker availability"
case "$FAKE_RCB" in
  warnexit) log WARNING "Repository lock is stale"; exit 2 ;;
  # A labelled service that bind-mounts the host's socket (a Portainer or Traefik), as cli.py status lists it.
  socketmount) log INFO "service: portainer"; log INFO " - volume: /var/run/docker.sock -> /volumes/portainer/var/run/docker.sock" ;;
  dockerdown)
    echo "Traceback (most recent call last):" >&2
    echo "docker.errors.DockerException: Error while fetching server API version: ('Connection aborted.', FileNotFoundError(2, 'No such file or directory'))" >&2
    exit 1 ;;
  nolabels) log INFO "Contacting repository"; log INFO "No containers in the project has 'stack-back.*' label" ;;
  dberror) log INFO "service: db"; log ERROR "Database 'postgres' in service db cannot be reached" ;;
  *) log INFO "service: db"; log INFO " - volume: n8n_data -> /volumes/data" ;;
esac
exit 0
`,
};

interface CheckRun {
    status: number;
    calls: string[];
    output: string;
    seconds: number;
}

const DEFAULT_OPTIONS: RepositoryCheckOptions = { container: "n8n_stackback", timeoutSeconds: 10, requireLabels: true, composeProject: "n8n" };

function runCheck(
    fake: { restic?: string; rcb?: string; dockerDown?: boolean; innerSh?: string; env?: Record<string, string> },
    options: Partial<RepositoryCheckOptions> = {},
    access: DockerAccess = { dockerHost: "unix:///var/run/docker.sock" },
): CheckRun {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pb-check-"));
    for (const [name, text] of Object.entries(STANDINS)) fs.writeFileSync(path.join(dir, name), text, { mode: 0o755 });
    const { create, environment } = repositoryCheckCommand({ ...DEFAULT_OPTIONS, ...options }, access);
    const started = Date.now();
    const result = spawnSync("sh", ["-c", create], {
        env: {
            PATH: `${dir}:${process.env.PATH}`,
            ...environment,
            FAKE_DIR: dir,
            FAKE_RESTIC: fake.restic ?? "ok",
            FAKE_RCB: fake.rcb ?? "fine",
            FAKE_INNER_SH: fake.innerSh ?? "sh",
            ...(fake.dockerDown ? { FAKE_DOCKER_DOWN: "1" } : {}),
            ...fake.env,
            // What the sidecar's environment holds.
            RESTIC_REPOSITORY: "s3:https://minio.test:9000/restic-stackback-n8n-bucket",
            DOCKER_HOST_IN_SIDECAR: SIDECAR_DOCKER_HOST,
        },
        encoding: "utf8",
        timeout: 60_000,
    });
    const calls = fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n") : [];
    fs.rmSync(dir, { recursive: true, force: true });
    return { status: result.status ?? -1, calls, output: `${result.stdout}${result.stderr}`, seconds: (Date.now() - started) / 1000 };
}

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

test("each call has its own time bound: two calls under the bound pass although together they take longer", () => {
    // T = 6 s; restic takes 4 s, rcb status 5 s: each well under its bound, 9 s together. A bound
    // shared across calls (an earlier call's watchdog still counting) stops or flags the second.
    const r = runCheck({ restic: "slow", rcb: "slow", env: { FAKE_SLOW_CAT: "4", FAKE_SLOW_RCB: "5" } }, { timeoutSeconds: 6 });
    expect(r.output).not.toMatch(/did not finish within/);
    expect(r.status).toBe(0);
    expect(r.seconds).toBeGreaterThan(8.5);
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
