/**
 * The programs that run elsewhere (inside the sidecar, inside the drill container) are files in
 * `components/assets/`, so editors, shellcheck and Python see them as what they are. They ship in
 * the package (`files` holds `components/`) and are read when a command or container is built.
 */
import * as fs from "fs";
import * as path from "path";

/** The files in `components/assets/`. */
export type AssetName = "check.sh" | "drill.sh" | "drill_entrypoint.sh" | "drill_helper.py" | "drill_metrics.py";

/**
 * Where the assets are: beside this module when it runs from source (`components/assets.ts`), or
 * in the shipped source folder when it runs compiled (`dist/assets.js` -> `components/assets/`).
 */
export function assetDirectory(from: string = __dirname): string {
    const candidates = [path.join(from, "assets"), path.join(from, "..", "components", "assets")];
    const found = candidates.find((dir) => fs.existsSync(path.join(dir, "check.sh")));
    if (!found) throw new Error(`platform-backups: the script files are missing; looked in ${candidates.join(" and ")} (reinstall the package)`);
    return found;
}

const cache = new Map<AssetName, string>();

/** The text of one asset (read once per process). */
export function readAsset(name: AssetName): string {
    let text = cache.get(name);
    if (text === undefined) {
        text = fs.readFileSync(path.join(assetDirectory(), name), "utf8");
        cache.set(name, text);
    }
    return text;
}
