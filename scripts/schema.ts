/**
 * `npm run schema`: writes schema/stack-config.schema.json, the JSON Schema of a whole
 * `Pulumi.<stack>.yaml`, from the zod schema in components/configSchema.ts. Editors that speak
 * the YAML language server read it through the `# yaml-language-server: $schema=...` line at the
 * top of each stack file, and then complete keys and flag typos as you type.
 *
 * `npm run schema -- --check` exits 1 when the committed file is stale (tests/configSchema.test.ts
 * runs the same comparison).
 */
import * as fs from "fs";
import * as path from "path";
import { stackFileJsonSchema } from "../components/configSchema";

/** Where the schema is committed, relative to the repository root. */
export const SCHEMA_FILE = path.join("schema", "stack-config.schema.json");

/** The file's content: stable key order, two-space JSON, trailing newline. */
export function schemaText(): string {
    return `${JSON.stringify(stackFileJsonSchema(), null, 2)}\n`;
}

function main(args: readonly string[]): number {
    const file = path.resolve(__dirname, "..", SCHEMA_FILE);
    const text = schemaText();
    if (args.includes("--check")) {
        const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
        if (current === text) return 0;
        console.error(`${SCHEMA_FILE} is stale; run npm run schema and commit it`);
        return 1;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    console.log(`wrote ${SCHEMA_FILE}`);
    return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
