import * as pulumi from "@pulumi/pulumi";
import { programError } from "./support/program";
import { installMocks } from "./support/pulumiMocks";
import { setStackConfig, stackConfig } from "./support/stack";

test("the program refuses bad config with one RunError and registers nothing", async () => {
    const registered = installMocks();
    const raw = stackConfig("prod");
    const apps = [...(raw.apps as object[]), { name: "mattermost", host: "platform-one-vm9", group: "green", schedule: "*/5 * * * *" }];
    setStackConfig({ ...raw, apps, retentionDays: 0 });
    const error = await programError();
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    const message = (error as Error).message;
    for (const path of ["retentionDays:", "apps[6] (mattermost).name:", "apps[6] (mattermost).host:", "apps[6] (mattermost).schedule:"])
        expect(message).toContain(path);
    expect(message).toContain('write "0 0 * * *"');
    expect(registered).toEqual([]);
});

test("the program reads every key of the stack: a typo in our namespace or a near namespace is refused, providers' keys are not", async () => {
    const registered = installMocks();
    const raw = stackConfig("prod");
    setStackConfig({ ...raw, retentonDays: 7 });
    // Keys of other namespaces, as `pulumi config set minio:region ...` would add them.
    pulumi.runtime.setConfig("platform-backup:image", "ghcr.io/lawndoc/stack-back:v1.5.4");
    pulumi.runtime.setConfig("minio:region", "us-east-1");
    pulumi.runtime.setConfig("pulumi:disable-default-providers", '["*"]');
    const error = await programError();
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    const lines = (error as Error).message.split("\n").slice(1);
    expect(lines).toEqual([
        '  - platform-backup:image: is in namespace "platform-backup", which nothing reads; did you mean `platform-backups:image`?',
        "  - retentonDays: is not a known key; did you mean `retentionDays`?",
    ]);
    expect(registered).toEqual([]);
});

test("the program never assigns a port or drill time itself: an app without a record is refused with the command that records it", async () => {
    const registered = installMocks();
    const raw = stackConfig("prod");
    const apps = [...(raw.apps as object[]), { name: "wiki", host: "platform-one-vm2", group: "blue" }];
    setStackConfig({ ...raw, apps });
    const error = await programError();
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect((error as Error).message.split("\n").slice(1)).toEqual([
        "  - assignments: 1 app has no recorded port or drill time that still holds: wiki (no exporter port, no drill port, no drill time). " +
            "Ports and drill times are assigned once and kept; run `npm run plan -- --stack test --write` and commit the stack file",
    ]);
    expect(registered).toEqual([]);
});
