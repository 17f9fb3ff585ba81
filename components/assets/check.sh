# shellcheck shell=sh
# The deploy-time check (platform-backups): runs inside the app's sidecar (busybox sh), fed on
# stdin to `sh -s` by the command of repositoryCheckCommand (components/stackback.ts), which puts
# its settings in front of this file as assignments:
#   T                 bound in seconds on each restic call and on `rcb status` (checkTimeoutSeconds)
#   REQUIRE_LABELS    1 when a project with no stack-back.* label fails the check, else 0
#   COMPOSE_PROJECT   the app's Compose project, named in the message on missing labels
# The sidecar's own environment gives RESTIC_REPOSITORY, RESTIC_PASSWORD and the S3 key pair.
# The literal texts below (the first line, the exit code of a time bound, the socket path,
# stack-back's "No containers" line) are the constants of stackback.ts; tests/assets.test.ts
# holds them equal.
set -u
echo "platform-backups check: running inside the sidecar"
: "${T:?set by the generated command}" "${REQUIRE_LABELS:?set by the generated command}" "${COMPOSE_PROJECT?set by the generated command}"
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
rc=0
expired=0

# bounded NAME COMMAND...: runs COMMAND with at most T seconds of its own; output in $work/NAME,
# status in rc, expired=1 when its watchdog had to stop it. Each call has its own flag files
# ($work/NAME.done, $work/NAME.expired) and its own watchdog, stopped when the call ends: an
# earlier call's watchdog can neither flag nor stop a later call (a shared flag let it do both).
bounded() {
  name=$1; shift
  "$@" >"$work/$name" 2>&1 &
  pid=$!
  (
    i=0
    while [ "$i" -lt "$T" ]; do
      sleep 1
      [ -e "$work/$name.done" ] || [ ! -d "$work" ] && exit 0
      i=$((i + 1))
    done
    [ -e "$work/$name.done" ] && exit 0
    : >"$work/$name.expired"
    kill -TERM "$pid"
    sleep 5
    kill -KILL "$pid"
  ) >/dev/null 2>&1 &
  watchdog=$!
  rc=0
  wait "$pid" || rc=$?
  : >"$work/$name.done"
  kill "$watchdog" 2>/dev/null
  expired=0
  if [ -e "$work/$name.expired" ]; then expired=1; fi
}

# causes NAME: names the cause when restic's words show it.
causes() {
  if grep -qi -e 'x509' -e 'certificate signed by unknown authority' -e 'failed to verify certificate' "$work/$1"; then
    echo "Cause: MinIO's TLS certificate is not trusted by restic in the sidecar. Give the CA that signed it with platform-backups:minio.caCert (PEM) or minio.caCertPath (a file on the hosts); it reaches restic as RESTIC_CACERT."
  fi
  if grep -qi -e 'InvalidAccessKeyId' -e 'Access Key Id you provided does not exist' -e 'SignatureDoesNotMatch' "$work/$1"; then
    echo "Cause: MinIO does not know this access key or secret key. The sidecar's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY must be the MinIO user's; re-run pulumi up, and never set updateSecret on the user."
  fi
  if grep -qi -e 'no such host' -e 'connection refused' -e 'i/o timeout' -e 'network is unreachable' "$work/$1"; then
    echo "Cause: the MinIO endpoint cannot be reached from the app's host (DNS, firewall or port of $RESTIC_REPOSITORY)."
  fi
}

# fail_restic NAME WHAT: reports a failed restic call and exits.
fail_restic() {
  if [ "$expired" -eq 1 ]; then
    echo "restic $2 did not finish within $T seconds (checkTimeoutSeconds) and was stopped." >&2
    cat "$work/$1" >&2
    causes "$1" >&2
    echo "restic keeps retrying quietly when: the MinIO endpoint in $RESTIC_REPOSITORY is unreachable from this host; MinIO's certificate is not trusted (set minio.caCert or minio.caCertPath); or MinIO does not know the access key (AWS_ACCESS_KEY_ID). Raise checkTimeoutSeconds only if MinIO is merely slow." >&2
    exit 124
  fi
  echo "restic $2 failed (exit $rc). restic says:" >&2
  cat "$work/$1" >&2
  causes "$1" >&2
  exit 1
}

