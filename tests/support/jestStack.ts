/**
 * The stack program (index.ts) under jest, with the provider secrets the CLI would pass. Kept apart
 * from ./stack.ts, which the bench also uses outside jest.
 */
import type { RawStackConfig } from "../../components/config";
import { evaluateProgram } from "./program";
import { ProgramRun, runProgram } from "./stack";

/** Stand-ins for the provider credentials a stack sets with `pulumi config set --secret`. */
export const FAKE_PROVIDER_SECRETS = { minioPassword: "not-a-real-password", vaultToken: "not-a-real-token" };

/** Runs index.ts over `raw` (a stack's config) under Pulumi's mocks, evaluated afresh in this file's registry. */
export function runStackProgram(raw: RawStackConfig): Promise<ProgramRun> {
    return runProgram(raw, evaluateProgram, FAKE_PROVIDER_SECRETS);
}
