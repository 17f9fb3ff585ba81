/**
 * The offline recovery kit: every app's restore access (repository, restic password, MinIO keys,
 * the read-only pair where the app has one) in one file encrypted with age to the stack's
 * `recovery.ageRecipients`. It is what a restore needs when Vault is down, Vault's own restore
 * included: the `vault` app's restic password lives only in Vault.
 *
 * Encryption is the `age-encryption` package (typage, by age's author; the age v1 format, so the
 * `age` command line tool opens the same file). The plain kit exists only in memory: it is
 * encrypted before a byte is written, and decrypted into memory by `npm run restore --kit`.
 */
import { recipientProblems } from "../components/recovery";
import type { RepositoryCredentials } from "./restoreLib";

export { recipientProblems };

/** The format tag inside the (decrypted) kit. */
export const KIT_FORMAT = "platform-backups-recovery-kit/1";

/** The decrypted kit. */
export interface RecoveryKit {
    format: typeof KIT_FORMAT;
    stack: string;
    /** ISO time the kit was made: a kit older than the last change of an app's keys is stale. */
    createdAt: string;
    apps: Record<string, RepositoryCredentials>;
}

/** The identities of an age identity file (`age-keygen` output): its `AGE-SECRET-KEY-1...` lines. */
export function identitiesOf(text: string): string[] {
    return text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== "" && !line.startsWith("#"));
}

/** The kit as JSON text (what gets encrypted). */
export function kitText(stack: string, apps: Record<string, RepositoryCredentials>, now: Date): string {
    const kit: RecoveryKit = { format: KIT_FORMAT, stack, createdAt: now.toISOString(), apps };
    return JSON.stringify(kit);
}

/**
 * One app's access from the decrypted kit, or why not. Messages never contain a value of the kit.
 */
export function credentialsFromKit(text: string, stack: string, app: string, file: string): { credentials?: RepositoryCredentials; problem?: string } {
    let kit: Partial<RecoveryKit> | undefined;
    try {
        kit = JSON.parse(text) as Partial<RecoveryKit>;
    } catch {
        // reported below, without echoing the text
    }
    if (!kit || kit.format !== KIT_FORMAT || typeof kit.apps !== "object" || kit.apps === null) {
        return { problem: `${file} is not a platform-backups recovery kit (${KIT_FORMAT}); make one with npm run recovery-kit` };
    }
    if (kit.stack !== stack) return { problem: `${file} is the recovery kit of stack ${String(kit.stack)}, not ${stack}` };
    const entry = kit.apps[app];
    if (!entry) {
        return {
            problem: `${file} (made ${String(kit.createdAt)}) has no access for app "${app}"; its apps are: ${Object.keys(kit.apps).join(", ") || "(none)"}`,
        };
    }
    const missing = (["repository", "password", "accessKeyId", "secretAccessKey"] as const).filter((k) => typeof entry[k] !== "string" || entry[k] === "");
    if (missing.length > 0) return { problem: `${file}: the access of ${app} lacks ${missing.join(", ")}; make the kit again` };
    return { credentials: { ...entry, readOnly: entry.readOnly === true } };
}

/** The age library. It is an ES module; a native `import()` loads it from this CommonJS code on every Node >= 20. */
type Age = typeof import("age-encryption");
// A real import(): TypeScript's CommonJS output would turn `import()` into require(), which cannot
// load an ES module on every Node 20.
const importEsm = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<Age>;

/** Encryption and decryption of the kit's text (the age library; tests may run it in a child process). */
export interface AgeCodec {
    /** The text encrypted (ASCII-armoured age) to every recipient. */
    encrypt(text: string, recipients: readonly string[]): Promise<string>;
    /** The decrypted text; throws (without secrets) when no identity opens it. */
    decrypt(armoured: string, identities: readonly string[]): Promise<string>;
}

/** The age library in this process. */
export const nativeAge: AgeCodec = {
    async encrypt(text, recipients) {
        const age = await importEsm("age-encryption");
        const encrypter = new age.Encrypter();
        for (const r of recipients) encrypter.addRecipient(r);
        return age.armor.encode(await encrypter.encrypt(text));
    },
    async decrypt(armoured, identities) {
        const age = await importEsm("age-encryption");
        const decrypter = new age.Decrypter();
        for (const id of identities) decrypter.addIdentity(id);
        const data = armoured.includes("-----BEGIN AGE ENCRYPTED FILE-----") ? age.armor.decode(armoured) : new TextEncoder().encode(armoured);
        return decrypter.decrypt(data, "text");
    },
};

/** A fresh X25519 identity and its recipient (tests and the runbook's first kit). */
export async function generateIdentity(): Promise<{ identity: string; recipient: string }> {
    const age = await importEsm("age-encryption");
    const identity = await age.generateX25519Identity();
    return { identity, recipient: await age.identityToRecipient(identity) };
}
