/** Quotas: a hard quota stops backups when it is reached; its warning reads the exporter's restic_size_total. */
import type { ConfigProblem } from "../shapes";
import { formatPath } from "../configFields";
import type { AppMonitoringSpec, RawStackConfig } from "./fleet";
import { problemAt, ValidApp } from "./section";

/**
 * An app with `quotaGiB` needs its exporter. Not reported when monitoring is unreadable, or when
 * the app's own monitoring already has a problem (`earlier`): one mistake, one message.
 */
export function quotaProblems(
    raw: RawStackConfig,
    input: { apps: readonly ValidApp[]; monitoringRead: boolean; exporters: ReadonlyMap<number, AppMonitoringSpec>; earlier: readonly ConfigProblem[] },
): ConfigProblem[] {
    return input.apps
        .filter(
            (valid) =>
                valid.app.quotaGiB !== undefined &&
                input.monitoringRead &&
                !input.exporters.has(valid.index) &&
                !input.earlier.some((q) => q.path.startsWith(formatPath(["apps", valid.index, "monitoring"], raw))),
        )
        .map((valid) =>
            problemAt(
                raw,
                ["apps", valid.index, "quotaGiB"],
                "needs monitoring on for this app: the quota's early warning reads its exporter's restic_size_total, and without it backups stop silently at the quota; turn monitoring on (monitoring.enabled or apps[].monitoring.enabled) or remove quotaGiB",
            ),
        );
}
