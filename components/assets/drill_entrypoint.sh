#!/bin/sh
set -eu
umask 077
export -p >/run/drill.env
mkdir -p "${DRILL_METRICS_DIR:-/srv/drill}"
metrics="${DRILL_METRICS_DIR:-/srv/drill}/metrics"
if [ ! -f "$metrics" ]; then
    printf '# TYPE restic_drill_started_timestamp_seconds gauge\nrestic_drill_started_timestamp_seconds %s\n' "$(date +%s)" >"$metrics"
fi
echo "$DRILL_SCHEDULE . /run/drill.env && sh /drill/drill.sh >/proc/1/fd/1 2>/proc/1/fd/2" >/run/drill.crontab
crontab /run/drill.crontab
python3 /drill/metrics_server.py &
# crond must not be PID 1: dcron 4.5's `crond -f` calls setpgid(0, 0) (main.c), which fails with
# EPERM for a session leader, so the container would crash-loop. Started as this shell's child,
# the way stack-back v1.5.4's src/entrypoint.sh starts it; the shell stays PID 1 and passes a stop on.
crond -f &
cron_pid=$!
trap 'kill "$cron_pid"; exit 0' TERM INT
wait "$cron_pid"
