// Mutation testing (`npm run mutation`): StrykerJS seeds small bugs into the library and checks
// that a unit test fails on each. docs/mutation-testing.md has the score, the run time, how
// often to run it and the surviving mutants judged equivalent.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
    testRunner: "jest",
    jest: {
        projectType: "custom",
        // The project's jest config, minus the tests that exercise packaging, tooling or docs (see the file).
        configFile: "jest.mutation.config.js",
        // Each mutant runs only the tests that covered it (coverageAnalysis below), not jest's guess.
        enableFindRelatedTests: false,
    },
    coverageAnalysis: "perTest",
    // A static mutant (a module-level constant, evaluated at import) is covered by no single test,
    // so Stryker would run the whole suite (minutes here) for each. They are reported as ignored;
    // the constants that matter are pinned by tests that state their values (docs/mutation-testing.md).
    ignoreStatic: true,
    // Re-tests only mutants whose code or covering tests changed since the last run. The file is a
    // local cache under reports/ (gitignored): see docs/mutation-testing.md for why it is not committed.
    incremental: true,
    incrementalFile: "reports/stryker-incremental.json",
    // CI and the dev machine have 2 cores; each worker is one jest process.
    concurrency: 2,
    // The Pulumi SDKs take seconds to load on a busy machine; a mutant that makes a loop endless
    // is still stopped after this much time beyond the unmutated run.
    timeoutMS: 30000,
    // The pure modules every pipeline is named, scheduled and authorised by, and the restore access.
    // The planner (schedule.ts, ~8 min alone) is a release-time run. AppBackup under mocks
    // and the other modules cost far more per mutant here: docs/mutation-testing.md ("Scope") says
    // how to run them and how long they take.
    mutate: ["components/naming.ts", "components/iamPolicy.ts", "components/cron.ts", "components/restoreAccess.ts"],
    thresholds: { high: 90, low: 85, break: 85 },
    reporters: ["clear-text", "progress", "html", "json"],
    htmlReporter: { fileName: "reports/mutation/mutation.html" },
    jsonReporter: { fileName: "reports/mutation/mutation.json" },
    tempDirName: ".stryker-tmp",
    // Not needed to run the unit tests in the sandbox: fetched tools, build output, other tiers' state.
    ignorePatterns: [".tools", "dist", "out", "coverage", "reports", "policy/node_modules", "tests/real", "tests/install"],
    cleanTempDir: "always",
};
