/**
 * The real upstream code on the containers the program generates: stack-back v1.5.4 (sidecar),
 * restic-exporter, and the restore drill on stack-back's image, with dcron 4.5 and restic 0.18.1,
 * built offline from the upstream tags (scripts/real/images.sh). The containers' settings come from
 * an `AppBackup` registered under Pulumi's mock engine, never retyped; SUBSTITUTIONS (support/stack.ts)
 * lists the only things changed. Beside them: an app container with a labelled volume and a
 * labelled postgres (Debian's postgresql-17), as docs/operating.md tells users to label them.
 *
 * The schedules are taken from config: the backup and the drill are planned a few minutes ahead
 * in a zone that is not UTC, and the test waits for cron to fire them.
 */
import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { runRestore } from "../../scripts/restore";
import { installMocks, settle, valueOf } from "../support/pulumiMocks";
import { bucketKeys, createBucket, docker, ok, required, runShell, s3Request } from "./support/engines";
import {
    assertBridgeReachesS3,
    containerState,
    createGenerated,
    ensureImages,
    generatedContainer,
    GeneratedContainer,
    httpGet,
    LOCAL_IMAGES,
    logs,
    processes,
    startLabelledWeb,
    SUBSTITUTIONS,
    waitFor,
} from "./support/stack";
import { startPrometheus } from "./support/prometheus";

const registered = installMocks();

// Imported after the mocks so that the component registers against them.
import { alertRules, AppBackup, AppBackupArgs, scrapeConfig, toYaml } from "../../components";
import { EXPORTER_PORT, RESTIC_METRICS } from "../../components/monitoring";
import { DRILL_METRICS, DRILL_METRICS_PORT } from "../../components/restoreDrill";

const RUN_ID = `${Date.now().toString(36)}${crypto.randomBytes(2).toString("hex")}`;
const APP = `rt${RUN_ID}`;
/** Not UTC, and not a whole hour off it: a cron in the wrong zone cannot fire at the planned minute. */
const ZONE = "Asia/Kolkata";
const GROUP = "g-real";
const HOST = "vm-real";
const PG = { user: "appuser", password: `pg-${crypto.randomBytes(8).toString("hex")}`, db: "appdb" };

/** `M H * * *` for the minute `minutesAhead` from now, in ZONE; and that minute's start (Unix seconds). */
function cronAhead(minutesAhead: number): { cron: string; at: number } {
    const at = Math.floor(Date.now() / 60000 + minutesAhead) * 60;
    const parts = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(new Date(at * 1000));
    const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value);
    return { cron: `${get("minute")} ${get("hour")} * * *`, at };
}

