/**
 * The JSON Schema that editors use on the stack files: generated from the zod schema, committed,
 * and right about the real stack files.
 */
import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { CONFIG_KEYS, CONFIG_NAMESPACE } from "../components/configSchema";
import { SCHEMA_FILE, schemaText } from "../scripts/schema";
import { ROOT } from "./support/stack";

const STACKS = ["prod", "staging", "dev"];
const committed = () => fs.readFileSync(path.join(ROOT, SCHEMA_FILE), "utf8");
const validator = () => new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(committed()));
const stackDoc = (stack: string) => YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };

test("the committed JSON Schema is what npm run schema writes now (run it and commit when this fails)", () => {
    expect(committed()).toBe(schemaText());
});

test("it describes every key of the namespace", () => {
    const keys = Object.keys((JSON.parse(committed()) as { properties: { config: { properties: object } } }).properties.config.properties);
    expect(keys).toEqual(CONFIG_KEYS.map((key) => `${CONFIG_NAMESPACE}:${key}`));
});

test.each(STACKS)("Pulumi.%s.yaml points editors at it and passes it", (stack) => {
    const text = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
    expect(text.split("\n")[0]).toBe(`# yaml-language-server: $schema=./${SCHEMA_FILE}`);
    const validate = validator();
    expect(validate(stackDoc(stack)) ? [] : validate.errors).toEqual([]);
});

test("it rejects a typo at the top level and inside an app, and allows providers' namespaces", () => {
    const validate = validator();
    const prod = stackDoc("prod");
    const topTypo = { config: { ...prod.config, [`${CONFIG_NAMESPACE}:retentonDays`]: 7 } };
    expect(validate(topTypo)).toBe(false);
    expect(validate.errors).toContainEqual(
        expect.objectContaining({ keyword: "additionalProperties", params: { additionalProperty: `${CONFIG_NAMESPACE}:retentonDays` } }),
    );

    const apps = prod.config[`${CONFIG_NAMESPACE}:apps`] as object[];
    const appTypo = {
        config: { ...prod.config, [`${CONFIG_NAMESPACE}:apps`]: [...apps, { name: "x", host: "platform-one-vm1", group: "g", shedule: "0 3 * * *" }] },
    };
    expect(validate(appTypo)).toBe(false);
    expect(validate.errors).toContainEqual(expect.objectContaining({ keyword: "additionalProperties", params: { additionalProperty: "shedule" } }));

    const providers = { config: { ...prod.config, "minio:region": "us-east-1", "pulumi:disable-default-providers": ["*"] } };
    expect(validate(providers) ? [] : validate.errors).toEqual([]);
});

test("values as pulumi config set stores them pass, and a secure value where a secret goes", () => {
    const validate = validator();
    const prod = stackDoc("prod");
    const asStrings = {
        config: {
            ...prod.config,
            [`${CONFIG_NAMESPACE}:retentionDays`]: "14",
            [`${CONFIG_NAMESPACE}:initRepository`]: "false",
            [`${CONFIG_NAMESPACE}:vaultToken`]: { secure: "v1:abc" },
        },
    };
    expect(validate(asStrings) ? [] : validate.errors).toEqual([]);
    expect(validate({ config: { ...prod.config, [`${CONFIG_NAMESPACE}:retentionDays`]: "two weeks" } })).toBe(false);
});
