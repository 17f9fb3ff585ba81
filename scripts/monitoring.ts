/**
 * `npm run monitoring -- --stack <name>`: writes the Prometheus files and the Grafana dashboard for
 * a stack's monitored apps, offline, from the same config the stack deploys:
 *   out/prometheus/<stack>/restic-rules.yml    (load with rule_files)
 *   out/prometheus/<stack>/restic-scrape.yml   (paste or include into scrape_configs)
 *   out/grafana/<stack>/platform-backups-<stack>.json   (the dashboard)
 *   out/grafana/<stack>/platform-backups-<stack>.yaml   (provisioning/dashboards/ file for Grafana's file provider)
 * `pulumi stack output alertRules` gives the same rules from a deployed stack.
 */
import { alertRules, drilledApps, MonitoringOptions, monitoredApps, scrapeConfig, toYaml } from "../components";
import { fleetView } from "../components/dashboardQueries";
import { dashboardUid, grafanaDashboard, grafanaProvisioning } from "../components/grafanaDashboard";
import { fleetFromArgs, writeOut } from "./stackCli";

const USAGE = "usage: npm run monitoring -- --stack <name>   (reads Pulumi.<name>.yaml, writes out/prometheus/<name>/ and out/grafana/<name>/)";

function main(args: readonly string[]): number {
    const loaded = fleetFromArgs(args, USAGE);
    if ("exitCode" in loaded) return loaded.exitCode;
    const apps = monitoredApps(loaded.fleet);
    const drills = drilledApps(loaded.fleet);
    if (apps.length === 0 && drills.length === 0) {
        console.error(
            `no app of stack ${loaded.stack} is monitored or drilled; set platform-backups:monitoring.enabled: true (or restoreDrills.enabled: true)`,
        );
        return 1;
    }
    // The rules and the dashboard take the same options: the dashboard colours at the rules' thresholds.
    const options: MonitoringOptions = { runbookBaseUrl: loaded.fleet.monitoring.runbookBaseUrl };
    const rulesText = toYaml(alertRules(apps, options, drills));
    const dashboardText = `${JSON.stringify(grafanaDashboard(fleetView(loaded.stack, loaded.fleet, options)), null, 2)}\n`;
    const rules = writeOut(`prometheus/${loaded.stack}/restic-rules.yml`, rulesText);
    const scrape = writeOut(`prometheus/${loaded.stack}/restic-scrape.yml`, toYaml(scrapeConfig(apps, {}, drills)));
    const name = dashboardUid(loaded.stack);
    const board = writeOut(`grafana/${loaded.stack}/${name}.json`, dashboardText);
    const provider = writeOut(`grafana/${loaded.stack}/${name}.yaml`, toYaml(grafanaProvisioning(loaded.stack)));
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
    console.log(
        `${count(apps.length, "monitored app")}, ${count(drills.length, "restore drill")}\n` +
            `alert rules:   ${rules}\nscrape config: ${scrape}\ndashboard:     ${board}\nprovisioning:  ${provider}`,
    );
    return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