const testCa = (): string => fs.readFileSync(required("REAL_S3_CACERT"), "utf8");
/** A CA nobody signed the S3 server's certificate with. */
function otherCa(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "real-ca-"));
    try {
        execFileSync(
            "openssl",
            [
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=untrusted",
                "-keyout",
                path.join(dir, "k.pem"),
                "-out",
                path.join(dir, "c.pem"),
            ],
            { stdio: "ignore" },
        );
        return fs.readFileSync(path.join(dir, "c.pem"), "utf8");
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

interface Deployed {
    args: AppBackupArgs;
    bucket: string;
    sidecar: GeneratedContainer;
    exporter?: GeneratedContainer;
    drill?: GeneratedContainer;
    check: { create: string; environment: Record<string, string> };
}

let componentCount = 0;
/** An AppBackup under mocks, as a user configures it against the tier's S3 server and dockerd. */
async function deploy(app: string, overrides: Partial<AppBackupArgs> = {}): Promise<Deployed> {
    const name = `stackback-${++componentCount}`;
    const args: AppBackupArgs = {
        app,
        schedule: "0 3 * * *",
        minioEndpoint: required("REAL_S3_BRIDGE_ENDPOINT"),
        minioSsl: true,
        minioCaCert: testCa(),
        dockerHost: required("REAL_DOCKER_HOST"),
        timezone: ZONE,
        group: GROUP,
        host: HOST,
        ...overrides,
    };
    const component = new AppBackup(name, args);
    const containerName = await valueOf(component.containerName);
    const bucket = await valueOf(component.bucket);
    await settle();
    const commands = registered.filter((r) => r.type === "command:local:Command" && r.name === `${name}-repository-init`);
    if (commands.length !== 1) throw new Error(`expected one ${name}-repository-init command, found ${commands.length}`);
    const mine = registered.filter((r) => r.type === "docker:index/container:Container" && r.name.startsWith(`${name}-`));
    const named = (suffix: string): GeneratedContainer | undefined => {
        const r = mine.find((x) => x.name === `${name}-${suffix}`);
        return r ? generatedContainer(registered, r.inputs.name as string) : undefined;
    };
    return {
        args,
        bucket,
        sidecar: generatedContainer(registered, containerName),
        exporter: named("exporter"),
        drill: named("restore-drill"),
        check: { create: commands[0].inputs.create as string, environment: (commands[0].inputs.environment ?? {}) as Record<string, string> },
    };
}

const started = new Set<string>();
function create(c: GeneratedContainer, extra: Parameters<typeof createGenerated>[1] = {}): void {
    started.add(c.name);
    createGenerated(c, extra);
}

/** The app's own containers: a web service with a labelled volume, and a labelled postgres. */
const WEB = `${APP}_web`;
const DB = `${APP}_db`;
const DATA = crypto.randomBytes(2 * 1024 * 1024 + 5);
function startAppContainers(): void {
    for (const name of [WEB, DB]) docker(["rm", "-f", "-v", name]);
    const compose = (service: string): string[] => ["--label", `com.docker.compose.project=${APP}`, "--label", `com.docker.compose.service=${service}`];
    startLabelledWeb(APP);
    started.add(WEB);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "real-data-"));
    try {
        fs.writeFileSync(path.join(work, "blob.bin"), DATA);
        ok(docker(["cp", path.join(work, "blob.bin"), `${WEB}:/data/blob.bin`]), "docker cp data");
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
    // Debian's postgresql-17 started the way the official image's entrypoint does: initdb with
    // POSTGRES_USER/POSTGRES_PASSWORD, then the server; stack-back reads those variables from the
    // container's config (containers_db.py) and runs pg_isready and pg_dump inside it.
    const script = [
        "set -e",
        "d=/var/lib/postgresql/data",
        'printf %s "$POSTGRES_PASSWORD" >/tmp/pw',
        'initdb -D "$d" -U "$POSTGRES_USER" --pwfile=/tmp/pw --auth-local=trust --auth-host=scram-sha-256 >/dev/null',
        "rm /tmp/pw",
        'postgres -D "$d" -c listen_addresses=127.0.0.1 -k /var/run/postgresql &',
        "until pg_isready -q -h 127.0.0.1; do sleep 0.2; done",
        'createdb -h /var/run/postgresql -U "$POSTGRES_USER" "$POSTGRES_DB"',
        'psql -q -h /var/run/postgresql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "CREATE TABLE fruit (name text); INSERT INTO fruit VALUES (\'quince\'), (\'medlar\');"',
        "echo database ready",
        "wait",
    ].join("\n");
    ok(
        docker(
            [
                "run",
                "-d",
                "--name",
                DB,
                "--user",
                "postgres",
                "--network",
                required("REAL_NETWORK"),
                ...compose("db"),
                "--label",
                "stack-back.postgres=true",
                "-e",
                "POSTGRES_USER",
                "-e",
                "POSTGRES_PASSWORD",
                "-e",
                "POSTGRES_DB",
                LOCAL_IMAGES.postgres,
                "sh",
                "-c",
                script,
            ],
            { POSTGRES_USER: PG.user, POSTGRES_PASSWORD: PG.password, POSTGRES_DB: PG.db },
        ),
        "starting postgres",
    );
    started.add(DB);
}

/**
 * restic in the sidecar, with the sidecar's own environment. It waits for a lock: right after a
 * backup stack-back runs `forget --prune`, whose exclusive lock makes a read fail at once (exit 11).
 */
const restic = (d: Deployed, args: string[]): ReturnType<typeof docker> => docker(["exec", d.sidecar.name, "restic", "--retry-lock", "3m", ...args]);
interface Snapshot {
    id: string;
    time: string;
    paths: string[];
}
const snapshots = (d: Deployed): Snapshot[] => JSON.parse(ok(restic(d, ["snapshots", "--json"]), "restic snapshots").stdout) as Snapshot[];

