/**
 * Every alert the program generates links to a runbook that exists (relative links
 * are dead in Alertmanager, chat and paging tools).
 * The stacks set `monitoring.runbookBaseUrl` to docs/monitoring.md in the git web UI; each alert's
 * `runbook_url` is `<base>#<alert>`, and that anchor must be a heading of docs/monitoring.md
 * (GitHub's slug rules, as the link checker reads them).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ALERTS, QUOTA_ALERT, QUOTA_FORECAST_ALERT, RESTORE_RUNBOOK_PAGE, restoreRunbookPage, RUNBOOK_PAGE, RuleFile } from "../components/monitoring";
import { DRILL_ALERTS } from "../components/restoreDrill";
import { anchorsOf } from "./support/markdown";
import { ROOT, stackConfig } from "./support/stack";
import { runStackProgram } from "./support/jestStack";

const RUNBOOK_ANCHORS = anchorsOf(fs.readFileSync(path.join(ROOT, RUNBOOK_PAGE), "utf8"));
const RESTORE_ANCHORS = anchorsOf(fs.readFileSync(path.join(ROOT, RESTORE_RUNBOOK_PAGE), "utf8"));

/** The runbook pages of a base URL: docs/monitoring.md itself, and docs/restore.md beside it. */
function pagesOf(base: string): Map<string, { file: string; anchors: ReadonlySet<string> }> {
    return new Map([
        [base, { file: RUNBOOK_PAGE, anchors: RUNBOOK_ANCHORS }],
        [restoreRunbookPage({ runbookBaseUrl: base }) as string, { file: RESTORE_RUNBOOK_PAGE, anchors: RESTORE_ANCHORS }],
    ]);
}

/** Dead runbook links of a rule file: `alert (app): problem`. */
function deadRunbooks(rules: RuleFile, base: string, pages = pagesOf(base)): string[] {
    const dead: string[] = [];
    for (const rule of rules.groups.flatMap((group) => group.rules)) {
        const where = `${rule.alert} (${rule.labels.app})`;
        const url = rule.annotations.runbook_url;
        if (url === undefined) {
            dead.push(`${where}: no runbook_url`);
            continue;
        }
        const [page, anchor] = url.split("#", 2);
        const known = pages.get(page);
        if (!known) dead.push(`${where}: ${url} is not one of the runbook pages under ${base}`);
        else if (anchor === undefined || !known.anchors.has(anchor)) dead.push(`${where}: ${known.file} has no heading #${anchor ?? ""}`);
    }
    return dead;
}

/** The alert rules the program exports for a stack, as Prometheus would load them. */
async function programRules(stack: string): Promise<RuleFile> {
    const run = await runStackProgram(stackConfig(stack));
    return YAML.parse(String(run.exports.alertRules)) as RuleFile;
}

test("docs/monitoring.md and docs/restore.md have a heading for every alert the library can generate", () => {
    for (const alert of Object.values(ALERTS)) expect({ alert, heading: RUNBOOK_ANCHORS.has(alert.toLowerCase()) }).toEqual({ alert, heading: true });
    for (const alert of [...Object.values(DRILL_ALERTS), QUOTA_ALERT, QUOTA_FORECAST_ALERT])
        expect({ alert, heading: RESTORE_ANCHORS.has(alert.toLowerCase()) }).toEqual({ alert, heading: true });
});

describe.each(["prod", "staging"])("the %s stack", (stack) => {
    const base = (stackConfig(stack).monitoring as { runbookBaseUrl?: string } | undefined)?.runbookBaseUrl ?? "";

    test("sets runbookBaseUrl to docs/monitoring.md, absolute", () => {
        expect(base).toMatch(new RegExp(`^https://[^/]+/.*/${RUNBOOK_PAGE.replace(".", "\\.")}$`));
    });

    test("every generated alert links to a heading of its runbook page", async () => {
        const rules = await programRules(stack);
        const count = rules.groups.flatMap((group) => group.rules).length;
        expect(count).toBeGreaterThanOrEqual(Object.values(ALERTS).length);
        expect(deadRunbooks(rules, base)).toEqual([]);
    });
});

test("the check can fail: a missing heading, a missing link and a foreign page are reported", () => {
    const base = "https://git.example.com/p/-/blob/main/docs/monitoring.md";
    const rule = (alert: string, runbook_url?: string) => ({
        alert,
        expr: "up == 0",
        for: "5m",
        labels: { severity: "warning", app: "wiki", group: "g", host: "h" },
        annotations: { summary: "s", description: "d", ...(runbook_url ? { runbook_url } : {}) },
    });
    const rules = {
        groups: [
            {
                name: "x",
                rules: [
                    rule("ResticBackupStale", `${base}#resticbackupstale`),
                    rule("ResticExporterDown"),
                    rule("ResticCheckFailed", "https://elsewhere.example/README.md#resticcheckfailed"),
                ],
            },
        ],
    } as unknown as RuleFile;
    const pages = new Map([[base, { file: RUNBOOK_PAGE, anchors: anchorsOf("# Monitoring\n\n## ResticBackupStale\n") }]]);
    rules.groups[0].rules.push(rule("ResticCheckFailed", `${base}#resticcheckfailed`) as unknown as RuleFile["groups"][0]["rules"][0]);
    expect(deadRunbooks(rules, base, pages)).toEqual([
        "ResticExporterDown (wiki): no runbook_url",
        "ResticCheckFailed (wiki): https://elsewhere.example/README.md#resticcheckfailed is not one of the runbook pages under " + base,
        "ResticCheckFailed (wiki): docs/monitoring.md has no heading #resticcheckfailed",
    ]);
});
