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
exec crond -f
