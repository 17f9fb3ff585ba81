import * as pulumi from "@pulumi/pulumi";
import { installMocks, settle } from "./support/pulumiMocks";
import { setStackConfig, stackConfig } from "./support/stack";

test("the program refuses bad config with one RunError and registers nothing", async () => {
    const registered = installMocks();
    const raw = stackConfig("prod");
    const apps = [...(raw.apps as object[]), { name: "mattermost", host: "platform-one-vm9", group: "green", schedule: "*/5 * * * *" }];
    setStackConfig({ ...raw, apps, retentionDays: 0 });
    let error: unknown;
    jest.isolateModules(() => {
        try {
            require("../index");
        } catch (e) {
            error = e;
        }
    });
    await settle();
    // isolateModules loads a second copy of the SDK, so check the kind by its own test.
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    const message = (error as Error).message;
    for (const path of ["retentionDays:", "apps[6].name:", "apps[6].host:", "apps[6].schedule:"]) expect(message).toContain(path);
    expect(registered).toEqual([]);
});
