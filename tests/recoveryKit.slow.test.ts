/**
 * The offline recovery kit: `npm run recovery-kit` reads every app's access from a stand-in Vault
 * and writes it encrypted with age (the real age-encryption library, run in a child process:
 * jest cannot import an ES module); `npm run restore --kit` reads it with Vault unreachable.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runRecoveryKit } from "../scripts/recovery-kit";
import { credentialsFromKit, identitiesOf, kitText, KIT_FORMAT, recipientProblems } from "../scripts/recoveryKit";
import { runRestore } from "../scripts/restore";
import { childAge, keygen } from "./support/childAge";
import { makeFakeRestic } from "./support/fakeRestic";
import { stackDirWith } from "./support/stackFile";
import { StandInVault, startStandInVault } from "./support/standInVault";

const APPS = ["mattermost", "n8n", "vault", "linkwarden", "solidtime", "gitlab"];
const secretOf = (app: string) => ({
    repository: `s3:https://minio.platform-one.internal:9000/restic-stackback-${app}-bucket`,
    password: `pw-SECRET-${app}`,
    access_key: `restic-stackback-${app}`,
    secret_key: `sk-SECRET-${app}`,
    reader_access_key: `restic-stackback-${app}-ro`,
    reader_secret_key: `rk-SECRET-${app}`,
});

const operator = keygen();
const other = keygen();
const stackDir = stackDirWith("prod", (raw) => ({ ...raw, recovery: { ageRecipients: [operator.recipient, other.recipient] } }));
let vault: StandInVault;
beforeAll(async () => {
    vault = await startStandInVault(Object.fromEntries(APPS.map((a) => [`ansible/data/stackback_${a}`, secretOf(a)])), "ops-token");
});
afterAll(() => vault.close());

function io(env: Record<string, string | undefined>) {
    const out = { stdout: "", stderr: "" };
    return {
        out,
        io: {
            env,
            stdout: { write: (t: string) => (out.stdout += t) },
            stderr: { write: (t: string) => (out.stderr += t) },
            stackDir,
            age: childAge,
            progressIntervalMs: 0,
        },
    };
}

async function makeKit(): Promise<string> {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kit-")), "prod.kit.age");
    const { out, io: kitIo } = io({ VAULT_ADDR: vault.address, VAULT_TOKEN: "ops-token" });
    const code = await runRecoveryKit(["--stack", "prod", "--out", file], kitIo, () => new Date("2026-12-03T17:00:00Z"));
    expect(out.stderr).toBe("");
    expect(code).toBe(0);
    expect(out.stdout).toContain(`restore access of 6 app(s) (${APPS.join(", ")}) of stack prod, encrypted to 2 age recipient(s)`);
    return file;
}

describe("npm run recovery-kit", () => {
    test("writes only ciphertext, 0600, that each recipient opens into every app's reader access", async () => {
        const file = await makeKit();
        const text = fs.readFileSync(file, "utf8");
        expect(text.startsWith("-----BEGIN AGE ENCRYPTED FILE-----")).toBe(true);
        for (const app of APPS) for (const value of Object.values(secretOf(app))) if (value.includes("SECRET")) expect(text).not.toContain(value);
        expect(fs.statSync(file).mode & 0o777).toBe(0o600);
        expect(fs.readdirSync(path.dirname(file))).toEqual(["prod.kit.age"]);
        for (const who of [operator, other]) {
            const plain = await childAge.decrypt(text, [who.identity]);
            const vaultAccess = credentialsFromKit(plain, "prod", "vault", file);
            expect(vaultAccess).toEqual({
                credentials: {
                    repository: secretOf("vault").repository,
                    password: "pw-SECRET-vault",
                    accessKeyId: "restic-stackback-vault-ro",
                    secretAccessKey: "rk-SECRET-vault",
                    readOnly: true,
                },
            });
        }
        await expect(childAge.decrypt(text, [keygen().identity])).rejects.toThrow();
    });

    test("refuses to overwrite a kit, and a stack without recipients, before reading Vault", async () => {
        const file = await makeKit();
        const before = vault.requests.length;
        const { out, io: again } = io({ VAULT_ADDR: vault.address, VAULT_TOKEN: "ops-token" });
        expect(await runRecoveryKit(["--stack", "prod", "--out", file], again)).toBe(1);
        expect(out.stderr).toContain("exists; name another file, or add --force");
        const bare = stackDirWith("prod", (raw) => raw);
        const none = io({ VAULT_ADDR: vault.address, VAULT_TOKEN: "ops-token" });
        expect(await runRecoveryKit(["--stack", "prod", "--out", path.join(bare, "k.age")], { ...none.io, stackDir: bare })).toBe(1);
        expect(none.out.stderr).toContain("platform-backups:recovery.ageRecipients: list at least one age public key");
        expect(vault.requests.length).toBe(before);
    });
});

describe("npm run restore --kit", () => {
    test("with Vault unreachable and no token, the kit opens the app's repository", async () => {
        const kit = await makeKit();
        const identityFile = path.join(path.dirname(kit), "ops.txt");
        fs.writeFileSync(identityFile, `# created: 2026-12-03\n# public key: ${operator.recipient}\n${operator.identity}\n`);
        const fake = makeFakeRestic();
        const { out, io: restoreIo } = io({
            PATH: `${fake.dir}${path.delimiter}${process.env.PATH}`,
            HOME: os.tmpdir(),
            FAKE_RESTIC_LOG: fake.log,
            VAULT_ADDR: "http://127.0.0.1:1",
        });
        const code = await runRestore(["--stack", "prod", "--app", "vault", "--kit", kit, "--identity", identityFile, "--list"], restoreIo);
        expect(out.stderr).not.toContain("restore:");
        expect(code).toBe(0);
        const list = fake.calls().find((c) => c.argv.includes("snapshots"));
        expect(list?.env.RESTIC_PASSWORD).toBe("pw-SECRET-vault");
        expect(list?.env.AWS_ACCESS_KEY_ID).toBe("restic-stackback-vault-ro");
        expect(out.stdout + out.stderr).not.toContain("SECRET");
    });

    test("an identity that does not open the kit, and an app the kit lacks, are refused clearly", async () => {
        const kit = await makeKit();
        const wrong = path.join(path.dirname(kit), "wrong.txt");
        fs.writeFileSync(wrong, `${keygen().identity}\n`);
        const fake = makeFakeRestic();
        const { out, io: restoreIo } = io({ PATH: `${fake.dir}${path.delimiter}${process.env.PATH}`, FAKE_RESTIC_LOG: fake.log });
        expect(await runRestore(["--stack", "prod", "--app", "vault", "--kit", kit, "--identity", wrong, "--list"], restoreIo)).toBe(1);
        expect(out.stderr).toContain(`${wrong} does not open ${kit}`);
        expect(fake.calls().map((c) => c.argv[0])).toEqual(["version"]);
    });
});

describe("pure parts", () => {
    test("recipients: at least one age public key, each valid, none twice", () => {
        expect(recipientProblems([operator.recipient])).toEqual([]);
        expect(recipientProblems([])[0]).toContain("recovery.ageRecipients: list at least one age public key");
        expect(recipientProblems(["ssh-ed25519 AAAA", operator.recipient, operator.recipient])).toEqual([
            'recovery.ageRecipients[0]: "ssh-ed25519 AAAA" is not an age public key; give the "age1..." line that "age-keygen -y <identity file>" prints',
            `recovery.ageRecipients[2]: "${operator.recipient}" is listed twice`,
        ]);
    });

    test("identity files: the key lines, not the comments", () => {
        expect(identitiesOf(`# created: x\n# public key: age1x\n\n${operator.identity}\n`)).toEqual([operator.identity]);
    });

    test("a kit of another stack, of another format, or without the app says so without echoing it", () => {
        const access = { repository: "r", password: "pw-SECRET", accessKeyId: "a", secretAccessKey: "s", readOnly: true };
        const text = kitText("prod", { gitlab: access }, new Date("2026-12-03T00:00:00Z"));
        expect(JSON.parse(text).format).toBe(KIT_FORMAT);
        expect(credentialsFromKit(text, "staging", "gitlab", "k").problem).toBe("k is the recovery kit of stack prod, not staging");
        expect(credentialsFromKit(text, "prod", "n8n", "k").problem).toBe(
            'k (made 2026-12-03T00:00:00.000Z) has no access for app "n8n"; its apps are: gitlab',
        );
        expect(credentialsFromKit("pw-SECRET", "prod", "gitlab", "k").problem).not.toContain("pw-SECRET");
    });
});
