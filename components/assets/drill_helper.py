"""JSON filters for the restore drill (platform-backups)."""
import hashlib
import json
import sys


def ids():
    # With --group-by, restic prints groups: [{"group_key": ..., "snapshots": [...]}]
    # (v0.18.0 cmd/restic/cmd_snapshots.go, printSnapshotGroupJSON).
    snaps = [s for group in json.load(sys.stdin) for s in group.get("snapshots", [group])]
    if not snaps:
        sys.exit("no snapshot in the repository")
    for snap in snaps:
        print(snap["id"])


def escape(path):
    # restic include patterns are globs (filepath.Match): escape its special characters.
    return "".join("\\" + c if c in "*?[\\" else c for c in path)


def sample(count, budget, day):
    files = []
    for line in sys.stdin:
        node = json.loads(line)
        if node.get("message_type", node.get("struct_type")) == "node" and node.get("type") == "file":
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
