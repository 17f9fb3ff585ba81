/**
 * The real age library (`age-encryption`) for tests, run in a child Node process: jest's module
 * runtime cannot import an ES module, the command line tools import it natively.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import type { AgeCodec } from "../../scripts/recoveryKit";

function call<T>(request: object): T {
    const r = spawnSync(process.execPath, [path.join(__dirname, "age.mjs")], { input: JSON.stringify(request), encoding: "utf8" });
    if (r.status !== 0) throw new Error(`age.mjs failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
}

export function keygen(): { identity: string; recipient: string } {
    return call({ op: "keygen" });
}

export const childAge: AgeCodec = {
    encrypt: (text, recipients) => Promise.resolve(call<{ text: string }>({ op: "encrypt", text, recipients }).text),
    decrypt: (text, identities) => {
        const r = call<{ text?: string; error?: string }>({ op: "decrypt", text, identities });
        return r.error !== undefined ? Promise.reject(new Error(r.error)) : Promise.resolve(r.text as string);
    },
};
