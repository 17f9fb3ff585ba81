/**
 * A real Prometheus (Debian's `prometheus` package, from `npm run setup:real`) for the real tier:
 * it loads generated rule and scrape files, scrapes real targets, and answers its HTTP API.
 *
 *   const prom = await startPrometheus({ rules: toYaml(alertRules(...)), scrape: scrapeConfig(...) });
 *   await prom.waitForTargets(2); const rules = await prom.rules(); ... prom.stop();
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { waitFor } from "./stack";

/** One target as `/api/v1/targets` reports it. */
export interface PromTarget {
    labels: Record<string, string>;
    scrapePool: string;
    scrapeUrl: string;
    health: "up" | "down" | "unknown";
    lastError: string;
}

/** One rule as `/api/v1/rules` reports it. */
export interface PromRule {
    name: string;
    query: string;
    health: "ok" | "err" | "unknown";
    lastError?: string;
    type: "alerting" | "recording";
    labels?: Record<string, string>;
}

/** A running Prometheus. */
export interface Prometheus {
    url: string;
    /** GET `/api/v1/<endpoint>`; fails unless the API says success. */
    api<T>(endpoint: string): Promise<T>;
    targets(): Promise<PromTarget[]>;
    rules(): Promise<PromRule[]>;
    /** An instant query's result vector. */
    query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
    /** Waits until every target was scraped once (health not `unknown`); returns them. */
    waitForScrapes(count: number, seconds?: number): Promise<PromTarget[]>;
    /** Waits until every rule was evaluated once (health not `unknown`); returns them. */
    waitForRules(seconds?: number): Promise<PromRule[]>;
    /** Its log so far. */
    log(): string;
    stop(): void;
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
        server.on("error", reject);
    });
}

/**
 * Starts Prometheus on a free loopback port with `rules` (YAML text of a rule file) and `scrape` (a
 * generated scrape config: its `scrape_configs` are used as they are), scraping and evaluating
 * every `intervalSeconds`.
 */
export async function startPrometheus(options: { rules: string; scrape: { scrape_configs: unknown[] }; intervalSeconds?: number }): Promise<Prometheus> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "real-prometheus-"));
    const interval = `${options.intervalSeconds ?? 2}s`;
    fs.writeFileSync(path.join(dir, "rules.yml"), options.rules);
    fs.writeFileSync(
        path.join(dir, "prometheus.yml"),
        stringify({
            global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
            rule_files: [path.join(dir, "rules.yml")],
            scrape_configs: options.scrape.scrape_configs,
        }),
    );
    const port = await freePort();
    let output = "";
    const child: ChildProcess = spawn(
        "prometheus",
        [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`],
        { stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    const url = `http://127.0.0.1:${port}`;
    const stop = (): void => {
        if (child.exitCode === null) child.kill("SIGKILL");
        fs.rmSync(dir, { recursive: true, force: true });
    };
    async function api<T>(endpoint: string): Promise<T> {
        const res = await fetch(`${url}/api/v1/${endpoint}`);
        const body = (await res.json()) as { status: string; data: T; error?: string };
        if (body.status !== "success") throw new Error(`Prometheus ${endpoint}: ${body.error ?? res.status}`);
        return body.data;
    }
    const targets = async (): Promise<PromTarget[]> => (await api<{ activeTargets: PromTarget[] }>("targets")).activeTargets;
    const rules = async (): Promise<PromRule[]> => (await api<{ groups: Array<{ rules: PromRule[] }> }>("rules")).groups.flatMap((g) => g.rules);
    try {
        await waitFor("Prometheus to be ready", 60, async () => {
            if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${output}`);
            try {
                return (await fetch(`${url}/-/ready`)).status === 200 ? true : undefined;
            } catch {
                return undefined;
            }
        });
    } catch (e) {
        stop();
        throw e;
    }
    return {
        url,
        api,
        targets,
        rules,
        query: async (expr) =>
            (await api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(`query?query=${encodeURIComponent(expr)}`)).result,
        waitForScrapes: (count, seconds = 60) =>
            waitFor(`${count} scraped targets`, seconds, async () => {
                const t = await targets();
                return t.length === count && t.every((x) => x.health !== "unknown") ? t : undefined;
            }),
        waitForRules: (seconds = 60) =>
            waitFor("every rule evaluated", seconds, async () => {
                const r = await rules();
                return r.length > 0 && r.every((x) => x.health !== "unknown") ? r : undefined;
            }),
        log: () => output,
        stop,
    };
}
