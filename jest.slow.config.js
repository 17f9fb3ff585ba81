/**
 * The slow tier (`npm run test:slow`, run by CI after the unit tier): offline like the unit tier,
 * but its tests start processes (the drill script under sh with a stand-in restic, the metrics
 * server under python3) or run the whole program in property loops. Files are named
 * `*.slow.test.ts`, beside the unit tests of the same subject.
 */
const base = require("./jest.config");

/** @type {import('jest').Config} */
module.exports = {
    ...base,
    testMatch: ["**/*.slow.test.ts"],
    testPathIgnorePatterns: ["/node_modules/", "<rootDir>/tests/install/", "<rootDir>/tests/real/"],
    // A bound for hangs: a property run of the whole program takes minutes on cores shared with other jobs.
    testTimeout: 600000,
};
