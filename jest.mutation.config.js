/**
 * The jest config Stryker runs (`npm run mutation`): the project's own, over the unit tests of
 * the mutated modules (stryker.config.mjs `mutate`) only. Tests that load the Pulumi SDKs
 * (AppBackup under mocks, the whole program) cost 5-15 s per mutant on 2 shared cores, and the
 * packaging, tooling and docs tests check no mutated module's behaviour. All of them still run
 * in `npm test`. A mutant only those tests could kill shows up as "no coverage": a gap in the
 * module's own tests, which is what this run is meant to find.
 */
const base = require("./jest.config.js");

module.exports = {
    ...base,
    testMatch: [
        "<rootDir>/tests/naming.test.ts",
        "<rootDir>/tests/cron.test.ts",
        "<rootDir>/tests/schedule.test.ts",
        "<rootDir>/tests/schedule.property.test.ts",
        "<rootDir>/tests/config.test.ts",
        "<rootDir>/tests/monitoring.test.ts",
        "<rootDir>/tests/policyRules.test.ts",
        "<rootDir>/tests/restoreAccess.test.ts",
    ],
};
