/**
 * A stand-in Vault for the command tests: a local HTTP server answering `GET /v1/<mount>/data/<name>`
 * with the KV v2 JSON shape for one token, 403 for any other token and 404 for an unknown path.
 * It is not Vault: only the answer shapes the commands read.
 */
import * as http from "http";
import { AddressInfo } from "net";

export interface StandInVault {
    address: string;
    requests: Array<{ url: string; token: string | undefined }>;
    close(): Promise<void>;
}

/** Starts the stand-in; `secrets` maps `<mount>/data/<name>` to the secret's fields. */
export async function startStandInVault(secrets: Record<string, Record<string, string>>, token: string): Promise<StandInVault> {
    const requests: StandInVault["requests"] = [];
    const server = http.createServer((req, res) => {
        const given = req.headers["x-vault-token"] as string | undefined;
        requests.push({ url: req.url ?? "", token: given });
        const key = (req.url ?? "").replace(/^\/v1\//, "");
        res.setHeader("Content-Type", "application/json");
        if (given !== token) {
            res.statusCode = 403;
            res.end(JSON.stringify({ errors: ["permission denied"] }));
        } else if (!(key in secrets)) {
            res.statusCode = 404;
            res.end(JSON.stringify({ errors: [] }));
        } else {
            res.end(JSON.stringify({ request_id: "x", data: { data: secrets[key], metadata: { version: 3, destroyed: false } } }));
        }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        address: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}
