/**
 * The prod stack's URNs, sorted, against the committed list: a refactor of the component (new
 * builders, child components) must register every resource under the same URN, or carry aliases
 * and a regenerated list that shows the change in review.
 *
 * Regenerate after an intended change: `WRITE_URNS=1 npx jest tests/prodUrns.test.ts`.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { runStackProgram } from "./support/jestStack";
import { stackConfig } from "./support/stack";

const LIST = path.join(__dirname, "fixtures", "prod-urns.txt");

/** Every URN the mock engine registered (its monitor keeps them, keyed by URN). */
function registeredUrns(): string[] {
    const monitor = pulumi.runtime.getMonitor() as unknown as { resources: Map<string, unknown> };
    return [...monitor.resources.keys()].sort();
}

test("the prod stack registers exactly the committed URNs", async () => {
    await runStackProgram(stackConfig("prod"));
    const urns = registeredUrns();
    if (process.env.WRITE_URNS === "1") fs.writeFileSync(LIST, `${urns.join("\n")}\n`);
    const committed = fs.readFileSync(LIST, "utf8").trim().split("\n");
    // Hundreds of resources: compare the differences, so a failure names them.
    expect({ added: urns.filter((u) => !committed.includes(u)), removed: committed.filter((u) => !urns.includes(u)) }).toEqual({ added: [], removed: [] });
    expect(urns).toHaveLength(committed.length);
    // The whole prod program under the mocks: 11 s alone, over 30 s when every core is busy.
}, 120_000);
