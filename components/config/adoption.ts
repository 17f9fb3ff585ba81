/**
 * Adoption across the apps (docs/migrate.md): one repository per app, no other app's bucket, one
 * read-only user per app; and which MinIO users several apps name (shared, so kept by none).
 * Each app's own adopt settings are checked with the app (apps.ts).
 */
import { AdoptingApp, fleetAdoptProblems, sharedMinioUsers } from "../adopt";
import { backupNames, DEFAULT_NAME_PREFIX } from "../naming";
import type { RawStackConfig } from "./fleet";
import { problemAt, Section, ValidApp } from "./section";

/** The apps that adopt something, with where they are. */
function adopting(apps: readonly ValidApp[]): AdoptingApp[] {
    return apps.flatMap(({ index, app }) => (app.adopt ? [{ index, name: app.name, adopt: app.adopt }] : []));
}

/** The problems among the usable apps' adoptions, and the MinIO users they share. */
export function validateAdoption(raw: RawStackConfig, apps: readonly ValidApp[], namePrefix: string | undefined): Section<Record<string, string[]>> {
    const list = adopting(apps);
    const bucketOf = (app: string) => backupNames(app, { namePrefix: namePrefix ?? DEFAULT_NAME_PREFIX }).bucket;
    return {
        value: sharedMinioUsers(list),
        problems: fleetAdoptProblems(list, bucketOf).map((p) => problemAt(raw, ["apps", p.index, "adopt", p.key], p.message)),
    };
}
