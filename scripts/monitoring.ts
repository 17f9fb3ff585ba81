/**
 * `npm run monitoring -- --stack <name> [--shard <name>]`: writes the Prometheus files and the
 * Grafana dashboard for a stack's monitored apps, offline, from the same config the stack deploys:
 *   out/prometheus/<stack>/restic-rules.yml    (load with rule_files)
 *   out/prometheus/<stack>/restic-scrape.yml   (paste or include into scrape_configs)
 *   out/grafana/<stack>/platform-backups-<stack>.json   (the dashboard)
 *   out/grafana/<stack>/platform-backups-<stack>.yaml   (provisioning/dashboards/ file for Grafana's file provider)
 * A fleet stack gives the whole fleet's files (one Prometheus for every shard); a shard stack, or
 * `--shard`, gives that shard's part, planned with the whole fleet.
 * `pulumi stack output alertRules` gives the same rules from a deployed stack.
 */
import { drilledApps, Fleet, monitoredApps } from "../components/config";
import { alertRules, MonitoringOptions, scrapeConfig, toYaml } from "../components/monitoring";
import { fleetView } from "../components/dashboardQueries";
import { dashboardUid, grafanaDashboard, grafanaProvisioning } from "../components/grafanaDashboard";
import { fleetFromArgs, writeOut } from "./stackCli";

const USAGE =
    "usage: npm run monitoring -- --stack <name> [--shard <name>]   (reads Pulumi.<name>.yaml, writes out/prometheus/<name>/ and out/grafana/<name>/)";

/** One generated file: its path under out/, what it is, its text. */
export interface MonitoringFile {
    name: string;
    what: string;
    content: string;
}

/**
 * Every file of a stack's monitoring, computed before any is written. The rules and the dashboard
 * take the same options: the dashboard colours at the rules' thresholds.
 */
export function monitoringFiles(stack: string, fleet: Fleet): MonitoringFile[] {
    const apps = monitoredApps(fleet);
    const drills = drilledApps(fleet);
    const options: MonitoringOptions = { runbookBaseUrl: fleet.monitoring.runbookBaseUrl };
    const name = dashboardUid(stack);
    return [
        { name: `prometheus/${stack}/restic-rules.yml`, what: "alert rules", content: toYaml(alertRules(apps, options, drills)) },
        { name: `prometheus/${stack}/restic-scrape.yml`, what: "scrape config", content: toYaml(scrapeConfig(apps, {}, drills)) },
        {
            name: `grafana/${stack}/${name}.json`,
            what: "dashboard",
            content: `${JSON.stringify(grafanaDashboard(fleetView(stack, fleet, options)), null, 2)}\n`,
        },
        { name: `grafana/${stack}/${name}.yaml`, what: "provisioning", content: toYaml(grafanaProvisioning(stack)) },
    ];
}

function main(args: readonly string[]): number {
    const loaded = fleetFromArgs(args, USAGE);
    if ("exitCode" in loaded) return loaded.exitCode;
    const label = loaded.shard && loaded.stack === loaded.fleetStack ? `${loaded.stack}-${loaded.shard}` : loaded.stack;
    const apps = monitoredApps(loaded.fleet);
    const drills = drilledApps(loaded.fleet);
    if (apps.length === 0 && drills.length === 0) {
        console.error(`no app of stack ${label} is monitored or drilled; set platform-backups:monitoring.enabled: true (or restoreDrills.enabled: true)`);
        return 1;
    }
    const files = monitoringFiles(label, loaded.fleet);
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
    console.log(`${count(apps.length, "monitored app")}, ${count(drills.length, "restore drill")}`);
    for (const file of files) console.log(`${`${file.what}:`.padEnd(15)}${writeOut(file.name, file.content)}`);
    return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