/** Metric names and label names in a Prometheus text exposition. */
function exposition(text: string): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const line of text.split("\n")) {
        const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? /.exec(line);
        if (!m) continue;
        const labels = out.get(m[1]) ?? new Set<string>();
        for (const pair of (m[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) labels.add(pair[1]);
        out.set(m[1], labels);
    }
    return out;
}

/** The exporter's metric names that the generated rules of an app use, and the labels they read. */
function usedByRules(): { metrics: string[]; labels: string[] } {
    const fleet = [{ app: APP, group: GROUP, host: HOST, exporterAddress: "x:1", intervalHours: 24, quotaBytes: 2 ** 30 }];
    const rules = alertRules(fleet, {}, []).groups.flatMap((g) => g.rules);
    const metrics = new Set<string>();
    const labels = new Set<string>();
    for (const r of rules) {
        for (const m of r.expr.matchAll(/\b(restic_[a-z_]+)\b/g)) metrics.add(m[1]);
        for (const m of r.expr.matchAll(/by \(([^)]*)\)/g)) for (const l of m[1].split(",")) labels.add(l.trim());
        for (const m of JSON.stringify(r.annotations).matchAll(/\$labels\.([a-z_]+)/g)) labels.add(m[1]);
    }
    // Target labels Prometheus adds itself (scrape config), not the exporter.
    for (const l of ["app", "group", "host", "job", "instance"]) labels.delete(l);
    return { metrics: [...metrics].sort(), labels: [...labels].sort() };
}

let main: Deployed;
let backupAt: { cron: string; at: number };
let drillAt: { cron: string; at: number };

afterAll(() => {
    for (const name of started) docker(["rm", "-f", "-v", name]);
});

beforeAll(async () => {
    ensureImages();
    assertBridgeReachesS3();
    startAppContainers();
    // Far enough ahead for the tests before it (the check's cases take a few minutes here).
    backupAt = cronAhead(8);
    drillAt = cronAhead(11);
    main = await deploy(APP, {
        schedule: backupAt.cron,
        monitoring: { port: 19801, refreshIntervalSeconds: 60 },
        restoreDrill: { schedule: drillAt.cron, port: 19802 },
    });
    await createBucket(main.bucket);
    create(main.sidecar);
    await waitFor("postgres", 120, () => (/database ready/.test(logs(DB)) ? true : undefined));
}, 300000);

test("only the image, the Docker socket, the network and published ports are substituted", () => {
    // Printed for the record; the helper applies exactly these.
    console.log(`substitutions:\n${SUBSTITUTIONS.map((s) => `  - ${s}`).join("\n")}`);
    expect(main.sidecar.envs.some((e) => e.startsWith("RESTIC_REPOSITORY=s3:https://"))).toBe(true);
    expect(main.exporter).toBeDefined();
    expect(main.drill).toBeDefined();
});

describe("the sidecar (stack-back v1.5.4)", () => {
    test("its entrypoint starts: crond is a child of the entrypoint's shell, with the planned schedule in the configured zone", async () => {
        const ps = await waitFor("crond in the sidecar", 60, () => {
            const p = processes(main.sidecar.name);
            return /crond -f/.test(p) ? p : undefined;
        });
        const pid1 = /^\s*1\s+(.*)$/m.exec(ps)?.[1] ?? "";
        expect(pid1).not.toMatch(/crond/);
        const crontab = ok(docker(["exec", main.sidecar.name, "cat", "/etc/crontabs/root"]), "crontab").stdout;
        // stack-back's `rcb crontab` (cron.py): "<CRON_SCHEDULE> <command>".
        expect(crontab.split("\n")[0]).toBe(`${backupAt.cron} source /.env && rcb backup > /proc/1/fd/1`);
        expect(ok(docker(["exec", main.sidecar.name, "date", "+%z"]), "date").stdout.trim()).toBe("+0530");
    });

    test("the deploy-time check passes on a healthy app, and stack-back's own status lists the volume and the database", async () => {
        const r = await runShell(main.check.create, main.check.environment, 180);
        expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: expect.stringContaining("web") });
        expect(r.output).toMatch(/db/);
        expect(await bucketKeys(main.bucket)).toEqual(expect.arrayContaining(["config"]));
    });
});

