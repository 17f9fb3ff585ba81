"""JSON filters for the restore drill (platform-backups)."""
import datetime
import hashlib
import json
import re
import sys


def stamp(text):
    # restic writes RFC 3339 times with nanoseconds and the writer's offset: compare instants,
    # not strings (datetime keeps microseconds; restic's snapshot ids break any tie).
    match = re.match(r"^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$", text)
    if not match:
        sys.exit("unexpected snapshot time " + text)
    base, fraction, zone = match.groups()
    moment = datetime.datetime.fromisoformat(base + ("+00:00" if zone == "Z" else zone))
    return moment.timestamp() + float("0." + (fraction or "0"))


def ids():
    # The newest snapshot of each path set, whatever its hostname (stack-back's hostname is its
    # container id and changes when the sidecar is re-created). Ties in time go to the larger id.
    data = json.load(sys.stdin)
    # Grouped output ({"group_key": ..., "snapshots": [...]}, v0.18.1 cmd/restic/cmd_snapshots.go
    # printSnapshotGroupJSON) is flattened too.
    snaps = [s for item in data for s in item.get("snapshots", [item])]
    if not snaps:
        sys.exit("no snapshot in the repository")
    newest = {}
    for snap in snaps:
        key = tuple(sorted(p.rstrip("/") or "/" for p in snap.get("paths") or []))
        best = newest.get(key)
        if best is None or (stamp(snap["time"]), snap["id"]) > (stamp(best["time"]), best["id"]):
            newest[key] = snap
    for key in sorted(newest):
        print(newest[key]["id"])


def escape(path):
    # restic include patterns are globs (filepath.Match per path part; v0.18.1 internal/filter/filter.go):
    # a backslash makes each special character literal.
    return "".join("\\" + c if c in "*?[]\\" else c for c in path)


def sample(count, budget, day):
    files = []
    for line in sys.stdin:
        node = json.loads(line)
        # A path with a line break cannot travel as one line to the drill script: left out.
        if node.get("message_type", node.get("struct_type")) == "node" and node.get("type") == "file" and "\n" not in node["path"]:
            files.append((node["path"], node.get("size", 0)))
    if not files:
        sys.exit("the snapshot holds no file")
    files.sort(key=lambda f: hashlib.sha256((day + f[0]).encode()).hexdigest())
    chosen, used = [], 0
    for path, size in files:
        if len(chosen) >= count:
            break
        if used + size <= budget:
            chosen.append(path)
            used += size
    if not chosen:
        chosen.append(min(files, key=lambda f: f[1])[0])
    for path in chosen:
        print(escape(path))


def restored():
    summary = None
    for line in sys.stdin:
        line = line.strip()
        if line.startswith("{"):
            msg = json.loads(line)
            if msg.get("message_type") == "summary":
                summary = msg
    if summary is None:
        sys.exit("restic restore printed no summary")
    print(summary.get("bytes_restored", 0), summary.get("files_restored", 0))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "ids":
        ids()
    elif cmd == "sample":
        sample(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif cmd == "restored":
        restored()
    else:
        sys.exit("unknown command " + cmd)
