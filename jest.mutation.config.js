/**
 * The jest config Stryker runs (`npm run mutation`): the project's own, minus test files that
 * check packaging, tooling or documents rather than the library's behaviour. They run in the unit
 * tier; in a mutation run they would only add minutes (npm pack, tsc, actionlint, SVG rendering),
 * or they read the sources as text, which Stryker has rewritten with its mutant switches.
 */
const base = require("./jest.config.js");

module.exports = {
    ...base,
    testPathIgnorePatterns: [
        ...base.testPathIgnorePatterns,
        "<rootDir>/tests/package.test.ts",
        "<rootDir>/tests/installState.test.ts",
        "<rootDir>/tests/workflows.test.ts",
        "<rootDir>/tests/docsLinks.test.ts",
        // Re-runs the whole program dozens of times per property; per mutant that is minutes.
        "<rootDir>/tests/fleetChurn.property.test.ts",
    ],
};
