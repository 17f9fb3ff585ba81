/**
 * Retiring a path set: a database or volume that is no longer backed up (`apps[].retiredPaths`).
 *
 * Why it needs doing: stack-back's cleanup is `forget --group-by paths --keep-daily N ...`
 * (stack-back v1.5.4 src/restic_compose_backup/restic.py `forget`), and `--keep-daily N` keeps
 * the newest snapshot of each of the last N DAYS THAT HAVE SNAPSHOTS (restic v0.18.1
 * internal/restic/snapshot_policy.go, `ApplyPolicy` buckets by day and counts buckets, not
 * calendar days). A path set that stops getting snapshots therefore keeps its last N for ever.
 * A retired set keeps its snapshots for `retentionDays` after its `retiredOn` date (the promise
 * made while it was backed up) and is then forgotten by `npm run retire`, with the app's backup
 * identity (the sidecar's own MinIO user, the one stack-back's forget and prune run as).
 */
import { forgetFrom, type RetiredPath } from "../components/retiredPaths";
import { normalisePathSet, type SnapshotRow } from "./restoreLib";

export { forgetFrom };

const DAY_MS = 86_400_000;

/** One retired set's state on `today`. */
export interface RetiredSetPlan {
    path: string;
    retiredOn: string;
    forgetFrom: string;
    /** Whether `today` is on or after `forgetFrom`. */
    due: boolean;
    /** The set's snapshots (exactly this path set, any hostname), oldest first. */
    snapshots: SnapshotRow[];
    /** Snapshots of the set made AFTER `retiredOn`: the set is still backed up, so it is not retired. */
    newerThanRetirement: SnapshotRow[];
}

/** What `npm run retire` would do for one app. */
export function retirePlan(retired: readonly RetiredPath[], retentionDays: number, rows: readonly SnapshotRow[], today: Date): RetiredSetPlan[] {
    const day = today.toISOString().slice(0, 10);
    return retired.map((r) => {
        const key = JSON.stringify(normalisePathSet([r.path]));
        const snapshots = rows.filter((row) => JSON.stringify(row.pathSet) === key).sort((a, b) => a.unixMs - b.unixMs);
        const end = Date.parse(`${r.retiredOn}T00:00:00Z`) + DAY_MS;
        const from = forgetFrom(r, retentionDays);
        return {
            path: r.path,
            retiredOn: r.retiredOn,
            forgetFrom: from,
            due: day >= from,
            snapshots,
            newerThanRetirement: snapshots.filter((s) => s.unixMs >= end),
        };
    });
}

/** The lines `npm run retire` prints for a plan. */
export function formatRetirePlan(app: string, plans: readonly RetiredSetPlan[], apply: boolean): string[] {
    if (plans.length === 0) return [`${app}: no retired path sets (apps[].retiredPaths)`];
    return plans.map((p) => {
        const what = `${app}: ${p.path} (retired ${p.retiredOn}, ${p.snapshots.length} snapshot${p.snapshots.length === 1 ? "" : "s"})`;
        if (p.newerThanRetirement.length > 0) {
            return `${what}: NOT forgotten, ${p.newerThanRetirement.length} snapshot(s) are newer than its retiredOn (newest ${p.newerThanRetirement.at(-1)?.time}); it is still backed up: fix retiredOn or the app's labels`;
        }
        if (p.snapshots.length === 0) return `${what}: nothing left to forget; the entry can be removed from retiredPaths`;
        if (!p.due) return `${what}: kept until ${p.forgetFrom} (retentionDays after retiredOn)`;
        return `${what}: ${apply ? "forgetting" : "would forget (add --apply)"} ${p.snapshots.map((s) => s.id).join(" ")}`;
    });
}

/** The snapshot ids to forget: those of due sets that no newer snapshot contradicts. */
export function idsToForget(plans: readonly RetiredSetPlan[]): string[] {
    return plans.filter((p) => p.due && p.newerThanRetirement.length === 0).flatMap((p) => p.snapshots.map((s) => s.fullId));
}

/**
 * `forget` of exactly those snapshots, by id (no keep policy, no `--path` filter that could match
 * more: `--path` selects snapshots that INCLUDE the path, v0.18.1 internal/restic/snapshot_find.go).
 * It takes the repository's exclusive lock; stack-back's next backup prunes what it freed.
 */
export function resticForgetArgs(ids: readonly string[]): string[] {
    return ["forget", ...ids];
}
