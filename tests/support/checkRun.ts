/**
 * The deploy-time check under a real `sh` against stand-ins on PATH that answer the way their
 * originals do: `docker` (reachable or not; `exec -i <c> sh -s` runs the script here), `restic`
 * (0.18 exit codes: 10 no repository, 12 wrong password) and `rcb status` (stack-back v1.5.4's log
 * lines). Shared by tests/stackback.test.ts and the slow tier's tests/checkBound.slow.test.ts.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DockerAccess, repositoryCheckCommand, RepositoryCheckOptions, SIDECAR_DOCKER_HOST } from "../../components/stackback";

export const STANDINS = {
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

export interface CheckRun {
    status: number;
    calls: string[];
    output: string;
    seconds: number;
}

export const DEFAULT_OPTIONS: RepositoryCheckOptions = { container: "n8n_stackback", timeoutSeconds: 10, requireLabels: true, composeProject: "n8n" };

export function runCheck(
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
