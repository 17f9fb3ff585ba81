/**
 * The stack program (index.ts) under jest: loaded anew for each run, with the provider secrets the
 * CLI would pass. Kept apart from ./stack.ts, which the bench also uses outside jest.
 */
import type { RawStackConfig } from "../../components/config";
import { ProgramRun, runProgram } from "./stack";

/** Stand-ins for the provider credentials a stack sets with `pulumi config set --secret`. */
export const FAKE_PROVIDER_SECRETS = { minioPassword: "not-a-real-password", vaultToken: "not-a-real-token" };

/** Runs index.ts over `raw` (a stack's config) under Pulumi's mocks, in a fresh module registry. */
export function runStackProgram(raw: RawStackConfig, options: { preview?: boolean } = {}): Promise<ProgramRun> {
    return runProgram(
        raw,
        () => {
            let loaded: Record<string, unknown> = {};
            jest.isolateModules(() => {
                loaded = require("../../index");
            });
            return loaded;
        },
        FAKE_PROVIDER_SECRETS,
        undefined,
        options.preview ?? false,
    );
}