describe("the exporter before the first backup", () => {
    test("it stays up and serves every metric name the generated rules use", async () => {
        create(main.exporter as GeneratedContainer);
        const name = (main.exporter as GeneratedContainer).name;
        const text = await waitFor("exporter metrics", 120, async () => {
            const st = containerState(name);
            if (!st.ip) return undefined;
            try {
                const r = await httpGet(`http://${st.ip}:${EXPORTER_PORT}/metrics`);
                return r.status === 200 && /restic_/.test(r.body) ? r.body : undefined;
            } catch {
                return undefined;
            }
        }).catch((e: Error) => {
            throw new Error(`${e.message}\nexporter log:\n${logs(name)}`);
        });
        const seen = exposition(text);
        // Every metric the rules read exists, except the per-snapshot series: no snapshot, no series
        // (ResticBackupMissing says so with absent()).
        const used = usedByRules();
        expect(used.metrics).toContain(RESTIC_METRICS.backupTimestamp);
        expect(used.metrics.filter((m) => !seen.has(m))).toEqual([RESTIC_METRICS.backupTimestamp]);
        expect(containerState(name).restarts).toBe(0);
        expect(text).toMatch(new RegExp(`^${RESTIC_METRICS.snapshotsTotal} 0(\\.0)?$`, "m"));
        expect(text).toMatch(new RegExp(`^${RESTIC_METRICS.checkSuccess} 1(\\.0)?$`, "m"));
    });
});

describe("the deploy-time check on broken settings", () => {
    test("the deploy-time check fails with a wrong password", async () => {
        const pw = main.sidecar.envs.find((e) => e.startsWith("RESTIC_PASSWORD="));
        create(main.sidecar, { envOverrides: { RESTIC_PASSWORD: `${pw}-wrong` } });
        try {
            const r = await runShell(main.check.create, main.check.environment, 180);
            expect(r.status).not.toBe(0);
            expect(r.output).toContain("wrong password");
        } finally {
            create(main.sidecar);
        }
    });

    test("the deploy-time check fails on an untrusted CA, an unreachable endpoint and an app with no labelled container", async () => {
        const gw = required("REAL_S3_BRIDGE_ENDPOINT").split(":")[0];
        const cases: Array<[string, Partial<AppBackupArgs>, RegExp]> = [
            ["untrusted CA", { minioCaCert: otherCa() }, /certificate signed by unknown authority|x509/],
            ["unreachable endpoint", { minioEndpoint: `${gw}:9` }, /connection refused|dial tcp|unable to open|Fatal/],
            ["no labelled container", {}, /no running container of Compose project .* carries a stack-back\.\* label/],
        ];
        const results: Record<string, { failed: boolean; matched: boolean }> = {};
        for (const [label, overrides, words] of cases) {
            const app = `${APP}x${Object.keys(results).length}`;
            const d = await deploy(app, { checkTimeoutSeconds: 30, ...overrides });
            await createBucket(d.bucket);
            create(d.sidecar);
            const r = await runShell(d.check.create, d.check.environment, 180);
            // The check's own exit: 1, or 124 when restic kept retrying until the bound (checkTimeoutSeconds).
            results[label] = { failed: r.status !== 0 && r.status !== null, matched: words.test(r.output) };
            if (r.status === 0 || !words.test(r.output)) console.log(`${label}:\n${r.output}`);
            docker(["rm", "-f", "-v", d.sidecar.name]);
        }
        expect(results).toEqual({
            "untrusted CA": { failed: true, matched: true },
            "unreachable endpoint": { failed: true, matched: true },
            "no labelled container": { failed: true, matched: true },
        });
    }, 600000);
});

