/**
 * How many resources one app adds to a stack, derived from the program itself (index.ts under the
 * mock engine), so that the docs quote numbers that are true: see docs/resource-counts.md and
 * tests/resourceCounts.test.ts.
 */
import { RawStackConfig } from "../../components/config";
import { runProgram, stackConfig } from "./stack";

/** Resources one app adds, by whether monitoring and restore drills are on. */
export interface ResourceCounts {
    withoutMonitoring: number;
    withMonitoring: number;
    withDrills: number;
    withMonitoringAndDrills: number;
}

/**
 * Runs the program over the prod stack's settings cut to one app and to two apps (same host and
 * group), with monitoring and restore drills off and on; an app's count is the difference, so
 * per-stack resources (providers, shared ones) do not count. `load` loads index.ts afresh (e.g.
 * in `jest.isolateModules`).
 */
export async function resourceCountsPerApp(load: () => Record<string, unknown>): Promise<ResourceCounts> {
    const prod = stackConfig("prod");
    const apps = prod.apps as { name: string; host: string; group: string }[];
    const first = { name: apps[0].name, host: apps[0].host, group: apps[0].group };
    const second = { name: `${first.name}-two`, host: first.host, group: first.group };
    const count = async (appList: object[], monitoring: boolean, drills: boolean) => {
        const raw: RawStackConfig = {
            ...prod,
            apps: appList,
            monitoring: { ...(prod.monitoring as object), enabled: monitoring },
            restoreDrills: { ...(prod.restoreDrills as object), enabled: drills },
            // Other apps than prod's: recorded afresh, as `npm run plan -- --write` would.
            assignments: undefined,
        };
        const run = await runProgram(raw, load, { minioPassword: "not-a-real-password", vaultToken: "not-a-real-token" });
        return run.registered.length;
    };
    const perApp = async (monitoring: boolean, drills: boolean) =>
        (await count([first, second], monitoring, drills)) - (await count([first], monitoring, drills));
    return {
        withoutMonitoring: await perApp(false, false),
        withMonitoring: await perApp(true, false),
        withDrills: await perApp(false, true),
        withMonitoringAndDrills: await perApp(true, true),
    };
}
