/**
 * The two config sections of restores: `apps[].retiredPaths` (path sets no longer backed up) and
 * `recovery.ageRecipients` (who can open the offline recovery kit). Every problem with its path
 * and fix, nothing accepted that a command would later trip on.
 */
import { monitoredApps, validateStackConfig } from "../components/config";
import { forgetFrom } from "../components/retiredPaths";
import { smallFleet } from "./support/fleet";

const X25519 = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
const apps = (retiredPaths: unknown) => [
    { name: "mattermost", host: "vm1", group: "green" },
    { name: "n8n", host: "vm1", group: "green", retiredPaths },
    { name: "linkwarden", host: "vm2", group: "blue" },
];

describe("apps[].retiredPaths", () => {
    test("a valid entry reaches the fleet and the monitored app, as the exporter's snapshot_paths", () => {
        const { fleet, problems } = validateStackConfig(
            smallFleet({ monitoring: { enabled: true }, apps: apps([{ path: "/databases/db/old.sql", retiredOn: "2026-11-30" }]) }),
        );
        expect(problems).toEqual([]);
        expect(fleet?.apps.map((a) => a.retiredPaths)).toEqual([[], [{ path: "/databases/db/old.sql", retiredOn: "2026-11-30" }], []]);
        expect(monitoredApps(fleet!).find((m) => m.app === "n8n")?.retiredPaths).toEqual(["/databases/db/old.sql"]);
        expect(monitoredApps(fleet!).find((m) => m.app === "mattermost")).not.toHaveProperty("retiredPaths");
    });

    test("every problem at once, each with its path: relative path, not a day, a day that does not exist, a key too many, a missing path", () => {
        const { fleet, problems } = validateStackConfig(
            smallFleet({
                apps: apps([
                    { path: "databases/db/old.sql", retiredOn: "2026-11-30" },
                    { path: "/databases/db/a.sql", retiredOn: "30.11.2026" },
                    { path: "/databases/db/b.sql", retiredOn: "2026-02-30" },
                    { path: "/volumes", retiredOn: "2026-11-30", reason: "gone" },
                    { path: "/databases/db/a.sql/", retiredOn: "2026-11-30" },
                    { retiredOn: "2026-11-30" },
                ]),
            }),
        );
        expect(fleet).toBeUndefined();
        const at = (path: string) => problems.filter((p) => p.path === path).map((p) => p.message);
        expect(at("apps[1] (n8n).retiredPaths[0].path")).toEqual([expect.stringContaining("must be an absolute snapshot path")]);
        expect(at("apps[1] (n8n).retiredPaths[1].retiredOn")).toEqual([expect.stringContaining("must be a day as YYYY-MM-DD")]);
        expect(at("apps[1] (n8n).retiredPaths[2].retiredOn")).toEqual([expect.stringContaining('"2026-02-30" must be a day')]);
        expect(problems.some((p) => p.path.startsWith("apps[1] (n8n).retiredPaths[3]") && /reason/.test(p.path + p.message))).toBe(true);
        expect(at("apps[1] (n8n).retiredPaths[5].path")).toEqual([expect.stringContaining("give the snapshot path of the set")]);
    });

    test("the same set twice (a trailing slash is the same set)", () => {
        const { problems } = validateStackConfig(
            smallFleet({
                apps: apps([
                    { path: "/databases/db/a.sql", retiredOn: "2026-11-30" },
                    { path: "/databases/db/a.sql/", retiredOn: "2026-12-01" },
                ]),
            }),
        );
        expect(problems).toEqual([
            { path: "apps[1] (n8n).retiredPaths[1].path", message: '"/databases/db/a.sql/" is already retiredPaths[0]; list each path set once' },
        ]);
    });

    test("the first day to forget is retiredOn plus retentionDays", () => {
        expect(forgetFrom({ path: "/x", retiredOn: "2026-12-31" }, 30)).toBe("2027-01-30");
        expect(forgetFrom({ path: "/x", retiredOn: "2028-02-28" }, 1)).toBe("2028-02-29");
    });
});

describe("recovery.ageRecipients", () => {
    test("age public keys reach the fleet; without the section the fleet has none", () => {
        expect(validateStackConfig(smallFleet({ recovery: { ageRecipients: [X25519] } })).fleet?.recovery).toEqual({ ageRecipients: [X25519] });
        expect(validateStackConfig(smallFleet()).fleet).not.toHaveProperty("recovery");
    });

    test("an empty list, a key that is not age's, a key twice and an unknown field are each reported", () => {
        const empty = validateStackConfig(smallFleet({ recovery: { ageRecipients: [] } })).problems;
        expect(empty).toEqual([{ path: "recovery.ageRecipients", message: expect.stringMatching(/^is empty; list at least one age public key/) }]);
        const { problems } = validateStackConfig(smallFleet({ recovery: { ageRecipients: ["ssh-ed25519 AAAAC3Nz", X25519, X25519], keys: [] } }));
        expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(["recovery.ageRecipients[0]", "recovery.keys"]));
        expect(problems.find((p) => p.path === "recovery.ageRecipients[0]")?.message).toContain('"ssh-ed25519 AAAAC3Nz" is not an age public key');
        const twice = validateStackConfig(smallFleet({ recovery: { ageRecipients: [X25519, X25519] } })).problems;
        expect(twice).toEqual([{ path: "recovery.ageRecipients[1]", message: `"${X25519}" is already ageRecipients[0]; list each key once` }]);
    });
});
