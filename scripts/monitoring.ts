/**
 * `npm run monitoring -- --stack <name>`: writes the Prometheus files for a stack's monitored apps,
 * offline, from the same config the stack deploys:
 *   out/prometheus/<stack>/restic-rules.yml    (load with rule_files)
 *   out/prometheus/<stack>/restic-scrape.yml   (paste or include into scrape_configs)
 * `pulumi stack output alertRules` gives the same rules from a deployed stack.
 */
import { drilledApps, monitoredApps } from "../components/config";
import { alertRules, scrapeConfig, toYaml } from "../components/monitoring";
import { fleetFromArgs, writeOut } from "./stackCli";

const USAGE = "usage: npm run monitoring -- --stack <name>   (reads Pulumi.<name>.yaml, writes out/prometheus/<name>/)";

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
    const rules = writeOut(
        `prometheus/${loaded.stack}/restic-rules.yml`,
        toYaml(alertRules(apps, { runbookBaseUrl: loaded.fleet.monitoring.runbookBaseUrl }, drills)),
    );
    const scrape = writeOut(`prometheus/${loaded.stack}/restic-scrape.yml`, toYaml(scrapeConfig(apps, {}, drills)));
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
    console.log(`${count(apps.length, "monitored app")}, ${count(drills.length, "restore drill")}\nalert rules:   ${rules}\nscrape config: ${scrape}`);
    return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