describe("backups, fired by cron", () => {
    test("cron fires stack-back's `rcb backup` at the planned minute in the configured zone: a volume snapshot and a postgres dump", async () => {
        const snaps = await waitFor(
            "the snapshots of the cron-fired backup",
            Math.max(60, backupAt.at - Date.now() / 1000 + 240),
            () => {
                const s = snapshots(main);
                const paths = s.flatMap((x) => x.paths);
                return paths.some((p) => p.startsWith("/volumes")) && paths.some((p) => p.startsWith("/databases/")) ? s : undefined;
            },
            5000,
        ).catch((e: Error) => {
            throw new Error(`${e.message}\nsidecar log:\n${logs(main.sidecar.name)}`);
        });
        for (const t of snaps.map((x) => Date.parse(x.time) / 1000)) {
            expect(t).toBeGreaterThanOrEqual(backupAt.at);
            expect(t).toBeLessThan(backupAt.at + 180);
        }
        expect(snaps.flatMap((x) => x.paths)).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^/databases/db/${PG.db}\\.sql$`))]));
    }, 900000);

    test("restores give the volume's bytes and the database's rows", () => {
        const paths = snapshots(main).flatMap((s) => s.paths);
        const dumpPath = paths.find((p) => p.startsWith("/databases/")) as string;
        const dump = ok(restic(main, ["dump", "latest", "--path", dumpPath, dumpPath]), "restic dump").stdout;
        expect(dump).toMatch(/quince/);
        expect(dump).toMatch(/medlar/);
        const volumePath = paths.find((p) => p.startsWith("/volumes")) as string;
        ok(restic(main, ["restore", "latest", "--path", volumePath, "--target", "/restore"]), "restic restore");
        const found = ok(docker(["exec", main.sidecar.name, "find", "/restore", "-name", "blob.bin"]), "find").stdout.trim();
        const work = fs.mkdtempSync(path.join(os.tmpdir(), "real-restored-"));
        try {
            ok(docker(["cp", `${main.sidecar.name}:${found}`, path.join(work, "blob.bin")]), "docker cp out");
            expect(fs.readFileSync(path.join(work, "blob.bin")).equals(DATA)).toBe(true);
        } finally {
            fs.rmSync(work, { recursive: true, force: true });
        }
    });
});

describe("npm run restore on the repository the real stack-back wrote", () => {
    /** The sidecar's own value of an env entry the program generated. */
    const envOf = (key: string): string => {
        const entry = main.sidecar.envs.find((e) => e.startsWith(`${key}=`));
        if (!entry) throw new Error(`the sidecar has no ${key}`);
        return entry.slice(key.length + 1);
    };
    let vault: http.Server;
    let vaultAddr = "";
    const TOKEN = `real-${crypto.randomBytes(6).toString("hex")}`;
    /** Where prod's gitlab keeps its secret (Pulumi.prod.yaml): the stand-in answers there only. */
    const SECRET_URL = "/v1/ansible/data/stackback_gitlab";

    beforeAll(async () => {
        // The one stand-in: Vault, with the KV v2 answer shape, holding this repository's credentials
        // as the component stores them. Substitution: the repository's address as the host reaches
        // the S3 server (the containers reach the same server through the bridge's relay).
        const secret = {
            password: envOf("RESTIC_PASSWORD"),
            access_key: envOf("AWS_ACCESS_KEY_ID"),
            secret_key: envOf("AWS_SECRET_ACCESS_KEY"),
            repository: `s3:https://${required("REAL_S3_ENDPOINT")}/${main.bucket}`,
        };
        vault = http.createServer((req, res) => {
            const allowed = req.headers["x-vault-token"] === TOKEN && req.url === SECRET_URL;
            res.statusCode = allowed ? 200 : 403;
            res.end(allowed ? JSON.stringify({ data: { data: secret } }) : "{}");
        });
        await new Promise<void>((resolve) => vault.listen(0, "127.0.0.1", resolve));
        vaultAddr = `http://127.0.0.1:${(vault.address() as AddressInfo).port}`;
    });
    afterAll(() => (vault ? new Promise<void>((resolve) => vault.close(() => resolve())) : undefined));

    async function restore(args: string[]): Promise<{ code: number; out: string }> {
        let out = "";
        const code = await runRestore(["--stack", "prod", "--app", "gitlab", ...args, "--cacert", required("REAL_S3_CACERT")], {
            env: { PATH: process.env.PATH, HOME: os.homedir(), VAULT_ADDR: vaultAddr, VAULT_TOKEN: TOKEN },
            stdout: { write: (t: string) => (out += t) },
            stderr: { write: (t: string) => (out += t) },
        });
        return { code, out };
    }

    test("it lists the volume's and the dump's path sets, and restores the volume's bytes and the database's rows", async () => {
        const listed = await restore(["--list"]);
        expect(listed.code).toBe(0);
        expect(listed.out).toMatch(/^\/volumes\s+1\s/m);
        expect(listed.out).toMatch(new RegExp(`^/databases/db/${PG.db}\\.sql\\s+1\\s`, "m"));
        expect(listed.out).not.toContain(envOf("RESTIC_PASSWORD"));

        const paths = snapshots(main).flatMap((x) => x.paths);
        const volumePath = paths.find((p) => p.startsWith("/volumes")) as string;
        const dumpPath = paths.find((p) => p.startsWith("/databases/")) as string;
        const work = fs.mkdtempSync(path.join(os.tmpdir(), "real-npm-restore-"));
        try {
            const volume = await restore(["--path", volumePath, "--target", path.join(work, "volume")]);
            if (volume.code !== 0) console.log(volume.out);
            expect(volume.code).toBe(0);
            const blob = execFileSync("find", [path.join(work, "volume"), "-name", "blob.bin"], { encoding: "utf8" }).trim();
            expect(fs.readFileSync(blob).equals(DATA)).toBe(true);

            const dump = await restore(["--path", dumpPath, "--target", path.join(work, "dump")]);
            expect(dump.code).toBe(0);
            const sql = fs.readFileSync(path.join(work, "dump", dumpPath), "utf8");
            expect(sql).toMatch(/quince/);
            expect(sql).toMatch(/medlar/);
        } finally {
            fs.rmSync(work, { recursive: true, force: true });
        }
    }, 300000);
});