bounded cat-config restic cat config
if [ "$expired" -eq 0 ] && [ "$rc" -eq 10 ]; then
  echo "no restic repository at $RESTIC_REPOSITORY yet: initialising it"
  bounded init restic init
  if [ "$expired" -eq 1 ] || [ "$rc" -ne 0 ]; then fail_restic init "init"; fi
  cat "$work/init"
elif [ "$expired" -eq 0 ] && [ "$rc" -eq 12 ]; then
  echo "wrong password: a restic repository exists at $RESTIC_REPOSITORY, but RESTIC_PASSWORD does not open it (restic exit 12). restic says:" >&2
  cat "$work/cat-config" >&2
  echo "The password in Vault must be the one the repository was created with. Restore the old password into the Vault secret; never rotate a restic password by replacing it." >&2
  exit 12
elif [ "$expired" -eq 1 ] || [ "$rc" -ne 0 ]; then
  fail_restic cat-config "cat config"
fi
echo "restic repository opens: $RESTIC_REPOSITORY"

bounded status rcb status --log-level info
cat "$work/status"
if [ "$expired" -eq 1 ]; then
  echo "stack-back's own check (rcb status) did not finish within $T seconds and was stopped." >&2
  exit 124
fi
# stack-back's own log lines ("<time> - INFO: ...") list what it will back up, a bind-mounted
# /var/run/docker.sock of a labelled app included; a Docker failure shows outside them (a traceback
# on stderr) or in an ERROR/CRITICAL line. So the Docker signs are looked for in the rest only.
grep -v -E '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:,]+ - (DEBUG|INFO|WARNING): ' "$work/status" >"$work/status-problems" || :
if grep -q -e 'docker.sock' -e 'Error while fetching server API version' -e 'DockerException' -e 'Cannot connect to the Docker daemon' -e 'Cannot find metadata for backup container' "$work/status-problems"; then
  echo "stack-back cannot use the Docker API (rcb status exited with code $rc; DOCKER_HOST=${DOCKER_HOST:-unset}): it needs the host's socket at /tmp/docker.sock (or DOCKER_HOST pointing at it) and must find its own container (no hostname set). Without it no backup ever runs." >&2
  exit 1
fi
# Any non-zero exit fails, whatever was printed (an image without rcb exits 127 with one line).
if [ "$rc" -ne 0 ]; then
  echo "stack-back's own check (rcb status) exited with code $rc; its words are above." >&2
  if [ "$rc" -eq 127 ]; then echo "Exit 127 is the shell's \"command not found\": the sidecar image has no rcb; platform-backups:image must be a stack-back image." >&2; fi
  exit 1
fi
if grep -q -e 'Traceback' -e ' - ERROR: ' -e ' - CRITICAL: ' "$work/status"; then
  echo "stack-back's own check (rcb status) logged errors although it exited 0; its words are above." >&2
  exit 1
fi
if grep -qF "No containers in the project has 'stack-back.*' label" "$work/status"; then
  if [ "$REQUIRE_LABELS" -eq 1 ]; then
    echo "stack-back would back up nothing: no running container of Compose project '$COMPOSE_PROJECT' carries a stack-back.* label." >&2
    echo "Label the services to back up and re-deploy the app (docker compose up -d), e.g. in its compose file: labels: [\"stack-back.volumes=true\"] for its volumes, or stack-back.postgres=true / stack-back.mysql=true / stack-back.mariadb=true on a database service." >&2
    echo "To deploy before the app is labelled, set requireLabels: false on the app (then nothing is backed up until it is)." >&2
    exit 1
  fi
  echo "warning: nothing of Compose project '$COMPOSE_PROJECT' is labelled for backup yet (requireLabels is false)."
fi
echo "platform-backups check passed: the repository opens and stack-back sees what it will back up"
