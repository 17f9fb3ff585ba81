/**
 * Retired path sets (`apps[].retiredPaths`): a database or volume an app no longer has, whose
 * snapshots stay restorable for `retentionDays` after `retiredOn` and are then forgotten by
 * `npm run retire`. Why stack-back never forgets them itself: docs/restore.md, "Retiring a path set".
 *
 * Pure: no import.
 */

/** One retired path set, as the stack config gives it. */
export interface RetiredPath {
    /** The snapshot path of the set, as `npm run restore -- --list` shows it (e.g. `/databases/db/old.sql`). */
    path: string;
    /** The day (UTC, `YYYY-MM-DD`) the set stopped being backed up. */
    retiredOn: string;
}

/** Why `value` is not a snapshot path, or undefined. */
export function retiredPathProblem(value: string): string | undefined {
    if (!value.startsWith("/")) return `"${value}" must be an absolute snapshot path, as npm run restore -- --list shows it (e.g. /databases/db/old.sql)`;
    return undefined;
}

/** Why `value` is not a calendar day `YYYY-MM-DD`, or undefined. */
export function retiredOnProblem(value: string): string | undefined {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    const day = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
    if (!day || day.toISOString().slice(0, 10) !== value) return `"${value}" must be a day as YYYY-MM-DD (UTC), e.g. "2026-11-30", quoted in YAML`;
    return undefined;
}

/** Problems across an app's retired sets: the same path twice. */
export function retiredPathsProblems(retired: readonly RetiredPath[]): Array<{ index: number; message: string }> {
    const first = new Map<string, number>();
    const problems: Array<{ index: number; message: string }> = [];
    retired.forEach((r, index) => {
        const key = r.path.length > 1 ? r.path.replace(/\/+$/, "") : r.path;
        const seen = first.get(key);
        if (seen !== undefined) problems.push({ index, message: `"${r.path}" is already retiredPaths[${seen}]; list each path set once` });
        else first.set(key, index);
    });
    return problems;
}

/** The first day the set's snapshots may be forgotten: `retiredOn` plus `retentionDays`. */
export function forgetFrom(retired: RetiredPath, retentionDays: number): string {
    return new Date(Date.parse(`${retired.retiredOn}T00:00:00Z`) + retentionDays * 86_400_000).toISOString().slice(0, 10);
}