describe("the exporter after a backup, the restore drill, and a real Prometheus", () => {
    test("the exporter's series carry every label the rules use, and the newest snapshot's time", async () => {
        const name = (main.exporter as GeneratedContainer).name;
        const ip = containerState(name).ip;
        const newest = Math.max(...snapshots(main).map((s) => Date.parse(s.time) / 1000));
        const text = await waitFor(
            "exporter metrics after the backup",
            150,
            async () => {
                const r = await httpGet(`http://${ip}:${EXPORTER_PORT}/metrics`);
                return new RegExp(`^${RESTIC_METRICS.backupTimestamp}\\{`, "m").test(r.body) && !/restic_snapshots_total 0(\.0)?$/m.test(r.body)
                    ? r.body
                    : undefined;
            },
            5000,
        );
        const seen = exposition(text);
        const used = usedByRules();
        expect(used.metrics.filter((m) => !seen.has(m))).toEqual([]);
        expect(used.labels.length).toBeGreaterThan(0);
        expect(used.labels.filter((l) => !(seen.get(RESTIC_METRICS.backupTimestamp) as Set<string>).has(l))).toEqual([]);
        const stamps = [...text.matchAll(new RegExp(`^${RESTIC_METRICS.backupTimestamp}\\{[^}]*\\} ([0-9.e+]+)$`, "gm"))].map((m) => Number(m[1]));
        // Whole seconds: restic-exporter 2.0.2 exporter.py:521 takes time.mktime(...timetuple()), which
        // drops the fraction; and read in the exporter's own TZ, so equal only when both containers share it.
        expect(Math.max(...stamps)).toBe(Math.floor(newest));
        expect(containerState(name).restarts).toBe(0);
    }, 300000);

    test("the drill container stays up, runs a drill from its own schedule and reports success", async () => {
        const drill = main.drill as GeneratedContainer;
        create(drill);
        await new Promise((r) => setTimeout(r, 20000));
        const st = containerState(drill.name);
        if (st.restarts > 0) console.log(`drill log:\n${logs(drill.name)}`);
        expect({ running: st.running, restarts: st.restarts }).toEqual({ running: true, restarts: 0 });
        expect(processes(drill.name)).toMatch(/crond -f/);
        const text = await waitFor(
            "a drill result",
            Math.max(60, drillAt.at - Date.now() / 1000 + 240),
            async () => {
                const r = await httpGet(`http://${containerState(drill.name).ip}:${DRILL_METRICS_PORT}/metrics`).catch(() => undefined);
                return r && new RegExp(`^${DRILL_METRICS.success} `, "m").test(r.body) ? r.body : undefined;
            },
            5000,
        ).catch((e: Error) => {
            throw new Error(`${e.message}\ndrill log:\n${logs(drill.name)}`);
        });
        expect(text).toMatch(new RegExp(`^${DRILL_METRICS.success} 1$`, "m"));
        const lastRun = Number(new RegExp(`^${DRILL_METRICS.lastRun} ([0-9.]+)$`, "m").exec(text)?.[1]);
        expect(lastRun).toBeGreaterThanOrEqual(drillAt.at);
    }, 600000);

    test("a real Prometheus scrapes the exporter and the drill, loads the generated rules, and every rule is healthy", async () => {
        const entry = { app: APP, group: GROUP, host: HOST };
        const exporterIp = containerState((main.exporter as GeneratedContainer).name).ip;
        const drillIp = containerState((main.drill as GeneratedContainer).name).ip;
        // Substitution: Prometheus reaches the containers at their bridge addresses (not the host's published ports).
        const fleet = [{ ...entry, exporterAddress: `${exporterIp}:${EXPORTER_PORT}`, intervalHours: 24 }];
        const drills = [{ ...entry, address: `${drillIp}:${DRILL_METRICS_PORT}` }];
        const prom = await startPrometheus({ rules: toYaml(alertRules(fleet, {}, drills)), scrape: scrapeConfig(fleet, {}, drills) });
        try {
            const targets = await prom.waitForScrapes(2);
            expect(targets.map((t) => ({ pool: t.scrapePool, health: t.health, error: t.lastError }))).toEqual(
                expect.arrayContaining([
                    { pool: "restic-exporter", health: "up", error: "" },
                    { pool: "restore-drill", health: "up", error: "" },
                ]),
            );
            const rules = await prom.waitForRules();
            expect(rules.filter((r) => r.health !== "ok").map((r) => `${r.name}: ${r.lastError}`)).toEqual([]);
            expect(rules.length).toBeGreaterThanOrEqual(5);
            const success = await prom.query(`${DRILL_METRICS.success}{app="${APP}"}`);
            expect(success.map((s) => s.value[1])).toEqual(["1"]);
            const stamp = await prom.query(`${RESTIC_METRICS.backupTimestamp}{app="${APP}"}`);
            expect(stamp.length).toBeGreaterThan(0);
        } finally {
            prom.stop();
        }
    }, 300000);

    test("on a damaged repository the drill reports failure, and the exporter's `restic check` fails", async () => {
        const drill = main.drill as GeneratedContainer;
        const exporterIp = containerState((main.exporter as GeneratedContainer).name).ip;
        const checkLine = (value: string): RegExp => new RegExp(`^${RESTIC_METRICS.checkSuccess}(\\{[^}]*\\})? ${value}(\\.0)?$`, "m");
        // Before the damage the exporter's check passed, so a 0 below comes from the damage.
        expect((await httpGet(`http://${exporterIp}:${EXPORTER_PORT}/metrics`)).body).toMatch(checkLine("1"));
        const packs = (await bucketKeys(main.bucket)).filter((k) => k.startsWith("data/"));
        expect(packs.length).toBeGreaterThan(0);
        for (const k of packs) expect((await s3Request("DELETE", `/${main.bucket}/${k}`)).status).toBe(204);
        const r = docker(["exec", drill.name, "sh", "-c", ". /run/drill.env && sh /drill/drill.sh"]);
        expect(r.status).not.toBe(0);
        const text = (await httpGet(`http://${containerState(drill.name).ip}:${DRILL_METRICS_PORT}/metrics`)).body;
        expect(text).toMatch(new RegExp(`^${DRILL_METRICS.success} 0$`, "m"));
        // The exporter's next read (refreshIntervalSeconds 60) runs `restic check`, which finds the packs gone.
        await waitFor(
            "the exporter's check of the damaged repository",
            200,
            async () => {
                const m = await httpGet(`http://${exporterIp}:${EXPORTER_PORT}/metrics`).catch(() => undefined);
                return m && checkLine("0").test(m.body) ? m.body : undefined;
            },
            5000,
        ).catch((e: Error) => {
            throw new Error(`${e.message}\nexporter log:\n${logs((main.exporter as GeneratedContainer).name)}`);
        });
    }, 500000);
});
