/**
 * Helpers of the real-engine tier: run real commands, reach the tier's dockerd and s3rver.
 * scripts/real/test.sh puts .tools/bin first on PATH and sets REAL_DOCKER_HOST, REAL_S3_ENDPOINT
 * and REAL_S3_CACERT (scripts/real/services.sh).
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as https from "https";
import * as path from "path";

/** Repository root. */
export const ROOT = path.resolve(__dirname, "..", "..", "..");

/** The tools folder of `npm run setup:real`. */
export const TOOLS = process.env.TOOLS_DIR ?? path.join(ROOT, ".tools");

/** A variable scripts/real/test.sh sets; a clear failure when the tier was started some other way. */
export function required(
    name: "REAL_DOCKER_HOST" | "REAL_S3_ENDPOINT" | "REAL_S3_CACERT" | "REAL_NETWORK" | "REAL_S3_GATEWAY" | "REAL_S3_HOSTNAME" | "REAL_S3_BRIDGE_ENDPOINT",
): string {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run this tier with npm run test:real (it starts dockerd and s3rver)`);
    return value;
}

/** What a finished command left behind. */
export interface Run {
    status: number | null;
    stdout: string;
    stderr: string;
    /** Both streams, for messages. */
    output: string;
    /** Wall time in seconds. */
    seconds: number;
    /** Whether it was killed at `killAfterSeconds`. */
    killed: boolean;
}

/** Runs `command args` and waits; `env` is added to this process's environment. */
export function run(command: string, args: readonly string[], options: { env?: Record<string, string>; input?: string | Buffer; cwd?: string } = {}): Run {
    const t0 = Date.now();
    const r = spawnSync(command, args, {
        cwd: options.cwd ?? ROOT,
        env: { ...process.env, ...options.env },
        input: options.input,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error) throw r.error;
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, output: r.stdout + r.stderr, seconds: (Date.now() - t0) / 1000, killed: false };
}

/**
 * Runs a string under `/bin/sh -c`, as the command provider runs a `create` string, with `env`
 * added to this process's environment; kills it after `killAfterSeconds` (a safety net, so a hang
 * fails the test instead of the whole run).
 */
export function runShell(script: string, env: Record<string, string>, killAfterSeconds: number): Promise<Run> {
    const t0 = Date.now();
    return new Promise((resolve, reject) => {
        // Its own process group, so that a kill reaches `docker exec` and whatever else sh started.
        const child = spawn("/bin/sh", ["-c", script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
        let stdout = "";
        let stderr = "";
        let killed = false;
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => {
            killed = true;
            if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
        }, killAfterSeconds * 1000);
        child.on("error", reject);
        child.on("close", (status) => {
            clearTimeout(timer);
            resolve({ status, stdout, stderr, output: stdout + stderr, seconds: (Date.now() - t0) / 1000, killed });
        });
    });
}

/** Fails with the command's output unless it exited 0. */
export function ok(r: Run, what: string): Run {
    if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${r.output}`);
    return r;
}

/** `docker ...` against the tier's own dockerd. */
export function docker(args: readonly string[], env: Record<string, string> = {}, input?: Buffer): Run {
    return run("docker", args, { env: { DOCKER_HOST: required("REAL_DOCKER_HOST"), ...env }, input });
}

/** The S3 server's CA certificate. */
export function s3Ca(): Buffer {
    return fs.readFileSync(required("REAL_S3_CACERT"));
}

/** One plain S3 request to s3rver (it does not check signatures, so none is sent). */
export function s3Request(method: "PUT" | "GET" | "DELETE", pathAndQuery: string): Promise<{ status: number; body: string }> {
    const [host, port] = required("REAL_S3_ENDPOINT").split(":");
    return new Promise((resolve, reject) => {
        // agent: false, a fresh connection per request. Node >= 19 keeps sockets alive by default, and a
        // request sent on a socket s3rver is just closing as idle fails with "socket hang up".
        const req = https.request({ host, port: Number(port), method, path: pathAndQuery, ca: s3Ca(), agent: false }, (res) => {
            let body = "";
            res.on("data", (d: Buffer) => (body += d.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject);
        req.end();
    });
}

/** Creates a bucket, as the component's `minio.S3Bucket` does before the sidecar starts. */
export async function createBucket(bucket: string): Promise<void> {
    const r = await s3Request("PUT", `/${bucket}`);
    if (r.status !== 200) throw new Error(`creating bucket ${bucket} on s3rver: HTTP ${r.status} ${r.body}`);
}

/** Keys of every object in a bucket, sorted. */
export async function bucketKeys(bucket: string): Promise<string[]> {
    const keys: string[] = [];
    let marker = "";
    for (;;) {
        const r = await s3Request("GET", `/${bucket}?max-keys=1000${marker ? `&marker=${encodeURIComponent(marker)}` : ""}`);
        if (r.status !== 200) throw new Error(`listing bucket ${bucket}: HTTP ${r.status} ${r.body}`);
        const page = [...r.body.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]);
        keys.push(...page);
        if (!/<IsTruncated>true<\/IsTruncated>/.test(r.body) || page.length === 0) break;
        marker = page[page.length - 1];
    }
    return keys.sort();
}
