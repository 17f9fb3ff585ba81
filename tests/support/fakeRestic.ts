/**
 * A stand-in `restic` for tests: a small Node script put first on PATH. It appends each call's
 * argv and environment to a log (one JSON line per call) and answers like restic 0.18 would, for
 * the commands the restore command and the drill use. Its behaviour is steered by FAKE_RESTIC_*
 * variables, which restic itself ignores.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** `restic snapshots --json` of restic 0.18 (cmd/restic/cmd_snapshots.go, internal/restic/snapshot.go at v0.18.0). */
export const SNAPSHOTS_JSON = JSON.stringify([
    {
        time: "2025-06-01T02:00:05.123456789Z",
        tree: "1".repeat(64),
        paths: ["/volumes/gitlab_data"],
        hostname: "3f2a9c1b7d4e",
        username: "root",
        program_version: "restic 0.18.1",
        summary: {
            backup_start: "2025-06-01T02:00:05Z",
            backup_end: "2025-06-01T02:14:41Z",
            files_new: 10,
            files_changed: 2,
            files_unmodified: 1000,
            dirs_new: 0,
            dirs_changed: 1,
            dirs_unmodified: 50,
            data_blobs: 12,
            tree_blobs: 2,
            data_added: 1234,
            data_added_packed: 1000,
            total_files_processed: 1012,
            total_bytes_processed: 1610612736,
        },
        id: "a1b2c3d4" + "0".repeat(56),
        short_id: "a1b2c3d4",
    },
    {
        time: "2025-06-02T02:00:03Z",
        tree: "2".repeat(64),
        paths: ["/databases/gitlab.sql"],
        hostname: "9e8d7c6b5a41",
        id: "e5f6a7b8" + "0".repeat(56),
        short_id: "e5f6a7b8",
    },
]);

const SCRIPT = `#!/usr/bin/env node
const fs = require("fs");
const path = require("path");
const args = process.argv.slice(2);
const includeFile = args.indexOf("--include-file");
const include = includeFile >= 0 ? fs.readFileSync(args[includeFile + 1], "utf8") : undefined;
fs.appendFileSync(process.env.FAKE_RESTIC_LOG, JSON.stringify({ argv: args, env: process.env, include }) + "\\n");
const cmd = args.find((a) => !a.startsWith("-"));
const fail = (name) => { const c = Number(process.env["FAKE_RESTIC_EXIT_" + name] || 0); if (c) { process.stderr.write("Fatal: fake failure\\n"); process.exit(c); } };
if (cmd === "version") {
    console.log("restic " + (process.env.FAKE_RESTIC_VERSION || "0.18.0") + " compiled with go1.24.4 on linux/amd64");
} else if (cmd === "snapshots") {
    fail("SNAPSHOTS");
    const list = JSON.parse(process.env.FAKE_RESTIC_SNAPSHOTS || ${JSON.stringify(SNAPSHOTS_JSON)});
    // --group-by prints groups (v0.18.0 cmd/restic/cmd_snapshots.go, printSnapshotGroupJSON).
    const grouped = args.includes("--group-by") ? list.map((s) => ({ group_key: { hostname: "", paths: s.paths, tags: null }, snapshots: [s] })) : list;
    process.stdout.write(JSON.stringify(grouped));
    process.stdout.write("\\n");
} else if (cmd === "ls") {
    fail("LS");
    const id = args[args.indexOf("ls") + 1];
    console.log(JSON.stringify({ time: "2025-06-01T02:00:05Z", paths: ["/x"], id, message_type: "snapshot", struct_type: "snapshot" }));
    for (const [p, type, size] of [["/volumes", "dir"], ["/volumes/a.txt", "file", 10], ["/volumes/b[1].txt", "file", 20], ["/volumes/big.bin", "file", 5000]]) {
        console.log(JSON.stringify({ name: path.basename(p), type, path: p, ...(size !== undefined ? { size } : {}), message_type: "node", struct_type: "node" }));
    }
} else if (cmd === "restore") {
    fail("RESTORE");
    const target = args[args.indexOf("--target") + 1];
    fs.mkdirSync(target, { recursive: true });
    fs.writeFileSync(path.join(target, "restored.txt"), "data");
    const inc = args.indexOf("--include-file");
    if (inc >= 0) fs.copyFileSync(args[inc + 1], path.join(target, "include-file.txt"));
    console.log(JSON.stringify({ message_type: "status", seconds_elapsed: 1, percent_done: 0.5, total_files: 2, files_restored: 1, total_bytes: 2048, bytes_restored: 1024 }));
    // FAKE_RESTIC_SUMMARY replaces the summary (restic leaves zero fields out: internal/ui/restore/json.go).
    console.log(process.env.FAKE_RESTIC_SUMMARY || JSON.stringify({ message_type: "summary", seconds_elapsed: 2, total_files: 2, files_restored: 2, total_bytes: 2048, bytes_restored: 2048 }));
} else if (cmd === "check") {
    fail("CHECK");
    console.log("no errors were found");
}
`;

/** A fake restic in a fresh temp dir; `calls()` reads what it was called with. */
export function makeFakeRestic(): {
    dir: string;
    bin: string;
    log: string;
    calls: () => Array<{ argv: string[]; env: Record<string, string>; include?: string }>;
} {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-restic-"));
    const bin = path.join(dir, "restic");
    fs.writeFileSync(bin, SCRIPT, { mode: 0o755 });
    const log = path.join(dir, "calls.jsonl");
    fs.writeFileSync(log, "");
    const calls = () =>
        fs
            .readFileSync(log, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((line) => JSON.parse(line) as { argv: string[]; env: Record<string, string>; include?: string });
    return { dir, bin, log, calls };
}
