/**
 * The deploy-time check's time bound, per call: slow (it waits out real seconds), so in the slow
 * tier. The stand-ins are those of tests/stackback.test.ts (./support/checkRun.ts).
 */
import { runCheck } from "./support/checkRun";

test("each call has its own time bound: two calls under the bound pass although together they take longer", () => {
    // T = 6 s; restic takes 4 s, rcb status 5 s: each well under its bound, 9 s together. A bound
    // shared across calls (an earlier call's watchdog still counting) stops or flags the second.
    const r = runCheck({ restic: "slow", rcb: "slow", env: { FAKE_SLOW_CAT: "4", FAKE_SLOW_RCB: "5" } }, { timeoutSeconds: 6 });
    expect(r.output).not.toMatch(/did not finish within/);
    expect(r.status).toBe(0);
    expect(r.seconds).toBeGreaterThan(8.5);
});
