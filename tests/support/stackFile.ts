/** A stack file of its own for a command test: prod's config with changes, in a temp directory. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { CONFIG_NAMESPACE, RawStackConfig } from "../../components/config";
import { stackConfig } from "./stack";

/** Writes `Pulumi.<stack>.yaml` (prod's config passed through `change`) and returns its directory. */
export function stackDirWith(stack: string, change: (raw: RawStackConfig) => RawStackConfig): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-"));
    const raw = change(structuredClone(stackConfig("prod")));
    const config = Object.fromEntries(Object.entries(raw).map(([key, value]) => [`${CONFIG_NAMESPACE}:${key}`, value]));
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), YAML.stringify({ config }));
    return dir;
}
