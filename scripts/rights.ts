/**
 * `npm run rights`: writes the deploy and preview identities' documents from the rights table
 * (components/rights.ts) and the stacks that CI deploys (Pulumi.staging.yaml, Pulumi.prod.yaml):
 *
 * - docs/vault/deploy.hcl, docs/vault/preview.hcl: Vault policies;
 * - docs/minio/deploy.json, docs/minio/preview.json: MinIO policies for non-root users.
 *
 * `npm run rights -- --check` exits 1 when a committed document differs (tests/rights.test.ts runs
 * the same comparison). Offline: no Vault, no MinIO, no credentials.
 *
 * Names that apps adopt outside a stack's own patterns (docs/migrate.md) are granted too, and
 * listed on the way, because the identities' policies must be re-applied before the `pulumi up`
 * that adopts them.
 */
import * as fs from "fs";
import * as path from "path";
import { loadStackFile } from "../components/config";
import {
    adoptedSecretPaths,
    bucketNames,
    Identity,
    minioPolicyDocument,
    RIGHTS_TYPES,
    rightsScope,
    RightsScope,
    vaultPolicyDocument,
} from "../components/rights";

const ROOT = path.resolve(__dirname, "..");

/** The stacks whose CI identities the documents are for. */
export const RIGHTS_STACKS = ["staging", "prod"] as const;

/** Each stack's scope, read from its stack file through the same validation as the program. */
export function stackScopes(root: string = ROOT): RightsScope[] {
    return RIGHTS_STACKS.map((stack) => rightsScope(stack, loadStackFile(path.join(root, `Pulumi.${stack}.yaml`)).fleet));
}

/** Every generated document: path relative to the repository root -> content. */
export function rightsDocuments(scopes: readonly RightsScope[] = stackScopes()): Record<string, string> {
    const out: Record<string, string> = {};
    for (const identity of ["deploy", "preview"] as Identity[]) {
        out[path.join("docs", "vault", `${identity}.hcl`)] = vaultPolicyDocument(identity, RIGHTS_TYPES, scopes);
        out[path.join("docs", "minio", `${identity}.json`)] = `${JSON.stringify(minioPolicyDocument(identity, RIGHTS_TYPES, scopes), null, 2)}\n`;
    }
    return out;
}

/** One line per adopted name outside a stack's own patterns, saying what it is granted. */
export function adoptedGrantLines(scopes: readonly RightsScope[]): string[] {
    return scopes.flatMap((scope) => [
        ...bucketNames(scope)
            .slice(1)
            .map((b) => `${scope.stack}: adopted bucket ${b} (outside ${scope.prefix}-*-bucket): the bucket rights of docs/minio/*.json cover it`),
        ...adoptedSecretPaths(scope).map(
            (p) => `${scope.stack}: adopted Vault secret ${p} (outside ${scope.mount}/data/${scope.vaultPrefix}*): read only, in docs/vault/*.hcl`,
        ),
    ]);
}

function main(args: readonly string[]): number {
    const scopes = stackScopes();
    const documents = rightsDocuments(scopes);
    const adopted = adoptedGrantLines(scopes);
    for (const line of adopted) console.log(line);
    if (adopted.length > 0) console.log("apply the documents to Vault and MinIO (docs/ci.md) before the pulumi up that adopts these names");
    if (args.includes("--check")) {
        const stale = Object.entries(documents).filter(([file, text]) => {
            const full = path.join(ROOT, file);
            return !fs.existsSync(full) || fs.readFileSync(full, "utf8") !== text;
        });
        for (const [file] of stale) console.error(`${file} differs from the rights table; run npm run rights and commit it`);
        return stale.length === 0 ? 0 : 1;
    }
    for (const [file, text] of Object.entries(documents)) {
        fs.mkdirSync(path.dirname(path.join(ROOT, file)), { recursive: true });
        fs.writeFileSync(path.join(ROOT, file), text);
        console.log(`wrote ${file}`);
    }
    return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
