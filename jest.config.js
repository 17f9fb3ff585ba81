const os = require("os");

/**
 * The unit tier (`npm test`): offline and fast, about a minute on two cores with typecheck, lint
 * and format. A test that starts processes (a script under sh or python3, a CLI) or runs the
 * program in a long property loop is named `*.slow.test.ts` and runs in the slow tier instead
 * (`npm run test:slow`, jest.slow.config.js; CI runs both).
 * @type {import('jest').Config}
 */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/tests"],
    testMatch: ["**/*.test.ts"],
    // tests/install/ installs packages from the registry (`npm run test:install`); tests/real/ needs
    // real restic, S3, Docker and promtool (`npm run test:real`); *.slow.test.ts is the slow tier.
    // None of them belongs in the fast unit tier.
    testPathIgnorePatterns: ["/node_modules/", "<rootDir>/tests/install/", "<rootDir>/tests/real/", "\\.slow\\.test\\.ts$"],
    // Jest's default is one worker less than the cores, one worker on two cores while the parent
    // idles: two workers there keep both cores busy.
    maxWorkers: Math.max(2, (os.availableParallelism?.() ?? os.cpus().length) - 1),
    transform: { "^.+\\.ts$": "ts-jest" },
    // index.ts imports the library by its package name; tests run it from source, no build needed.
    moduleNameMapper: {
        "^platform-backups$": "<rootDir>/components/index.ts",
        // One copy of each @pulumi package, the root's, whatever else is installed: policy/ has its own
        // node_modules once `npm ci --prefix policy` ran (docs/ci.md, `npm run dev`), and a second
        // @pulumi/policy there means a second `Secret` class that `instanceof` does not recognise.
        // tests/installState.test.ts proves it.
        "^(@pulumi/[^/]+)(/.*)?$": "<rootDir>/node_modules/$1$2",
    },
    // A run of the whole program takes a second or two alone, and many times that when the cores
    // are shared with other jobs: the bound is for hangs, not for speed.
    testTimeout: 60000,
    // Type errors are caught once by `npm run typecheck`; with isolatedModules ts-jest only transpiles.
};
