/**
 * The schemas of the fleet's record (`assignments`) and of sharding (`shards`, `shard`), apart
 * from assignments.ts and shards.ts so that those, whose types are part of the library's public
 * face, declare nothing of zod (a consumer compiled without `skipLibCheck` would check zod's
 * declarations). `configSchema.ts` puts them into the stack config's schema.
 */
import * as z from "zod";
import { text, wholeNumber } from "./configFields";
import { parseClock } from "./cron";

const port = (what: string) => wholeNumber({ unit: "(port number)", min: 1, max: 65535, description: `the ${what} port recorded for the app` }).optional();

/** The schema of the `assignments` map. */
export const assignmentsSchema = z.record(
    z.string(),
    z.strictObject({
        host: text({ required: "rerun the command that wrote this map", description: "the host the ports were assigned on" }),
        exporterPort: port("exporter"),
        drillPort: port("restore drill"),
        drill: text({
            description: "start of the restore drill, HH:MM",
            rule: (clock) => (parseClock(clock) === undefined ? `"${clock}" is not a time; write HH:MM` : undefined),
        }).optional(),
    }),
);

/** The schema of `shards`. */
export const shardsSchema = z.record(
    z.string(),
    z.strictObject({
        hosts: z.array(text({ description: "a key of hosts" })).meta({ description: "the hosts this shard deploys; every host is in exactly one shard" }),
    }),
);

/** The schema of `shard`. */
export const shardSchema = z.strictObject({
    fleet: text({
        required: 'name the fleet\'s stack, e.g. fleet: "prod" (its file is Pulumi.prod.yaml)',
        description: "the stack whose file describes the fleet",
    }),
    name: text({ required: "name one of the fleet's shards", description: "a key of the fleet's shards" }),
});

/** `Same<A, B>` is `true` exactly when A and B are the same type (for the checks beside the plain types). */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
