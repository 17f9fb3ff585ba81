/**
 * The runbook at a full bucket quota keeps the only order that works: at the quota MinIO refuses
 * every PUT, lock files included (MinIO cmd/bucket-quota.go), so forget and prune cannot run until
 * the quota is raised; the quota can be lowered only after the freed versions expired.
 */
import * as fs from "fs";
import * as path from "path";
import { QUOTA_ALERT, QUOTA_FORECAST_ALERT, RESTORE_RUNBOOK_PAGE } from "../components/monitoring";
import { ROOT } from "./support/stack";

const page = fs.readFileSync(path.join(ROOT, RESTORE_RUNBOOK_PAGE), "utf8");

/** The text of a `###` section (up to the next heading of level 1-3). */
function section(heading: string): string {
    const start = page.indexOf(`\n### ${heading}\n`);
    if (start < 0) return "";
    const rest = page.slice(start + heading.length + 6);
    const end = rest.search(/\n#{1,3} /);
    return end < 0 ? rest : rest.slice(0, end);
}

/** The numbered steps of a section: the bold lead of each `N. **...**` item, in order. */
function steps(text: string): string[] {
    return [...text.matchAll(/^\d+\. \*\*([^*]+)\*\*/gm)].map((m) => m[1]);
}

describe("At a full quota", () => {
    const full = section("At a full quota");

    test("raise the quota, then forget and prune, then lower it again", () => {
        expect(steps(full)).toEqual(["Raise the quota", "Forget and prune", "Lower the quota again"]);
    });

    test("it cites the sources the order rests on", () => {
        for (const source of ["cmd/bucket-quota.go", "XMinioAdminBucketQuotaExceeded", "cmd/restic/global.go", "RELEASE.2025-04-22T22-12-26Z"])
            expect(full).toContain(source);
    });

    test("the release it cites is the one the dev environment runs", () => {
        const compose = fs.readFileSync(path.join(ROOT, "dev", "compose.yaml"), "utf8");
        const release = /minio\/minio:(RELEASE\.[0-9TZ-]+)/.exec(compose)?.[1];
        expect(release).toBeDefined();
        expect(full).toContain(release as string);
    });

    test("no quota section advises forget or prune before raising the quota", () => {
        for (const alert of [QUOTA_ALERT, QUOTA_FORECAST_ALERT]) {
            const text = section(alert);
            expect({ alert, found: text.length > 0 }).toEqual({ alert, found: true });
            const forget = text.search(/forget|prune/);
            const raise = text.search(/raise `quotaGiB`|At a full quota|ResticQuotaNearlyFull\]/);
            expect({ alert, forgetBeforeRaise: forget >= 0 && (raise < 0 || forget < raise) }).toEqual({ alert, forgetBeforeRaise: false });
        }
    });
});
