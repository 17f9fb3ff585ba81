#!/bin/sh
# Restore drill (platform-backups): proves the newest snapshots restorable, read-only.
set -u
metrics_dir=${DRILL_METRICS_DIR:-/srv/drill}
scratch=${DRILL_SCRATCH_DIR:-/scratch}
slices=${DRILL_CHECK_SLICES:-30}
sample_files=${DRILL_SAMPLE_FILES:-50}
sample_bytes=${DRILL_SAMPLE_BYTES:-268435456}
helper=${DRILL_HELPER:-/drill/drill.py}
metrics="$metrics_dir/metrics"

log() { echo "restore-drill: $*"; }

# The value of an unlabelled metric in the previous metrics file, or nothing.
previous() {
    sed -n "s/^$1 \([0-9][0-9]*\)$/\1/p" "$metrics" 2>/dev/null | head -n 1
}

start=$(date +%s)
day=$((start / 86400))
slice=$((day % slices + 1))
bytes=0
files=0
snapshots=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Restores the sample of one snapshot. Each pattern is an argument of its own: restic trims the
# lines of an --include-file and expands $VAR in them (restic v0.18.1 internal/filter/exclude.go,
# readPatternsFromFiles), so a path with "$" or edge spaces would match nothing.
restore_sample() {
    id=$1
    set --
    while IFS= read -r pattern; do
        set -- "$@" --include "$pattern"
    done <"$work/include"
    restic --no-lock --json restore "$id" --target "$scratch/restore/$id" --verify "$@" >"$work/restore.json"
}

drill() {
    rm -rf "$scratch/restore" && mkdir -p "$scratch/restore" || return 1
    # Every snapshot, any hostname: the helper keeps the newest of each path set. restic's own
    # "snapshots --latest 1 --group-by paths" keeps one per (hostname, paths) (v0.18.1
    # cmd/restic/cmd_snapshots.go, FilterLatestSnapshots), and stack-back's hostname is its
    # container id, which changes whenever the sidecar is re-created.
    restic --no-lock --json snapshots >"$work/snapshots.json" || return 1
    python3 "$helper" ids <"$work/snapshots.json" >"$work/ids" || return 1
    while read -r id; do
        log "sampling snapshot $id"
        restic --no-lock --json ls "$id" >"$work/ls.json" || return 1
        python3 "$helper" sample "$sample_files" "$sample_bytes" "$day" <"$work/ls.json" >"$work/include" || return 1
        restore_sample "$id" || return 1
        python3 "$helper" restored <"$work/restore.json" >"$work/count" || return 1
        read -r b f <"$work/count" || return 1
        # restic exits 0 when the patterns match nothing: a restore of 0 files is a failed drill.
        if [ "$f" -eq 0 ]; then
            log "snapshot $id: 0 files restored"
            return 1
        fi
        bytes=$((bytes + b))
        files=$((files + f))
        snapshots=$((snapshots + 1))
    done <"$work/ids"
    log "restored $files files, $bytes bytes from $snapshots snapshots; checking slice $slice/$slices"
    restic --no-lock check --read-data-subset="$slice/$slices" || return 1
}

if drill; then
    success=1
    last_success=$(date +%s)
    log "passed"
else
    success=0
    last_success=$(previous restic_drill_last_success_timestamp_seconds)
    log "FAILED"
fi
rm -rf "$scratch/restore"
end=$(date +%s)
started=$(previous restic_drill_started_timestamp_seconds)

# Written next to the file and renamed over it: the server never serves half a file.
mkdir -p "$metrics_dir"
{
    echo "# TYPE restic_drill_started_timestamp_seconds gauge"
    echo "restic_drill_started_timestamp_seconds ${started:-$start}"
    echo "# TYPE restic_drill_last_run_timestamp_seconds gauge"
    echo "restic_drill_last_run_timestamp_seconds $end"
    if [ -n "$last_success" ]; then
        echo "# TYPE restic_drill_last_success_timestamp_seconds gauge"
        echo "restic_drill_last_success_timestamp_seconds $last_success"
    fi
    echo "# TYPE restic_drill_success gauge"
    echo "restic_drill_success $success"
    echo "# TYPE restic_drill_duration_seconds gauge"
    echo "restic_drill_duration_seconds $((end - start))"
    echo "# TYPE restic_drill_bytes_restored gauge"
    echo "restic_drill_bytes_restored $bytes"
    echo "# TYPE restic_drill_files_restored gauge"
    echo "restic_drill_files_restored $files"
    echo "# TYPE restic_drill_snapshots_restored gauge"
    echo "restic_drill_snapshots_restored $snapshots"
    echo "# TYPE restic_drill_check_slice gauge"
    echo "restic_drill_check_slice $slice"
    echo "# TYPE restic_drill_check_slices gauge"
    echo "restic_drill_check_slices $slices"
} >"$metrics.tmp" && mv "$metrics.tmp" "$metrics"
[ "$success" = 1 ]
