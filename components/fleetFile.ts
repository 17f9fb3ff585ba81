/**
 * Reading a fleet's stack file from disk for a shard (the program, `npm run plan`, `npm run
 * monitoring`): problems instead of exceptions, so that a missing or broken fleet file is
 * reported with every other problem of the config.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError, readStackFileConfig } from "./config";
import type { ReadFleet } from "./shards";

/** Reads `Pulumi.<fleet>.yaml` in `dir` as the program would see its config. */
export function fleetFileReader(dir: string, where = "shard.fleet"): ReadFleet {
    return (fleet) => {
        const file = path.join(dir, `Pulumi.${fleet}.yaml`);
        if (!fs.existsSync(file)) {
            return {
                raw: {},
                problems: [
                    { path: where, message: `${path.relative(process.cwd(), file) || file} does not exist; name a stack whose file is beside Pulumi.yaml` },
                ],
            };
        }
        try {
            return readStackFileConfig(file);
        } catch (error) {
            if (error instanceof ConfigError) return { raw: {}, problems: error.problems };
            throw error;
        }
    };
}
